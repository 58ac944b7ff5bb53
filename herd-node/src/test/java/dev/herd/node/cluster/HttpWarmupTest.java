package dev.herd.node.cluster;

import static dev.herd.node.cluster.ClusterTest.JVM;
import static dev.herd.node.cluster.ClusterTest.run;
import static dev.herd.node.Globals.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.loop.Loop;
import dev.herd.node.internal.Environment;
import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import dev.herd.node.internal.http.HttpWarmup;
import dev.herd.node.net.Net;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster worker's HTTP warm-up ({@link HttpWarmup}): it runs in every worker unless turned off,
 * never in a plain program unless asked for, and the program never sees it.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpWarmupTest {
    /**
     * The worker: an HTTP server through the primary that counts its connections; once its
     * warm-up is over (and the warm-up thread gone) it reports whether one ran, whether it was
     * over when the server listened, the connections its server saw, and whether a warm-up thread
     * is still alive.
     */
    public static final class WorkerMain {
        private WorkerMain() {}

        public static void main(String[] args) {
            Herd.run(args, argv -> {
                int[] connections = {0};
                HttpServer server = Http.createServer((req, res) -> res.end("worker\n"));
                server.on("connection", a -> connections[0]++);
                Environment env = Environment.current();
                Loop loop = env.loop();
                server.listen(0, "127.0.0.1", () -> {
                    boolean warmAtListening = HttpWarmup.completion().isDone();
                    HttpWarmup.completion().whenComplete((v, e) -> {
                    boolean threadLeft = false;
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (!t.getName().equals("herd-http-warmup")) continue;
                        try {
                            t.join(10_000);
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                        }
                        threadLeft |= t.isAlive();
                    }
                    boolean left = threadLeft;
                    // From the warm-up's thread back to the loop, inside a callback scope (ticks drain after it).
                    loop.execute(() -> env.makeCallback(() -> process().send(Map.of("started", HttpWarmup.started(),
                            "warmAtListening", warmAtListening, "connections", connections[0], "threadLeft", left))));
                    });
                });
            });
        }
    }

    private static Map<String, Object> report(Map<String, String> env) {
        Map<String, Object> report = new HashMap<>();
        run(a -> {
            Cluster.setupPrimary(ClusterSettings.builder().exec(WorkerMain.class.getName()).execArgv(JVM).build());
            Worker w = Cluster.fork(env);
            int[] port = {0};
            w.on("listening", l -> port[0] = ((ListeningAddress) l[0]).port());
            w.on("message", m -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> got = (Map<String, Object>) m[0];
                report.putAll(got);
                Socket s = Net.createConnection(port[0], "127.0.0.1", null);
                s.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                ClusterTest.collect(s, answer -> {
                    report.put("answer", answer);
                    w.disconnect();
                });
            });
        });
        return report;
    }

    @Test
    void aWorkerWarmsUpWithoutItsServerSeeingAConnection() {
        Map<String, Object> report = report(Map.of());
        assertThat(report).containsEntry("started", true).containsEntry("connections", 0)
                .containsEntry("threadLeft", false);
        assertThat((String) report.get("answer")).endsWith("worker");
    }

    @Test
    void aWorkersHttpServerListensOnlyOnceTheWarmUpIsOver() {
        Map<String, Object> report = report(Map.of());
        assertThat(report).containsEntry("started", true).containsEntry("warmAtListening", true);
        assertThat((String) report.get("answer")).endsWith("worker");
    }

    @Test
    void herdHttpWarmupZeroTurnsAWorkersWarmUpOff() {
        Map<String, Object> report = report(Map.of(HttpWarmup.ENV, "0"));
        assertThat(report).containsEntry("started", false).containsEntry("connections", 0);
    }

    @Test
    void aProgramThatIsNotAWorkerDoesNotWarmUpUnlessAskedTo() {
        // This test JVM is no cluster worker and has no HERD_HTTP_WARMUP.
        int code = Herd.call(new String[0], a -> {
            HttpServer server = Http.createServer((req, res) -> res.end());
            server.listen(0, "127.0.0.1", () -> server.close());
        });
        assertThat(code).isZero();
        assertThat(HttpWarmup.started()).isFalse();
        assertThat(HttpWarmup.completion()).isDone();
    }
}
