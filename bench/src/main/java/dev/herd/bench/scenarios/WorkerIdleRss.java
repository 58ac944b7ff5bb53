package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.setTimeout;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;

import dev.herd.node.Herd;
import dev.herd.node.worker_threads.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * worker-idle-rss: the resident memory that N idle workers add to the process. A round reads the
 * process's VmRSS (/proc/self/status), starts N workers that each listen on their parentPort and
 * post 'ready', waits until all are ready and then {@link #SETTLE_MS} more, reads VmRSS again and
 * terminates them. Metrics: rss_mib (the process with its N idle workers) and added_mib_per_worker
 * ((after - before) / N), in MiB. Check: all N came online and exited. Node twin:
 * bench/node/worker-idle-rss.js.
 */
public final class WorkerIdleRss {
    static final int SETTLE_MS = 500;

    private WorkerIdleRss() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, WorkerIdleRss::round));
    }

    /** VmRSS of this process in KiB. */
    static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        long before = rssKib();
        List<Worker> workers = new ArrayList<>();
        int[] ready = new int[1];
        int[] exited = new int[1];
        for (int i = 0; i < n; i++) {
            Worker w = new Worker(a -> {
                parentPort().on("message", m -> {});
                parentPort().postMessage("ready");
            });
            workers.add(w);
            w.once("message", m -> {
                if (++ready[0] < n) return;
                setTimeout(() -> {
                    long after = rssKib();
                    sample.metric("rss_mib", after / 1024.0);
                    sample.metric("added_mib_per_worker", (after - before) / 1024.0 / n);
                    for (Worker x : workers) x.terminate();
                }, SETTLE_MS);
            });
            w.once("exit", c -> {
                if (++exited[0] < n) return;
                sample.check("all_ready", ready[0] == n, ready[0] + " of " + n + " workers came online");
                done.run();
            });
        }
    }
}
