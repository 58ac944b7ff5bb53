package dev.herd.loop;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handle that another thread can use to wake the loop and run a callback on it (libuv's
 * {@code uv_async_t}). {@link #send()} is the one thread-safe method; several sends before the
 * callback runs are coalesced into one call. An Async is active from construction until closed.
 *
 * <p>Thread rule: {@link #send()} on any thread; everything else on the loop thread; the callback
 * runs in the poll phase. Lifetime: as {@link Handle}; sends after close are ignored.
 */
public final class Async extends Handle {
    private final Runnable callback;
    final AtomicInteger pending = new AtomicInteger();

    /**
     * An async handle of {@code loop}, active and referenced from the start (libuv's {@code
     * uv_async_init}).
     *
     * @param loop the loop that runs {@code callback}
     * @param callback runs on the loop thread after one or more {@link #send()}s
     */
    public Async(Loop loop, Runnable callback) {
        // Checked before super(), which registers the handle with the loop: a refused Async must
        // not stay behind as an open handle that nobody can close (Loop.close would fail EBUSY).
        if (callback == null) throw new NullPointerException("callback");
        super(loop);
        this.callback = callback;
        loop.asyncs.add(this);
        activate();
    }

    /** Wakes the loop and makes the callback run there. Safe on any thread; never blocks. */
    public void send() {
        if (pending.getAndSet(1) == 0) loop.wakeup();
    }

    void dispatch() {
        if (isClosing()) return;
        if (pending.getAndSet(0) != 0) callback.run();
    }

    @Override
    protected void doClose() {
        loop.asyncs.remove(this);
        // Leave the flag set for good: a later send() then never wakes the loop, which matters
        // most after Loop.close(), when the eventfd number may already belong to someone else.
        pending.set(1);
    }
}
