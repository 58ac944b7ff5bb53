package dev.herd.node;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.queueMicrotask;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import dev.herd.os.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Node's ordering of nextTick, microtasks, timers and immediates (test-next-tick-ordering*, test-timers-*). */
@ExtendWith(FdLeakCheck.class)
class TickOrderingTest {
    private final List<String> log = new ArrayList<>();

    private int run(Herd.Main main) {
        return Herd.call(new String[0], main);
    }

    @Test
    void nextTicksRunAfterMainBeforeMicrotasks() {
        run(a -> {
            queueMicrotask(() -> log.add("microtask"));
            process().nextTick(() -> log.add("tick"));
            log.add("main");
        });
        assertThat(log).containsExactly("main", "tick", "microtask");
    }

    @Test
    void ticksQueuedByMicrotasksRunAfterTheMicrotaskQueueDrains() {
        run(a -> {
            queueMicrotask(() -> {
                log.add("m1");
                process().nextTick(() -> log.add("t-from-m1"));
                queueMicrotask(() -> log.add("m3-from-m1"));
            });
            queueMicrotask(() -> log.add("m2"));
        });
        assertThat(log).containsExactly("m1", "m2", "m3-from-m1", "t-from-m1");
    }

    @Test
    void nextTickQueuedByATickRunsBeforeMicrotasks() {
        run(a -> {
            queueMicrotask(() -> log.add("microtask"));
            process().nextTick(() -> {
                log.add("tick1");
                process().nextTick(() -> log.add("tick2"));
            });
        });
        assertThat(log).containsExactly("tick1", "tick2", "microtask");
    }

    @Test
    void ticksAndMicrotasksRunBetweenTwoDueTimers() {
        run(a -> {
            setTimeout(() -> {
                log.add("timer1");
                process().nextTick(() -> log.add("tick"));
                queueMicrotask(() -> log.add("microtask"));
            }, 5);
            setTimeout(() -> log.add("timer2"), 5);
        });
        assertThat(log).containsExactly("timer1", "tick", "microtask", "timer2");
    }

    @Test
    void ticksRunBetweenTwoImmediates() {
        run(a -> {
            setImmediate(() -> {
                log.add("imm1");
                process().nextTick(() -> log.add("tick"));
            });
            setImmediate(() -> log.add("imm2"));
        });
        assertThat(log).containsExactly("imm1", "tick", "imm2");
    }

    @Test
    void immediateQueuedByAnImmediateRunsInTheNextIteration() {
        run(a -> {
            setImmediate(() -> {
                log.add("imm1");
                setImmediate(() -> log.add("imm3-nested"));
                setTimeout(() -> log.add("timer"), 0);
            });
            setImmediate(() -> log.add("imm2"));
        });
        // imm3 waits for the next check phase; the 1 ms timer may or may not be due by then,
        // but imm2 always runs in the same pass as imm1.
        assertThat(log.subList(0, 2)).containsExactly("imm1", "imm2");
        assertThat(log).contains("imm3-nested", "timer");
    }

    @Test
    void setImmediateRunsBeforeSetTimeoutZeroInsideAnIoCallback() {
        // Inside an I/O (poll-phase) callback, check comes before the next timers phase. A work-pool
        // completion is such a callback.
        for (int i = 0; i < 20; i++) {
            log.clear();
            run(a -> process().loop().queueWork(() -> {}, err -> {
                setTimeout(() -> log.add("timeout"), 0);
                setImmediate(() -> log.add("immediate"));
            }));
            assertThat(log).containsExactly("immediate", "timeout");
        }
    }

    @Test
    void setImmediateRunsBeforeSetTimeoutZeroInsideATimerCallbackOnlyIfTheTimerIsNotYetDue() {
        run(a -> setTimeout(() -> {
            setImmediate(() -> log.add("immediate"));
            setTimeout(() -> log.add("timeout"), 0); // 1 ms from now: the immediate comes first
        }, 1));
        assertThat(log).containsExactly("immediate", "timeout");
    }

    @Test
    void timersFireInDueOrderThenInsertionOrder() {
        run(a -> {
            setTimeout(() -> log.add("c30"), 30);
            setTimeout(() -> log.add("a10"), 10);
            setTimeout(() -> log.add("b10"), 10);
            setTimeout(() -> log.add("d20"), 20);
        });
        assertThat(log).containsExactly("a10", "b10", "d20", "c30");
    }

    @Test
    void microtasksQueuedByAnExitListenerNeverRun() {
        // Node: ticks scheduled in 'exit' listeners are dropped; the process is already exiting.
        run(a -> process().on("exit", x -> process().nextTick(() -> log.add("tick-in-exit"))));
        assertThat(log).isEmpty();
    }
}
