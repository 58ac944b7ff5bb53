package dev.herd.loop;

import dev.herd.os.SignalSource;
import java.util.function.IntConsumer;

/**
 * Delivers a process signal (SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH...) to a
 * callback on the loop thread (libuv's {@code uv_signal_t}). Signals reach the JVM through
 * {@link SignalSource}, never a native handler of ours, so the JVM cannot crash in one; the
 * callback runs in the poll phase. While any Signal watches a signal, the signal's default action
 * (SIGINT and SIGTERM end the process) is replaced by delivery; the old action returns when the
 * last watcher stops.
 *
 * <p>Thread rule: loop thread only. Lifetime: as {@link Handle}.
 */
public final class Signal extends Handle {
    private SignalSource.Registration registration;
    private IntConsumer callback;
    private int signum;
    private boolean oneshot;
    /** Bumped on every start/stop so deliveries posted for an earlier start are dropped. */
    private int generation;

    /**
     * A stopped signal handle of {@code loop}.
     *
     * @param loop the loop it belongs to
     */
    public Signal(Loop loop) {
        super(loop);
    }

    /**
     * Watches {@code signum}; {@code callback} gets the signal number each time it arrives.
     *
     * @param callback gets the signal number, on the loop thread
     * @param signum the signal number to watch
     */
    public void start(IntConsumer callback, int signum) {
        start(callback, signum, false);
    }

    /**
     * Like {@link #start}, but stops itself after the first delivery (libuv's uv_signal_start_oneshot).
     *
     * @param callback gets the signal number, on the loop thread
     * @param signum the signal number to watch
     */
    public void startOneshot(IntConsumer callback, int signum) {
        start(callback, signum, true);
    }

    private void start(IntConsumer callback, int signum, boolean oneshot) {
        checkOpen();
        if (callback == null) throw new NullPointerException("callback");
        if (isActive() && this.signum == signum && this.oneshot == oneshot) {
            this.callback = callback; // libuv: restarting on the same signal only swaps the callback
            return;
        }
        // Watch the new signal before letting go of the old watch. If the signal is refused
        // (IllegalArgumentException for signals the JVM keeps for itself), the handle is left as
        // it was, as libuv validates before it changes anything; and a restart on the same signal
        // never leaves it unwatched, with its default action (for SIGINT: exit) back in force.
        int gen = generation + 1;
        SignalSource.Registration r = SignalSource.watch(signum, s -> loop.execute(() -> deliver(s, gen)));
        stop();
        generation = gen;
        registration = r;
        this.callback = callback;
        this.signum = signum;
        this.oneshot = oneshot;
        activate();
    }

    private void deliver(int s, int gen) {
        if (gen != generation || !isActive()) return;
        IntConsumer cb = callback;
        if (oneshot) stop();
        cb.accept(s);
    }

    /** Stops watching. Idempotent. */
    public void stop() {
        loop.checkThread();
        if (!isActive()) return;
        generation++;
        SignalSource.Registration r = registration;
        registration = null;
        if (r != null) r.close();
        deactivate();
    }

    /** {@return the signal being watched, or 0} */
    public int signum() {
        return isActive() ? signum : 0;
    }

    @Override
    protected void doClose() {
        stop();
    }
}
