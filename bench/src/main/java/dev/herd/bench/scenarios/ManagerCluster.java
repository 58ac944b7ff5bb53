package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setInterval;

import dev.herd.node.Herd;
import java.util.List;

/**
 * The server of the manager-cluster-* scenarios on Herd's side: {@code herd start
 * bench/node/manager-cluster-app.js -i 2} (a Node app: the manager's cluster mode, each instance
 * accepting on a socket of its own) in a {@code HERD_HOME} of its own, a line containing
 * "listening" once both instances answer, and {@code herd kill} on SIGTERM. Arguments
 * {@code [--port P] [--host H]}, as every server scenario's program. The pm2 twin is
 * {@code bench/node/manager-cluster.js}; the load (wrk) is the runner's.
 */
public final class ManagerCluster {
    /** How many instances the app runs ({@code -i 2}). */
    public static final int INSTANCES = 2;

    private ManagerCluster() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args {@code [--port P] [--host H]}
     */
    public static void main(String[] args) {
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
            ManagerDriver herd = new ManagerDriver();
            process().on("SIGTERM", a -> process().exit(0)); // the driver's shutdown hook runs herd kill
            herd.start("manager-cluster-app.js", List.of("--name", "mc", "-i", Integer.toString(INSTANCES)),
                    host == null ? List.of(Integer.toString(port)) : List.of(Integer.toString(port), host));
            ManagerDriver.awaitAnswers(port, INSTANCES);
            System.out.println("manager-cluster listening on " + (host == null ? "*" : host) + ":" + port + " with "
                    + INSTANCES + " instances (herd)");
            setInterval(() -> {}, 1 << 30); // runs on until the runner's SIGTERM
        });
    }
}
