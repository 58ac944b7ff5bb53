package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's death costs the apps nothing: after {@code kill -9} of the daemon the apps keep
 * running and logging, and the next command's daemon re-adopts them from the keeper and
 * state.json. Also: the logs get whole lines from a program printing fast.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerReadoptionTest {
    @TempDir
    Path tmp;

    private Herd herd;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    @Test
    void afterKill9OfTheDaemonTheNextCommandReadoptsTheAppsWithTheirPidsCountersAndEveryLogLine() throws Exception {
        herd.run("start", herd.file("counter.sh", Fixtures.COUNTER_SH).toString()).ok();
        herd.run("restart", "counter").ok();
        JsonNode before = herd.awaitStatus("counter", "online");
        long pid = before.get("pid").asLong();
        long daemon = herd.daemonPid();
        long keeper = herd.keeperPid();
        awaitCurrentRun(herd.log("counter-out.log"), 20);

        new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
        assertThat(Herd.awaitGone(daemon, 5000)).isTrue();
        // The app logs on while no daemon runs.
        awaitCurrentRun(herd.log("counter-out.log"), 200);

        JsonNode after = herd.app("counter");
        assertThat(herd.daemonPid()).isNotEqualTo(daemon);
        assertThat(herd.keeperPid()).isEqualTo(keeper);
        assertThat(after.get("pid").asLong()).isEqualTo(pid);
        assertThat(status(after)).isEqualTo("online");
        assertThat(restarts(after)).isEqualTo(1);
        assertThat(after.get("pm2_env").get("unique_id").asText()).isEqualTo(before.get("pm2_env").get("unique_id").asText());
        assertThat(herd.managerLog()).contains("App [counter:0] re-adopted (pid " + pid + ")");

        herd.run("stop", "counter").ok();
        List<String> lines = Files.readAllLines(herd.log("counter-out.log"));
        int first = lines.lastIndexOf("n 0"); // the run after the restart
        List<String> run = lines.subList(first, lines.size());
        for (int i = 0; i < run.size(); i++) assertThat(run.get(i)).isEqualTo("n " + i);
        assertThat(run.size()).isGreaterThan(200);
    }

    @Test
    void anHttpAppServesEveryRequestWhileTheDaemonIsKilledAndReadopted() throws Exception {
        Path script = herd.file("server.js", """
                const http = require('http');
                http.createServer((req, res) => res.end('ok ' + process.pid))
                    .listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });
                """);
        herd.run("start", script.toString(), "--name", "web").ok();
        long pid = herd.awaitStatus("web", "online").get("pid").asLong();
        String text = herd.awaitLine(herd.log("web-out.log"), "port \\d+");
        int port = Integer.parseInt(text.lines().filter(l -> l.startsWith("port ")).findFirst().orElseThrow().substring(5));
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
                while (running.get()) {
                    try {
                        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200 && r.body().equals("ok " + pid)) ok.incrementAndGet();
                        else failure(failed, firstFailure, r.statusCode() + " " + r.body());
                    } catch (IOException e) {
                        failure(failed, firstFailure, e.toString());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "load");
        load.start();
        try {
            awaitMore(ok, 50);
            long daemon = herd.daemonPid();
            new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
            assertThat(Herd.awaitGone(daemon, 5000)).isTrue();
            awaitMore(ok, 50); // served with no daemon
            JsonNode after = herd.app("web"); // the next command starts a daemon that re-adopts the app
            assertThat(herd.daemonPid()).isNotEqualTo(daemon);
            assertThat(after.get("pid").asLong()).isEqualTo(pid);
            assertThat(status(after)).isEqualTo("online");
            awaitMore(ok, 50);
        } finally {
            running.set(false);
            load.join(30_000);
        }
        assertThat(failed.get()).as("failed requests, the first: %s", firstFailure.get()).isZero();
        assertThat(restarts(herd.app("web"))).isZero();
    }

    private static void failure(AtomicInteger failed, AtomicReference<String> first, String what) {
        failed.incrementAndGet();
        first.compareAndSet(null, what);
    }

    /** Waits (with a deadline) until {@code count} has grown by {@code n}. */
    private static void awaitMore(AtomicInteger count, int n) throws InterruptedException {
        int target = count.get() + n;
        long deadline = System.currentTimeMillis() + 30_000;
        while (count.get() < target) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("only " + count.get() + " of " + target + " requests served");
            Thread.sleep(10);
        }
    }

    /**
     * Waits until the counter's current run (from its last "n 0") has printed "n {@code n}": the
     * run before a restart may have got that far already on a slow machine.
     */
    private static void awaitCurrentRun(Path log, int n) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            int first = lines.lastIndexOf("n 0");
            if (first >= 0 && lines.size() - first > n) return;
            Thread.sleep(20);
        }
        throw new AssertionError("the counter's current run did not reach n " + n + " in " + log);
    }

    @Test
    void anAppThatExitsWhileNoDaemonRunsIsHandledWhenTheDaemonComesBack() throws Exception {
        Path trigger = herd.dir.resolve("trigger");
        herd.env.put("TRIGGER", trigger.toString());
        Path script = herd.file("waiter.sh", "#!/bin/bash\nwhile [ ! -f \"$TRIGGER\" ]; do sleep 0.05; done\nexit 7\n");
        herd.run("start", script.toString(), "--no-autorestart").ok();
        long pid = herd.awaitStatus("waiter", "online").get("pid").asLong();
        long daemon = herd.daemonPid();
        new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
        assertThat(Herd.awaitGone(daemon, 5000)).isTrue();
        Files.writeString(trigger, "go");
        assertThat(Herd.awaitGone(pid, 5000)).isTrue();
        JsonNode p = herd.app("waiter");
        assertThat(status(p)).isEqualTo("one-launch-status");
        assertThat(p.get("pm2_env").get("exit_code").asInt()).isEqualTo(7);
        assertThat(p.get("pid").asLong()).isZero();
    }

    @Test
    void whenTheKeeperDiesTheDaemonStartsANewOneAndRestartsTheAppsThatWereOnline() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        long keeper = herd.keeperPid();
        new ProcessBuilder("kill", "-9", Long.toString(keeper)).start().waitFor();
        assertThat(Herd.awaitGone(keeper, 5000)).isTrue();
        JsonNode p = herd.await("ticker", "restarted under a new keeper",
                a -> restarts(a) == 1 && status(a).equals("online") && a.get("pid").asLong() != pid);
        assertThat(Herd.awaitGone(pid, 5000)).as("the old process is killed").isTrue();
        assertThat(herd.keeperPid()).isNotEqualTo(keeper);
        herd.awaitLine(herd.log("ticker-out.log"), "out 3 pid " + p.get("pid").asLong());
    }

    @Test
    void aProgramPrintingFastGetsEveryLineWholeInItsLogFile() throws Exception {
        int n = 100_000;
        herd.env.put("N", Integer.toString(n));
        herd.run("start", herd.file("flood.js", Fixtures.FLOOD_JS).toString()).ok();
        herd.awaitLine(herd.log("flood-out.log"), "done");
        List<String> lines = Files.readAllLines(herd.log("flood-out.log"));
        assertThat(lines).hasSize(n + 1);
        String pad = "x".repeat(80);
        for (int i = 0; i < n; i++) assertThat(lines.get(i)).isEqualTo(String.format("line %08d %s", i, pad));
    }
}
