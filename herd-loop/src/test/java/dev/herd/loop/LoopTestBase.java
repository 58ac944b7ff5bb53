package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The base of the loop tests: each test gets a fresh {@link Loop} owned by the test thread, and
 * ends with libuv's leak check: {@link Loop#close()} succeeds (every handle closed and through its
 * close callback, no request active) and the process's open descriptors are what they were
 * ({@link FdLeakCheck}). JUnit runs before-each, test and after-each on one thread, which is what
 * makes the loop usable in all three.
 */
@ExtendWith(FdLeakCheck.class)
abstract class LoopTestBase {
    /** How long a test may wait for anything that comes from another thread or the kernel. */
    static final long DEADLINE_MS = 10_000;

    Loop loop;
    private Timer watchdog;
    private boolean watchdogFired;

    @BeforeEach
    final void createLoop() {
        loop = new Loop();
    }

    /**
     * Arms an unreferenced timer that stops the loop after {@link #DEADLINE_MS}: it keeps nothing
     * alive, but a test whose event never comes ends with a failure instead of blocking in
     * epoll_wait forever. The base class closes it after the test.
     */
    final void armWatchdog() {
        watchdog = new Timer(loop);
        watchdog.start(() -> {
            watchdogFired = true;
            loop.stop();
        }, DEADLINE_MS, 0);
        watchdog.unref();
    }

    /**
     * An unreferenced, started idle handle: it keeps nothing alive, but while the loop is alive for
     * other reasons it keeps poll from blocking, so tests of prepare and check handles cannot hang
     * in poll. The test closes it.
     */
    final Idle spinner() {
        Idle idle = new Idle(loop);
        idle.start(() -> {});
        idle.unref();
        return idle;
    }

    /** Whether the watchdog has stopped the loop (the awaited event did not come in time). */
    final boolean watchdogFired() {
        return watchdogFired;
    }

    /** Runs the loop in DEFAULT mode and fails if the watchdog had to stop it. */
    final boolean runGuarded() {
        boolean alive = loop.run();
        assertThat(watchdogFired).as("the loop was stopped by the %d ms watchdog", DEADLINE_MS).isFalse();
        return alive;
    }

    @AfterEach
    final void loopClosesCleanly() {
        if (loop.isClosed()) return;
        if (watchdog != null) {
            watchdog.close();
            loop.run(RunMode.NOWAIT); // its close callback
        }
        List<Handle> open = new ArrayList<>();
        loop.walk(open::add);
        int requests = loop.activeRequests();
        try {
            loop.close();
        } catch (ErrnoException e) {
            // Tidy up so the next test starts clean, then fail this one.
            for (Handle h : open) h.close();
            loop.run(RunMode.NOWAIT);
            try {
                if (loop.activeRequests() == 0) loop.close();
            } catch (ErrnoException ignored) {
                // reported below
            }
            throw new AssertionError("Loop.close() failed (" + e.code() + "): open handles " + describe(open)
                    + ", active requests " + requests, e);
        }
    }

    private static String describe(List<Handle> handles) {
        List<String> names = new ArrayList<>();
        for (Handle h : handles) {
            names.add(h.getClass().getSimpleName() + (h.isActive() ? "(active)" : "")
                    + (h.isClosing() ? "(closing)" : ""));
        }
        return names.toString();
    }

    // ---------------------------------------------------------------- helpers

    /** Runs {@code action} on a new platform thread named "intruder" and returns what it threw. */
    static Throwable thrownOnAnotherThread(ThrowingRunnable action) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("intruder").start(() -> {
            try {
                action.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.join(DEADLINE_MS);
        assertThat(t.isAlive()).as("intruder thread finished").isFalse();
        return thrown.get();
    }

    /** Runs {@code action} on another platform thread and waits for it to finish; it must not throw. */
    static void onAnotherThread(ThrowingRunnable action) throws InterruptedException {
        Throwable e = thrownOnAnotherThread(action);
        if (e != null) throw new AssertionError("the other thread threw", e);
    }

    /** Blocks until at least {@code ms} of wall-clock time (System.nanoTime) has passed. */
    static void letTimePass(long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000L;
        long left;
        while ((left = end - System.nanoTime()) > 0) Thread.sleep(Math.max(1, left / 1_000_000L));
    }

    /** Closes each handle; the caller runs the loop to let the close callbacks run. */
    static void closeAll(Handle... handles) {
        for (Handle h : handles) h.close();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
