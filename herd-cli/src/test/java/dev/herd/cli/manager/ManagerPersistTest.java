package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apps across the manager's own life: {@code save} and {@code resurrect} (with a corrupt dump
 * and its backup), {@code update} (a new daemon, the same app processes), and {@code startup}'s
 * systemd unit checked by {@code systemd-analyze verify}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerPersistTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Prints its argument, an environment variable and its pid, then ticks. */
    private static final String ECHO_SH = """
            #!/bin/bash
            echo "args $* foo $FOO pid $$"
            while true; do echo "tick $$"; sleep 0.1; done
            """;

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

    private Path dump() {
        return herd.home.resolve("dump.herd");
    }

    @Test
    void saveThenKillThenResurrectRestoresTheAppsWithTheirNamespacesEnvironmentsAndArguments() throws Exception {
        Path script = herd.file("echo.sh", ECHO_SH);
        herd.env.put("FOO", "first");
        herd.run("start", script.toString(), "--name", "api", "--namespace", "backend", "--", "one", "two").ok();
        herd.env.put("FOO", "second");
        herd.run("start", script.toString(), "--name", "worker", "-f").ok();
        herd.awaitStatus("api", "online");
        herd.awaitStatus("worker", "online");
        Herd.Result saved = herd.run("save").ok();
        assertThat(saved.out()).contains("saved 2 apps to " + dump());
        herd.run("kill").ok();
        herd.env.put("FOO", "not-the-saved-one");

        Herd.Result r = herd.run("resurrect").ok();

        assertThat(r.out()).contains("restored api (online)", "restored worker (online)");
        JsonNode api = herd.awaitStatus("api", "online");
        JsonNode worker = herd.awaitStatus("worker", "online");
        assertThat(api.get("pm2_env").get("namespace").asText()).isEqualTo("backend");
        assertThat(worker.get("pm2_env").get("namespace").asText()).isEqualTo("default");
        assertThat(api.get("pm2_env").get("args").toString()).isEqualTo("[\"one\",\"two\"]");
        assertThat(api.get("pm2_env").get("env").get("FOO").asText()).isEqualTo("first");
        assertThat(worker.get("pm2_env").get("env").get("FOO").asText()).isEqualTo("second");
        herd.awaitLine(herd.log("api-out.log"), "args one two foo first pid " + api.get("pid").asLong());
        herd.awaitLine(herd.log("worker-out.log"), "args  foo second pid " + worker.get("pid").asLong());
    }

    @Test
    void anAppSavedStoppedIsRestoredStopped() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        herd.run("stop", "ticker").ok();
        herd.run("save").ok();
        herd.run("kill").ok();

        herd.run("resurrect").ok();

        JsonNode p = herd.app("ticker");
        assertThat(status(p)).isEqualTo("stopped");
        assertThat(p.get("pid").asLong()).isZero();
        herd.run("start", "ticker").ok();
        herd.awaitStatus("ticker", "online");
    }

    @Test
    void resurrectDoesNotStartASecondCopyOfAnAppTheDaemonReadoptedAfterKill9() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        herd.run("save").ok();
        long daemon = herd.daemonPid();
        new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
        assertThat(Herd.awaitGone(daemon, 5000)).isTrue();

        Herd.Result r = herd.run("resurrect").ok();

        assertThat(r.out()).contains("kept ticker: already managed");
        List<JsonNode> list = herd.jlist();
        assertThat(list).hasSize(1);
        assertThat(list.getFirst().get("pid").asLong()).isEqualTo(pid);
        assertThat(status(list.getFirst())).isEqualTo("online");
    }

    @Test
    void aCorruptDumpFallsBackToThePreviousSaveWithAWarning() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        herd.run("save").ok();
        herd.run("start", herd.file("echo.sh", ECHO_SH).toString()).ok();
        Herd.Result second = herd.run("save").ok();
        assertThat(second.out()).contains("the previous dump is dump.herd.bak");
        herd.run("kill").ok();
        Files.writeString(dump(), "{\"version\": 1, \"apps\": [{"); // cut short, as a crash mid-write could not

        Herd.Result r = herd.run("resurrect").ok();

        assertThat(r.err().strip()).startsWith("herd resurrect: warning: " + dump() + " cannot be used (not JSON: ")
                .endsWith("; using dump.herd.bak");
        List<JsonNode> list = herd.jlist();
        assertThat(list).extracting(p -> p.get("name").asText()).containsExactly("ticker");
        herd.awaitStatus("ticker", "online");
    }

    @Test
    void whenTheDumpAndItsBackupAreBothCorruptResurrectFailsAndStartsNothing() throws Exception {
        herd.run("ping").ok();
        Files.writeString(dump(), "not json");
        Files.writeString(herd.home.resolve("dump.herd.bak"), "{\"version\": 1, \"apps\": 3}");

        Herd.Result r = herd.run("resurrect");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines().toList()).hasSize(1);
        assertThat(r.err().strip())
                .startsWith("herd resurrect: no usable dump, nothing started: dump.herd: not JSON")
                .contains("dump.herd.bak: 'apps' is not an array");
        assertThat(herd.jlist()).isEmpty();
        herd.run("ping").ok(); // the daemon lives
    }

    @Test
    void aDumpWhoseAppTheDaemonRefusesStartsNothingAndTheBackupIsUsed() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        herd.run("save").ok();
        herd.run("save").ok(); // the backup holds the ticker too
        herd.run("kill").ok();
        String text = Files.readString(dump()).replace("\"kill_timeout\": 1600", "\"kill_timeout\": -5");
        Files.writeString(dump(), text);

        Herd.Result r = herd.run("resurrect").ok();

        assertThat(r.err().strip()).contains("'kill_timeout' must not be negative").endsWith("; using dump.herd.bak");
        assertThat(herd.jlist()).hasSize(1);
        herd.awaitStatus("ticker", "online");
    }

    @Test
    void saveRefusesToReplaceADumpOfAppsWithAnEmptyListUnlessForced() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        herd.run("save").ok();
        herd.run("delete", "all").ok();
        String before = Files.readString(dump());

        Herd.Result refused = herd.run("save");

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err().strip()).isEqualTo("herd save: no app to save, and " + dump()
                + " holds 1 apps: not overwritten (herd save --force saves the empty list)");
        assertThat(Files.readString(dump())).isEqualTo(before);
        herd.run("save", "--force").ok();
        assertThat(JSON.readTree(Files.readString(dump())).get("apps")).isEmpty();
        assertThat(Files.readString(herd.home.resolve("dump.herd.bak"))).isEqualTo(before);
    }

    @Test
    void cleardumpLeavesAnEmptyDumpAndKeepsTheOldOneAsTheBackup() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        herd.run("save").ok();
        String saved = Files.readString(dump());

        herd.run("cleardump").ok();

        assertThat(JSON.readTree(Files.readString(dump())).get("apps")).isEmpty();
        assertThat(Files.readString(herd.home.resolve("dump.herd.bak"))).isEqualTo(saved);
        herd.run("kill").ok();
        assertThat(herd.run("resurrect").ok().out()).contains("restored 0 apps");
        assertThat(herd.jlist()).isEmpty();
    }

    @Test
    void resurrectWithNothingSavedStartsTheDaemonAndSaysSo() {
        Herd.Result r = herd.run("resurrect").ok();

        assertThat(r.out()).contains("nothing to resurrect: no " + dump());
        assertThat(Herd.alive(herd.daemonPid())).isTrue();
    }

    @Test
    void updateReplacesTheDaemonWhileTheAppKeepsItsProcessItsCountersAndItsLog() throws Exception {
        herd.run("start", herd.file("counter.sh", Fixtures.COUNTER_SH).toString()).ok();
        herd.run("restart", "counter").ok();
        JsonNode before = herd.awaitStatus("counter", "online");
        long daemon = herd.daemonPid();
        long keeper = herd.keeperPid();

        Herd.Result r = herd.run("update").ok();

        assertThat(Herd.awaitGone(daemon, 5000)).as("the old daemon exited").isTrue();
        long newDaemon = herd.daemonPid();
        assertThat(newDaemon).isNotEqualTo(daemon);
        assertThat(r.out()).contains("daemon replaced: pid " + daemon + " -> " + newDaemon);
        JsonNode after = herd.app("counter");
        assertThat(after.get("pid").asLong()).isEqualTo(before.get("pid").asLong());
        assertThat(restarts(after)).isEqualTo(1);
        assertThat(status(after)).isEqualTo("online");
        assertThat(herd.keeperPid()).isEqualTo(keeper);
        assertThat(herd.managerLog()).contains("update: exiting for a new daemon")
                .contains("App [counter:0] re-adopted (pid " + before.get("pid").asLong() + ")");
        // It logs on: a line written after the update.
        long lines = Files.readAllLines(herd.log("counter-out.log")).size();
        herd.await("counter", "logged after the update", p -> {
            try {
                return Files.readAllLines(herd.log("counter-out.log")).size() > lines + 20;
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void startupWritesASystemdUnitThatSystemdAnalyzeVerifyAccepts() throws Exception {
        Path units = tmp.resolve("units");
        herd.env.put("HERD_SYSTEMD_DIR", units.toString());

        Herd.Result r = herd.run("startup", "systemd", "--service-name", "herd-test").ok();

        Path unit = units.resolve("herd-test.service");
        assertThat(r.out()).contains("wrote " + unit).contains("not enabled: systemd is not running here");
        String text = Files.readString(unit);
        assertThat(text).contains("Type=forking\n", "PIDFile=" + herd.home.resolve("daemon.pid") + "\n",
                "KillMode=process\n", "Environment=HERD_HOME=" + herd.home + "\n");
        String launcher = text.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
                .substring("ExecStart=".length());
        assertThat(launcher).endsWith(" resurrect");
        assertThat(Path.of(launcher.substring(0, launcher.length() - " resurrect".length()))).isAbsolute().isExecutable();
        String herdPath = launcher.substring(0, launcher.length() - " resurrect".length());
        assertThat(text).contains("ExecReload=" + herdPath + " update\n",
                "ExecStop=/bin/sh -c 'if [ -n \"$$MAINPID\" ]; then exec " + herdPath + " kill; fi'\n");
        Process verify = new ProcessBuilder("systemd-analyze", "verify", "--man=no", unit.toString())
                .redirectErrorStream(true).start();
        String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as("systemd-analyze verify: %s", said).isZero();
        assertThat(said).as("systemd-analyze's warnings").isEmpty();
    }

    @Test
    void startupForAnotherUserRunsAsThatUserWithTheManagerInItsHome() throws Exception {
        Path units = tmp.resolve("units");
        herd.env.put("HERD_SYSTEMD_DIR", units.toString());

        herd.run("startup", "-u", "nobody").ok();

        String text = Files.readString(units.resolve("herd-nobody.service"));
        assertThat(text).contains("User=nobody\n", "Environment=HERD_HOME=/nonexistent/.herd\n",
                "PIDFile=/nonexistent/.herd/daemon.pid\n");
    }

    @Test
    void startupWithHpPutsTheManagerInThatHome() throws Exception {
        Path units = tmp.resolve("units");
        herd.env.put("HERD_SYSTEMD_DIR", units.toString());

        herd.run("startup", "systemd", "--hp", "/srv/app").ok();

        String text = Files.readString(units.resolve("herd-" + System.getProperty("user.name") + ".service"));
        assertThat(text).contains("Environment=HERD_HOME=/srv/app/.herd\n", "PIDFile=/srv/app/.herd/daemon.pid\n");
    }

    @Test
    void unstartupRemovesTheUnit() throws Exception {
        Path units = tmp.resolve("units");
        herd.env.put("HERD_SYSTEMD_DIR", units.toString());
        herd.run("startup", "--user", System.getProperty("user.name")).ok();
        Path unit = units.resolve("herd-" + System.getProperty("user.name") + ".service");
        assertThat(unit).exists();

        Herd.Result r = herd.run("unstartup", "systemd");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("removed " + unit);
        assertThat(unit).doesNotExist();
        Herd.Result again = herd.run("unstartup");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err().strip()).isEqualTo("herd unstartup: no unit " + unit + " (herd startup writes it)");
    }

    @Test
    void startupForAnotherInitSystemIsRefusedAndWritesNothing() {
        Path units = tmp.resolve("units");
        herd.env.put("HERD_SYSTEMD_DIR", units.toString());

        Herd.Result r = herd.run("startup", "upstart");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd startup: only systemd is supported, not upstart (herd startup [systemd])");
        assertThat(units).doesNotExist();
    }
}
