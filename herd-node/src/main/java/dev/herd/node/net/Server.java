package dev.herd.node.net;

import dev.herd.io.Pipe;
import dev.herd.io.Stream;
import dev.herd.io.Tcp;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.net.ClusterListen;
import dev.herd.node.internal.net.ListenOwner;
import dev.herd.node.internal.net.NetAccess;
import dev.herd.node.internal.net.RemoteSockets;
import dev.herd.node.internal.net.ServerQuery;
import dev.herd.node.internal.net.WorkerHandle;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.SockAddr;
import java.util.List;
import java.util.function.Consumer;

/**
 * Node's {@code net.Server}: listens on a TCP port or a Unix-socket path and emits 'connection'
 * with a {@link Socket} for each client. Events: 'listening', 'connection', 'error' (EADDRINUSE,
 * EACCES, ... as {@link ErrnoException} with syscall "listen", address and port) and 'close'
 * (after {@link #close} once every connection has closed).
 *
 * <p>In a cluster worker, {@code listen} asks the primary for the socket (Node's
 * {@code listenInCluster}): round-robin, where the primary accepts and hands connections over, or
 * a shared listening socket; a refusal arrives as 'error' with syscall "bind". An
 * {@code exclusive} listen binds in the worker itself.
 *
 * <p>A socket this process was started with by socket activation (systemd's, or Herd's process
 * manager's) is listened on by name with {@link #listenActivated}; see {@link SocketActivation}.
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: until 'close'.
 */
public class Server extends EventEmitter {
    /** 'listening': the server is bound and listening. */
    public static final Event<Runnable> LISTENING = Event.of(Server.class, "listening");
    /** 'connection' (the new connection's socket). */
    public static final Event<Consumer<Socket>> CONNECTION = Event.of(Server.class, "connection", Socket.class);
    /** 'close': the server closed and every connection it accepted has closed. */
    public static final Event<Runnable> CLOSE = Event.of(Server.class, "close");

    static {
        // The IPC channel's view of servers and sockets (their Node-internal members).
        NetAccess.register(new NetAccess() {
            @Override
            public void setupWorker(Server server, RemoteSockets worker) {
                server.setupWorker(worker);
            }

            @Override
            public void removeWorker(Server server, RemoteSockets worker) {
                server.removeWorker(worker);
            }

            @Override
            public String connectionKey(Server server) {
                return server.connectionKey;
            }

            @Override
            public Stream detachHandle(Socket socket) {
                return socket.detachHandle();
            }

            @Override
            public void beforeClose(Server server, Runnable hook) {
                server.beforeClose(hook);
            }
        });
    }

    /** Node's default listen backlog. */
    public static final int DEFAULT_BACKLOG = 511;

    final Environment env;
    private final boolean allowHalfOpen;
    private Stream handle;
    private String pipePath;
    private int connections;
    private int maxConnections = -1;
    private boolean closing;
    private boolean closeEmitted;
    private boolean unref;
    /** In a cluster worker: what the primary gave for this server (Node's handle from cluster._getServer). */
    private WorkerHandle clusterHandle;
    /** Runs at the start of a close that stops the server (http's server ends its connections). */
    private Runnable beforeClose;
    /** Node's {@code _connectionKey}: {@code addressType:address:port} as asked for at listen. */
    private String connectionKey;
    /** Node's {@code _workers}: processes holding connections of this server that were sent to them. */
    private final java.util.ArrayList<RemoteSockets> workers = new java.util.ArrayList<>();
    /** Workers that have not yet answered a {@link #close}'s NODE_SOCKET_NOTIFY_CLOSE. */
    private int workerClosesPending;

    /**
     * A server that emits 'connection' to {@code connectionListener} (may be null).
     *
     * @param connectionListener gets each accepted socket, or null
     */
    public Server(Consumer<Socket> connectionListener) {
        this(false, connectionListener);
    }

    /**
     * A server that emits 'connection' to {@code connectionListener} (may be null).
     *
     * @param allowHalfOpen whether an accepted socket stays writable after the peer ends
     * @param connectionListener gets each accepted socket, or null
     */
    public Server(boolean allowHalfOpen, Consumer<Socket> connectionListener) {
        this.env = Environment.current();
        env.checkThread();
        this.allowHalfOpen = allowHalfOpen;
        if (connectionListener != null) on("connection", a -> connectionListener.accept((Socket) a[0]));
    }

    /**
     * Listens on {@code host:port} (port 0: any free port; host null: '::' with IPv4 mapped in,
     * or '0.0.0.0' where IPv6 is unavailable) with {@code backlog} (≤ 0: 511). 'listening' and
     * {@code listeningListener} follow on the next tick; a failure arrives as 'error'.
     *
     * @param port the port, 0 for any free one
     * @param host the address to listen on, or null for every address
     * @param backlog the longest queue of pending connections; 0 or less for 511
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listen(int port, String host, int backlog, Runnable listeningListener) {
        return listen(port, host, backlog, false, listeningListener);
    }

    /**
     * {@link #listen(int, String, int, Runnable)}; in a cluster worker, {@code exclusive} makes the
     * worker bind the port itself instead of asking the primary (Node's {@code exclusive} option).
     *
     * @param port the port, 0 for any free one
     * @param host the address to listen on, or null for every address
     * @param backlog the longest queue of pending connections; 0 or less for 511
     * @param exclusive in a cluster worker, whether to bind the port itself
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listen(int port, String host, int backlog, boolean exclusive, Runnable listeningListener) {
        // An AOT training run (herd run) listens on a port the kernel picks, next to the program's running instances.
        return listenTcp(dev.herd.node.TrainingRun.listenPort(port), host, backlog, exclusive, listeningListener);
    }

    private Server listenTcp(int port, String host, int backlog, boolean exclusive, Runnable listeningListener) {
        env.checkThread();
        if (port < 0 || port > 65535) {
            throw new NodeError("ERR_SOCKET_BAD_PORT", "options.port should be >= 0 and < 65536. Received " + port + ".",
                    IllegalArgumentException.class);
        }
        checkNotListening();
        if (listeningListener != null) once("listening", listeningListener);
        ClusterListen cluster = exclusive ? null : ClusterListen.of(env);
        if (cluster != null) {
            String address = host == null ? null : host.equals("localhost") ? "127.0.0.1" : host;
            int addressType = address != null && SockAddr.isIP(address) == 6 ? 6 : 4;
            // Node sends flags only when a host was given (lookupAndListen).
            cluster.getServer(listenOwner(), new ServerQuery(address, port, addressType, null, address == null ? null : 0, backlog),
                    (errno, h) -> listenOnPrimaryHandle(errno, h, address, port, backlog, null));
            return this;
        }
        int bl = backlog > 0 ? backlog : DEFAULT_BACKLOG;
        Tcp tcp = new Tcp(env.loop());
        handle = tcp;
        try {
            if (host == null) {
                try {
                    tcp.bind(SockAddr.inet("::", port));
                    connectionKey = "6::::" + port; // address type 6, address "::"
                } catch (ErrnoException e) {
                    if (e.errnoEntry() != Errno.EAFNOSUPPORT && e.errnoEntry() != Errno.EADDRNOTAVAIL) throw e;
                    tcp.close();
                    tcp = new Tcp(env.loop());
                    handle = tcp;
                    tcp.bind(SockAddr.inet("0.0.0.0", port));
                    connectionKey = "4:0.0.0.0:" + port;
                }
            } else {
                String literal = host.equals("localhost") ? "127.0.0.1" : host;
                tcp.bind(SockAddr.inet(literal, port));
                connectionKey = (SockAddr.isIP(literal) == 6 ? 6 : 4) + ":" + literal + ":" + port;
            }
            tcp.listen(bl, err -> env.makeCallback(() -> onConnection(err)));
        } catch (ErrnoException | IllegalArgumentException e) {
            failListen(e);
            return this;
        }
        if (unref) handle.unref();
        env.nextTick(() -> emit("listening"));
        return this;
    }

    /**
     * Listens on {@code port} on every address.
     *
     * @param port the port, 0 for any free one
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listen(int port, Runnable listeningListener) {
        return listen(port, null, 0, listeningListener);
    }

    /**
     * Listens on {@code port} on every address.
     *
     * @param port the port, 0 for any free one
     * @return this server
     */
    public Server listen(int port) {
        return listen(port, null, 0, null);
    }

    /**
     * Listens on the Unix socket at {@code path}.
     *
     * @param path the socket's path
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listen(String path, Runnable listeningListener) {
        return listen(path, false, listeningListener);
    }

    /**
     * {@link #listen(String, Runnable)}; {@code exclusive} as for a port.
     *
     * @param path the socket's path
     * @param exclusive in a cluster worker, whether to bind the socket itself
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listen(String path, boolean exclusive, Runnable listeningListener) {
        env.checkThread();
        checkNotListening();
        if (listeningListener != null) once("listening", listeningListener);
        ClusterListen cluster = exclusive ? null : ClusterListen.of(env);
        if (cluster != null) {
            cluster.getServer(listenOwner(), new ServerQuery(path, -1, -1, null, null, 0),
                    (errno, h) -> listenOnPrimaryHandle(errno, h, path, -1, 0, path));
            return this;
        }
        Pipe pipe = new Pipe(env.loop());
        handle = pipe;
        try {
            pipe.bind(path);
            pipe.listen(DEFAULT_BACKLOG, err -> env.makeCallback(() -> onConnection(err)));
        } catch (ErrnoException e) {
            failListen(e);
            return this;
        }
        pipePath = path;
        connectionKey = "-1:" + path + ":-1";
        if (unref) handle.unref();
        env.nextTick(() -> emit("listening"));
        return this;
    }

    /**
     * Listens on an existing socket descriptor (Node's {@code listen({ fd })}): a TCP or Unix
     * socket, bound (and possibly listening) already. The server takes ownership of {@code fd};
     * if it cannot use it, 'error' follows and the fd is closed.
     *
     * @param fd the socket, which the server now owns
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listen(Fd fd, Runnable listeningListener) {
        env.checkThread();
        checkNotListening();
        if (listeningListener != null) once("listening", listeningListener);
        Stream h;
        try {
            SockAddr local = dev.herd.os.Net.getsockname(fd.intValue());
            if (local.isUnix()) {
                Pipe pipe = new Pipe(env.loop());
                h = pipe;
                handle = h;
                pipe.open(fd);
                pipePath = local.path();
                pipe.listen(DEFAULT_BACKLOG, err -> env.makeCallback(() -> onConnection(err)));
            } else {
                Tcp tcp = new Tcp(env.loop());
                h = tcp;
                handle = h;
                tcp.open(fd);
                tcp.listen(DEFAULT_BACKLOG, err -> env.makeCallback(() -> onConnection(err)));
            }
        } catch (ErrnoException | IllegalArgumentException e) {
            if (handle == null || !handle.isActive()) fd.close();
            failListen(e);
            return this;
        }
        connectionKey = "-1:null:-1"; // Node: listen({fd}) has neither address nor port
        if (unref) handle.unref();
        env.nextTick(() -> emit("listening"));
        return this;
    }

    /**
     * Listens on the socket named {@code name} that this process was started with by socket
     * activation (systemd's, or Herd's process manager's {@code --port}, which names a socket
     * after its address: {@code "8000"}, {@code "127.0.0.1_8000"}): {@link SocketActivation#fd}
     * taken, then {@link #listen(Fd, Runnable)}. A name this process has no socket of (or no
     * activated sockets at all, or variables that do not check out) ends in 'error' on the next
     * tick with {@link SocketActivation#fd}'s exception, whose message lists the names there are.
     * Not Node's: Node has no socket activation.
     *
     * @param name the socket's name in {@code LISTEN_FDNAMES}
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listenActivated(String name, Runnable listeningListener) {
        env.checkThread();
        checkNotListening(); // before taking: a second listen must not use up the socket
        Fd fd;
        try {
            fd = SocketActivation.fd(name);
        } catch (NodeError | ErrnoException e) {
            if (listeningListener != null) once("listening", listeningListener);
            failListen(e);
            return this;
        }
        return listen(fd, listeningListener);
    }

    /**
     * Listens on the socket of another handle (Node's {@code listen(handle)}): the stream must
     * have a descriptor and no other owner using it; this server uses it from now on.
     *
     * @param existing the stream whose socket to listen on
     * @param listeningListener runs once listening, or null
     * @return this server
     */
    public Server listen(Stream existing, Runnable listeningListener) {
        env.checkThread();
        checkNotListening();
        if (existing.loop() != env.loop()) throw new IllegalArgumentException("handle belongs to another loop");
        if (listeningListener != null) once("listening", listeningListener);
        handle = existing;
        try {
            if (existing instanceof Tcp tcp) {
                tcp.listen(DEFAULT_BACKLOG, err -> env.makeCallback(() -> onConnection(err)));
            } else if (existing instanceof Pipe pipe) {
                pipe.listen(DEFAULT_BACKLOG, err -> env.makeCallback(() -> onConnection(err)));
                pipePath = pipe.getsockname();
            } else {
                throw new IllegalArgumentException("cannot listen on " + existing.getClass().getSimpleName());
            }
        } catch (ErrnoException | IllegalArgumentException e) {
            failListen(e);
            return this;
        }
        connectionKey = "-1:null:-1"; // Node: listen(handle) has neither address nor port
        if (unref) handle.unref();
        env.nextTick(() -> emit("listening"));
        return this;
    }

    /**
     * The listening stream (Node's {@code _handle}), or null when not listening — and for a
     * round-robin server in a cluster worker, whose listening socket is the primary's.
     *
     * @return the listening stream, or null
     */
    public Stream handle() {
        return handle;
    }

    private void checkNotListening() {
        if (listening()) {
            throw new NodeError("ERR_SERVER_ALREADY_LISTEN", "Listen method has been called more than once without closing.");
        }
    }

    /**
     * The primary's answer to a cluster worker's listen (Node's {@code listenOnPrimaryHandle}):
     * an error, a socket to listen on (shared), or none (round-robin: connections come from the
     * primary through its {@link ListenOwner}).
     */
    private void listenOnPrimaryHandle(int errno, WorkerHandle h, String address, int port, int backlog, String path) {
        if (errno != 0) {
            emit("error", ErrnoException.plainWithHostPort(Errno.of(errno), "bind", address, port));
            return;
        }
        clusterHandle = h;
        if (h.handle() instanceof Stream shared) {
            handle = shared;
            try {
                if (shared instanceof Tcp tcp) {
                    tcp.listen(backlog > 0 ? backlog : DEFAULT_BACKLOG, err -> env.makeCallback(() -> onConnection(err)));
                } else {
                    ((Pipe) shared).listen(backlog > 0 ? backlog : DEFAULT_BACKLOG, err -> env.makeCallback(() -> onConnection(err)));
                }
            } catch (ErrnoException | IllegalArgumentException e) {
                clusterHandle = null;
                h.close();
                failListen(e);
                return;
            }
            if (unref) handle.unref();
        } else if (unref) {
            h.unref();
        }
        pipePath = path;
        // Node's setupListenHandle, run by listenOnPrimaryHandle with the worker's own arguments.
        int addressType = path != null ? -1 : address != null && SockAddr.isIP(address) == 6 ? 6 : 4;
        connectionKey = addressType + ":" + address + ":" + port;
        env.nextTick(() -> emit("listening"));
    }

    /**
     * This server as cluster sees it when it listens through the primary (Node's child.js
     * duck-types the server it is given the same way).
     */
    private ListenOwner listenOwner() {
        return new ListenOwner() {
            @Override
            public void onceListening(Runnable listener) {
                once("listening", listener);
            }

            @Override
            public AddressInfo address() {
                return Server.this.address();
            }

            @Override
            public boolean acceptsConnection() {
                return maxConnections < 0 || connections < maxConnections;
            }

            @Override
            public void connection(Stream client) {
                // A round-robin connection (Node's server.onconnection from child.js): it becomes
                // a Socket and a 'connection' event, as one accepted here would.
                env.checkThread();
                onClient(client);
            }

            @Override
            public boolean close(Runnable done) {
                if (!listening()) return false;
                Server.this.close(err -> done.run());
                return true;
            }
        };
    }

    private void failListen(RuntimeException e) {
        Stream h = handle;
        handle = null;
        if (h != null) h.close();
        env.nextTick(() -> emit("error", e));
    }

    private void onConnection(ErrnoException err) {
        if (err != null) {
            emit("error", err);
            return;
        }
        Stream client;
        try {
            client = handle.acceptNew();
        } catch (ErrnoException e) {
            return;
        }
        onClient(client);
    }

    private void onClient(Stream client) {
        if (maxConnections >= 0 && connections >= maxConnections) {
            client.close(); // Node: over maxConnections the connection is closed at once
            return;
        }
        Socket socket = new Socket(env, client, allowHalfOpen);
        socket.server = this;
        connections++;
        socket.on(Socket.CLOSE, hadError -> {
            connections--;
            maybeEmitClose();
        });
        emit("connection", socket);
    }

    /**
     * Stops accepting connections; 'close' (and {@code callback} with null) follows once every
     * existing connection has closed. On a server that is not listening, {@code callback} gets
     * ERR_SERVER_NOT_RUNNING.
     *
     * @param callback gets null once closed, or the error; may be null
     * @return this server
     */
    public Server close(Consumer<Throwable> callback) {
        env.checkThread();
        if ((handle == null && clusterHandle == null) || closing) {
            if (callback != null) {
                NodeError e = new NodeError("ERR_SERVER_NOT_RUNNING", "Server is not running.");
                env.nextTick(() -> callback.accept(e));
            }
            return this;
        }
        if (callback != null) once("close", a -> callback.accept(null));
        closing = true;
        if (beforeClose != null) beforeClose.run();
        if (clusterHandle != null) clusterHandle.close(); // tells the primary (Node: 'close' message)
        if (!workers.isEmpty()) {
            // Node polls every worker with NODE_SOCKET_NOTIFY_CLOSE; 'close' waits for all answers.
            List<RemoteSockets> polled = List.copyOf(workers);
            workerClosesPending = polled.size();
            for (RemoteSockets w : polled) {
                boolean[] once = {false};
                w.close(err -> {
                    if (once[0]) return;
                    once[0] = true;
                    workerClosesPending--;
                    maybeEmitClose();
                });
            }
        }
        if (handle != null) handle.close(() -> env.makeCallback(this::maybeEmitClose));
        else maybeEmitClose();
        return this;
    }

    /**
     * {@link #close(Consumer)} with no callback.
     *
     * @return this server
     */
    public Server close() {
        return close(null);
    }

    /** For http's server, built on this one (see NetAccess.beforeClose). */
    void beforeClose(Runnable hook) {
        this.beforeClose = hook;
    }

    private void maybeEmitClose() {
        if (!closing || closeEmitted || connections > 0 || workerClosesPending > 0 || (handle != null && !handle.isClosed())) return;
        closeEmitted = true;
        env.nextTick(() -> emit("close"));
    }

    /** {@return whether the server is listening} */
    public boolean listening() {
        if (handle != null) return !handle.isClosing();
        return clusterHandle != null && !closing;
    }

    /** {@return the bound address of a TCP server, or null (for a Unix-socket server see {@link #path()})} */
    public AddressInfo address() {
        env.checkThread();
        if (handle instanceof Tcp tcp && listening()) {
            SockAddr a = tcp.getsockname();
            return new AddressInfo(a.address(), a.family(), a.port());
        }
        if (handle == null && listening()) return clusterHandle.address(); // round-robin: the primary's socket
        return null;
    }

    /** {@return the path of a Unix-socket server, or null} */
    public String path() {
        return listening() ? pipePath : null;
    }

    /** {@return the number of open connections (Node's getConnections, synchronous here)} */
    public int connections() {
        return connections;
    }

    /**
     * Node's getConnections(callback): the count, delivered on the next tick. With connections
     * sent to other processes over an IPC channel, each of them is asked and their counts are
     * added to this process's; the first failure (a process that went away before answering) is
     * the callback's error.
     *
     * @param callback gets the error or null, and the count
     */
    public void getConnections(java.util.function.BiConsumer<Throwable, Integer> callback) {
        env.checkThread();
        if (workers.isEmpty()) {
            int n = connections;
            env.nextTick(() -> callback.accept(null, n));
            return;
        }
        List<RemoteSockets> polled = List.copyOf(workers);
        int[] left = {polled.size()};
        int[] total = {connections};
        for (RemoteSockets w : polled) {
            w.getConnections((err, count) -> {
                if (left[0] <= 0) return; // already answered (an error came first)
                if (err != null) {
                    left[0] = -1;
                    env.nextTick(() -> callback.accept(err, null));
                    return;
                }
                total[0] += count;
                if (--left[0] == 0) {
                    int n = total[0];
                    env.nextTick(() -> callback.accept(null, n));
                }
            });
        }
    }

    /** Node's {@code _setupWorker}: connections of this server were sent to another process (see NetAccess). */
    void setupWorker(RemoteSockets worker) {
        env.checkThread();
        if (!workers.contains(worker)) workers.add(worker);
    }

    /** The other process is gone (Node: its 'exit'): it is no longer asked. */
    void removeWorker(RemoteSockets worker) {
        env.checkThread();
        workers.remove(worker);
    }

    /**
     * A connection of this server was sent to another process without keepOpen (Node's
     * {@code socket.server._connections--} in child_process): it no longer counts here.
     */
    void connectionLeft() {
        connections--;
        maybeEmitClose();
    }

    /**
     * Above this many connections new ones are closed at once; negative: no limit.
     *
     * @param max the most connections, or negative for no limit
     * @return this server
     */
    public Server setMaxConnections(int max) {
        env.checkThread();
        maxConnections = max;
        return this;
    }

    /** {@return the most connections, or negative for no limit} */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Lets the process exit while the server listens.
     *
     * @return this server
     */
    public Server unref() {
        env.checkThread();
        unref = true;
        if (handle != null && !handle.isClosing()) handle.unref();
        else if (handle == null && listening()) clusterHandle.unref();
        return this;
    }

    /**
     * Lets the server keep the process alive again (the default).
     *
     * @return this server
     */
    public Server ref() {
        env.checkThread();
        unref = false;
        if (handle != null && !handle.isClosing()) handle.ref();
        else if (handle == null && listening()) clusterHandle.ref();
        return this;
    }
}
