package dev.herd.node.dgram;

import dev.herd.io.Dns;
import dev.herd.io.Stream;
import dev.herd.io.Udp;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.net.ClusterListen;
import dev.herd.node.internal.net.ListenOwner;
import dev.herd.node.internal.net.ServerQuery;
import dev.herd.node.internal.net.WorkerHandle;
import dev.herd.node.net.AddressInfo;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.SockAddr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * Node's {@code dgram.Socket}: a UDP socket with the events 'listening', 'message' ({@code byte[]},
 * {@link RemoteInfo}), 'connect', 'error' and 'close'. Sending on a socket that is not bound binds
 * it to the wildcard address and a random port first, as Node does; sends made while binding or
 * resolving wait for it, in order.
 *
 * <p>In a cluster worker, {@code bind} gets the socket from the primary (always shared, as in
 * Node: UDP is never round-robin) unless {@code exclusive}.
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: until {@link #close}.
 */
public final class Socket extends EventEmitter {
    /** 'listening': the socket is bound. */
    public static final Event<Runnable> LISTENING = Event.of(Socket.class, "listening");
    /** 'message' (the datagram, its sender). */
    public static final Event<BiConsumer<byte[], RemoteInfo>> MESSAGE = Event.of(Socket.class, "message", byte[].class,
            RemoteInfo.class);
    /** 'connect': {@link #connect} associated the socket with a remote address. */
    public static final Event<Runnable> CONNECT = Event.of(Socket.class, "connect");
    /** 'close': the socket closed; the last event. */
    public static final Event<Runnable> CLOSE = Event.of(Socket.class, "close");

    private enum State { UNBOUND, BINDING, BOUND, CLOSED }

    private final Environment env;
    private final boolean udp6;
    private final boolean reuseAddr;
    private final boolean ipv6Only;
    /** Not final: a cluster worker's socket takes the primary's bound one. */
    private Udp handle;
    /** In a cluster worker: what the primary gave for this socket; null otherwise. */
    private WorkerHandle clusterHandle;
    private State state = State.UNBOUND;
    private final ArrayDeque<Runnable> queuedWhileBinding = new ArrayDeque<>();
    private boolean connected;

    Socket(String type, boolean reuseAddr, boolean ipv6Only, BiConsumer<byte[], RemoteInfo> messageListener) {
        this.env = Environment.current();
        env.checkThread();
        if (!"udp4".equals(type) && !"udp6".equals(type)) {
            throw new NodeError("ERR_SOCKET_BAD_TYPE",
                    "Bad socket type specified. Valid types are: udp4, udp6", IllegalArgumentException.class);
        }
        this.udp6 = type.equals("udp6");
        this.reuseAddr = reuseAddr;
        this.ipv6Only = ipv6Only;
        this.handle = new Udp(env.loop());
        // Node: an unbound socket does not keep the process alive; binding refs it.
        handle.unref();
        if (messageListener != null) {
            on("message", a -> messageListener.accept((byte[]) a[0], (RemoteInfo) a[1]));
        }
    }

    /** A socket of {@code type} over an already bound Udp handle (received over IPC): 'listening' follows. */
    private Socket(String type, Udp bound) {
        this.env = Environment.current();
        env.checkThread();
        if (!"udp4".equals(type) && !"udp6".equals(type)) {
            throw new NodeError("ERR_SOCKET_BAD_TYPE",
                    "Bad socket type specified. Valid types are: udp4, udp6", IllegalArgumentException.class);
        }
        this.udp6 = type.equals("udp6");
        this.reuseAddr = false;
        this.ipv6Only = false;
        this.handle = bound;
        this.state = State.BOUND;
    }

    /**
     * A socket over a bound Udp handle, as Node's child_process makes one from a received
     * 'dgram.Socket' ({@code socket.bind(handle, cb)}): it receives at once, and 'listening'
     * (then {@code listeningListener}, if not null) follows on the next tick.
     *
     * @param type "udp4" or "udp6"
     * @param bound the bound handle, which the socket now owns
     * @param listeningListener runs once 'listening' was emitted, or null
     * @return the socket
     */
    public static Socket adopt(String type, Udp bound, Runnable listeningListener) {
        Socket s = new Socket(type, bound);
        if (listeningListener != null) s.once(LISTENING, listeningListener);
        s.startReceiving();
        s.env.nextTick(() -> s.emit("listening"));
        return s;
    }

    /** {@return the Udp handle under this socket (Node's {@code [kStateSymbol].handle})} */
    public Udp handle() {
        return handle;
    }

    /** {@return {@code udp4} or {@code udp6}} */
    public String type() {
        return udp6 ? "udp6" : "udp4";
    }

    private String wildcard() {
        return udp6 ? "::" : "0.0.0.0";
    }

    private String loopback() {
        return udp6 ? "::1" : "127.0.0.1";
    }

    // ---------------------------------------------------------------- bind

    /**
     * Binds to {@code address:port} (port 0: random; address null: the wildcard). 'listening'
     * and {@code callback} follow; a failure (EADDRINUSE...) arrives as 'error'.
     *
     * @param port the port, 0 for a random one
     * @param address the address, or null for the wildcard
     * @param callback runs once bound, or null
     * @return this socket
     */
    public Socket bind(int port, String address, Runnable callback) {
        return bind(port, address, false, callback);
    }

    /**
     * {@link #bind(int, String, Runnable)}; in a cluster worker, {@code exclusive} binds here
     * instead of sharing the primary's socket (Node's {@code exclusive} option).
     *
     * @param port the port, 0 for a random one
     * @param address the address, or null for the wildcard
     * @param exclusive in a cluster worker, whether to bind here
     * @param callback runs once bound, or null
     * @return this socket
     */
    public Socket bind(int port, String address, boolean exclusive, Runnable callback) {
        env.checkThread();
        if (state != State.UNBOUND) {
            throw new NodeError("ERR_SOCKET_ALREADY_BOUND", "Socket is already bound");
        }
        if (port < 0 || port > 65535) {
            throw new NodeError("ERR_SOCKET_BAD_PORT", "Port should be >= 0 and < 65536. Received " + port + ".",
                    IllegalArgumentException.class);
        }
        if (callback != null) once("listening", callback);
        state = State.BINDING;
        resolve(address == null ? wildcard() : address, (err, ip) -> {
            if (state == State.CLOSED) return;
            if (err != null) {
                state = State.UNBOUND;
                emit("error", err);
                return;
            }
            int flags = (reuseAddr ? Udp.REUSEADDR : 0) | (ipv6Only && udp6 ? Udp.IPV6ONLY : 0);
            ClusterListen cluster = exclusive ? null : ClusterListen.of(env);
            if (cluster != null) {
                cluster.getServer(listenOwner(), new ServerQuery(ip, port, type(), -1, flags, null), (errno, h) -> {
                    if (state == State.CLOSED) {
                        if (h != null) {
                            h.handle().close();
                            h.close();
                        }
                        return;
                    }
                    if (errno != 0) {
                        state = State.UNBOUND;
                        emit("error", ErrnoException.plainWithHostPort(Errno.of(errno), "bind", ip, port));
                        return;
                    }
                    handle.close(); // never had a socket: the primary's takes its place
                    handle = (Udp) h.handle();
                    clusterHandle = h;
                    onBound();
                });
                return;
            }
            try {
                handle.bind(SockAddr.inet(ip, port), flags);
            } catch (ErrnoException e) {
                state = State.UNBOUND;
                emit("error", e);
                return;
            }
            onBound();
        });
        return this;
    }

    /** This socket as cluster sees it when it binds through the primary. */
    private ListenOwner listenOwner() {
        return new ListenOwner() {
            @Override
            public void onceListening(Runnable listener) {
                once("listening", listener);
            }

            @Override
            public AddressInfo address() {
                return Socket.this.address();
            }

            @Override
            public boolean acceptsConnection() {
                return false;
            }

            @Override
            public void connection(Stream client) {
                client.close(); // UDP has no connections
            }

            @Override
            public boolean close(Runnable done) {
                if (state == State.CLOSED) return false;
                Socket.this.close(done);
                return true;
            }
        };
    }

    private void onBound() {
        state = State.BOUND;
        handle.ref();
        startReceiving();
        emit("listening");
        while (!queuedWhileBinding.isEmpty() && state == State.BOUND) queuedWhileBinding.poll().run();
    }

    /**
     * Binds to {@code port} on the wildcard address.
     *
     * @param port the port, 0 for a random one
     * @param callback runs once bound, or null
     * @return this socket
     */
    public Socket bind(int port, Runnable callback) {
        return bind(port, null, callback);
    }

    /**
     * Binds to a random port on the wildcard address.
     *
     * @return this socket
     */
    public Socket bind() {
        return bind(0, null, null);
    }

    private void startReceiving() {
        handle.recvStart((err, data, sender, flags) -> env.makeCallback(() -> {
            if (state == State.CLOSED) return;
            if (err != null) {
                emit("error", err);
                return;
            }
            emit("message", data, new RemoteInfo(sender.address(), sender.family(), sender.port(), data.length));
        }));
    }

    /** Resolves {@code host} for this socket's family ('localhost' and literals answer at once). */
    private void resolve(String host, BiConsumer<ErrnoException, String> then) {
        String h = host.equals("localhost") ? loopback() : host;
        Dns.LookupOptions opts = Dns.LookupOptions.builder().family(udp6 ? 6 : 4).build();
        Dns.lookup(env.loop(), h, opts, (err, addrs) -> env.makeCallback(
                () -> then.accept(err, err == null ? addrs.get(0).address() : null)));
    }

    // ---------------------------------------------------------------- send

    /**
     * Sends {@code msg} to {@code address:port} (address null: localhost). {@code callback} (may
     * be null) gets null and the byte count, or the error; without a callback an error is
     * emitted as 'error'.
     *
     * @param msg the datagram
     * @param port the destination port
     * @param address the destination address, or null for localhost
     * @param callback gets null and the byte count, or the error; may be null
     */
    public void send(byte[] msg, int port, String address, BiConsumer<Throwable, Integer> callback) {
        env.checkThread();
        if (state == State.CLOSED) throw new NodeError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
        if (connected) {
            throw new NodeError("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected");
        }
        if (port <= 0 || port > 65535) {
            throw new NodeError("ERR_SOCKET_BAD_PORT", "Port should be > 0 and < 65536. Received " + port + ".",
                    IllegalArgumentException.class);
        }
        Runnable go = () -> resolve(address == null ? "localhost" : address, (err, ip) -> {
            if (err != null) {
                sendDone(err, 0, callback);
                return;
            }
            doSend(msg, SockAddr.inet(ip, port), callback);
        });
        whenBound(go);
    }

    /**
     * Sends a String as UTF-8.
     *
     * @param msg the datagram's text
     * @param port the destination port
     * @param address the destination address, or null for localhost
     * @param callback gets null and the byte count, or the error; may be null
     */
    public void send(String msg, int port, String address, BiConsumer<Throwable, Integer> callback) {
        send(msg.getBytes(StandardCharsets.UTF_8), port, address, callback);
    }

    /**
     * Sends on a connected socket.
     *
     * @param msg the datagram
     * @param callback gets null and the byte count, or the error; may be null
     */
    public void send(byte[] msg, BiConsumer<Throwable, Integer> callback) {
        env.checkThread();
        if (!connected) throw new NodeError("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
        doSend(msg, null, callback);
    }

    private void whenBound(Runnable r) {
        switch (state) {
            case BOUND -> r.run();
            case BINDING -> queuedWhileBinding.add(r);
            case UNBOUND -> {
                queuedWhileBinding.add(r);
                bind();
            }
            case CLOSED -> { }
        }
    }

    private void doSend(byte[] msg, SockAddr to, BiConsumer<Throwable, Integer> callback) {
        if (state == State.CLOSED) return;
        try {
            handle.send(msg, to, err -> env.makeCallback(() -> sendDone(err, msg.length, callback)));
        } catch (ErrnoException e) {
            env.nextTick(() -> sendDone(e, 0, callback));
        }
    }

    private void sendDone(ErrnoException err, int bytes, BiConsumer<Throwable, Integer> callback) {
        if (callback != null) callback.accept(err, err == null ? bytes : 0);
        else if (err != null && err.errnoEntry() != Errno.ECANCELED) emit("error", err);
    }

    // ---------------------------------------------------------------- connect

    /**
     * Associates the socket with {@code address:port}; 'connect' and {@code callback} follow.
     *
     * @param port the peer's port
     * @param address the peer's address, or null for localhost
     * @param callback runs once connected, or null
     * @return this socket
     */
    public Socket connect(int port, String address, Runnable callback) {
        env.checkThread();
        if (connected) throw new NodeError("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected");
        if (callback != null) once("connect", callback);
        whenBound(() -> resolve(address == null ? "localhost" : address, (err, ip) -> {
            if (err != null) {
                emit("error", err);
                return;
            }
            try {
                handle.connect(SockAddr.inet(ip, port));
                connected = true;
                emit("connect");
            } catch (ErrnoException e) {
                emit("error", e);
            }
        }));
        return this;
    }

    /** Dissolves the association made by {@link #connect}. */
    public void disconnect() {
        env.checkThread();
        if (!connected) throw new NodeError("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
        handle.disconnect();
        connected = false;
    }

    /** {@return the connected peer} */
    public AddressInfo remoteAddress() {
        env.checkThread();
        if (!connected) throw new NodeError("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
        SockAddr a = handle.getpeername();
        return new AddressInfo(a.address(), a.family(), a.port());
    }

    // ---------------------------------------------------------------- the rest

    /** {@return the bound address; throws ERR_SOCKET_DGRAM_NOT_RUNNING if not bound} */
    public AddressInfo address() {
        env.checkThread();
        if (state != State.BOUND) throw new NodeError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
        SockAddr a = handle.getsockname();
        return new AddressInfo(a.address(), a.family(), a.port());
    }

    /**
     * Closes the socket; 'close' and {@code callback} follow.
     *
     * @param callback runs once closed, or null
     * @return this socket
     */
    public Socket close(Runnable callback) {
        env.checkThread();
        if (state == State.CLOSED) throw new NodeError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
        if (callback != null) once("close", callback);
        state = State.CLOSED;
        queuedWhileBinding.clear();
        if (clusterHandle != null) clusterHandle.close(); // tells the primary (Node: 'close' message)
        handle.close(() -> env.makeCallback(() -> emit("close")));
        return this;
    }

    /**
     * {@link #close(Runnable)} with no callback.
     *
     * @return this socket
     */
    public Socket close() {
        return close(null);
    }

    /**
     * SO_BROADCAST: permits sending to broadcast addresses.
     *
     * @param on whether to permit it
     */
    public void setBroadcast(boolean on) {
        bound().setBroadcast(on);
    }

    /**
     * The unicast TTL, 1 to 255.
     *
     * @param ttl the time to live
     */
    public void setTTL(int ttl) {
        bound().setTTL(ttl);
    }

    /**
     * The multicast TTL, 0 to 255.
     *
     * @param ttl the time to live
     */
    public void setMulticastTTL(int ttl) {
        bound().setMulticastTTL(ttl);
    }

    /**
     * Whether this host's own group members receive what this socket sends to a group.
     *
     * @param on whether to loop multicast back
     */
    public void setMulticastLoopback(boolean on) {
        bound().setMulticastLoop(on);
    }

    /**
     * The interface outgoing multicast leaves by.
     *
     * @param interfaceAddress an IPv4 interface address, or an IPv6 zone; null for the kernel's choice
     */
    public void setMulticastInterface(String interfaceAddress) {
        bound().setMulticastInterface(interfaceAddress);
    }

    /**
     * Joins {@code multicastAddress} (on {@code interfaceAddress}, null: the default).
     *
     * @param multicastAddress the group
     * @param interfaceAddress the interface, or null for the default
     */
    public void addMembership(String multicastAddress, String interfaceAddress) {
        bound().addMembership(multicastAddress, interfaceAddress);
    }

    /**
     * Leaves what {@link #addMembership} joined.
     *
     * @param multicastAddress the group
     * @param interfaceAddress the interface, or null for the default
     */
    public void dropMembership(String multicastAddress, String interfaceAddress) {
        bound().dropMembership(multicastAddress, interfaceAddress);
    }

    private Udp bound() {
        env.checkThread();
        if (state != State.BOUND) throw new NodeError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
        return handle;
    }

    /**
     * Lets the socket keep the process alive again (the default).
     *
     * @return this socket
     */
    public Socket ref() {
        env.checkThread();
        if (state != State.CLOSED) handle.ref();
        return this;
    }

    /**
     * Lets the process exit while the socket is open.
     *
     * @return this socket
     */
    public Socket unref() {
        env.checkThread();
        if (state != State.CLOSED) handle.unref();
        return this;
    }
}
