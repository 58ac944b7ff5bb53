package dev.herd.loop;

/**
 * The base of every handle: a long-lived object bound to one loop (libuv's {@code uv_handle_t}).
 * A handle is active between start and stop; an active, referenced handle keeps its loop alive.
 *
 * <p>Thread rule: every method runs on the loop's thread only (checked); callbacks run there too.
 * Lifetime: from construction until {@link #close()}; close is idempotent, stops the handle and
 * releases its resources at once, and its callback runs later, in the loop's closing phase. A
 * closed handle cannot be started again.
 */
public abstract class Handle implements AutoCloseable {
    final Loop loop;
    private boolean active;
    private boolean ref = true;
    private boolean closing;
    private boolean closed;
    private Runnable closeCallback;
    /** Link in the loop's closing list. */
    Handle nextClosing;
    /** Links in the loop's list of open handles (libuv's handle_queue), for {@link Loop#walk}. */
    Handle prevOpen;
    Handle nextOpen;

    /**
     * Registers a new, inactive handle with {@code loop}. Loop thread only.
     *
     * @param loop the loop it belongs to
     */
    protected Handle(Loop loop) {
        loop.checkThread();
        if (loop.isClosed()) throw new IllegalStateException("loop is closed");
        this.loop = loop;
        loop.handleOpened(this);
    }

    /** {@return the loop this handle belongs to} */
    public final Loop loop() {
        return loop;
    }

    /** {@return whether the handle is started (libuv's {@code uv_is_active})} */
    public final boolean isActive() {
        return active;
    }

    /** {@return whether {@link #close()} has been called (libuv's {@code uv_is_closing})} */
    public final boolean isClosing() {
        return closing;
    }

    /** {@return whether the close callback has run} */
    public final boolean isClosed() {
        return closed;
    }

    /** Makes this handle keep the loop alive while active (the default). Idempotent. */
    public final void ref() {
        loop.checkThread();
        if (ref) return;
        ref = true;
        if (active) loop.activeHandles++;
    }

    /** Stops this handle from keeping the loop alive. Idempotent. */
    public final void unref() {
        loop.checkThread();
        if (!ref) return;
        ref = false;
        if (active) loop.activeHandles--;
    }

    /** {@return whether the handle keeps the loop alive while it is active (libuv's {@code uv_has_ref})} */
    public final boolean hasRef() {
        return ref;
    }

    /** Marks the handle active; subclasses call it from their start methods. */
    protected final void activate() {
        if (active) return;
        active = true;
        if (ref) loop.activeHandles++;
    }

    /** Marks the handle inactive; subclasses call it from their stop methods. */
    protected final void deactivate() {
        if (!active) return;
        active = false;
        if (ref) loop.activeHandles--;
    }

    /** Throws if the handle is closing or closed: a closed handle cannot be started. */
    protected final void checkOpen() {
        loop.checkThread();
        if (closing) throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }

    /** {@link #close(Runnable)} without a callback. */
    @Override
    public final void close() {
        close(null);
    }

    /**
     * Closes the handle: stops it and releases its resources now (an fd closes at once, pending
     * requests complete with ECANCELED); {@code callback}, if given, runs in the loop's closing
     * phase. A second call does nothing (its callback is ignored).
     *
     * @param callback runs once the handle is closed, or null
     */
    public final void close(Runnable callback) {
        loop.checkThread();
        if (closing) return;
        closing = true;
        closeCallback = callback;
        try {
            doClose();
        } finally {
            deactivate();
            loop.makeClosePending(this);
        }
    }

    /** Releases what the handle owns; called once, from {@link #close}. */
    protected abstract void doClose();

    /**
     * Called once in the closing phase, just before the close callback: libuv's per-type step of
     * {@code uv__finish_close} ({@code uv__stream_destroy} runs the callbacks of requests that
     * close cancelled here, so they come before the handle's own close callback). Does nothing
     * by default.
     */
    protected void destroy() {}

    /** Called by the loop in the closing phase. */
    final void finishClose() {
        try {
            destroy();
        } finally {
            // Even when a request callback run by destroy() throws, the handle is closed for good
            // and its close callback runs.
            closed = true;
            loop.handleClosed(this);
            Runnable cb = closeCallback;
            closeCallback = null;
            if (cb != null) cb.run();
        }
    }
}
