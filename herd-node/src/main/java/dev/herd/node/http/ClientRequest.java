package dev.herd.node.http;

import dev.herd.node.Event;
import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.node.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Node's {@code http.ClientRequest}: one request sent on a connection from an {@link Agent}, and
 * its response, parsed with Jetty's {@link HttpParser} in response mode and delivered as an
 * {@link IncomingMessage} to 'response'.
 *
 * <p><b>Events.</b> 'socket' (the {@link Socket}, on the next tick after it is assigned), 'finish'
 * (the whole request was handed to the socket), 'continue' (a 100 Continue arrived),
 * 'information' (another 1xx: status code and message), 'response', 'timeout' (the socket was
 * idle for {@link #setTimeout}'s time; nothing is closed), 'abort' (after {@link #abort()}),
 * 'error' (a failed connect as the net layer's {@code ErrnoException}, e.g. ECONNREFUSED;
 * ECONNRESET "socket hang up" if the connection closed before a response; a parse error as a
 * {@link NodeError} {@code HPE_*}) and 'close', once, last.
 *
 * <p><b>Body framing.</b> As in Node: for methods other than GET, HEAD, DELETE, OPTIONS, TRACE and
 * CONNECT, a body given whole to {@link #end(byte[])} gets {@code Content-Length}, and one written
 * with {@link #write} gets {@code Transfer-Encoding: chunked}, unless the caller set either field.
 *
 * <p><b>Reuse.</b> The connection goes back to its agent as soon as the response has been parsed
 * to its end and the request has finished; the rest of the body is then held by the
 * {@link IncomingMessage}. So a response nobody reads frees its socket at once if its body fits
 * below the message's high-water mark (16 KiB; Node would hold the socket until it is read). A
 * larger unread body pauses the socket at the high-water mark, as in Node, and holds it until the
 * response is consumed: read it, or call {@link IncomingMessage#resume()} to discard it. With no
 * 'response' listener at all the body is discarded (Node's {@code _dump}).
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: until 'close'.
 */
public class ClientRequest extends OutgoingMessage {
    /** 'socket' (the connection's socket), on the next tick after it is assigned. */
    public static final Event<Consumer<Socket>> SOCKET = Event.of(ClientRequest.class, "socket", Socket.class);
    /** 'finish': the whole request was handed to the socket. */
    public static final Event<Runnable> FINISH = Event.of(ClientRequest.class, "finish");
    /** 'continue': a {@code 100 Continue} arrived. */
    public static final Event<Runnable> CONTINUE = Event.of(ClientRequest.class, "continue");
    /** 'information' (the status code, the reason phrase): another 1xx response arrived. */
    public static final Event<BiConsumer<Integer, String>> INFORMATION = Event.of(ClientRequest.class, "information",
            Integer.class, String.class);
    /** 'response' (the response). */
    public static final Event<Consumer<IncomingMessage>> RESPONSE = Event.of(ClientRequest.class, "response",
            IncomingMessage.class);
    /** 'timeout': the socket was idle for {@link #setTimeout}'s time. */
    public static final Event<Runnable> TIMEOUT = Event.of(ClientRequest.class, "timeout");
    /** 'abort': after {@link #abort()}. */
    public static final Event<Runnable> ABORT = Event.of(ClientRequest.class, "abort");
    /** 'close': the request is done with; the last event. */
    public static final Event<Runnable> CLOSE = Event.of(ClientRequest.class, "close");

    private static final byte[] NOTHING = new byte[0];
    private static final byte[] CONNECTION_KEEP_ALIVE = "Connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING_CHUNKED = "Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);

    final Environment env;
    private final RequestOptions options;
    private final Agent agent;
    private final boolean bodyByDefault;

    private boolean headerSent;
    private boolean chunked;
    private boolean ended;
    private boolean finished;
    /** Bytes written before a socket was assigned; end()'s 'finish' step waits in afterPendingFlush. */
    private final List<byte[]> pendingOutput = new ArrayList<>();
    private Runnable afterPendingFlush;

    private Socket socket;
    private boolean reusedSocket;
    private long timeoutMs;
    private boolean destroyed;
    private boolean aborted;
    private boolean hadError;
    private boolean closeEmitted;
    private boolean released;

    // The response side.
    private final Response source = new Response();
    private HttpParser parser;
    private IncomingMessage res;
    private int status;
    private String reason;
    private HttpVersion version;
    private ArrayList<String> raw;
    private boolean responseConnectionClose;
    private boolean responseKeepAlive;
    private boolean responseComplete;
    private boolean closeDelimited;

    // Socket listeners, kept so they can be removed when the socket goes back to the agent.
    private final Consumer<byte[]> onData = this::onData;
    private final Runnable onEnd = this::onEnd;
    private final Consumer<Throwable> onError = this::onSocketError;
    private final Consumer<Boolean> onClose = hadError -> onSocketClose();
    private final Runnable onTimeout = () -> emit("timeout");

    ClientRequest(RequestOptions options, Consumer<IncomingMessage> responseListener) {
        super(new byte[256], false); // write(data) copies data, as it always has
        this.env = Environment.current();
        env.checkThread();
        this.options = options;
        this.agent = options.agent() != null ? options.agent() : Agent.globalAgent();
        String method = options.method().toUpperCase(Locale.ROOT);
        validateHeaderName(method);
        if (options.path().chars().anyMatch(c -> c <= ' ' || c > 0x7e)) {
            throw new NodeError("ERR_UNESCAPED_CHARACTERS", "Request path contains unescaped characters",
                    IllegalArgumentException.class);
        }
        this.bodyByDefault = switch (method) {
            case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT" -> false;
            default -> true;
        };
        options.headers().forEach(this::setHeader);
        if (options.setHost() && getHeader("host") == null) {
            String host = options.socketPath() != null ? "localhost" : options.host();
            if (host.indexOf(':') >= 0 && !host.startsWith("[")) host = "[" + host + "]";
            setHeader("Host", options.port() == 80 || options.socketPath() != null ? host : host + ":" + options.port());
        }
        if (responseListener != null) once("response", a -> responseListener.accept((IncomingMessage) a[0]));
        if (options.timeout() > 0) setTimeout(options.timeout(), null);
        agent.addRequest(this);
    }

    RequestOptions options() {
        return options;
    }

    /** {@return the request method, upper case} */
    public String method() {
        return options.method().toUpperCase(Locale.ROOT);
    }

    /** {@return the request's path} */
    public String path() {
        return options.path();
    }

    /** {@return the host the request goes to} */
    public String host() {
        return options.host();
    }

    /** {@return the agent the request's connection comes from} */
    public Agent agent() {
        return agent;
    }

    /** {@return the connection, once assigned (null before)} */
    public Socket socket() {
        return socket;
    }

    /** {@return whether the connection was a free one from the agent} */
    public boolean reusedSocket() {
        return reusedSocket;
    }

    // ---------------------------------------------------------------- headers

    /**
     * Sets a header field, replacing one of the same name (any case).
     *
     * @param name the field's name
     * @param value its value
     * @return this request
     */
    public ClientRequest setHeader(String name, String value) {
        env.checkThread();
        if (headerSent) throw headersSentError("set");
        putField(name, value);
        return this;
    }

    /**
     * The value of a header field (any case), or null.
     *
     * @param name the field's name
     * @return its value, or null
     */
    public String getHeader(String name) {
        Field f = findField(name);
        return f == null ? null : (String) f.value();
    }

    /**
     * Removes a header field (any case).
     *
     * @param name the field's name
     * @return this request
     */
    public ClientRequest removeHeader(String name) {
        env.checkThread();
        if (headerSent) throw headersSentError("remove");
        removeField(name.toLowerCase(Locale.ROOT));
        return this;
    }

    /** {@return whether the request head has been written} */
    public boolean headersSent() {
        return headerSent;
    }

    /** Writes the request head into the output; {@code contentLength} is the whole body's length, or -1 if not known. */
    private void storeHead(long contentLength) {
        headerSent = true;
        boolean userFraming = findField("content-length") != null || findField("transfer-encoding") != null;
        String te = getHeader("transfer-encoding");
        if (te != null && HttpConnection.hasToken(te, "chunked")) chunked = true;
        appendLatin1(method());
        append((byte) ' ');
        appendLatin1(options.path());
        appendLatin1(" HTTP/1.1\r\n");
        if (fields != null) for (Field f : fields) appendHeader(f.name(), f.value());
        if (findField("connection") == null) append(agent.keepAlive() ? CONNECTION_KEEP_ALIVE : CONNECTION_CLOSE);
        if (!userFraming && bodyByDefault) {
            if (contentLength >= 0) {
                appendLatin1("Content-Length: ");
                appendLong(contentLength);
                append(CRLF);
            } else {
                append(TRANSFER_ENCODING_CHUNKED);
                chunked = true;
            }
        }
        append(CRLF);
    }

    /** What was written since the last call, as one array (large chunks are copied in: see the constructor). */
    private byte[] takeBytes() {
        List<byte[]> out = takeOutput();
        return out == null ? NOTHING : out.get(0);
    }

    // ---------------------------------------------------------------- the body

    /**
     * Writes part of the body (chunked unless Content-Length was set); returns false if the caller should wait for the socket's 'drain'.
     *
     * @param data the bytes
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(byte[] data) {
        env.checkThread();
        if (ended) throw new NodeError("ERR_STREAM_WRITE_AFTER_END", "write after end");
        if (!headerSent) storeHead(-1);
        appendBody(data, chunked);
        return send(takeBytes(), null);
    }

    /**
     * Writes a String as UTF-8.
     *
     * @param data the text
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(String data) {
        return write(data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Ends the request; 'finish' follows once it has been handed to the socket.
     *
     * @return this request
     */
    public ClientRequest end() {
        return end((byte[]) null);
    }

    /**
     * Writes {@code data} as the last of the body and ends the request; a body given only here gets Content-Length.
     *
     * @param data the last bytes of the body
     * @return this request
     */
    public ClientRequest end(byte[] data) {
        env.checkThread();
        if (ended) return this;
        if (!headerSent) storeHead(data == null ? 0 : data.length);
        if (data != null) appendBody(data, chunked);
        if (chunked) append(LAST_CHUNK);
        ended = true;
        send(takeBytes(), () -> {
            if (destroyed) return;
            finished = true;
            emit("finish");
            maybeRelease();
        });
        return this;
    }

    /**
     * Writes {@code data} as UTF-8 and ends the request.
     *
     * @param data the last of the body
     * @return this request
     */
    public ClientRequest end(String data) {
        return end(data == null ? null : data.getBytes(StandardCharsets.UTF_8));
    }

    private boolean send(byte[] bytes, Runnable done) {
        if (destroyed) return false;
        if (socket == null) {
            pendingOutput.add(bytes);
            if (done != null) afterPendingFlush = done;
            return false;
        }
        return socket.write(bytes, done == null ? null : err -> env.makeCallback(() -> {
            if (err == null) done.run();
        }));
    }

    /** {@return whether {@link #end()} has been called} */
    public boolean writableEnded() {
        return ended;
    }

    /** {@return whether 'finish' has been emitted} */
    public boolean writableFinished() {
        return finished;
    }

    // ---------------------------------------------------------------- the connection

    /** The agent assigned {@code s}: attach, flush what was written, and emit 'socket' on the next tick. */
    void onSocket(Socket s, boolean reused) {
        if (destroyed) {
            agent.socketFree(s, options, false);
            return;
        }
        socket = s;
        reusedSocket = reused;
        parser = new HttpParser(source);
        parser.setHeadResponse(method().equals("HEAD"));
        s.on(Socket.DATA, onData);
        s.on(Socket.END, onEnd);
        s.on(Socket.ERROR, onError);
        s.on(Socket.CLOSE, onClose);
        s.on(Socket.TIMEOUT, onTimeout);
        if (timeoutMs > 0) s.setTimeout(timeoutMs, null);
        Runnable done = afterPendingFlush;
        afterPendingFlush = null;
        for (int i = 0; i < pendingOutput.size(); i++) {
            // end()'s bytes are the last: its 'finish' callback goes with them.
            send(pendingOutput.get(i), i == pendingOutput.size() - 1 ? done : null);
        }
        pendingOutput.clear();
        env.nextTick(() -> {
            if (!destroyed) emit("socket", s);
        });
    }

    /**
     * Emits 'timeout' after {@code ms} of inactivity on the connection; 0 disables. The request is
     * not closed: the listener decides (usually {@link #destroy()}).
     *
     * @param ms milliseconds of inactivity, 0 to disable
     * @param callback added as a 'timeout' listener, or null
     * @return this request
     */
    public ClientRequest setTimeout(long ms, Runnable callback) {
        env.checkThread();
        if (ms < 0) throw new NodeError("ERR_OUT_OF_RANGE", "The value of \"msecs\" is out of range. Received " + ms,
                IllegalArgumentException.class);
        if (callback != null) once("timeout", callback);
        timeoutMs = ms;
        if (socket != null && !released) socket.setTimeout(ms, null);
        return this;
    }

    /** Node's req.abort() (deprecated there): 'abort', then destroy without an error. */
    public void abort() {
        env.checkThread();
        if (aborted) return;
        aborted = true;
        env.nextTick(() -> emit("abort"));
        destroy();
    }

    /** {@return whether the request was aborted} */
    public boolean aborted() {
        return aborted;
    }

    /**
     * Closes the connection; before a response this emits 'error' ECONNRESET "socket hang up" (unless aborted), then 'close'.
     *
     * @return this request
     */
    public ClientRequest destroy() {
        return destroy(null);
    }

    /**
     * {@link #destroy()} reporting {@code error} as the request's 'error'.
     *
     * @param error the error to report
     * @return this request
     */
    public ClientRequest destroy(Throwable error) {
        env.checkThread();
        if (destroyed) return this;
        destroyed = true;
        if (res != null && !responseComplete) res.dump();
        if (socket != null && !released) {
            if (error != null) {
                hadError = true;
                emitSoon("error", error);
            }
            socket.destroy();
        } else if (socket == null) {
            agent.removeRequest(this);
            env.nextTick(() -> {
                if (!aborted && !hadError) {
                    hadError = true;
                    emit("error", error != null ? error : hangUp());
                }
                emitClose();
            });
        }
        return this;
    }

    /** {@return whether the request has been destroyed} */
    public boolean destroyed() {
        return destroyed;
    }

    private void emitSoon(String event, Object arg) {
        env.nextTick(() -> emit(event, arg));
    }

    private static NodeError hangUp() {
        return new NodeError("ECONNRESET", "socket hang up");
    }

    private void emitClose() {
        if (closeEmitted) return;
        closeEmitted = true;
        emit("close");
    }

    private void detach() {
        socket.off(Socket.DATA, onData);
        socket.off(Socket.END, onEnd);
        socket.off(Socket.ERROR, onError);
        socket.off(Socket.CLOSE, onClose);
        socket.off(Socket.TIMEOUT, onTimeout);
        if (timeoutMs > 0) socket.setTimeout(0, null);
    }

    /** The response has been parsed to its end and the request finished: the socket goes back to the agent. */
    private void maybeRelease() {
        if (released || !responseComplete || !finished || destroyed) return;
        released = true;
        detach();
        socket.resume(); // the last chunk may have paused it (body backpressure)
        boolean reusable = agent.keepAlive() && !closeDelimited && !responseConnectionClose
                && (version == HttpVersion.HTTP_1_1 || responseKeepAlive) && !socket.destroyed();
        agent.socketFree(socket, options, reusable);
        env.nextTick(this::emitClose);
    }

    // ---------------------------------------------------------------- socket events

    private void onData(byte[] chunk) {
        if (released) return;
        ByteBuffer buf = ByteBuffer.wrap(chunk);
        while (buf.hasRemaining() && !responseComplete && !destroyed) {
            int before = buf.position();
            parser.parseNext(buf);
            if (!dispatch()) return;
            if (buf.position() == before && !source.sawHeaders && !source.sawMessageEnd) break;
        }
    }

    /** Acts on what the parser reported; returns false if the request is done for. */
    private boolean dispatch() {
        if (source.sawBadMessage != null) {
            HttpException e = source.sawBadMessage;
            source.sawBadMessage = null;
            fail(new NodeError("HPE_INVALID_CONSTANT", "Parse Error: " + e.getReason()));
            return false;
        }
        if (source.sawEarlyEof) {
            source.sawEarlyEof = false;
            fail(new NodeError("HPE_INVALID_CHUNK_SIZE", "Parse Error: Invalid chunked body"));
            return false;
        }
        boolean headers = source.sawHeaders;
        boolean end = source.sawMessageEnd;
        source.sawHeaders = false;
        source.sawMessageEnd = false;
        if (headers && status >= 100 && status < 200 && status != 101) {
            // An interim response: report it and parse the real one.
            if (status == 100) emit("continue");
            else emit("information", status, reason);
            parser.reset();
            parser.setHeadResponse(method().equals("HEAD"));
            return !destroyed;
        }
        if (headers) {
            int v = version == null ? 11 : version.getVersion();
            res = new IncomingMessage(source, status, reason, v / 10, v % 10, raw);
            raw = null;
            closeDelimited = !end && parser.getContentLength() < 0 && !parser.isChunking();
            if (!emit("response", res)) res.dump();
        }
        if (end && res != null) {
            responseComplete = true;
            res.markComplete();
            maybeRelease();
        }
        return !destroyed;
    }

    private void fail(Throwable err) {
        if (hadError) return;
        hadError = true;
        emit("error", err);
        socket.destroy();
    }

    private void onEnd() {
        if (released || responseComplete) return;
        // A close-delimited body ends here; anything else cut short is an error (in onSocketClose).
        parser.atEOF();
        parser.parseNext(ByteBuffer.allocate(0));
        dispatch();
    }

    private void onSocketError(Throwable err) {
        if (released || hadError) return;
        hadError = true;
        emit("error", err);
    }

    private void onSocketClose() {
        if (released) return;
        if (res == null) {
            if (!hadError && !aborted) {
                hadError = true;
                emit("error", hangUp());
            }
        } else if (!responseComplete) {
            res.connectionClosed();
        }
        emitClose();
    }

    // ---------------------------------------------------------------- Jetty's parser callbacks (record only)

    /** The response side: the parser's handler and the response's {@link MessageSource}. */
    private final class Response extends ParserEvents implements HttpParser.ResponseHandler, MessageSource {
        @Override
        public Environment env() {
            return env;
        }

        @Override
        public Socket socket() {
            return socket;
        }

        @Override
        public void bodyBackpressure(boolean pause) {
            if (socket == null || released || socket.destroyed()) return;
            if (pause) socket.pause();
            else socket.resume();
        }

        @Override
        public void startResponse(HttpVersion v, int s, String r) {
            version = v;
            status = s;
            reason = r == null ? "" : r;
            raw = new ArrayList<>(16);
            responseConnectionClose = false;
            responseKeepAlive = false;
        }

        @Override
        public void parsedHeader(HttpField field) {
            String value = field.getValue() == null ? "" : field.getValue();
            if (field.getHeader() == HttpHeader.CONNECTION) {
                if (HttpConnection.hasToken(value, "close")) responseConnectionClose = true;
                if (HttpConnection.hasToken(value, "keep-alive")) responseKeepAlive = true;
            }
            raw.add(field.getName());
            raw.add(value);
        }

        @Override
        public boolean headerComplete() {
            sawHeaders = true;
            return true;
        }

        @Override
        IncomingMessage receiving() {
            return res;
        }
    }
}
