package dev.herd.node;

import dev.herd.loop.Check;
import dev.herd.loop.Idle;
import dev.herd.loop.Loop;
import dev.herd.loop.Timer;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.ProcessChannel;
import java.util.ArrayDeque;

/**
 * One Node environment: a loop and the JavaScript-side machinery Node keeps per isolate — the
 * nextTick and microtask queues, the timer lists behind one loop timer, the immediate queue behind
 * a check handle and an idle handle, the process object and uncaught-exception handling. Every
 * callback the Node layer makes goes through {@link #makeCallback}, which drains ticks and
 * microtasks afterwards, as Node's InternalCallbackScope does.
 *
 * <p>The Node layer's other packages see it as {@link Environment} (not exported); the timers,
 * immediates, process object and {@link Herd}'s lifecycle reach its package-private parts here.
 * Thread rule: everything runs on the loop's thread. Lifetime: one {@link Herd} run.
 */
final class NodeEnvironment extends Environment {
    /** Node's TIMEOUT_MAX: delays above it become 1 ms with a TimeoutOverflowWarning. */
    static final double TIMEOUT_MAX = 2147483647d;

    final Loop loop;
    final NodeProcess process;
    /** What a nested environment (a worker_threads Worker) changes; null for the process's main one. */
    final Embedder embedder;
    /** Whether the program's main is running (Herd.run inside a worker's entry class runs inline then). */
    boolean inMain;

    private final ArrayDeque<Runnable> ticks = new ArrayDeque<>();
    private final ArrayDeque<Runnable> microtasks = new ArrayDeque<>();

    // Timers: Node keeps one uv timer for all JS timers, ref'd while any ref'd timer is pending.
    private final TimeoutHeap timeouts = new TimeoutHeap();
    private final Timer timerHandle;
    private long timerSeq;
    private int timerRefCount;
    private long scheduledDue = Long.MAX_VALUE;

    // Immediates: an unref'd check handle runs them; a ref'd idle handle, started while any ref'd
    // immediate is pending, keeps the loop alive and stops it blocking in poll.
    private Immediate immHead;
    private Immediate immTail;
    private int immCount;
    private int immRefCount;
    private final Check immediateCheck;
    private final Idle immediateIdle;

    private boolean exiting;
    private boolean inUncaughtHandler;

    NodeEnvironment(Loop loop, String[] args) {
        this(loop, args, null);
    }

    NodeEnvironment(Loop loop, String[] args, Embedder embedder) {
        this.loop = loop;
        this.embedder = embedder;
        this.timerHandle = new Timer(loop);
        this.immediateCheck = new Check(loop);
        this.immediateCheck.unref();
        this.immediateCheck.start(this::checkImmediates);
        this.immediateIdle = new Idle(loop);
        this.process = new NodeProcess(this, args, embedder == null ? null : embedder.env());
        loop.setExceptionHandler(this::uncaught);
    }

    /**
     * The environment of the calling loop thread; throws IllegalStateException if there is none.
     *
     * @return the environment
     */
    public static NodeEnvironment current() {
        return (NodeEnvironment) Environment.current();
    }

    /** {@return the environment of the calling thread, or null} */
    public static NodeEnvironment currentOrNull() {
        return (NodeEnvironment) Environment.currentOrNull();
    }

    void bindToThread() {
        bind();
    }

    void unbindFromThread() {
        unbind();
    }

    @Override
    public Loop loop() {
        return loop;
    }

    @Override
    public NodeProcess process() {
        return process;
    }

    @Override
    public void channel(ProcessChannel channel) {
        process.channel(channel);
    }

    // ---------------------------------------------------------------- callbacks, ticks, microtasks

    /**
     * Runs {@code cb} as a top-level callback from the loop (an I/O, timer or immediate
     * callback): uncaught exceptions handled, then ticks and microtasks drained.
     *
     * @param cb the callback
     */
    @Override
    public void makeCallback(Runnable cb) {
        try {
            cb.run();
        } catch (ProcessExit e) {
            throw e;
        } catch (Throwable t) {
            uncaught(t);
        }
        runTicks();
    }

    /**
     * process.nextTick.
     *
     * @param cb the callback
     */
    @Override
    public void nextTick(Runnable cb) {
        if (cb == null) throw new NullPointerException("callback");
        if (exiting) return; // Node: ticks queued during 'exit' never run
        ticks.add(cb);
    }

    void queueMicrotask(Runnable cb) {
        if (cb == null) throw new NullPointerException("callback");
        microtasks.add(cb);
    }

    /**
     * Node's processTicksAndRejections: every queued nextTick, then the microtask queue until it
     * is empty, and again while microtasks queued more ticks.
     */
    void runTicks() {
        if (ticks.isEmpty() && microtasks.isEmpty()) return;
        do {
            Runnable t;
            while ((t = ticks.poll()) != null) {
                invoke(t);
            }
            while ((t = microtasks.poll()) != null) {
                invoke(t);
            }
        } while (!ticks.isEmpty());
    }

    private void invoke(Runnable r) {
        try {
            r.run();
        } catch (ProcessExit e) {
            throw e;
        } catch (Throwable t) {
            uncaught(t);
        }
    }

    // ---------------------------------------------------------------- timers

    /** Node's delay coercion: 1 unless 1 ≤ delay ≤ TIMEOUT_MAX; fractions round up. */
    long clampDelay(double after) {
        if (!(after >= 1 && after <= TIMEOUT_MAX)) {
            if (after > TIMEOUT_MAX) {
                process.emitWarning(formatNumber(after) + " does not fit into a 32-bit signed integer."
                        + "\nTimeout duration was set to 1.", "TimeoutOverflowWarning");
            }
            return 1;
        }
        return (long) Math.ceil(after);
    }

    private static String formatNumber(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e21) return Long.toString((long) d);
        return Double.toString(d);
    }

    Timeout setTimeout(Runnable cb, double ms, boolean repeat) {
        checkThread();
        if (cb == null) throw new NullPointerException("callback");
        Timeout t = new Timeout(this, cb, clampDelay(ms), repeat);
        insert(t, getNow());
        timerRefChanged(+1);
        return t;
    }

    /**
     * Node's getLibuvNow(): refreshes the loop's cached time first, so a timer set after a long
     * callback counts from now, not from the start of the iteration.
     */
    private long getNow() {
        loop.updateTime();
        return loop.now();
    }

    private void insert(Timeout t, long start) {
        t.start = start;
        t.due = start + t.delay;
        t.seq = timerSeq++;
        t.destroyed = false;
        timeouts.add(t);
        if (t.due < scheduledDue) schedule(t.due);
    }

    private void schedule(long due) {
        scheduledDue = due;
        timerHandle.start(this::processTimers, Math.max(0, due - loop.now()), 0);
        if (timerRefCount > 0) timerHandle.ref();
        else timerHandle.unref();
    }

    void timerRefChanged(int delta) {
        timerRefCount += delta;
        if (timerRefCount > 0) timerHandle.ref();
        else timerHandle.unref();
    }

    void clearTimeout(Timeout t) {
        if (t == null || t.env != this) return;
        checkThread();
        t.cleared = true;
        if (t.destroyed) return;
        t.destroyed = true;
        timeouts.remove(t);
        if (t.ref) timerRefChanged(-1);
        if (timeouts.size() == 0) {
            timerHandle.stop();
            scheduledDue = Long.MAX_VALUE;
        }
    }

    /** Re-arms {@code t} from now; a fired timeout is reactivated, a cleared one is left alone. */
    void refreshTimeout(Timeout t) {
        if (t.cleared) return;
        if (!t.destroyed) {
            timeouts.remove(t);
        } else if (t.ref) {
            timerRefChanged(+1);
        }
        insert(t, getNow());
    }

    /** Node's processTimers: runs every due timer, ticks drained after each. */
    private void processTimers() {
        long now = getNow();
        scheduledDue = Long.MAX_VALUE;
        Timeout t;
        // Every (re)insert gets due >= now + 1, so timers armed by these callbacks wait for a later pass.
        while ((t = timeouts.peek()) != null && t.due <= now) {
            timeouts.remove(t);
            if (t.repeat) {
                // Re-inserted before the callback, so the callback may clear or refresh it.
                insert(t, getNow());
            } else {
                t.destroyed = true;
                if (t.ref) timerRefChanged(-1);
            }
            makeCallback(t.callback);
        }
        Timeout next = timeouts.peek();
        if (next != null) schedule(next.due);
        else {
            timerHandle.stop();
            scheduledDue = Long.MAX_VALUE;
        }
    }

    // ---------------------------------------------------------------- immediates

    Immediate setImmediate(Runnable cb) {
        checkThread();
        if (cb == null) throw new NullPointerException("callback");
        Immediate imm = new Immediate(this, cb);
        imm.prev = immTail;
        if (immTail == null) immHead = imm;
        else immTail.next = imm;
        immTail = imm;
        immCount++;
        if (immRefCount++ == 0) immediateIdle.start(NodeEnvironment::noop);
        return imm;
    }

    private static void noop() {}

    void immediateRefChanged(int delta) {
        immRefCount += delta;
        if (immRefCount == 0) immediateIdle.stop();
        else if (immRefCount == 1 && delta > 0) immediateIdle.start(NodeEnvironment::noop);
    }

    void clearImmediate(Immediate imm) {
        if (imm == null || imm.env != this) return;
        checkThread();
        if (imm.destroyed) return;
        imm.destroyed = true;
        imm.callback = null;
        immCount--;
        if (imm.ref) immediateRefChanged(-1);
        unlink(imm);
    }

    private void unlink(Immediate imm) {
        if (imm.prev != null) imm.prev.next = imm.next;
        else if (immHead == imm) immHead = imm.next;
        if (imm.next != null) imm.next.prev = imm.prev;
        else if (immTail == imm) immTail = imm.prev;
        imm.prev = imm.next = null;
    }

    /** The check phase: Node's processImmediate over the immediates queued before it started. */
    private void checkImmediates() {
        if (immCount == 0) return;
        Immediate imm = immHead;
        immHead = immTail = null; // immediates queued by these callbacks run next iteration
        while (imm != null) {
            if (!imm.destroyed) {
                imm.destroyed = true;
                immCount--;
                if (imm.ref) immRefCount--;
                Runnable cb = imm.callback;
                imm.callback = null;
                makeCallback(cb);
            }
            // Read after the callback: clearImmediate unlinks later entries from this list.
            Immediate next = imm.next;
            imm.prev = imm.next = null;
            if (next != null) next.prev = null;
            imm = next;
        }
        if (immRefCount == 0) immediateIdle.stop();
    }

    // ---------------------------------------------------------------- errors and exit

    /**
     * Node's uncaught-exception path: 'uncaughtException' listeners if any, else print the error
     * and exit with code 1; a listener that throws makes the process exit with code 7.
     */
    void uncaught(Throwable t) {
        if (t instanceof ProcessExit pe) throw pe;
        if (!inUncaughtHandler && process.listenerCount("uncaughtException") > 0) {
            inUncaughtHandler = true;
            try {
                process.emit("uncaughtException", t, "uncaughtException");
                return;
            } catch (ProcessExit e) {
                throw e;
            } catch (Throwable handlerError) {
                if (embedder != null) throw reportAndExit(handlerError, 7);
                printUncaught(handlerError);
                throw exit(7);
            } finally {
                inUncaughtHandler = false;
            }
        }
        if (embedder != null) throw reportAndExit(t, 1);
        printUncaught(t);
        throw exit(1);
    }

    /** A worker's uncaught exception: 'exit' first, then the report, as Node's worker does. */
    private ProcessExit reportAndExit(Throwable t, int code) {
        ProcessExit e = exit(code);
        embedder.uncaught(t);
        return e;
    }

    /**
     * Ends this environment at once with {@code code} and without 'exit' (worker.terminate()): the
     * caller throws the result on the loop thread, and it unwinds to {@link Herd#call}.
     *
     * @param code the exit code
     * @return the throwable that ends the environment
     */
    @Override
    public ProcessExit terminate(int code) {
        checkThread();
        exiting = true;
        ticks.clear();
        return new ProcessExit(code);
    }

    /** {@return whether this environment is nested in the process (a worker's), not the main one} */
    @Override
    public boolean isEmbedded() {
        return embedder != null;
    }

    private void printUncaught(Throwable t) {
        System.out.flush();
        System.err.print("Uncaught ");
        t.printStackTrace(System.err);
        System.err.println();
        System.err.println("Herd " + NodeProcess.HERD_VERSION + " (Java " + Runtime.version() + ")");
        System.err.flush();
    }

    /**
     * Node's process.exit path: sets exitCode, emits 'exit' once, and returns the ProcessExit to
     * throw with the final code (an 'exit' listener may change process.exitCode).
     */
    ProcessExit exit(int code) {
        process.exitCode = code;
        emitExitOnce();
        return new ProcessExit(process.exitCode);
    }

    /** Emits 'exit' with process.exitCode unless already exiting; returns the final code. */
    int emitExitOnce() {
        if (!exiting) {
            exiting = true;
            ticks.clear();
            try {
                process.emit("exit", process.exitCode);
            } catch (ProcessExit e) {
                process.exitCode = e.code();
            } catch (Throwable t) {
                printUncaught(t);
                process.exitCode = 7;
            }
        }
        return process.exitCode;
    }

    /**
     * Node's SpinEventLoop: run the loop until it is not alive, emit 'beforeExit', and run again
     * if listeners scheduled more work.
     */
    void spin() {
        boolean more;
        do {
            loop.run();
            more = loop.isAlive();
            if (more) continue;
            if (!exiting) {
                makeCallback(() -> process.emit("beforeExit", process.exitCode));
            }
            more = loop.isAlive();
        } while (more);
    }

    /** Closes every handle, lets their close callbacks run and closes the loop. */
    void teardown() {
        exiting = true;
        ticks.clear();
        microtasks.clear();
        loop.setExceptionHandler(t -> {}); // close callbacks at teardown have nowhere to report to
        loop.walk(h -> h.close());
        // Close callbacks, and work requests that are still running, finish here.
        while (loop.isAlive()) loop.run();
        loop.close();
    }
}
