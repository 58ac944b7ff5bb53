package dev.herd.cli.run;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ListeningAddress;
import dev.herd.node.http.Http;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * The user's program in {@link HerdRunTest}: a cluster primary with {@code WORKERS} (default 1)
 * HTTP workers on 127.0.0.1:{@code PORT} (default 0). The primary prints a report line of its own
 * and one per worker (sent over IPC): pid, the AOT caches mapped into the process, the class path
 * and the JVM options; then {@code listening on port P} once every worker listens. SIGINT or
 * SIGTERM disconnects the workers; the primary then exits with 0. Jarred by the test without Herd.
 *
 * <p>Environment: {@code FAIL_TRAINING=1} makes a training run exit with code 3;
 * {@code EXIT_WITH=N} makes the program print {@code exiting} and exit with N at once.
 */
public final class TestService {
    private TestService() {}

    /**
     * Runs the primary or, in a forked worker, the worker.
     *
     * @param args not used
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (Cluster.isPrimary()) primary();
            else worker();
        });
    }

    private static void primary() {
        Map<String, String> env = process().env();
        if ("1".equals(env.get("FAIL_TRAINING")) && env.get("HERD_AOT_TRAINING") != null) process().exit(3);
        if (env.get("EXIT_WITH") != null) {
            System.out.println("exiting");
            process().exit(Integer.parseInt(env.get("EXIT_WITH")));
        }
        int workers = Integer.parseInt(env.getOrDefault("WORKERS", "1"));
        System.out.println("primary " + report());
        int[] listening = {0};
        Cluster.on("message", a -> System.out.println("worker " + a[1]));
        Cluster.on("listening", a -> {
            if (++listening[0] == workers) System.out.println("listening on port " + ((ListeningAddress) a[1]).port());
        });
        Runnable stop = () -> Cluster.disconnect(() -> System.out.println("stopped"));
        process().on("SIGINT", a -> stop.run());
        process().on("SIGTERM", a -> stop.run());
        for (int i = 0; i < workers; i++) Cluster.fork();
    }

    private static void worker() {
        process().send(report());
        int port = Integer.parseInt(process().env().getOrDefault("PORT", "0"));
        Http.createServer((req, res) -> res.end("ok\n")).listen(port, "127.0.0.1", null);
        process().on("SIGINT", a -> { });
    }

    /** "pid=P aot=[FILES] cp=CLASSPATH options=OPTION|OPTION|...". */
    private static String report() {
        TreeSet<String> aot = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.endsWith(".aot")) aot.add(line.substring(line.lastIndexOf(' ') + 1));
            }
        } catch (IOException e) {
            aot.add("unreadable: " + e);
        }
        return "pid=" + process().pid() + " aot=" + aot + " cp=" + System.getProperty("java.class.path")
                + " options=" + String.join("|", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
}
