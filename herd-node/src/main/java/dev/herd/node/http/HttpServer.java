package dev.herd.node.http;

import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.Globals;
import dev.herd.node.NodeError;
import dev.herd.node.Timeout;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.http.HttpWarmup;
import dev.herd.node.internal.net.NetAccess;
import dev.herd.node.net.AddressInfo;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Node's {@code http.Server}: an HTTP/1.1 server on a {@link Server net.Server}. Each request is
 * emitted as 'request' with an {@link IncomingMessage} and a {@link ServerResponse}; connections
 * are kept alive and may pipeline, responses go out in request order. No new request of a
 * connection is parsed while its answers wait unsent above the socket's high-water mark (the
 * socket stops reading, so a client that never reads is held by TCP flow control), as in Node.
 *
 * <p>Events: 'request' (req, res), 'connection' (a {@link Socket}), 'listening', 'close',
 * 'error' (from listen), 'clientError' (error, socket) for a request that cannot be parsed or
 * timed out — without a listener the server answers 400 (431 for oversized headers, 408 for a
 * timeout) with {@code Connection: close} and destroys the socket —, 'checkContinue' (req, res) for
 * {@code Expect: 100-continue} (without a listener the server writes {@code 100 Continue} and emits
 * 'request'), 'checkExpectation' (req, res) for any other expectation (else 417), 'dropRequest'
 * (req, socket) past {@link #maxRequestsPerSocket()}, and 'timeout' (socket) for
 * {@link #setTimeout}.
 *
 * <p><b>A request listener that throws ends the process.</b> That is Node's default and Herd's: an
 * exception thrown by a 'request' listener (or by a listener of its request's events) is an uncaught
 * exception, so without a {@code process.on('uncaughtException')} listener the process exits with
 * code 1 — every connection it holds is cut, and in a cluster the primary sees the worker die. For
 * a server that should answer 500 and live on, turn on the per-request error boundary
 * ({@link #setErrorBoundary setErrorBoundary(true)}): an exception thrown synchronously by the
 * 'request', 'checkContinue' or 'checkExpectation' listeners, or by a
 * {@link IncomingMessage#readBody readBody} callback, then answers
 * {@code 500 Internal Server Error} (or destroys the connection when the response had begun) and
 * is emitted as 'requestError' (error, req, res) — printed to stderr when nobody listens. Code that
 * runs later on its own (a timer, another emitter's listener) is outside the boundary.
 *
 * <p>Limits, with Node's defaults: {@link #keepAliveTimeout()} 5000 ms, {@link #headersTimeout()}
 * 60000 ms, {@link #requestTimeout()} 300000 ms (both checked every
 * {@link #connectionsCheckingInterval()}, 30000 ms), {@link #maxHeadersCount()} 2000,
 * {@link #maxRequestsPerSocket()} 0 (no limit), {@link #maxHeaderSize()} 16 KiB.
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: until 'close'.
 */
public class HttpServer extends EventEmitter {
    /** 'request' (the request, its response). */
    public static final Event<RequestListener> REQUEST = requestEvent("request");
    /** 'checkContinue' (the request, its response): a request with {@code Expect: 100-continue}. */
    public static final Event<RequestListener> CHECK_CONTINUE = requestEvent("checkContinue");
    /** 'checkExpectation' (the request, its response): a request with another {@code Expect}. */
    public static final Event<RequestListener> CHECK_EXPECTATION = requestEvent("checkExpectation");
    /** 'connection' (the connection's socket). */
    public static final Event<Consumer<Socket>> CONNECTION = Event.of(HttpServer.class, "connection", Socket.class);
    /** 'listening': the server is bound and listening. */
    public static final Event<Runnable> LISTENING = Event.of(HttpServer.class, "listening");
    /** 'close': the server closed and every connection has ended. */
    public static final Event<Runnable> CLOSE = Event.of(HttpServer.class, "close");
    /** 'clientError' (the error, the connection's socket): a request that cannot be parsed, or timed out. */
    public static final Event<BiConsumer<Throwable, Socket>> CLIENT_ERROR = Event.of(HttpServer.class, "clientError",
            Throwable.class, Socket.class);
    /** 'dropRequest' (the request, the connection's socket): a request past {@link #maxRequestsPerSocket()}. */
    public static final Event<BiConsumer<IncomingMessage, Socket>> DROP_REQUEST = Event.of(HttpServer.class,
            "dropRequest", IncomingMessage.class, Socket.class);
    /**
     * 'requestError' (the error, the request, its response): under the {@linkplain #setErrorBoundary
     * error boundary}, a request listener threw and the request was answered 500 (Herd's event, not
     * Node's).
     */
    public static final Event<Event.Listener3<Throwable, IncomingMessage, ServerResponse>> REQUEST_ERROR = Event.of(
            HttpServer.class, "requestError", Throwable.class, IncomingMessage.class, ServerResponse.class);
    /** 'timeout' (the idle connection's socket), for {@link #setTimeout}. */
    public static final Event<Consumer<Socket>> TIMEOUT = Event.of(HttpServer.class, "timeout", Socket.class);

    /** Node's HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER: idle sockets close this long after the advertised timeout. */
    static final long KEEP_ALIVE_TIMEOUT_BUFFER = 1000;
    /**
     * How long, by default, a closing server keeps a connection whose last answer said keep-alive
     * open for the client's next request (see {@link #closeGracePeriod()}). A client sending back
     * to back sends it one round trip after the answer: well under this on a LAN, and within it
     * for any reasonable link; and a stop still ends within a second when clients go quiet.
     */
    public static final long DEFAULT_CLOSE_GRACE_PERIOD = 1000;
    /** The {@code Connection: keep-alive} line alone (a user-set Keep-Alive header replaces ours). */
    static final byte[] CONNECTION_KEEP_ALIVE = "Connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);

    final Environment env;
    private final Server server;
    private final Set<HttpConnection> connections = new LinkedHashSet<>();
    private Timeout connectionsCheck;

    private long keepAliveTimeout = 5000;
    private long headersTimeout = 60_000;
    private long requestTimeout = 300_000;
    private long connectionsCheckingInterval = 30_000;
    private long timeout;
    private int maxHeadersCount = 2000;
    private int maxRequestsPerSocket;
    private int maxHeaderSize = Http.MAX_HEADER_SIZE;
    private boolean requireHostHeader = true;
    private boolean noDelay = true;
    private long closeGracePeriod = DEFAULT_CLOSE_GRACE_PERIOD;
    private boolean errorBoundary;
    /** close() has run and the server has not listened again: every connection drains and ends. */
    private boolean closing;
    /** {@code Connection: keep-alive} and {@code Keep-Alive: timeout=N[, max=M]} lines, rebuilt when the limits change. */
    private byte[] keepAliveLines;

    private static Event<RequestListener> requestEvent(String name) {
        return Event.of(HttpServer.class, name, new Class<?>[] {IncomingMessage.class, ServerResponse.class},
                key -> l -> a -> l.onRequest(key.arg(a, 0, IncomingMessage.class), key.arg(a, 1, ServerResponse.class)));
    }

    /**
     * A server that emits 'request' to {@code requestListener} (may be null).
     *
     * @param requestListener gets each request and its response, or null
     */
    @SuppressWarnings("this-escape") // the listeners registered here run only once the loop runs
    public HttpServer(RequestListener requestListener) {
        this.env = Environment.current();
        env.checkThread();
        // Node's http.Server is a net.Server with allowHalfOpen: the HTTP layer decides what a
        // client's end means (socketOnEnd).
        this.server = new Server(true, this::onConnection);
        if (requestListener != null) {
            on(REQUEST, requestListener);
        }
        server.on(Server.LISTENING, () -> {
            closing = false;
            startConnectionsCheck();
            emit("listening");
        });
        server.on(Server.CLOSE, () -> emit("close"));
        // However the net.Server gets closed (here, or by a cluster worker's disconnect), every
        // connection answers what it owes and ends (see close).
        NetAccess.get().beforeClose(server, () -> {
            closing = true;
            for (HttpConnection c : new ArrayList<>(connections)) c.beginClose();
            stopConnectionsCheck();
        });
        server.on("error", a -> emit("error", a));
        rebuildKeepAliveLines();
    }

    // ---------------------------------------------------------------- listening and closing

    /**
     * Listens on {@code host:port} as {@link Server#listen(int, String, int, Runnable)} does (port
     * 0: any free port; host null: every address; backlog ≤ 0: 511). In a process warming up its
     * HTTP path (a cluster worker does while it starts, unless {@code HERD_HTTP_WARMUP=0}), the
     * server listens once that is over, so 'listening' means it answers at full speed.
     *
     * @param port the port, 0 for any free one
     * @param host the address, or null for every address
     * @param backlog the longest queue of pending connections; 0 or less for 511
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public HttpServer listen(int port, String host, int backlog, Runnable listeningListener) {
        env.checkThread();
        if (listeningListener != null) once("listening", listeningListener);
        HttpWarmup.listenWhenWarm(env, () -> server.listen(port, host, backlog, null));
        return this;
    }

    /**
     * Listens on {@code host:port}.
     *
     * @param port the port, 0 for any free one
     * @param host the address, or null for every address
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public HttpServer listen(int port, String host, Runnable listeningListener) {
        return listen(port, host, 0, listeningListener);
    }

    /**
     * Listens on {@code port} on every address.
     *
     * @param port the port, 0 for any free one
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public HttpServer listen(int port, Runnable listeningListener) {
        return listen(port, null, 0, listeningListener);
    }

    /**
     * Listens on {@code port} on every address.
     *
     * @param port the port, 0 for any free one
     * @return this server
     */
    public HttpServer listen(int port) {
        return listen(port, null, 0, null);
    }

    /**
     * Listens on the Unix socket at {@code path}.
     *
     * @param path the socket's path
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public HttpServer listen(String path, Runnable listeningListener) {
        env.checkThread();
        if (listeningListener != null) once("listening", listeningListener);
        HttpWarmup.listenWhenWarm(env, () -> server.listen(path, null));
        return this;
    }

    /**
     * Listens on the socket named {@code name} that this process was started with by socket
     * activation, as {@link Server#listenActivated(String, Runnable)} does; a name with no socket
     * ends in 'error'. Waits for the HTTP warm-up as {@link #listen(int, String, int, Runnable)}
     * does.
     *
     * @param name the socket's name in {@code LISTEN_FDNAMES} (Herd's manager: {@code "8000"},
     *     {@code "127.0.0.1_8000"})
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public HttpServer listenActivated(String name, Runnable listeningListener) {
        env.checkThread();
        if (listeningListener != null) once("listening", listeningListener);
        HttpWarmup.listenWhenWarm(env, () -> server.listenActivated(name, null));
        return this;
    }

    /**
     * Stops accepting connections and ends every connection gracefully, dropping no request a
     * client has sent: 'close' (and {@code callback} with null) follows once all have closed. A
     * server that is not listening calls back with ERR_SERVER_NOT_RUNNING. A cluster worker's
     * disconnect closes its servers the same way.
     *
     * <ul>
     *   <li>A connection receiving or answering a request, or with pipelined requests already
     *       read, answers them all; the last answer carries {@code Connection: close}, and the
     *       connection ends after it is written (flush, then FIN). An answer whose header already
     *       said keep-alive is never cut short.
     *   <li>A connection between requests whose last answer (keep-alive) was written less than
     *       {@link #closeGracePeriod()} ago stays open for the rest of that period, since a client
     *       sending back to back is about to send again: a request that comes is answered with
     *       {@code Connection: close}; if none comes, the connection is closed when the period
     *       runs out.
     *   <li>A connection idle for longer is closed at once.
     * </ul>
     *
     * <p>This differs from Node on purpose. Node 20's close() destroys at once every connection
     * between requests (its {@link #closeIdleConnections()}), which resets the next request of a
     * keep-alive client that sends back to back, a known cause of failed requests during rolling
     * restarts; and it keeps serving a busy connection with keep-alive until that connection goes
     * idle on its own. Herd answers that next request with {@code Connection: close} instead, and
     * a busy connection's next answer ends it, so a stop ends promptly while clients still send.
     * Call {@link #closeIdleConnections()} or {@link #closeAllConnections()} after close() for
     * Node's harder ends.
     *
     * @param callback gets null once closed, or the error; may be null
     * @return this server
     */
    public HttpServer close(Consumer<Throwable> callback) {
        env.checkThread();
        server.close(callback); // closes the idle connections first (beforeClose)
        return this;
    }

    /**
     * {@link #close(Consumer)} with no callback.
     *
     * @return this server
     */
    public HttpServer close() {
        return close(null);
    }

    /** Destroys every connection, busy or not (Node's closeAllConnections). */
    public void closeAllConnections() {
        env.checkThread();
        for (HttpConnection c : new ArrayList<>(connections)) c.socket.destroy();
    }

    /**
     * Destroys at once every connection that is not receiving a request and whose response, if
     * any, has ended (Node's closeIdleConnections, with Node's meaning): a keep-alive client that
     * sends its requests back to back is idle whenever its last answer has been written, so its
     * next request may be reset. As in Node, an ended response whose bytes have not all reached
     * the kernel yet is cut short, and a response not yet ended keeps its connection open (until
     * it closes by itself: keep-alive timeout, the client, or {@link #closeAllConnections()}).
     * {@link #close} does not call this: it ends idle connections gracefully.
     */
    public void closeIdleConnections() {
        env.checkThread();
        for (HttpConnection c : new ArrayList<>(connections)) {
            if (c.isIdle()) c.socket.destroy();
        }
    }

    /** {@return whether the server is listening} */
    public boolean listening() {
        return server.listening();
    }

    /** {@return the bound address, or null (see {@link Server#address()})} */
    public AddressInfo address() {
        return server.address();
    }

    /** {@return the net.Server underneath (Node's http.Server is one)} */
    public Server netServer() {
        return server;
    }

    /**
     * Lets the server keep the process alive again (the default).
     *
     * @return this server
     */
    public HttpServer ref() {
        server.ref();
        return this;
    }

    /**
     * Lets the process exit while the server listens.
     *
     * @return this server
     */
    public HttpServer unref() {
        server.unref();
        return this;
    }

    // ---------------------------------------------------------------- connections

    private void onConnection(Socket socket) {
        if (noDelay) socket.setNoDelay(true);
        HttpConnection c = new HttpConnection(this, socket);
        connections.add(c);
        socket.on(Socket.CLOSE, hadError -> connections.remove(c));
        emit("connection", socket);
        // One handed over by a cluster primary after close(): serve its first request, then end.
        if (closing) c.beginClose();
    }

    private void startConnectionsCheck() {
        stopConnectionsCheck();
        if (connectionsCheckingInterval <= 0) return;
        connectionsCheck = Globals.setInterval(this::checkConnections, connectionsCheckingInterval);
        connectionsCheck.unref();
    }

    private void stopConnectionsCheck() {
        if (connectionsCheck != null) {
            Globals.clearInterval(connectionsCheck);
            connectionsCheck = null;
        }
    }

    /** Node's checkConnections: requests whose headers or whole message are overdue get 408. */
    private void checkConnections() {
        if (headersTimeout == 0 && requestTimeout == 0) return;
        env.loop().updateTime();
        long now = env.loop().now();
        for (HttpConnection c : new ArrayList<>(connections)) c.checkTimeouts(now, headersTimeout, requestTimeout);
    }

    // ---------------------------------------------------------------- limits and options

    /** {@return how long an idle persistent connection stays open after a response, in ms (0: no limit)} */
    public long keepAliveTimeout() {
        return keepAliveTimeout;
    }

    /**
     * Sets {@link #keepAliveTimeout()}.
     *
     * @param ms the timeout in ms, 0 for none
     * @return this server
     */
    public HttpServer setKeepAliveTimeout(long ms) {
        keepAliveTimeout = nonNegative("keepAliveTimeout", ms);
        rebuildKeepAliveLines();
        return this;
    }

    /** {@return how long a client may take to send the request line and headers, in ms (0: no limit)} */
    public long headersTimeout() {
        return headersTimeout;
    }

    /**
     * Sets {@link #headersTimeout()}.
     *
     * @param ms the timeout in ms, 0 for none
     * @return this server
     */
    public HttpServer setHeadersTimeout(long ms) {
        headersTimeout = nonNegative("headersTimeout", ms);
        return this;
    }

    /** {@return how long a client may take to send a whole request, in ms (0: no limit)} */
    public long requestTimeout() {
        return requestTimeout;
    }

    /**
     * Sets {@link #requestTimeout()}.
     *
     * @param ms the timeout in ms, 0 for none
     * @return this server
     */
    public HttpServer setRequestTimeout(long ms) {
        requestTimeout = nonNegative("requestTimeout", ms);
        return this;
    }

    /** {@return how often headersTimeout and requestTimeout are checked, in ms; takes effect at listen} */
    public long connectionsCheckingInterval() {
        return connectionsCheckingInterval;
    }

    /**
     * Sets {@link #connectionsCheckingInterval()}.
     *
     * @param ms the interval in ms
     * @return this server
     */
    public HttpServer setConnectionsCheckingInterval(long ms) {
        connectionsCheckingInterval = nonNegative("connectionsCheckingInterval", ms);
        if (connectionsCheck != null) startConnectionsCheck();
        return this;
    }

    /** {@return the header fields reported per request beyond which the rest are dropped (0: no limit)} */
    public int maxHeadersCount() {
        return maxHeadersCount;
    }

    /**
     * Sets {@link #maxHeadersCount()}.
     *
     * @param count the most header fields, 0 for no limit
     * @return this server
     */
    public HttpServer setMaxHeadersCount(int count) {
        maxHeadersCount = (int) nonNegative("maxHeadersCount", count);
        return this;
    }

    /**
     * Requests served per connection; the last response says {@code Connection: close}, later ones get 503 (0: no limit).
     *
     * @return the most requests per connection
     */
    public int maxRequestsPerSocket() {
        return maxRequestsPerSocket;
    }

    /**
     * Sets {@link #maxRequestsPerSocket()}.
     *
     * @param max the most requests per connection, 0 for no limit
     * @return this server
     */
    public HttpServer setMaxRequestsPerSocket(int max) {
        maxRequestsPerSocket = (int) nonNegative("maxRequestsPerSocket", max);
        rebuildKeepAliveLines();
        return this;
    }

    /**
     * The most bytes the request line and headers may take; beyond it the answer is 431. For new connections.
     *
     * @return the most bytes
     */
    public int maxHeaderSize() {
        return maxHeaderSize;
    }

    /**
     * Sets {@link #maxHeaderSize()}.
     *
     * @param bytes the most bytes
     * @return this server
     */
    public HttpServer setMaxHeaderSize(int bytes) {
        if (bytes <= 0) throw outOfRange("maxHeaderSize", bytes);
        maxHeaderSize = bytes;
        return this;
    }

    /** {@return whether an HTTP/1.1 request without a Host header is answered 400 (Node's default: true)} */
    public boolean requireHostHeader() {
        return requireHostHeader;
    }

    /**
     * Sets {@link #requireHostHeader()}.
     *
     * @param require whether to answer 400 without a Host header
     * @return this server
     */
    public HttpServer setRequireHostHeader(boolean require) {
        requireHostHeader = require;
        return this;
    }

    /**
     * How long, in ms, {@link #close} keeps a connection open after its last keep-alive answer
     * was written, for the next request of a client sending back to back (default
     * {@link #DEFAULT_CLOSE_GRACE_PERIOD}); 0 closes idle connections at once, as Node does,
     * while busy ones still end gracefully. The keep-alive timeout still applies. Herd's own: Node
     * has no such setting.
     *
     * @return the grace period, in ms
     */
    public long closeGracePeriod() {
        return closeGracePeriod;
    }

    /**
     * Sets {@link #closeGracePeriod()}.
     *
     * @param ms the grace period, in ms; 0 closes idle connections at once
     * @return this server
     */
    public HttpServer setCloseGracePeriod(long ms) {
        closeGracePeriod = nonNegative("closeGracePeriod", ms);
        return this;
    }

    /** {@return whether the per-request error boundary is on (off by default: see the class comment)} */
    public boolean errorBoundary() {
        return errorBoundary;
    }

    /**
     * Turns the per-request error boundary on or off. Off (Node's behaviour, the default), an
     * exception thrown by a request listener is uncaught and ends the process. On, an exception
     * thrown synchronously by a 'request', 'checkContinue' or 'checkExpectation' listener or a
     * {@link IncomingMessage#readBody readBody} callback answers {@code 500 Internal Server Error}
     * (headers set by the listener are dropped; a response already begun has its connection
     * destroyed instead) and is emitted as 'requestError' (error, req, res), or printed to stderr
     * when nobody listens; the process lives on. An {@link Error} (out of memory, ...) is never
     * caught.
     *
     * @param on whether to catch request listeners' exceptions
     * @return this server
     */
    public HttpServer setErrorBoundary(boolean on) {
        env.checkThread();
        errorBoundary = on;
        return this;
    }

    /** Emits a request event ('request', 'checkContinue', 'checkExpectation') under the error boundary if it is on. */
    void emitRequest(String event, IncomingMessage req, ServerResponse res) {
        if (!errorBoundary) {
            emit(event, req, res);
            return;
        }
        guard(req, res, () -> emit(event, req, res));
    }

    /** Runs {@code code} for {@code req} under the error boundary if it is on. */
    void guard(IncomingMessage req, ServerResponse res, Runnable code) {
        if (!errorBoundary) {
            code.run();
            return;
        }
        try {
            code.run();
        } catch (RuntimeException e) {
            requestFailed(e, req, res);
        }
    }

    private void requestFailed(RuntimeException e, IncomingMessage req, ServerResponse res) {
        if (!res.headersSent()) {
            for (String name : res.getHeaderNames()) res.removeHeader(name);
            res.setStatusCode(500);
            res.end(Http.STATUS_CODES.get(500));
        } else if (!res.writableEnded()) {
            res.destroy();
        }
        if (!emit("requestError", e, req, res)) {
            System.err.println("herd: a request listener threw (answered 500; the error boundary is on): "
                    + req.method() + " " + req.url());
            e.printStackTrace();
        }
    }

    /**
     * Whether accepted sockets get TCP_NODELAY (Node's default: true).
     *
     * @param noDelay whether to set TCP_NODELAY
     * @return this server
     */
    public HttpServer setNoDelay(boolean noDelay) {
        this.noDelay = noDelay;
        return this;
    }

    /** {@return the socket inactivity timeout, in ms (Node's server.timeout; 0, the default: none)} */
    public long timeout() {
        return timeout;
    }

    /**
     * Sets {@link #timeout()}; {@code callback} (may be null) becomes a 'timeout' listener.
     *
     * @param ms the timeout in ms, 0 for none
     * @param callback added as a 'timeout' listener, or null
     * @return this server
     */
    public HttpServer setTimeout(long ms, Runnable callback) {
        timeout = nonNegative("msecs", ms);
        if (callback != null) on("timeout", callback);
        return this;
    }

    private static long nonNegative(String name, long value) {
        if (value < 0) throw outOfRange(name, value);
        return value;
    }

    private static NodeError outOfRange(String name, long value) {
        return new NodeError("ERR_OUT_OF_RANGE", "The value of \"" + name + "\" is out of range. It must be >= 0. Received "
                + value, IllegalArgumentException.class);
    }

    private void rebuildKeepAliveLines() {
        StringBuilder sb = new StringBuilder("Connection: keep-alive\r\n");
        if (keepAliveTimeout != 0) {
            sb.append("Keep-Alive: timeout=").append(keepAliveTimeout / 1000);
            if (maxRequestsPerSocket > 0) sb.append(", max=").append(maxRequestsPerSocket);
            sb.append("\r\n");
        }
        keepAliveLines = sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code Connection: keep-alive} plus, unless disabled, the {@code Keep-Alive} line. */
    byte[] keepAliveLines() {
        return keepAliveLines;
    }

}
