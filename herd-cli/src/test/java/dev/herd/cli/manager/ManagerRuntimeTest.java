package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd runtime} (pm2-runtime), black-box: the real command line as a long-lived process in
 * a temporary {@code HERD_HOME}, its stdout and stderr in files; the apps' lines there, SIGTERM,
 * the exit once no app is left, the health endpoints, {@code jlist} from another command line, and
 * the runtime as PID 1 of a new PID namespace ({@code unshare}). Each test ends with the harness's
 * leak check ({@link Herd#close()}) after the runtime itself is gone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEADLINE_MS = 30_000;

    /** Double-forks a child that waits for the file $GO, then exits (an orphan, then a zombie); writes its pid. */
    static final String ZOMBIE_MAKER_SH = """
            #!/bin/bash
            ( ( while [ ! -e "$GO" ]; do sleep 0.05; done ) & echo "$!" > "$PIDS.tmp"; mv "$PIDS.tmp" "$PIDS" )
            echo "maker $$"
            while true; do sleep 0.2; done
            """;

    @TempDir
    Path tmp;

    private Herd herd;
    private final List<Process> runtimes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        List<Long> left = new ArrayList<>();
        for (Process p : runtimes) {
            if (p.isAlive()) {
                left.add(p.pid());
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        herd.close();
        assertThat(left).as("runtimes left running").isEmpty();
    }

    /** A runtime running: its process and the files its stdout and stderr go to. */
    private record Runtime(Process process, Path out, Path err) {
        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        int awaitExit() throws InterruptedException {
            if (!process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)) {
                fail("the runtime did not exit; stderr:\n" + stderr());
            }
            return process.exitValue();
        }

        /** SIGTERM, then its exit code. */
        int terminate() throws InterruptedException {
            process.destroy();
            return awaitExit();
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Starts {@code herd runtime ARGS} in the apps' directory, with {@code prefix} (e.g. unshare) before java. */
    private Runtime runtime(List<String> prefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "dev.herd.cli.Main", "runtime"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(herd.dir, "runtime-out", ".txt");
        Path err = Files.createTempFile(herd.dir, "runtime-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(herd.dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("HERD_"));
        pb.environment().putAll(herd.env);
        Process p = pb.start();
        runtimes.add(p);
        return new Runtime(p, out, err);
    }

    private Runtime runtime(String... args) throws IOException {
        return runtime(List.of(), args);
    }

    /** Waits until {@code text} (read again and again) has a line matching {@code regex}; returns the match. */
    private static Matcher awaitLine(Runtime r, boolean stdout, String regex) {
        Pattern p = Pattern.compile("(?m)^" + regex + "$");
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            text = stdout ? r.stdout() : r.stderr();
            Matcher m = p.matcher(text);
            if (m.find()) return m;
            if (!r.process().isAlive()) break;
            pause();
        }
        throw new AssertionError((stdout ? "stdout" : "stderr") + " never had a line " + regex + "; it has:\n" + text
                + "\nstderr:\n" + r.stderr());
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The health port the runtime says it listens on (it was given port 0). */
    private static int healthPort(Runtime r) {
        return Integer.parseInt(awaitLine(r, false, ".* runtime: health endpoints on http://[0-9.]+:(\\d+) .*").group(1));
    }

    private record Answer(int status, JsonNode body) {}

    private static Answer get(int port, String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(res.statusCode(), JSON.readTree(res.body()));
        }
    }

    /** Asks {@code path} until the answer's status is {@code status}, with a deadline. */
    private static Answer awaitAnswer(int port, String path, int status) throws Exception {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        Answer last = null;
        while (System.currentTimeMillis() < deadline) {
            last = get(port, path);
            if (last.status() == status) return last;
            pause();
        }
        throw new AssertionError(path + " never answered " + status + "; last: " + last);
    }

    // ---------------------------------------------------------------- output

    @Test
    void appLinesGoToTheRuntimesStdoutAndStderrPrefixedWithIdAndName() throws Exception {
        Runtime r = runtime(herd.file("ticker.sh", Fixtures.TICKER_SH).toString());
        awaitLine(r, true, "0\\|ticker +\\| out 3 pid \\d+");
        awaitLine(r, false, "0\\|ticker +\\| err 3");
        for (String line : r.stdout().lines().toList()) assertThat(line).matches("0\\|ticker  \\| out \\d+ pid \\d+");
        assertThat(Files.readString(herd.log("ticker-out.log"))).as("the log file too").contains("out 3 pid");
        assertThat(r.terminate()).isZero();
    }

    @Test
    void withJsonEveryAppLineIsOneJsonObjectOfTheLogTypeJsonShape() throws Exception {
        Runtime r = runtime(herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--json");
        awaitLine(r, true, ".*\"message\":\"out 3 pid \\d+\\\\n\".*");
        assertThat(r.terminate()).isZero();
        for (String line : r.stdout().lines().toList()) {
            JsonNode o = JSON.readTree(line);
            assertThat(o.get("message").asText()).matches("out \\d+ pid \\d+\n");
            assertThat(o.get("type").asText()).isEqualTo("out");
            assertThat(o.get("app_name").asText()).isEqualTo("ticker");
            assertThat(o.get("process_id").asInt()).isZero();
            assertThat(o.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        }
        assertThat(r.stderr()).contains("{\"message\":\"err 3\\n\"");
    }

    @Test
    void withRawTheLinesAreAsTheAppWroteThem() throws Exception {
        Runtime r = runtime(herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--raw");
        awaitLine(r, true, "out 3 pid \\d+");
        awaitLine(r, false, "err 3");
        assertThat(r.terminate()).isZero();
        for (String line : r.stdout().lines().toList()) assertThat(line).matches("out \\d+ pid \\d+");
    }

    // ---------------------------------------------------------------- stop and exit

    @Test
    void sigtermStopsEveryAppWithItsWholeTreeAndExitsZero() throws Exception {
        Path pids = herd.dir.resolve("pids.txt");
        herd.env.put("PIDS", pids.toString());
        Runtime r = runtime(herd.file("forker.sh", Fixtures.FORKER_SH).toString(), "--kill-timeout", "500");
        String text = herd.awaitLine(pids, "ready");
        long app = herd.awaitStatus("forker", "online").get("pid").asLong();
        List<Long> grandchildren = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("child ") || line.startsWith("setsid ")) grandchildren.add(Long.parseLong(line.split(" ")[1]));
        }
        assertThat(grandchildren).hasSize(2);
        assertThat(r.terminate()).as("exit code; stderr:\n%s", r.stderr()).isZero();
        assertThat(Herd.alive(app)).isFalse();
        for (long g : grandchildren) assertThat(Herd.alive(g)).as("grandchild %d", g).isFalse();
        assertThat(r.stderr()).contains("runtime: SIGTERM: stopping every app").contains("tree stopped");
    }

    @Test
    void whenEveryAppHasErroredItExitsNonZeroSayingWhyInOneLine() throws Exception {
        Runtime r = runtime(herd.file("crash.sh", Fixtures.CRASH_SH).toString(), "--max-restarts", "1");
        assertThat(r.awaitExit()).isEqualTo(2);
        List<String> why = r.stderr().lines().filter(l -> l.startsWith("herd runtime:")).toList();
        assertThat(why).containsExactly("herd runtime: no app left to run: crash errored (too many unstable restarts); exiting");
    }

    @Test
    void anAppEndedByAStopExitCodeIsGoneForGoodToo() throws Exception {
        herd.env.put("CODE", "7");
        Runtime r = runtime(herd.file("crash.sh", Fixtures.CRASH_SH).toString(), "--stop-exit-codes", "7");
        assertThat(r.awaitExit()).isEqualTo(2);
        assertThat(r.stderr()).contains("herd runtime: no app left to run: crash stopped (exit code 7); exiting");
        assertThat(r.stdout()).containsPattern("0\\|crash +\\| crash \\d+");
    }

    // ---------------------------------------------------------------- another shell

    @Test
    void jlistAndRestartFromAnotherCommandLineActOnTheRuntimesApps() throws Exception {
        Runtime r = runtime(herd.file("ticker.sh", Fixtures.TICKER_SH).toString());
        awaitLine(r, true, ".*out 0 pid \\d+"); // up: another command line would start a daemon of its own before
        long first = herd.awaitStatus("ticker", "online").get("pid").asLong();
        herd.run("restart", "ticker").ok();
        JsonNode p = herd.awaitStatus("ticker", "online");
        assertThat(p.get("pid").asLong()).isNotEqualTo(first);
        assertThat(Herd.restarts(p)).isEqualTo(1);
        assertThat(r.process().isAlive()).as("a restart's moment of 'stopped' does not end the runtime").isTrue();
        assertThat(r.terminate()).isZero();
    }

    @Test
    void herdKillFromAnotherCommandLineStopsTheAppsAndTheRuntimeExitsZero() throws Exception {
        Runtime r = runtime(herd.file("ticker.sh", Fixtures.TICKER_SH).toString());
        awaitLine(r, true, ".*out 0 pid \\d+"); // up: another command line would start a daemon of its own before
        long app = herd.awaitStatus("ticker", "online").get("pid").asLong();
        Herd.Result kill = herd.run("kill");
        assertThat(kill.code()).as("herd kill: %s %s", kill.out(), kill.err()).isZero();
        assertThat(Herd.alive(app)).as("kill answers once the apps are gone").isFalse();
        assertThat(r.awaitExit()).as("exit code; stderr:\n%s", r.stderr()).isZero();
        assertThat(r.stderr()).doesNotContain("herd runtime: no app left");
    }

    // ---------------------------------------------------------------- health endpoints

    @Test
    void readyzTurns200OnceEveryAppIsReadyWhileHealthzIs200Throughout() throws Exception {
        Path go = herd.dir.resolve("go");
        herd.env.put("GO", go.toString());
        Runtime r = runtime(herd.file("ready.js", ManagerReadyTest.READY_WHEN_TOLD_JS).toString(), "--wait-ready",
                "--listen-timeout", "60000", "--health-port", "0");
        int port = healthPort(r);
        herd.awaitStatus("ready", "launching");
        assertThat(get(port, "/healthz").status()).isEqualTo(200);
        Answer waiting = get(port, "/readyz");
        assertThat(waiting.status()).isEqualTo(503);
        assertThat(waiting.body().get("apps").get(0).get("name").asText()).isEqualTo("ready");
        assertThat(waiting.body().get("apps").get(0).get("status").asText()).isEqualTo("launching");
        Files.writeString(go, "");
        assertThat(awaitAnswer(port, "/readyz", 200).body().get("ready").asBoolean()).isTrue();
        assertThat(r.terminate()).isZero();
    }

    @Test
    void readyzIs503NamingAnErroredAppWhileTheOthersRun() throws Exception {
        herd.file("ticker.sh", Fixtures.TICKER_SH);
        herd.file("crash.sh", Fixtures.CRASH_SH);
        Path config = herd.file("apps.json", """
                {"apps": [{"script": "ticker.sh"}, {"script": "crash.sh", "max_restarts": 1}]}
                """);
        Runtime r = runtime(config.toString(), "--health-port", "0");
        int port = healthPort(r);
        herd.awaitStatus("crash", "errored");
        Answer a = awaitAnswer(port, "/readyz", 503);
        assertThat(a.body().get("apps")).hasSize(1);
        assertThat(a.body().get("apps").get(0).get("name").asText()).isEqualTo("crash");
        assertThat(a.body().get("apps").get(0).get("status").asText()).isEqualTo("errored");
        assertThat(status(herd.app("ticker"))).isEqualTo("online");
        assertThat(r.process().isAlive()).as("an app still runs").isTrue();
        assertThat(r.terminate()).isZero();
    }

    // ---------------------------------------------------------------- PID 1

    @Test
    void asPid1OfANewPidNamespaceItReapsAnOrphanedZombieAndStopsOnSigterm() throws Exception {
        Path pids = herd.dir.resolve("orphan.txt");
        Path go = herd.dir.resolve("go");
        herd.env.put("PIDS", pids.toString());
        herd.env.put("GO", go.toString());
        Runtime r = runtime(List.of("unshare", "--pid", "--fork", "--mount-proc"),
                herd.file("zombie.sh", ZOMBIE_MAKER_SH).toString());
        awaitLine(r, false, ".* runtime: started \\(pid 1, .*");
        long orphanInside = Long.parseLong(herd.awaitLine(pids, "\\d+").strip());
        // The runtime as the host sees it: unshare's child. The orphan, alive, is its child now.
        long runtime = awaitOne(() -> r.process().children().map(ProcessHandle::pid).findFirst().orElse(0L));
        long orphan = awaitOne(() -> childWithNamespacePid(runtime, orphanInside));
        assertThat(Files.exists(Path.of("/proc", Long.toString(orphan)))).isTrue();
        Files.writeString(go, "");
        // It exits: only its parent, the runtime, can make it go from /proc (else it stays a zombie).
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (Files.exists(Path.of("/proc", Long.toString(orphan)))) {
            if (System.currentTimeMillis() > deadline) fail("the orphan " + orphan + " was never reaped; stderr:\n" + r.stderr());
            pause();
        }
        new ProcessBuilder("kill", "-TERM", Long.toString(runtime)).start().waitFor();
        assertThat(r.awaitExit()).as("exit code; stderr:\n%s", r.stderr()).isZero();
        assertThat(r.stderr()).contains("runtime: SIGTERM: stopping every app");
    }

    /** The host pid of {@code parent}'s child whose pid in its own namespace is {@code inside}, or 0. */
    private static long childWithNamespacePid(long parent, long inside) {
        return ProcessHandle.of(parent).stream().flatMap(ProcessHandle::children).mapToLong(ProcessHandle::pid)
                .filter(pid -> {
                    try {
                        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.ISO_8859_1)) {
                            if (line.startsWith("NSpid:")) return line.strip().endsWith("\t" + inside) || line.strip().endsWith(" " + inside);
                        }
                    } catch (IOException e) {
                        return false;
                    }
                    return false;
                }).findFirst().orElse(0L);
    }

    private static long awaitOne(java.util.function.LongSupplier s) {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            long v = s.getAsLong();
            if (v != 0) return v;
            pause();
        }
        throw new AssertionError("never found");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void anUnknownScriptIsOneLineOnStderrAndExitCode1() throws Exception {
        Runtime r = runtime("nope.js");
        assertThat(r.awaitExit()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).containsExactly("herd runtime: script not found: nope.js (no such file, app or command)");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void anInvalidConfigIsOneLineOnStderrAndExitCode1() throws Exception {
        herd.file("ticker.sh", Fixtures.TICKER_SH);
        Path config = herd.file("bad.json", """
                {"apps": [{"script": "ticker.sh", "max_restarts": "many"}]}
                """);
        Runtime r = runtime(config.getFileName().toString());
        assertThat(r.awaitExit()).isEqualTo(1);
        assertThat(r.stderr().lines().toList())
                .containsExactly("herd runtime: bad.json: app #1: 'max_restarts' must be a number, not \"many\"");
        assertThat(Files.exists(herd.home.resolve("logs/ticker-out.log"))).as("nothing started").isFalse();
    }

    @Test
    void aHerdHomeWhoseDaemonRunsIsRefusedInOneLine() throws Exception {
        herd.run("ping").ok();
        long daemon = herd.daemonPid();
        Runtime r = runtime(herd.file("ticker.sh", Fixtures.TICKER_SH).toString());
        assertThat(r.awaitExit()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).containsExactly("herd runtime: a manager already runs for " + herd.home
                + " (pid " + daemon + "): use another HERD_HOME, or `herd kill` it");
        assertThat(Herd.alive(daemon)).as("the daemon lives on").isTrue();
        assertThat(herd.jlist()).isEmpty();
    }

    @Test
    void aHerdHomeWhoseKeeperHoldsTheAppsOfADeadDaemonIsRefusedInOneLine() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        long app = herd.awaitStatus("ticker", "online").get("pid").asLong();
        long keeper = herd.keeperPid();
        new ProcessBuilder("kill", "-9", Long.toString(herd.daemonPid())).start().waitFor();
        Runtime r = runtime(herd.file("other.sh", Fixtures.TICKER_SH).toString());
        assertThat(r.awaitExit()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).containsExactly("herd runtime: a keeper runs for " + herd.home + " (pid "
                + keeper + ") with the apps of a daemon that is gone: `herd kill` them, or use another HERD_HOME");
        assertThat(Herd.alive(app)).as("the kept app runs on").isTrue();
        assertThat(herd.app("ticker").get("pid").asLong()).as("re-adopted by the next daemon").isEqualTo(app);
    }

    @Test
    void aHealthPortThatIsNotANumberIsRefusedBeforeAnythingStarts() throws Exception {
        Runtime r = runtime(herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--health-port", "http");
        assertThat(r.awaitExit()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).containsExactly("herd runtime: --health-port needs a port number (0-65535), not http");
        assertThat(Files.exists(herd.home)).as("HERD_HOME untouched").isFalse();
    }
}
