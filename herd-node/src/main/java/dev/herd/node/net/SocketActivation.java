package dev.herd.node.net;

import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The listening sockets this process was started with by socket activation
 * ({@code sd_listen_fds(3)}), from systemd or from Herd's process manager ({@code herd start
 * --port}): descriptors {@value #SD_LISTEN_FDS_START}, 4, ... with {@code LISTEN_FDS} (how many),
 * {@code LISTEN_FDNAMES} (their names, colon-separated; the manager names a socket after its
 * address with {@code :} as {@code _}: {@code 8000}, {@code 127.0.0.1_8000}) and
 * {@code LISTEN_PID} (the process they are for). A server listens on one by name with
 * {@link Server#listenActivated} (or {@code HttpServer.listenActivated}); {@link #fd} is the step
 * underneath, {@link #listenFds} the list.
 *
 * <p>The variables are read once per process, at the first call, from {@code process.env} of the
 * calling environment (a worker's is a copy of its parent's), and checked as
 * {@code sd_listen_fds_with_names} checks them:
 * <ul>
 *   <li>no {@code LISTEN_PID}, or one naming another process (a parent's variables, inherited),
 *       means no sockets: the descriptors are left alone;
 *   <li>a {@code LISTEN_PID} or {@code LISTEN_FDS} that is not a number, a count below 1, a name
 *       list of another length than the count, or a descriptor in the range that is not open is
 *       an {@link ErrnoException} (EINVAL or EBADF, syscall {@code sd_listen_fds}) from
 *       {@link #listenFds} and {@link #fd}, and nothing is touched; without {@code LISTEN_FDNAMES}
 *       every socket is named {@code "unknown"};
 *   <li>otherwise every passed descriptor is made close-on-exec, as {@code sd_listen_fds} does:
 *       whatever this process starts does not inherit them (a child holding a copy would keep the
 *       port open after this process closes it).
 * </ul>
 * The variables stay in {@code process.env} ({@code sd_listen_fds(0)}): a child started with it
 * finds a {@code LISTEN_PID} that is not its own and ignores them.
 *
 * <p>Thread rule: a Herd loop thread (the first call reads its environment); the state is the
 * process's, as its descriptors are, and guarded by a lock. Lifetime: the process's. A descriptor
 * taken with {@link #fd} belongs to its taker from then on and is never handed out again (its
 * number may be reused once the taker closes it); the others stay open, unused, until the process
 * exits.
 */
public final class SocketActivation {
    /** The first passed descriptor (systemd's {@code SD_LISTEN_FDS_START}). */
    public static final int SD_LISTEN_FDS_START = 3;

    /**
     * One passed socket: its name in {@code LISTEN_FDNAMES} and its descriptor number.
     *
     * @param name its name ({@code "unknown"} when the passer gave none)
     * @param fd its descriptor, {@value #SD_LISTEN_FDS_START} or above
     */
    public record ListenFd(String name, int fd) {}

    /**
     * What the first read found: the sockets, or why there are none ({@code none}), or what is
     * wrong with the variables ({@code errno} and {@code error}).
     */
    private record Found(List<ListenFd> fds, String none, Errno errno, String error) {
        static Found none(String why) {
            return new Found(List.of(), why, null, null);
        }

        static Found error(Errno errno, String message) {
            return new Found(List.of(), null, errno, message);
        }

        /** A new exception for each throw, so that its stack trace is the caller's. */
        void throwIfError() {
            if (errno != null) throw ErrnoException.withMessage(errno, error, "sd_listen_fds", null);
        }
    }

    private static final Object LOCK = new Object();
    /** Guarded by LOCK; null until the first call. */
    private static Found found;
    /** Descriptors given to a taker: never adopted twice. Guarded by LOCK. */
    private static final Set<Integer> taken = new HashSet<>();

    private SocketActivation() {}

    /**
     * The sockets passed to this process, in descriptor order, whether taken yet or not; empty
     * when none were (no {@code LISTEN_PID}, or one of another process).
     *
     * @return the passed sockets
     * @throws ErrnoException EINVAL or EBADF when the variables are this process's but do not
     *     check out (see the class comment)
     */
    public static List<ListenFd> listenFds() {
        Found f = read();
        f.throwIfError();
        return f.fds();
    }

    /**
     * Takes the socket named {@code name}: the caller owns the returned descriptor from now on
     * (pass it to {@link Server#listen(Fd, Runnable)}, or close it). With several sockets of one
     * name, the first not yet taken.
     *
     * @param name the socket's name in {@code LISTEN_FDNAMES}
     * @return the socket's descriptor, owned by the caller
     * @throws NodeError ERR_INVALID_ARG_VALUE when this process has no socket of that name left:
     *     the message says which names there are, or why there are none
     * @throws ErrnoException EINVAL or EBADF (syscall {@code sd_listen_fds}) when the variables do
     *     not check out; ENOTSOCK (syscall {@code getsockopt}) when the descriptor of that name is
     *     not a socket (it is left alone, not taken)
     */
    public static Fd fd(String name) {
        Found f = read();
        f.throwIfError();
        synchronized (LOCK) {
            boolean takenAlready = false;
            for (ListenFd l : f.fds()) {
                if (!l.name().equals(name)) continue;
                if (taken.contains(l.fd())) {
                    takenAlready = true;
                    continue;
                }
                // systemd passes FIFOs and files this way too; and a LISTEN_FDS that overstates
                // the count names the JVM's own files, which the failing listen would then close.
                int type = dev.herd.os.Net.getsockopt(l.fd(), dev.herd.os.Net.SOL_SOCKET, dev.herd.os.Net.SO_TYPE);
                if (type < 0) {
                    throw ErrnoException.withMessage(Errno.of(type), "fd " + l.fd() + " ('" + name
                            + "') passed by socket activation is not a socket", "getsockopt", null);
                }
                taken.add(l.fd());
                return Fd.adopt(l.fd());
            }
            String reason;
            if (f.none() != null) {
                reason = "names no socket-activated socket: this process has none (" + f.none() + ")";
            } else if (takenAlready) {
                reason = "names a socket-activated socket that is taken already";
            } else {
                List<String> names = f.fds().stream().map(ListenFd::name).distinct().toList();
                reason = "names no socket-activated socket of this process (LISTEN_FDNAMES has " + String.join(", ", names) + ")";
            }
            throw new NodeError("ERR_INVALID_ARG_VALUE", "The argument 'name' " + reason + ". Received '" + name + "'",
                    IllegalArgumentException.class);
        }
    }

    /** The first call reads and checks the variables, and marks the descriptors close-on-exec. */
    private static Found read() {
        synchronized (LOCK) {
            if (found == null) {
                Environment env = Environment.current();
                env.checkThread();
                found = read(env.process().env(), env.process().pid());
            }
            return found;
        }
    }

    /** sd_listen_fds_with_names, except that every check runs before any descriptor is touched. */
    private static Found read(Map<String, String> vars, int pid) {
        String listenPid = vars.get("LISTEN_PID");
        String listenFds = vars.get("LISTEN_FDS");
        String listenFdNames = vars.get("LISTEN_FDNAMES");
        if (listenPid == null) {
            return Found.none(listenFds == null ? "LISTEN_FDS is not set" : "LISTEN_FDS is set but LISTEN_PID is not");
        }
        int forPid = parse(listenPid);
        if (forPid <= 0) return Found.error(Errno.EINVAL, "LISTEN_PID='" + listenPid + "' is not a process id");
        if (forPid != pid) {
            // A parent's variables, inherited: its sockets are not ours (the descriptors, if any, are not either).
            return Found.none("LISTEN_PID=" + forPid + " is another process's; this one is " + pid);
        }
        if (listenFds == null) return Found.none("LISTEN_PID is set but LISTEN_FDS is not");
        int n = parse(listenFds);
        if (n <= 0 || n > Integer.MAX_VALUE - SD_LISTEN_FDS_START) {
            return Found.error(Errno.EINVAL, "LISTEN_FDS='" + listenFds + "' is not a count of descriptors");
        }
        List<String> names;
        if (listenFdNames == null) {
            names = Collections.nCopies(n, "unknown");
        } else {
            names = List.of(listenFdNames.split(":", -1));
            if (names.size() != n) {
                return Found.error(Errno.EINVAL, "LISTEN_FDNAMES='" + listenFdNames + "' has " + names.size()
                        + " names for LISTEN_FDS=" + n);
            }
        }
        for (int i = 0; i < n; i++) {
            int fd = SD_LISTEN_FDS_START + i;
            int r = LibC.fcntl(fd, LibC.F_GETFD, 0);
            if (r < 0) {
                return Found.error(Errno.of(r), "LISTEN_FDS=" + n + " but fd " + fd + " ('" + names.get(i) + "') is not open");
            }
        }
        List<ListenFd> fds = new ArrayList<>(n); // n is at most the open descriptors now
        for (int i = 0; i < n; i++) {
            int fd = SD_LISTEN_FDS_START + i;
            // As sd_listen_fds: whatever this process starts from now on must not inherit the
            // sockets (a child holding one would keep the port open after we close it).
            int flags = LibC.fcntl(fd, LibC.F_GETFD, 0);
            if (flags >= 0 && (flags & LibC.FD_CLOEXEC) == 0) LibC.fcntl(fd, LibC.F_SETFD, flags | LibC.FD_CLOEXEC);
            fds.add(new ListenFd(names.get(i), fd));
        }
        return new Found(List.copyOf(fds), null, null, null);
    }

    /** A decimal int (sd's safe_atoi: digits only here), or -1. */
    private static int parse(String s) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        long v = Long.parseLong(s);
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }
}
