package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Async handles and Loop.execute, the cross-thread entry points: libuv's test-async.c. */
class AsyncTest extends LoopTestBase {

    @Test
    void sendFromAnotherThreadRunsTheCallbackOnTheLoopThread() throws InterruptedException {
        Thread[] ranOn = {null};
        Async[] async = {null};
        async[0] = new Async(loop, () -> {
            ranOn[0] = Thread.currentThread();
            async[0].close(); // lets the loop end
        });
        armWatchdog();
        Thread sender = Thread.ofPlatform().name("sender").start(async[0]::send);

        assertThat(runGuarded()).isFalse();

        sender.join();
        assertThat(ranOn[0]).isSameAs(Thread.currentThread());
    }

    @Test
    void sendsMadeBeforeTheCallbackRunsAreCoalescedIntoOneCall() throws InterruptedException {
        int[] calls = {0};
        Async async = new Async(loop, () -> calls[0]++);
        onAnotherThread(() -> {
            for (int i = 0; i < 1000; i++) async.send();
        });
        for (int i = 0; i < 1000; i++) async.send();

        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);

        assertThat(calls[0]).isEqualTo(1);
        async.close();
        loop.run();
    }

    @Test
    void asyncClosedInsideItsCallbackLetsTheLoopEnd() throws InterruptedException {
        // libuv's async: another thread sends until the callback has run three times.
        AtomicInteger calls = new AtomicInteger();
        int[] closes = {0};
        Async[] async = {null};
        async[0] = new Async(loop, () -> {
            if (calls.incrementAndGet() == 3) async[0].close(() -> closes[0]++);
        });
        Thread sender = Thread.ofPlatform().name("sender").start(() -> {
            long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000L;
            while (calls.get() < 3 && System.nanoTime() < deadline) {
                async[0].send();
                Thread.onSpinWait();
            }
        });
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        sender.join();
        assertThat(calls.get()).isEqualTo(3);
        assertThat(closes[0]).isEqualTo(1);
    }

    @Test
    void sendsFromManyThreadsAreNeverLost() throws Exception {
        int threads = 8;
        int sendsPerThread = 500;
        AtomicInteger sent = new AtomicInteger();
        int[] calls = {0};
        Async[] async = {null};
        async[0] = new Async(loop, () -> {
            calls[0]++;
            // Every send is followed by a callback that sees it: the last one must come.
            if (sent.get() == threads * sendsPerThread) async[0].close();
        });
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            senders.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await(DEADLINE_MS, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    return;
                }
                for (int i = 0; i < sendsPerThread; i++) {
                    sent.incrementAndGet();
                    async[0].send();
                }
            }));
        }
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        for (Thread t : senders) t.join();
        assertThat(calls[0]).isBetween(1, threads * sendsPerThread);
    }

    @Test
    void sendOnTheLoopThreadRunsTheCallbackInThePollPhase() {
        List<String> log = new ArrayList<>();
        Prepare prepare = new Prepare(loop);
        Check check = new Check(loop);
        Async[] async = {null};
        async[0] = new Async(loop, () -> {
            log.add("async");
            closeAll(async[0], prepare, check);
        });
        prepare.start(() -> log.add("prepare"));
        check.start(() -> log.add("check"));
        Timer timer = new Timer(loop);
        timer.start(() -> {
            log.add("timer");
            async[0].send();
        }, 0, 0);

        loop.run();

        assertThat(log).containsExactly("timer", "prepare", "async");
        timer.close();
        loop.run();
    }

    @Test
    void sendAfterCloseIsIgnored() throws InterruptedException {
        int[] calls = {0};
        Async async = new Async(loop, () -> calls[0]++);
        Check keeper = new Check(loop); // active, no timers: poll would block (-1) with nothing to do
        keeper.start(() -> {});
        async.close();
        loop.run(RunMode.NOWAIT);
        assertThat(async.isClosed()).isTrue();

        onAnotherThread(async::send);
        async.send();

        assertThat(loop.backendTimeout()).as("no wakeup is pending").isEqualTo(-1);
        loop.run(RunMode.NOWAIT);
        assertThat(calls[0]).isZero();
        keeper.close();
        loop.run();
    }

    @Test
    void sendAfterTheLoopClosedIsIgnored() throws InterruptedException {
        Async async = new Async(loop, () -> {});
        async.close();
        loop.run();
        loop.close();

        Throwable thrown = thrownOnAnotherThread(async::send);

        assertThat(thrown).isNull();
    }

    @Test
    void closingOneAsyncInsideItsCallbackDoesNotLoseAnotherAsyncsSend() {
        List<String> log = new ArrayList<>();
        Async[] first = {null};
        first[0] = new Async(loop, () -> {
            log.add("first");
            first[0].close();
        });
        Async[] second = {null};
        second[0] = new Async(loop, () -> {
            log.add("second");
            second[0].close();
        });
        first[0].send();
        second[0].send();
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        assertThat(log).containsExactly("first", "second");
    }

    @Test
    void asyncMadeWithANullCallbackIsRefusedWithoutLeakingAHandle() {
        assertThatThrownBy(() -> new Async(loop, null)).isInstanceOf(NullPointerException.class);

        assertThat(loop.openHandles()).isZero();
        assertThat(loop.isAlive()).isFalse();
    }

    @Test
    void asyncIsActiveFromConstructionAndKeepsTheLoopAlive() {
        Async async = new Async(loop, () -> {});

        assertThat(async.isActive()).isTrue();
        assertThat(loop.isAlive()).isTrue();
        assertThat(loop.backendTimeout()).isEqualTo(-1);

        async.close();
        loop.run();
    }

    // ---------------------------------------------------------------- Loop.execute

    @Test
    void executeRunsTasksOnTheLoopThreadInTheOrderPosted() throws InterruptedException {
        List<Integer> order = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        Async keeper = new Async(loop, () -> {});
        CountDownLatch posted = new CountDownLatch(1);
        Thread poster = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                int n = i;
                loop.execute(() -> {
                    order.add(n);
                    threads.add(Thread.currentThread());
                    if (n == 99) keeper.close();
                });
            }
            posted.countDown();
        });
        assertThat(posted.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
        poster.join();
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        assertThat(order).hasSize(100).isSorted();
        assertThat(threads).containsOnly(Thread.currentThread());
    }

    @Test
    void taskPostedByATaskRunsInALaterIteration() {
        List<String> log = new ArrayList<>();
        Check check = new Check(loop);
        check.start(() -> log.add("check"));
        loop.execute(() -> {
            log.add("task 1");
            loop.execute(() -> {
                log.add("task 2");
                check.close();
            });
        });

        loop.run();

        assertThat(log).containsExactly("task 1", "check", "task 2");
    }

    @Test
    void executeRefusesANullTask() {
        assertThatThrownBy(() -> loop.execute(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void executeAfterTheLoopClosedIsDroppedWithoutTouchingTheClosedEventfd() throws InterruptedException {
        Loop other = new Loop();
        other.close();
        AtomicInteger ran = new AtomicInteger();
        Throwable[] thrown = {null};
        onAnotherThread(() -> {
            try {
                other.execute(ran::incrementAndGet);
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        other.execute(ran::incrementAndGet);
        assertThat(thrown[0]).isNull();
        assertThat(ran.get()).isZero();
    }

    @Test
    void aHandleCannotBeMadeOnAClosedLoop() {
        Loop other = new Loop();
        other.close();
        assertThatThrownBy(() -> new Idle(other)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
