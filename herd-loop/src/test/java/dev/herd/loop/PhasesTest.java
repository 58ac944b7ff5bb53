package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The phases of one iteration and what runs in which: libuv's test-close-order.c, test-idle.c,
 * test-walk-handles.c, the pending queue, uv_backend_timeout and uv_now/uv_update_time.
 */
class PhasesTest extends LoopTestBase {

    @Test
    void phasesRunInLibuvOrder() {
        List<String> log = new ArrayList<>();
        Timer timer = new Timer(loop);
        Idle idle = new Idle(loop);
        Prepare prepare = new Prepare(loop);
        Async async = new Async(loop, () -> log.add("poll"));
        Check check = new Check(loop);
        Timer closer = new Timer(loop);
        timer.start(() -> {
            log.add("timers");
            loop.queuePending(() -> log.add("pending"));
        }, 0, 0);
        idle.start(() -> log.add("idle"));
        prepare.start(() -> log.add("prepare"));
        check.start(() -> {
            log.add("check");
            closer.close(() -> log.add("closing"));
        });
        async.send();

        loop.run(RunMode.NOWAIT);

        assertThat(log).containsExactly("timers", "pending", "idle", "prepare", "poll", "check", "closing");
        closeAll(timer, idle, prepare, async, check);
        loop.run();
    }

    @Test
    void checkCallbacksRunBeforeCloseCallbacksOfTheSameIteration() {
        // libuv's close_order
        Check check = new Check(loop);
        Timer timer1 = new Timer(loop);
        Timer timer2 = new Timer(loop);
        int[] checkCalls = {0};
        int[] timerCalls = {0};
        int[] closeCalls = {0};
        Runnable closeCb = () -> closeCalls[0]++;
        check.start(() -> {
            assertThat(checkCalls[0]).isZero();
            assertThat(timerCalls[0]).isEqualTo(1);
            assertThat(closeCalls[0]).as("check runs before any close callback").isZero();
            check.close(closeCb);
            timer2.close(closeCb);
            checkCalls[0]++;
        });
        timer1.start(() -> {
            timer1.close(closeCb);
            timerCalls[0]++;
        }, 0, 0);
        timer2.start(() -> timerCalls[0]++, 100_000, 0);

        loop.run();

        assertThat(checkCalls[0]).isEqualTo(1);
        assertThat(closeCalls[0]).isEqualTo(3);
        assertThat(timerCalls[0]).isEqualTo(1);
    }

    @Test
    void closeCallbacksRunNewestFirst() {
        List<String> log = new ArrayList<>();
        Timer a = new Timer(loop);
        Timer b = new Timer(loop);
        Timer c = new Timer(loop);
        a.close(() -> log.add("a"));
        b.close(() -> log.add("b"));
        c.close(() -> log.add("c"));

        loop.run();

        assertThat(log).containsExactly("c", "b", "a");
    }

    @Test
    void handleClosedByACloseCallbackFinishesInTheNextIteration() {
        List<String> log = new ArrayList<>();
        Check check = new Check(loop);
        Timer a = new Timer(loop);
        Timer b = new Timer(loop);
        check.start(() -> log.add("check"));
        check.unref();
        a.close(() -> {
            log.add("close a");
            b.close(() -> log.add("close b"));
        });

        loop.run();

        assertThat(log).containsExactly("check", "close a", "check", "close b");
        check.close();
        loop.run();
    }

    @Test
    void pendingCallbackRunsInTheNextIterationsPendingPhaseAfterItsTimers() {
        List<String> log = new ArrayList<>();
        Check check = new Check(loop);
        Timer timer = new Timer(loop);
        Timer kick = new Timer(loop);
        kick.start(() -> {}, 0, 0); // keeps the loop alive for the first iteration
        check.start(() -> {
            log.add("check");
            check.stop();
            loop.queuePending(() -> log.add("pending"));
            timer.start(() -> log.add("timers"), 0, 0);
        });
        check.unref();

        loop.run();

        assertThat(log).containsExactly("check", "timers", "pending");
        closeAll(check, timer, kick);
        loop.run();
    }

    @Test
    void pendingCallbackQueuedDuringThePendingPhaseWaitsForTheNextIteration() {
        List<String> log = new ArrayList<>();
        Prepare prepare = new Prepare(loop);
        prepare.start(() -> log.add("prepare"));
        prepare.unref();
        loop.queuePending(() -> {
            log.add("pending 1");
            loop.queuePending(() -> log.add("pending 2"));
        });

        loop.run();

        assertThat(log).containsExactly("pending 1", "prepare", "pending 2", "prepare");
        prepare.close();
        loop.run();
    }

    @Test
    void pendingCallbacksKeepTheLoopAlive() {
        int[] calls = {0};
        loop.queuePending(() -> calls[0]++);

        assertThat(loop.isAlive()).isTrue();
        assertThat(loop.run()).isFalse();

        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void idleStartedDuringTheIdlePhaseRunsInTheNextIteration() {
        List<String> log = new ArrayList<>();
        Idle first = new Idle(loop);
        Idle second = new Idle(loop);
        first.start(() -> {
            log.add("first");
            first.stop();
            second.start(() -> {
                log.add("second");
                second.stop();
            });
        });
        Prepare prepare = new Prepare(loop);
        prepare.start(() -> log.add("prepare"));
        prepare.unref();

        loop.run();

        assertThat(log).containsExactly("first", "prepare", "second", "prepare");
        closeAll(first, second, prepare);
        loop.run();
    }

    @Test
    void prepareStartedDuringThePreparePhaseRunsInTheNextIteration() {
        List<String> log = new ArrayList<>();
        Prepare first = new Prepare(loop);
        Prepare second = new Prepare(loop);
        Check check = new Check(loop);
        check.start(() -> log.add("check"));
        check.unref();
        Idle spinner = spinner();
        first.start(() -> {
            log.add("first");
            first.stop();
            second.start(() -> {
                log.add("second");
                second.stop();
            });
        });

        loop.run();

        assertThat(log).containsExactly("first", "check", "second", "check");
        closeAll(first, second, check, spinner);
        loop.run();
    }

    @Test
    void checkStartedDuringTheCheckPhaseRunsInTheNextIteration() {
        List<String> log = new ArrayList<>();
        Check first = new Check(loop);
        Check second = new Check(loop);
        Prepare prepare = new Prepare(loop);
        prepare.start(() -> log.add("prepare"));
        prepare.unref();
        Idle spinner = spinner();
        first.start(() -> {
            log.add("first");
            first.stop();
            second.start(() -> {
                log.add("second");
                second.stop();
            });
        });

        loop.run();

        assertThat(log).containsExactly("prepare", "first", "prepare", "second");
        closeAll(first, second, prepare, spinner);
        loop.run();
    }

    @Test
    void handleStoppedEarlierInItsPhaseIsSkipped() {
        List<String> log = new ArrayList<>();
        Check a = new Check(loop);
        Check b = new Check(loop);
        Idle spinner = spinner();
        a.start(() -> {
            log.add("a");
            a.stop();
            b.stop();
        });
        b.start(() -> log.add("b"));

        loop.run();

        assertThat(log).containsExactly("a");
        closeAll(a, b, spinner);
        loop.run();
    }

    @Test
    void handlesOfOnePhaseRunInStartOrder() {
        List<String> log = new ArrayList<>();
        List<Idle> idles = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            Idle idle = new Idle(loop);
            idles.add(idle);
            idle.start(() -> {
                log.add("idle " + n);
                idle.stop();
            });
        }

        loop.run();

        assertThat(log).containsExactly("idle 0", "idle 1", "idle 2", "idle 3", "idle 4");
        idles.forEach(Idle::close);
        loop.run();
    }

    @Test
    void startingAnActiveIdleHandleAgainKeepsItsFirstCallback() {
        // libuv: uv_idle_start on an active handle returns 0 and changes nothing.
        List<String> log = new ArrayList<>();
        Idle idle = new Idle(loop);
        idle.start(() -> {
            log.add("first");
            idle.stop();
        });
        idle.start(() -> {
            log.add("second");
            idle.stop();
        });

        loop.run();

        assertThat(log).containsExactly("first");
        idle.close();
        loop.run();
    }

    @Test
    void activeIdleHandleKeepsPollFromBlocking() {
        // libuv's idle_starvation: the loop spins through idle and check while a timer is pending.
        Idle idle = new Idle(loop);
        Check check = new Check(loop);
        Timer timer = new Timer(loop);
        int[] idleCalls = {0};
        int[] checkCalls = {0};
        int[] timerCalls = {0};
        int[] closeCalls = {0};
        idle.start(() -> {
            idleCalls[0]++;
            assertThat(loop.backendTimeout()).isZero();
        });
        check.start(() -> checkCalls[0]++);
        timer.start(() -> {
            Runnable closeCb = () -> closeCalls[0]++;
            idle.close(closeCb);
            check.close(closeCb);
            timer.close(closeCb);
            timerCalls[0]++;
        }, 20, 0);

        loop.run();

        assertThat(idleCalls[0]).isPositive();
        assertThat(checkCalls[0]).as("every iteration ran idle and check").isEqualTo(idleCalls[0]);
        assertThat(timerCalls[0]).isEqualTo(1);
        assertThat(closeCalls[0]).isEqualTo(3);
    }

    // ---------------------------------------------------------------- backendTimeout

    @Test
    void backendTimeoutIsZeroWhenNothingIsActive() {
        assertThat(loop.backendTimeout()).isZero();
    }

    @Test
    void backendTimeoutIsMinusOneWithAnActiveHandleAndNoTimer() {
        Check check = new Check(loop);
        check.start(() -> {});

        assertThat(loop.backendTimeout()).isEqualTo(-1);

        check.close();
        loop.run();
    }

    @Test
    void backendTimeoutIsZeroWithAnActiveIdleHandle() {
        Idle idle = new Idle(loop);
        Timer timer = new Timer(loop);
        timer.start(() -> {}, 1000, 0);
        idle.start(() -> {});

        assertThat(loop.backendTimeout()).isZero();

        closeAll(idle, timer);
        loop.run();
    }

    @Test
    void backendTimeoutIsZeroWhileAHandleIsClosing() {
        Check check = new Check(loop);
        check.start(() -> {});
        Timer timer = new Timer(loop);
        timer.close();

        assertThat(loop.backendTimeout()).isZero();

        check.close();
        loop.run();
    }

    @Test
    void backendTimeoutIsZeroWithPendingCallbacks() {
        Check check = new Check(loop);
        check.start(() -> {});
        loop.queuePending(() -> {});

        assertThat(loop.backendTimeout()).isZero();

        check.close();
        loop.run();
    }

    @Test
    void backendTimeoutIsTheTimeToTheNearestTimer() {
        Timer near = new Timer(loop);
        Timer far = new Timer(loop);
        far.start(() -> {}, 300, 0);
        near.start(() -> {}, 100, 0);

        assertThat(loop.backendTimeout()).isEqualTo(100);

        closeAll(near, far);
        loop.run();
    }

    @Test
    void backendTimeoutIsZeroForAnOverdueTimer() throws InterruptedException {
        Timer t = new Timer(loop);
        t.start(() -> {}, 1, 0);
        letTimePass(3);
        loop.updateTime();

        assertThat(loop.backendTimeout()).isZero();

        t.close();
        loop.run();
    }

    @Test
    void backendTimeoutIsCappedAtIntegerMaxValue() {
        Timer t = new Timer(loop);
        t.start(() -> {}, 10L * Integer.MAX_VALUE, 0);

        assertThat(loop.backendTimeout()).isEqualTo(Integer.MAX_VALUE);

        t.close();
        loop.run();
    }

    @Test
    void backendTimeoutIsZeroAfterStop() {
        Check check = new Check(loop);
        check.start(() -> {});
        loop.stop();

        assertThat(loop.backendTimeout()).isZero();

        loop.run(); // clears the stop request
        check.close();
        loop.run();
    }

    @Test
    void backendTimeoutIsZeroWhenOnlyUnreferencedHandlesAreActive() {
        Timer t = new Timer(loop);
        t.start(() -> {}, 1000, 0);
        t.unref();

        assertThat(loop.backendTimeout()).isZero();

        t.close();
        loop.run();
    }

    @Test
    void backendTimeoutIsZeroWhileAWakeupFromAnotherThreadIsPending() throws InterruptedException {
        Check check = new Check(loop);
        check.start(() -> {});
        int[] ran = {0};
        onAnotherThread(() -> loop.execute(() -> ran[0]++));

        assertThat(loop.backendTimeout()).isZero();

        loop.run(RunMode.NOWAIT);
        assertThat(ran[0]).isEqualTo(1);
        assertThat(loop.backendTimeout()).isEqualTo(-1);
        check.close();
        loop.run();
    }

    // ---------------------------------------------------------------- time

    @Test
    void nowIsCachedUntilUpdateTime() throws InterruptedException {
        long cached = loop.now();
        letTimePass(5);
        assertThat(loop.now()).isEqualTo(cached);

        loop.updateTime();

        assertThat(loop.now()).isGreaterThanOrEqualTo(cached + 5);
    }

    @Test
    void nowIsUpdatedAtTheStartOfEachIterationAndNotDuringIt() {
        Timer t = new Timer(loop);
        long start = loop.now();
        long[] seen = new long[2];
        t.start(() -> {
            seen[0] = loop.now();
            long end = System.nanoTime() + 3_000_000L;
            while (System.nanoTime() < end) Thread.onSpinWait();
            seen[1] = loop.now();
        }, 5, 0);

        loop.run();

        assertThat(seen[0]).isGreaterThanOrEqualTo(start + 5);
        assertThat(seen[1]).as("time does not move inside a callback").isEqualTo(seen[0]);
        t.close();
        loop.run();
    }

    @Test
    void timeIsUpdatedAfterThePollPhaseEvenWhenItDidNotBlock() {
        // As libuv after every epoll_wait; Herd's loop always has its wakeup eventfd in the set,
        // as libuv has its async fd once any uv_async_t exists (always, under Node).
        Idle idle = new Idle(loop); // poll does not block
        idle.start(() -> {});
        long[] beforePoll = {0};
        long[] afterPoll = {0};
        Prepare prepare = new Prepare(loop);
        prepare.start(() -> {
            long end = System.nanoTime() + 3_000_000L;
            while (System.nanoTime() < end) Thread.onSpinWait();
            beforePoll[0] = loop.now();
        });
        Check check = new Check(loop);
        check.start(() -> afterPoll[0] = loop.now());

        loop.run(RunMode.NOWAIT);

        assertThat(afterPoll[0]).isGreaterThanOrEqualTo(beforePoll[0] + 3);
        closeAll(idle, prepare, check);
        loop.run();
    }

    @Test
    void timerStartedInACheckCallbackNeverFiresBeforeItsTimeout() {
        Idle idle = new Idle(loop);
        idle.start(() -> {});
        Prepare prepare = new Prepare(loop);
        prepare.start(() -> {
            // A slow iteration: 5 ms pass between the time update and the check phase.
            long end = System.nanoTime() + 5_000_000L;
            while (System.nanoTime() < end) Thread.onSpinWait();
        });
        Timer timer = new Timer(loop);
        long[] startedAt = {0};
        long[] firedAt = {0};
        Check check = new Check(loop);
        check.start(() -> {
            check.stop();
            prepare.stop();
            idle.stop();
            startedAt[0] = System.nanoTime();
            timer.start(() -> firedAt[0] = System.nanoTime(), 10, 0);
        });

        loop.run();

        assertThat((firedAt[0] - startedAt[0]) / 1_000_000L).isGreaterThanOrEqualTo(9); // whole ms
        closeAll(idle, prepare, timer, check);
        loop.run();
    }

    // ---------------------------------------------------------------- walk

    @Test
    void walkVisitsEveryHandleNotYetClosed() {
        Timer inactive = new Timer(loop);
        Idle active = new Idle(loop);
        active.start(() -> {});
        Check closing = new Check(loop);
        Timer closed = new Timer(loop);
        closed.close();
        loop.run(RunMode.NOWAIT); // finishes closing "closed"
        closing.close();

        List<Handle> seen = new ArrayList<>();
        loop.walk(seen::add);

        assertThat(seen).containsExactlyInAnyOrder(inactive, active, closing);
        assertThat(loop.openHandles()).isEqualTo(3);
        closeAll(inactive, active);
        loop.run();
    }

    @Test
    void walkVisitorMayCloseHandles() {
        for (int i = 0; i < 5; i++) new Timer(loop).start(() -> {}, 1000, 0);
        int[] visited = {0};

        loop.walk(h -> {
            visited[0]++;
            h.close();
        });

        assertThat(visited[0]).isEqualTo(5);
        assertThat(loop.run()).isFalse();
        assertThat(loop.openHandles()).isZero();
    }

    @Test
    void walkFromATimerCallbackSeesTheTimerAndNothingAfterItClosed() {
        // libuv's walk_handles
        Timer timer = new Timer(loop);
        List<Handle> seenInCallback = new ArrayList<>();
        timer.start(() -> {
            loop.walk(seenInCallback::add);
            timer.close();
        }, 1, 0);

        loop.run();

        assertThat(seenInCallback).containsExactly(timer);
        List<Handle> seenAfter = new ArrayList<>();
        loop.walk(seenAfter::add);
        assertThat(seenAfter).isEmpty();
    }
}
