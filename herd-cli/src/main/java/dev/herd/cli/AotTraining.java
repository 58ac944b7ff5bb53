package dev.herd.cli;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;

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
 * <p>Thread rule: the JVM's main thread, which becomes the loop thread. Lifetime: one run.
 */
public final class AotTraining {
    /** How long the training server idles before it closes. */
    static final int IDLE_MS = 10;

    private AotTraining() {}

    /** Runs the training; exits with status 1 (printing why) if it did not run as expected. */
    public static void main(String[] args) {
        String problem = run();
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
            server.on("error", a -> outcome[0] = "the server failed: " + a[0]);
            server.listen(0, "127.0.0.1", () -> {
                System.out.println("training server listening on " + server.address() + " (pid " + process().pid() + ")");
                process().on("SIGINT", a -> server.close());
                setTimeout(() -> server.close(err -> outcome[0] = err == null ? null : "the server did not close: " + err),
                        IDLE_MS);
            });
        });
        return code != 0 ? "the training program exited with code " + code : outcome[0];
    }
}
