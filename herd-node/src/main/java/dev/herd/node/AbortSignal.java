package dev.herd.node;

import java.util.ArrayList;
import java.util.List;

/**
 * Node's (the web's) {@code AbortSignal}: a one-way flag an operation watches so that it can be
 * cancelled ({@code child_process.spawn}'s {@code signal} option, ...). Get one from an
 * {@link AbortController}, or ready-made from {@link #abort(Object)} and {@link #timeout(long)}.
 * Once {@link #aborted()}, it stays so; the 'abort' listeners run once, synchronously, in the
 * order they were added, when it becomes aborted.
 *
 * <p>Reasons: {@link #reason()} is whatever {@link AbortController#abort(Object)} was given, or
 * by default Node's {@code DOMException} stood in for by a {@link NodeError} with code
 * {@code ABORT_ERR} ("This operation was aborted"), or for {@link #timeout} one with
 * {@code TIMEOUT_ERR} ("The operation was aborted due to timeout").
 *
 * <p>Thread rule: like every Node object, the loop thread of its environment; from other threads
 * go through {@code Loop.execute}. Lifetime: an ordinary object.
 */
public final class AbortSignal {
    private boolean aborted;
    private Object reason;
    private final List<Runnable> listeners = new ArrayList<>();

    AbortSignal() {}

    /**
     * A signal that is already aborted with {@code reason} (Node's {@code AbortSignal.abort(reason)}).
     *
     * @param reason why it was aborted
     * @return the aborted signal
     */
    public static AbortSignal abort(Object reason) {
        AbortSignal s = new AbortSignal();
        s.signalAbort(reason);
        return s;
    }

    /**
     * {@link #abort(Object)} with the default reason.
     *
     * @return the aborted signal
     */
    public static AbortSignal abort() {
        return abort(null);
    }

    /**
     * A signal that aborts after {@code ms} milliseconds (Node's {@code AbortSignal.timeout}); the
     * timer does not keep the process alive. Needs a Herd environment on this thread.
     *
     * @param ms milliseconds until it aborts
     * @return the signal
     */
    public static AbortSignal timeout(long ms) {
        if (ms < 0) {
            throw new NodeError("ERR_OUT_OF_RANGE", "The value of \"delay\" is out of range. It must be >= 0 && <= "
                    + "4294967295. Received " + ms, IllegalArgumentException.class);
        }
        AbortSignal s = new AbortSignal();
        Globals.setTimeout(() -> s.signalAbort(new NodeError("TIMEOUT_ERR",
                "The operation was aborted due to timeout")), ms).unref();
        return s;
    }

    /** {@return whether the signal has been aborted} */
    public boolean aborted() {
        return aborted;
    }

    /** {@return why it was aborted, or {@code null} while it is not} */
    public Object reason() {
        return reason;
    }

    /** Throws {@link #reason()} if aborted (wrapped in a RuntimeException if it is not one). */
    public void throwIfAborted() {
        if (!aborted) return;
        if (reason instanceof RuntimeException re) throw re;
        if (reason instanceof Error e) throw e;
        if (reason instanceof Throwable t) throw new RuntimeException(t);
        throw new RuntimeException(String.valueOf(reason));
    }

    /**
     * Adds an 'abort' listener (the only event there is); it runs once, when the signal aborts.
     * A listener added after the abort never runs, as on the web.
     *
     * @param type "abort"
     * @param listener runs once, when the signal aborts
     * @throws IllegalArgumentException for another event type
     */
    public void addEventListener(String type, Runnable listener) {
        checkType(type);
        if (listener == null) throw new NullPointerException("listener");
        listeners.add(listener);
    }

    /**
     * Removes a listener added with {@link #addEventListener} (the same object); unknown ones are ignored.
     *
     * @param type "abort"
     * @param listener the listener to remove
     */
    public void removeEventListener(String type, Runnable listener) {
        checkType(type);
        listeners.remove(listener);
    }

    private static void checkType(String type) {
        if (!"abort".equals(type)) throw new IllegalArgumentException("AbortSignal has only the 'abort' event, not " + type);
    }

    /** Aborts: records the reason and runs the listeners. Does nothing if already aborted. */
    void signalAbort(Object why) {
        if (aborted) return;
        aborted = true;
        reason = why != null ? why : new NodeError("ABORT_ERR", "This operation was aborted");
        Runnable[] snapshot = listeners.toArray(new Runnable[0]);
        listeners.clear();
        for (Runnable r : snapshot) r.run();
    }
}
