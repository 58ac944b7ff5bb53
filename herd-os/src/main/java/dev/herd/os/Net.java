package dev.herd.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Socket system calls: socket/bind/listen/accept4/connect, socket options, names, shutdown,
 * socketpair, send/recv, sendto/recvfrom, readv/writev and sendmsg/recvmsg with SCM_RIGHTS fd
 * passing. Names, arguments and constants are C's (the man page is the doc).
 *
 * <p>Conventions are {@link LibC}'s: a call returns its C result when it succeeds and
 * {@code -errno} when it fails; EINTR is retried here; EAGAIN comes back as {@code -EAGAIN}, and a
 * non-blocking connect's {@code -EINPROGRESS} is a normal result. Calls that create descriptors
 * and cannot return EAGAIN ({@link #socket}, {@link #socketpair}) return owned {@link Fd}s and throw
 * {@link ErrnoException}; so do the queries that return an address ({@link #getsockname},
 * {@link #getpeername}). Every descriptor is created close-on-exec ({@code SOCK_CLOEXEC} and
 * {@code MSG_CMSG_CLOEXEC} are always added) and every send uses {@code MSG_NOSIGNAL}, so a closed
 * peer gives {@code -EPIPE} rather than a SIGPIPE.
 *
 * <p>Calls taking a {@code byte[]} ({@link #send}, {@link #recv}, {@link #sendto},
 * {@link #recvfrom}) hand the array to the kernel without copying and are for non-blocking sockets
 * only: the thread cannot reach a safepoint inside them. The others copy heap data through
 * per-thread native memory (direct {@link ByteBuffer}s are used in place) and may block on a
 * blocking socket like any native call.
 *
 * <p>Thread rule: every method is safe on any thread. Stateless; nothing to close.
 */
public final class Net {
    private Net() {}

    // ---- address families, socket types ----
    /** Address family: any (getaddrinfo), or none. */
    public static final int AF_UNSPEC = 0;
    /** Address family: Unix-domain sockets. */
    public static final int AF_UNIX = 1;
    /** Address family: IPv4. */
    public static final int AF_INET = 2;
    /** Address family: IPv6. */
    public static final int AF_INET6 = 10;
    /** Socket type: a reliable byte stream. */
    public static final int SOCK_STREAM = 1;
    /** Socket type: datagrams. */
    public static final int SOCK_DGRAM = 2;
    /** Socket type: reliable, ordered records. */
    public static final int SOCK_SEQPACKET = 5;
    /** socket(2) type flag: non-blocking. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** socket(2) type flag: close-on-exec. */
    public static final int SOCK_CLOEXEC = 0x80000;

    // ---- levels and protocols ----
    /** The socket-level option level. */
    public static final int SOL_SOCKET = 1;
    /** Protocol level of IPv4 options. */
    public static final int IPPROTO_IP = 0;
    /** Protocol: TCP; the level of TCP options. */
    public static final int IPPROTO_TCP = 6;
    /** Protocol: UDP. */
    public static final int IPPROTO_UDP = 17;
    /** Protocol level of IPv6 options. */
    public static final int IPPROTO_IPV6 = 41;

    // ---- SOL_SOCKET options ----
    /** SOL_SOCKET option: bind a port that has connections in TIME_WAIT. */
    public static final int SO_REUSEADDR = 2;
    /** SOL_SOCKET option (read only): the socket type. */
    public static final int SO_TYPE = 3;
    /** SOL_SOCKET option (read only): the pending error, cleared by reading it. */
    public static final int SO_ERROR = 4;
    /** SOL_SOCKET option: allow sending to broadcast addresses. */
    public static final int SO_BROADCAST = 6;
    /** SOL_SOCKET option: the send buffer size. */
    public static final int SO_SNDBUF = 7;
    /** SOL_SOCKET option: the receive buffer size. */
    public static final int SO_RCVBUF = 8;
    /** SOL_SOCKET option: send TCP keep-alive probes. */
    public static final int SO_KEEPALIVE = 9;
    /** SOL_SOCKET option: several sockets bind one port and the kernel spreads the load. */
    public static final int SO_REUSEPORT = 15;
    /** SOL_SOCKET option: receive SCM_CREDENTIALS. */
    public static final int SO_PASSCRED = 16;
    /** SOL_SOCKET option (read only): the peer's pid, uid and gid. */
    public static final int SO_PEERCRED = 17;
    /** SOL_SOCKET option (read only): whether the socket is listening. */
    public static final int SO_ACCEPTCONN = 30;
    /** SOL_SOCKET option (read only): the protocol. */
    public static final int SO_PROTOCOL = 38;
    /** SOL_SOCKET option (read only): the address family. */
    public static final int SO_DOMAIN = 39;

    // ---- IPPROTO_TCP options ----
    /** IPPROTO_TCP option: send small segments at once (no Nagle). */
    public static final int TCP_NODELAY = 1;
    /** IPPROTO_TCP option: idle seconds before the first keep-alive probe. */
    public static final int TCP_KEEPIDLE = 4;
    /** IPPROTO_TCP option: seconds between keep-alive probes. */
    public static final int TCP_KEEPINTVL = 5;
    /** IPPROTO_TCP option: keep-alive probes before the connection is dropped. */
    public static final int TCP_KEEPCNT = 6;

    // ---- IPPROTO_IP / IPPROTO_IPV6 options ----
    /** IPPROTO_IP option: the TTL of outgoing unicast (ip(7)). */
    public static final int IP_TTL = 2;
    /** IPPROTO_IP option: the interface for outgoing multicast (ip(7)). */
    public static final int IP_MULTICAST_IF = 32;
    /** IPPROTO_IP option: the TTL of outgoing multicast (ip(7)). */
    public static final int IP_MULTICAST_TTL = 33;
    /** IPPROTO_IP option: loop outgoing multicast back to local sockets (ip(7)). */
    public static final int IP_MULTICAST_LOOP = 34;
    /** IPPROTO_IP option: join a multicast group (ip(7)). */
    public static final int IP_ADD_MEMBERSHIP = 35;
    /** IPPROTO_IP option: leave a multicast group (ip(7)). */
    public static final int IP_DROP_MEMBERSHIP = 36;
    /** IPPROTO_IPV6 option: the hop limit of outgoing unicast (ipv6(7)). */
    public static final int IPV6_UNICAST_HOPS = 16;
    /** IPPROTO_IPV6 option: the interface for outgoing multicast (ipv6(7)). */
    public static final int IPV6_MULTICAST_IF = 17;
    /** IPPROTO_IPV6 option: the hop limit of outgoing multicast (ipv6(7)). */
    public static final int IPV6_MULTICAST_HOPS = 18;
    /** IPPROTO_IPV6 option: loop outgoing multicast back to local sockets (ipv6(7)). */
    public static final int IPV6_MULTICAST_LOOP = 19;
    /** IPPROTO_IPV6 option: join a multicast group (ipv6(7)). */
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    /** IPPROTO_IPV6 option: leave a multicast group (ipv6(7)). */
    public static final int IPV6_DROP_MEMBERSHIP = 21;
    /** IPPROTO_IPV6 option: the socket takes IPv6 only, no IPv4-mapped addresses (ipv6(7)). */
    public static final int IPV6_V6ONLY = 26;

    // ---- control messages ----
    /** Control message type: file descriptors (unix(7)). */
    public static final int SCM_RIGHTS = 1;
    /** Control message type: the sender's pid, uid and gid (unix(7)). */
    public static final int SCM_CREDENTIALS = 2;
    /** The kernel's limit on fds in one SCM_RIGHTS message. */
    public static final int SCM_MAX_FD = 253;
    /** Fds one {@link #recvmsg} makes room for: libuv's {@code UV__CMSG_FD_COUNT}. */
    public static final int RECV_FDS_MAX = 64;

    // ---- MSG_* flags ----
    /** send/recv flag: out-of-band data. */
    public static final int MSG_OOB = 0x1;
    /** recv flag: read without taking the data from the queue. */
    public static final int MSG_PEEK = 0x2;
    /** recvmsg(2) result flag: control data was cut for lack of room. */
    public static final int MSG_CTRUNC = 0x8;
    /** recv flag and result flag: the datagram was longer than the buffer. */
    public static final int MSG_TRUNC = 0x20;
    /** send/recv flag: do not block. */
    public static final int MSG_DONTWAIT = 0x40;
    /** send flag: end of record (SOCK_SEQPACKET). */
    public static final int MSG_EOR = 0x80;
    /** recv flag: wait for the whole buffer. */
    public static final int MSG_WAITALL = 0x100;
    /** send flag: no SIGPIPE on a broken stream; EPIPE instead. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** recvmsg(2) flag: received descriptors are close-on-exec. */
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    // ---- misc ----
    /** shutdown(2): stop receiving. */
    public static final int SHUT_RD = 0;
    /** shutdown(2): stop sending (the peer reads EOF). */
    public static final int SHUT_WR = 1;
    /** shutdown(2): stop receiving and sending. */
    public static final int SHUT_RDWR = 2;
    /** The largest listen(2) backlog the kernel takes by default (net.core.somaxconn). */
    public static final int SOMAXCONN = 4096;
    /** The most iovec entries one writev(2) or sendmsg(2) takes. */
    public static final int IOV_MAX = 1024;
    /** IPv4 address 0.0.0.0, host byte order. */
    public static final int INADDR_ANY = 0;
    /** IPv4 address 127.0.0.1, host byte order. */
    public static final int INADDR_LOOPBACK = 0x7f000001;

    private static final int EINTR = 4;
    private static final int EINPROGRESS = 115;
    private static final int EALREADY = 114;
    private static final int EISCONN = 106;

    // ---- struct layouts (glibc x86_64; see the FFM facts) ----
    private static final long IOVEC_SIZE = 16;
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_NAME = 0;
    private static final long MSG_NAMELEN = 8;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_CONTROL = 32;
    private static final long MSG_CONTROLLEN = 40;
    private static final long MSG_FLAGS = 48;
    private static final long CMSG_HDR = 16; // cmsg_len (size_t), cmsg_level, cmsg_type
    private static final int[] NO_FDS = new int[0];
    /** The common "nothing to read" result, shared so that polling until EAGAIN allocates nothing. */
    private static final RecvMsg RECV_EAGAIN = new RecvMsg(-11, NO_FDS, 0);

    static long cmsgAlign(long n) {
        return (n + 7) & ~7L;
    }

    static long cmsgSpace(long dataLen) {
        return CMSG_HDR + cmsgAlign(dataLen);
    }

    static long cmsgLen(long dataLen) {
        return CMSG_HDR + dataLen;
    }

    // ---- libc symbols, called through Native's one universal shape (see Native) ----
    private static final MemorySegment SOCKET = Native.symbol("socket");
    private static final MemorySegment SOCKETPAIR = Native.symbol("socketpair");
    private static final MemorySegment BIND = Native.symbol("bind");
    private static final MemorySegment LISTEN = Native.symbol("listen");
    private static final MemorySegment ACCEPT4 = Native.symbol("accept4");
    private static final MemorySegment CONNECT = Native.symbol("connect");
    private static final MemorySegment GETSOCKOPT = Native.symbol("getsockopt");
    private static final MemorySegment SETSOCKOPT = Native.symbol("setsockopt");
    private static final MemorySegment GETSOCKNAME = Native.symbol("getsockname");
    private static final MemorySegment GETPEERNAME = Native.symbol("getpeername");
    private static final MemorySegment SHUTDOWN = Native.symbol("shutdown");
    private static final MemorySegment SEND = Native.symbol("send");
    private static final MemorySegment RECV = Native.symbol("recv");
    private static final MemorySegment SENDTO = Native.symbol("sendto");
    private static final MemorySegment RECVFROM = Native.symbol("recvfrom");
    private static final MemorySegment READV = Native.symbol("readv");
    private static final MemorySegment WRITEV = Native.symbol("writev");
    private static final MemorySegment SENDMSG = Native.symbol("sendmsg");
    private static final MemorySegment RECVMSG = Native.symbol("recvmsg");

    // ---- sockets ----

    /**
     * socket(2) with SOCK_CLOEXEC always added ({@code type} may carry SOCK_NONBLOCK).
     *
     * @param domain the address family (AF_INET, AF_INET6, AF_UNIX)
     * @param type the socket type, optionally with SOCK_NONBLOCK
     * @param protocol the protocol, 0 for the family's default
     * @return the socket's owner
     * @throws ErrnoException on failure (EMFILE, EAFNOSUPPORT, ...), syscall {@code "socket"}
     */
    public static Fd socket(int domain, int type, int protocol) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(SOCKET, st, domain, type | SOCK_CLOEXEC, protocol);
            if (r < 0) throw ErrnoException.of(Native.errno(st), "socket");
            return Fd.adopt(r);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * socketpair(2) with SOCK_CLOEXEC always added on both ends. Returns the two connected ends.
     *
     * @param domain the address family (AF_UNIX)
     * @param type the socket type, optionally with SOCK_NONBLOCK
     * @param protocol the protocol, usually 0
     * @return the two ends
     * @throws ErrnoException on failure, syscall {@code "socketpair"}
     */
    public static Fd[] socketpair(int domain, int type, int protocol) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sv = s.allocate(ValueLayout.JAVA_INT, 2);
            int r = (int) Native.call(SOCKETPAIR, st, domain, type | SOCK_CLOEXEC, protocol, sv.address());
            if (r < 0) throw ErrnoException.of(Native.errno(st), "socketpair");
            return new Fd[] {Fd.adopt(sv.getAtIndex(ValueLayout.JAVA_INT, 0)),
                    Fd.adopt(sv.getAtIndex(ValueLayout.JAVA_INT, 1))};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * bind(2); returns 0 or -errno (-EADDRINUSE, -EACCES, -EADDRNOTAVAIL, ...).
     *
     * @param fd the socket
     * @param addr the address to bind
     * @return 0, or -errno
     */
    public static int bind(int fd, SockAddr addr) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sa = s.allocate(SockAddr.SOCKADDR_STORAGE_SIZE, 8);
            int len = (int) addr.encode(sa);
            int r = (int) Native.call(BIND, st, fd, sa.address(), len);
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * listen(2); returns 0 or -errno.
     *
     * @param fd the socket
     * @param backlog the longest queue of pending connections
     * @return 0, or -errno
     */
    public static int listen(int fd, int backlog) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(LISTEN, st, fd, backlog);
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * accept4(2) with SOCK_CLOEXEC always added ({@code flags} may carry SOCK_NONBLOCK). Returns
     * the new descriptor, which the caller owns ({@link Fd#adopt}), or -errno; -EAGAIN when
     * nothing is pending on a non-blocking listener. When {@code peer} is non-null,
     * {@code peer[0]} receives the peer's address on success.
     *
     * @param fd the listening socket
     * @param flags 0 or SOCK_NONBLOCK
     * @param peer null, or an array of one that receives the peer's address
     * @return the new descriptor, or -errno
     */
    public static int accept4(int fd, int flags, SockAddr[] peer) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sa = MemorySegment.NULL;
            MemorySegment len = MemorySegment.NULL;
            if (peer != null) {
                if (peer.length < 1) throw new IllegalArgumentException("peer array is empty");
                sa = s.allocate(SockAddr.SOCKADDR_STORAGE_SIZE, 8);
                len = s.allocate(ValueLayout.JAVA_INT);
            }
            for (;;) {
                if (peer != null) len.set(ValueLayout.JAVA_INT, 0, SockAddr.SOCKADDR_STORAGE_SIZE);
                int r = (int) Native.call(ACCEPT4, st, fd, sa.address(), len.address(), flags | SOCK_CLOEXEC);
                if (r >= 0) {
                    if (peer != null) peer[0] = SockAddr.decode(sa, len.get(ValueLayout.JAVA_INT, 0));
                    return r;
                }
                int e = Native.errno(st);
                if (e != EINTR) return -e;
            }
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * connect(2). Returns 0 when connected, {@code -EINPROGRESS} when a non-blocking connect has
     * started (wait for writability, then read {@link #soError}), or -errno. A connect interrupted
     * by a signal carries on in the kernel, so the retry's EALREADY is reported as EINPROGRESS and
     * its EISCONN as success.
     *
     * @param fd the socket
     * @param addr the address to connect to
     * @return 0, {@code -EINPROGRESS}, or another -errno
     */
    public static int connect(int fd, SockAddr addr) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sa = s.allocate(SockAddr.SOCKADDR_STORAGE_SIZE, 8);
            int len = (int) addr.encode(sa);
            boolean interrupted = false;
            for (;;) {
                int r = (int) Native.call(CONNECT, st, fd, sa.address(), len);
                if (r == 0) return 0;
                int e = Native.errno(st);
                if (e == EINTR) {
                    interrupted = true;
                    continue;
                }
                if (interrupted && e == EALREADY) return -EINPROGRESS;
                if (interrupted && e == EISCONN) return 0;
                return -e;
            }
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * connect(2) to an {@code AF_UNSPEC} address: dissolves a datagram socket's association, so
     * it again sends anywhere and receives from anyone (libuv's {@code uv__udp_disconnect}).
     * Returns 0 or -errno.
     *
     * @param fd the datagram socket
     * @return 0, or -errno
     */
    public static int disconnect(int fd) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sa = s.allocate(SockAddr.SOCKADDR_STORAGE_SIZE, 8);
            sa.fill((byte) 0); // sa_family = AF_UNSPEC
            int r = Native.callIntRetrying(CONNECT, st, fd, sa.address(), SockAddr.SOCKADDR_STORAGE_SIZE);
            if (r < 0) return r;
            return 0;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    // ---- options ----

    /**
     * getsockopt(2) for an int option. Returns the value, or -errno. The int options this class
     * names are never negative, so the two cannot be confused.
     *
     * @param fd the socket
     * @param level the option level (SOL_SOCKET, IPPROTO_TCP, ...)
     * @param optname the option
     * @return the option's value, or -errno
     */
    public static int getsockopt(int fd, int level, int optname) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment val = s.allocate(ValueLayout.JAVA_INT);
            MemorySegment len = s.allocate(ValueLayout.JAVA_INT);
            val.set(ValueLayout.JAVA_INT, 0, 0);
            len.set(ValueLayout.JAVA_INT, 0, 4);
            int r = (int) Native.call(GETSOCKOPT, st, fd, level, optname, val.address(), len.address());
            return r == 0 ? val.get(ValueLayout.JAVA_INT, 0) : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * The credentials of a Unix socket's peer: {@code struct ucred} as SO_PEERCRED gives it, taken
     * by the kernel when the peer connected (or called socketpair). An immutable value.
     *
     * @param pid the peer's process id (as seen from this process's pid namespace; 0 if it is in
     *     none this one can see)
     * @param uid the peer's effective user id
     * @param gid the peer's effective group id
     */
    public record Ucred(int pid, int uid, int gid) {}

    /**
     * getsockopt(2) with SOL_SOCKET, SO_PEERCRED: the credentials of a connected Unix socket's
     * peer (of a listening one: its own, from listen(2)). What the kernel answers for other sockets
     * means nothing.
     *
     * @param fd the connected Unix socket
     * @return the peer's credentials
     * @throws ErrnoException syscall {@code "getsockopt"}: ENOTSOCK, EBADF
     */
    public static Ucred getsockopt_peercred(int fd) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment cred = s.allocate(12, 4); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            MemorySegment len = s.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 12);
            int r = (int) Native.call(GETSOCKOPT, st, fd, SOL_SOCKET, SO_PEERCRED, cred.address(), len.address());
            if (r < 0) throw ErrnoException.of(Native.errno(st), "getsockopt");
            return new Ucred(cred.get(ValueLayout.JAVA_INT, 0), cred.get(ValueLayout.JAVA_INT, 4), cred.get(ValueLayout.JAVA_INT, 8));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * setsockopt(2) for an int option; returns 0 or -errno.
     *
     * @param fd the socket
     * @param level the option level (SOL_SOCKET, IPPROTO_TCP, ...)
     * @param optname the option
     * @param value the value to set
     * @return 0, or -errno
     */
    public static int setsockopt(int fd, int level, int optname, int value) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment val = s.allocate(ValueLayout.JAVA_INT);
            val.set(ValueLayout.JAVA_INT, 0, value);
            return setsockopt(st, fd, level, optname, val);
        }
    }

    private static int setsockopt(MemorySegment st, int fd, int level, int optname, MemorySegment val) {
        try {
            int r = (int) Native.call(SETSOCKOPT, st, fd, level, optname, val.address(), val.byteSize());
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /** SO_ATTACH_REUSEPORT_CBPF: a classic BPF program choosing a SO_REUSEPORT group's socket. */
    public static final int SO_ATTACH_REUSEPORT_CBPF = 51;

    /** TCP_INFO: {@code struct tcp_info}. */
    public static final int TCP_INFO = 11;

    /**
     * Attaches a classic BPF program to the SO_REUSEPORT group of {@code fd} (a listening socket
     * of the group): for each new connection it returns the index of the group's socket to take
     * it, or an index past the last for the kernel's own hash. Replaces the group's program.
     *
     * @param fd a socket of the group
     * @param program the instructions, each {@code code | jt << 16 | jf << 24 | k << 32}
     * @return 0, or -errno
     */
    public static int attachReuseportCbpf(int fd, long[] program) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment insns = s.allocate(8L * program.length, 8);
            for (int i = 0; i < program.length; i++) {
                long in = program[i];
                insns.set(ValueLayout.JAVA_SHORT, i * 8L, (short) in);
                insns.set(ValueLayout.JAVA_BYTE, i * 8L + 2, (byte) (in >>> 16));
                insns.set(ValueLayout.JAVA_BYTE, i * 8L + 3, (byte) (in >>> 24));
                insns.set(ValueLayout.JAVA_INT, i * 8L + 4, (int) (in >>> 32));
            }
            MemorySegment fprog = s.allocate(16, 8); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            fprog.set(ValueLayout.JAVA_SHORT, 0, (short) program.length);
            fprog.set(ValueLayout.JAVA_LONG, 8, insns.address());
            return setsockopt(st, fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, fprog);
        }
    }

    /**
     * The number of connections waiting in a listening TCP socket's accept queue
     * ({@code tcpi_unacked} of TCP_INFO, which for a listener is its backlog in use).
     *
     * @param fd a listening TCP socket
     * @return the count, or -errno
     */
    public static int acceptQueueLength(int fd) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment info = s.allocate(104, 8); // the fields up to tcpi_unacked and well past it
            MemorySegment len = s.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, (int) info.byteSize());
            int r = (int) Native.call(GETSOCKOPT, st, fd, IPPROTO_TCP, TCP_INFO, info.address(), len.address());
            if (r < 0) return -Native.errno(st);
            return info.get(ValueLayout.JAVA_INT, 24); // u8 x8 (state..rcv_wscale), rto, ato, snd_mss, rcv_mss, unacked
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * The pending socket error ({@code SO_ERROR}) as {@code -errno}, 0 if there is none; this is
     * how a non-blocking connect's outcome is read once the socket turns writable.
     *
     * @param fd the socket
     * @return the pending error as -errno, or 0
     */
    public static int soError(int fd) {
        int r = getsockopt(fd, SOL_SOCKET, SO_ERROR);
        return r < 0 ? r : -r;
    }

    /**
     * IP_ADD_MEMBERSHIP with a {@code struct ip_mreq}: join IPv4 multicast {@code group} on the
     * interface with address {@code iface} ({@code null}: INADDR_ANY, the kernel picks by route).
     * Ports are ignored. Returns 0 or -errno.
     *
     * @param fd the IPv4 datagram socket
     * @param group the multicast group
     * @param iface the local interface's address, or null for any
     * @return 0, or -errno
     */
    public static int ipAddMembership(int fd, SockAddr group, SockAddr iface) {
        return ipMreq(fd, IP_ADD_MEMBERSHIP, group, iface);
    }

    /**
     * IP_DROP_MEMBERSHIP: leave what {@link #ipAddMembership} joined; -EADDRNOTAVAIL if not joined.
     *
     * @param fd the IPv4 datagram socket
     * @param group the multicast group
     * @param iface the local interface's address, or null for any
     * @return 0, or -errno
     */
    public static int ipDropMembership(int fd, SockAddr group, SockAddr iface) {
        return ipMreq(fd, IP_DROP_MEMBERSHIP, group, iface);
    }

    private static int ipMreq(int fd, int optname, SockAddr group, SockAddr iface) {
        requireFamily(group, AF_INET, "group");
        if (iface != null) requireFamily(iface, AF_INET, "iface");
        try (Scratch s = Scratch.open()) {
            MemorySegment mreq = s.allocate(8, 4); // imr_multiaddr, imr_interface (network order)
            mreq.fill((byte) 0);
            MemorySegment.copy(group.addressBytes(), 0, mreq, ValueLayout.JAVA_BYTE, 0, 4);
            if (iface != null) MemorySegment.copy(iface.addressBytes(), 0, mreq, ValueLayout.JAVA_BYTE, 4, 4);
            return setsockopt(Native.state(), fd, IPPROTO_IP, optname, mreq);
        }
    }

    /**
     * IPV6_ADD_MEMBERSHIP with a {@code struct ipv6_mreq}: join IPv6 multicast {@code group} on
     * interface index {@code ifindex} (0: the kernel picks). Returns 0 or -errno.
     *
     * @param fd the IPv6 datagram socket
     * @param group the multicast group
     * @param ifindex the interface index, 0 to let the kernel pick
     * @return 0, or -errno
     */
    public static int ipv6AddMembership(int fd, SockAddr group, int ifindex) {
        return ipv6Mreq(fd, IPV6_ADD_MEMBERSHIP, group, ifindex);
    }

    /**
     * IPV6_DROP_MEMBERSHIP: leave what {@link #ipv6AddMembership} joined.
     *
     * @param fd the IPv6 datagram socket
     * @param group the multicast group
     * @param ifindex the interface index, 0 to let the kernel pick
     * @return 0, or -errno
     */
    public static int ipv6DropMembership(int fd, SockAddr group, int ifindex) {
        return ipv6Mreq(fd, IPV6_DROP_MEMBERSHIP, group, ifindex);
    }

    private static int ipv6Mreq(int fd, int optname, SockAddr group, int ifindex) {
        requireFamily(group, AF_INET6, "group");
        try (Scratch s = Scratch.open()) {
            MemorySegment mreq = s.allocate(20, 4); // ipv6mr_multiaddr[16], ipv6mr_interface
            MemorySegment.copy(group.addressBytes(), 0, mreq, ValueLayout.JAVA_BYTE, 0, 16);
            mreq.set(ValueLayout.JAVA_INT, 16, ifindex);
            return setsockopt(Native.state(), fd, IPPROTO_IPV6, optname, mreq);
        }
    }

    /**
     * IP_MULTICAST_IF with a {@code struct in_addr}: the interface (by address) for outgoing multicast.
     *
     * @param fd the IPv4 datagram socket
     * @param iface the interface's address
     * @return 0, or -errno
     */
    public static int ipMulticastIf(int fd, SockAddr iface) {
        requireFamily(iface, AF_INET, "iface");
        try (Scratch s = Scratch.open()) {
            MemorySegment in = s.allocate(4, 4);
            MemorySegment.copy(iface.addressBytes(), 0, in, ValueLayout.JAVA_BYTE, 0, 4);
            return setsockopt(Native.state(), fd, IPPROTO_IP, IP_MULTICAST_IF, in);
        }
    }

    /**
     * IP_MULTICAST_TTL (0..255); returns 0 or -errno.
     *
     * @param fd the IPv4 datagram socket
     * @param ttl the time to live, 0 to 255
     * @return 0, or -errno
     */
    public static int ipMulticastTtl(int fd, int ttl) {
        return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl);
    }

    /**
     * IP_MULTICAST_LOOP: whether this host's own members receive what it sends.
     *
     * @param fd the IPv4 datagram socket
     * @param on whether to loop multicast back
     * @return 0, or -errno
     */
    public static int ipMulticastLoop(int fd, boolean on) {
        return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0);
    }

    /**
     * SO_BROADCAST: permit sending to broadcast addresses.
     *
     * @param fd the datagram socket
     * @param on whether to permit broadcast
     * @return 0, or -errno
     */
    public static int soBroadcast(int fd, boolean on) {
        return setsockopt(fd, SOL_SOCKET, SO_BROADCAST, on ? 1 : 0);
    }

    private static void requireFamily(SockAddr a, int af, String what) {
        Objects.requireNonNull(a, what);
        if (a.af() != af) throw new IllegalArgumentException(what + " must be " + (af == AF_INET ? "IPv4" : "IPv6") + ": " + a);
    }

    // ---- names ----

    /**
     * getsockname(2): the local address.
     *
     * @param fd the socket
     * @return its local address
     * @throws ErrnoException on failure (EBADF, ENOTSOCK), syscall {@code "getsockname"}
     */
    public static SockAddr getsockname(int fd) {
        return name(GETSOCKNAME, fd, "getsockname");
    }

    /**
     * getpeername(2): the connected peer's address.
     *
     * @param fd the connected socket
     * @return its peer's address
     * @throws ErrnoException on failure (ENOTCONN, EBADF, ...), syscall {@code "getpeername"}
     */
    public static SockAddr getpeername(int fd) {
        return name(GETPEERNAME, fd, "getpeername");
    }

    private static SockAddr name(MemorySegment fn, int fd, String syscall) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sa = s.allocate(SockAddr.SOCKADDR_STORAGE_SIZE, 8);
            MemorySegment len = s.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, SockAddr.SOCKADDR_STORAGE_SIZE);
            int r = (int) Native.call(fn, st, fd, sa.address(), len.address());
            if (r < 0) throw ErrnoException.of(Native.errno(st), syscall);
            return SockAddr.decode(sa, len.get(ValueLayout.JAVA_INT, 0));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR; returns 0 or -errno.
     *
     * @param fd the socket
     * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
     * @return 0, or -errno
     */
    public static int shutdown(int fd, int how) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(SHUTDOWN, st, fd, how);
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    // ---- byte[] I/O (non-blocking sockets only) ----

    /**
     * send(2) from {@code buf[off, off+len)} with MSG_NOSIGNAL added; bytes sent or -errno.
     *
     * @param fd the socket
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the bytes to send
     * @param flags MSG_* flags
     * @return the bytes sent, or -errno
     */
    public static long send(int fd, byte[] buf, int off, int len, int flags) {
        Objects.checkFromIndexSize(off, len, buf.length);
        MemorySegment st = Native.state();
        if (len <= Native.SMALL_COPY) {
            // Copied to native memory: the common shape, so a small send links nothing more.
            try (Scratch s = Scratch.open()) {
                MemorySegment tmp = s.allocate(len, 8);
                MemorySegment.copy(buf, off, tmp, ValueLayout.JAVA_BYTE, 0, len);
                return Native.callRetrying(SEND, st, fd, tmp.address(), len, flags | MSG_NOSIGNAL);
            }
        }
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        try {
            return Native.callHeapRetrying(SEND, st, fd, seg, len, flags | MSG_NOSIGNAL, 0L, 0L);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * recv(2) into {@code buf[off, off+len)}; bytes received (0 at end of stream) or -errno.
     *
     * @param fd the socket
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the most bytes to receive
     * @param flags MSG_* flags
     * @return the bytes received (0 at end of stream), or -errno
     */
    public static long recv(int fd, byte[] buf, int off, int len, int flags) {
        Objects.checkFromIndexSize(off, len, buf.length);
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        MemorySegment st = Native.state();
        try {
            return Native.callHeapRetrying(RECV, st, fd, seg, len, flags, 0L, 0L);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * sendto(2) from {@code buf[off, off+len)} to {@code to} ({@code null} on a connected socket)
     * with MSG_NOSIGNAL added; bytes sent or -errno.
     *
     * @param fd the socket
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the bytes to send
     * @param flags MSG_* flags
     * @param to the destination, or null on a connected socket
     * @return the bytes sent, or -errno
     */
    public static long sendto(int fd, byte[] buf, int off, int len, int flags, SockAddr to) {
        Objects.checkFromIndexSize(off, len, buf.length);
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sa = MemorySegment.NULL;
            int salen = 0;
            if (to != null) {
                sa = s.allocate(SockAddr.SOCKADDR_STORAGE_SIZE, 8);
                salen = (int) to.encode(sa);
            }
            return Native.callHeapRetrying(SENDTO, st, fd, seg, len, flags | MSG_NOSIGNAL, sa.address(), salen);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * recvfrom(2) into {@code buf[off, off+len)}; bytes received or -errno. When {@code from} is
     * non-null, {@code from[0]} receives the sender's address on success. A datagram longer than
     * {@code len} is truncated (pass MSG_TRUNC to get its real length back).
     *
     * @param fd the socket
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the most bytes to receive
     * @param flags MSG_* flags
     * @param from null, or an array of one that receives the sender's address
     * @return the bytes received, or -errno
     */
    public static long recvfrom(int fd, byte[] buf, int off, int len, int flags, SockAddr[] from) {
        Objects.checkFromIndexSize(off, len, buf.length);
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment sa = MemorySegment.NULL;
            MemorySegment salen = MemorySegment.NULL;
            if (from != null) {
                if (from.length < 1) throw new IllegalArgumentException("from array is empty");
                sa = s.allocate(SockAddr.SOCKADDR_STORAGE_SIZE, 8);
                salen = s.allocate(ValueLayout.JAVA_INT);
            }
            for (;;) {
                if (from != null) salen.set(ValueLayout.JAVA_INT, 0, SockAddr.SOCKADDR_STORAGE_SIZE);
                long r = Native.callHeap(RECVFROM, st, fd, seg, len, flags, sa.address(), salen.address());
                if (r >= 0) {
                    if (from != null) from[0] = SockAddr.decode(sa, salen.get(ValueLayout.JAVA_INT, 0));
                    return r;
                }
                int e = Native.errno(st);
                if (e != EINTR) return -e;
            }
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    // ---- vectored I/O over ByteBuffers ----

    /**
     * writev(2) from the remaining bytes of {@code bufs[offset, offset+length)} (at most
     * {@link #IOV_MAX} of them), advancing their positions by what was written, as
     * {@code GatheringByteChannel.write} does. Returns bytes written or -errno.
     *
     * @param fd the descriptor
     * @param bufs the buffers
     * @param offset the first buffer to write from
     * @param length how many buffers to write from
     * @return the bytes written, or -errno
     */
    public static long writev(int fd, ByteBuffer[] bufs, int offset, int length) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            Iov iov = Iov.of(s, bufs, offset, length, false);
            long r = Native.callRetrying(WRITEV, st, fd, iov.vec.address(), iov.count);
            if (r < 0) return r;
            iov.advance(r);
            return r;
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            Reference.reachabilityFence(bufs);
        }
    }

    /**
     * readv(2) into the remaining space of {@code bufs[offset, offset+length)} (at most
     * {@link #IOV_MAX}), advancing positions as {@code ScatteringByteChannel.read} does. Returns
     * bytes read (0 at end of stream) or -errno.
     *
     * @param fd the descriptor
     * @param bufs the buffers
     * @param offset the first buffer to read into
     * @param length how many buffers to read into
     * @return the bytes read (0 at end of stream), or -errno
     */
    public static long readv(int fd, ByteBuffer[] bufs, int offset, int length) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            Iov iov = Iov.of(s, bufs, offset, length, true);
            long r = Native.callRetrying(READV, st, fd, iov.vec.address(), iov.count);
            if (r < 0) return r;
            iov.fill(r);
            return r;
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            Reference.reachabilityFence(bufs);
        }
    }

    // ---- sendmsg / recvmsg with SCM_RIGHTS ----

    /**
     * sendmsg(2) of {@code buf[off, off+len)} plus the descriptors {@code fds} (null or empty:
     * none) as one SCM_RIGHTS message, with MSG_NOSIGNAL added. Returns bytes sent or -errno. The
     * fds travel with the first byte: after a partial send, send the rest without them. The
     * caller keeps ownership of {@code fds} (the kernel passes duplicates).
     *
     * @param fd the Unix socket
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the bytes to send
     * @param fds the descriptors to pass, or null
     * @param flags MSG_* flags
     * @return the bytes sent, or -errno
     */
    public static long sendmsg(int fd, byte[] buf, int off, int len, int[] fds, int flags) {
        Objects.checkFromIndexSize(off, len, buf.length);
        return sendmsg(fd, new ByteBuffer[] {ByteBuffer.wrap(buf, off, len)}, 0, 1, fds, flags);
    }

    /**
     * {@link #sendmsg(int, byte[], int, int, int[], int)} over the remaining bytes of
     * {@code bufs[offset, offset+length)}, advancing their positions by what was sent.
     *
     * @param fd the Unix socket
     * @param bufs the buffers
     * @param offset the first buffer to send from
     * @param length how many buffers to send from
     * @param fds the descriptors to pass, or null
     * @param flags MSG_* flags
     * @return the bytes sent, or -errno
     */
    public static long sendmsg(int fd, ByteBuffer[] bufs, int offset, int length, int[] fds, int flags) {
        int nfds = fds == null ? 0 : fds.length;
        if (nfds > SCM_MAX_FD) throw new IllegalArgumentException("at most " + SCM_MAX_FD + " fds per message, got " + nfds);
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            Iov iov = Iov.of(s, bufs, offset, length, false);
            MemorySegment msg = s.allocate(MSGHDR_SIZE, 8);
            msg.fill((byte) 0);
            msg.set(ValueLayout.ADDRESS, MSG_IOV, iov.vec);
            msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, iov.count);
            if (nfds > 0) {
                long space = cmsgSpace(4L * nfds);
                MemorySegment control = s.allocate(space, 8);
                control.fill((byte) 0);
                control.set(ValueLayout.JAVA_LONG, 0, cmsgLen(4L * nfds));
                control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
                control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
                MemorySegment.copy(fds, 0, control, ValueLayout.JAVA_INT, CMSG_HDR, nfds);
                msg.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
                msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, space);
            }
            long r = Native.callRetrying(SENDMSG, st, fd, msg.address(), flags | MSG_NOSIGNAL);
            if (r < 0) return r;
            iov.advance(r);
            return r;
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            Reference.reachabilityFence(bufs);
        }
    }

    /**
     * What one {@link #recvmsg} got: {@code bytes} read (0 at end of stream) or -errno, the
     * descriptors received (close-on-exec, owned by the caller, who must adopt or close each), and
     * the kernel's {@code msg_flags} (MSG_CTRUNC: some fds were lost because the control buffer was
     * too small; MSG_TRUNC: a datagram was cut; the MSG_CMSG_CLOEXEC that Linux echoes is masked
     * out). An immutable value, safe to pass between threads; {@code fds} must not be modified.
     *
     * @param bytes the bytes read (0 at end of stream), or -errno
     * @param fds the descriptors received: close-on-exec, owned by the caller
     * @param flags the kernel's {@code msg_flags}, without MSG_CMSG_CLOEXEC
     */
    public record RecvMsg(long bytes, int[] fds, int flags) {
        /** {@return whether the kernel dropped control data (and so fds) that did not fit: MSG_CTRUNC} */
        public boolean ctrunc() {
            return (flags & MSG_CTRUNC) != 0;
        }

        @Override
        public String toString() {
            return "RecvMsg[bytes=" + bytes + ", fds=" + Arrays.toString(fds) + ", flags=0x" + Integer.toHexString(flags) + "]";
        }
    }

    /**
     * recvmsg(2) into {@code buf[off, off+len)}, receiving SCM_RIGHTS descriptors with
     * MSG_CMSG_CLOEXEC always added. The control buffer has room for {@link #RECV_FDS_MAX} fds, as
     * libuv's. Every control message is walked; at most {@code maxFds} descriptors are kept, in
     * arrival order, and any beyond that are closed here so none leaks. MSG_CTRUNC is reported in
     * {@link RecvMsg#flags()}.
     *
     * @param fd the Unix socket
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the most bytes to receive
     * @param flags MSG_* flags
     * @param maxFds the most descriptors to keep
     * @return the bytes, descriptors and flags received
     */
    public static RecvMsg recvmsg(int fd, byte[] buf, int off, int len, int flags, int maxFds) {
        Objects.checkFromIndexSize(off, len, buf.length);
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        return recvmsg(fd, bb, flags, maxFds);
    }

    /**
     * {@link #recvmsg(int, byte[], int, int, int, int)} into the remaining space of {@code buf}
     * (a direct buffer is read into in place), advancing its position by the bytes read.
     *
     * @param fd the Unix socket
     * @param buf the buffer to fill
     * @param flags MSG_* flags
     * @param maxFds the most descriptors to keep
     * @return the bytes, descriptors and flags received
     */
    public static RecvMsg recvmsg(int fd, ByteBuffer buf, int flags, int maxFds) {
        if (maxFds < 0) throw new IllegalArgumentException("maxFds < 0");
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            Iov iov = Iov.of(s, new ByteBuffer[] {buf}, 0, 1, true);
            long space = cmsgSpace(4L * RECV_FDS_MAX);
            MemorySegment control = s.allocate(space, 8);
            MemorySegment msg = s.allocate(MSGHDR_SIZE, 8);
            for (;;) {
                msg.fill((byte) 0);
                msg.set(ValueLayout.ADDRESS, MSG_IOV, iov.vec);
                msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, iov.count);
                msg.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
                msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, space);
                long r = Native.call(RECVMSG, st, fd, msg.address(), flags | MSG_CMSG_CLOEXEC);
                if (r >= 0) {
                    iov.fill(r);
                    // Linux echoes MSG_CMSG_CLOEXEC back in msg_flags; it says nothing about this message.
                    int mflags = msg.get(ValueLayout.JAVA_INT, MSG_FLAGS) & ~MSG_CMSG_CLOEXEC;
                    long controllen = msg.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN);
                    int[] fds = controllen == 0 ? NO_FDS : collectFds(control, Math.min(controllen, space), maxFds);
                    return new RecvMsg(r, fds, mflags);
                }
                int e = Native.errno(st);
                if (e != EINTR) return e == -RECV_EAGAIN.bytes() ? RECV_EAGAIN : new RecvMsg(-e, NO_FDS, 0);
            }
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            Reference.reachabilityFence(buf);
        }
    }

    /** Walks every cmsg (CMSG_FIRSTHDR/CMSG_NXTHDR), keeping up to {@code max} fds, closing the rest. */
    private static int[] collectFds(MemorySegment control, long controllen, int max) {
        int[] kept = new int[Math.min(max, RECV_FDS_MAX)];
        int n = 0;
        long at = 0;
        while (at + CMSG_HDR <= controllen) {
            long clen = control.get(ValueLayout.JAVA_LONG, at);
            if (clen < CMSG_HDR || at + clen > controllen) break; // malformed: stop, as CMSG_NXTHDR would
            int level = control.get(ValueLayout.JAVA_INT, at + 8);
            int type = control.get(ValueLayout.JAVA_INT, at + 12);
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                long count = (clen - CMSG_HDR) / 4;
                for (long i = 0; i < count; i++) {
                    int fd = control.get(ValueLayout.JAVA_INT, at + CMSG_HDR + 4 * i);
                    if (n < kept.length) kept[n++] = fd;
                    else LibC.close(fd); // surplus: nobody asked for it, so it must not leak
                }
            }
            at += cmsgAlign(clen);
        }
        return n == 0 ? NO_FDS : n == kept.length ? kept : Arrays.copyOf(kept, n);
    }

    /**
     * An iovec array over ByteBuffers. Direct buffers are used in place; heap buffers go through
     * scratch memory (copied in for writes, copied back by {@link #fill} for reads).
     */
    private static final class Iov {
        final MemorySegment vec;
        final int count;
        private final ByteBuffer[] bufs;
        private final int offset;
        private final MemorySegment[] copies; // per buffer: the scratch copy, or null if direct

        private Iov(MemorySegment vec, int count, ByteBuffer[] bufs, int offset, MemorySegment[] copies) {
            this.vec = vec;
            this.count = count;
            this.bufs = bufs;
            this.offset = offset;
            this.copies = copies;
        }

        static Iov of(Scratch s, ByteBuffer[] bufs, int offset, int length, boolean forRead) {
            Objects.checkFromIndexSize(offset, length, bufs.length);
            int count = Math.min(length, IOV_MAX);
            MemorySegment vec = s.allocate(IOVEC_SIZE * Math.max(1, count), 8);
            MemorySegment[] copies = new MemorySegment[count];
            for (int i = 0; i < count; i++) {
                ByteBuffer b = bufs[offset + i];
                if (forRead && b.isReadOnly()) throw new ReadOnlyBufferException();
                int rem = b.remaining();
                MemorySegment base;
                if (b.isDirect()) {
                    base = MemorySegment.ofBuffer(b);
                } else {
                    base = s.allocate(Math.max(1, rem), 8).asSlice(0, rem);
                    if (!forRead) MemorySegment.copy(MemorySegment.ofBuffer(b), 0, base, 0, rem);
                    copies[i] = base;
                }
                vec.set(ValueLayout.ADDRESS, IOVEC_SIZE * i, base);
                vec.set(ValueLayout.JAVA_LONG, IOVEC_SIZE * i + 8, rem);
            }
            return new Iov(vec, count, bufs, offset, copies);
        }

        /** After a write of {@code n} bytes: advance positions in order. */
        void advance(long n) {
            for (int i = 0; i < count && n > 0; i++) {
                ByteBuffer b = bufs[offset + i];
                int step = (int) Math.min(n, b.remaining());
                b.position(b.position() + step);
                n -= step;
            }
        }

        /** After a read of {@code n} bytes: copy heap buffers back, advance positions in order. */
        void fill(long n) {
            for (int i = 0; i < count && n > 0; i++) {
                ByteBuffer b = bufs[offset + i];
                int step = (int) Math.min(n, b.remaining());
                if (copies[i] != null) MemorySegment.copy(copies[i], 0, MemorySegment.ofBuffer(b), 0, step);
                b.position(b.position() + step);
                n -= step;
            }
        }
    }
}
