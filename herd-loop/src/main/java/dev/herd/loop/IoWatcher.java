package dev.herd.loop;

/**
 * Interest in readiness of one file descriptor (libuv's {@code uv__io_t}): the building block the
 * io layer's handles (TCP, pipes, UDP, process watchers) are made of. It is not a handle and does
 * not keep the loop alive by itself; the handle that owns it does. Interest changes are recorded
 * and given to epoll once per iteration, just before the poll, so a start/stop pair within one
 * iteration costs no system call.
 *
 * <p>Thread rule: loop thread only; the callback runs in the poll phase. Lifetime: until
 * {@link #close()}, which must come before the owner closes the fd.
 */
public final class IoWatcher {
    /** Called in the poll phase with the ready events (Epoll.EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP...). */
    @FunctionalInterface
    public interface Callback {
        /**
         * Handles the ready events.
         *
         * @param events the ready events, masked to those wanted (EPOLLERR and EPOLLHUP widened to them)
         */
        void onReady(int events);
    }

    final Loop loop;
    final int fd;
    final Callback callback;
    /** Events wanted. */
    int pevents;
    /** Events registered with epoll. */
    int events;
    boolean changeQueued;
    boolean closed;

    /**
     * A watcher of {@code fd} that wants no events yet. Loop thread only.
     *
     * @param loop the loop whose epoll set the fd joins
     * @param fd the descriptor; the watcher does not own it
     * @param callback runs in the poll phase with the ready events
     */
    public IoWatcher(Loop loop, int fd, Callback callback) {
        loop.checkThread();
        if (fd < 0) throw new IllegalArgumentException("bad fd " + fd);
        if (callback == null) throw new NullPointerException("callback");
        this.loop = loop;
        this.fd = fd;
        this.callback = callback;
    }

    /** {@return the descriptor watched} */
    public int fd() {
        return fd;
    }

    /**
     * Adds {@code mask} (EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLPRI) to the events wanted.
     *
     * @param mask the events to add
     */
    public void start(int mask) {
        loop.checkThread();
        if (closed) throw new IllegalStateException("watcher closed");
        int want = pevents | mask;
        if (want == pevents) return;
        if (pevents == 0) loop.watcherStarted(this);
        pevents = want;
        loop.queueChange(this);
    }

    /**
     * Removes {@code mask} from the events wanted; with nothing left the fd leaves the epoll set.
     *
     * @param mask the events to remove
     */
    public void stop(int mask) {
        loop.checkThread();
        int want = pevents & ~mask;
        if (want == pevents) return;
        pevents = want;
        if (want == 0) loop.watcherStopped(this);
        loop.queueChange(this);
    }

    /**
     * Whether any of {@code mask} is wanted (libuv's uv__io_active).
     *
     * @param mask events
     * @return whether any of them is wanted
     */
    public boolean isActive(int mask) {
        return (pevents & mask) != 0;
    }

    /** Stops watching for good and drops events already reported for this fd in this iteration. */
    public void close() {
        loop.checkThread();
        if (closed) return;
        stop(pevents);
        closed = true;
        loop.watcherClosed(this);
    }
}
