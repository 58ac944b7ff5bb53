package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.loop.Loop;
import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import java.util.concurrent.CountDownLatch;

/**
 * loop-execute (Herd only; Node has no cross-thread entry to its loop): N {@link Loop#execute}
 * calls posted by {@link #PRODUCERS} platform threads, each task incrementing a counter on the
 * loop thread. The clock starts when the producers are released and stops when the loop has run
 * the N-th task. Metrics: time_ms, ops_per_s.
 */
public final class LoopExecute {
    static final int PRODUCERS = 2;
    /** Node's TIMEOUT_MAX: the longest delay that is not clamped to 1 ms. */
    private static final double TIMEOUT_MAX = 2147483647d;

    private LoopExecute() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, LoopExecute::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        Loop loop = process().loop();
        // Tasks posted with execute() do not keep a loop alive (as with an unreferenced uv_async);
        // this timer does until the last task has run.
        Timeout keepAlive = setTimeout(() -> sample.check("keep_alive_not_fired", false, "the keep-alive timer fired"),
                TIMEOUT_MAX);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] producers = new Thread[PRODUCERS];
        int[] posted = new int[PRODUCERS];

        class Counter implements Runnable {
            long start;
            int count;

            @Override
            public void run() {
                if (++count < n) return;
                long ns = nowNs() - start;
                clearTimeout(keepAlive);
                for (Thread p : producers) {
                    try {
                        p.join(); // already past its last execute(); joins within microseconds
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int total = 0;
                for (int k : posted) total += k;
                sample.metric("time_ms", ns / 1e6);
                sample.metric("ops_per_s", n / (ns / 1e9));
                sample.check("tasks", count == n && total == n, "ran " + count + " of " + total + " posted, expected " + n);
                done.run();
            }
        }
        Counter counter = new Counter();

        for (int p = 0; p < PRODUCERS; p++) {
            int id = p;
            int share = n / PRODUCERS + (p < n % PRODUCERS ? 1 : 0);
            producers[p] = Thread.ofPlatform().name("loop-execute-producer-" + p).start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < share; k++) loop.execute(counter);
                posted[id] = share;
            });
        }
        counter.start = nowNs();
        go.countDown();
    }
}
