package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.os.Epoll;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lost-wakeup stress: two loops on two threads bounce a task back and forth with
 * {@link Loop#execute}, so that every hop wakes a loop that is about to block, is blocking, or has
 * just woken. A waker skips the system call when it sees the loop awake, so a wakeup lost in that
 * race would leave both loops blocked for good; here the watchdog then stops the test's loop and
 * the test fails. Senders vary a short delay before each post to land in every part of the
 * sleeper's way into its wait. Each path a loop can block in is covered: park (no fd watched),
 * epoll_wait (an fd watched), and epoll_wait after an interrupt.
 */
@Timeout(60)
class WakeupStressTest extends LoopTestBase {
    private static final int ROUND_TRIPS = 20_000;

    @Test
    void pingPongBetweenLoopsWithNoFdWatchedLosesNoWakeup() throws Exception {
        assertThat(pingPong(false, false)).isEqualTo(ROUND_TRIPS);
    }

    @Test
    void pingPongBetweenLoopsBlockedInEpollLosesNoWakeup() throws Exception {
        assertThat(pingPong(true, false)).isEqualTo(ROUND_TRIPS);
    }

    @Test
    void pingPongBetweenInterruptedLoopsLosesNoWakeup() throws Exception {
        assertThat(pingPong(false, true)).isEqualTo(ROUND_TRIPS);
    }

    @Test
    void asyncSendsRacingWithTheLoopGoingToSleepAreAllSeen() throws Exception {
        // The sender waits for each callback before the next send, so every send wakes a loop
        // that has just run out of work: the window in which a coalesced wakeup could be lost.
        int sends = 20_000;
        AtomicInteger seen = new AtomicInteger();
        Async[] async = {null};
        async[0] = new Async(loop, () -> {
            if (seen.incrementAndGet() == sends) async[0].close();
        });
        Thread sender = Thread.ofPlatform().name("sender").start(() -> {
            for (int i = 1; i <= sends; i++) {
                async[0].send();
                while (seen.get() < i) {
                    if (Thread.currentThread().isInterrupted()) return;
                    Thread.onSpinWait();
                }
                delay();
            }
        });
        armWatchdog();

        boolean alive = loop.run();

        sender.interrupt();
        sender.join();
        assertThat(watchdogFired()).as("a wakeup was lost: the loop blocked until the watchdog").isFalse();
        assertThat(alive).isFalse();
        assertThat(seen.get()).isEqualTo(sends);
    }

    /**
     * Bounces a counter between this test's loop and a peer loop {@link #ROUND_TRIPS} times; returns
     * the round trips completed before the loop ended (by the last one, or by the watchdog).
     */
    private int pingPong(boolean watchFd, boolean interrupted) throws Exception {
        Fd[] pipe = watchFd ? LibC.pipe2(LibC.O_CLOEXEC | LibC.O_NONBLOCK) : null;
        Peer peer = new Peer(watchFd, interrupted);
        IoWatcher watcher = null;
        if (watchFd) {
            // A pipe that never becomes readable: the loop must block in epoll_wait, not park.
            watcher = new IoWatcher(loop, pipe[0].intValue(), events -> {});
            watcher.start(Epoll.EPOLLIN);
        }
        Async keeper = new Async(loop, () -> {}); // keeps this loop alive while the task is away
        int[] done = {0};
        Runnable[] back = {null};
        back[0] = () -> {
            done[0]++;
            if (done[0] == ROUND_TRIPS) {
                keeper.close();
                return;
            }
            delay();
            peer.loop.execute(() -> {
                delay();
                loop.execute(back[0]);
            });
        };
        if (interrupted) Thread.currentThread().interrupt();
        armWatchdog();
        peer.loop.execute(() -> loop.execute(back[0]));
        try {
            loop.run();
        } finally {
            Thread.interrupted();
            peer.stop();
            if (watcher != null) watcher.close();
            if (pipe != null) {
                pipe[0].close();
                pipe[1].close();
            }
        }
        assertThat(watchdogFired()).as("a wakeup was lost: the loop blocked until the watchdog").isFalse();
        return done[0];
    }

    /** Busy-waits 0 to about 2 µs, so that posts land at every point of the peer's way into its wait. */
    private static void delay() {
        int spins = ThreadLocalRandom.current().nextInt(64);
        for (int i = 0; i < spins; i++) Thread.onSpinWait();
    }

    /** A loop on its own thread, alive (and blocking when idle) until {@link #stop()}. */
    private static final class Peer {
        final Loop loop;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private Async keeper;

        Peer(boolean watchFd, boolean interrupted) throws InterruptedException {
            AtomicReference<Loop> made = new AtomicReference<>();
            CountDownLatch ready = new CountDownLatch(1);
            thread = Thread.ofPlatform().name("peer-loop").start(() -> {
                Fd[] pipe = null;
                IoWatcher watcher = null;
                try (Loop l = new Loop()) {
                    keeper = new Async(l, () -> {});
                    if (watchFd) {
                        pipe = LibC.pipe2(LibC.O_CLOEXEC | LibC.O_NONBLOCK);
                        watcher = new IoWatcher(l, pipe[0].intValue(), events -> {});
                        watcher.start(Epoll.EPOLLIN);
                    }
                    if (interrupted) Thread.currentThread().interrupt();
                    made.set(l);
                    ready.countDown();
                    l.run();
                    if (watcher != null) watcher.close();
                    l.run(RunMode.NOWAIT);
                } catch (Throwable t) {
                    failure.set(t);
                    ready.countDown();
                } finally {
                    if (pipe != null) {
                        pipe[0].close();
                        pipe[1].close();
                    }
                }
            });
            assertThat(ready.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(failure.get()).isNull();
            loop = made.get();
        }

        /** Ends the peer's loop and thread. */
        void stop() throws InterruptedException {
            loop.execute(() -> keeper.close());
            thread.join(DEADLINE_MS);
            assertThat(thread.isAlive()).as("the peer loop ended").isFalse();
            assertThat(failure.get()).isNull();
        }
    }
}
