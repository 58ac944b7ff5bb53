package dev.herd.node.http;

import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.stream.Encoding;
import dev.herd.node.internal.stream.ReadableState;
import dev.herd.node.internal.stream.StringDecoder;
import dev.herd.node.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Node's {@code http.IncomingMessage}: on the server one request's line, headers and body; on the
 * client ({@link ClientRequest}) one response's status line, headers and body.
 *
 * <p>The body is a readable stream as in Node: 'data' events (a {@code byte[]}, or a
 * {@code String} after {@link #setEncoding}) start when a 'data' listener is added or
 * {@link #resume()} is called, {@link #pause()} stops them (and, past the high-water mark, reading
 * from the socket), 'end' follows the last chunk, then 'close'. A body nobody reads is discarded
 * once the response has finished (Node's {@code _dump}), so it never blocks the next request on
 * the connection; its 'end' and 'close' are emitted then if anyone listens for them (a saving
 * over Node, which always emits them: a listener added after the response finished is not
 * called). If the connection closes before the request was complete and read, 'aborted' is
 * emitted, 'error' (ECONNRESET "aborted") if there are 'error' listeners, and 'close'.
 *
 * <p><b>Headers.</b> {@link #rawHeaders()} lists names and values as received (name, value, name,
 * value, ...; field names as Jetty's parser reports them: as sent, except that fields it knows
 * (Host, Set-Cookie, Content-Type, ...) may come in their standard spelling, where Node keeps the
 * client's). Only the first {@link HttpServer#maxHeadersCount()} fields are kept, as in Node.
 * {@link #headers()} has lower-case names with Node's rule for repeated fields: for {@code age,
 * authorization, content-length,
 * content-type, etag, expires, from, host, if-modified-since, if-unmodified-since, last-modified,
 * location, max-forwards, proxy-authorization, referer, retry-after, server, user-agent} the first
 * value wins; {@code cookie} values are joined with {@code "; "}; every other field's values are
 * joined with {@code ", "}. The one exception is {@code set-cookie}, which Node keeps as an array:
 * here {@link #headers()} joins its values with {@code ", "} (a String map cannot hold a list) and
 * {@link #headersDistinct()} has them one by one, as Node's {@code headersDistinct} has every field.
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: one request.
 */
public class IncomingMessage extends EventEmitter {
    /** 'data' (a chunk of the body), without an encoding ({@link #setEncoding}). */
    public static final Event<Consumer<byte[]>> DATA = Event.of(IncomingMessage.class, "data", byte[].class);
    /** 'data' (a String) with an encoding: the same event as {@link #DATA}, decoded. */
    public static final Event<Consumer<String>> DATA_STRING = Event.of(IncomingMessage.class, "data", String.class);
    /** 'end': the whole body has been delivered. */
    public static final Event<Runnable> END = Event.of(IncomingMessage.class, "end");
    /** 'aborted': the connection closed before the message was received and read. */
    public static final Event<Runnable> ABORTED = Event.of(IncomingMessage.class, "aborted");
    /** 'close': the message is done with; the last event. */
    public static final Event<Runnable> CLOSE = Event.of(IncomingMessage.class, "close");
    /** 'timeout' (the connection's socket): the connection was idle while the request was being received. */
    public static final Event<Consumer<Socket>> TIMEOUT = Event.of(IncomingMessage.class, "timeout", Socket.class);

    /** Node's default highWaterMark for an IncomingMessage, in bytes. */
    public static final int HIGH_WATER_MARK = 16 * 1024;

    private final MessageSource connection;
    /** On the server, the response to this request (for readBody's 413); null for a client's response. */
    ServerResponse response;
    private final Environment env;
    private final String method;
    private final String url;
    private final int versionMajor;
    private final int versionMinor;
    private final List<String> rawHeaders;
    private final int statusCode;
    private final String statusMessage;
    private Map<String, String> headers;

    boolean complete;
    private boolean aborted;
    private boolean destroyed;
    /** The body's readable side: flowing or paused, its buffer, setEncoding's decoder, 'data' and 'end'. */
    private final Body body = new Body();
    private boolean closeEmitted;
    /** The response has finished and nobody read the body: what arrives is dropped (Node's _dump). */
    private boolean dumped;

    IncomingMessage(MessageSource connection, String method, String url, int versionMajor, int versionMinor,
            List<String> rawHeaders) {
        this.connection = connection;
        this.env = connection.env();
        this.method = method;
        this.url = url;
        this.versionMajor = versionMajor;
        this.versionMinor = versionMinor;
        this.rawHeaders = rawHeaders;
        this.statusCode = 0;
        this.statusMessage = null;
    }

    /** A response received by a {@link ClientRequest}: no method or url, a status instead. */
    IncomingMessage(MessageSource connection, int statusCode, String statusMessage, int versionMajor, int versionMinor,
            List<String> rawHeaders) {
        this.connection = connection;
        this.env = connection.env();
        this.method = null;
        this.url = null;
        this.statusCode = statusCode;
        this.statusMessage = statusMessage;
        this.versionMajor = versionMajor;
        this.versionMinor = versionMinor;
        this.rawHeaders = rawHeaders;
    }

    /** {@return a response's status code, e.g. 200; 0 for a request (Node: undefined)} */
    public int statusCode() {
        return statusCode;
    }

    /** {@return a response's reason phrase as sent, e.g. "OK"; null for a request} */
    public String statusMessage() {
        return statusMessage;
    }

    // ---------------------------------------------------------------- the request line and headers

    /** {@return the request method, e.g. "GET"} */
    public String method() {
        return method;
    }

    /** {@return the request target as sent, e.g. "/status?full=1"} */
    public String url() {
        return url;
    }

    /** {@return "1.1" or "1.0"} */
    public String httpVersion() {
        return versionMajor + "." + versionMinor;
    }

    /** {@return the major HTTP version, 1} */
    public int httpVersionMajor() {
        return versionMajor;
    }

    /** {@return the minor HTTP version, 0 or 1} */
    public int httpVersionMinor() {
        return versionMinor;
    }

    /** {@return the names and values as received, alternating (Node's rawHeaders)} */
    public List<String> rawHeaders() {
        return Collections.unmodifiableList(rawHeaders);
    }

    /** {@return lower-case names to values, repeated fields merged by Node's rule (see the class comment)} */
    public Map<String, String> headers() {
        Map<String, String> h = headers;
        if (h == null) {
            h = new LinkedHashMap<>();
            for (int i = 0; i + 1 < rawHeaders.size(); i += 2) addHeaderLine(h, rawHeaders.get(i), rawHeaders.get(i + 1));
            headers = h;
        }
        return h;
    }

    /** {@return lower-case names to every value received for them, in order (Node's headersDistinct)} */
    public Map<String, List<String>> headersDistinct() {
        Map<String, List<String>> h = new LinkedHashMap<>();
        for (int i = 0; i + 1 < rawHeaders.size(); i += 2) {
            h.computeIfAbsent(rawHeaders.get(i).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(rawHeaders.get(i + 1));
        }
        return h;
    }

    // ---------------------------------------------------------------- Java conveniences: the URL and the query

    /**
     * The request target as a {@link URI}, made absolute against the Host header as Node's
     * {@code new URL(req.url, `http://${req.headers.host}`)} is: {@code parsedUrl().getPath()},
     * {@code getRawQuery()}, ... (an absolute-form target keeps its own scheme and host). Not
     * Node's API: a convenience beside {@link #url()}.
     *
     * @return the absolute URI of the request
     * @throws NodeError ERR_INVALID_URL (an IllegalArgumentException) for a target that is not a
     *     valid URI, or on a client's response, which has no target
     */
    public URI parsedUrl() {
        if (url == null) throw new NodeError("ERR_INVALID_URL", "Invalid URL: a response has no request target",
                IllegalArgumentException.class);
        String host = headers().get("host");
        try {
            URI base = new URI("http://" + (host == null || host.isEmpty() ? "localhost" : host) + "/");
            return base.resolve(new URI(url));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new NodeError("ERR_INVALID_URL", "Invalid URL: " + url, IllegalArgumentException.class);
        }
    }

    /**
     * The query string's parameters, decoded as Node's {@code URLSearchParams} decodes them
     * ({@code +} is a space, {@code %XX} a UTF-8 byte, a malformed escape stays as written): names
     * in their first order, each with every value it was given, in order ({@code ?a=1&b&a=2} is
     * {@code {a=[1, 2], b=[""]}}). Empty when there is no query. Not Node's API: a convenience
     * beside {@link #url()}.
     *
     * @return the parameters (a new, modifiable map)
     */
    public Map<String, List<String>> query() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (url == null) return out;
        int q = url.indexOf('?');
        if (q < 0) return out;
        int hash = url.indexOf('#', q);
        String query = url.substring(q + 1, hash < 0 ? url.length() : hash);
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = formDecode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : formDecode(pair.substring(eq + 1));
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    /** application/x-www-form-urlencoded decoding, as the WHATWG URL standard's (lenient: bad escapes kept). */
    private static String formDecode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '+') {
                out.write(' ');
            } else if (b == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) << 4 | hex(in[i + 2]));
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }

    /** Node's _addHeaderLine with matchKnownFields. */
    private static void addHeaderLine(Map<String, String> dest, String name, String value) {
        String field = name.toLowerCase(Locale.ROOT);
        String existing = dest.get(field);
        if (existing == null) {
            dest.put(field, value);
            return;
        }
        switch (field) {
            case "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
                    "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
                    "proxy-authorization", "referer", "retry-after", "server", "user-agent" -> {
                // Node drops duplicates of these.
            }
            case "cookie" -> dest.put(field, existing + "; " + value);
            default -> dest.put(field, existing + ", " + value);
        }
    }

    /** {@return the connection's socket} */
    public Socket socket() {
        return connection.socket();
    }

    /** {@return whether the whole request, body included, has been received} */
    public boolean complete() {
        return complete;
    }

    /** {@return whether the connection closed before the request was received and read} */
    public boolean aborted() {
        return aborted;
    }

    /** {@return whether the message has been destroyed} */
    public boolean destroyed() {
        return destroyed;
    }

    // ---------------------------------------------------------------- the body as a readable stream

    /** Body bytes from the parser (not emitted here: the parser is on the stack). */
    void push(byte[] chunk) {
        if (dumped || destroyed) return;
        body.pushLater(chunk);
    }

    /** The parser saw the end of the message. */
    void markComplete() {
        complete = true;
        body.pushEnd();
    }

    /** The readable core's hooks: the connection is the source; after 'end' comes 'close' (Node's autoDestroy). */
    private final class Body extends ReadableState {
        Body() {
            super(IncomingMessage.this, HIGH_WATER_MARK, false, false);
        }

        @Override
        protected Environment env() {
            return env;
        }

        @Override
        protected boolean destroyed() {
            return destroyed;
        }

        @Override
        protected void readStop() {
            connection.bodyBackpressure(true);
        }

        @Override
        protected void readStart() {
            connection.bodyBackpressure(false);
        }

        @Override
        protected void afterEnd() {
            env.nextTick(IncomingMessage.this::emitClose);
        }
    }

    @Override
    protected void listenerAdded(String event, int count) {
        // Node: adding a 'data' listener switches a stream that was not paused to flowing.
        if (event.equals("data")) body.dataListenerAdded();
    }

    /**
     * Starts or restarts the flow of 'data' events.
     *
     * @return this message
     */
    public IncomingMessage resume() {
        env.checkThread();
        body.resume();
        return this;
    }

    /**
     * Stops 'data' events; what arrives meanwhile is buffered, and the socket paused past the high-water mark.
     *
     * @return this message
     */
    public IncomingMessage pause() {
        env.checkThread();
        body.pause();
        return this;
    }

    /** {@return whether 'data' events are paused} */
    public boolean isPaused() {
        return body.isPaused();
    }

    /**
     * Makes 'data' events carry Strings decoded with {@code charset}; a character split between
     * chunks stays whole. UTF-8, ISO-8859-1, UTF-16LE and US-ASCII decode as Node's 'utf8',
     * 'latin1', 'utf16le' and 'ascii' (its low 7 bits of each byte); null goes back to byte[].
     *
     * @param charset the charset, or null
     * @return this message
     */
    public IncomingMessage setEncoding(Charset charset) {
        env.checkThread();
        body.setDecoder(charset == null ? null : new StringDecoder(charset));
        return this;
    }

    /**
     * {@link #setEncoding(Charset)} by Node's name: 'utf8', 'utf16le' ('ucs2'), 'latin1'
     * ('binary'), 'ascii', 'hex', 'base64' or 'base64url'.
     *
     * @param encoding the encoding's name
     * @return this message
     * @throws NodeError ERR_UNKNOWN_ENCODING for a name Node does not know
     */
    public IncomingMessage setEncoding(String encoding) {
        env.checkThread();
        body.setDecoder(new StringDecoder(Encoding.require(encoding)));
        return this;
    }

    /**
     * Node's _dump, once the response has finished: whatever was not read is dropped, the rest of
     * the body will be too, and 'end' and 'close' follow. When nobody listens for them (the usual
     * GET), nothing is scheduled at all.
     */
    void dump() {
        if (dumped || destroyed) return;
        dumped = true;
        removeAllListeners("data");
        body.discard();
        connection.bodyBackpressure(false);
        if (listenerCount("end") == 0 && listenerCount("close") == 0 && !body.flushScheduled()) {
            body.flowUnobserved();
            if (complete) closeEmitted = true;
            return;
        }
        resume();
    }

    /** The response finished; with nothing to report, 'end'/'close' are left to the flow. */
    void responseFinished() {
        if (!body.endEmitted() && !dumped && body.flowing() == Boolean.TRUE) return; // a reader is on it
        dump();
    }

    /**
     * The connection closed: a request not received or not read in full is aborted (Node's
     * abortIncoming → destroy(ECONNRESET 'aborted')).
     */
    void connectionClosed() {
        if (destroyed) return;
        destroyed = true;
        if (!body.endEmitted() || !complete) {
            aborted = true;
            emit("aborted");
            if (listenerCount("error") > 0) {
                NodeError e = new NodeError("ECONNRESET", "aborted");
                env.nextTick(() -> emit("error", e));
            }
        }
        body.discard();
        env.nextTick(this::emitClose);
    }

    private void emitClose() {
        if (closeEmitted) return;
        closeEmitted = true;
        emit("close");
    }

    // ---------------------------------------------------------------- Java convenience: the whole body

    /**
     * Reads the whole body into one array, at most {@code maxBytes} of it, and calls
     * {@code callback} with {@code (null, body)} after 'end'. Not Node's API: a convenience that
     * does what a Java user would otherwise write with 'data' and 'end' listeners.
     *
     * <p>Past the limit (a Content-Length above it is known at once, else counted as chunks arrive)
     * nothing more is kept and the callback gets {@code (error, null)}, a {@link NodeError} with
     * Herd's code {@code HERD_HTTP_BODY_TOO_LARGE}: on the server the request has then already been
     * answered {@code 413 Payload Too Large} with {@code Connection: close} (unless the response had
     * begun: then the connection is destroyed), and the rest of the body is discarded; a client's
     * response is destroyed instead. If the connection closes before the end, the callback gets
     * {@code (error, null)} with Node's ECONNRESET "aborted". The callback runs once at most, on the
     * loop thread; under the server's {@linkplain HttpServer#setErrorBoundary error boundary} an
     * exception it throws is handled as one thrown by the request listener.
     *
     * @param maxBytes the most bytes accepted, 0 or more
     * @param callback gets (null, the body) or (the error, null)
     * @throws NodeError ERR_OUT_OF_RANGE for a negative limit; ERR_INVALID_STATE (an
     *     IllegalStateException) once the message has an encoding ({@link #setEncoding}) or
     *     its body is being read already
     */
    public void readBody(int maxBytes, BiConsumer<Throwable, byte[]> callback) {
        env.checkThread();
        Objects.requireNonNull(callback, "callback");
        if (maxBytes < 0) {
            throw new NodeError("ERR_OUT_OF_RANGE", "The value of \"maxBytes\" is out of range. It must be >= 0. Received "
                    + maxBytes, IllegalArgumentException.class);
        }
        if (body.decoding() || body.endEmitted() || dumped || listenerCount("data") > 0) {
            throw new NodeError("ERR_INVALID_STATE", "readBody reads the whole body as bytes: it has an encoding or is read already",
                    IllegalStateException.class);
        }
        new BodyReader(maxBytes, callback).start();
    }

    /** One readBody: the listeners it adds, and what they gathered. */
    private final class BodyReader {
        private final int max;
        private final BiConsumer<Throwable, byte[]> callback;
        private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        private final Consumer<byte[]> onData = this::onData;
        private final Runnable onEnd = this::onEnd;
        private final Runnable onAborted = this::onAborted;
        private boolean done;

        BodyReader(int max, BiConsumer<Throwable, byte[]> callback) {
            this.max = max;
            this.callback = callback;
        }

        void start() {
            String length = headers().get("content-length");
            if (length != null && parseLength(length) > max) {
                tooLarge();
                return;
            }
            on(ABORTED, onAborted);
            on(END, onEnd);
            on(DATA, onData); // starts the flow
        }

        private void onData(byte[] chunk) {
            if (done) return;
            if (body.size() + (long) chunk.length > max) {
                tooLarge();
                return;
            }
            body.writeBytes(chunk);
        }

        private void onEnd() {
            finish(null, body.toByteArray());
        }

        private void onAborted() {
            finish(new NodeError("ECONNRESET", "aborted"), null);
        }

        private void tooLarge() {
            NodeError e = new NodeError("HERD_HTTP_BODY_TOO_LARGE", "The body is larger than " + max + " bytes");
            ServerResponse res = response;
            if (res == null) {
                destroy();
            } else if (!res.headersSent()) {
                for (String name : res.getHeaderNames()) res.removeHeader(name);
                res.setStatusCode(413);
                res.setHeader("Connection", "close");
                res.end();
            } else {
                res.destroy();
            }
            finish(e, null);
        }

        private void finish(Throwable error, byte[] bytes) {
            if (done) return;
            done = true;
            off(DATA, onData);
            off(END, onEnd);
            off(ABORTED, onAborted);
            // What is left of the body flows to nobody: discarded.
            if (!destroyed) resume();
            if (response != null) response.connectionServer().guard(IncomingMessage.this, response, () -> callback.accept(error, bytes));
            else callback.accept(error, bytes);
        }

        private static long parseLength(String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return -1; // the parser has rejected a bad one already
            }
        }
    }

    /**
     * Closes the connection (Node's req.destroy()).
     *
     * @return this message
     */
    public IncomingMessage destroy() {
        env.checkThread();
        connection.socket().destroy();
        return this;
    }
}
