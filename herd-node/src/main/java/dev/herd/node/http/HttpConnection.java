package dev.herd.node.http;

import dev.herd.node.Globals;
import dev.herd.node.NodeError;
import dev.herd.node.Timeout;
import dev.herd.node.internal.Environment;
import dev.herd.node.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

/**
 * One HTTP connection on the server side: what Node's {@code connectionListenerInternal} sets up
 * per socket (the parser, the socket listeners and the per-connection state of
 * {@code _http_server.js}).
 *
 * <p><b>Parsing and pipelining.</b> Bytes from the socket go to Jetty's {@link HttpParser}. Its
 * callbacks only record what they saw; the events ('request', body chunks, the end of a message)
 * are dispatched after {@code parseNext} returns, never with the parser on the stack. Once a
 * request is complete, parsing stops until its response has ended; bytes that arrived meanwhile
 * (pipelined requests) wait in {@link #pending}, and the socket is paused if they pile up. So
 * responses go out strictly in request order with one request in flight per connection, where
 * Node queues responses instead; a client cannot tell the difference.
 *
 * <p><b>Output backpressure.</b> No new request is parsed while the socket's output is above its
 * high-water mark ({@link Socket#writableNeedDrain()}, Node's {@code ws.needDrain} check in
 * {@code parserOnIncoming}): the socket is paused, so it stops reading from the kernel and TCP
 * flow control reaches the client, and parsing resumes on 'drain' ({@code socketOnDrain}). A
 * client that pipelines requests and never reads its answers costs a bounded amount of memory.
 * The check is made only between messages, never in the middle of one.
 *
 * <p><b>Closing.</b> When the server closes ({@link #beginClose}), the connection is marked
 * closing and drains instead of being cut: a request being received or answered, and the
 * pipelined bytes already read ({@link #drainLeft}), are all answered; each response decides
 * keep-alive when it stores its header, and the first one with nothing read before the close
 * left to parse says {@code Connection: close} and ends the connection after it (flush, then FIN).
 * A connection whose last answer told the client to keep the connection stays open for the
 * server's close grace period after that answer is fully written, since a client sending back to
 * back is about to send its next request: that request is answered with {@code Connection: close};
 * if none comes, the connection is closed when the grace runs out. One idle longer is closed at
 * once. Node 20 destroys such a connection at once instead, resetting the client's next request.
 *
 * <p><b>Timers.</b> The keep-alive timeout is one lazily re-armed timeout per connection: ending
 * a response only records when the connection became idle, and the timer, when it fires, checks
 * that time (so a busy keep-alive connection costs no timer work per request). Headers and request
 * timeouts are checked by the server's periodic sweep ({@link #checkTimeouts}), as Node does.
 *
 * <p>Thread rule: the loop thread. Lifetime: the socket's.
 */
final class HttpConnection extends ParserEvents implements HttpParser.RequestHandler, MessageSource {
    /**
     * RFC 9110 parsing, plus what Node's llhttp accepts: field names keep the case they were sent
     * in (where Jetty can), and repeated Host fields are not an error.
     */
    private static final HttpCompliance COMPLIANCE = HttpCompliance.RFC9110.with("herd-node",
            HttpCompliance.Violation.CASE_SENSITIVE_FIELD_NAME, HttpCompliance.Violation.DUPLICATE_HOST_HEADERS);

    private static final byte[] BAD_REQUEST = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER_FIELDS_TOO_LARGE = "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_TIMEOUT = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /** Unparsed bytes kept while a response is pending, past which the socket is paused. */
    private static final int PIPELINE_HIGH_WATER_MARK = 64 * 1024;

    final HttpServer server;
    final Socket socket;
    final Environment env;
    private final HttpParser parser;
    /** The cork buffer responses on this connection build their output in (one response at a time). */
    byte[] scratch = new byte[512];

    /** Bytes received and not yet parsed, or null. */
    private ByteBuffer pending;
    /** What the parser is given when nothing is pending. */
    private final ByteBuffer noBytes = ByteBuffer.allocate(0);
    private boolean driving;
    /** A complete request awaits its response: the parser is not fed. */
    private boolean suspended;
    private boolean pausedForBody;
    private boolean pausedForPipeline;
    /** The socket's output is above its high-water mark: no new request is parsed until 'drain' (Node's socket._paused). */
    private boolean pausedForOutput;
    /** No more requests on this connection: the last response was sent, an error happened, or it closed. */
    private boolean ending;
    private boolean errored;
    private boolean closed;
    /** This side's end() has been called: writes would fail. */
    private boolean outputEnded;

    // The message being parsed.
    /** Loop time when the current message began, for headersTimeout and requestTimeout; -1: idle. */
    private long messageStart;
    private boolean headersDone;
    private String method;
    private String uri;
    private HttpVersion version;
    private ArrayList<String> raw;
    private int fieldCount;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean hasHost;
    private String expect;
    /** The request whose body is being parsed. */
    private IncomingMessage parsing;

    // What the parser reported during the last parseNext.

    // The exchange being answered.
    private IncomingMessage req;
    private ServerResponse res;
    private boolean responded;
    private int requests;
    /** Responses not yet finished, oldest first (Node's state.incoming/outgoing). */
    private final ArrayDeque<ServerResponse> unfinished = new ArrayDeque<>(2);

    /**
     * Loop time when the connection last became idle (no request in progress), or when it was
     * accepted (waiting for its first request); -1 while busy.
     */
    private long idleSince;
    private Timeout keepAliveTimer;

    // Closing with the server (beginClose).
    /** The server is closing: no response after the ones owed keeps the connection alive. */
    private boolean closing;
    /** Bytes read before the close and not yet parsed: the pipelined requests still owed an answer. */
    private long drainLeft;
    /** Loop time the close grace runs from: when the last answer was fully written (or the connection went idle). */
    private long graceFrom;
    private Timeout graceTimer;

    HttpConnection(HttpServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
        this.env = server.env;
        this.parser = new HttpParser(this, server.maxHeaderSize(), COMPLIANCE);
        this.messageStart = now();
        this.idleSince = messageStart;
        if (server.timeout() > 0) socket.setTimeout(server.timeout(), null);
        socket.on(Socket.TIMEOUT, this::onTimeout);
        socket.on(Socket.DATA, this::onData);
        socket.on(Socket.END, this::onEnd);
        socket.on(Socket.ERROR, this::onSocketError);
        socket.on(Socket.CLOSE, hadError -> onClose());
        socket.on(Socket.DRAIN, this::onDrain);
    }

    @Override
    public Environment env() {
        return env;
    }

    @Override
    public Socket socket() {
        return socket;
    }

    /** Fresh loop time (Node uses uv_hrtime here): the cached one may predate a long poll. */
    private long now() {
        env.loop().updateTime();
        return env.loop().now();
    }

    /**
     * No request being received and no response being made: what closeIdleConnections closes.
     * As in Node's (its parser between messages, its response {@code finished}, which end() sets),
     * a response counts as made once ended, even while its bytes are still going out, and
     * pipelined bytes not parsed yet do not count (they wait only while the output is above its
     * mark, where Node would have parsed them and queued their answers). So a client that sends
     * back to back is idle as soon as its answer is written, whenever close() comes.
     */
    boolean isIdle() {
        return messageStart < 0 && req == null;
    }

    // ---------------------------------------------------------------- input

    private void onData(byte[] chunk) {
        if (ending) return; // after the last response or an error, input is ignored
        idleSince = -1;
        if (pending == null || !pending.hasRemaining()) {
            pending = ByteBuffer.wrap(chunk);
        } else {
            ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + chunk.length);
            joined.put(pending).put(chunk).flip();
            pending = joined;
        }
        if (suspended || pausedForOutput) {
            if (pending.remaining() > PIPELINE_HIGH_WATER_MARK && !pausedForPipeline) {
                pausedForPipeline = true;
                socket.pause();
            }
            return;
        }
        // Between messages, a full output stops parsing (a message under way goes on).
        if (messageStart < 0 && socket.writableNeedDrain()) {
            pauseForOutput();
            return;
        }
        drive();
    }

    /** Parses what is pending until a request needs its response, the bytes run out, or the connection ends. */
    private void drive() {
        if (driving) return; // a response ended inside a 'request' listener: the loop below goes on
        driving = true;
        try {
            while (!suspended && !ending && !pausedForOutput) {
                ByteBuffer buf = pending != null ? pending : noBytes;
                // The parser goes on without bytes too: after headerComplete returns, a message
                // without a body is completed by the next call. But never start a new message on
                // nothing (Jetty would report messageBegin).
                if (!buf.hasRemaining() && parser.getState() == HttpParser.State.START) break;
                int before = buf.position();
                boolean handled = parser.parseNext(buf);
                if (drainLeft > 0) drainLeft -= buf.position() - before;
                dispatch();
                if (!handled && buf.position() == before) break;
            }
            if (pending != null && !pending.hasRemaining()) pending = null;
        } finally {
            driving = false;
        }
    }

    /** Acts on what the parser reported: a bad message, a new request, the end of a message. */
    private void dispatch() {
        if (sawBadMessage != null) {
            HttpException e = sawBadMessage;
            sawBadMessage = null;
            if (e.getCode() == 400 && "No Host".equals(e.getReason()) && version == HttpVersion.HTTP_1_1 && raw != null) {
                noHostRequest();
            } else {
                clientError(parseError(e.getCode(), e.getReason()));
            }
            return;
        }
        if (sawEarlyEof) {
            sawEarlyEof = false;
            // Jetty reports any error in a body this way; with Content-Length framing only EOF can
            // cut a body short (onEnd), so this is chunked coding gone wrong.
            clientError(new NodeError("HPE_INVALID_CHUNK_SIZE", "Parse Error: Invalid chunked body"));
            return;
        }
        boolean messageEnd = sawMessageEnd;
        sawMessageEnd = false;
        IncomingMessage r = parsing;
        if (sawHeaders) {
            sawHeaders = false;
            try {
                startExchange(r);
            } finally {
                if (messageEnd) completeMessage(r);
            }
        } else if (messageEnd && r != null) {
            completeMessage(r);
        }
    }

    /**
     * An HTTP/1.1 request without Host: Jetty's parser rejects it at the end of the header (and
     * cannot go on), where Node's llhttp accepts it and the server answers. So the request is
     * made from what was parsed: with requireHostHeader (the default) it gets Node's own answer,
     * a 400 response with {@code Connection: close}; without, it is emitted with an empty body
     * and the connection closes after the response.
     */
    private void noHostRequest() {
        pending = null;
        headersDone = true;
        connectionClose = true; // the parser is done for: this is the last request
        IncomingMessage r = new IncomingMessage(this, method, uri, 1, 1, raw);
        raw = null;
        suspended = true;
        try {
            startExchange(r);
        } finally {
            ending = true;
            completeMessage(r);
        }
    }

    private void completeMessage(IncomingMessage r) {
        parsing = null;
        messageStart = -1;
        r.markComplete();
        if (r == req && responded) nextRequest();
        else suspended = true;
    }

    /** Node's parserOnIncoming: make the response and emit 'request' (or answer it ourselves). */
    private void startExchange(IncomingMessage r) {
        ServerResponse rs = new ServerResponse(this, r);
        r.response = rs;
        req = r;
        res = rs;
        responded = false;
        unfinished.add(rs);
        int major = r.httpVersionMajor();
        int minor = r.httpVersionMinor();
        rs.shouldKeepAlive = major > 1 || major == 1 && minor >= 1 ? !connectionClose : connectionKeepAlive;
        if (major == 1 && minor == 1) {
            // RFC 9110 7.2: an HTTP/1.1 request without Host is answered 400.
            if (server.requireHostHeader() && !hasHost) {
                rs.writeHeadInternal(400, null, java.util.List.of("Connection", "close"));
                rs.end();
                return;
            }
            int max = server.maxRequestsPerSocket();
            if (max > 0) {
                requests++;
                rs.maxRequestsOnConnectionReached = max <= requests;
                if (max < requests) {
                    server.emit("dropRequest", r, socket);
                    rs.writeHead(503);
                    rs.end();
                    return;
                }
            }
            if (expect != null) {
                if (hasToken(expect, "100-continue")) {
                    rs.expectContinue = true;
                    if (server.listenerCount("checkContinue") > 0) {
                        server.emitRequest("checkContinue", r, rs);
                    } else {
                        rs.writeContinue();
                        server.emitRequest("request", r, rs);
                    }
                } else if (server.listenerCount("checkExpectation") > 0) {
                    server.emitRequest("checkExpectation", r, rs);
                } else {
                    rs.writeHead(417);
                    rs.end();
                }
                return;
            }
        }
        server.emitRequest("request", r, rs);
    }

    /** The response has ended (all of it is queued): the next request may be parsed. */
    void responseEnded(ServerResponse rs) {
        if (rs != res) return;
        responded = true;
        if (rs.last) {
            // Node's destroySoon: end after the queued writes, destroy once finished.
            ending = true;
            endOutput();
            return;
        }
        if (req.complete) nextRequest();
    }

    private void endOutput() {
        if (outputEnded || closed) return;
        outputEnded = true;
        socket.once(Socket.FINISH, socket::destroy);
        socket.end();
    }

    /** The exchange is over: reset the parser and go on with pipelined bytes, or become idle. */
    private void nextRequest() {
        req = null;
        res = null;
        responded = false;
        suspended = false;
        if (ending) return;
        parser.reset();
        if (pausedForPipeline) {
            pausedForPipeline = false;
            resumeSocket();
        }
        if (pending != null && pending.hasRemaining()) {
            if (socket.writableNeedDrain()) {
                pauseForOutput(); // drive() stops too, if this is inside it
            } else if (!driving) {
                // Not from inside the caller's res.end(): the next 'request' comes on the next tick.
                env.nextTick(this::drive);
            }
        } else {
            becomeIdle();
            if (closing) {
                // The answer told the client to keep the connection: the grace runs from when it is written.
                graceFrom = idleSince;
                endIfIdleWhileClosing();
            }
        }
    }

    /** Node's {@code socket._paused = true; socket.pause()} in parserOnIncoming. */
    private void pauseForOutput() {
        pausedForOutput = true;
        socket.pause();
    }

    /** Resumes the socket unless something else still holds it paused. */
    private void resumeSocket() {
        if (!pausedForBody && !pausedForPipeline && !pausedForOutput) socket.resume();
    }

    void responseFinished(ServerResponse rs) {
        unfinished.remove(rs);
        if (closing && unfinished.isEmpty()) {
            graceFrom = now(); // the client has had all of its answers only now
            endIfIdleWhileClosing();
        }
    }

    // ---------------------------------------------------------------- closing with the server

    /**
     * The server is closing (its close(), or a cluster worker's disconnect): answer what is owed,
     * then end. Requests being received or answered and the pipelined bytes already read are
     * answered (the last with {@code Connection: close}, see {@link #lastBeforeClose}); a
     * connection between requests is closed now if it has been idle for the grace period, else
     * when the grace runs out unless a request comes first.
     */
    void beginClose() {
        if (closing || ending || closed) return;
        closing = true;
        drainLeft = pending != null ? pending.remaining() : 0;
        graceFrom = idleSince >= 0 ? idleSince : now();
        endIfIdleWhileClosing();
    }

    /**
     * Whether the response being made is the last one of a closing connection: nothing read before
     * the close is left to parse behind its request. A request whose body is still being parsed
     * counts as nothing left (the body is read anyway, and the bytes left may all be its own).
     * Asked when the response stores its header.
     */
    boolean lastBeforeClose() {
        return closing && (drainLeft <= 0 || req == null || !parsedWhole(req));
    }

    /**
     * Whether all of {@code r}'s bytes have been parsed. 'request' comes before a request is
     * marked complete, and a request without a body ends in the parser's next call, so the
     * parser's state says it: done, or at a body there is none of.
     */
    private boolean parsedWhole(IncomingMessage r) {
        if (r.complete) return true;
        HttpParser.State st = parser.getState();
        return st == HttpParser.State.END || st == HttpParser.State.CONTENT && !parser.hasContent();
    }

    /** No request being received or answered, and nothing buffered to parse. */
    private boolean betweenRequests() {
        return req == null && parser.getState() == HttpParser.State.START && (pending == null || !pending.hasRemaining());
    }

    /**
     * A closing connection between requests ends once its last answer is written and the grace
     * period since then has run out; until then a request that comes is answered (with
     * {@code Connection: close}). A request in progress ends the connection through its response.
     */
    private void endIfIdleWhileClosing() {
        if (!closing || ending || closed || !betweenRequests() || !unfinished.isEmpty()) return;
        long left = graceFrom + server.closeGracePeriod() - now();
        if (left > 0) {
            if (graceTimer == null || !graceTimer.isActive()) {
                graceTimer = Globals.setTimeout(this::endIfIdleWhileClosing, left);
                graceTimer.unref();
            }
            return;
        }
        ending = true;
        // Every answer has been written (unfinished is empty): nothing is cut short.
        socket.destroy();
    }

    // ---------------------------------------------------------------- output

    /** Writes {@code data} unless this side has ended or the socket is gone; returns the socket's backpressure answer. */
    boolean writeRaw(byte[] data, Consumer<Throwable> callback) {
        if (closed || outputEnded || socket.destroyed()) return false; // Node drops writes on a destroyed socket
        return socket.write(data, callback);
    }

    /** Node's socketOnDrain: resume parsing if the output had stopped it, then tell the response. */
    private void onDrain() {
        ServerResponse rs = res != null ? res : unfinished.peekLast();
        if (pausedForOutput && !closed) {
            pausedForOutput = false;
            resumeSocket();
            if (pending != null && pending.hasRemaining()) drive();
        }
        if (rs != null) rs.onDrain();
    }

    /** An IncomingMessage's buffer crossed its high-water mark (or drained): pause or resume the socket. */
    @Override
    public void bodyBackpressure(boolean pause) {
        if (pause == pausedForBody || closed) return;
        pausedForBody = pause;
        if (pause) socket.pause();
        else resumeSocket();
    }

    // ---------------------------------------------------------------- timeouts

    private void becomeIdle() {
        idleSince = now();
        long ms = server.keepAliveTimeout();
        if (ms > 0 && (keepAliveTimer == null || !keepAliveTimer.isActive())) {
            keepAliveTimer = Globals.setTimeout(this::checkKeepAlive, ms + HttpServer.KEEP_ALIVE_TIMEOUT_BUFFER);
            keepAliveTimer.unref();
        }
    }

    /**
     * The keep-alive timer fired: close the connection if it has been idle for keepAliveTimeout
     * (plus Node's one-second buffer), else re-arm for the rest of that time. A busy connection
     * is re-armed when it next becomes idle.
     */
    private void checkKeepAlive() {
        if (closed || ending || idleSince < 0) return;
        long ms = server.keepAliveTimeout();
        if (ms == 0) return;
        long due = idleSince + ms + HttpServer.KEEP_ALIVE_TIMEOUT_BUFFER;
        long left = due - now();
        if (left <= 0) {
            onTimeout();
        } else {
            keepAliveTimer = Globals.setTimeout(this::checkKeepAlive, left);
            keepAliveTimer.unref();
        }
    }

    /** Node's socketOnTimeout: 'timeout' on the request, the response and the server, else destroy. */
    private void onTimeout() {
        boolean reqTimeout = req != null && !req.complete && req.emit("timeout", socket);
        boolean resTimeout = res != null && res.emit("timeout", socket);
        boolean serverTimeout = server.emit("timeout", socket);
        if (!reqTimeout && !resTimeout && !serverTimeout) socket.destroy();
    }

    /** The server's sweep (Node's checkConnections): a request too slow to arrive gets 408. */
    void checkTimeouts(long now, long headersTimeout, long requestTimeout) {
        if (messageStart < 0 || ending) return;
        long age = now - messageStart;
        if (!headersDone && headersTimeout > 0 && age > headersTimeout || requestTimeout > 0 && age > requestTimeout) {
            clientError(new NodeError("ERR_HTTP_REQUEST_TIMEOUT", "Request timeout"));
        }
    }

    // ---------------------------------------------------------------- errors and the end of the connection

    /**
     * Node's socketOnError: 'clientError' (error, socket) if the server has listeners (they own the
     * socket now), else the matching 400/431/408 response, unless some of a response was already
     * sent, and destroy.
     */
    private void clientError(Throwable err) {
        if (errored) return;
        errored = true;
        ending = true;
        suspended = true;
        pending = null;
        if (server.emit("clientError", err, socket)) return;
        if (!closed && !outputEnded && !socket.destroyed() && (res == null || !res.headerSent())) {
            String code = err instanceof NodeError ne ? ne.code() : "";
            socket.write(switch (code) {
                case "HPE_HEADER_OVERFLOW" -> HEADER_FIELDS_TOO_LARGE.clone();
                case "ERR_HTTP_REQUEST_TIMEOUT" -> REQUEST_TIMEOUT.clone();
                default -> BAD_REQUEST.clone();
            });
        }
        socket.destroy(err);
    }

    private void onSocketError(Throwable err) {
        clientError(err);
    }

    /** Node's socketOnEnd: a message cut short is a parse error; otherwise end our side too. */
    private void onEnd() {
        if (errored) return;
        HttpParser.State st = parser.getState();
        boolean midMessage = !suspended && st != HttpParser.State.START && st != HttpParser.State.END
                && st != HttpParser.State.CLOSE && st != HttpParser.State.CLOSED;
        if (midMessage) {
            clientError(new NodeError("HPE_INVALID_EOF_STATE", "Parse Error: Invalid EOF state"));
            return;
        }
        ending = true;
        pending = null;
        endOutput();
    }

    /** Node's socketOnClose: requests and responses still in progress are aborted. */
    private void onClose() {
        closed = true;
        ending = true;
        pending = null;
        if (keepAliveTimer != null) {
            Globals.clearTimeout(keepAliveTimer);
            keepAliveTimer = null;
        }
        if (graceTimer != null) {
            Globals.clearTimeout(graceTimer);
            graceTimer = null;
        }
        ServerResponse rs;
        while ((rs = unfinished.poll()) != null) rs.connectionClosed();
        if (parsing != null && parsing != req) parsing.connectionClosed();
        parsing = null;
        req = null;
        res = null;
    }

    private NodeError parseError(int status, String reason) {
        if (status == 431 || status == 414) return new NodeError("HPE_HEADER_OVERFLOW", "Parse Error: Header overflow");
        String why = reason == null ? "" : reason.toLowerCase(java.util.Locale.ROOT);
        String code;
        if (status == 505 || why.contains("version")) code = "HPE_INVALID_VERSION";
        else if (why.contains("content-length") || why.contains("content length")) code = "HPE_UNEXPECTED_CONTENT_LENGTH";
        else if (status == 501 || why.contains("transfer-encoding") || why.contains("transfer encoding")) {
            code = "HPE_INVALID_TRANSFER_ENCODING";
        } else if (version == null && method == null) code = "HPE_INVALID_METHOD";
        else if (version == null || why.contains("uri")) code = "HPE_INVALID_URL";
        else code = "HPE_INVALID_HEADER_TOKEN";
        return new NodeError(code, "Parse Error: " + (reason == null ? "Bad Request" : reason));
    }

    // ---------------------------------------------------------------- Jetty's parser callbacks (record only)

    @Override
    public void messageBegin() {
        messageStart = now();
        headersDone = false;
        method = null;
        uri = null;
        version = null;
        raw = new ArrayList<>(16);
        fieldCount = 0;
        connectionClose = false;
        connectionKeepAlive = false;
        hasHost = false;
        expect = null;
    }

    @Override
    public void startRequest(String method, String uri, HttpVersion version) {
        if (raw == null) messageBegin();
        this.method = method;
        this.uri = uri;
        this.version = version;
    }

    @Override
    public void parsedHeader(HttpField field) {
        HttpHeader h = field.getHeader();
        String value = field.getValue();
        if (value == null) value = "";
        if (h == HttpHeader.CONNECTION) {
            // llhttp decides keep-alive from every Connection field, even ones past maxHeadersCount.
            if (hasToken(value, "close")) connectionClose = true;
            if (hasToken(value, "keep-alive")) connectionKeepAlive = true;
        }
        int max = server.maxHeadersCount();
        if (max > 0 && fieldCount >= max) return;
        fieldCount++;
        raw.add(field.getName());
        raw.add(value);
        if (h == HttpHeader.HOST) hasHost = true;
        else if (h == HttpHeader.EXPECT) expect = expect == null ? value : expect + ", " + value;
    }

    @Override
    public boolean headerComplete() {
        headersDone = true;
        sawHeaders = true;
        int v = version == null ? 11 : version.getVersion();
        parsing = new IncomingMessage(this, method, uri, v / 10, v % 10, raw);
        raw = null;
        return true; // dispatch 'request' before the body is parsed
    }

    @Override
    IncomingMessage receiving() {
        return parsing;
    }

    // ---------------------------------------------------------------- helpers

    /** Whether the comma-separated {@code value} has {@code token} as a whole word, ignoring case (Node's /(?:^|\W)token(?:$|\W)/i). */
    static boolean hasToken(String value, String token) {
        int n = token.length();
        for (int i = 0; i + n <= value.length(); i++) {
            if (value.regionMatches(true, i, token, 0, n)
                    && (i == 0 || !isWordChar(value.charAt(i - 1)))
                    && (i + n == value.length() || !isWordChar(value.charAt(i + n)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }
}
