package dev.herd.node.net;

import dev.herd.io.Dns;
import dev.herd.io.Pipe;
import dev.herd.io.Stream;
import dev.herd.io.Tcp;
import dev.herd.loop.Timer;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.stream.Encoding;
import dev.herd.node.internal.stream.ReadableState;
import dev.herd.node.internal.stream.StringDecoder;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.SockAddr;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Node's {@code net.Socket}: a TCP or Unix-socket connection as a duplex stream with Node's
 * events — 'connect', 'ready', 'data' (a {@code byte[]}, or a {@code String} after
 * {@link #setEncoding}), 'end', 'finish', 'drain', 'timeout', 'error' (an {@link ErrnoException}
 * with Node's code, syscall, address and port) and 'close' (whether it closed because of an
 * error).
 *
 * <p>Reading follows Node's readable stream: data is buffered until a 'data' listener is added or
 * {@link #resume()} is called, and reading stops while {@link #HIGH_WATER_MARK} bytes wait in the
 * buffer. Writing follows Node's writable stream: {@link #write} returns false once
 * {@link #writableLength()} reaches the high-water mark, and 'drain' follows when it is written
 * out. {@link #end()} half-closes after queued writes; without {@code allowHalfOpen} a socket
 * whose peer ended ends too, and the socket is destroyed ('close') once both directions are done.
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: until 'close'.
 */
public class Socket extends EventEmitter {
    /** Node's default highWaterMark for sockets, in bytes. */
    public static final int HIGH_WATER_MARK = 16 * 1024;

    /** 'lookup' (error or null, address, family 4 or 6, host): the host name of a connect was resolved. */
    public static final Event<Event.Listener4<Throwable, String, Integer, String>> LOOKUP = Event.of(Socket.class, "lookup",
            Throwable.class, String.class, Integer.class, String.class);
    /** 'connect': the connection is established. */
    public static final Event<Runnable> CONNECT = Event.of(Socket.class, "connect");
    /** 'ready': right after 'connect'. */
    public static final Event<Runnable> READY = Event.of(Socket.class, "ready");
    /** 'data' (a chunk): bytes received, on a socket without an encoding ({@link #setEncoding}). */
    public static final Event<Consumer<byte[]>> DATA = Event.of(Socket.class, "data", byte[].class);
    /** 'data' (a String) on a socket with an encoding: the same event as {@link #DATA}, decoded. */
    public static final Event<Consumer<String>> DATA_STRING = Event.of(Socket.class, "data", String.class);
    /** 'end': the peer ended its side; no more 'data'. */
    public static final Event<Runnable> END = Event.of(Socket.class, "end");
    /** 'finish': {@link #end()} has flushed everything and half-closed this side. */
    public static final Event<Runnable> FINISH = Event.of(Socket.class, "finish");
    /** 'drain': the write buffer emptied after {@link #write} returned false. */
    public static final Event<Runnable> DRAIN = Event.of(Socket.class, "drain");
    /** 'timeout': idle for {@link #setTimeout}'s time; the socket stays open. */
    public static final Event<Runnable> TIMEOUT = Event.of(Socket.class, "timeout");
    /** 'close' (whether it closed because of an error): the socket is closed; the last event. */
    public static final Event<Consumer<Boolean>> CLOSE = Event.of(Socket.class, "close", Boolean.class);

    final Environment env;
    private Stream handle;
    private final boolean allowHalfOpen;
    Server server;

    private boolean connecting;
    private boolean destroyed;
    private boolean closed;
    /** The readable side: flowing or paused, the read buffer, setEncoding's decoder, 'data' and 'end'. */
    private final Readable readable = new Readable();

    private boolean writableEnded;
    private boolean shutdownStarted;
    private boolean finished;
    private long writableLength;
    private boolean needDrain;
    private final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>();
    private Runnable afterConnectEnd;

    private long bytesRead;
    private long bytesWritten;
    private String remoteAddress;
    private String remoteFamily;
    private int remotePort = -1;
    private boolean peerKnown;

    private Timer idleTimer;
    private long timeoutMs;

    private record PendingWrite(byte[] data, Consumer<Throwable> callback) {}

    /** An unconnected socket; call {@link #connect}. */
    public Socket() {
        this(false);
    }

    /**
     * An unconnected socket; with {@code allowHalfOpen} it does not end when the peer ends.
     *
     * @param allowHalfOpen whether the socket stays writable after the peer ends
     */
    public Socket(boolean allowHalfOpen) {
        this.env = Environment.current();
        env.checkThread();
        this.allowHalfOpen = allowHalfOpen;
    }

    /** A socket over a connected stream (the server side of an accepted connection). */
    Socket(Environment env, Stream handle, boolean allowHalfOpen) {
        this.env = env;
        this.allowHalfOpen = allowHalfOpen;
        attach(handle);
        startReading();
    }

    /**
     * A socket over a stream that is already open (Node's {@code new net.Socket({handle, readable,
     * writable})}): a child process's stdio pipe. The socket owns the handle from now on. A side
     * that is not {@code readable} is ended from the start (no read, no 'end'), one that is not
     * {@code writable} finished; with neither left, the socket is destroyed when the other side
     * is done. Reading starts at once when readable.
     *
     * @param handle the open stream, which the socket now owns
     * @param readable whether it is read from
     * @param writable whether it is written to
     */
    public Socket(Stream handle, boolean readable, boolean writable) {
        this.env = Environment.current();
        env.checkThread();
        this.allowHalfOpen = false;
        if (!readable) this.readable.endSilently();
        if (!writable) {
            writableEnded = true;
            shutdownStarted = true;
            finished = true;
        }
        attach(java.util.Objects.requireNonNull(handle, "handle"));
        startReading();
    }

    /**
     * A socket over an already connected stream (Node's {@code new net.Socket({handle})}): how a
     * socket received over an IPC channel becomes a Socket. It reads at once.
     *
     * @param connected the connected stream, which the socket now owns
     * @return the socket
     */
    public static Socket adopt(Stream connected) {
        Environment env = Environment.current();
        env.checkThread();
        return new Socket(env, connected, false);
    }

    /**
     * {@return the server that accepted this socket (Node's {@code socket.server}), or null for a client socket}
     */
    public Server server() {
        return server;
    }

    /**
     * {@return the stream under this socket (Node's {@code _handle}), or null before connecting or after it was let go}
     */
    public Stream handle() {
        return handle;
    }

    /** Lets go of the stream without closing it, to send it to another process (see NetAccess.detachHandle). */
    Stream detachHandle() {
        env.checkThread();
        Stream h = handle;
        if (h == null || destroyed) return null;
        if (h.isReading()) h.readStop();
        if (idleTimer != null) idleTimer.close();
        handle = null;
        destroyed = true;
        closed = true;
        if (server != null) server.connectionLeft(); // no 'close' will come from this socket
        return h;
    }

    private void attach(Stream h) {
        this.handle = h;
    }

    /**
     * Node's {@code _getpeername}: the peer's address is asked for on first use and kept, so a
     * socket nobody asks about costs no getpeername. Before that, with no handle any more
     * (destroyed, or sent to another process) or while connecting, it is unknown (Node: undefined);
     * a failed query (a reset connection) is tried again on the next use.
     */
    private void fetchPeer() {
        if (peerKnown || connecting || destroyed || !(handle instanceof Tcp tcp)) return;
        try {
            SockAddr peer = tcp.getpeername();
            remoteAddress = peer.address();
            remoteFamily = peer.family();
            remotePort = peer.port();
            peerKnown = true;
        } catch (ErrnoException e) {
            // not connected, or already reset: Node leaves the fields undefined
        }
    }

    // ---------------------------------------------------------------- connecting

    /**
     * Connects to {@code host:port} (a name is looked up first; host null means 'localhost').
     *
     * @param port the port
     * @param host the host, or null for localhost
     * @param connectListener runs once connected, or null
     * @return this socket
     */
    public Socket connect(int port, String host, Runnable connectListener) {
        env.checkThread();
        if (port < 0 || port > 65535) {
            throw new NodeError("ERR_SOCKET_BAD_PORT", "Port should be >= 0 and < 65536. Received " + port + ".",
                    IllegalArgumentException.class);
        }
        checkNotStarted();
        if (connectListener != null) once("connect", connectListener);
        String h = host == null ? "localhost" : host;
        connecting = true;
        // Node resolves through dns.lookup (getaddrinfo on the work pool), then connects to the
        // first address; 'lookup' reports the outcome.
        Dns.lookup(env.loop(), h, (err, addrs) -> env.makeCallback(() -> {
            if (destroyed) return;
            if (err != null) {
                emit("lookup", err, null, null, h);
                destroy(err);
                return;
            }
            Dns.Address first = addrs.get(0);
            emit("lookup", null, first.address(), first.family(), h);
            if (destroyed) return;
            SockAddr addr = SockAddr.inet(first.address(), port);
            Tcp tcp = new Tcp(env.loop());
            startConnect(tcp, () -> tcp.connect(addr, e -> env.makeCallback(() -> afterConnect(e))));
        }));
        return this;
    }

    /**
     * {@link #connect(int, String, Runnable)} to localhost.
     *
     * @param port the port
     * @param connectListener runs once connected, or null
     * @return this socket
     */
    public Socket connect(int port, Runnable connectListener) {
        return connect(port, null, connectListener);
    }

    /**
     * Connects to the Unix socket at {@code path}.
     *
     * @param path the socket's path
     * @param connectListener runs once connected, or null
     * @return this socket
     */
    public Socket connect(String path, Runnable connectListener) {
        env.checkThread();
        checkNotStarted();
        if (connectListener != null) once("connect", connectListener);
        Pipe pipe = new Pipe(env.loop());
        startConnect(pipe, () -> pipe.connect(path, err -> env.makeCallback(() -> afterConnect(err))));
        return this;
    }

    private void checkNotStarted() {
        if (handle != null || connecting || destroyed) throw new IllegalStateException("socket already connected or destroyed");
    }

    private void startConnect(Stream h, Runnable connect) {
        handle = h;
        connecting = true;
        try {
            connect.run();
        } catch (ErrnoException e) {
            failSoon(e);
        }
    }

    private void failSoon(RuntimeException e) {
        env.nextTick(() -> destroy(e));
    }

    private void afterConnect(ErrnoException err) {
        if (destroyed) return;
        connecting = false;
        if (err != null) {
            // Node reports a failed connect without libuv's message text (exceptionWithHostPort).
            destroy(err.address() != null
                    ? ErrnoException.plainWithHostPort(err.errnoEntry(), "connect", err.address(), err.port())
                    : err);
            return;
        }
        attach(handle);
        refreshTimeout();
        emit("connect");
        emit("ready");
        while (!pendingWrites.isEmpty() && !destroyed) {
            PendingWrite w = pendingWrites.poll();
            writableLength -= w.data.length;
            writeNow(w.data, w.callback);
        }
        if (!destroyed) startReading();
        if (writableEnded && !destroyed) maybeShutdown();
    }

    /** {@return whether a connect is under way (Node's socket.connecting)} */
    public boolean connecting() {
        return connecting;
    }

    // ---------------------------------------------------------------- reading

    private void startReading() {
        if (handle == null || destroyed || readable.ended() || handle.isReading() || !handle.isReadable()) return;
        handle.readStart((data, err) -> env.makeCallback(() -> onRead(data, err)));
    }

    private void onRead(ByteBuffer data, ErrnoException err) {
        if (destroyed) return;
        if (data != null) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            bytesRead += chunk.length;
            refreshTimeout();
            readable.push(chunk);
            return;
        }
        if (err.errnoEntry() == Errno.EOF) {
            readable.pushEnd(); // Node's read(0) at EOF: 'end' even if nobody reads
            return;
        }
        destroy(err);
    }

    /** The readable core's hooks: the handle is the source; after 'end' the socket half-closes or closes. */
    private final class Readable extends ReadableState {
        Readable() {
            super(Socket.this, HIGH_WATER_MARK, true, true);
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
            if (handle != null) handle.readStop();
        }

        @Override
        protected void readStart() {
            startReading();
        }

        @Override
        protected void afterEnd() {
            if (!allowHalfOpen && !writableEnded) end();
            else if (finished) destroy(null);
        }
    }

    @Override
    protected void listenerAdded(String event, int count) {
        // Node: adding a 'data' listener switches a stream that was not paused to flowing.
        if (event.equals("data")) readable.dataListenerAdded();
    }

    /**
     * Starts or restarts the flow of 'data' events.
     *
     * @return this socket
     */
    public Socket resume() {
        env.checkThread();
        readable.resume();
        return this;
    }

    /**
     * Stops 'data' events; data read meanwhile is buffered up to the high-water mark.
     *
     * @return this socket
     */
    public Socket pause() {
        env.checkThread();
        readable.pause();
        return this;
    }

    /** {@return whether 'data' events are paused} */
    public boolean isPaused() {
        return readable.isPaused();
    }

    /**
     * Makes 'data' events carry Strings decoded with {@code charset} (Node's setEncoding); a
     * character split between chunks stays whole. UTF-8, ISO-8859-1, UTF-16LE and US-ASCII decode
     * as Node's 'utf8', 'latin1', 'utf16le' and 'ascii' (its low 7 bits of each byte); null goes
     * back to byte[].
     *
     * @param charset the charset, or null
     * @return this socket
     */
    public Socket setEncoding(Charset charset) {
        env.checkThread();
        readable.setDecoder(charset == null ? null : new StringDecoder(charset));
        return this;
    }

    /**
     * {@link #setEncoding(Charset)} by Node's encoding name: 'utf8', 'utf16le' ('ucs2'), 'latin1'
     * ('binary'), 'ascii', 'hex', 'base64' or 'base64url'.
     *
     * @param encoding the encoding's name
     * @return this socket
     * @throws NodeError ERR_UNKNOWN_ENCODING for a name Node does not know
     */
    public Socket setEncoding(String encoding) {
        env.checkThread();
        readable.setDecoder(new StringDecoder(Encoding.require(encoding)));
        return this;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code data} (not copied: leave it alone until {@code callback}); returns false when
     * {@link #writableLength()} has reached the high-water mark ('drain' follows).
     * {@code callback} (may be null) gets null or the error.
     *
     * @param data the bytes
     * @param callback gets null once written, or the error; may be null
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(byte[] data, Consumer<Throwable> callback) {
        env.checkThread();
        if (writableEnded) {
            NodeError e = new NodeError("ERR_STREAM_WRITE_AFTER_END", "write after end");
            env.nextTick(() -> {
                if (callback != null) callback.accept(e);
                emit("error", e);
            });
            return false;
        }
        if (destroyed) {
            NodeError e = new NodeError("ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed");
            if (callback != null) env.nextTick(() -> callback.accept(e));
            return false;
        }
        if (connecting || handle == null) {
            pendingWrites.add(new PendingWrite(data, callback));
            writableLength += data.length;
        } else {
            writeNow(data, callback);
        }
        boolean ok = writableLength < HIGH_WATER_MARK;
        if (!ok) needDrain = true;
        return ok;
    }

    /**
     * {@link #write(byte[], Consumer)} with no callback.
     *
     * @param data the bytes
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(byte[] data) {
        return write(data, null);
    }

    /**
     * Writes a String as UTF-8.
     *
     * @param s the text
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(String s) {
        return write(s.getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * Writes a String encoded with {@code charset}.
     *
     * @param s the text
     * @param charset the charset
     * @param callback gets null once written, or the error; may be null
     * @return false when the caller should wait for 'drain'
     */
    public boolean write(String s, Charset charset, Consumer<Throwable> callback) {
        return write(s.getBytes(charset), callback);
    }

    private void writeNow(byte[] data, Consumer<Throwable> callback) {
        writableLength += data.length;
        refreshTimeout();
        try {
            handle.write(data, err -> env.makeCallback(() -> afterWrite(data.length, err, callback)));
        } catch (ErrnoException e) {
            writableLength -= data.length;
            env.nextTick(() -> {
                if (callback != null) callback.accept(e);
                destroy(e);
            });
        }
    }

    private void afterWrite(int n, ErrnoException err, Consumer<Throwable> callback) {
        writableLength -= n;
        if (err != null) {
            if (callback != null) callback.accept(err);
            if (err.errnoEntry() != Errno.ECANCELED) destroy(err);
            return;
        }
        bytesWritten += n;
        refreshTimeout();
        if (callback != null) callback.accept(null);
        if (destroyed) return;
        if (needDrain && writableLength == 0) {
            needDrain = false;
            emit("drain");
        }
        if (writableEnded) maybeShutdown();
    }

    /** {@return the bytes queued and not yet handed to the kernel} */
    public long writableLength() {
        return writableLength;
    }

    /** {@return whether {@link #write} would accept data without asking the caller to wait for 'drain'} */
    public boolean writableNeedDrain() {
        return needDrain;
    }

    /**
     * Half-closes after everything written so far ('finish' then, with the peer's end, 'close').
     *
     * @return this socket
     */
    public Socket end() {
        env.checkThread();
        if (writableEnded || destroyed) return this;
        writableEnded = true;
        maybeShutdown();
        return this;
    }

    /**
     * Writes {@code data}, then {@link #end()}.
     *
     * @param data the last bytes
     * @return this socket
     */
    public Socket end(byte[] data) {
        if (data != null && !writableEnded) write(data, null);
        return end();
    }

    /**
     * Writes {@code data} as UTF-8, then {@link #end()}.
     *
     * @param data the last text
     * @return this socket
     */
    public Socket end(String data) {
        return end(data == null ? null : data.getBytes(StandardCharsets.UTF_8));
    }

    private void maybeShutdown() {
        if (shutdownStarted || connecting || handle == null || writableLength > 0 || destroyed) return;
        shutdownStarted = true;
        try {
            handle.shutdown(err -> env.makeCallback(() -> afterShutdown(err)));
        } catch (ErrnoException e) {
            afterShutdown(null); // not writable any more (peer reset): nothing left to flush
        }
    }

    private void afterShutdown(ErrnoException err) {
        if (destroyed) return;
        if (err != null && err.errnoEntry() != Errno.ENOTCONN && err.errnoEntry() != Errno.ECANCELED) {
            destroy(err);
            return;
        }
        finished = true;
        emit("finish");
        if (readable.endEmitted() || readable.ended() && readable.isEmpty()) destroy(null);
    }

    // ---------------------------------------------------------------- destroying

    /**
     * Closes the connection now; queued writes are dropped.
     *
     * @return this socket
     */
    public Socket destroy() {
        return destroy(null);
    }

    /**
     * Closes the connection now and emits 'error' with {@code error} (if not null), then 'close'.
     *
     * @param error the error to emit, or null
     * @return this socket
     */
    public Socket destroy(Throwable error) {
        env.checkThread();
        if (destroyed) return this;
        destroyed = true;
        connecting = false;
        if (idleTimer != null) idleTimer.close();
        for (PendingWrite w : pendingWrites) {
            if (w.callback != null) {
                NodeError e = new NodeError("ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed");
                env.nextTick(() -> w.callback.accept(e));
            }
        }
        pendingWrites.clear();
        Runnable emitClose = () -> env.makeCallback(() -> {
            closed = true;
            if (error != null) emit("error", error);
            emit("close", error != null);
        });
        if (handle != null) handle.close(emitClose);
        else env.nextTick(() -> {
            closed = true;
            if (error != null) emit("error", error);
            emit("close", error != null);
        });
        return this;
    }

    /** {@return whether the socket has been destroyed} */
    public boolean destroyed() {
        return destroyed;
    }

    /** {@return Node's readyState: "opening", "open", "readOnly", "writeOnly" or "closed"} */
    public String readyState() {
        if (connecting) return "opening";
        if (destroyed || handle == null) return "closed";
        boolean r = !readable.ended();
        boolean w = !writableEnded;
        return r && w ? "open" : r ? "readOnly" : w ? "writeOnly" : "closed";
    }

    // ---------------------------------------------------------------- timeouts and options

    /**
     * Emits 'timeout' after {@code ms} of inactivity (no read or write); 0 disables. The socket is
     * not closed: the listener decides. The timer does not keep the process alive, as in Node.
     *
     * @param ms milliseconds of inactivity, 0 to disable
     * @param callback added as a 'timeout' listener, or null
     * @return this socket
     */
    public Socket setTimeout(long ms, Runnable callback) {
        env.checkThread();
        if (ms < 0) throw new NodeError("ERR_OUT_OF_RANGE", "The value of \"msecs\" is out of range. Received " + ms,
                IllegalArgumentException.class);
        timeoutMs = ms;
        if (callback != null) {
            if (ms == 0) off("timeout", callback);
            else once("timeout", callback);
        }
        if (ms == 0) {
            if (idleTimer != null) idleTimer.stop();
        } else {
            refreshTimeout();
        }
        return this;
    }

    private void refreshTimeout() {
        if (timeoutMs <= 0 || destroyed) return;
        if (idleTimer == null) {
            idleTimer = new Timer(env.loop());
            idleTimer.unref();
        }
        env.loop().updateTime();
        idleTimer.start(() -> env.makeCallback(() -> {
            if (!destroyed) emit("timeout");
        }), timeoutMs, 0);
    }

    /**
     * TCP_NODELAY; no effect on Unix sockets.
     *
     * @param noDelay true to turn Nagle's algorithm off
     * @return this socket
     */
    public Socket setNoDelay(boolean noDelay) {
        env.checkThread();
        if (handle instanceof Tcp tcp && !destroyed && !connecting) tcp.setNoDelay(noDelay);
        return this;
    }

    /**
     * SO_KEEPALIVE with the first probe after {@code initialDelayMs} (0: the system's default).
     *
     * @param enable whether to send keep-alive probes
     * @param initialDelayMs idle milliseconds before the first probe, 0 for the system's default
     * @return this socket
     */
    public Socket setKeepAlive(boolean enable, long initialDelayMs) {
        env.checkThread();
        if (handle instanceof Tcp tcp && !destroyed && !connecting) {
            tcp.setKeepAlive(enable, (int) Math.max(1, initialDelayMs / 1000));
        }
        return this;
    }

    /**
     * Lets the process exit while this socket is open.
     *
     * @return this socket
     */
    public Socket unref() {
        env.checkThread();
        if (handle != null && !handle.isClosing()) handle.unref();
        return this;
    }

    /**
     * Lets the socket keep the process alive again (the default).
     *
     * @return this socket
     */
    public Socket ref() {
        env.checkThread();
        if (handle != null && !handle.isClosing()) handle.ref();
        return this;
    }

    // ---------------------------------------------------------------- addresses and counters

    /** {@return the bytes received so far} */
    public long bytesRead() {
        return bytesRead;
    }

    /** {@return the bytes written so far} */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * {@return the peer's address, or null (Node: undefined); see {@link #fetchPeer()} for when it is known}
     */
    public String remoteAddress() {
        env.checkThread();
        fetchPeer();
        return remoteAddress;
    }

    /** {@return the peer's family, "IPv4" or "IPv6", or null} */
    public String remoteFamily() {
        env.checkThread();
        fetchPeer();
        return remoteFamily;
    }

    /** {@return the peer's port, or -1 (Node: undefined)} */
    public int remotePort() {
        env.checkThread();
        fetchPeer();
        return remotePort;
    }

    /** {@return the local address of a TCP socket, or null} */
    public AddressInfo address() {
        env.checkThread();
        if (handle instanceof Tcp tcp && !destroyed) {
            try {
                SockAddr a = tcp.getsockname();
                return new AddressInfo(a.address(), a.family(), a.port());
            } catch (ErrnoException e) {
                return null;
            }
        }
        return null;
    }

    /** {@return the local address, or null} */
    public String localAddress() {
        AddressInfo a = address();
        return a == null ? null : a.address();
    }

    /** {@return the local port, or -1} */
    public int localPort() {
        AddressInfo a = address();
        return a == null ? -1 : a.port();
    }

    /** Whether 'close' has been emitted. */
    boolean isClosed() {
        return closed;
    }
}
