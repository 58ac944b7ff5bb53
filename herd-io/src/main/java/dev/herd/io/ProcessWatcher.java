package dev.herd.io;

import dev.herd.loop.Handle;
import dev.herd.loop.IoWatcher;
import dev.herd.loop.Loop;
import dev.herd.os.Epoll;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.Proc;

/**
 * Watches a process this one did not spawn, by pid ({@link Process} watches the children it
 * spawned): a pidfd of it in the loop's epoll set, and an exit callback that runs once, in the
 * poll phase, when the process has exited. Herd's; libuv has no such handle.
 *
 * <p><b>Exit status.</b> Linux gives a process's exit status to its parent alone: {@code waitid}
 * on anyone else's pidfd fails with ECHILD. So the status is known only when the watched process
 * is this process's child, which for one it did not spawn means this process is a child subreaper
 * ({@link Proc#PR_SET_CHILD_SUBREAPER}) that adopted it when its own parent died. Then, with
 * {@code reap}, the watcher also reaps it ({@code waitid(P_PIDFD)}), as a parent must or the
 * process stays a zombie; without, it reads the status and leaves the process waitable
 * ({@code WNOWAIT}) for whoever reaps it. For any other process the exit is reported with an
 * unknown status: {@code exitStatus} -ECHILD and no signal. Reap only processes nobody else waits
 * for: the JDK's reaper threads wait for every ProcessBuilder child by pid ({@link Proc}'s
 * reaping rule).
 *
 * <p><b>Which process.</b> A pid names a process until the process is reaped; then the number may
 * be reused. {@link #start} opens the pidfd of whatever process has the pid at that moment (as
 * {@code kill(pid)} would signal it), and from then on the pidfd, and so {@link #kill}, refer to
 * that process alone.
 *
 * <p><b>Active</b> from {@link #start} until the exit: a referenced watcher keeps the loop alive.
 *
 * <p>Thread rule: loop thread only; the exit callback runs there. Lifetime: as {@link Handle}; the
 * pidfd closes with the handle or at the exit, whichever is first.
 */
public final class ProcessWatcher extends Handle {
    /** Runs once, on the loop thread, when the watched process has exited. */
    @FunctionalInterface
    public interface ExitCallback {
        /**
         * Gets the process's exit.
         *
         * @param watcher the watcher
         * @param exitStatus the exit code (0 when a signal ended it), or -ECHILD when the status is
         *     unknown (the process is not this one's child)
         * @param termSignal the signal that ended it, or 0 (also when the status is unknown)
         */
        void onExit(ProcessWatcher watcher, long exitStatus, int termSignal);
    }

    private static final int ECHILD = Errno.ECHILD.number();

    private int pid;
    private boolean reap;
    private ExitCallback exitCallback;
    private Fd pidfd;
    private IoWatcher watcher;
    private boolean exited;

    /**
     * A watcher on {@code loop}; {@link #start} says which process.
     *
     * @param loop the loop
     */
    public ProcessWatcher(Loop loop) {
        super(loop);
    }

    /**
     * Starts watching process {@code pid}.
     *
     * @param pid the process
     * @param reap whether to reap it when it is this process's child (see the class comment)
     * @param callback runs once when it has exited
     * @throws ErrnoException syscall {@code "pidfd_open"}: ESRCH when there is no such process (it
     *     has exited and been reaped), ENOSYS before Linux 5.3; EBUSY ({@code "uv_process_watch"})
     *     when the watcher has been started already
     */
    public void start(int pid, boolean reap, ExitCallback callback) {
        loop().checkThread();
        if (isClosing()) throw ErrnoException.of(Errno.EINVAL, "uv_process_watch");
        if (this.pid != 0) throw ErrnoException.of(Errno.EBUSY, "uv_process_watch");
        if (pid <= 0) throw new IllegalArgumentException("not a pid: " + pid);
        int fd = Proc.pidfd_open(pid, 0);
        if (fd < 0) throw ErrnoException.of(Errno.of(fd), "pidfd_open");
        this.pid = pid;
        this.reap = reap;
        this.exitCallback = callback;
        this.pidfd = Fd.adopt(fd);
        watcher = new IoWatcher(loop(), fd, this::onPidfdReady);
        watcher.start(Epoll.EPOLLIN);
        activate();
    }

    /** The pidfd turned readable: the process has exited. */
    private void onPidfdReady(int events) {
        long status;
        int signal = 0;
        try {
            Proc.WaitStatus st = Proc.waitid(Proc.P_PIDFD, pidfd.intValue(),
                    Proc.WEXITED | Proc.WNOHANG | (reap ? 0 : Proc.WNOWAIT));
            if (!st.ready()) return;
            if (st.signaled()) {
                status = 0;
                signal = st.status();
            } else {
                status = st.status();
            }
        } catch (ErrnoException e) {
            if (e.errnoEntry().number() != ECHILD) throw e;
            status = -ECHILD; // not our child: its parent gets the status
        }
        exited = true;
        releasePidfd();
        deactivate();
        if (exitCallback != null) exitCallback.onExit(this, status, signal);
    }

    private void releasePidfd() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        if (pidfd != null) {
            pidfd.close();
            pidfd = null;
        }
    }

    /** {@return the watched process's id, or 0 before {@link #start}} */
    public int pid() {
        return pid;
    }

    /** {@return whether the process has exited (the exit callback has run or is running)} */
    public boolean hasExited() {
        return exited;
    }

    /**
     * Sends {@code signum} to the watched process through its pidfd (0 checks that it is still
     * there), so a reused pid is never hit.
     *
     * @param signum the signal number, 0 to check
     * @throws ErrnoException syscall {@code "kill"}: ESRCH once the process has exited or when the
     *     watcher is not watching, EPERM, EINVAL for a bad signal number
     */
    public void kill(int signum) {
        loop().checkThread();
        if (exited || pidfd == null) throw ErrnoException.of(Errno.ESRCH, "kill");
        int r = Proc.pidfd_send_signal(pidfd.intValue(), signum);
        if (r < 0) throw ErrnoException.of(r, "kill");
    }

    @Override
    protected void doClose() {
        releasePidfd();
    }

    @Override
    public String toString() {
        return "ProcessWatcher(pid " + pid + (exited ? ", exited)" : ")");
    }
}
