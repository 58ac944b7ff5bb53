package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;

import dev.herd.node.Herd;
import dev.herd.node.worker_threads.Worker;

/**
 * worker-pingpong: N sequential postMessage round trips between the main thread and one worker
 * that echoes every message; the message is the round trip's number. The worker is started and
 * online before the clock starts, and terminated after it stops. Metrics: roundtrips_per_s and
 * rtt_us (the mean). Checks: every echo carried the number just sent. Node twin:
 * bench/node/worker-pingpong.js.
 */
public final class WorkerPingpong {
    private WorkerPingpong() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, WorkerPingpong::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        Worker w = new Worker(a -> parentPort().on("message", m -> parentPort().postMessage(m[0])));
        long[] start = new long[1];
        int[] count = new int[1];
        String[] bad = new String[1];
        w.once("online", () -> {
            start[0] = nowNs();
            w.postMessage(0);
        });
        w.on("message", m -> {
            if (bad[0] == null && !Integer.valueOf(count[0]).equals(m[0])) bad[0] = "round trip " + count[0] + " got " + m[0];
            if (++count[0] < n) {
                w.postMessage(count[0]);
                return;
            }
            long ns = nowNs() - start[0];
            sample.metric("roundtrips_per_s", n / (ns / 1e9));
            sample.metric("rtt_us", ns / 1e3 / n);
            sample.check("echoes", bad[0] == null, bad[0]);
            w.terminate().thenRun(done);
        });
    }
}
