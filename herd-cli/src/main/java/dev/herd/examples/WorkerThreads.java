package dev.herd.examples;

import static dev.herd.node.Globals.process;
import static dev.herd.node.worker_threads.WorkerThreads.isMainThread;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static dev.herd.node.worker_threads.WorkerThreads.threadId;
import static dev.herd.node.worker_threads.WorkerThreads.workerData;

import dev.herd.node.Herd;
import dev.herd.node.worker_threads.Atomics;
import dev.herd.node.worker_threads.SharedArrayBuffer;
import dev.herd.node.worker_threads.SharedTypedArray;
import dev.herd.node.worker_threads.Worker;
import dev.herd.node.worker_threads.WorkerOptions;
import java.util.List;
import java.util.Map;

/**
 * worker_threads, as in Node: one class is both the main thread and its workers
 * ({@code new Worker(__filename)}), told apart by {@code isMainThread()}.
 *
 * <ol>
 *   <li>The seed's example: the main thread starts a Worker with {@code workerData {name}}; the
 *       worker posts back a greeting, which the main thread prints.
 *   <li>Shared memory: two workers each add 1 to one Int32 of a SharedArrayBuffer, INCREMENTS times
 *       with {@code Atomics.add}; the main thread prints the total, which is exact.
 * </ol>
 *
 * <p>Usage: {@code ./herd example worker-threads [NAME [INCREMENTS]]} (defaults: xiaoming, 1000000).
 * Exits 1 if the counter is wrong, 2 on bad arguments.
 */
public final class WorkerThreads {
    private WorkerThreads() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (isMainThread()) {
                mainThread(argv);
            } else if (workerData() instanceof SharedArrayBuffer memory) {
                countWorker(memory);
            } else {
                greetWorker((Map<?, ?>) workerData());
            }
        });
    }

    private static void mainThread(String[] argv) {
        String name = argv.length > 0 ? argv[0] : "xiaoming";
        int increments;
        try {
            increments = argv.length > 1 ? Integer.parseInt(argv[1]) : 1_000_000;
            if (increments < 0) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            System.err.println("usage: ./herd example worker-threads [NAME [INCREMENTS]]: INCREMENTS is a count, got '" + argv[1] + "'");
            process().exitCode(2);
            return;
        }
        // 1. The seed: new Worker(__filename, { workerData: { name } }).
        Worker greeter = new Worker(WorkerThreads.class, WorkerOptions.builder().workerData(Map.of("name", name)).build());
        greeter.on(Worker.MESSAGE, message -> System.out.println("main thread got: " + message));
        greeter.on(Worker.EXIT, code -> counter(increments));
    }

    private static void greetWorker(Map<?, ?> data) {
        parentPort().postMessage("Hello world!" + data.get("name") + " (from worker " + threadId() + ")");
    }

    /** 2. Two workers, one SharedArrayBuffer, Atomics.add. */
    private static void counter(int increments) {
        SharedArrayBuffer memory = new SharedArrayBuffer(8); // [0] the counter, [1] the increments
        SharedTypedArray cells = SharedTypedArray.int32(memory);
        Atomics.store(cells, 1, increments);
        long start = process().hrtimeBigint();
        int[] exited = {0};
        for (int i = 0; i < 2; i++) {
            Worker w = new Worker(WorkerThreads.class, WorkerOptions.builder().workerData(memory).build());
            w.on(Worker.MESSAGE, message -> System.out.println("main thread got: " + message));
            w.on(Worker.EXIT, code -> {
                if (++exited[0] < 2) return;
                long total = Atomics.load(cells, 0);
                long expected = 2L * increments;
                System.out.printf("2 workers x %d Atomics.add on one shared Int32: %d (expected %d) in %.1f ms%n",
                        increments, total, expected, (process().hrtimeBigint() - start) / 1e6);
                if (total != expected) process().exitCode(1);
            });
        }
    }

    private static void countWorker(SharedArrayBuffer memory) {
        SharedTypedArray cells = SharedTypedArray.int32(memory);
        long n = Atomics.load(cells, 1);
        for (long i = 0; i < n; i++) Atomics.add(cells, 0, 1);
        parentPort().postMessage(List.of("worker " + threadId() + " done", "counter now " + Atomics.load(cells, 0)));
    }
}
