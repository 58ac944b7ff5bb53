package dev.herd.node.http;

import dev.herd.node.Event;
import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.node.json.Json;
import dev.herd.node.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Node's {@code http.ServerResponse}: the answer to one {@link IncomingMessage}, written on the
 * connection in request order.
 *
 * <p><b>Headers.</b> {@link #setHeader}/{@link #getHeader}/{@link #removeHeader} work until the
 * header is stored — by {@link #writeHead}, or implicitly by the first {@link #write} or
 * {@link #end} — after which {@link #headersSent()} is true. A value is a String, a Number, or a
 * Collection/array of them (one header line per element). Node's defaults are added after the
 * user's headers, in Node's order: {@code Date} (formatted once per second, unless
 * {@link #setSendDate} false or a Date header is set), then {@code Connection: keep-alive} with
 * {@code Keep-Alive: timeout=N} for a persistent connection, or {@code Connection: close}, then
 * the framing: {@code Content-Length} when {@code end(data)} stores the header (no write or
 * writeHead before it; the whole response is then one socket write), otherwise
 * {@code Transfer-Encoding: chunked} on HTTP/1.1
 * (ended by the 0-chunk) and a close-delimited body on HTTP/1.0. Responses to HEAD and 204/304/1xx
 * responses have no body: what is written is dropped.
 *
 * <p><b>Writing.</b> Writes made in one tick go out together (Node corks the socket until the next
 * tick); {@link #end} writes at once. {@link #write} returns false once the socket holds
 * {@link Socket#HIGH_WATER_MARK} bytes or more; 'drain' follows. Events: 'finish' when the last
 * byte is handed to the kernel, then 'close' on the next tick (only if someone listens for it by
 * then); 'close' alone if the connection closes first; 'drain'; 'error' for a write after end.
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: one request.
 */
public class ServerResponse extends OutgoingMessage {
    /** 'finish': the last byte of the response was handed to the kernel. */
    public static final Event<Runnable> FINISH = Event.of(ServerResponse.class, "finish");
    /** 'close': after 'finish', or the connection closed first. */
    public static final Event<Runnable> CLOSE = Event.of(ServerResponse.class, "close");
    /** 'drain': the connection's write buffer emptied after {@link #write} returned false. */
    public static final Event<Runnable> DRAIN = Event.of(ServerResponse.class, "drain");
    /** 'timeout' (the connection's socket): the connection was idle while the response was being made. */
    public static final Event<Consumer<Socket>> TIMEOUT = Event.of(ServerResponse.class, "timeout", Socket.class);

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING_CHUNKED = "Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    /** "HTTP/1.1 200 OK\r\n" and the like, for every status code with a standard reason phrase. */
    private static final byte[][] STATUS_LINES = new byte[1000][];

    static {
        Http.STATUS_CODES.forEach((code, reason) -> STATUS_LINES[code] =
                ("HTTP/1.1 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    private final HttpConnection connection;
    private final Environment env;
    private final IncomingMessage req;

    private int statusCode = 200;
    private String statusMessage;
    private boolean sendDate = true;

    // Node's OutgoingMessage/ServerResponse flags, under Node's names.
    private boolean hasBody = true;
    boolean shouldKeepAlive = true;
    private boolean useChunkedEncodingByDefault = true;
    /** Close the connection after this response (Node's _last). */
    boolean last;
    private boolean chunkedEncoding;
    /** Node's _contentLength: -1 for null. */
    private long contentLength = -1;
    private boolean removedConnection;
    private boolean removedContLen;
    private boolean removedTE;
    private boolean defaultKeepAlive = true;
    boolean expectContinue;
    private boolean sent100;
    boolean maxRequestsOnConnectionReached;

    /** The header is built (Node's _header): headers can no longer change. */
    private boolean headerStored;
    /** Some of the response has been handed to the socket (Node's _headerSent). */
    private boolean headerSent;
    private boolean finished;
    private boolean writableFinished;
    private boolean destroyed;
    private boolean closeEmitted;
    private boolean needDrain;
    /** Writes made in this tick wait in the output buffer (the cork) until the next tick flushes them. */
    private boolean flushScheduled;

    ServerResponse(HttpConnection connection, IncomingMessage req) {
        super(connection.scratch, true); // the connection's reusable buffer
        this.connection = connection;
        this.env = connection.env;
        this.req = req;
        if ("HEAD".equals(req.method())) hasBody = false;
        if (req.httpVersionMajor() < 1 || req.httpVersionMinor() < 1) {
            String te = req.headers().get("te");
            useChunkedEncodingByDefault = te != null && HttpConnection.hasToken(te, "chunked");
            shouldKeepAlive = false;
        }
    }

    // ---------------------------------------------------------------- status

    /** {@return the status code the implicit header sends (default 200)} */
    public int statusCode() {
        return statusCode;
    }

    /**
     * Sets the status code sent by the implicit header (first write or end).
     *
     * @param code the status code
     * @return this response
     */
    public ServerResponse setStatusCode(int code) {
        statusCode = code;
        return this;
    }

    /**
     * {@return the reason phrase; null until set or until the header is stored (then Node's standard one)}
     */
    public String statusMessage() {
        return statusMessage;
    }

    /**
     * Sets the reason phrase sent by the implicit header.
     *
     * @param message the reason phrase
     * @return this response
     */
    public ServerResponse setStatusMessage(String message) {
        statusMessage = message;
        return this;
    }

    /** {@return whether a Date header is added (default true)} */
    public boolean sendDate() {
        return sendDate;
    }

    /**
     * Sets whether a Date header is added.
     *
     * @param send whether to add it
     * @return this response
     */
    public ServerResponse setSendDate(boolean send) {
        sendDate = send;
        return this;
    }

    // ---------------------------------------------------------------- headers

    /**
     * Sets a header, replacing one of the same name (any case). {@code value} is a String, a
     * Number, or a Collection or array of them for a repeated header.
     *
     * @param name the header's name
     * @param value its value
     * @return this response
     * @throws NodeError ERR_HTTP_HEADERS_SENT once the header is stored; ERR_INVALID_HTTP_TOKEN for a
     *     bad name; ERR_HTTP_INVALID_HEADER_VALUE for null; ERR_INVALID_CHAR for CR, LF or other
     *     control characters in the value
     */
    public ServerResponse setHeader(String name, Object value) {
        env.checkThread();
        if (headerStored) throw headersSentError("set");
        putField(name, value);
        return this;
    }

    /**
     * The value given to setHeader for {@code name} (any case), or null.
     *
     * @param name the header's name
     * @return its value, or null
     */
    public Object getHeader(String name) {
        Field f = findField(name);
        return f == null ? null : f.value();
    }

    /**
     * {@return whether a header named {@code name} (any case) is set}
     *
     * @param name the header's name
     */
    public boolean hasHeader(String name) {
        return findField(name) != null;
    }

    /**
     * Removes a header; removing Connection, Content-Length, Transfer-Encoding or Date also drops Node's default for it.
     *
     * @param name the header's name
     * @return this response
     */
    public ServerResponse removeHeader(String name) {
        env.checkThread();
        if (headerStored) throw headersSentError("remove");
        String lower = name.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "connection" -> removedConnection = true;
            case "content-length" -> removedContLen = true;
            case "transfer-encoding" -> removedTE = true;
            case "date" -> sendDate = false;
            default -> {}
        }
        removeField(lower);
        return this;
    }

    /** {@return the lower-case names of the headers set, in order} */
    public List<String> getHeaderNames() {
        return fieldNames();
    }

    /** {@return lower-case names to the values set, in order} */
    public Map<String, Object> getHeaders() {
        return fieldMap();
    }

    /** {@return whether the header has been stored (Node's headersSent: true from writeHead on)} */
    public boolean headersSent() {
        return headerStored;
    }

    // ---------------------------------------------------------------- writeHead

    /**
     * {@link #writeHead(int, String, Map)} with the standard reason phrase and no extra headers.
     *
     * @param statusCode the status code
     * @return this response
     */
    public ServerResponse writeHead(int statusCode) {
        return writeHeadInternal(statusCode, null, null);
    }

    /**
     * {@link #writeHead(int, String, Map)} with no extra headers.
     *
     * @param statusCode the status code
     * @param statusMessage the reason phrase
     * @return this response
     */
    public ServerResponse writeHead(int statusCode, String statusMessage) {
        return writeHeadInternal(statusCode, statusMessage, null);
    }

    /**
     * {@link #writeHead(int, String, Map)} with the standard reason phrase.
     *
     * @param statusCode the status code
     * @param headers header fields
     * @return this response
     */
    public ServerResponse writeHead(int statusCode, Map<String, ?> headers) {
        return writeHeadInternal(statusCode, null, headers);
    }

    /**
     * Stores the status line and header (Node's writeHead): {@code headers} are merged over those
     * given to setHeader. Nothing is written yet: the header goes out with the first body bytes,
     * or at end.
     *
     * @param statusCode the status code
     * @param statusMessage the reason phrase, or null for the standard one
     * @param headers header fields, or null
     * @return this response
     * @throws NodeError ERR_HTTP_HEADERS_SENT if the header is already stored;
     *     ERR_HTTP_INVALID_STATUS_CODE outside 100..999
     */
    public ServerResponse writeHead(int statusCode, String statusMessage, Map<String, ?> headers) {
        return writeHeadInternal(statusCode, statusMessage, headers);
    }

    /** {@code headers}: null, a Map, or a List of name, value, name, value, ... */
    ServerResponse writeHeadInternal(int code, String reason, Object headers) {
        env.checkThread();
        if (headerStored) throw headersSentError("write");
        if (code < 100 || code > 999) {
            throw new NodeError("ERR_HTTP_INVALID_STATUS_CODE", "Invalid status code: " + code, IllegalArgumentException.class);
        }
        if (reason != null) {
            statusMessage = reason;
        } else if (statusMessage == null) {
            statusMessage = Http.STATUS_CODES.getOrDefault(code, "unknown");
        }
        statusCode = code;
        List<Object> direct = null; // name, value pairs given to writeHead when setHeader was never used
        if (headers instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String k = String.valueOf(e.getKey());
                if (k.isEmpty()) continue;
                if (fields != null) {
                    setHeader(k, e.getValue());
                } else {
                    validateHeaderName(k);
                    validateHeaderValue(k, e.getValue());
                    if (direct == null) direct = new ArrayList<>();
                    direct.add(k);
                    direct.add(e.getValue());
                }
            }
        } else if (headers instanceof List<?> pairs) {
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                String k = String.valueOf(pairs.get(i));
                if (fields != null) {
                    setHeader(k, pairs.get(i + 1));
                } else {
                    validateHeaderName(k);
                    validateHeaderValue(k, pairs.get(i + 1));
                    if (direct == null) direct = new ArrayList<>();
                    direct.add(k);
                    direct.add(pairs.get(i + 1));
                }
            }
        }
        if (checkInvalidHeaderChar(statusMessage)) {
            throw new NodeError("ERR_INVALID_CHAR", "Invalid character in statusMessage", IllegalArgumentException.class);
        }
        if (code == 204 || code == 304 || code < 200) hasBody = false;
        // Don't keep alive a connection whose client expects 100 Continue but got a final status:
        // it may put the body on the wire anyway.
        if (expectContinue && !sent100) shouldKeepAlive = false;
        storeHeader(code, direct);
        return this;
    }

    /** Node's _storeHeader: the status line, the user's headers, then Node's defaults, into the cork buffer. */
    private void storeHeader(int code, List<Object> direct) {
        boolean stateConnection = false;
        boolean stateContLen = false;
        boolean stateTE = false;
        boolean stateDate = false;
        boolean stateExpect = false;
        boolean stateTrailer = false;

        appendStatusLine(code);
        int nFields = fields != null ? fields.size() : direct != null ? direct.size() / 2 : 0;
        for (int i = 0; i < nFields; i++) {
            String name;
            Object value;
            if (fields != null) {
                Field f = fields.get(i);
                name = f.name();
                value = f.value();
            } else {
                name = (String) direct.get(2 * i);
                value = direct.get(2 * i + 1);
            }
            String firstValue = appendHeader(name, value);
            // Node's matchHeader: the fields that change the framing or the connection.
            if (name.length() < 4 || name.length() > 17) continue;
            switch (name.toLowerCase(Locale.ROOT)) {
                case "connection" -> {
                    stateConnection = true;
                    removedConnection = false;
                    if (HttpConnection.hasToken(firstValue, "close")) last = true;
                    else shouldKeepAlive = true;
                }
                case "transfer-encoding" -> {
                    stateTE = true;
                    removedTE = false;
                    if (HttpConnection.hasToken(firstValue, "chunked")) chunkedEncoding = true;
                }
                case "content-length" -> {
                    stateContLen = true;
                    removedContLen = false;
                    try {
                        contentLength = Long.parseLong(firstValue.trim());
                    } catch (NumberFormatException e) {
                        contentLength = -1;
                    }
                }
                case "date" -> stateDate = true;
                case "expect" -> stateExpect = true;
                case "trailer" -> stateTrailer = true;
                case "keep-alive" -> defaultKeepAlive = false;
                default -> {}
            }
        }

        if (sendDate && !stateDate) append(HttpDate.line());

        // A chunked 204/304 would confuse proxies: no zero chunk, and the connection closes.
        if (chunkedEncoding && (statusCode == 204 || statusCode == 304)) {
            chunkedEncoding = false;
            shouldKeepAlive = false;
        }

        // After the server's close, the last response owed on the connection closes it.
        boolean lastBeforeClose = connection.lastBeforeClose();
        if (lastBeforeClose) shouldKeepAlive = false;
        if (removedConnection) {
            last = !shouldKeepAlive;
        } else if (!stateConnection) {
            boolean shouldSendKeepAlive = shouldKeepAlive && (stateContLen || useChunkedEncodingByDefault);
            if (shouldSendKeepAlive && maxRequestsOnConnectionReached) {
                append(CONNECTION_CLOSE);
            } else if (shouldSendKeepAlive) {
                append(defaultKeepAlive ? connection.server.keepAliveLines() : HttpServer.CONNECTION_KEEP_ALIVE);
            } else {
                last = true;
                append(CONNECTION_CLOSE);
            }
        }

        if (!stateContLen && !stateTE) {
            if (!hasBody) {
                chunkedEncoding = false;
            } else if (!useChunkedEncodingByDefault) {
                last = true;
            } else if (!stateTrailer && !removedContLen && contentLength >= 0) {
                append(CONTENT_LENGTH);
                appendLong(contentLength);
                append(CRLF);
            } else if (!removedTE) {
                append(TRANSFER_ENCODING_CHUNKED);
                chunkedEncoding = true;
            } else {
                last = true; // neither length nor chunking: the body ends when the connection does
            }
        }
        if (lastBeforeClose) last = true; // even if the caller's own Connection header says keep-alive
        if (!chunkedEncoding && stateTrailer) {
            throw new NodeError("ERR_HTTP_TRAILER_INVALID", "Trailers are invalid with this transfer encoding");
        }
        append(CRLF);
        headerStored = true;
        // Sent at once when the client expects 100-continue: it waits for an answer.
        if (stateExpect) flush(null);
    }

    private void appendStatusLine(int code) {
        String standard = Http.STATUS_CODES.get(code);
        if (standard != null && standard.equals(statusMessage)) {
            append(STATUS_LINES[code]);
        } else {
            appendLatin1("HTTP/1.1 " + code + " " + statusMessage + "\r\n");
        }
    }

    // ---------------------------------------------------------------- the body

    /**
     * Writes a String as UTF-8; see {@link #write(byte[])}.
     *
     * @param chunk the text
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(String chunk) {
        return write(chunk.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes a String encoded with {@code charset}; see {@link #write(byte[])}.
     *
     * @param chunk the text
     * @param charset the charset
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(String chunk, Charset charset) {
        return write(chunk.getBytes(charset));
    }

    /**
     * Writes body bytes (not copied if large: leave {@code chunk} alone afterwards), storing the
     * implicit header first. Returns false when the socket holds {@link Socket#HIGH_WATER_MARK}
     * bytes or more; 'drain' follows. A write after {@link #end} emits 'error'
     * (ERR_STREAM_WRITE_AFTER_END) on the next tick; on a response without a body it is ignored.
     *
     * @param chunk the bytes
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(byte[] chunk) {
        env.checkThread();
        if (chunk == null) throw new NodeError("ERR_STREAM_NULL_VALUES", "May not write null values to stream",
                IllegalArgumentException.class);
        if (finished) {
            writeAfterEnd();
            return false;
        }
        if (destroyed) return false;
        if (!headerStored) writeHeadInternal(statusCode, null, null);
        if (!hasBody) return true; // Node: "This type of response MUST NOT have a body."
        appendBody(chunk, chunkedEncoding);
        if (!flushScheduled) {
            flushScheduled = true;
            env.nextTick(this::flushCork);
        }
        boolean ok = connection.socket.writableLength() + pendingBytes() < Socket.HIGH_WATER_MARK;
        if (!ok) needDrain = true;
        return ok;
    }

    private void writeAfterEnd() {
        NodeError e = new NodeError("ERR_STREAM_WRITE_AFTER_END", "write after end");
        env.nextTick(() -> {
            if (!destroyed) emit("error", e);
        });
    }

    /**
     * {@link #end(byte[])} with a String written as UTF-8.
     *
     * @param data the last of the body
     * @return this response
     */
    public ServerResponse end(String data) {
        return end(data == null ? null : data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes {@code data} (may be null) and finishes the response. Without earlier writes the
     * header gets {@code Content-Length} and the whole response goes out in one socket write.
     *
     * @param data the last of the body, or null
     * @return this response
     */
    public ServerResponse end(byte[] data) {
        env.checkThread();
        if (finished) {
            if (data != null) writeAfterEnd();
            return this;
        }
        if (!headerStored) {
            contentLength = data == null ? 0 : data.length;
            writeHeadInternal(statusCode, null, null);
        }
        if (data != null && hasBody) appendBody(data, chunkedEncoding);
        if (hasBody && chunkedEncoding) append(LAST_CHUNK);
        finished = true;
        flush(this::onFinishWrite);
        connection.responseEnded(this);
        return this;
    }

    /**
     * Finishes the response.
     *
     * @return this response
     */
    public ServerResponse end() {
        return end((byte[]) null);
    }

    /**
     * {@link #end()} with a callback for 'finish'.
     *
     * @param callback added as a 'finish' listener
     * @return this response
     */
    public ServerResponse end(Runnable callback) {
        if (callback != null && !finished) once("finish", callback);
        return end((byte[]) null);
    }

    /**
     * Answers with {@code value} as JSON: the status, {@code Content-Type: application/json;
     * charset=utf-8}, and the body written by Herd's JSON writer (what {@code JSON.stringify} gives,
     * see {@link Json}) with its {@code Content-Length}, in one socket write; then the response is
     * finished. Headers set before are kept. A value JSON.stringify makes undefined (a function,
     * {@code Undefined}) gives an empty body. Not Node's API: the convenience a Java user expects.
     *
     * @param status the status code
     * @param value a value of the value model (Map, List, String, Number, Boolean, null, a record
     *     implementing {@code ToJson}, ...)
     * @return this response
     * @throws NodeError ERR_HTTP_HEADERS_SENT once the header is stored
     * @throws dev.herd.node.value.SerializationException for a value JSON.stringify rejects (a cycle,
     *     a BigInt); nothing is sent then
     */
    public ServerResponse json(int status, Object value) {
        env.checkThread();
        if (headerStored) throw headersSentError("set");
        byte[] body = Json.stringifyUtf8(value);
        setStatusCode(status);
        setHeader("Content-Type", "application/json; charset=utf-8");
        return end(body == null ? new byte[0] : body);
    }

    /** The server this response's connection belongs to (readBody's error boundary). */
    HttpServer connectionServer() {
        return connection.server;
    }

    /** Sends the stored header now (storing the implicit one first), before any body. */
    public void flushHeaders() {
        env.checkThread();
        if (!headerStored) writeHeadInternal(statusCode, null, null);
        flush(null);
    }

    /** Sends {@code HTTP/1.1 100 Continue} now (the answer to {@code Expect: 100-continue}). */
    public void writeContinue() {
        env.checkThread();
        sent100 = true;
        connection.writeRaw(CONTINUE.clone(), null);
    }

    // ---------------------------------------------------------------- state

    /** {@return whether {@link #end} has been called (Node's writableEnded)} */
    public boolean writableEnded() {
        return finished;
    }

    /** {@return whether 'finish' has been emitted: everything is with the kernel} */
    public boolean writableFinished() {
        return writableFinished;
    }

    /** {@return the bytes written but not yet taken by the socket's kernel buffer (this response's share)} */
    public long writableLength() {
        return pendingBytes() + connection.socket.writableLength();
    }

    /** {@return whether the caller should wait for 'drain' before writing more} */
    public boolean writableNeedDrain() {
        return needDrain;
    }

    /** {@return whether the response has been destroyed} */
    public boolean destroyed() {
        return destroyed;
    }

    /** {@return the request this answers} */
    public IncomingMessage req() {
        return req;
    }

    /** {@return the connection's socket} */
    public Socket socket() {
        return connection.socket;
    }

    /**
     * Sets the socket's inactivity timeout (see {@link Socket#setTimeout}); {@code callback} listens for 'timeout' here.
     *
     * @param ms the timeout in ms, 0 to disable
     * @param callback added as a 'timeout' listener here, or null
     * @return this response
     */
    public ServerResponse setTimeout(long ms, Runnable callback) {
        env.checkThread();
        if (callback != null) on("timeout", callback);
        connection.socket.setTimeout(ms, null);
        return this;
    }

    /**
     * Closes the connection now (Node's res.destroy()).
     *
     * @return this response
     */
    public ServerResponse destroy() {
        env.checkThread();
        connection.socket.destroy();
        return this;
    }

    // ---------------------------------------------------------------- output

    private void flushCork() {
        flushScheduled = false;
        if (!finished) flush(null);
    }

    /**
     * Hands the corked bytes to the socket: one write for the cork buffer (a copy, since the
     * buffer is reused), one per large chunk queued behind it; {@code callback} on the last.
     */
    private void flush(Consumer<Throwable> callback) {
        List<byte[]> out = takeOutput();
        if (out == null) {
            if (callback != null) env.nextTick(() -> callback.accept(null));
            return;
        }
        headerSent = true;
        boolean ok = true;
        for (int i = 0; i < out.size(); i++) {
            ok = connection.writeRaw(out.get(i), i == out.size() - 1 ? callback : null);
        }
        if (needDrain && ok) {
            // The socket took it all without reaching its mark, so it will not emit 'drain'.
            env.nextTick(this::onDrain);
        }
    }

    void onDrain() {
        if (needDrain && !finished && !destroyed) {
            needDrain = false;
            emit("drain");
        }
    }

    /** The write callback of end's flush: Node's onFinish then resOnFinish. */
    private void onFinishWrite(Throwable err) {
        if (err != null || writableFinished) return;
        writableFinished = true;
        emit("finish");
        connection.responseFinished(this);
        req.responseFinished();
        if (listenerCount("close") > 0) env.nextTick(this::emitClose);
        else closeEmitted = true;
    }

    /** The connection closed before this response finished. */
    void connectionClosed() {
        destroyed = true;
        req.connectionClosed();
        emitClose();
    }

    private void emitClose() {
        if (closeEmitted) return;
        closeEmitted = true;
        emit("close");
    }

    boolean headerSent() {
        return headerSent;
    }

    /** Keeps a grown output buffer on the connection for its next response, unless it grew large. */
    @Override
    void bufferGrown(byte[] grown) {
        if (grown.length <= COPY_LIMIT * 2) connection.scratch = grown;
    }
}
