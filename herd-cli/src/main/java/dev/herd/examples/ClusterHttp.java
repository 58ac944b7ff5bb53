package dev.herd.examples;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.Worker;
import dev.herd.node.http.Http;
import java.util.Set;

/**
 * The first example of Node's cluster page, in Java: the primary forks workers that share one
 * HTTP port and answer {@code hello world\n}; a worker that dies is replaced, as in the
 * restart-on-exit pattern. The workers are new JVMs running this same program (the
 * {@code isPrimary} branch decides what each process does), so they get the same arguments.
 *
 * <pre>
 * $ ./herd example cluster-http --workers 2
 * Primary 3596 is running
 * Worker 4324 started
 * Worker 4520 started
 * cluster-http listening on :::8000 with 2 workers (round-robin)
 * </pre>
 *
 * <p>Usage: {@code ./herd example cluster-http [--workers N] [--port P] [--host H]} (defaults: one
 * worker per processor, port 8000). {@code HERD_CLUSTER_SCHED_POLICY=none|reuseport} chooses how
 * connections are spread (see docs/cluster.md). Try {@code curl localhost:8000}, or kill a worker
 * ({@code kill -9 PID}) and watch its replacement start. Ctrl-C (or SIGTERM to the primary) stops
 * everything gracefully.
 */
public final class ClusterHttp {
    private ClusterHttp() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            ClusterArgs opts = ClusterArgs.parse(argv, "cluster-http", Set.of());
            if (Cluster.isPrimary()) primary(opts);
            else worker(opts);
        });
    }

    private static void primary(ClusterArgs opts) {
        System.out.println("Primary " + process().pid() + " is running");
        boolean[] stopping = {false};
        int[] listening = {0};
        Cluster.on(Cluster.LISTENING, (worker, address) -> {
            // Once, when the first round of workers is up (the benchmarks wait for this line).
            if (++listening[0] != opts.workers()) return;
            System.out.println("cluster-http listening on " + (address.address() == null ? "::" : address.address()) + ":"
                    + address.port() + " with " + opts.workers() + " workers (" + policyName() + ")");
        });
        Cluster.on(Cluster.EXIT, (w, code, signal) -> {
            if (stopping[0] || w.isExitedAfterDisconnect()) return;
            System.out.println("worker " + w.pid() + " died (" + (signal != null ? signal : "code " + code) + "). restarting...");
            Cluster.fork();
        });
        Runnable stop = () -> {
            if (stopping[0]) return;
            stopping[0] = true;
            Cluster.disconnect(() -> System.out.println("all workers stopped"));
        };
        process().on(NodeProcess.SIGINT, signal -> stop.run());
        process().on(NodeProcess.SIGTERM, signal -> stop.run());
        for (int i = 0; i < opts.workers(); i++) Cluster.fork();
    }

    private static void worker(ClusterArgs opts) {
        // Workers can share any TCP connection; in this case it is an HTTP server.
        Http.createServer((req, res) -> {
            res.writeHead(200);
            res.end("hello world\n");
        }).listen(opts.port(), opts.host(), null);
        // Ctrl-C reaches the whole process group: the primary stops the workers.
        process().on(NodeProcess.SIGINT, signal -> { });
        System.out.println("Worker " + process().pid() + " started");
    }

    static String policyName() {
        return switch (Cluster.schedulingPolicy()) {
            case Cluster.SCHED_NONE -> "shared socket";
            case Cluster.SCHED_REUSEPORT -> "SO_REUSEPORT";
            default -> "round-robin";
        };
    }
}
