package dev.herd.io;

import dev.herd.loop.Handle;
import dev.herd.loop.IoWatcher;
import dev.herd.loop.Loop;
import dev.herd.os.Epoll;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import dev.herd.os.Net;
import dev.herd.os.SockAddr;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

/**
 * A UDP socket (libuv's {@code uv_udp_t}): bind, send datagrams through a send queue, receive
 * them with the sender's address, connect to one peer, and the socket options Node's
 * {@code dgram} exposes (broadcast, TTL, multicast).
 *
 * <p>The socket is created lazily, as libuv's {@code uv_udp_init} does: by {@link #bind}, or
 * implicitly bound to {@code 0.0.0.0:0} ({@code [::]:0} for an IPv6 destination) by the first
 * {@link #send}, {@link #connect} or {@link #recvStart}; {@link #addMembership} binds with
 * {@link #REUSEADDR}. Option setters before that fail with EBADF, as in libuv.
 *
 * <p>Sends are tried at once; a datagram the kernel cannot take now (EAGAIN, ENOBUFS) waits in
 * the send queue, and EPOLLOUT is watched only while something waits. Every send's callback runs
 * exactly once, never inside {@code send()}: in the pending phase after an immediate send, or in
 * the poll phase after a queued one. A datagram is sent whole or not at all, so there are no
 * partial writes. The handle is active while it is receiving or has sends in flight, and each send
 * is an active request of the loop until its callback has run.
 *
 * <p>Errors are {@link ErrnoException}s in Node's {@code dgram} shape: {@code bind},
 * {@code connect} and {@code send} failures read "bind EADDRINUSE 127.0.0.1:41234"
 * ({@link ErrnoException#plainWithHostPort}); the others "setTTL EINVAL" ({@link
 * ErrnoException#plain}). A method that fails throws and never runs its callback.
 *
 * <p>Thread rule: loop thread only (checked); callbacks run there. Lifetime: until
 * {@link #close()}, which closes the socket at once; in the closing phase the sends still queued
 * complete with ECANCELED (and sends already done get their callbacks), then the close callback
 * runs, as in libuv.
 */
public final class Udp extends Handle {
    /** {@link #bind} flag: the IPv6 socket takes no IPv4 traffic (IPV6_V6ONLY; libuv's UV_UDP_IPV6ONLY). */
    public static final int IPV6ONLY = 1;
    /** Receive flag: the datagram was longer than the buffer and was cut (libuv's UV_UDP_PARTIAL). */
    public static final int PARTIAL = 2;
    /** {@link #bind} flag: SO_REUSEADDR, so several sockets may bind one address (libuv's UV_UDP_REUSEADDR). */
    public static final int REUSEADDR = 4;
    /** {@link #bind} flag: SO_REUSEPORT, the kernel spreads datagrams over the sockets (libuv's UV_UDP_REUSEPORT). */
    public static final int REUSEPORT = 64;

    /**
     * Datagrams read per readiness event before the loop moves on, so a flood on one socket
     * cannot starve the rest of the loop (libuv's {@code count = 32} in {@code uv__udp_recvmsg}).
     */
    public static final int RECVS_PER_WAKEUP = 32;
    /**
     * The receive buffer {@link #recvStart(RecvCallback)} uses: 64 KiB holds any UDP payload
     * (libuv's {@code UV__UDP_DGRAM_MAXSIZE}, the size Node allocates).
     */
    public static final int RECV_BUFFER_SIZE = 64 * 1024;

    private static final int BIND_FLAGS = IPV6ONLY | REUSEADDR | REUSEPORT;
    private static final int EAGAIN = -Errno.EAGAIN.number();
    private static final int ENOBUFS = -Errno.ENOBUFS.number();

    /** Runs when a send has completed: {@code error} is null on success. */
    @FunctionalInterface
    public interface SendCallback {
        /**
         * Reports a send's outcome.
         *
         * @param error null on success, otherwise the failure
         */
        void onSend(ErrnoException error);
    }

    /**
     * Runs for each datagram received: {@code data} is a new array holding it (the receiver's to
     * keep; empty for an empty datagram), {@code sender} its source, {@code flags} {@link #PARTIAL}
     * if it was cut to the buffer size. On a receive error (such as ECONNREFUSED on a connected
     * socket after an ICMP port unreachable) {@code error} is set and the rest are null/0.
     */
    @FunctionalInterface
    public interface RecvCallback {
        /**
         * Gets a datagram or a receive error.
         *
         * @param error null for a datagram, otherwise the receive error
         * @param data the datagram's bytes
         * @param sender its source address
         * @param flags {@link #PARTIAL} if it was cut, else 0
         */
        void onRecv(ErrnoException error, byte[] data, SockAddr sender, int flags);
    }

    /** One datagram on its way (libuv's {@code uv_udp_send_t}). */
    private static final class Send {
        final byte[] data;
        final int off;
        final int len;
        final SockAddr addr;
        final SendCallback callback;
        /** Bytes sent, or -errno once completed. */
        int status;

        Send(byte[] data, int off, int len, SockAddr addr, SendCallback callback) {
            this.data = data;
            this.off = off;
            this.len = len;
            this.addr = addr;
            this.callback = callback;
        }
    }

    private Fd fd;
    private IoWatcher watcher;
    private int af = Net.AF_UNSPEC;
    private boolean connected;

    private final ArrayDeque<Send> writeQueue = new ArrayDeque<>();
    private final ArrayDeque<Send> completedQueue = new ArrayDeque<>();
    private long sendQueueSize;
    private int sendQueueCount;
    /** Completion callbacks are running: a send made by one of them waits for EPOLLOUT (libuv's UV_HANDLE_UDP_PROCESSING). */
    private boolean processing;
    /** A pending-phase run of the completions is queued (libuv's uv__io_feed). */
    private boolean fed;

    private RecvCallback recvCallback;
    private byte[] recvBuffer;
    private final SockAddr[] from = new SockAddr[1];

    /**
     * A UDP handle with no socket yet; {@link #bind} or the first send creates it.
     *
     * @param loop the loop it belongs to
     */
    public Udp(Loop loop) {
        super(loop);
    }

    // ---------------------------------------------------------------- socket

    /**
     * Binds to {@code addr} (libuv's {@code uv_udp_bind}), creating the socket for its family.
     * {@code flags} is a combination of {@link #REUSEADDR}, {@link #REUSEPORT} and
     * {@link #IPV6ONLY} (IPv6 addresses only).
     *
     * @param addr the address to bind
     * @param flags {@link #REUSEADDR}, {@link #REUSEPORT}, {@link #IPV6ONLY}, or 0
     * @throws ErrnoException "bind CODE address:port": EADDRINUSE for a busy port, EINVAL for
     *     unknown flags, IPV6ONLY on IPv4, a second bind or a family the socket does not have
     */
    public void bind(SockAddr addr, int flags) {
        checkOpen();
        Objects.requireNonNull(addr, "addr");
        if ((flags & ~BIND_FLAGS) != 0 || addr.isUnix()
                || ((flags & IPV6ONLY) != 0 && addr.af() != Net.AF_INET6)) {
            throw ErrnoException.plainWithHostPort(Errno.EINVAL, "bind", addr.address(), addr.port());
        }
        int r = doBind(addr, flags);
        if (r < 0) throw ErrnoException.plainWithHostPort(Errno.of(r), "bind", addr.address(), addr.port());
    }

    /**
     * {@link #bind(SockAddr, int)} with no flags.
     *
     * @param addr the address to bind
     */
    public void bind(SockAddr addr) {
        bind(addr, 0);
    }

    /**
     * Adopts an existing UDP socket (libuv's {@code uv_udp_open}): one received from another
     * process, typically already bound. It is made non-blocking and owned by this handle from now
     * on; on failure the caller still owns it.
     *
     * @param socket the socket to adopt
     * @throws ErrnoException EBUSY if this handle already has a socket; ENOTSOCK / EINVAL for a
     *     descriptor that is not an IPv4 or IPv6 datagram socket
     */
    public void open(Fd socket) {
        checkOpen();
        Objects.requireNonNull(socket, "socket");
        if (fd != null) throw ErrnoException.of(Errno.EBUSY, "uv_udp_open");
        int s = socket.intValue();
        int family = Net.getsockopt(s, Net.SOL_SOCKET, Net.SO_DOMAIN);
        if (family < 0) throw ErrnoException.of(family, "uv_udp_open");
        int type = Net.getsockopt(s, Net.SOL_SOCKET, Net.SO_TYPE);
        if (type < 0) throw ErrnoException.of(type, "uv_udp_open");
        if ((family != Net.AF_INET && family != Net.AF_INET6) || type != Net.SOCK_DGRAM) {
            throw ErrnoException.of(Errno.EINVAL, "uv_udp_open");
        }
        int r = LibC.setNonBlocking(s, true);
        if (r < 0) throw ErrnoException.of(r, "uv_udp_open");
        fd = socket;
        af = family;
        watcher = new IoWatcher(loop(), s, this::onReady);
        // A connected socket keeps sending to its peer (libuv checks getpeername too).
        try {
            Net.getpeername(s);
            connected = true;
        } catch (ErrnoException notConnected) {
            connected = false; // ENOTCONN: the usual case
        }
    }

    /** libuv's uv__udp_bind: 0 or -errno. */
    private int doBind(SockAddr addr, int flags) {
        if (fd == null) {
            int r = open(addr.af());
            if (r < 0) return r;
        }
        int s = fd.intValue();
        if ((flags & REUSEADDR) != 0) {
            int r = Net.setsockopt(s, Net.SOL_SOCKET, Net.SO_REUSEADDR, 1);
            if (r < 0) return r;
        }
        if ((flags & REUSEPORT) != 0) {
            int r = Net.setsockopt(s, Net.SOL_SOCKET, Net.SO_REUSEPORT, 1);
            if (r < 0) return r;
        }
        if ((flags & IPV6ONLY) != 0) {
            int r = Net.setsockopt(s, Net.IPPROTO_IPV6, Net.IPV6_V6ONLY, 1);
            if (r < 0) return r;
        }
        int r = Net.bind(s, addr);
        // The other family's address on this socket: Linux says EAFNOSUPPORT or EINVAL; libuv
        // reports EINVAL for both.
        if (r == -Errno.EAFNOSUPPORT.number()) return -Errno.EINVAL.number();
        return r;
    }

    /** Creates the non-blocking socket and its watcher; 0 or -errno (EMFILE...). */
    private int open(int family) {
        try {
            fd = Net.socket(family, Net.SOCK_DGRAM | Net.SOCK_NONBLOCK, 0);
        } catch (ErrnoException e) {
            return -e.errnoEntry().number();
        }
        af = family;
        watcher = new IoWatcher(loop(), fd.intValue(), this::onReady);
        return 0;
    }

    /**
     * libuv's uv__udp_maybe_deferred_bind: a handle with no socket yet is bound to the wildcard
     * address of {@code family}, port 0, so that it has a local port to send from and reply to.
     */
    private void maybeDeferredBind(int family, int flags) {
        if (fd != null) return;
        SockAddr any = SockAddr.inet(family == Net.AF_INET6 ? "::" : "0.0.0.0", 0);
        int r = doBind(any, flags);
        if (r < 0) throw ErrnoException.plainWithHostPort(Errno.of(r), "bind", any.address(), 0);
    }

    /**
     * Associates the socket with one peer (libuv's {@code uv_udp_connect}): sends then go there
     * without an address, and only its datagrams are received. Binds implicitly if needed.
     *
     * @param addr the peer's address
     * @throws ErrnoException "connect CODE address:port": EISCONN if already connected
     */
    public void connect(SockAddr addr) {
        checkOpen();
        Objects.requireNonNull(addr, "addr");
        if (connected) throw ErrnoException.plainWithHostPort(Errno.EISCONN, "connect", addr.address(), addr.port());
        if (addr.isUnix()) throw ErrnoException.plainWithHostPort(Errno.EINVAL, "connect", addr.address(), addr.port());
        maybeDeferredBind(addr.af(), 0);
        int r = Net.connect(fd.intValue(), addr);
        if (r < 0) throw ErrnoException.plainWithHostPort(Errno.of(r), "connect", addr.address(), addr.port());
        connected = true;
    }

    /**
     * Dissolves the association {@link #connect} made (libuv's {@code uv_udp_connect(NULL)}).
     *
     * @throws ErrnoException "disconnect ENOTCONN" if not connected
     */
    public void disconnect() {
        checkOpen();
        if (!connected) throw ErrnoException.plain(Errno.ENOTCONN, "disconnect", null);
        int r = Net.disconnect(fd.intValue());
        // Some systems refuse AF_UNSPEC yet dissolve the association anyway; libuv ignores these.
        if (r < 0 && r != -Errno.EAFNOSUPPORT.number() && r != -Errno.EINVAL.number()) {
            throw ErrnoException.plain(Errno.of(r), "disconnect", null);
        }
        connected = false;
    }

    /** {@return whether {@link #connect} has associated the socket with a peer} */
    public boolean isConnected() {
        loop().checkThread();
        return connected;
    }

    /**
     * The local address (libuv's {@code uv_udp_getsockname}).
     *
     * @return the local address
     * @throws ErrnoException "getsockname EBADF" before the socket exists
     */
    public SockAddr getsockname() {
        return name(false);
    }

    /**
     * The connected peer's address (libuv's {@code uv_udp_getpeername}).
     *
     * @return the peer's address
     * @throws ErrnoException "getpeername ENOTCONN" when not connected, EBADF before the socket exists
     */
    public SockAddr getpeername() {
        return name(true);
    }

    private SockAddr name(boolean peer) {
        String syscall = peer ? "getpeername" : "getsockname";
        checkOpen();
        if (fd == null) throw ErrnoException.plain(Errno.EBADF, syscall, null);
        try {
            return peer ? Net.getpeername(fd.intValue()) : Net.getsockname(fd.intValue());
        } catch (ErrnoException e) {
            throw ErrnoException.plain(e.errnoEntry(), syscall, null);
        }
    }

    /** {@return the socket's descriptor, or -1 before it exists (libuv's {@code uv_fileno})} */
    public int fileno() {
        loop().checkThread();
        return fd == null || isClosing() ? -1 : fd.intValue();
    }

    // ---------------------------------------------------------------- sending

    /**
     * {@link #send(byte[], int, int, SockAddr, SendCallback)} of the whole array.
     *
     * @param data the datagram
     * @param addr the destination, or null on a connected socket
     * @param callback runs once the send has completed, or null
     */
    public void send(byte[] data, SockAddr addr, SendCallback callback) {
        send(data, 0, data.length, addr, callback);
    }

    /**
     * Sends {@code data[off, off+len)} as one datagram to {@code addr} ({@code null} on a
     * connected socket), binding implicitly first if needed (libuv's {@code uv_udp_send}). The
     * bytes are not copied: leave them unchanged until the callback has run. {@code callback}
     * (may be null) runs exactly once, never inside this call; a datagram too large for the
     * protocol completes with EMSGSIZE, one still queued at {@link #close()} with ECANCELED.
     *
     * @param data the buffer
     * @param off where the datagram starts in {@code data}
     * @param len the datagram's length
     * @param addr the destination, or null on a connected socket
     * @param callback runs once the send has completed, or null
     * @throws ErrnoException EISCONN for an address on a connected socket, EDESTADDRREQ for none
     *     on an unconnected one, EINVAL for a Unix address; errors of the implicit bind
     * @throws IllegalStateException if the handle is closed
     */
    public void send(byte[] data, int off, int len, SockAddr addr, SendCallback callback) {
        checkOpen();
        Objects.checkFromIndexSize(off, len, data.length);
        checkBeforeSend(addr);
        if (addr != null) maybeDeferredBind(addr.af(), 0);
        // send_queue_count, not the write queue, says whether sends are in flight: completed
        // sends whose callbacks have not run yet still count, and keep the order.
        boolean emptyQueue = sendQueueCount == 0;
        Send req = new Send(data, off, len, addr, callback);
        loop().requestStarted();
        sendQueueSize += len;
        sendQueueCount++;
        writeQueue.addLast(req);
        activate();
        if (emptyQueue && !processing) {
            sendQueued();
            // What the kernel could not take now waits for writability.
            if (!writeQueue.isEmpty()) watcher.start(Epoll.EPOLLOUT);
        } else {
            watcher.start(Epoll.EPOLLOUT);
        }
    }

    /**
     * Sends {@code data[off, off+len)} now if the kernel takes it, without queueing (libuv's
     * {@code uv_udp_try_send}). Returns true when the whole datagram was sent, false when it
     * would have to wait (EAGAIN or ENOBUFS, or sends are already queued: they go first).
     *
     * @param data the buffer
     * @param off where the datagram starts in {@code data}
     * @param len the datagram's length
     * @param addr the destination, or null on a connected socket
     * @return whether the datagram was sent
     * @throws ErrnoException "send CODE address:port" for other failures (EMSGSIZE...), and what
     *     {@link #send} throws
     */
    public boolean trySend(byte[] data, int off, int len, SockAddr addr) {
        checkOpen();
        Objects.checkFromIndexSize(off, len, data.length);
        checkBeforeSend(addr);
        if (sendQueueCount != 0) return false;
        if (addr != null) maybeDeferredBind(addr.af(), 0);
        long r = Net.sendto(fd.intValue(), data, off, len, 0, addr);
        if (r == EAGAIN || r == ENOBUFS) return false;
        if (r < 0) throw sendError((int) r, addr);
        return true;
    }

    /**
     * {@link #trySend(byte[], int, int, SockAddr)} of the whole array.
     *
     * @param data the datagram
     * @param addr the destination, or null on a connected socket
     * @return whether the datagram was sent
     */
    public boolean trySend(byte[] data, SockAddr addr) {
        return trySend(data, 0, data.length, addr);
    }

    /** libuv's uv__udp_check_before_send. */
    private void checkBeforeSend(SockAddr addr) {
        if (addr != null && connected) throw sendError(-Errno.EISCONN.number(), addr);
        if (addr == null && !connected) throw sendError(-Errno.EDESTADDRREQ.number(), null);
        if (addr != null && addr.isUnix()) throw sendError(-Errno.EINVAL.number(), addr);
    }

    private static ErrnoException sendError(int status, SockAddr addr) {
        return ErrnoException.plainWithHostPort(Errno.of(status), "send",
                addr == null ? null : addr.address(), addr == null ? 0 : addr.port());
    }

    /**
     * libuv's uv__udp_sendmsg: sends queued datagrams until the kernel pushes back, moving each
     * one that got an answer (bytes or an error) to the completed queue.
     */
    private void sendQueued() {
        Send req;
        while ((req = writeQueue.peekFirst()) != null) {
            long r = Net.sendto(fd.intValue(), req.data, req.off, req.len, 0, req.addr);
            // ENOBUFS is transient (the interface queue is full), so it waits like EAGAIN.
            if (r == EAGAIN || r == ENOBUFS) break;
            req.status = (int) r;
            writeQueue.pollFirst();
            completedQueue.addLast(req);
            feed();
        }
    }

    /** Queues one pending-phase run of the completions; they must not run inside send(). */
    private void feed() {
        if (fed) return;
        fed = true;
        loop().queuePending(this::onPending);
    }

    /** The pending phase: libuv's uv__udp_io(POLLOUT) reached through uv__io_feed. */
    private void onPending() {
        fed = false;
        if (!isClosing()) sendQueued();
        runCompleted();
    }

    /** libuv's uv__udp_run_completed: each completed send's callback, in send order. */
    private void runCompleted() {
        processing = true;
        try {
            Send req;
            while ((req = completedQueue.pollFirst()) != null) {
                loop().requestDone();
                sendQueueSize -= req.len;
                sendQueueCount--;
                if (req.callback != null) req.callback.onSend(req.status < 0 ? sendError(req.status, req.addr) : null);
            }
        } finally {
            processing = false;
            // A callback threw: the loop's handler gets the exception, the rest run next time.
            if (!completedQueue.isEmpty()) feed();
        }
        if (writeQueue.isEmpty()) {
            if (watcher != null) watcher.stop(Epoll.EPOLLOUT);
            if (recvCallback == null) deactivate();
        }
    }

    /**
     * {@return the bytes of the datagrams sent and not yet through their callbacks (libuv's {@code send_queue_size})}
     */
    public long sendQueueSize() {
        loop().checkThread();
        return sendQueueSize;
    }

    /** {@return the datagrams sent and not yet through their callbacks (libuv's {@code send_queue_count})} */
    public int sendQueueCount() {
        loop().checkThread();
        return sendQueueCount;
    }

    // ---------------------------------------------------------------- receiving

    /**
     * {@link #recvStart(int, RecvCallback)} with a {@link #RECV_BUFFER_SIZE} buffer.
     *
     * @param callback gets each datagram or receive error
     */
    public void recvStart(RecvCallback callback) {
        recvStart(RECV_BUFFER_SIZE, callback);
    }

    /**
     * Starts delivering datagrams to {@code callback} (libuv's {@code uv_udp_recv_start}), binding
     * to {@code 0.0.0.0:0} first if the handle has no socket. Each is read into a buffer of
     * {@code bufferSize} bytes; a longer one is cut and flagged {@link #PARTIAL}. At most
     * {@link #RECVS_PER_WAKEUP} datagrams are read per readiness event.
     *
     * @param bufferSize the largest datagram kept whole
     * @param callback gets each datagram or receive error
     * @throws ErrnoException "recvStart EALREADY" if already receiving
     */
    public void recvStart(int bufferSize, RecvCallback callback) {
        checkOpen();
        Objects.requireNonNull(callback, "callback");
        if (bufferSize < 1) throw new IllegalArgumentException("bufferSize < 1: " + bufferSize);
        if (recvCallback != null) throw ErrnoException.plain(Errno.EALREADY, "recvStart", null);
        maybeDeferredBind(Net.AF_INET, 0);
        if (recvBuffer == null || recvBuffer.length != bufferSize) recvBuffer = new byte[bufferSize];
        recvCallback = callback;
        watcher.start(Epoll.EPOLLIN);
        activate();
    }

    /** Stops delivering datagrams (libuv's {@code uv_udp_recv_stop}); they wait in the kernel. Idempotent. */
    public void recvStop() {
        loop().checkThread();
        recvCallback = null;
        if (watcher == null) return;
        watcher.stop(Epoll.EPOLLIN);
        if (!watcher.isActive(Epoll.EPOLLOUT)) deactivate();
    }

    /** {@return whether {@link #recvStart} is in effect} */
    public boolean isReceiving() {
        loop().checkThread();
        return recvCallback != null;
    }

    private void onReady(int events) {
        if ((events & Epoll.EPOLLIN) != 0) receive();
        if ((events & Epoll.EPOLLOUT) != 0 && !isClosing()) {
            sendQueued();
            runCompleted();
        }
    }

    /** libuv's uv__udp_recvmsg: up to {@link #RECVS_PER_WAKEUP} datagrams, while the callback wants them. */
    private void receive() {
        RecvCallback cb;
        int budget = RECVS_PER_WAKEUP;
        // The callback may stop, restart or close: look again before every read.
        while (budget-- > 0 && !isClosing() && (cb = recvCallback) != null) {
            byte[] buf = recvBuffer;
            // MSG_TRUNC makes the kernel report the datagram's real length, so a cut is visible.
            long n = Net.recvfrom(fd.intValue(), buf, 0, buf.length, Net.MSG_TRUNC, from);
            if (n == EAGAIN) return;
            if (n < 0) {
                cb.onRecv(ErrnoException.plain(Errno.of((int) n), "recvmsg", null), null, null, 0);
                return;
            }
            int flags = 0;
            int len = (int) n;
            if (n > buf.length) {
                flags = PARTIAL;
                len = buf.length;
            }
            SockAddr sender = from[0];
            from[0] = null;
            cb.onRecv(null, Arrays.copyOf(buf, len), sender, flags);
        }
    }

    // ---------------------------------------------------------------- options

    /**
     * SO_BROADCAST: permits sending to broadcast addresses. @throws ErrnoException "setBroadcast CODE"
     *
     * @param on whether to permit broadcast
     */
    public void setBroadcast(boolean on) {
        check(Net.soBroadcast(socketFd("setBroadcast"), on), "setBroadcast");
    }

    /**
     * The unicast TTL (IP_TTL, or IPV6_UNICAST_HOPS on an IPv6 socket), 1..255.
     *
     * @param ttl the time to live, 1 to 255
     * @throws ErrnoException "setTTL EINVAL" outside that range
     */
    public void setTTL(int ttl) {
        int s = socketFd("setTTL");
        if (ttl < 1 || ttl > 255) throw ErrnoException.plain(Errno.EINVAL, "setTTL", null);
        check(af == Net.AF_INET6 ? Net.setsockopt(s, Net.IPPROTO_IPV6, Net.IPV6_UNICAST_HOPS, ttl)
                : Net.setsockopt(s, Net.IPPROTO_IP, Net.IP_TTL, ttl), "setTTL");
    }

    /**
     * The multicast TTL (IP_MULTICAST_TTL, or IPV6_MULTICAST_HOPS), 0..255; 1, the default, keeps
     * datagrams on the local network.
     *
     * @param ttl the time to live, 0 to 255
     * @throws ErrnoException "setMulticastTTL EINVAL" outside that range
     */
    public void setMulticastTTL(int ttl) {
        int s = socketFd("setMulticastTTL");
        if (ttl < 0 || ttl > 255) throw ErrnoException.plain(Errno.EINVAL, "setMulticastTTL", null);
        check(af == Net.AF_INET6 ? Net.setsockopt(s, Net.IPPROTO_IPV6, Net.IPV6_MULTICAST_HOPS, ttl)
                : Net.setsockopt(s, Net.IPPROTO_IP, Net.IP_MULTICAST_TTL, ttl), "setMulticastTTL");
    }

    /**
     * Whether this host's own group members receive what this socket sends to a group (the default).
     *
     * @param on whether to loop multicast back
     */
    public void setMulticastLoop(boolean on) {
        int s = socketFd("setMulticastLoopback");
        check(af == Net.AF_INET6 ? Net.setsockopt(s, Net.IPPROTO_IPV6, Net.IPV6_MULTICAST_LOOP, on ? 1 : 0)
                : Net.ipMulticastLoop(s, on), "setMulticastLoopback");
    }

    /**
     * The interface outgoing multicast leaves by (libuv's {@code uv_udp_set_multicast_interface}):
     * an IPv4 interface address ("127.0.0.1"), or for IPv6 a zone ("::%lo", "::%1"); {@code null}
     * goes back to the kernel's choice.
     *
     * @param interfaceAddr the interface's address or zone, or null
     * @throws ErrnoException "setMulticastInterface EINVAL" for text that is not an address
     */
    public void setMulticastInterface(String interfaceAddr) {
        String syscall = "setMulticastInterface";
        int s = socketFd(syscall);
        SockAddr iface;
        if (interfaceAddr == null) {
            iface = SockAddr.inet(af == Net.AF_INET6 ? "::" : "0.0.0.0", 0);
        } else {
            iface = parse(interfaceAddr, syscall);
        }
        check(iface.af() == Net.AF_INET ? Net.ipMulticastIf(s, iface)
                : Net.setsockopt(s, Net.IPPROTO_IPV6, Net.IPV6_MULTICAST_IF, iface.scopeId()), syscall);
    }

    /**
     * Joins multicast group {@code multicastAddr} (IPv4 or IPv6) on the interface
     * {@code interfaceAddr} (IPv4: its address; IPv6: a zone such as "::%lo"; {@code null}: the
     * kernel picks by route). A handle without a socket is bound first, to the wildcard address
     * with {@link #REUSEADDR} (libuv's {@code uv_udp_set_membership}).
     *
     * @param multicastAddr the group's address
     * @param interfaceAddr the interface's address or zone, or null
     * @throws ErrnoException "addMembership CODE": EINVAL for text that is not an address
     */
    public void addMembership(String multicastAddr, String interfaceAddr) {
        membership(multicastAddr, interfaceAddr, true);
    }

    /**
     * Leaves what {@link #addMembership} joined.
     *
     * @param multicastAddr the group's address
     * @param interfaceAddr the interface's address or zone, or null
     * @throws ErrnoException "dropMembership EADDRNOTAVAIL" if the group was not joined there
     */
    public void dropMembership(String multicastAddr, String interfaceAddr) {
        membership(multicastAddr, interfaceAddr, false);
    }

    private void membership(String multicastAddr, String interfaceAddr, boolean join) {
        checkOpen();
        String syscall = join ? "addMembership" : "dropMembership";
        Objects.requireNonNull(multicastAddr, "multicastAddr");
        SockAddr group = parse(multicastAddr, syscall);
        maybeDeferredBind(group.af(), REUSEADDR);
        int s = fd.intValue();
        int r;
        if (group.af() == Net.AF_INET) {
            SockAddr iface = interfaceAddr == null ? null : parse(interfaceAddr, syscall);
            if (iface != null && iface.af() != Net.AF_INET) throw ErrnoException.plain(Errno.EINVAL, syscall, null);
            r = join ? Net.ipAddMembership(s, group, iface) : Net.ipDropMembership(s, group, iface);
        } else {
            SockAddr iface = interfaceAddr == null ? null : parse(interfaceAddr, syscall);
            if (iface != null && iface.af() != Net.AF_INET6) throw ErrnoException.plain(Errno.EINVAL, syscall, null);
            int ifindex = iface == null ? 0 : iface.scopeId();
            r = join ? Net.ipv6AddMembership(s, group, ifindex) : Net.ipv6DropMembership(s, group, ifindex);
        }
        check(r, syscall);
    }

    private static SockAddr parse(String text, String syscall) {
        try {
            return SockAddr.inet(text, 0);
        } catch (IllegalArgumentException e) {
            throw ErrnoException.plain(Errno.EINVAL, syscall, null);
        }
    }

    /** The socket for an option setter; EBADF before it exists, as libuv's setsockopt on fd -1 gives. */
    private int socketFd(String syscall) {
        checkOpen();
        if (fd == null) throw ErrnoException.plain(Errno.EBADF, syscall, null);
        return fd.intValue();
    }

    private static void check(int r, String syscall) {
        if (r < 0) throw ErrnoException.plain(Errno.of(r), syscall, null);
    }

    // ---------------------------------------------------------------- close

    /** libuv's uv__udp_close: the socket closes now; the sends wait for {@link #destroy()}. */
    @Override
    protected void doClose() {
        if (watcher != null) watcher.close();
        if (fd != null) fd.close();
        recvCallback = null;
        recvBuffer = null;
    }

    /**
     * libuv's uv__udp_finish_close, in the closing phase just before the close callback: sends
     * still queued complete with ECANCELED, and every completed send's callback runs.
     */
    @Override
    protected void destroy() {
        Send req;
        while ((req = writeQueue.pollFirst()) != null) {
            req.status = -Errno.ECANCELED.number();
            completedQueue.addLast(req);
        }
        runCompleted();
    }
}
