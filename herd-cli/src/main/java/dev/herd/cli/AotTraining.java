package dev.herd.cli;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ClusterSettings;
import dev.herd.node.cluster.Worker;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training run of the launcher's JVM AOT cache: what {@code ./herd} runs once per build with
 * {@code -XX:AOTCacheOutput}, so that the cache holds the classes a Herd program loads at start,
 * already parsed and linked. It starts a program the way the server examples do: Node's
 * hello-world HTTP server listening on 127.0.0.1 (a port the kernel picks), a 'listening' line
 * with the pid, a 'SIGINT' listener; it idles in epoll_wait for {@link #IDLE_MS}, then a timer closes
 * the server and the loop runs dry.
 *
 * <p>Every class it loads is loaded by every program the launcher starts, at start-up (the cache
 * links them ahead of time), so it does only what a server does before its first request. It
 * makes no request: the request path (Jetty's parser, java.time for the Date header) would cost
 * an idle server about 4 MiB; a server loads it on its first request instead. It ends by returning
 * from {@code main} rather than {@code System.exit}, whose exit logging would add the JDK's logger
 * classes.
 *
 * <p>With the arguments {@code child-cache FILE} it makes the second cache, for forked Herd
 * children ({@code ./herd} passes it as {@code -Dherd.childAotCache}; see
 * {@code ChildProcesses.childJvmOptions}): this JVM becomes a cluster primary and forks one worker
 * of this class ({@code worker}) with {@code -XX:AOTCacheOutput=FILE}. The worker does what a
 * cluster worker or forked child does before its first request: it opens its IPC channel, reports
 * online, listens on an HTTP server through the primary (round-robin), answers a message, and
 * leaves on the primary's disconnect. Its server listens only after its HTTP warm-up
 * ({@code HttpWarmup}, which every cluster worker runs), so the cache holds the request path too: a
 * worker loads those classes at start-up anyway, and from the cache they cost less time and
 * memory.
 *
 * <p>Thread rule: the JVM's main thread, which becomes the loop thread. Lifetime: one run.
 */
public final class AotTraining {
    /** How long the training server idles before it closes. */
    static final int IDLE_MS = 10;
    /** A child-cache training worker that has not exited this long after its fork is killed. */
    static final int CHILD_LIMIT_MS = 60_000;

    private AotTraining() {}

    /**
     * Runs the training; exits with status 1 (printing why) if it did not run as expected.
     *
     * @param args none for the server cache; {@code child-cache FILE} for the forked children's cache
     */
    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("worker")) {
            worker();
            return;
        }
        String problem = args.length == 2 && args[0].equals("child-cache") ? runChildCache(args[1]) : run();
        if (problem != null) {
            System.err.println("herd AOT training: " + problem);
            System.exit(1);
        }
    }

    /** Runs the training program on a fresh Herd loop; null if it listened and closed cleanly. */
    static String run() {
        String[] outcome = {"the server never listened"};
        int code = Herd.call(new String[0], argv -> {
            HttpServer server = Http.createServer((req, res) -> res.end("hello world\n"));
            server.on(HttpServer.ERROR, err -> outcome[0] = "the server failed: " + err);
            server.listen(0, "127.0.0.1", () -> {
                System.out.println("training server listening on " + server.address() + " (pid " + process().pid() + ")");
                process().on(NodeProcess.SIGINT, signal -> server.close());
                setTimeout(() -> server.close(err -> outcome[0] = err == null ? null : "the server did not close: " + err),
                        IDLE_MS);
            });
        });
        return code != 0 ? "the training program exited with code " + code : outcome[0];
    }

    /**
     * The primary of the child-cache training: forks the worker, recording into {@code cacheFile}
     * (null: not recording, for tests, whose class path has directories that an AOT cache cannot
     * hold); null if it went as planned.
     */
    static String runChildCache(String cacheFile) {
        String[] outcome = {"the worker never listened"};
        int code = Herd.call(new String[0], argv -> {
            List<String> execArgv = new ArrayList<>(process().execArgv());
            // The JVM refuses -XX:AOTCacheOutput next to another cache or CDS option.
            execArgv.removeIf(a -> a.startsWith("-XX:AOTCache") || a.startsWith("-XX:AOTMode") || a.startsWith("-Xshare")
                    || a.startsWith("-XX:SharedArchiveFile") || a.startsWith("-D" + ChildProcesses.CHILD_AOT_CACHE_PROPERTY));
            if (cacheFile != null) {
                execArgv.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining",
                        "-XX:AOTCacheOutput=" + cacheFile, "-Xlog:aot*=off", "-Xlog:cds*=off"));
            }
            Cluster.setupPrimary(ClusterSettings.builder().exec(AotTraining.class.getName()).args(List.of("worker"))
                    .execArgv(execArgv).silent(true).build());
            Worker w = Cluster.fork();
            // The launcher waits for this run: a worker that hangs must not hang every ./herd.
            Timeout limit = setTimeout(() -> {
                outcome[0] = "the worker did not finish within " + CHILD_LIMIT_MS + " ms";
                w.process().kill("SIGKILL");
            }, CHILD_LIMIT_MS);
            w.on(Worker.LISTENING, address -> {
                outcome[0] = "the worker did not answer";
                w.send(Map.of("training", List.of(1, "two", true, address.port())));
            });
            w.on(Worker.MESSAGE, (message, handle) -> {
                outcome[0] = "the worker did not exit cleanly";
                w.disconnect();
            });
            w.on(Worker.EXIT, (exitCode, signal) -> {
                clearTimeout(limit);
                if (Integer.valueOf(0).equals(exitCode) && outcome[0].equals("the worker did not exit cleanly")) outcome[0] = null;
                else if (outcome[0] == null || !outcome[0].startsWith("the worker never")) outcome[0] += " (exit " + exitCode + ", " + signal + ")";
            });
        });
        return code != 0 ? "the child-cache training exited with code " + code : outcome[0];
    }

    /** The recording worker: a cluster worker's start, an echo, and an orderly leave. */
    private static void worker() {
        Herd.call(new String[0], argv -> {
            HttpServer server = Http.createServer((req, res) -> res.end("hello world\n"));
            server.listen(0, "127.0.0.1", null);
            process().on(NodeProcess.MESSAGE, (message, handle) -> process().send(message));
        });
    }
}
