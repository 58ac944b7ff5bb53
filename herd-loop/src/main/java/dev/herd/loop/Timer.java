package dev.herd.loop;

/**
 * A timer: runs its callback once {@code timeout} ms of loop time have passed, then every
 * {@code repeat} ms if repeat is non-zero (libuv's {@code uv_timer_t}). Timers due at the same
 * time run in the order they were started. Times are in the loop's cached clock ({@link Loop#now()}).
 *
 * <p>Thread rule: loop thread only. Lifetime: as {@link Handle}.
 */
public final class Timer extends Handle {
    Runnable callback;
    long timeout;      // absolute due time in loop ms
    long repeat;
    long startId;      // tie-break: libuv's timer_counter
    int heapIndex = -1;

    /**
     * A stopped timer of {@code loop}.
     *
     * @param loop the loop it belongs to
     */
    public Timer(Loop loop) {
        super(loop);
    }

    /**
     * Starts (or restarts) the timer: {@code callback} runs after {@code timeoutMs}, then every
     * {@code repeatMs} if that is non-zero. A running timer is stopped first. libuv takes unsigned
     * values; Herd refuses negative ones rather than letting them wrap into huge delays.
     *
     * @param callback runs on the loop thread when the timer is due
     * @param timeoutMs milliseconds until the first run
     * @param repeatMs milliseconds between later runs, 0 for none
     */
    public void start(Runnable callback, long timeoutMs, long repeatMs) {
        checkOpen();
        if (callback == null) throw new NullPointerException("callback");
        if (timeoutMs < 0 || repeatMs < 0) throw new IllegalArgumentException("negative timer value");
        if (isActive()) loop.timers.remove(this);
        long due = loop.now() + timeoutMs;
        if (due < 0) due = Long.MAX_VALUE; // overflow: never
        this.callback = callback;
        this.timeout = due;
        this.repeat = repeatMs;
        this.startId = loop.timerCounter++;
        loop.timers.add(this);
        activate();
    }

    /** Stops the timer; its callback will not run. Idempotent. */
    public void stop() {
        loop.checkThread();
        if (!isActive()) return;
        loop.timers.remove(this);
        deactivate();
    }

    /**
     * Restarts a repeating timer with its repeat value as the timeout; does nothing when repeat
     * is zero (libuv's {@code uv_timer_again}). Throws if the timer was never started.
     */
    public void again() {
        checkOpen();
        if (callback == null) throw new IllegalStateException("timer was never started");
        if (repeat != 0) {
            stop();
            start(callback, repeat, repeat);
        }
    }

    /**
     * Sets the repeat interval; takes effect at the next expiry.
     *
     * @param repeatMs milliseconds between runs, 0 for none
     */
    public void setRepeat(long repeatMs) {
        loop.checkThread();
        if (repeatMs < 0) throw new IllegalArgumentException("negative repeat");
        this.repeat = repeatMs;
    }

    /** {@return the repeat interval in milliseconds, 0 for none (libuv's uv_timer_get_repeat)} */
    public long getRepeat() {
        return repeat;
    }

    /**
     * {@return milliseconds until the timer is due, 0 if it is due or inactive (libuv's uv_timer_get_due_in)}
     */
    public long dueIn() {
        if (!isActive()) return 0;
        return Math.max(0, timeout - loop.now());
    }

    /** {@return the absolute due time in loop milliseconds} */
    public long dueAt() {
        return timeout;
    }

    @Override
    protected void doClose() {
        stop();
    }

    /** Called by the loop's timer phase after the timer was taken off the heap. */
    void fire() {
        // libuv: uv_timer_again before the callback, so the callback may stop or restart it.
        if (repeat != 0) start(callback, repeat, repeat);
        callback.run();
    }
}
