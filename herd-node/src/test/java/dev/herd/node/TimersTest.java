package dev.herd.node;

import static dev.herd.node.Globals.clearImmediate;
import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import dev.herd.os.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Node's timers API (test-timers-*.js). */
@ExtendWith(FdLeakCheck.class)
class TimersTest {
    private final List<String> log = new ArrayList<>();

    private int run(Herd.Main main) {
        return Herd.call(new String[0], main);
    }

    @Test
    void timeoutFiresNoEarlierThanItsDelay() {
        long[] elapsed = new long[1];
        run(a -> {
            long t0 = System.nanoTime();
            setTimeout(() -> elapsed[0] = (System.nanoTime() - t0) / 1_000_000, 30);
        });
        assertThat(elapsed[0]).isGreaterThanOrEqualTo(29); // loop time is in whole ms
    }

    @Test
    void zeroNegativeAndNaNDelaysBecomeOneMillisecond() {
        List<Long> delays = new ArrayList<>();
        run(a -> {
            delays.add(setTimeout(() -> {}, 0).delay());
            delays.add(setTimeout(() -> {}, -5).delay());
            delays.add(setTimeout(() -> {}, Double.NaN).delay());
            delays.add(setTimeout(() -> {}, 0.4).delay());
            delays.add(setTimeout(() -> {}, 1.5).delay());
        });
        assertThat(delays).containsExactly(1L, 1L, 1L, 1L, 2L);
    }

    @Test
    void delayAboveTimeoutMaxBecomesOneMillisecondWithAWarning() {
        List<Object> warnings = new ArrayList<>();
        long[] delay = new long[1];
        run(a -> {
            process().on("warning", w -> warnings.add(w[0]));
            delay[0] = setTimeout(() -> log.add("fired"), 4294967296d).delay();
        });
        assertThat(delay[0]).isEqualTo(1);
        assertThat(warnings).containsExactly("TimeoutOverflowWarning");
        assertThat(log).containsExactly("fired");
    }

    @Test
    void clearTimeoutPreventsTheCallback() {
        run(a -> {
            Timeout t = setTimeout(() -> log.add("fired"), 5);
            clearTimeout(t);
        });
        assertThat(log).isEmpty();
    }

    @Test
    void clearingNullOrTwiceDoesNotThrow() {
        int code = run(a -> {
            clearTimeout(null);
            clearInterval(null);
            clearImmediate(null);
            Timeout t = setTimeout(() -> {}, 1);
            clearTimeout(t);
            clearTimeout(t);
            Immediate i = setImmediate(() -> {});
            clearImmediate(i);
            clearImmediate(i);
        });
        assertThat(code).isZero();
    }

    @Test
    void intervalRepeatsUntilCleared() {
        int[] n = {0};
        run(a -> {
            Timeout[] t = new Timeout[1];
            t[0] = setInterval(() -> {
                if (++n[0] == 5) clearInterval(t[0]);
            }, 1);
        });
        assertThat(n[0]).isEqualTo(5);
    }

    @Test
    void unrefTimeoutDoesNotKeepTheProcessAlive() {
        run(a -> setTimeout(() -> log.add("fired"), 50).unref());
        assertThat(log).isEmpty();
    }

    @Test
    void unrefTimeoutStillFiresWhileSomethingElseKeepsTheLoopAlive() {
        run(a -> {
            setTimeout(() -> log.add("unref"), 5).unref();
            setTimeout(() -> log.add("ref"), 30);
        });
        assertThat(log).containsExactly("unref", "ref");
    }

    @Test
    void refAfterUnrefKeepsTheProcessAliveAgain() {
        run(a -> {
            Timeout t = setTimeout(() -> log.add("fired"), 5);
            t.unref();
            assertThat(t.hasRef()).isFalse();
            t.ref();
            assertThat(t.hasRef()).isTrue();
        });
        assertThat(log).containsExactly("fired");
    }

    @Test
    void refreshRestartsTheCountdown() {
        long[] fired = new long[1];
        run(a -> {
            long t0 = System.nanoTime();
            Timeout t = setTimeout(() -> fired[0] = (System.nanoTime() - t0) / 1_000_000, 40);
            setTimeout(t::refresh, 25);
        });
        assertThat(fired[0]).isGreaterThanOrEqualTo(60);
    }

    @Test
    void refreshOfAFiredTimeoutReArmsIt() {
        int[] n = {0};
        run(a -> {
            Timeout[] t = new Timeout[1];
            t[0] = setTimeout(() -> {
                if (++n[0] < 3) t[0].refresh();
            }, 1);
        });
        assertThat(n[0]).isEqualTo(3);
    }

    @Test
    void refreshOfAClearedTimeoutDoesNothing() {
        run(a -> {
            Timeout t = setTimeout(() -> log.add("fired"), 1);
            clearTimeout(t);
            t.refresh();
        });
        assertThat(log).isEmpty();
    }

    @Test
    void clearImmediatePreventsTheCallback() {
        run(a -> {
            Immediate i = setImmediate(() -> log.add("cleared"));
            setImmediate(() -> log.add("kept"));
            clearImmediate(i);
        });
        assertThat(log).containsExactly("kept");
    }

    @Test
    void anImmediateMayClearTheNextOneInTheSamePass() {
        run(a -> {
            Immediate[] second = new Immediate[1];
            setImmediate(() -> {
                log.add("first");
                clearImmediate(second[0]);
            });
            second[0] = setImmediate(() -> log.add("second"));
            setImmediate(() -> log.add("third"));
        });
        assertThat(log).containsExactly("first", "third");
    }

    @Test
    void unrefImmediateDoesNotKeepTheProcessAlive() {
        run(a -> setImmediate(() -> log.add("ran")).unref());
        assertThat(log).isEmpty();
    }

    @Test
    void nullCallbackIsRejected() {
        run(a -> {
            assertThatThrownBy(() -> setTimeout(null, 1)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> setImmediate(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> process().nextTick(null)).isInstanceOf(NullPointerException.class);
        });
    }

    @Test
    void globalsOutsideALoopThreadFailWithAClearMessage() {
        assertThatThrownBy(() -> setTimeout(() -> {}, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Herd.run");
    }

    @Test
    void timeoutFromAnotherThreadIsRefused() throws Exception {
        Throwable[] seen = new Throwable[1];
        run(a -> {
            Timeout t = setTimeout(() -> {}, 1);
            Thread th = Thread.ofPlatform().start(() -> {
                try {
                    t.unref();
                } catch (Throwable e) {
                    seen[0] = e;
                }
            });
            th.join();
        });
        assertThat(seen[0]).isInstanceOf(IllegalStateException.class).hasMessageContaining("loop-thread-only");
    }

    @Test
    void thousandsOfTimersAllFireOnce() {
        int[] n = {0};
        run(a -> {
            for (int i = 0; i < 10_000; i++) setTimeout(() -> n[0]++, i % 20);
        });
        assertThat(n[0]).isEqualTo(10_000);
    }
}
