package dev.herd.node.worker_threads;

import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.loop.Prepare;
import dev.herd.node.internal.Environment;

/**
 * Spin-before-block for message traffic between threads. Waking a thread that sleeps (parked, or
 * in epoll_wait) on another CPU costs tens of microseconds (an inter-processor wakeup; more under a
 * sandboxing kernel such as gVisor), far more than handling a small message. When messages go back
 * and forth — a request and its reply — a loop that just received one therefore spins for a short
 * while before it blocks, as a JVM monitor spins before it parks. The loop knows it is not asleep
 * while it spins, so the reply's wakeup then costs no system call on either side, only an atomic
 * flag (see Loop.wakeup).
 *
 * <p>A prepare handle (unreferenced: it never keeps the loop alive) runs right before the loop
 * polls. If a message arrived on this loop within {@link #RECENT_NANOS}, and the loop is about to
 * block ({@link Loop#backendTimeout()} is not 0: nothing ready, no wakeup pending), it spins up to
 * {@link #SPIN_NANOS} until another thread's post makes a wakeup pending, and the poll then runs
 * without blocking. A spin that runs out blocks the next {@link #BACKOFF_POLLS} polls without
 * spinning, so a peer that answers slowly (or shares this CPU) is not starved. Idle loops, and
 * loops whose messages are further apart than {@link #RECENT_NANOS}, never spin. The system
 * property {@code herd.worker.spinNanos} sets the spin (0 turns it off).
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: one per environment that receives
 * messages, found through a thread-local (an environment is one thread's); it is an inactive
 * handle of the loop so that the environment's end, which closes every handle, also closes its
 * prepare handle and forgets it.
 */
final class Spinner extends Handle {
    /** The longest spin before a poll that would block. */
    static final long SPIN_NANOS = Long.getLong("herd.worker.spinNanos", 20_000);
    /** Spin only when the last message arrived at most this long ago. */
    static final long RECENT_NANOS = 200_000;
    /** Polls that block without spinning after a spin ran out. */
    static final int BACKOFF_POLLS = 64;

    private static final ThreadLocal<Spinner> CURRENT = new ThreadLocal<>();

    private final Prepare prepare;
    private long lastArrival;
    private int backoff;

    private Spinner(Loop loop) {
        super(loop);
        prepare = new Prepare(loop);
        prepare.unref();
        prepare.start(this::beforePoll);
    }

    /** The spinner of {@code env}'s loop, made on first use; on that loop's thread. */
    static Spinner of(Environment env) {
        Spinner s = CURRENT.get();
        if (s == null || s.loop() != env.loop() || s.isClosing()) {
            s = new Spinner(env.loop());
            CURRENT.set(s);
        }
        return s;
    }

    @Override
    protected void doClose() {
        prepare.close();
        if (CURRENT.get() == this) CURRENT.remove();
    }

    /** A message (or a worker's event) was just delivered on this loop. */
    void arrived() {
        lastArrival = System.nanoTime();
    }

    private void beforePoll() {
        if (lastArrival == 0 || SPIN_NANOS <= 0) return;
        long now = System.nanoTime();
        Loop loop = loop();
        if (now - lastArrival > RECENT_NANOS || loop.backendTimeout() == 0) return;
        if (backoff > 0) {
            backoff--;
            return;
        }
        long deadline = now + SPIN_NANOS;
        while (loop.backendTimeout() != 0) {
            if (System.nanoTime() >= deadline) {
                backoff = BACKOFF_POLLS;
                return;
            }
            Thread.onSpinWait();
        }
    }
}
