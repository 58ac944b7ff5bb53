package dev.herd.node.worker_threads;

import static dev.herd.node.Globals.setTimeout;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.value.DataCloneError;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** BroadcastChannel: fan-out by name across threads (test-worker-broadcastchannel.js). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith({FdLeakCheck.class, WorkerLeakCheck.class})
class BroadcastChannelTest {
    static int run(Herd.Main main) {
        return Herd.call(new String[0], main);
    }

    @Test
    void everyOtherChannelOfTheNameReceivesButNotTheSender() {
        List<String> got = new ArrayList<>();
        run(a -> {
            BroadcastChannel x = new BroadcastChannel("bc-1");
            BroadcastChannel y = new BroadcastChannel("bc-1");
            BroadcastChannel z = new BroadcastChannel("bc-1");
            BroadcastChannel other = new BroadcastChannel("bc-other");
            x.on("message", m -> got.add("x got " + m[0]));
            y.on("message", m -> got.add("y got " + m[0]));
            other.on("message", m -> got.add("other got " + m[0]));
            z.postMessage("from z");
            x.postMessage("from x");
            setTimeout(() -> {
                x.close();
                y.close();
                z.close();
                other.close();
            }, 20);
        });
        assertThat(got).containsExactlyInAnyOrder("x got from z", "y got from z", "y got from x");
    }

    @Test
    void eachReceiverGetsItsOwnClone() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            BroadcastChannel x = new BroadcastChannel("bc-2");
            BroadcastChannel y = new BroadcastChannel("bc-2");
            BroadcastChannel z = new BroadcastChannel("bc-2");
            x.on("message", m -> got.add(m[0]));
            y.on("message", m -> got.add(m[0]));
            z.postMessage(new ArrayList<>(List.of(1)));
            setTimeout(() -> {
                x.close();
                y.close();
                z.close();
            }, 20);
        });
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).isEqualTo(got.get(1)).isNotSameAs(got.get(1));
    }

    @Test
    void workersReachEachOtherByName() {
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        run(a -> {
            BroadcastChannel main = new BroadcastChannel("bc-3");
            main.on("message", m -> {
                got.add(m[0]);
                if (got.size() == 2) {
                    main.postMessage("bye");
                    main.close();
                }
            });
            for (int i = 0; i < 2; i++) {
                int n = i;
                new Worker(args -> {
                    BroadcastChannel bc = new BroadcastChannel("bc-3");
                    bc.on("message", m -> {
                        if ("bye".equals(m[0])) bc.close();
                    });
                    parentPort().close();
                    bc.postMessage("hello from worker " + n);
                });
            }
        });
        assertThat(got).containsExactlyInAnyOrder("hello from worker 0", "hello from worker 1");
    }

    @Test
    void postingOnAClosedChannelThrows() {
        int code = run(a -> {
            BroadcastChannel x = new BroadcastChannel("bc-4");
            x.close();
            x.close();
            assertThatThrownBy(() -> x.postMessage("late")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("BroadcastChannel is closed.");
        });
        assertThat(code).isZero();
    }

    @Test
    void anUncloneableValueThrowsEvenWithNoReceiver() {
        int code = run(a -> {
            BroadcastChannel x = new BroadcastChannel("bc-5");
            assertThatThrownBy(() -> x.postMessage(new Object())).isInstanceOf(DataCloneError.class);
            x.close();
        });
        assertThat(code).isZero();
    }

    @Test
    void aListenerKeepsTheLoopAliveUnlessUnrefd() {
        List<String> got = new ArrayList<>();
        run(a -> {
            BroadcastChannel x = new BroadcastChannel("bc-6");
            x.on("message", m -> got.add("never"));
            x.unref();
            BroadcastChannel y = new BroadcastChannel("bc-6");
            y.on("message", m -> got.add("never either"));
            setTimeout(() -> {
                got.add("kept alive by y");
                y.close();
            }, 20);
        });
        assertThat(got).containsExactly("kept alive by y");
    }
}
