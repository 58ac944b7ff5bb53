package dev.herd.examples;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setInterval;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.Worker;
import dev.herd.node.http.Http;
import java.util.Map;
import java.util.Set;

/**
 * The message example of Node's cluster page: the primary counts the HTTP requests its workers
 * serve — each worker sends {@code {cmd: 'notifyRequest'}} per request — and prints
 * {@code numReqs = N} every second.
 *
 * <p>Usage: {@code ./herd example cluster-count [--workers N] [--port P] [--host H]} (defaults:
 * one worker per processor, port 8000); then e.g. {@code curl localhost:8000}. Ctrl-C stops it.
 */
public final class ClusterCount {
    private ClusterCount() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            ClusterArgs opts = ClusterArgs.parse(argv, "cluster-count", Set.of());
            if (Cluster.isPrimary()) {
                // Keep track of http requests
                long[] numReqs = {0};
                setInterval(() -> System.out.println("numReqs = " + numReqs[0]), 1000);

                // Count requests
                for (int i = 0; i < opts.workers(); i++) Cluster.fork();
                for (Worker w : Cluster.workers().values()) {
                    w.on(Worker.MESSAGE, (message, handle) -> {
                        if (message instanceof Map<?, ?> msg && "notifyRequest".equals(msg.get("cmd"))) numReqs[0]++;
                    });
                }
                process().on(NodeProcess.SIGINT, signal -> {
                    Cluster.disconnect(() -> process().exit(0));
                });
            } else {
                // Worker processes have a http server.
                Http.createServer((req, res) -> {
                    res.writeHead(200);
                    res.end("hello world\n");
                    // Notify primary about the request
                    process().send(Map.of("cmd", "notifyRequest"));
                }).listen(opts.port(), opts.host(), null);
                process().on(NodeProcess.SIGINT, signal -> { });
            }
        });
    }
}
