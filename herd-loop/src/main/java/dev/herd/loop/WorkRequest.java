package dev.herd.loop;

import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One job on the {@link WorkPool} (libuv's {@code uv_work_t}): its work runs on a pool thread,
 * then its done callback runs exactly once on the loop thread, with {@code null} on success, the
 * exception the work threw, or an ECANCELED {@link ErrnoException} if {@link #cancel()} won.
 *
 * <p>Thread rule: {@link #cancel()} on the loop thread. Lifetime: made by
 * {@link Loop#queueWork}; active (keeping the loop alive) until done has run.
 */
public final class WorkRequest {
    /** The completion callback; runs on the loop thread. */
    @FunctionalInterface
    public interface Done {
        /**
         * Called once the work has run or was canceled.
         *
         * @param error what the work threw, an ECANCELED {@code ErrnoException} if it was canceled, or
         *     null
         */
        void done(Throwable error);
    }

    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int FINISHED = 2;
    static final int CANCELED = 3;

    final Loop loop;
    final Runnable work;
    final Done done;
    final AtomicInteger state = new AtomicInteger(QUEUED);

    WorkRequest(Loop loop, Runnable work, Done done) {
        this.loop = loop;
        this.work = work;
        this.done = done;
    }

    /**
     * Cancels the work if no pool thread has started it: done then runs with ECANCELED (in the
     * poll phase, as libuv does). Returns false (libuv's EBUSY) if the work is running or over.
     *
     * @return whether the work was canceled
     */
    public boolean cancel() {
        loop.checkThread();
        if (!state.compareAndSet(QUEUED, CANCELED)) return false;
        WorkPool.shared().remove(this);
        loop.execute(() -> complete(ErrnoException.of(Errno.ECANCELED, "uv_queue_work")));
        return true;
    }

    /** {@return whether cancel() succeeded} */
    public boolean isCanceled() {
        return state.get() == CANCELED;
    }

    /** Called on a pool thread. */
    void runOnPool() {
        if (!state.compareAndSet(QUEUED, RUNNING)) return; // canceled meanwhile
        Throwable error = null;
        try {
            work.run();
        } catch (Throwable t) {
            error = t;
        }
        state.set(FINISHED);
        Throwable e = error;
        loop.execute(() -> complete(e));
    }

    private void complete(Throwable error) {
        loop.requestDone();
        done.done(error);
    }
}
