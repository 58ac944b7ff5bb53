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
import dev.herd.os.Proc;
import dev.herd.os.Spawn;
import dev.herd.os.Sys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A child process (libuv's {@code uv_process_t}, {@code src/unix/process.c}): {@link #spawn}
 * starts it with {@code posix_spawn}, and the handle reports its exit on the loop.
 *
 * <p><b>Starting.</b> {@link ProcessOptions#file()} without a '/' is looked up in the PATH of the
 * <em>child's</em> environment (libuv runs execvp after switching to the child's environ; the
 * default PATH is {@code /bin:/usr/bin}, an empty entry is the child's working directory, and a
 * program found but not executable gives EACCES if nothing later fits). A script without a
 * {@code #!} line (ENOEXEC) is run by {@code /bin/sh}, as execvp does. The child gets exactly the
 * descriptors of its {@link StdioContainer stdio} slots (see {@link Spawn} for the file actions),
 * an empty signal mask and default signal dispositions. As libuv does, a descriptor handed to
 * slots 0-2 with {@link StdioContainer.InheritFd} or {@link StdioContainer.InheritStream} is made
 * blocking first: programs expect blocking stdio, and the flag belongs to the open file, which
 * the child shares with us.
 *
 * <p><b>Exit.</b> The handle watches a pidfd of the child in the loop's epoll set and reaps it
 * with {@code waitid(P_PIDFD)}: never {@code waitpid(-1)}, which would steal the statuses the
 * JDK's own reaper threads wait for. The {@link ExitCallback} runs once, in the poll phase.
 *
 * <p><b>Active</b> from a successful spawn until the exit: a referenced running child keeps the
 * loop alive ({@link #unref()} lets the loop end without waiting for it). Closing the handle
 * before the exit stops watching; as in libuv, the child runs on and is not reaped.
 *
 * <p>uid/gid switching ({@code UV_PROCESS_SETUID/SETGID}): {@link ProcessOptions#uid()} and
 * {@link ProcessOptions#gid()}; posix_spawn has no attribute for it, so the spawning thread takes
 * the ids for the span of the call (dev.herd.os.Spawn).
 *
 * <p>Thread rule: loop thread only; the exit callback runs there. Lifetime: as {@link Handle}; the
 * pidfd closes with the handle or at the exit, whichever is first.
 */
public final class Process extends Handle {
    /** libuv's {@code uv_exit_cb}: runs once, on the loop thread, when the child has exited. */
    @FunctionalInterface
    public interface ExitCallback {
        /**
         * Gets the child's exit.
         *
         * @param exitStatus the exit code (0 when a signal ended it); negative (-ECHILD) only if
         *     someone else reaped the child and its status is lost
         * @param termSignal the signal that ended it, or 0
         * @param process the handle of the child that exited
         */
        void onExit(Process process, long exitStatus, int termSignal);
    }

    /** glibc's execvp default when the environment has no PATH ({@code confstr(_CS_PATH)}). */
    static final String DEFAULT_PATH = "/bin:/usr/bin";

    private static final int ENOEXEC = 8;
    private static final int ECHILD = Errno.ECHILD.number();

    private final int pid;
    private final ExitCallback exitCallback;
    private Fd pidfd;
    private IoWatcher watcher;
    private boolean exited;

    private Process(Loop loop, int pid, Fd pidfd, ExitCallback exitCallback) {
        super(loop);
        this.pid = pid;
        this.pidfd = pidfd;
        this.exitCallback = exitCallback;
    }

    /**
     * Starts the program (libuv's {@code uv_spawn}). On success the {@link StdioContainer.CreatePipe}
     * pipes are open and the handle is active; on failure nothing was started, no descriptor was
     * left open and the pipes are as they were.
     *
     * @param loop the loop the handle belongs to
     * @param options the program, its arguments, environment, cwd, stdio and exit callback
     * @return the running child's handle
     * @throws ErrnoException syscall {@code "spawn"}, path = the file: ENOENT (no such program,
     *     or no such cwd), EACCES (not executable), ENOTDIR, E2BIG, EAGAIN, ENOMEM, EMFILE;
     *     EINVAL for a pipe that is already open, closing or of another loop
     * @throws IllegalArgumentException for a NUL byte in the file, an argument, the environment
     *     or the cwd
     */
    public static Process spawn(Loop loop, ProcessOptions options) {
        loop.checkThread();
        Objects.requireNonNull(options, "options");
        if (loop.isClosed()) throw new IllegalStateException("loop is closed");
        List<StdioContainer> stdio = options.stdio();
        int slots = Math.max(3, stdio.size());
        int[] childFds = new int[slots];
        Fd[][] pairs = new Fd[slots][];
        try {
            for (int i = 0; i < slots; i++) {
                StdioContainer c = i < stdio.size() ? stdio.get(i) : StdioContainer.IGNORE;
                childFds[i] = switch (c) {
                    case StdioContainer.Ignore ignored -> Spawn.IGNORE;
                    case StdioContainer.CreatePipe cp -> {
                        checkUnopened(loop, cp.pipe(), options.file());
                        // Blocking at both ends for now: the child's end must stay blocking;
                        // ours is made non-blocking when the pipe adopts it.
                        pairs[i] = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM, 0);
                        yield pairs[i][1].intValue();
                    }
                    case StdioContainer.InheritFd f -> f.fd();
                    case StdioContainer.InheritStream s -> s.stream().fileno();
                };
                if (i <= 2 && pairs[i] == null && childFds[i] >= 0) {
                    int r = LibC.setNonBlocking(childFds[i], false);
                    if (r < 0) throw ErrnoException.of(Errno.of(r), "spawn", options.file(), null);
                }
            }
            String path = resolve(options.file(), options.env(), options.cwd());
            int flags = options.detached() ? Spawn.POSIX_SPAWN_SETSID
                    : options.processGroup() >= 0 ? Spawn.POSIX_SPAWN_SETPGROUP : 0;
            int pgroup = Math.max(0, options.processGroup());
            int pid = Spawn.posix_spawn(path, options.args(), options.env(), options.cwd(), childFds, flags, pgroup,
                    options.uid(), options.gid());
            if (pid == -ENOEXEC) {
                // execvp's fallback for a script without "#!": the shell runs it.
                List<String> shArgs = new ArrayList<>();
                shArgs.add("/bin/sh");
                shArgs.add(path);
                shArgs.addAll(options.args().subList(1, options.args().size()));
                pid = Spawn.posix_spawn("/bin/sh", shArgs, options.env(), options.cwd(), childFds, flags, pgroup,
                        options.uid(), options.gid());
            }
            if (pid < 0) throw ErrnoException.of(Errno.of(pid), "spawn", options.file(), null);
            int fd = Proc.pidfd_open(pid, 0);
            if (fd < 0) {
                // Cannot watch it: do not leave a child nobody will reap.
                Proc.kill(pid, dev.herd.os.Signals.SIGKILL);
                Proc.waitid(Proc.P_PID, pid, Proc.WEXITED);
                throw ErrnoException.of(Errno.of(fd), "pidfd_open");
            }
            Process p = new Process(loop, pid, Fd.adopt(fd), options.exitCallback());
            for (int i = 0; i < slots; i++) {
                if (pairs[i] == null) continue;
                pairs[i][1].close(); // the child's end: ours must go, or we never see EOF
                Fd parentEnd = pairs[i][0];
                pairs[i] = null;
                Pipe pipe = ((StdioContainer.CreatePipe) stdio.get(i)).pipe();
                try {
                    int r = LibC.setNonBlocking(parentEnd.intValue(), true);
                    if (r < 0) throw ErrnoException.of(r, "fcntl");
                    pipe.openSocket(parentEnd, true, true);
                } catch (RuntimeException e) {
                    // The child runs already; this slot's pipe stays unopened, as after a
                    // failed spawn, and the child sees EOF or EPIPE on it.
                    parentEnd.close();
                }
            }
            p.startWatching();
            return p;
        } finally {
            for (Fd[] pair : pairs) {
                if (pair == null) continue;
                pair[0].close();
                pair[1].close();
            }
        }
    }

    private static void checkUnopened(Loop loop, Pipe pipe, String file) {
        if (pipe.loop() != loop || pipe.isClosing() || pipe.fd() != null) {
            throw ErrnoException.of(Errno.EINVAL, "spawn", file, null);
        }
    }

    /**
     * The path to hand to posix_spawn for {@code file}: as is when it contains a '/', else the
     * first executable regular file named so in the child's PATH (glibc execvp's search).
     *
     * @throws ErrnoException ENOENT, or EACCES if only non-executable candidates were found
     */
    static String resolve(String file, List<String> env, String cwd) {
        if (file.indexOf('/') >= 0) return file;
        String pathVar = env == null ? System.getenv("PATH") : lookup(env, "PATH");
        if (pathVar == null) pathVar = DEFAULT_PATH;
        boolean sawEacces = false;
        Path base = null;
        for (String dir : pathVar.split(":", -1)) {
            String candidate = dir.isEmpty() ? file : dir.endsWith("/") ? dir + file : dir + "/" + file;
            Path p = Path.of(candidate);
            if (!p.isAbsolute()) {
                // Relative PATH entries are relative to the child's working directory.
                if (base == null) base = childCwd(cwd);
                if (base == null) continue;
                p = base.resolve(p);
            }
            if (!Files.exists(p)) continue;
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return candidate;
            sawEacces = true;
        }
        throw ErrnoException.of(sawEacces ? Errno.EACCES : Errno.ENOENT, "spawn", file, null);
    }

    private static String lookup(List<String> env, String name) {
        String prefix = name + "=";
        for (String e : env) {
            if (e.startsWith(prefix)) return e.substring(prefix.length());
        }
        return null;
    }

    private static Path childCwd(String cwd) {
        try {
            if (cwd != null && cwd.startsWith("/")) return Path.of(cwd);
            // Sys.getcwd, not user.dir: process.chdir changes the first only.
            Path here = Path.of(Sys.getcwd());
            return cwd == null ? here : here.resolve(cwd);
        } catch (ErrnoException | java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private void startWatching() {
        watcher = new IoWatcher(loop(), pidfd.intValue(), this::onPidfdReady);
        watcher.start(Epoll.EPOLLIN);
        activate();
    }

    /** The pidfd turned readable: the child has exited (libuv's {@code uv__wait_children} for one child). */
    private void onPidfdReady(int events) {
        long status;
        int signal = 0;
        try {
            Proc.WaitStatus st = Proc.waitid(Proc.P_PIDFD, pidfd.intValue(), Proc.WEXITED | Proc.WNOHANG);
            if (!st.ready()) return;
            if (st.signaled()) {
                status = 0;
                signal = st.status();
            } else {
                status = st.status();
            }
        } catch (ErrnoException e) {
            if (e.errnoEntry().number() != ECHILD) throw e;
            // Reaped behind our back (a waitpid(-1) elsewhere): the status is gone. Report it
            // rather than watch a pidfd that stays readable for ever.
            status = -ECHILD;
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

    /** {@return the child's process id} */
    public int pid() {
        return pid;
    }

    /** {@return whether the child has exited and been reaped (the exit callback has run or is running)} */
    public boolean hasExited() {
        return exited;
    }

    /**
     * Sends {@code signum} to the child (libuv's {@code uv_process_kill}); 0 checks that it is
     * still there. Through the pidfd while the handle is open, so a recycled pid is never hit.
     *
     * @param signum the signal number, 0 to check
     * @throws ErrnoException syscall {@code "kill"}: ESRCH once the child has exited, EINVAL for
     *     a bad signal number, EPERM
     */
    public void kill(int signum) {
        loop().checkThread();
        if (exited) throw ErrnoException.of(Errno.ESRCH, "kill");
        // After close the child is not reaped by us, so its pid cannot have been reused.
        int r = pidfd != null ? Proc.pidfd_send_signal(pidfd.intValue(), signum) : Proc.kill(pid, signum);
        if (r < 0) throw ErrnoException.of(r, "kill");
    }

    @Override
    protected void doClose() {
        releasePidfd();
    }

    @Override
    public String toString() {
        return "Process(pid " + pid + (exited ? ", exited)" : ")");
    }
}
