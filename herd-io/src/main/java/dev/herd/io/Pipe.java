package dev.herd.io;

import dev.herd.loop.Loop;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import dev.herd.os.Net;
import dev.herd.os.SockAddr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A local stream (libuv's {@code uv_pipe_t}, {@code src/unix/pipe.c}): a Unix-domain stream socket
 * bound to or connected to a path ({@link #bind}, {@link #listen}, {@link #connect}), one end of a
 * {@link #socketpair}, or any stream descriptor adopted with {@link #open} (a socket, or one end of
 * a pipe(2): the read end is then only readable, the write end only writable).
 *
 * <p>A path bound by this handle is unlinked when it closes (before the socket closes, so it never
 * removes a socket someone else has just bound there), as libuv does. Paths in Linux's abstract
 * namespace (starting with {@code '\0'}) have no file to unlink.
 *
 * <p>The {@code ipc} flag marks a pipe that carries handles between processes (libuv's
 * {@code uv_pipe_init(loop, pipe, 1)}): it refuses {@link #listen}; it reads with recvmsg, keeping
 * each descriptor that arrives (SCM_RIGHTS) until {@link #acceptPending()} takes it — the bytes it
 * came with are delivered to the read callback as usual, and the descriptor is waiting by then —
 * and {@link Stream#write2} sends a handle's descriptor along with bytes. Descriptors never taken
 * are closed with the pipe.
 *
 * <p>Thread rule: loop thread only. Lifetime: as {@link Stream}.
 */
public final class Pipe extends Stream {
    private static final int EINPROGRESS = -Errno.EINPROGRESS.number();
    private static final int ENOENT = -Errno.ENOENT.number();

    private final boolean ipc;
    /** The filesystem path this handle bound, unlinked at close. */
    private String boundPath;

    /**
     * A pipe handle with no descriptor yet, not for IPC.
     *
     * @param loop the loop it belongs to
     */
    public Pipe(Loop loop) {
        this(loop, false);
    }

    /**
     * A pipe handle with no descriptor yet; {@code ipc} marks one that will pass handles.
     *
     * @param loop the loop it belongs to
     * @param ipc whether the pipe passes handles
     */
    public Pipe(Loop loop, boolean ipc) {
        super(loop);
        this.ipc = ipc;
    }

    /**
     * Two connected, unnamed Unix stream sockets as pipes of {@code loop} (socketpair(2); libuv's
     * {@code uv_socketpair} plus {@code uv_pipe_open}), both readable and writable.
     *
     * @param loop the loop both ends belong to
     * @return the two ends
     */
    public static Pipe[] socketpair(Loop loop) {
        return socketpair(loop, false);
    }

    /**
     * {@link #socketpair(Loop)} with both ends made with the given {@code ipc} flag.
     *
     * @param loop the loop both ends belong to
     * @param ipc whether the ends pass handles
     * @return the two ends
     */
    public static Pipe[] socketpair(Loop loop, boolean ipc) {
        Pipe a = new Pipe(loop, ipc);
        Pipe b = new Pipe(loop, ipc);
        Fd[] fds;
        try {
            fds = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
        } catch (RuntimeException e) {
            a.close();
            b.close();
            throw e;
        }
        a.openSocket(fds[0], true, true);
        b.openSocket(fds[1], true, true);
        return new Pipe[] {a, b};
    }

    /** {@return whether this pipe was made to pass handles} */
    public boolean ipc() {
        return ipc;
    }

    /** What a received descriptor is (libuv's {@code uv_handle_type} as {@code uv_pipe_pending_type} gives it). */
    public enum PendingType {
        /** A TCP socket (IPv4 or IPv6 stream): open it with {@link Tcp#open}. */
        TCP,
        /** A Unix-domain stream socket or a FIFO: open it with {@link Pipe#open}. */
        PIPE,
        /** A UDP socket: open it with {@link Udp#open}. */
        UDP,
        /** Anything else (a regular file, a SEQPACKET socket, ...): no handle type fits. */
        UNKNOWN
    }

    /**
     * How many received descriptors wait to be taken (libuv's {@code uv_pipe_pending_count}).
     *
     * @return the number of received descriptors waiting
     */
    public int pendingCount() {
        loop().checkThread();
        return pendingFdCount();
    }

    /**
     * The type of the oldest waiting descriptor, or null when none waits (libuv's {@code uv_pipe_pending_type}).
     *
     * @return the type, or null
     */
    public PendingType pendingType() {
        loop().checkThread();
        Fd fd = peekPendingFd();
        return fd == null ? null : typeOf(fd);
    }

    /**
     * What kind of handle {@code fd} can become, found as {@link #pendingType()} finds it: for a
     * descriptor already taken with {@link #acceptPending()}, so that whoever received it can
     * answer the sender first and ask the kernel afterwards. Any thread: it only queries the
     * descriptor.
     *
     * @param fd a received descriptor
     * @return the kind of handle it can become
     */
    public static PendingType typeOf(Fd fd) {
        int domain = Net.getsockopt(fd.intValue(), Net.SOL_SOCKET, Net.SO_DOMAIN);
        int type = Net.getsockopt(fd.intValue(), Net.SOL_SOCKET, Net.SO_TYPE);
        if (domain < 0 || type < 0) {
            return isFifo(fd.intValue()) ? PendingType.PIPE : PendingType.UNKNOWN;
        }
        if (domain == Net.AF_UNIX) return type == Net.SOCK_STREAM ? PendingType.PIPE : PendingType.UNKNOWN;
        if (domain == Net.AF_INET || domain == Net.AF_INET6) {
            if (type == Net.SOCK_STREAM) return PendingType.TCP;
            if (type == Net.SOCK_DGRAM) return PendingType.UDP;
        }
        return PendingType.UNKNOWN;
    }

    /** Whether {@code fd} is a pipe or FIFO; /proc names them {@code pipe:[inode]} (a named FIFO by its path, checked too). */
    private static boolean isFifo(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            String target = Files.readSymbolicLink(link).toString();
            if (target.startsWith("pipe:")) return true;
            return Files.readAttributes(link, java.nio.file.attribute.BasicFileAttributes.class).isOther()
                    && !target.startsWith("socket:");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Takes the oldest received descriptor: the caller owns it from now on (open a handle on it, or
     * close it). libuv's {@code uv_accept} on an ipc pipe.
     *
     * @return the descriptor, which the caller owns
     * @throws ErrnoException EAGAIN when none is waiting
     */
    public Fd acceptPending() {
        loop().checkThread();
        Fd fd = takePendingFd();
        if (fd == null) throw ErrnoException.of(Errno.EAGAIN, "accept");
        return fd;
    }

    /**
     * Adopts an open stream descriptor (libuv's {@code uv_pipe_open}): a connected socket, or either
     * end of a pipe; readable unless opened write-only, writable unless opened read-only. It is made
     * non-blocking and from now on owned by this handle. On failure the caller still owns it.
     *
     * @param fd the descriptor to adopt
     * @throws ErrnoException EBADF for a descriptor that is not open; EBUSY if this handle already
     *     has one
     */
    public void open(Fd fd) {
        checkOpen();
        Objects.requireNonNull(fd, "fd");
        if (fd() != null) throw ErrnoException.of(Errno.EBUSY, "uv_pipe_open");
        int mode = LibC.fcntl(fd.intValue(), LibC.F_GETFL, 0);
        if (mode < 0) throw ErrnoException.of(mode, "uv_pipe_open");
        int access = mode & LibC.O_ACCMODE;
        openForeign(fd, access != LibC.O_WRONLY, access != LibC.O_RDONLY);
    }

    /**
     * Binds a new Unix stream socket to {@code path} (libuv's {@code uv_pipe_bind}). The path must
     * not exist.
     *
     * @param path the socket's path
     * @throws ErrnoException ENAMETOOLONG if the path does not fit {@code sun_path} (107 bytes);
     *     EADDRINUSE if something exists at the path; EACCES for a missing directory (ENOENT is
     *     reported as EACCES, as libuv does, for Windows compatibility); EINVAL if already bound
     */
    public void bind(String path) {
        checkOpen();
        Objects.requireNonNull(path, "path");
        if (fd() != null) throw ErrnoException.withHostPort(Errno.EINVAL, "bind", path, -1);
        SockAddr addr = unixAddress(path, "bind");
        Fd s = Net.socket(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
        int r = Net.bind(s.intValue(), addr);
        if (r < 0) {
            s.close();
            throw ErrnoException.withHostPort(r == ENOENT ? Errno.EACCES : Errno.of(r), "bind", path, -1);
        }
        try {
            openSocket(s, false, false);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        if (!addr.isAbstract()) boundPath = path;
    }

    /**
     * Listens with {@code backlog} and calls {@code callback} for each incoming connection; take
     * it with {@link Stream#accept(Stream)} into a new {@code Pipe}.
     *
     * @param backlog the longest queue of pending connections
     * @param callback runs for each incoming connection
     * @throws ErrnoException EINVAL if not bound or if this is an IPC pipe; listen(2)'s error
     */
    public void listen(int backlog, ConnectionCallback callback) {
        checkOpen();
        Objects.requireNonNull(callback, "callback");
        if (fd() == null || ipc) throw ErrnoException.of(Errno.EINVAL, "listen");
        int r = Net.listen(fd().intValue(), backlog);
        if (r < 0) throw ErrnoException.withHostPort(Errno.of(r), "listen", boundPath, -1);
        startListening(callback);
    }

    /**
     * Connects to the Unix socket at {@code path} (libuv's {@code uv_pipe_connect}). Every failure
     * of the connection itself (ENOENT, ECONNREFUSED, EACCES, EAGAIN for a full backlog...) arrives
     * in {@code callback}, never from this call; the callback runs exactly once.
     *
     * @param path the socket's path
     * @param callback runs once when connected or failed
     * @return the request
     * @throws ErrnoException ENAMETOOLONG if the path does not fit {@code sun_path}; EALREADY while
     *     connecting
     */
    public ConnectRequest connect(String path, RequestCallback callback) {
        checkOpen();
        Objects.requireNonNull(path, "path");
        if (isConnecting()) throw ErrnoException.withHostPort(Errno.EALREADY, "connect", path, -1);
        SockAddr addr = unixAddress(path, "connect");
        if (fd() == null) {
            Fd s = Net.socket(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
            try {
                openSocket(s, false, false);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        }
        ErrnoException delayed = null;
        int r = Net.connect(fd().intValue(), addr);
        if (r < 0 && r != EINPROGRESS) {
            delayed = ErrnoException.withHostPort(Errno.of(r), "connect", path, -1);
        } else {
            setReadableWritable();
        }
        return startConnect(callback, path, -1, delayed);
    }

    /**
     * The path this pipe is bound to (libuv's {@code uv_pipe_getsockname}); {@code ""} if unnamed.
     *
     * @return the path, or {@code ""}
     */
    public String getsockname() {
        loop().checkThread();
        SockAddr a = Net.getsockname(fileno());
        return a == null ? "" : a.path();
    }

    /**
     * The path of the peer's socket (libuv's {@code uv_pipe_getpeername}); {@code ""} if unnamed.
     *
     * @return the path, or {@code ""}
     */
    public String getpeername() {
        loop().checkThread();
        SockAddr a = Net.getpeername(fileno());
        return a == null ? "" : a.path();
    }

    /**
     * The credentials of the peer process (SO_PEERCRED: its pid, uid and gid when it connected),
     * for a pipe connected to another process; Herd's, libuv has none.
     *
     * @return the peer's credentials
     * @throws ErrnoException syscall {@code "getsockopt"}, or EBADF when the pipe has no socket
     */
    public Net.Ucred getpeercred() {
        loop().checkThread();
        return Net.getsockopt_peercred(fileno());
    }

    @Override
    void beforeCloseFd() {
        String path = boundPath;
        boundPath = null;
        if (path == null) return;
        try {
            Files.deleteIfExists(Path.of(path));
        } catch (IOException | RuntimeException e) {
            // Best effort, as libuv's unlink(): the socket closes either way.
        }
    }

    private static SockAddr unixAddress(String path, String syscall) {
        try {
            return SockAddr.unix(path);
        } catch (ErrnoException e) {
            throw ErrnoException.withHostPort(e.errnoEntry(), syscall, path, -1);
        }
    }

    @Override
    Stream newPeer() {
        return new Pipe(loop());
    }
}
