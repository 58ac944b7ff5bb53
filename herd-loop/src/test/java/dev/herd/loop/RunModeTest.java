package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How run() runs and when it returns: libuv's test-run-once.c, test-run-nowait.c,
 * test-loop-stop.c, test-loop-alive.c and timer_run_once.
 */
class RunModeTest extends LoopTestBase {

    @Test
    void runOnAnEmptyLoopReturnsFalseAtOnce() {
        assertThat(loop.isAlive()).isFalse();

        assertThat(loop.run()).isFalse();
        assertThat(loop.run(RunMode.ONCE)).isFalse();
        assertThat(loop.run(RunMode.NOWAIT)).isFalse();
    }

    @Test
    void runOnceRunsOneIterationPerCall() {
        Idle idle = new Idle(loop);
        int[] ticks = {0};
        idle.start(() -> {
            ticks[0]++;
            if (ticks[0] == 10) idle.stop();
        });

        int runs = 0;
        while (loop.run(RunMode.ONCE)) {
            runs++;
            assertThat(ticks[0]).isEqualTo(runs);
        }

        assertThat(ticks[0]).isEqualTo(10);
        idle.close();
        loop.run();
    }

    @Test
    void runOnceWithOnlyATimerReturnsAfterTheTimerFired() {
        Timer t = new Timer(loop);
        int[] calls = {0};
        long start = loop.now();
        t.start(() -> calls[0]++, 20, 0);

        // One iteration: poll waits out the timer's timeout, then the extra timers pass runs it.
        assertThat(loop.run(RunMode.ONCE)).isFalse();

        assertThat(calls[0]).isEqualTo(1);
        assertThat(loop.now() - start).isGreaterThanOrEqualTo(20);
        t.close();
        loop.run();
    }

    @Test
    void runOnceRunsATimerDueNowAndThenOneDueSoon() {
        // libuv's timer_run_once
        Timer t = new Timer(loop);
        int[] calls = {0};

        t.start(() -> calls[0]++, 0, 0);
        assertThat(loop.run(RunMode.ONCE)).isFalse();
        assertThat(calls[0]).isEqualTo(1);

        t.start(() -> calls[0]++, 1, 0);
        assertThat(loop.run(RunMode.ONCE)).isFalse();
        assertThat(calls[0]).isEqualTo(2);

        t.close();
        assertThat(loop.run(RunMode.ONCE)).isFalse();
    }

    @Test
    void runOnceDoesNotBlockInPollWhenPendingCallbacksRan() {
        Timer far = new Timer(loop);
        far.start(() -> {
            throw new AssertionError("the far timer should not be reached");
        }, 10_000, 0);
        int[] pendingCalls = {0};
        loop.queuePending(() -> pendingCalls[0]++);

        long t0 = System.nanoTime();
        assertThat(loop.run(RunMode.ONCE)).isTrue();
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(pendingCalls[0]).isEqualTo(1);
        assertThat(ms).as("run(ONCE) returned without waiting for the timer").isLessThan(5_000);
        far.close();
        loop.run();
    }

    @Test
    void runOnceBlocksInPollWhenNoPendingCallbacksRan() throws InterruptedException {
        int[] asyncCalls = {0};
        Async async = new Async(loop, () -> asyncCalls[0]++);
        CountDownLatch aboutToPoll = new CountDownLatch(1);
        Prepare prepare = new Prepare(loop);
        prepare.start(aboutToPoll::countDown); // runs right before poll
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                if (aboutToPoll.await(DEADLINE_MS, TimeUnit.MILLISECONDS)) async.send();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        armWatchdog();

        // Nothing is ready: only the send from the other thread can end this iteration's poll.
        assertThat(loop.run(RunMode.ONCE)).isTrue();
        sender.join();

        assertThat(watchdogFired()).isFalse();
        assertThat(asyncCalls[0]).isEqualTo(1);
        closeAll(async, prepare);
        loop.run();
    }

    @Test
    void runNowaitDoesNotBlockAndDoesNotRunATimerNotYetDue() {
        Timer t = new Timer(loop);
        int[] calls = {0};
        t.start(() -> calls[0]++, 10_000, 10_000);

        long t0 = System.nanoTime();
        assertThat(loop.run(RunMode.NOWAIT)).isTrue();
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(calls[0]).isZero();
        assertThat(ms).as("run(NOWAIT) did not wait for the timer").isLessThan(5_000);
        t.close();
        loop.run();
    }

    @Test
    void runNowaitRunsOneIterationOfWhatIsReady() {
        Idle idle = new Idle(loop);
        Check check = new Check(loop);
        List<String> log = new ArrayList<>();
        idle.start(() -> log.add("idle"));
        check.start(() -> log.add("check"));

        assertThat(loop.run(RunMode.NOWAIT)).isTrue();

        assertThat(log).containsExactly("idle", "check");
        closeAll(idle, check);
        loop.run();
    }

    @Test
    void stopMakesRunReturnAfterTheCurrentIteration() {
        // libuv's loop_stop
        Prepare prepare = new Prepare(loop);
        Timer timer = new Timer(loop);
        int[] prepareCalls = {0};
        int[] timerCalls = {0};
        int numTicks = 10;
        prepare.start(() -> {
            prepareCalls[0]++;
            if (prepareCalls[0] == numTicks) prepare.stop();
        });
        timer.start(() -> {
            timerCalls[0]++;
            if (timerCalls[0] == 1) loop.stop();
            else if (timerCalls[0] == numTicks) timer.stop();
        }, 5, 5);

        assertThat(loop.run()).isTrue();
        assertThat(timerCalls[0]).isEqualTo(1);

        assertThat(loop.run(RunMode.NOWAIT)).isTrue();
        assertThat(prepareCalls[0]).isGreaterThan(1);

        assertThat(loop.run()).isFalse();
        assertThat(timerCalls[0]).isEqualTo(10);
        assertThat(prepareCalls[0]).isEqualTo(10);
        closeAll(prepare, timer);
        loop.run();
    }

    @Test
    void stopBeforeRunMakesRunReturnWithoutRunningCallbacks() {
        // libuv's loop_stop_before_run
        Timer t = new Timer(loop);
        t.start(() -> {
            throw new AssertionError("timer ran after stop");
        }, 0, 0);
        loop.stop();

        assertThat(loop.run()).isTrue();

        t.close();
        loop.run();
    }

    @Test
    void stopRequestIsClearedWhenRunReturns() {
        Timer t = new Timer(loop);
        int[] calls = {0};
        t.start(() -> calls[0]++, 0, 0);
        loop.stop();
        assertThat(loop.run()).isTrue();

        assertThat(loop.run()).isFalse();

        assertThat(calls[0]).isEqualTo(1);
        t.close();
        loop.run();
    }

    @Test
    void loopIsAliveWhileATimerIsActive() {
        // libuv's loop_alive, first half (the second is in WorkTest)
        assertThat(loop.isAlive()).isFalse();
        Timer t = new Timer(loop);
        assertThat(loop.isAlive()).as("an inactive handle keeps nothing alive").isFalse();
        t.start(() -> {}, 10, 0);
        assertThat(loop.isAlive()).isTrue();

        assertThat(loop.run()).isFalse();

        assertThat(loop.isAlive()).isFalse();
        t.close();
        assertThat(loop.isAlive()).as("a closing handle keeps the loop alive").isTrue();
        loop.run();
        assertThat(loop.isAlive()).isFalse();
    }

    @Test
    void runInsideACallbackIsRefused() {
        Timer t = new Timer(loop);
        Throwable[] thrown = {null};
        t.start(() -> {
            try {
                loop.run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, 0, 0);

        loop.run();

        assertThat(thrown[0]).isInstanceOf(IllegalStateException.class).hasMessageContaining("reentrant");
        t.close();
        loop.run();
    }

    @Test
    void runUpdatesTheTimeEvenWhenTheLoopIsNotAlive() throws InterruptedException {
        long before = loop.now();
        letTimePass(3);

        loop.run();

        assertThat(loop.now()).isGreaterThanOrEqualTo(before + 3);
    }

    @Test
    void runOnAClosedLoopIsRefused() {
        loop.close();

        assertThatThrownBy(() -> loop.run()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
