package dev.herd.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Process system calls: kill, pidfd_open, pidfd_send_signal, waitid, prctl (the child subreaper
 * attribute), getpid/getppid. Signal
 * numbers and names are in {@link Signals}. Conventions are {@link LibC}'s: the C result or
 * {@code -errno}, EINTR retried here.
 *
 * <p><b>Reaping rule.</b> The JDK's process-reaper threads wait for every ProcessBuilder child by
 * pid. So this class offers {@link #waitid} only for one specific child ({@link #P_PID} or
 * {@link #P_PIDFD}); there is no {@code waitpid(-1)}, {@code P_ALL} or {@code P_PGID}, which would
 * steal the statuses the JDK is waiting for. Conversely, a child the JDK spawned is reaped by the
 * JDK at once, so it cannot be waited for here: wait only for children spawned through FFM.
 *
 * <p>Thread rule: every method is safe on any thread. Stateless; nothing to close.
 */
public final class Proc {
    private Proc() {}

    // idtype_t
    /** waitid idtype: wait for the child with this pid. */
    public static final int P_PID = 1;
    /** waitid idtype: wait for the child this pidfd refers to. */
    public static final int P_PIDFD = 3;
    // waitid options
    /** waitid option: return at once if no child has changed state. */
    public static final int WNOHANG = 1;
    /** waitid option: report children stopped by a signal. */
    public static final int WSTOPPED = 2;
    /** waitid option: report children that have exited or were killed. */
    public static final int WEXITED = 4;
    /** waitid option: report children continued by SIGCONT. */
    public static final int WCONTINUED = 8;
    /** waitid option: leave the child waitable (do not reap it). */
    public static final int WNOWAIT = 0x1000000;
    // si_code values for SIGCHLD
    /** siginfo si_code: the child exited; si_status is its exit code. */
    public static final int CLD_EXITED = 1;
    /** siginfo si_code: the child was killed by a signal; si_status is the signal. */
    public static final int CLD_KILLED = 2;
    /** siginfo si_code: the child was killed by a signal and dumped core. */
    public static final int CLD_DUMPED = 3;
    /** siginfo si_code: a traced child has trapped. */
    public static final int CLD_TRAPPED = 4;
    /** siginfo si_code: the child was stopped by a signal. */
    public static final int CLD_STOPPED = 5;
    /** siginfo si_code: the child continued (SIGCONT). */
    public static final int CLD_CONTINUED = 6;
    /** pidfd_open flag: a non-blocking pidfd (waitid on it gives EAGAIN while the child runs). */
    public static final int PIDFD_NONBLOCK = 0x800;
    // prctl options
    /** prctl option: with arg2 1, orphaned descendants are reparented to this process, not to init. */
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    /** prctl option: whether this process is a child subreaper. */
    public static final int PR_GET_CHILD_SUBREAPER = 37;

    private static final int EINTR = 4;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SIGINFO_SIZE = 128;

    // libc symbols, called through Native's one universal shape (see Native). glibc 2.36 has both
    // pidfd wrappers (null when absent); older ones go through syscall(2), which is variadic.
    private static final MemorySegment KILL = Native.symbol("kill");
    private static final MemorySegment WAITID = Native.symbol("waitid");
    private static final MemorySegment PIDFD_OPEN = Native.symbolOrNull("pidfd_open");
    private static final MemorySegment PIDFD_SEND_SIGNAL = Native.symbolOrNull("pidfd_send_signal");
    private static final MemorySegment SYSCALL = Native.symbol("syscall");
    private static final MemorySegment PRCTL = Native.symbol("prctl");

    /**
     * kill(2). Signal 0 checks that {@code pid} exists and may be signalled (0, -ESRCH or
     * -EPERM). As in C and Node, {@code pid} 0 or negative addresses a process group, and -1
     * every process the caller may signal.
     *
     * @param pid the process, or a process group (0 or negative)
     * @param sig the signal number, 0 to check only
     * @return 0, or -errno
     */
    public static int kill(int pid, int sig) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(KILL, st, pid, sig);
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * pidfd_open(2): a descriptor that refers to process {@code pid} (always close-on-exec; flags 0
     * or {@link #PIDFD_NONBLOCK}). It turns readable in epoll when the process exits. Returns the
     * fd, which the caller owns, or -errno (-ESRCH if there is no such process, -ENOSYS before
     * Linux 5.3). Race-free for an unreaped child: its pid cannot be reused before it is reaped.
     *
     * @param pid the process
     * @param flags 0 or {@link #PIDFD_NONBLOCK}
     * @return the new descriptor, or -errno
     */
    public static int pidfd_open(int pid, int flags) {
        MemorySegment st = Native.state();
        try {
            if (PIDFD_OPEN != null) {
                int r = (int) Native.call(PIDFD_OPEN, st, pid, flags);
                return r >= 0 ? r : -Native.errno(st);
            }
            long r = Native.call(SYSCALL, st, SYS_PIDFD_OPEN, pid, flags);
            return r >= 0 ? (int) r : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * pidfd_send_signal(2) with no siginfo and flags 0; returns 0 or -errno (-ESRCH once it has exited).
     *
     * @param pidfd the process's pidfd
     * @param sig the signal number
     * @return 0, or -errno
     */
    public static int pidfd_send_signal(int pidfd, int sig) {
        MemorySegment st = Native.state();
        try {
            if (PIDFD_SEND_SIGNAL != null) {
                int r = (int) Native.call(PIDFD_SEND_SIGNAL, st, pidfd, sig, 0L, 0L);
                return r == 0 ? 0 : -Native.errno(st);
            }
            long r = Native.call(SYSCALL, st, SYS_PIDFD_SEND_SIGNAL, pidfd, sig, 0L, 0L);
            return r == 0 ? 0 : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * What {@link #waitid} saw, from the {@code siginfo_t}: the child's {@code pid}, {@code code}
     * (si_code: {@link #CLD_EXITED}, {@link #CLD_KILLED}, {@link #CLD_DUMPED}, ...) and
     * {@code status} (si_status: the exit code for CLD_EXITED, otherwise a signal number). A
     * {@code pid} of 0 means "nothing yet" (WNOHANG and the child has not changed state).
     * An immutable value, safe to pass between threads.
     *
     * @param pid the child's pid, or 0 if no child has changed state yet
     * @param code si_code: {@link #CLD_EXITED}, {@link #CLD_KILLED}, {@link #CLD_DUMPED}, ...
     * @param status si_status: the exit code for CLD_EXITED, otherwise a signal number
     */
    public record WaitStatus(int pid, int code, int status) {
        /** The WNOHANG answer for a child that has not changed state. */
        public static final WaitStatus NOTHING_YET = new WaitStatus(0, 0, 0);

        /** {@return whether a child changed state (false for WNOHANG's "nothing yet")} */
        public boolean ready() {
            return pid != 0;
        }

        /** {@return whether the child exited normally; {@link #status()} is then its exit code} */
        public boolean exited() {
            return pid != 0 && code == CLD_EXITED;
        }

        /** {@return whether a signal ended the child; {@link #status()} is then the signal number} */
        public boolean signaled() {
            return pid != 0 && (code == CLD_KILLED || code == CLD_DUMPED);
        }

        /**
         * {@return Node's {@code code} argument of 'exit': the exit code, or {@code null} if signalled or not ready}
         */
        public Integer exitCode() {
            return exited() ? status : null;
        }

        /**
         * {@return Node's {@code signal} argument of 'exit': "SIGKILL", or {@code null} if it exited or is not ready}
         */
        public String signalCode() {
            return signaled() ? Signals.name(status) : null;
        }
    }

    /**
     * waitid(2) for one child: {@code idtype} is {@link #P_PID} (id = pid) or {@link #P_PIDFD}
     * (id = pidfd, Linux 5.4+); {@code options} combine {@link #WEXITED}, {@link #WNOHANG},
     * {@link #WNOWAIT}, {@link #WSTOPPED}, {@link #WCONTINUED}. Blocks unless WNOHANG (or the pidfd
     * is non-blocking).
     *
     * @param idtype {@link #P_PID} or {@link #P_PIDFD}
     * @param id the pid or the pidfd
     * @param options {@code W*} options
     * @return the child's state change, or {@link WaitStatus#NOTHING_YET} (WNOHANG only)
     * @throws IllegalArgumentException for any other idtype (see the reaping rule above)
     * @throws ErrnoException syscall {@code "waitid"}: ECHILD if it is not our unreaped child
     *     (someone else reaped it), EAGAIN for a non-blocking pidfd of a running child, EINVAL
     */
    public static WaitStatus waitid(int idtype, int id, int options) {
        if (idtype != P_PID && idtype != P_PIDFD) {
            throw new IllegalArgumentException("waitid only for one child (P_PID or P_PIDFD), not idtype " + idtype);
        }
        if (idtype == P_PID && id <= 0) throw new IllegalArgumentException("not a pid: " + id);
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment info = s.allocate(SIGINFO_SIZE, 8);
            for (;;) {
                info.fill((byte) 0); // WNOHANG leaves si_pid untouched: 0 must mean "nothing yet"
                int r = (int) Native.call(WAITID, st, idtype, id, info.address(), options);
                if (r == 0) {
                    int pid = info.get(ValueLayout.JAVA_INT, 16);
                    if (pid == 0) return WaitStatus.NOTHING_YET;
                    return new WaitStatus(pid, info.get(ValueLayout.JAVA_INT, 8), info.get(ValueLayout.JAVA_INT, 24));
                }
                int e = Native.errno(st);
                if (e != EINTR) throw ErrnoException.of(e, "waitid");
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * prctl(2) with one integer argument ({@link #PR_SET_CHILD_SUBREAPER}: 1 or 0); returns 0 or
     * -errno. A child subreaper (Linux 3.4+) becomes the parent of its orphaned descendants, as
     * init is for everyone else: it can then wait for them ({@link #waitid}), and must, or they
     * stay zombies. The attribute is the process's, not the thread's, and a fork does not inherit
     * it.
     *
     * @param option the prctl option
     * @param arg2 its argument
     * @return 0, or -errno
     */
    public static int prctl(int option, long arg2) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(PRCTL, st, option, arg2, 0L, 0L, 0L);
            return r >= 0 ? r : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * prctl({@link #PR_GET_CHILD_SUBREAPER}): whether this process is a child subreaper.
     *
     * @return whether it is
     * @throws ErrnoException syscall {@code "prctl"} (EINVAL before Linux 3.4)
     */
    public static boolean isChildSubreaper() {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment flag = s.allocate(ValueLayout.JAVA_INT);
            flag.set(ValueLayout.JAVA_INT, 0, 0);
            int r = (int) Native.call(PRCTL, st, PR_GET_CHILD_SUBREAPER, flag.address(), 0L, 0L, 0L);
            if (r < 0) throw ErrnoException.of(Native.errno(st), "prctl");
            return flag.get(ValueLayout.JAVA_INT, 0) != 0;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /** {@return getpid(2): this process's id} */
    public static int getpid() {
        return LibC.getpid();
    }

    /** {@return getppid(2): the parent process's id} */
    public static int getppid() {
        return LibC.getppid();
    }
}
