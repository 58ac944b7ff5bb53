package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart triggers, black-box: the memory limit ({@code --max-memory-restart}), file changes
 * ({@code --watch}, {@code --ignore-watch}, {@code --watch-delay}) and cron times
 * ({@code --cron-restart}); each restart's cause in jlist ({@code herd.last_restart_cause}) and
 * herd.log; bad values refused with one line and nothing started.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerTriggersTest {
    /** Python: grows its memory by 4 MiB every 50 ms up to 400 MiB, then sleeps. */
    static final String GROWER_PY = """
            import os, time
            print('grower', os.getpid(), flush=True)
            hoard = []
            while True:
                if len(hoard) < 100:
                    hoard.append(bytearray(os.urandom(4 << 20)))
                time.sleep(0.05)
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

    private static String cause(JsonNode p) {
        return p.get("herd").get("last_restart_cause").asText();
    }

    @Test
    void anAppWhoseTreeGrowsPastMaxMemoryRestartIsRestartedWithCauseMemory() throws Exception {
        herd.run("start", herd.file("grower.py", GROWER_PY).toString(), "--max-memory-restart", "60M").ok();
        JsonNode p = herd.await("grower", "restarted for memory", a -> restarts(a) >= 1 && status(a).equals("online"));
        assertThat(cause(p)).isEqualTo("memory");
        assertThat(p.get("pm2_env").get("max_memory_restart").asLong()).isEqualTo(60L << 20);
        assertThat(p.get("pm2_env").get("unstable_restarts").asInt()).isZero();
        assertThat(herd.managerLog()).containsPattern("App \\[grower:0\\] restarting \\(cause memory: memory [0-9.]+ MiB over the limit 60.0 MiB\\)");
        herd.run("stop", "grower").ok();
    }

    @Test
    void aCrashIsRecordedAsTheCauseOfTheRestart() throws Exception {
        // Crashes once (after min_uptime), then runs: the manual restart's cause stays the last.
        Path script = herd.file("late.sh", "#!/bin/bash\nif [ ! -e crashed ]; then touch crashed; sleep 0.3; exit 2; fi\n"
                + "while true; do sleep 0.2; done\n");
        herd.run("start", script.toString(), "--min-uptime", "100").ok();
        JsonNode p = herd.await("late", "restarted", a -> restarts(a) >= 1);
        assertThat(cause(p)).isEqualTo("crash");
        assertThat(herd.managerLog()).contains("App [late:0] restarting (cause crash)");
        herd.run("restart", "late").ok();
        assertThat(cause(herd.app("late"))).isEqualTo("manual");
        herd.run("stop", "late").ok();
    }

    @Test
    void aBadMaxMemoryRestartIsRefusedWithOneLineAndStartsNothing() throws Exception {
        Herd.Result r = herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--max-memory-restart", "lots");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("max_memory_restart").contains("lots");
        assertThat(herd.jlist()).isEmpty();
        herd.run("ping").ok();
    }

    @Test
    void aChangedFileRestartsTheAppOnceWithCauseWatch() throws Exception {
        Path src = Files.createDirectories(herd.dir.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "1");
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--watch", "src").ok();
        JsonNode before = herd.awaitStatus("ticker", "online");
        assertThat(before.get("pm2_env").get("watch").toString()).isEqualTo("[\"src\"]");
        assertThat(herd.run("list").ok().out()).contains("enabled");
        awaitWatching("ticker");
        Files.writeString(src.resolve("a.txt"), "2");
        JsonNode p = herd.await("ticker", "restarted by watch", a -> restarts(a) == 1 && status(a).equals("online"));
        assertThat(cause(p)).isEqualTo("watch");
        assertThat(p.get("pid").asLong()).isNotEqualTo(before.get("pid").asLong());
        assertThat(herd.managerLog()).contains("App [ticker:0] restarting (cause watch: change of src/a.txt)");
        herd.run("stop", "ticker").ok();
    }

    @Test
    void aChangeToAnIgnoredPathDoesNotRestartTheApp() throws Exception {
        Path src = Files.createDirectories(herd.dir.resolve("src"));
        Files.createDirectories(src.resolve("logs"));
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--watch", "src",
                "--ignore-watch", "src/logs *.tmp").ok();
        herd.awaitStatus("ticker", "online");
        awaitWatching("ticker");
        Files.writeString(src.resolve("logs").resolve("x.log"), "ignored");
        Files.writeString(herd.dir.resolve("y.tmp"), "ignored");
        // A change that counts, after the ignored ones: the one restart comes from it alone.
        Files.writeString(src.resolve("b.txt"), "counts");
        JsonNode p = herd.await("ticker", "restarted by watch", a -> restarts(a) >= 1 && status(a).equals("online"));
        assertThat(restarts(p)).isEqualTo(1);
        String log = herd.managerLog();
        assertThat(log).contains("change of src/b.txt)").doesNotContain("x.log").doesNotContain("y.tmp");
        herd.run("stop", "ticker").ok();
    }

    @Test
    void severalQuickChangesWithinTheWatchDelayMakeOneRestart() throws Exception {
        Path src = Files.createDirectories(herd.dir.resolve("src"));
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--watch", "src", "--watch-delay", "1000").ok();
        herd.awaitStatus("ticker", "online");
        awaitWatching("ticker");
        for (int i = 0; i < 5; i++) Files.writeString(src.resolve("f" + i + ".txt"), "x");
        JsonNode p = herd.await("ticker", "restarted by watch", a -> restarts(a) >= 1 && status(a).equals("online"));
        assertThat(restarts(p)).isEqualTo(1);
        assertThat(herd.managerLog()).containsOnlyOnce("restarting (cause watch");
        herd.run("stop", "ticker").ok();
    }

    @Test
    void aStoppedAppIsNotWatched() throws Exception {
        Path src = Files.createDirectories(herd.dir.resolve("src"));
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--watch", "src").ok();
        herd.awaitStatus("ticker", "online");
        awaitWatching("ticker");
        herd.run("stop", "ticker").ok();
        Files.writeString(src.resolve("a.txt"), "after the stop");
        // Start another watched app on the same directory: its restart proves the change was seen.
        herd.run("start", herd.file("other.sh", Fixtures.TICKER_SH).toString(), "--watch", "src").ok();
        herd.awaitStatus("other", "online");
        awaitWatching("other");
        Files.writeString(src.resolve("b.txt"), "seen");
        herd.await("other", "restarted by watch", a -> restarts(a) == 1);
        JsonNode p = herd.app("ticker");
        assertThat(status(p)).isEqualTo("stopped");
        assertThat(restarts(p)).isZero();
        herd.run("stop", "other").ok();
    }

    @Test
    void aWatchPathThatDoesNotExistIsRefused() throws Exception {
        Herd.Result r = herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--watch", "nowhere");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).isEqualTo("herd start: --watch: no such file or directory: nowhere");
    }

    @Test
    void aCronExpressionOfEverySecondRestartsTheAppAgainAndAgain() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--cron-restart", "* * * * * *").ok();
        JsonNode p = herd.await("ticker", "restarted twice by cron", a -> restarts(a) >= 2);
        assertThat(cause(p)).isEqualTo("cron");
        assertThat(p.get("pm2_env").get("cron_restart").asText()).isEqualTo("* * * * * *");
        assertThat(herd.managerLog()).contains("App [ticker:0] restarting (cause cron: cron * * * * * *)");
        herd.run("stop", "ticker").ok();
    }

    @Test
    void cronDoesNotStartAStoppedApp() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--cron-restart", "* * * * * *").ok();
        herd.await("ticker", "restarted by cron", a -> restarts(a) >= 1);
        herd.run("stop", "ticker").ok();
        int after = restarts(herd.app("ticker"));
        // A second app on the same schedule: once it has restarted twice, the first one had its chances.
        herd.run("start", herd.file("other.sh", Fixtures.TICKER_SH).toString(), "--cron-restart", "* * * * * *").ok();
        herd.await("other", "restarted twice by cron", a -> restarts(a) >= 2);
        JsonNode p = herd.app("ticker");
        assertThat(status(p)).isEqualTo("stopped");
        assertThat(restarts(p)).isEqualTo(after);
        herd.run("stop", "other").ok();
    }

    @Test
    void aBadCronExpressionIsRefusedWithOneLineAndStartsNothing() throws Exception {
        Herd.Result r = herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--cron-restart", "61 * * * *");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("cron_restart").contains("61");
        assertThat(herd.jlist()).isEmpty();
    }

    @Test
    void aReadoptedAppIsWatchedAgainByTheNextDaemon() throws Exception {
        Path src = Files.createDirectories(herd.dir.resolve("src"));
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--watch", "src").ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        awaitWatching("ticker");
        long daemon = herd.daemonPid();
        new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
        assertThat(Herd.awaitGone(daemon, 5000)).isTrue();
        JsonNode readopted = herd.app("ticker"); // starts a new daemon, which re-adopts the app
        assertThat(readopted.get("pid").asLong()).isEqualTo(pid);
        herd.awaitLine(herd.home.resolve("herd.log"), ".*App \\[ticker:0\\] re-adopted .*");
        String log = herd.managerLog();
        assertThat(log.substring(log.indexOf("re-adopted"))).contains("App [ticker:0] watching");
        Files.writeString(src.resolve("a.txt"), "changed");
        JsonNode p = herd.await("ticker", "restarted by watch", x -> restarts(x) == 1 && status(x).equals("online"));
        assertThat(cause(p)).isEqualTo("watch");
        herd.run("stop", "ticker").ok();
    }

    /** Waits until herd.log says the app's watcher runs (it starts once the app is online). */
    private void awaitWatching(String name) {
        herd.awaitLine(herd.home.resolve("herd.log"), ".*App \\[" + name + ":\\d+\\] watching .*");
    }
}
