package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ListeningAddress;
import dev.herd.node.http.Http;

/**
 * The server of the cluster balance scenarios: a primary with {@link #WORKERS} workers that
 * answer {@code hello world\n} with a response header {@code X-Worker: <worker id>}, so that the
 * load ({@code WorkerShare}) can count who served what. One tiny main per scheduling policy,
 * because a server scenario's program gets no arguments but {@code --port P --host H}:
 * {@link RoundRobin} ({@code SCHED_RR}) and {@link ReusePort} ({@code SCHED_REUSEPORT}). The
 * workers run the same main with the same arguments, as cluster workers do.
 *
 * <p>The primary prints a line containing "listening" once both workers listen, and on SIGTERM
 * disconnects them and exits. The Node twins are {@code bench/node/cluster-share-rr.js} and
 * {@code cluster-share-none.js} (Node has no reuseport policy; SCHED_NONE is its primary-free one).
 */
public final class ClusterShare {
    /** The cluster's size in the balance scenarios. */
    public static final int WORKERS = 2;

    private ClusterShare() {}

    /** {@code SCHED_RR}: the primary accepts and hands each connection to a worker. */
    public static final class RoundRobin {
        private RoundRobin() {}

        /**
         * Runs the program (see the class comment).
         *
         * @param args the command-line arguments
         */
        public static void main(String[] args) {
            run(Cluster.SCHED_RR, "round-robin", args);
        }
    }

    /** {@code SCHED_REUSEPORT}: each worker accepts on its own SO_REUSEPORT socket. */
    public static final class ReusePort {
        private ReusePort() {}

        /**
         * Runs the program (see the class comment).
         *
         * @param args the command-line arguments
         */
        public static void main(String[] args) {
            run(Cluster.SCHED_REUSEPORT, "reuseport", args);
        }
    }

    static void run(int policy, String policyName, String[] args) {
        Herd.run(args, argv -> {
            int port = 8000;
            String host = null;
            for (int i = 0; i < argv.length; i++) {
                switch (argv[i]) {
                    case "--port" -> port = Integer.parseInt(argv[++i]);
                    case "--host" -> host = argv[++i];
                    default -> throw new IllegalArgumentException("usage: [--port P] [--host H], got " + argv[i]);
                }
            }
            if (Cluster.isPrimary()) primary(policy, policyName);
            else worker(port, host);
        });
    }

    private static void primary(int policy, String policyName) {
        Cluster.schedulingPolicy(policy);
        int[] listening = {0};
        Cluster.on("listening", a -> {
            if (++listening[0] != WORKERS) return;
            ListeningAddress address = (ListeningAddress) a[1];
            System.out.println("cluster-share listening on " + address.address() + ":" + address.port() + " with "
                    + WORKERS + " workers (" + policyName + ", pid " + process().pid() + ")");
        });
        process().on("SIGTERM", a -> Cluster.disconnect(() -> process().exit(0)));
        for (int i = 0; i < WORKERS; i++) Cluster.fork();
    }

    private static void worker(int port, String host) {
        String id = Integer.toString(Cluster.worker().id());
        Http.createServer((req, res) -> {
            res.setHeader("X-Worker", id);
            res.end("hello world\n");
        }).listen(port, host, null);
    }
}
