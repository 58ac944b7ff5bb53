package dev.herd.loop;

import dev.herd.os.Epoll;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An event loop, iteration for iteration libuv's {@code uv_run}: update time, timers, pending,
 * idle, prepare, poll, check, closing, and the extra timer pass of {@link RunMode#ONCE}.
 * docs/ARCHITECTURE.md walks through {@link #run(RunMode)} in the same order.
 *
 * <p>Thread rule: a loop belongs to the platform thread that created it; {@link #run}, handle
 * methods and callbacks all run there, and a call from another thread throws
 * {@link IllegalStateException}. The thread-safe entry points are {@link #execute(Runnable)} and
 * {@link Async#send()}; {@link #stop()} is loop-thread only, as in libuv (from another thread,
 * {@code execute(loop::stop)}).
 * Lifetime: until {@link #close()}, which fails with EBUSY while handles are open or requests
 * are active.
 */
public final class Loop implements AutoCloseable {
    /** Events taken from epoll per poll (libuv takes 1024). */
    private static final int EPOLL_EVENTS = 1024;
    /** -EAGAIN, as the os layer returns it: an eventfd counter at its maximum (the loop will wake anyway). */
    private static final int EAGAIN = -Errno.EAGAIN.number();

    private final Thread owner;
    private final Epoll epoll;
    private final Fd wakeFd;
    private final AtomicInteger wakeupPending = new AtomicInteger();
    /**
     * Set by the loop thread while it is in, or about to enter, a wait that may block: only then
     * does a wakeup from another thread need a system call (an eventfd write, or an unpark). A loop
     * that is running callbacks, or spinning before it blocks, finds {@link #wakeupPending} on its
     * own. See {@link #epollWait} for the race this closes.
     */
    private volatile int sleepState;
    private static final int AWAKE = 0;
    /** In (or about to enter) an epoll_wait that may block: woken by the eventfd. */
    private static final int EPOLL = 1;
    /** In (or about to enter) {@link #park}: woken by an unpark. */
    private static final int PARKED = 2;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    final TimerHeap timers = new TimerHeap();
    long timerCounter;
    final HandleQueue idleHandles = new HandleQueue();
    final HandleQueue prepareHandles = new HandleQueue();
    final HandleQueue checkHandles = new HandleQueue();
    final ArrayList<Async> asyncs = new ArrayList<>();
    /** Reused by runWakeups for its snapshot of {@link #asyncs}. */
    private Async[] asyncSnapshot = new Async[0];
    private ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private ArrayDeque<Runnable> pendingSpare = new ArrayDeque<>();
    private Handle closingHandles;

    /** Active and referenced handles (libuv's active_handles). */
    int activeHandles;
    /** Active requests (libuv's active_reqs). */
    private int activeReqs;
    /** Handles constructed and not yet through their close callback. */
    private int openHandles;

    private IoWatcher[] watchers = new IoWatcher[64];
    private final ArrayList<IoWatcher> watcherChanges = new ArrayList<>();
    /** Watchers with wanted events: libuv's nfds, less the loop's own wakeup fd. */
    private int nfds;
    private int pollIndex;
    private int pollCount;

    private long now;
    private boolean stopFlag;
    private boolean running;
    private boolean closed;
    private Consumer<Throwable> exceptionHandler;

    /** Creates a loop owned by the calling thread, which must be a platform thread. */
    public Loop() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            // A blocking epoll_wait would pin the carrier thread.
            throw new IllegalStateException("a Loop must run on a platform thread, not a virtual thread");
        }
        owner = t;
        epoll = Epoll.create(EPOLL_EVENTS);
        try {
            wakeFd = LibC.eventfd(0, LibC.EFD_NONBLOCK);
            // Edge-triggered and never read: each write reports one event, so a wakeup costs the
            // waker's write and nothing on this side but the epoll_wait it ends. (The counter
            // would need 2^64 writes to fill.)
            LibC.check(epoll.ctl(Epoll.EPOLL_CTL_ADD, wakeFd.intValue(), Epoll.EPOLLIN | Epoll.EPOLLET,
                    wakeFd.intValue()),
                    "epoll_ctl");
        } catch (RuntimeException e) {
            epoll.close();
            throw e;
        }
        updateTime();
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs the loop (libuv's {@code uv_run}); returns whether it is still alive. An exception
     * thrown by a callback propagates out of run() unless an {@link #setExceptionHandler
     * exception handler} is set; the loop stays consistent and a later run() continues.
     *
     * @param mode how long to run: until no longer alive, one iteration, or one without blocking
     * @return whether the loop is still alive
     */
    public boolean run(RunMode mode) {
        checkThread();
        if (closed) throw new IllegalStateException("loop is closed");
        if (running) throw new IllegalStateException("Loop.run is not reentrant");
        running = true;
        try {
            boolean alive = isAlive();
            if (!alive) updateTime();
            while (alive && !stopFlag) {
                updateTime();
                runTimers();
                boolean ranPending = runPending();
                idleHandles.runPhase(this);
                prepareHandles.runPhase(this);

                int timeout = 0;
                if ((mode == RunMode.ONCE && !ranPending) || mode == RunMode.DEFAULT) timeout = backendTimeout();
                poll(timeout);
                checkHandles.runPhase(this);
                runClosingHandles();

                if (mode == RunMode.ONCE) {
                    // ONCE promises progress: if poll returned on its timeout with no I/O, the
                    // timer that set that timeout is due now.
                    updateTime();
                    runTimers();
                }
                alive = isAlive();
                if (mode == RunMode.ONCE || mode == RunMode.NOWAIT) break;
            }
            return alive;
        } finally {
            // Also when a callback's exception ends the run: a stop() asks only the run it was
            // made in (or, made outside, the next one) to return, as libuv clears stop_flag on
            // every return from uv_run.
            stopFlag = false;
            running = false;
        }
    }

    /**
     * {@link #run(RunMode)} with {@link RunMode#DEFAULT}.
     *
     * @return whether the loop is still alive
     */
    public boolean run() {
        return run(RunMode.DEFAULT);
    }

    /** Makes {@link #run} return after the current iteration (libuv's {@code uv_stop}). Loop thread only. */
    public void stop() {
        checkThread();
        stopFlag = true;
    }

    /**
     * libuv's alive predicate: active and referenced handles, active requests, pending callbacks
     * or handles still closing.
     *
     * @return whether the loop is alive
     */
    public boolean isAlive() {
        return activeHandles > 0 || activeReqs > 0 || !pending.isEmpty() || closingHandles != null;
    }

    /** {@return the cached loop time in milliseconds (libuv's {@code uv_now}); updated once per iteration} */
    public long now() {
        return now;
    }

    /** Refreshes the cached loop time (libuv's {@code uv_update_time}). */
    public void updateTime() {
        now = System.nanoTime() / 1_000_000L;
    }

    /**
     * The poll timeout the next iteration would use, in ms: 0 when something is ready to run,
     * -1 when nothing but I/O can wake the loop, else time to the next timer (libuv's
     * {@code uv_backend_timeout}).
     *
     * @return the timeout in milliseconds
     */
    public int backendTimeout() {
        if (stopFlag) return 0;
        if (activeHandles == 0 && activeReqs == 0) return 0;
        if (!idleHandles.isEmpty()) return 0;
        if (!pending.isEmpty()) return 0;
        if (closingHandles != null) return 0;
        if (wakeupPending.get() != 0) return 0;
        Timer t = timers.peek();
        if (t == null) return -1;
        long diff = t.timeout - now;
        if (diff <= 0) return 0;
        return diff > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) diff;
    }

    // ---------------------------------------------------------------- phases

    private void runTimers() {
        if (timers.size() == 0) return;
        // Timers started during this pass (including repeats restarted by fire()) wait for the
        // next one; they sort after every older due timer, so meeting one means we are done.
        long passStart = timerCounter;
        for (;;) {
            Timer t = timers.peek();
            if (t == null || t.timeout > now || t.startId >= passStart) break;
            t.stop();
            try {
                t.fire();
            } catch (Throwable e) {
                uncaught(e);
            }
        }
    }

    private boolean runPending() {
        if (pending.isEmpty()) return false;
        ArrayDeque<Runnable> q = pending;
        pending = pendingSpare;
        pendingSpare = q;
        try {
            Runnable r;
            while ((r = q.poll()) != null) {
                try {
                    r.run();
                } catch (Throwable e) {
                    uncaught(e);
                }
            }
        } finally {
            // Anything left after an exception escaped runs first next time.
            while (!q.isEmpty()) pending.addFirst(q.pollLast());
        }
        return true;
    }

    private void poll(int timeout) {
        applyWatcherChanges();
        if (nfds == 0) {
            // No fd of the user's in the set: only a wakeup or the timeout can end the wait, and
            // the wakeupPending flag says whether there was one, so no epoll_wait is needed. A
            // wait that must block parks the thread (a futex), cheaper than eventfd and epoll.
            if (timeout != 0 && wakeupPending.get() == 0) {
                long t0 = System.nanoTime();
                park(timeout);
                idleNanos += System.nanoTime() - t0;
            }
            updateTime();
        } else {
            epollWait(timeout);
        }
        if (wakeupPending.get() != 0 && wakeupPending.getAndSet(0) != 0) runWakeups();
    }

    /**
     * Blocks until a wakeup or {@code timeout} ms (-1: no limit) pass, without epoll: for a loop
     * with no fd to watch. An interrupt does not end the wait (as it does not end epoll_wait): an
     * interrupted thread, whose park would return at once, waits in epoll_wait instead.
     */
    private void park(int timeout) {
        long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
        // Dekker's pattern with wakeup(), as in epollWait.
        sleepState = PARKED;
        try {
            while (wakeupPending.get() == 0) {
                long left = 0;
                if (timeout > 0) {
                    left = deadline - System.nanoTime();
                    if (left <= 0) return;
                }
                if (owner.isInterrupted()) {
                    sleepState = AWAKE;
                    epollWait(timeout < 0 ? -1 : (int) Math.max(1, (left + 999_999) / 1_000_000));
                    return;
                }
                // Returns early on an unpark meant for an earlier wait, or spuriously: hence the loop.
                if (timeout < 0) LockSupport.park(this);
                else LockSupport.parkNanos(this, left);
            }
        } finally {
            sleepState = AWAKE;
        }
    }

    /** epoll_wait and the dispatch of what it reports. */
    private void epollWait(int timeout) {
        boolean mayBlock = timeout != 0;
        if (mayBlock) {
            // Dekker's pattern with wakeup(): we store 'sleepState' then load 'wakeupPending', a
            // waker stores 'wakeupPending' then loads 'sleepState' (all sequentially consistent),
            // so either we see its wakeup here and do not block, or it sees us asleep and wakes us.
            // Never both missed: no lost wakeup. A waker that saw us asleep just before the wait
            // below returned for another reason writes the eventfd a moment later; one later poll
            // then returns at once: a spurious turn, never a lost one.
            sleepState = EPOLL;
            if (wakeupPending.get() != 0) timeout = 0;
        }
        int n;
        long t0 = mayBlock ? System.nanoTime() : 0;
        try {
            n = epoll.wait(timeout);
        } finally {
            if (mayBlock) {
                sleepState = AWAKE;
                idleNanos += System.nanoTime() - t0;
            }
        }
        // Updated unconditionally, as libuv does: even a zero-timeout poll may have been
        // descheduled, and callbacks before this one may have run for a long time.
        updateTime();
        if (n < 0) throw ErrnoException.of(n, "epoll_wait");
        pollCount = n;
        int wake = wakeFd.intValue();
        for (pollIndex = 0; pollIndex < pollCount; pollIndex++) {
            long data = epoll.data(pollIndex);
            if (data < 0) continue; // invalidated by a close during this dispatch
            int fd = (int) data;
            if (fd == wake) continue; // edge-triggered, never read: wakeupPending says what to do
            IoWatcher w = fd < watchers.length ? watchers[fd] : null;
            if (w == null) {
                // Stale registration: libuv removes it from the set.
                epoll.ctl(Epoll.EPOLL_CTL_DEL, fd, 0, 0);
                continue;
            }
            int ev = epoll.events(pollIndex);
            if (ev == Epoll.EPOLLERR || ev == Epoll.EPOLLHUP || ev == (Epoll.EPOLLERR | Epoll.EPOLLHUP)) {
                // Let the handle find the error through its read or write path.
                ev |= w.pevents & (Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLPRI);
            }
            ev &= w.pevents | Epoll.EPOLLERR | Epoll.EPOLLHUP;
            if (ev != 0) {
                try {
                    w.callback.onReady(ev);
                } catch (Throwable e) {
                    pollCount = 0;
                    uncaught(e);
                }
            }
        }
        pollCount = 0;
    }

    private void runWakeups() {
        boolean completed = false;
        try {
            // Over a snapshot: a callback may close an Async, which removes it from the list.
            int n = asyncs.size();
            if (n > 0) {
                Async[] snapshot = asyncSnapshot = asyncs.toArray(asyncSnapshot);
                try {
                    for (int i = 0; i < n; i++) {
                        try {
                            snapshot[i].dispatch();
                        } catch (Throwable e) {
                            uncaught(e);
                        }
                    }
                } finally {
                    Arrays.fill(snapshot, 0, n, null);
                }
            }
            // Only the tasks present now: tasks added while draining wait for the next iteration,
            // so a task that re-posts itself cannot starve the loop.
            int n2 = tasks.size();
            Runnable r;
            for (int i = 0; i < n2 && (r = tasks.poll()) != null; i++) {
                try {
                    r.run();
                } catch (Throwable e) {
                    uncaught(e);
                }
            }
            completed = true;
        } finally {
            // Still work left (tasks posted meanwhile, or sends and tasks that an escaping exception
            // cut off, whose eventfd write has already been consumed): the flag alone makes the
            // next poll non-blocking on this thread and brings us back here.
            if (!completed || !tasks.isEmpty()) wakeupPending.set(1);
        }
    }

    private void runClosingHandles() {
        Handle p = closingHandles;
        closingHandles = null;
        try {
            while (p != null) {
                Handle next = p.nextClosing;
                p.nextClosing = null;
                Handle current = p;
                p = next;
                try {
                    current.finishClose();
                } catch (Throwable e) {
                    uncaught(e);
                }
            }
        } finally {
            // After an escaping exception the rest finish in the next iteration, first and in
            // their order, ahead of the handles closed during this phase.
            if (p != null) {
                Handle last = p;
                while (last.nextClosing != null) last = last.nextClosing;
                last.nextClosing = closingHandles;
                closingHandles = p;
            }
        }
    }

    // ---------------------------------------------------------------- cross-thread entry points

    /**
     * Runs {@code task} on the loop thread, in the poll phase of the next iteration that sees it.
     * Safe on any thread; wakeups are coalesced (one eventfd write however many tasks). After
     * {@link #close()} tasks are dropped: a signal or work completion racing with close must not
     * write to a descriptor number the kernel may already have reused.
     *
     * @param task the task to run on the loop thread
     */
    public void execute(Runnable task) {
        if (task == null) throw new NullPointerException("task");
        if (wakeClosed) return; // a closed loop runs nothing more; dropping is the only safe answer
        tasks.add(task);
        wakeup();
    }

    /**
     * Wakes the loop from its poll. Safe on any thread. The flag coalesces wakeups (libuv's
     * {@code async_pending}), and a system call is made only when the loop may be blocked
     * ({@link #sleepState}): waking a loop that is running callbacks, or spinning before it
     * blocks, is one atomic operation.
     */
    void wakeup() {
        // getAndSet is the store of Dekker's pattern (see epollWait); the volatile read of
        // sleepState after it is not reordered before it. The loop thread itself is never asleep
        // when it calls this.
        if (wakeupPending.getAndSet(1) != 0) return;
        int state = sleepState;
        if (state == PARKED) {
            LockSupport.unpark(owner);
        } else if (state == EPOLL) {
            // The lock orders this write against close(): the eventfd is never written after it
            // closed. Taken once per coalesced wakeup of a sleeping loop, so nearly always uncontended.
            synchronized (wakeLock) {
                if (wakeClosed) return;
                int r = LibC.eventfdWrite(wakeFd.intValue(), 1);
                if (r < 0 && r != EAGAIN) throw ErrnoException.of(r, "write");
            }
        }
    }

    private final Object wakeLock = new Object();
    private volatile boolean wakeClosed;

    /**
     * Queues a callback for the next iteration's pending phase (libuv's pending queue: completions
     * that must not run inside the call that caused them). Loop thread only.
     *
     * @param callback runs in the next iteration's pending phase
     */
    public void queuePending(Runnable callback) {
        checkThread();
        pending.add(callback);
    }

    // ---------------------------------------------------------------- requests and work pool

    /** Counts a request as active: it keeps the loop alive until {@link #requestDone()}. */
    public void requestStarted() {
        checkThread();
        activeReqs++;
    }

    /** Ends what {@link #requestStarted()} began. */
    public void requestDone() {
        checkThread();
        if (activeReqs == 0) throw new IllegalStateException("no active request");
        activeReqs--;
    }

    /** {@return the number of active requests (work, writes, connects...)} */
    public int activeRequests() {
        return activeReqs;
    }

    /**
     * Runs {@code work} on the shared {@link WorkPool}, then {@code done} on this loop's thread
     * (libuv's {@code uv_queue_work}). The request keeps the loop alive until done has run.
     *
     * @param work runs on a pool thread
     * @param done runs on this loop's thread afterwards, with the work's exception or null
     * @return the request, which can be canceled until a pool thread takes it
     */
    public WorkRequest queueWork(Runnable work, WorkRequest.Done done) {
        checkThread();
        if (work == null || done == null) throw new NullPointerException();
        WorkRequest req = new WorkRequest(this, work, done);
        requestStarted();
        WorkPool.shared().submit(req);
        return req;
    }

    // ---------------------------------------------------------------- handles and watchers

    private Handle firstOpen;

    void handleOpened(Handle h) {
        openHandles++;
        h.nextOpen = firstOpen;
        if (firstOpen != null) firstOpen.prevOpen = h;
        firstOpen = h;
    }

    void handleClosed(Handle h) {
        openHandles--;
        if (h.prevOpen != null) h.prevOpen.nextOpen = h.nextOpen;
        else firstOpen = h.nextOpen;
        if (h.nextOpen != null) h.nextOpen.prevOpen = h.prevOpen;
        h.prevOpen = h.nextOpen = null;
    }

    /**
     * Calls {@code visitor} for every handle that is not yet closed, newest first, including those
     * closing (libuv's {@code uv_walk}). The visitor may close handles.
     *
     * @param visitor called with each handle
     */
    public void walk(Consumer<Handle> visitor) {
        checkThread();
        java.util.List<Handle> all = new ArrayList<>(openHandles);
        for (Handle h = firstOpen; h != null; h = h.nextOpen) all.add(h);
        for (Handle h : all) visitor.accept(h);
    }

    /** {@return the number of handles not yet closed (constructed, and close callback not yet run)} */
    public int openHandles() {
        return openHandles;
    }

    /** Time spent waiting in poll for something to do (libuv's uv_metrics_idle_time). */
    private long idleNanos;

    /**
     * {@return the time this loop has spent waiting for events, in ns} (libuv's
     * {@code uv_metrics_idle_time}: the wait itself, not the callbacks; the basis of Node's
     * {@code performance.eventLoopUtilization()}). Loop thread only.
     */
    public long idleTimeNanos() {
        return idleNanos;
    }

    /** {@return the number of active, referenced handles: what keeps the loop alive} */
    public int activeHandles() {
        return activeHandles;
    }

    void makeClosePending(Handle h) {
        h.nextClosing = closingHandles;
        closingHandles = h;
    }

    void watcherStarted(IoWatcher w) {
        if (w.fd >= watchers.length) {
            int n = watchers.length;
            while (n <= w.fd) n *= 2;
            watchers = Arrays.copyOf(watchers, n);
        }
        if (watchers[w.fd] != null && watchers[w.fd] != w) {
            throw new IllegalStateException("fd " + w.fd + " already has a watcher");
        }
        watchers[w.fd] = w;
        nfds++;
    }

    void watcherStopped(IoWatcher w) {
        nfds--;
    }

    void queueChange(IoWatcher w) {
        if (!w.changeQueued) {
            w.changeQueued = true;
            watcherChanges.add(w);
        }
    }

    void watcherClosed(IoWatcher w) {
        if (w.fd < watchers.length && watchers[w.fd] == w) watchers[w.fd] = null;
        // Remove it from the kernel now: the fd is about to be closed and may be reused at once.
        if (w.events != 0) {
            epoll.ctl(Epoll.EPOLL_CTL_DEL, w.fd, 0, 0);
            w.events = 0;
        }
        // Drop events already reported for it in this dispatch (libuv's invalidate_fd).
        for (int i = pollIndex + 1; i < pollCount; i++) {
            if (epoll.data(i) == w.fd) epoll.setData(i, -1);
        }
    }

    private void applyWatcherChanges() {
        if (watcherChanges.isEmpty()) return;
        for (int i = 0; i < watcherChanges.size(); i++) {
            IoWatcher w = watcherChanges.get(i);
            w.changeQueued = false;
            if (w.closed || w.pevents == w.events) continue;
            int r;
            if (w.pevents == 0) {
                r = epoll.ctl(Epoll.EPOLL_CTL_DEL, w.fd, 0, 0);
            } else if (w.events == 0) {
                r = epoll.ctl(Epoll.EPOLL_CTL_ADD, w.fd, w.pevents, w.fd);
                if (r == -Errno.EEXIST.number()) r = epoll.ctl(Epoll.EPOLL_CTL_MOD, w.fd, w.pevents, w.fd);
            } else {
                r = epoll.ctl(Epoll.EPOLL_CTL_MOD, w.fd, w.pevents, w.fd);
            }
            if (r < 0 && w.pevents != 0) {
                // Report this watcher's failure; the changes queued behind it (still marked
                // changeQueued) stay queued for the next poll instead of being lost.
                watcherChanges.subList(0, i + 1).clear();
                throw ErrnoException.of(r, "epoll_ctl");
            }
            w.events = w.pevents;
        }
        watcherChanges.clear();
    }

    // ---------------------------------------------------------------- threads, errors, close

    /** {@return whether the calling thread owns this loop} */
    public boolean inLoopThread() {
        return Thread.currentThread() == owner;
    }

    /** {@return the thread that owns this loop} */
    public Thread thread() {
        return owner;
    }

    /** Throws unless called on the loop's thread. */
    public void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("loop-thread-only call from thread '" + Thread.currentThread().getName()
                    + "'; this loop belongs to thread '" + owner.getName() + "'");
        }
    }

    /**
     * Where exceptions thrown by callbacks go. With no handler (the default) they propagate out
     * of {@link #run}. The Node layer installs one that emits 'uncaughtException'.
     *
     * @param handler takes each exception a callback throws, or null to let them propagate
     */
    public void setExceptionHandler(Consumer<Throwable> handler) {
        checkThread();
        this.exceptionHandler = handler;
    }

    void uncaught(Throwable e) {
        Consumer<Throwable> h = exceptionHandler;
        if (h == null) {
            if (e instanceof RuntimeException re) throw re;
            if (e instanceof Error err) throw err;
            throw new RuntimeException(e);
        }
        h.accept(e);
    }


    /**
     * Releases the loop's epoll and eventfd (libuv's {@code uv_loop_close}). Throws EBUSY while
     * handles are open or requests are active. Idempotent once it has succeeded.
     */
    @Override
    public void close() {
        checkThread();
        if (closed) return;
        if (running) throw new IllegalStateException("cannot close a running loop");
        if (openHandles > 0 || activeReqs > 0 || closingHandles != null) {
            throw ErrnoException.of(Errno.EBUSY, "uv_loop_close");
        }
        closed = true;
        synchronized (wakeLock) {
            wakeClosed = true;
            wakeFd.close();
        }
        tasks.clear();
        epoll.close();
    }

    /** {@return whether {@link #close()} has succeeded} */
    public boolean isClosed() {
        return closed;
    }
}
