package dev.herd.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Process-wide system calls that are neither fd nor socket calls: getcwd, chdir, getrusage,
 * getrlimit/setrlimit.
 * Same conventions as {@link LibC}: C result or {@code -errno}, EINTR retried.
 *
 * <p>Thread rule: safe on any thread (the working directory is process-wide state, as in C).
 */
public final class Sys {
    private Sys() {}

    /** getrusage(2) who: the calling process. */
    public static final int RUSAGE_SELF = 0;
    /** getrusage(2) who: the terminated, waited-for children. */
    public static final int RUSAGE_CHILDREN = -1;
    /** getrusage(2) who: the calling thread. */
    public static final int RUSAGE_THREAD = 1;
    /** sizeof(struct rusage) on 64-bit Linux: two timevals and fourteen longs. */
    private static final long RUSAGE_SIZE = 144;
    private static final int PATH_MAX = 4096;

    /** The limit on descriptor numbers: a new fd must be below the soft limit, or EMFILE. */
    public static final int RLIMIT_NOFILE = 7;
    /** {@code RLIM_INFINITY}: no limit (all bits set, as the kernel's unsigned value). */
    public static final long RLIM_INFINITY = -1L;

    // libc symbols, called through Native's one universal shape (see Native).
    private static final MemorySegment GETCWD = Native.symbol("getcwd");
    private static final MemorySegment CHDIR = Native.symbol("chdir");
    private static final MemorySegment SIGACTION = Native.symbol("sigaction");
    private static final MemorySegment GETRUSAGE = Native.symbol("getrusage");
    private static final MemorySegment GETRLIMIT = Native.symbol("getrlimit");
    private static final MemorySegment SETRLIMIT = Native.symbol("setrlimit");
    /** sizeof(struct sigaction) on x86_64 and aarch64 glibc: handler, 128-byte mask, flags, restorer. */
    private static final long SIGACTION_SIZE = 152;
    private static final long SIG_IGN = 1;

    /** {@return getcwd(3): the working directory; throws {@link ErrnoException} if it is gone (ENOENT)} */
    public static String getcwd() {
        MemorySegment st = Native.state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(PATH_MAX);
            long r = Native.call(GETCWD, st, buf.address(), PATH_MAX);
            if (r == 0) throw ErrnoException.of(Native.errno(st), "uv_cwd");
            return buf.getString(0);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * chdir(2); returns 0 or -errno.
     *
     * @param path the new working directory
     * @return 0, or -errno
     */
    public static int chdir(String path) {
        MemorySegment st = Native.state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            int r = (int) Native.call(CHDIR, st, p.address());
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * getrusage(2) CPU times: {@code {user µs, system µs}} for {@code who} (RUSAGE_SELF,
     * RUSAGE_CHILDREN, RUSAGE_THREAD); throws {@link ErrnoException} on failure.
     *
     * @param who RUSAGE_SELF, RUSAGE_CHILDREN or RUSAGE_THREAD
     * @return user and system CPU time in microseconds
     */
    public static long[] getrusage(int who) {
        MemorySegment st = Native.state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ru = a.allocate(RUSAGE_SIZE, 8);
            int r = (int) Native.call(GETRUSAGE, st, who, ru.address());
            if (r != 0) throw ErrnoException.of(Native.errno(st), "getrusage");
            long user = ru.get(ValueLayout.JAVA_LONG, 0) * 1_000_000L + ru.get(ValueLayout.JAVA_LONG, 8);
            long sys = ru.get(ValueLayout.JAVA_LONG, 16) * 1_000_000L + ru.get(ValueLayout.JAVA_LONG, 24);
            return new long[] {user, sys};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * getrlimit(2): {@code {soft, hard}} for {@code resource} ({@link #RLIMIT_NOFILE}, ...), where
     * {@link #RLIM_INFINITY} means unlimited; throws {@link ErrnoException} on failure.
     *
     * @param resource the resource ({@link #RLIMIT_NOFILE}, ...)
     * @return the soft and the hard limit
     */
    public static long[] getrlimit(int resource) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment rl = s.allocate(16, 8); // struct rlimit { rlim_t rlim_cur, rlim_max; }
            int r = (int) Native.call(GETRLIMIT, st, resource, rl.address());
            if (r != 0) throw ErrnoException.of(Native.errno(st), "getrlimit");
            return new long[] {rl.get(ValueLayout.JAVA_LONG, 0), rl.get(ValueLayout.JAVA_LONG, 8)};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * setrlimit(2) for the whole process; returns 0 or -errno (EPERM when raising the hard limit
     * unprivileged, EINVAL when soft exceeds hard). Lowering RLIMIT_NOFILE leaves descriptors
     * already open alone; only new ones must fit under it.
     *
     * @param resource the resource ({@link #RLIMIT_NOFILE}, ...)
     * @param soft the new soft limit
     * @param hard the new hard limit
     * @return 0, or -errno
     */
    public static int setrlimit(int resource, long soft, long hard) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment rl = s.allocate(16, 8);
            rl.set(ValueLayout.JAVA_LONG, 0, soft);
            rl.set(ValueLayout.JAVA_LONG, 8, hard);
            int r = (int) Native.call(SETRLIMIT, st, resource, rl.address());
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * Whether {@code signum}'s disposition is SIG_IGN (queried with sigaction; nothing changes).
     *
     * @param signum the signal number
     * @return whether its disposition is SIG_IGN
     */
    public static boolean isSignalIgnored(int signum) {
        MemorySegment st = Native.state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(SIGACTION_SIZE, 8);
            int r = (int) Native.call(SIGACTION, st, signum, 0L, old.address());
            if (r != 0) throw ErrnoException.of(Native.errno(st), "sigaction");
            return old.get(ValueLayout.JAVA_LONG, 0) == SIG_IGN;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * Sets {@code signum}'s disposition to SIG_DFL. Only a plain value is installed, never a
     * handler of ours (a Java upcall from a signal context would crash the JVM). Used to undo an
     * inherited SIG_IGN, which HotSpot would otherwise refuse to replace.
     *
     * @param signum the signal number
     */
    public static void setSignalDefault(int signum) {
        setDisposition(signum, 0);
    }

    /**
     * Sets {@code signum}'s disposition back to SIG_IGN.
     *
     * @param signum the signal number
     */
    public static void setSignalIgnored(int signum) {
        setDisposition(signum, SIG_IGN);
    }

    private static void setDisposition(int signum, long handler) {
        MemorySegment st = Native.state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment act = a.allocate(SIGACTION_SIZE, 8); // zeroed: empty mask, no flags
            act.set(ValueLayout.JAVA_LONG, 0, handler);
            int r = (int) Native.call(SIGACTION, st, signum, act.address(), 0L);
            if (r != 0) throw ErrnoException.of(Native.errno(st), "sigaction");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }
}
