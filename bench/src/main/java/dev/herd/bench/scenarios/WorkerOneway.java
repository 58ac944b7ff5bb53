package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;

import dev.herd.node.Herd;
import dev.herd.node.worker_threads.Worker;
import java.util.Map;

/**
 * worker-oneway: one worker posts N messages to the main thread as fast as the flow control lets
 * it, first N small ones (the message's number), then N of 1 KiB (a 1024-byte Buffer — byte[] in
 * Herd — cloned on every post). Flow control, the same in both runtimes: the main thread posts an
 * ack every {@link #ACK_EVERY} messages and the worker keeps at most {@link #WINDOW} unacknowledged
 * (without it, the queue of a receiver slower than its sender grows without bound, in Node too).
 * The clock runs from the 'go' message to the N-th message. Metrics: small_msgs_per_s,
 * kib_msgs_per_s. Checks: all N arrived in order (small), all N were 1024 bytes (1 KiB). Node
 * twin: bench/node/worker-oneway.js.
 */
public final class WorkerOneway {
    static final int WINDOW = 8192;
    static final int ACK_EVERY = 1024;

    private WorkerOneway() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, WorkerOneway::round));
    }

    /** The worker: on {kind, n} it sends n messages of that kind; on a number, that many were received. */
    static void sender(String[] args) {
        byte[] kib = new byte[1024];
        int[] state = new int[3]; // total, sent, acked
        boolean[] big = new boolean[1];
        Runnable send = () -> {
            while (state[1] < state[0] && state[1] - state[2] < WINDOW) {
                parentPort().postMessage(big[0] ? kib : (Object) state[1]);
                state[1]++;
            }
        };
        parentPort().on("message", m -> {
            if (m[0] instanceof Map<?, ?> go) {
                big[0] = "kib".equals(go.get("kind"));
                state[0] = (Integer) go.get("n");
                state[1] = 0;
                state[2] = 0;
            } else {
                state[2] = (Integer) m[0];
            }
            send.run();
        });
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        Worker w = new Worker(WorkerOneway::sender);
        new Object() {
            boolean big;
            long start;
            int count;
            String bad;

            void go(boolean kib) {
                big = kib;
                count = 0;
                bad = null;
                start = nowNs();
                w.postMessage(Map.of("kind", kib ? "kib" : "small", "n", n));
            }

            void received(Object m) {
                if (bad == null) {
                    if (big && !(m instanceof byte[] b && b.length == 1024)) bad = "message " + count + " is not 1024 bytes";
                    if (!big && !Integer.valueOf(count).equals(m)) bad = "message " + count + " is " + m;
                }
                count++;
                if (count % ACK_EVERY == 0 && count < n) w.postMessage(count);
                if (count < n) return;
                double perS = n / ((nowNs() - start) / 1e9);
                if (!big) {
                    sample.metric("small_msgs_per_s", perS);
                    sample.check("small_in_order", bad == null, bad);
                    go(true);
                } else {
                    sample.metric("kib_msgs_per_s", perS);
                    sample.check("kib_sizes", bad == null, bad);
                    w.terminate().thenRun(done);
                }
            }

            void start() {
                w.on("message", m -> received(m[0]));
                w.once("online", () -> go(false));
            }
        }.start();
    }
}
