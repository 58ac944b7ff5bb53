package dev.herd.bench.scenarios;

import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static dev.herd.node.worker_threads.WorkerThreads.workerData;

import dev.herd.node.Herd;
import dev.herd.node.worker_threads.Atomics;
import dev.herd.node.worker_threads.SharedArrayBuffer;
import dev.herd.node.worker_threads.SharedTypedArray;
import dev.herd.node.worker_threads.Worker;
import dev.herd.node.worker_threads.WorkerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * worker-atomics: Atomics.add(counter, 0, 1) N times in a loop on one Int32 element of a
 * SharedArrayBuffer, first from one worker, then from two workers at once (the same element:
 * contended). Each worker is online and waiting before the main thread posts 'go'; each reports
 * the process-wide monotonic clock at its loop's start and end, and the rate is all adds over the
 * span from the first start to the last end. Metrics: one_worker_mops, two_workers_mops (millions
 * of adds per second). Check: the counter ends at exactly the number of adds. Node twin:
 * bench/node/worker-atomics.js.
 */
public final class WorkerAtomics {
    private WorkerAtomics() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, WorkerAtomics::round));
    }

    /** The worker: waits for 'go' with N, adds N times, posts [startNs, endNs]. */
    static void adder(String[] args) {
        SharedTypedArray counter = SharedTypedArray.int32((SharedArrayBuffer) workerData());
        parentPort().once("message", m -> {
            int n = (Integer) m[0];
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) Atomics.add(counter, 0, 1);
            long end = System.nanoTime();
            parentPort().postMessage(List.of(start, end));
            parentPort().close();
        });
        parentPort().postMessage("ready");
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        measure(n, 1, sample, "one_worker_mops", () -> measure(n, 2, sample, "two_workers_mops", done));
    }

    private static void measure(int n, int workers, Rounds.Sample sample, String metric, Runnable then) {
        SharedArrayBuffer sab = new SharedArrayBuffer(4);
        List<Worker> all = new ArrayList<>();
        List<long[]> spans = new ArrayList<>();
        int[] ready = new int[1];
        int[] exited = new int[1];
        for (int i = 0; i < workers; i++) {
            Worker w = new Worker(WorkerAtomics::adder, WorkerOptions.builder().workerData(sab).build());
            all.add(w);
            w.on("message", m -> {
                if ("ready".equals(m[0])) {
                    if (++ready[0] == workers) for (Worker x : all) x.postMessage(n);
                    return;
                }
                List<?> span = (List<?>) m[0];
                spans.add(new long[] {((Number) span.get(0)).longValue(), ((Number) span.get(1)).longValue()});
            });
            w.on("exit", c -> {
                if (++exited[0] < workers) return;
                long first = spans.stream().mapToLong(s -> s[0]).min().orElse(0);
                long last = spans.stream().mapToLong(s -> s[1]).max().orElse(0);
                long total = (long) n * workers;
                sample.metric(metric, total / ((last - first) / 1e9) / 1e6);
                long value = Atomics.load(SharedTypedArray.int32(sab), 0);
                sample.check("counter_" + workers, value == total && spans.size() == workers,
                        "counter " + value + ", expected " + total);
                then.run();
            });
        }
    }
}
