package dev.herd.node;

/**
 * What {@code setTimeout} and {@code setInterval} return (Node's {@code Timeout}): a handle to
 * clear, unref, ref or refresh the timer.
 *
 * <p>Thread rule: the loop thread of the environment that made it. Lifetime: active until it
 * fires (once, for a timeout) or is cleared; afterwards its methods do nothing harmful.
 */
public final class Timeout implements AutoCloseable {
    final NodeEnvironment env;
    Runnable callback;
    /** Duration in ms, after Node's clamping. */
    final long delay;
    final boolean repeat;
    /** Loop time when (re)inserted: Node's _idleStart. */
    long start;
    long due;
    long seq;
    int heapIndex = -1;
    boolean ref = true;
    /** Not pending: fired (a timeout) or cleared. */
    boolean destroyed;
    /** Cleared: refresh() no longer re-arms it. */
    boolean cleared;

    Timeout(NodeEnvironment env, Runnable callback, long delay, boolean repeat) {
        this.env = env;
        this.callback = callback;
        this.delay = delay;
        this.repeat = repeat;
    }

    /**
     * Makes this timer keep the process alive (the default).
     *
     * @return this timer
     */
    public Timeout ref() {
        env.checkThread();
        if (!ref) {
            ref = true;
            if (!destroyed) env.timerRefChanged(+1);
        }
        return this;
    }

    /**
     * Lets the process exit while this timer is pending.
     *
     * @return this timer
     */
    public Timeout unref() {
        env.checkThread();
        if (ref) {
            ref = false;
            if (!destroyed) env.timerRefChanged(-1);
        }
        return this;
    }

    /** {@return whether this timer keeps the process alive} */
    public boolean hasRef() {
        return ref;
    }

    /**
     * Restarts the timer's countdown from now with its original duration, re-arming it even if it
     * already fired (Node's {@code timeout.refresh()}).
     *
     * @return this timer
     */
    public Timeout refresh() {
        env.checkThread();
        env.refreshTimeout(this);
        return this;
    }

    /** Clears the timer (Node's {@code timeout.close()}). */
    @Override
    public void close() {
        env.checkThread();
        env.clearTimeout(this);
    }

    /** {@return the duration in milliseconds after clamping (1 for 0, negative, NaN or too large)} */
    public long delay() {
        return delay;
    }

    /** {@return whether the timer is still pending} */
    public boolean isActive() {
        return !destroyed;
    }
}
