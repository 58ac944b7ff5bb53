package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;

import dev.herd.node.Herd;
import dev.herd.node.worker_threads.Worker;
import java.util.Arrays;

/**
 * worker-start: N workers, one after another, each a worker whose entry posts one message to its
 * parent; the clock runs from just before {@code new Worker} to that message's 'message' event in
 * the parent, and the next worker starts after the previous one's 'exit'. Metrics:
 * first_message_ms (the median over the round's N workers) and starts_per_s (N over the round).
 * Checks: every worker's message arrived and every worker exited with 0. Node twin:
 * bench/node/worker-start.js ({@code new Worker(code, {eval: true})}).
 */
public final class WorkerStart {
    private WorkerStart() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, WorkerStart::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        double[] ms = new double[n];
        long roundStart = nowNs();
        new Object() {
            int messages;
            int badExits;

            void start(int i) {
                if (i == n) {
                    long ns = nowNs() - roundStart;
                    double[] sorted = ms.clone();
                    Arrays.sort(sorted);
                    sample.metric("first_message_ms", Rounds.median(Arrays.stream(sorted).boxed().toList()));
                    sample.metric("starts_per_s", n / (ns / 1e9));
                    sample.check("messages", messages == n, messages + " of " + n + " first messages arrived");
                    sample.check("exit_codes", badExits == 0, badExits + " workers exited with a non-zero code");
                    done.run();
                    return;
                }
                long t0 = nowNs();
                Worker w = new Worker(a -> parentPort().postMessage(1));
                w.once("message", m -> {
                    ms[i] = (nowNs() - t0) / 1e6;
                    messages++;
                });
                w.once("exit", c -> {
                    if (!Integer.valueOf(0).equals(c[0])) badExits++;
                    start(i + 1);
                });
            }
        }.start(0);
    }
}
