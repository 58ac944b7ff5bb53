package dev.herd.node;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setInterval;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ClusterSettings;
import dev.herd.node.cluster.Worker;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An AOT training run ({@link TrainingRun}): the program ends by itself once it has started, a
 * server listens on a free port, and a cluster primary takes its workers down first. Each program
 * is a real JVM started as {@code herd run} starts a training run (the environment variable and
 * the property), without {@code -XX:AOTCacheOutput}: this test class path has directories, which
 * an AOT cache cannot hold (herd-cli's HerdRunTest trains real caches).
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TrainingRunTest {
    /** An HTTP server on 127.0.0.1 and the port given; prints where it listens. */
    public static final class ServerMain {
        private ServerMain() {}

        public static void main(String[] args) {
            Herd.run(args, argv -> {
                HttpServer server = Http.createServer((req, res) -> res.end("hello\n"));
                server.listen(Integer.parseInt(argv[0]), "127.0.0.1", () -> System.out.println("listening on " + server.address().port()));
                process().on("exit", a -> System.out.println("exit " + a[0]));
            });
        }
    }

    /** A program that is never idle: a 10 ms interval. */
    public static final class BusyMain {
        private BusyMain() {}

        public static void main(String[] args) {
            Herd.run(args, argv -> {
                setInterval(() -> { }, 10);
                System.out.println("started");
            });
        }
    }

    /**
     * A cluster primary with two workers, each an HTTP server on port 8080; every worker reports
     * its pid and JVM options to the primary, which prints them as a line each.
     */
    public static final class ClusterMain {
        private ClusterMain() {}

        public static void main(String[] args) {
            Herd.run(args, argv -> {
                if (Cluster.isPrimary()) {
                    List<String> jvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
                    Cluster.setupPrimary(ClusterSettings.builder().exec(ClusterMain.class.getName()).execArgv(jvm).build());
                    Cluster.on("message", a -> System.out.println("worker " + ((Map<?, ?>) a[1]).get("pid") + " options "
                            + ((Map<?, ?>) a[1]).get("options")));
                    Cluster.on("exit", a -> System.out.println("worker " + ((Worker) a[0]).pid() + " exited"));
                    Cluster.fork();
                    Cluster.fork();
                } else {
                    process().send(Map.of("pid", process().pid(),
                            "options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())));
                    Http.createServer((req, res) -> res.end("worker\n")).listen(8080, "127.0.0.1", null);
                }
            });
        }
    }

    record Run(int code, String out, String err) {}

    /** Runs {@code main} as a training run's first process (limit {@code limitMs}, 0 for the default). */
    private static Run train(Class<?> main, long limitMs, List<String> extraOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-D" + TrainingRun.PROPERTY + "=" + (limitMs > 0 ? Long.toString(limitMs) : "")));
        cmd.addAll(extraOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("training", ".out");
        Path err = Files.createTempFile("training", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put(TrainingRun.ENV, "1");
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new AssertionError("the training run did not end:\n" + Files.readString(out) + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void aTrainingRunOfAServerEndsByItselfWithCode0OnceTheServerListensAndTheLoopIdles() throws Exception {
        Run run = train(ServerMain.class, 0, List.of(), "0");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("listening on \\d+").contains("exit 0");
        assertThat(run.err()).contains("herd AOT training: start-up is over; ending the run");
    }

    @Test
    void aServerInATrainingRunListensOnAFreePortInsteadOfTheBusyPortItAskedFor() throws Exception {
        int[] busy = {0};
        Run[] run = {null};
        // The busy port is held by a Herd server (a JDK ServerSocket would leave the JDK's own
        // pre-close socket open, which the leak check would see); the training runs meanwhile.
        int code = Herd.call(new String[0], a -> {
            Server holder = Net.createServer(s -> { });
            holder.listen(0, "127.0.0.1", 0, () -> {
                busy[0] = holder.address().port();
                try {
                    run[0] = train(ServerMain.class, 0, List.of(), Integer.toString(busy[0]));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    holder.close();
                }
            });
        });
        assertThat(code).isZero();
        assertThat(run[0].code()).as(run[0].err()).isZero();
        Matcher m = Pattern.compile("listening on (\\d+)").matcher(run[0].out());
        assertThat(m.find()).as(run[0].out()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isPositive().isNotEqualTo(busy[0]);
    }

    @Test
    void aTrainingRunThatNeverIdlesEndsAtItsLimit() throws Exception {
        Run run = train(BusyMain.class, 1_500, List.of());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("started");
        assertThat(run.err()).contains("herd AOT training: the training limit of 1500 ms passed; ending the run");
    }

    @Test
    void aTrainingClusterPrimaryEndsOnlyOnceItsDisconnectedWorkersHaveExited() throws Exception {
        Run run = train(ClusterMain.class, 0, List.of());
        assertThat(run.code()).as(run.err()).isZero();
        List<String> workers = pids(run.out(), "worker (\\d+) options");
        assertThat(workers).hasSize(2);
        for (String pid : workers) assertThat(run.out()).contains("worker " + pid + " exited");
        assertThat(run.err()).contains("start-up is over");
    }

    @Test
    void onlyTheFirstClusterWorkerOfATrainingRunRecordsTheChildCache(@TempDir Path dir) throws Exception {
        Path childCache = dir.resolve("child.aot");
        Run run = train(ClusterMain.class, 0, List.of("-D" + TrainingRun.CHILD_CACHE_PROPERTY + "=" + childCache));
        assertThat(run.code()).as(run.err()).isZero();
        List<String> lines = run.out().lines().filter(l -> l.contains(" options ")).toList();
        assertThat(lines).hasSize(2);
        long recording = lines.stream().filter(l -> l.contains("-XX:AOTCacheOutput=" + childCache)).count();
        assertThat(recording).as(run.out()).isEqualTo(1);
        // Neither worker inherits the training's own options.
        assertThat(run.out()).doesNotContain("-D" + TrainingRun.PROPERTY).doesNotContain("-D" + TrainingRun.CHILD_CACHE_PROPERTY);
    }

    private static List<String> pids(String out, String regex) {
        List<String> pids = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(out);
        while (m.find()) pids.add(m.group(1));
        return pids;
    }

    @Test
    void outsideATrainingRunAFixedPortIsKept() throws IOException {
        // This test JVM has no HERD_AOT_TRAINING in its environment.
        assertThat(TrainingRun.active()).isFalse();
        assertThat(TrainingRun.listenPort(8080)).isEqualTo(8080);
    }
}
