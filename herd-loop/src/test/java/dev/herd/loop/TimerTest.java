package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Timers: libuv's test-timer.c, test-timer-again.c and test-timer-from-check.c. */
class TimerTest extends LoopTestBase {

    @Test
    void oneShotTimersEachRunOnceAtTheirTimeout() {
        long start = loop.now();
        int[] calls = new int[10];
        int[] closes = {0};
        for (int i = 0; i < 10; i++) {
            int n = i;
            Timer t = new Timer(loop);
            t.start(() -> {
                calls[n]++;
                assertThat(loop.now() - start).isGreaterThanOrEqualTo(n * 5L);
                t.close(() -> closes[0]++);
            }, n * 5L, 0);
        }

        assertThat(loop.run()).isFalse();

        assertThat(calls).containsOnly(1);
        assertThat(closes[0]).isEqualTo(10);
        assertThat(loop.now() - start).isGreaterThanOrEqualTo(45);
    }

    @Test
    void theTimeSpentWaitingForATimerCountsAsIdleAndACallbacksWorkDoesNot() {
        long before = loop.idleTimeNanos();
        Timer wait = new Timer(loop);
        wait.start(() -> {
            long spin = System.nanoTime() + 30_000_000; // 30 ms of work in a callback: busy, not idle
            while (System.nanoTime() < spin) Thread.onSpinWait();
            wait.close();
        }, 50, 0);
        long t0 = System.nanoTime();
        loop.run();
        long wall = System.nanoTime() - t0;
        long idle = loop.idleTimeNanos() - before;
        assertThat(idle).isGreaterThanOrEqualTo(40_000_000L).isLessThanOrEqualTo(wall - 30_000_000L);
    }

    @Test
    void repeatingTimerRunsEveryRepeatIntervalUntilClosed() {
        long start = loop.now();
        Timer repeat = new Timer(loop);
        int[] calls = {0};
        int[] closes = {0};
        repeat.start(() -> {
            calls[0]++;
            if (calls[0] == 5) repeat.close(() -> closes[0]++);
        }, 10, 10);

        loop.run();

        assertThat(calls[0]).isEqualTo(5);
        assertThat(closes[0]).isEqualTo(1);
        assertThat(loop.now() - start).isGreaterThanOrEqualTo(50);
    }

    @Test
    void stoppedTimerNeverRuns() {
        Timer never = new Timer(loop);
        never.start(() -> {
            throw new AssertionError("never_cb should never be called");
        }, 10, 10);
        never.stop();
        Timer other = new Timer(loop);
        other.start(() -> {}, 20, 0);

        loop.run();

        assertThat(never.isActive()).isFalse();
        closeAll(never, other);
        loop.run();
    }

    @Test
    void startingAnActiveTimerAgainRestartsItAndItRunsOnce() {
        Timer t = new Timer(loop);
        int[] calls = {0};
        t.start(() -> calls[0]++, 0, 0);
        t.start(() -> calls[0]++, 0, 0);

        loop.run();

        assertThat(calls[0]).isEqualTo(1);
        t.close();
        loop.run();
    }

    @Test
    void newTimerIsInactiveWithNoRepeatAndNothingDue() {
        Timer t = new Timer(loop);

        assertThat(t.isActive()).isFalse();
        assertThat(t.getRepeat()).isZero();
        assertThat(t.dueIn()).isZero();

        t.close();
        loop.run();
    }

    @Test
    void timersDueTogetherRunInStartOrder() {
        Timer a = new Timer(loop);
        Timer b = new Timer(loop);
        List<String> order = new ArrayList<>();

        a.start(() -> order.add("a"), 0, 0);
        b.start(() -> order.add("b"), 0, 0);
        loop.run();
        assertThat(order).containsExactly("a", "b");

        order.clear();
        b.start(() -> order.add("b"), 0, 0);
        a.start(() -> order.add("a"), 0, 0);
        loop.run();
        assertThat(order).containsExactly("b", "a");

        closeAll(a, b);
        loop.run();
    }

    @Test
    void timersRunInDueOrderWhateverOrderTheyWereStartedIn() {
        Random random = new Random(42);
        record Started(int id, long dueAt, long startOrder) {}
        List<Started> started = new ArrayList<>();
        List<Integer> fired = new ArrayList<>();
        List<Timer> timers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int id = i;
            Timer t = new Timer(loop);
            timers.add(t);
            t.start(() -> fired.add(id), random.nextInt(15), 0);
            started.add(new Started(id, t.dueAt(), i));
        }
        // Stop a third of them again, some from the middle of the heap.
        for (int i = 0; i < 300; i += 3) timers.get(i).stop();
        started.removeIf(s -> s.id() % 3 == 0);

        loop.run();

        started.sort(Comparator.comparingLong(Started::dueAt).thenComparingLong(Started::startOrder));
        assertThat(fired).containsExactlyElementsOf(started.stream().map(Started::id).toList());
        timers.forEach(Timer::close);
        loop.run();
    }

    @Test
    void timerStartedWithZeroInsideATimerCallbackRunsInALaterTimersPass() {
        Timer first = new Timer(loop);
        Timer second = new Timer(loop);
        Prepare prepare = new Prepare(loop);
        List<String> log = new ArrayList<>();
        prepare.start(() -> log.add("prepare"));
        prepare.unref();
        first.start(() -> {
            log.add("first");
            second.start(() -> log.add("second"), 0, 0);
        }, 0, 0);

        loop.run();

        // "prepare" in between: the second timer waited for the next iteration's timers phase.
        assertThat(log).containsExactly("first", "prepare", "second", "prepare");
        closeAll(first, second, prepare);
        loop.run();
    }

    @Test
    void timerRestartingItselfWithZeroRunsOncePerIteration() {
        Timer t = new Timer(loop);
        Check check = new Check(loop);
        List<String> log = new ArrayList<>();
        check.start(() -> log.add("check"));
        check.unref();
        int[] calls = {0};
        t.start(new Runnable() {
            @Override
            public void run() {
                log.add("timer");
                if (++calls[0] < 3) t.start(this, 0, 0);
            }
        }, 0, 0);

        loop.run();

        assertThat(log).containsExactly("timer", "check", "timer", "check", "timer", "check");
        closeAll(t, check);
        loop.run();
    }

    @Test
    void repeatingTimerIsRearmedBeforeItsCallbackRuns() {
        Timer t = new Timer(loop);
        boolean[] activeInCallback = {false};
        long[] dueIn = {-1};
        t.start(() -> {
            activeInCallback[0] = t.isActive();
            dueIn[0] = t.dueAt() - loop.now();
            t.stop();
        }, 5, 50);

        loop.run();

        assertThat(activeInCallback[0]).isTrue();
        assertThat(dueIn[0]).isEqualTo(50);
        t.close();
        loop.run();
    }

    @Test
    void againRestartsARepeatingTimerFromNowWithItsRepeatValue() {
        // test-timer-again.c at a fifth of the scale: repeat1 keeps pushing repeat2 back.
        long start = loop.now();
        Timer repeat1 = new Timer(loop);
        Timer repeat2 = new Timer(loop);
        int[] calls1 = {0};
        int[] calls2 = {0};
        int[] closes = {0};
        boolean[] repeat2Allowed = {false};
        repeat1.start(() -> {
            assertThat(repeat1.getRepeat()).isEqualTo(10);
            calls1[0]++;
            repeat2.again();
            if (calls1[0] == 10) {
                repeat1.close(() -> closes[0]++);
                repeat2Allowed[0] = true;
            }
        }, 10, 0);
        assertThat(repeat1.getRepeat()).isZero();
        repeat1.setRepeat(10);
        assertThat(repeat1.getRepeat()).isEqualTo(10);
        repeat2.start(() -> {
            assertThat(repeat2Allowed[0]).as("repeat2 fires only after repeat1 stopped calling again()").isTrue();
            calls2[0]++;
            if (repeat2.getRepeat() == 0) {
                assertThat(repeat2.isActive()).isFalse();
                repeat2.close(() -> closes[0]++);
                return;
            }
            assertThat(repeat2.getRepeat()).isEqualTo(20);
            repeat2.setRepeat(0); // takes effect at the next expiry, not this one
        }, 20, 20);
        assertThat(repeat2.getRepeat()).isEqualTo(20);

        loop.run();

        assertThat(calls1[0]).isEqualTo(10);
        assertThat(calls2[0]).isEqualTo(2);
        assertThat(closes[0]).isEqualTo(2);
        assertThat(loop.now() - start).isGreaterThanOrEqualTo(140);
    }

    @Test
    void againOnANeverStartedTimerThrows() {
        Timer dummy = new Timer(loop);

        assertThatThrownBy(dummy::again).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never started");
        assertThat(dummy.isActive()).isFalse();

        dummy.close();
        loop.run();
    }

    @Test
    void againOnATimerWithoutRepeatChangesNothing() {
        Timer t = new Timer(loop);
        t.start(() -> {}, 1000, 0);
        long due = t.dueAt();

        t.again();

        assertThat(t.isActive()).isTrue();
        assertThat(t.dueAt()).isEqualTo(due);
        t.stop();
        t.again();
        assertThat(t.isActive()).isFalse();
        t.close();
        loop.run();
    }

    @Test
    void setRepeatTakesEffectAtTheNextExpiry() {
        Timer t = new Timer(loop);
        List<Long> repeatsSeen = new ArrayList<>();
        t.start(() -> {
            repeatsSeen.add(t.getRepeat());
            if (repeatsSeen.size() == 1) t.setRepeat(0);
        }, 1, 5);

        loop.run();

        // Fired at 1 ms (re-armed with the old repeat of 5 before the callback), then once more.
        assertThat(repeatsSeen).containsExactly(5L, 0L);
        assertThat(t.isActive()).isFalse();
        t.close();
        loop.run();
    }

    @Test
    void timerStoppedInsideItsOwnCallbackDoesNotRepeat() {
        Timer t = new Timer(loop);
        int[] calls = {0};
        t.start(() -> {
            calls[0]++;
            t.stop();
        }, 1, 1);

        assertThat(loop.run()).isFalse();

        assertThat(calls[0]).isEqualTo(1);
        t.close();
        loop.run();
    }

    @Test
    void timerStoppedByAnEarlierTimerInTheSamePassDoesNotRun() throws InterruptedException {
        Timer a = new Timer(loop);
        Timer b = new Timer(loop);
        List<String> log = new ArrayList<>();
        a.start(() -> {
            log.add("a");
            b.stop();
        }, 1, 0);
        b.start(() -> log.add("b"), 1, 0);
        letTimePass(2); // both are due when the first timers pass looks

        loop.run();

        assertThat(log).containsExactly("a");
        closeAll(a, b);
        loop.run();
    }

    @Test
    void hugeTimeoutDoesNotOverflow() {
        Timer tiny = new Timer(loop);
        Timer huge1 = new Timer(loop);
        Timer huge2 = new Timer(loop);
        List<Timer> fired = new ArrayList<>();
        tiny.start(() -> {
            fired.add(tiny);
            closeAll(tiny, huge1, huge2);
        }, 1, 0);
        huge1.start(() -> fired.add(huge1), 0xffffffffffffL, 0);
        huge2.start(() -> fired.add(huge2), Long.MAX_VALUE, 0);

        assertThat(tiny.dueIn()).isEqualTo(1);
        assertThat(huge1.dueIn()).isEqualTo(0xffffffffffffL);
        assertThat(huge2.dueIn()).isPositive();
        assertThat(loop.backendTimeout()).isEqualTo(1);

        loop.run();

        assertThat(fired).containsExactly(tiny);
    }

    @Test
    void hugeRepeatDoesNotOverflow() {
        Timer tiny = new Timer(loop);
        Timer huge = new Timer(loop);
        List<Timer> fired = new ArrayList<>();
        tiny.start(() -> {
            fired.add(tiny);
            if (fired.size() == 10) closeAll(tiny, huge);
        }, 2, 2);
        huge.start(() -> fired.add(huge), 1, Long.MAX_VALUE);

        loop.run();

        assertThat(fired).hasSize(10);
        assertThat(fired.get(0)).isSameAs(huge);
        assertThat(fired.subList(1, 10)).containsOnly(tiny);
    }

    @Test
    void dueInCountsDownInLoopTime() throws InterruptedException {
        Timer t = new Timer(loop);
        t.start(() -> {}, 100, 0);
        assertThat(t.dueIn()).isEqualTo(100);

        letTimePass(5);
        assertThat(t.dueIn()).as("loop time is cached until updated").isEqualTo(100);
        loop.updateTime();
        assertThat(t.dueIn()).isBetween(0L, 95L);

        t.stop();
        assertThat(t.dueIn()).as("an inactive timer is due in 0").isZero();
        t.close();
        loop.run();
    }

    @Test
    void dueInIsZeroForAnOverdueTimer() throws InterruptedException {
        Timer t = new Timer(loop);
        t.start(() -> {}, 1, 0);
        letTimePass(3);
        loop.updateTime();

        assertThat(t.dueIn()).isZero();

        t.close();
        loop.run();
    }

    @Test
    void startWithANullCallbackThrowsAndLeavesTheTimerInactive() {
        Timer t = new Timer(loop);

        assertThatThrownBy(() -> t.start(null, 100, 0)).isInstanceOf(NullPointerException.class);
        assertThat(t.isActive()).isFalse();
        assertThat(loop.isAlive()).isFalse();

        t.close();
        loop.run();
    }

    @Test
    void negativeTimeoutOrRepeatIsRefused() {
        Timer t = new Timer(loop);

        assertThatThrownBy(() -> t.start(() -> {}, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.start(() -> {}, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.setRepeat(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.isActive()).isFalse();

        t.close();
        loop.run();
    }

    @Test
    void timerNeverRunsBeforeItsTimeout() {
        // libuv's timer_early_check: compare against the real clock, not the loop's.
        long timeoutMs = 10;
        long expected = loop.now() + timeoutMs;
        long[] firedAt = {-1};
        Timer t = new Timer(loop);
        t.start(() -> firedAt[0] = System.nanoTime() / 1_000_000L, timeoutMs, 0);

        loop.run();

        assertThat(firedAt[0]).isGreaterThanOrEqualTo(expected);
        t.close();
        loop.run();
    }

    @Test
    void closedTimerCannotBeStarted() {
        Timer t = new Timer(loop);
        t.close();

        assertThatThrownBy(() -> t.start(() -> {}, 100, 100)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(t::again).isInstanceOf(IllegalStateException.class);
        assertThat(t.isActive()).isFalse();

        loop.run();
    }

    @Test
    void unrefdTimerDueNowDoesNotRunWhenNothingKeepsTheLoopAlive() {
        Timer t = new Timer(loop);
        t.start(() -> {
            throw new AssertionError("unreferenced timer ran");
        }, 0, 0);
        t.unref();

        assertThat(loop.run()).isFalse();

        t.close();
        loop.run();
    }

    @Test
    void timerStartedFromACheckCallbackRunsInALaterIteration() {
        // test-timer-from-check.c, with its 50 ms: the premise (neither timer is due before the
        // check and the prepare have run) needs the test thread not to stall that long.
        Prepare prepare = new Prepare(loop);
        Check check = new Check(loop);
        Timer timer = new Timer(loop);
        int[] prepareCalls = {0};
        int[] checkCalls = {0};
        int[] timerCalls = {0};
        Runnable timerCb = () -> {
            timer.stop();
            assertThat(prepareCalls[0]).isEqualTo(1);
            assertThat(checkCalls[0]).isEqualTo(1);
            assertThat(timerCalls[0]).isZero();
            timerCalls[0]++;
        };
        Runnable prepareCb = () -> {
            prepare.stop();
            assertThat(prepareCalls[0]).isZero();
            assertThat(checkCalls[0]).isEqualTo(1);
            assertThat(timerCalls[0]).isZero();
            prepareCalls[0]++;
        };
        check.start(() -> {
            check.stop();
            timer.stop(); // runs before timerCb
            timer.start(timerCb, 50, 0);
            prepare.start(prepareCb);
            assertThat(prepareCalls[0]).isZero();
            assertThat(checkCalls[0]).isZero();
            assertThat(timerCalls[0]).isZero();
            checkCalls[0]++;
        });
        timer.start(timerCb, 50, 0);

        loop.run();

        assertThat(prepareCalls[0]).isEqualTo(1);
        assertThat(checkCalls[0]).isEqualTo(1);
        assertThat(timerCalls[0]).isEqualTo(1);
        closeAll(prepare, check, timer);
        loop.run();
    }
}
