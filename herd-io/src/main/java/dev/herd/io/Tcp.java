package dev.herd.io;

import dev.herd.loop.Loop;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.Net;
import dev.herd.os.SockAddr;
import java.util.Objects;

/**
 * A TCP stream over IPv4 or IPv6 (libuv's {@code uv_tcp_t}, {@code src/unix/tcp.c}): a listening
 * server ({@link #bind}, {@link #listen}, {@link Stream#accept}) or a connection
 * ({@link #connect}, or a server's accepted client). The socket is made lazily by the first
 * {@code bind}, {@code connect} or {@code listen}, in the address's family, non-blocking and
 * close-on-exec.
 *
 * <p>Errors follow libuv: EADDRINUSE found by {@code bind} surfaces at {@link #listen} (or in a
 * {@link #connect} callback); ECONNREFUSED arrives in the connect callback, never from
 * {@code connect} itself.
 *
 * <p>Thread rule: loop thread only. Lifetime: as {@link Stream}; the socket closes with the handle.
 */
public final class Tcp extends Stream {
    /** {@link #bind} flag: an IPv6 socket accepts IPv6 only, not IPv4-mapped peers (UV_TCP_IPV6ONLY). */
    public static final int IPV6ONLY = 1;
    /** {@link #bind} flag: SO_REUSEPORT, so that several sockets can listen on one port and the kernel balances connections between them (UV_TCP_REUSEPORT). */
    public static final int REUSEPORT = 2;

    private static final int EADDRINUSE = -Errno.EADDRINUSE.number();
    private static final int EINPROGRESS = -Errno.EINPROGRESS.number();
    private static final int ECONNREFUSED = -Errno.ECONNREFUSED.number();
    private static final int EAFNOSUPPORT = -Errno.EAFNOSUPPORT.number();
    /** libuv's keep-alive probe interval and count (seconds, probes), as on Windows. */
    private static final int KEEPALIVE_INTERVAL = 1;
    private static final int KEEPALIVE_COUNT = 10;

    private boolean noDelay;
    private boolean keepAlive;
    private int keepAliveDelay;
    /** Where bind tried to bind, for messages; and the EADDRINUSE it deferred (libuv's delayed_error). */
    private SockAddr bindAddress;
    private boolean bindInUse;

    /**
     * A TCP handle with no socket yet.
     *
     * @param loop the loop it belongs to
     */
    public Tcp(Loop loop) {
        super(loop);
    }

    /**
     * Adopts an existing socket (libuv's {@code uv_tcp_open}), connected or listening-to-be; it is
     * made non-blocking and from now on owned by this handle. On failure the caller still owns it.
     *
     * @param fd the socket to adopt
     * @throws ErrnoException EBUSY if this handle already has a socket
     */
    public void open(Fd fd) {
        checkOpen();
        Objects.requireNonNull(fd, "fd");
        if (fd() != null) throw ErrnoException.of(Errno.EBUSY, "uv_tcp_open");
        openForeignSocket(fd);
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
     * Binds to {@code addr} (port 0: the kernel picks), with SO_REUSEADDR always set (a restarted
     * server can rebind while old connections linger in TIME_WAIT), and SO_REUSEPORT and
     * IPV6_V6ONLY as {@code flags} say ({@link #REUSEPORT}, {@link #IPV6ONLY}). An IPv6 socket is
     * dual-stack unless IPV6ONLY is given. A port already in use is not reported here but by the
     * following {@link #listen} (libuv defers EADDRINUSE the same way).
     *
     * @param addr the address to bind
     * @param flags {@link #REUSEPORT}, {@link #IPV6ONLY}, or 0
     * @throws ErrnoException EINVAL for IPV6ONLY on an IPv4 address or a family mismatch;
     *     EADDRNOTAVAIL, EACCES, ... from bind(2), with the address and port
     */
    public void bind(SockAddr addr, int flags) {
        bindTo(addr, flags);
    }

    /**
     * Binds to every local address, as Node's {@code createServerHandle} does for a server given
     * no address: {@code ::} (dual-stack unless {@link #IPV6ONLY}) first, {@code 0.0.0.0} (with
     * {@link #REUSEPORT} if asked) where IPv6 cannot be had.
     *
     * @param port the port, 0 for one the kernel picks
     * @param flags {@link #REUSEPORT}, {@link #IPV6ONLY}, or 0
     * @throws ErrnoException as {@link #bind(SockAddr, int)}
     */
    public void bindAny(int port, int flags) {
        try {
            bindTo(SockAddr.inet("::", port), flags);
        } catch (ErrnoException e) {
            if (e.errnoEntry() != Errno.EAFNOSUPPORT && e.errnoEntry() != Errno.EADDRNOTAVAIL) throw e;
            bindTo(SockAddr.inet("0.0.0.0", port), flags & REUSEPORT);
        }
    }

    private void bindTo(SockAddr addr, int flags) {
        checkOpen();
        Objects.requireNonNull(addr, "addr");
        if (addr.isUnix()) throw new IllegalArgumentException("a Tcp binds an IP address, not " + addr);
        if ((flags & IPV6ONLY) != 0 && addr.af() != Net.AF_INET6) {
            throw ErrnoException.withHostPort(Errno.EINVAL, "bind", addr.address(), addr.port());
        }
        maybeNewSocket(addr.af(), false);
        int fd = fd().intValue();
        setOption(Net.SOL_SOCKET, Net.SO_REUSEADDR, 1);
        if ((flags & REUSEPORT) != 0) setOption(Net.SOL_SOCKET, Net.SO_REUSEPORT, 1);
        if (addr.af() == Net.AF_INET6) setOption(Net.IPPROTO_IPV6, Net.IPV6_V6ONLY, (flags & IPV6ONLY) != 0 ? 1 : 0);
        int r = Net.bind(fd, addr);
        if (r < 0 && r != EADDRINUSE) {
            // Some systems say EAFNOSUPPORT for an address of the other family; libuv says EINVAL.
            Errno e = r == EAFNOSUPPORT ? Errno.EINVAL : Errno.of(r);
            throw ErrnoException.withHostPort(e, "bind", addr.address(), addr.port());
        }
        bindAddress = addr;
        bindInUse = r == EADDRINUSE;
    }

    /**
     * Listens with {@code backlog} (Node's default is 511) and calls {@code callback} for each
     * incoming connection; take it with {@link Stream#accept(Stream)} into a new {@code Tcp}.
     * Without a prior bind the kernel picks an IPv4 port. Listening again updates the backlog and
     * the callback.
     *
     * @param backlog the longest queue of pending connections
     * @param callback runs for each incoming connection
     * @throws ErrnoException EADDRINUSE deferred from {@link #bind}, or listen(2)'s error
     */
    public void listen(int backlog, ConnectionCallback callback) {
        checkOpen();
        Objects.requireNonNull(callback, "callback");
        if (bindInUse) throw ErrnoException.withHostPort(Errno.EADDRINUSE, "listen", bindAddress.address(), bindAddress.port());
        maybeNewSocket(Net.AF_INET, false);
        int r = Net.listen(fd().intValue(), backlog);
        if (r < 0) {
            throw bindAddress == null ? ErrnoException.of(r, "listen")
                    : ErrnoException.withHostPort(Errno.of(r), "listen", bindAddress.address(), bindAddress.port());
        }
        startListening(callback);
    }

    /**
     * Connects to {@code addr} without blocking (libuv's {@code uv_tcp_connect}); the stream is
     * readable and writable at once (reads wait, writes queue until connected). {@code callback}
     * runs exactly once: {@code null} when connected, ECONNREFUSED, ETIMEDOUT, ENETUNREACH... as
     * they come, or ECANCELED if the stream closes first.
     *
     * @param addr the address to connect to
     * @param callback runs once when connected or failed
     * @return the request
     * @throws ErrnoException EALREADY while a connect is in progress; errors connect(2) reports
     *     at once other than ECONNREFUSED (EADDRNOTAVAIL, EAFNOSUPPORT, ...)
     */
    public ConnectRequest connect(SockAddr addr, RequestCallback callback) {
        checkOpen();
        Objects.requireNonNull(addr, "addr");
        if (addr.isUnix()) throw new IllegalArgumentException("a Tcp connects to an IP address, not " + addr);
        if (isConnecting()) throw ErrnoException.withHostPort(Errno.EALREADY, "connect", addr.address(), addr.port());
        ErrnoException delayed = null;
        if (bindInUse) {
            delayed = ErrnoException.withHostPort(Errno.EADDRINUSE, "connect", addr.address(), addr.port());
        } else {
            maybeNewSocket(addr.af(), true);
            int r = Net.connect(fd().intValue(), addr);
            if (r < 0 && r != EINPROGRESS) {
                // Linux may refuse a loopback connect at once; libuv reports it in the callback
                // like every other platform's asynchronous refusal.
                if (r != ECONNREFUSED) throw ErrnoException.withHostPort(Errno.of(r), "connect", addr.address(), addr.port());
                delayed = ErrnoException.withHostPort(Errno.ECONNREFUSED, "connect", addr.address(), addr.port());
            }
        }
        return startConnect(callback, addr.address(), addr.port(), delayed);
    }

    /**
     * Turns Nagle's algorithm off ({@code true}: TCP_NODELAY) or on; remembered until there is a socket.
     *
     * @param enable true to turn Nagle's algorithm off
     */
    public void setNoDelay(boolean enable) {
        checkOpen();
        noDelay = enable;
        if (fd() != null) setOption(Net.IPPROTO_TCP, Net.TCP_NODELAY, enable ? 1 : 0);
    }

    /**
     * Turns TCP keep-alive on, probing after {@code delaySeconds} of idleness, every second, ten
     * times (libuv's values), or off; remembered until there is a socket.
     *
     * @param enable whether to turn keep-alive on
     * @param delaySeconds idle seconds before the first probe
     * @throws IllegalArgumentException if enabling with a delay below 1 second
     */
    public void setKeepAlive(boolean enable, int delaySeconds) {
        checkOpen();
        if (enable && delaySeconds < 1) throw new IllegalArgumentException("keep-alive delay must be at least 1 s: " + delaySeconds);
        keepAlive = enable;
        keepAliveDelay = delaySeconds;
        if (fd() != null) applyKeepAlive();
    }

    /**
     * The local address (libuv's {@code uv_tcp_getsockname}): after {@code bind} to port 0, the
     * port the kernel chose.
     *
     * @return the local address
     * @throws ErrnoException EADDRINUSE deferred from bind, EBADF without a socket
     */
    public SockAddr getsockname() {
        loop().checkThread();
        if (bindInUse) throw ErrnoException.withHostPort(Errno.EADDRINUSE, "getsockname", bindAddress.address(), bindAddress.port());
        return Net.getsockname(fileno());
    }

    /**
     * The peer's address (libuv's {@code uv_tcp_getpeername}).
     *
     * @return the peer's address
     * @throws ErrnoException ENOTCONN if not connected, EBADF without a socket
     */
    public SockAddr getpeername() {
        loop().checkThread();
        return Net.getpeername(fileno());
    }

    @Override
    void opened() {
        // Options set before there was a socket (libuv's UV_HANDLE_TCP_NODELAY/KEEPALIVE flags).
        if (noDelay) setOption(Net.IPPROTO_TCP, Net.TCP_NODELAY, 1);
        if (keepAlive) applyKeepAlive();
    }

    /** libuv's {@code maybe_new_socket}: make the socket if there is none; mark it connectable. */
    private void maybeNewSocket(int af, boolean readableWritable) {
        if (fd() == null) {
            Fd s = Net.socket(af, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
            try {
                openSocket(s, readableWritable, readableWritable);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        } else if (readableWritable) {
            setReadableWritable();
        }
    }

    private void applyKeepAlive() {
        setOption(Net.SOL_SOCKET, Net.SO_KEEPALIVE, keepAlive ? 1 : 0);
        if (!keepAlive) return;
        setOption(Net.IPPROTO_TCP, Net.TCP_KEEPIDLE, keepAliveDelay);
        setOption(Net.IPPROTO_TCP, Net.TCP_KEEPINTVL, KEEPALIVE_INTERVAL);
        setOption(Net.IPPROTO_TCP, Net.TCP_KEEPCNT, KEEPALIVE_COUNT);
    }

    private void setOption(int level, int name, int value) {
        int r = Net.setsockopt(fd().intValue(), level, name, value);
        if (r < 0) throw ErrnoException.of(r, "setsockopt");
    }

    @Override
    Stream newPeer() {
        return new Tcp(loop());
    }
}
