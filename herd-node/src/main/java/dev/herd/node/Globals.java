package dev.herd.node;

/**
 * Node's globals for Java: {@code import static dev.herd.node.Globals.*;} and write
 * {@code setTimeout(() -> ..., 100)} as in Node. Each call works on the environment of the
 * calling loop thread (set up by {@link Herd#run}/{@link Herd#call}).
 *
 * <p>Thread rule: a Herd loop thread only; elsewhere the calls throw IllegalStateException.
 */
public final class Globals {
    private Globals() {}

    /**
     * Runs {@code callback} once after {@code ms} milliseconds. As in Node, a delay below 1,
     * above 2^31-1 or NaN becomes 1 ms (the large case with a TimeoutOverflowWarning), and
     * fractions round up.
     *
     * @param callback what to run
     * @param ms the delay in milliseconds
     * @return the timer, for {@link #clearTimeout}
     */
    public static Timeout setTimeout(Runnable callback, double ms) {
        return NodeEnvironment.current().setTimeout(callback, ms, false);
    }

    /**
     * Runs {@code callback} every {@code ms} milliseconds (same clamping as setTimeout).
     *
     * @param callback what to run
     * @param ms the interval in milliseconds
     * @return the timer, for {@link #clearInterval}
     */
    public static Timeout setInterval(Runnable callback, double ms) {
        return NodeEnvironment.current().setTimeout(callback, ms, true);
    }

    /**
     * Runs {@code callback} in the check phase of the next loop iteration.
     *
     * @param callback what to run
     * @return the immediate, for {@link #clearImmediate}
     */
    public static Immediate setImmediate(Runnable callback) {
        return NodeEnvironment.current().setImmediate(callback);
    }

    /**
     * Cancels a timeout; null and already-cleared timeouts are ignored, as in Node.
     *
     * @param timeout the timeout, or null
     */
    public static void clearTimeout(Timeout timeout) {
        if (timeout != null) timeout.env.clearTimeout(timeout);
    }

    /**
     * Cancels an interval; null and already-cleared intervals are ignored, as in Node.
     *
     * @param interval the interval, or null
     */
    public static void clearInterval(Timeout interval) {
        clearTimeout(interval);
    }

    /**
     * Cancels an immediate; null and already-run immediates are ignored.
     *
     * @param immediate the immediate, or null
     */
    public static void clearImmediate(Immediate immediate) {
        if (immediate != null) immediate.env.clearImmediate(immediate);
    }

    /**
     * Queues a microtask: it runs after the current callback and its nextTicks.
     *
     * @param callback what to run
     */
    public static void queueMicrotask(Runnable callback) {
        NodeEnvironment env = NodeEnvironment.current();
        env.checkThread();
        env.queueMicrotask(callback);
    }

    /** {@return the process object of this thread's environment} */
    public static NodeProcess process() {
        return NodeEnvironment.current().process;
    }
}
