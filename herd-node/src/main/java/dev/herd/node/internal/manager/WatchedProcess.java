package dev.herd.node.internal.manager;

import dev.herd.io.ProcessWatcher;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.os.ErrnoException;
import dev.herd.os.Signals;
import java.util.function.BiConsumer;

/**
 * A process the manager watches but did not spawn (a {@code ChildProcess} is one it spawned): an
 * app's process after the manager restarted and found it running, a daemon an app started, a
 * worker of a primary that died. It emits 'exit' ({@code Integer code, String signal}, as
 * {@code ChildProcess} does) once the process has exited.
 *
 * <p>The exit status comes only for a process that is this one's child, which for a process it
 * did not spawn means it was adopted: this process is a {@link Subreaper} and the process's parent
 * died. For any other process both arguments of 'exit' are null: Linux tells its parent alone how
 * it ended. With {@code reap}, an adopted process is also reaped, as it must be (no one else will);
 * see {@link ProcessWatcher}, which this wraps.
 *
 * <p>Thread rule: the loop thread of the environment that made it. Lifetime: until 'exit' or
 * {@link #close()}; a referenced watch keeps the loop alive.
 */
public final class WatchedProcess extends EventEmitter {
    /** 'exit' (the exit code, the signal's name; both null for a process that is not this one's child). */
    public static final Event<BiConsumer<Integer, String>> EXIT = Event.of(WatchedProcess.class, "exit", Integer.class,
            String.class);

    private final Environment env;
    private final ProcessWatcher watcher;
    private boolean exited;
    private Integer exitCode;
    private String signalCode;

    private WatchedProcess(Environment env) {
        this.env = env;
        this.watcher = new ProcessWatcher(env.loop());
    }

    /**
     * Starts watching process {@code pid}.
     *
     * @param pid the process
     * @param reap whether to reap it when it is this process's child (adopted as a subreaper)
     * @return the watch; 'exit' follows when the process has exited
     * @throws ErrnoException syscall {@code "pidfd_open"}: ESRCH when there is no such process
     */
    public static WatchedProcess watch(int pid, boolean reap) {
        Environment env = Environment.current();
        env.checkThread();
        WatchedProcess w = new WatchedProcess(env);
        try {
            w.watcher.start(pid, reap, (watcher, status, signal) -> env.makeCallback(() -> w.onExit(status, signal)));
        } catch (RuntimeException e) {
            w.watcher.close();
            throw e;
        }
        return w;
    }

    private void onExit(long status, int signal) {
        exited = true;
        watcher.close();
        if (signal != 0) signalCode = Signals.name(signal);
        else if (status >= 0) exitCode = (int) status;
        emit("exit", exitCode, signalCode);
    }

    /** {@return the watched process's id} */
    public int pid() {
        return watcher.pid();
    }

    /** {@return whether the process has exited ('exit' was emitted)} */
    public boolean exited() {
        return exited;
    }

    /** {@return its exit code once it exited, if known and it was not a signal; else null} */
    public Integer exitCode() {
        return exitCode;
    }

    /** {@return the signal that ended it once it exited, if known; else null} */
    public String signalCode() {
        return signalCode;
    }

    /**
     * Sends {@code signal} ("SIGTERM", "SIGKILL", ...) to the process through its pidfd, so a pid
     * reused since never gets it.
     *
     * @param signal the signal's name
     * @throws NodeError ERR_UNKNOWN_SIGNAL for an unknown name
     * @throws ErrnoException syscall {@code "kill"}: ESRCH once it has exited or the watch closed,
     *     EPERM for another user's process
     */
    public void kill(String signal) {
        env.checkThread();
        int signum = Signals.number(signal);
        if (signum <= 0) {
            throw new NodeError("ERR_UNKNOWN_SIGNAL", "Unknown signal: " + signal, IllegalArgumentException.class);
        }
        watcher.kill(signum);
    }

    /** Lets the loop end while the process runs. */
    public void unref() {
        env.checkThread();
        watcher.unref();
    }

    /** Keeps the loop alive until the process exits (the default). */
    public void ref() {
        env.checkThread();
        watcher.ref();
    }

    /** Stops watching; no 'exit' follows. Idempotent. */
    public void close() {
        env.checkThread();
        watcher.close();
    }
}
