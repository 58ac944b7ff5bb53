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
 * {@code restart NAME --watch}, black-box: pm2's toggle of watching (lib/God/ActionMethods.js
 * toggleWatch): on, of the app's directory, when it was off; off when it was on; shown in jlist's
 * {@code watch} and the list's watching column, and acted on after the restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerWatchToggleTest {
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

    private static String watchColumn(String list) {
        return list.contains("enabled") ? "enabled" : list.contains("disabled") ? "disabled" : "?";
    }

    @Test
    void restartWatchTurnsWatchingOnAndAChangeInTheAppsDirectoryThenRestartsIt() throws Exception {
        // Its own directory: the harness writes files where it runs.
        Path cwd = Files.createDirectories(herd.dir.resolve("app"));
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--cwd", "app").ok();
        herd.awaitStatus("ticker", "online");
        assertThat(herd.app("ticker").get("pm2_env").get("watch").asBoolean()).isFalse();
        herd.run("restart", "ticker", "--watch").ok();
        JsonNode p = herd.await("ticker", "restarted", a -> restarts(a) == 1 && status(a).equals("online"));
        assertThat(p.get("pm2_env").get("watch").toString()).isEqualTo("true");
        assertThat(watchColumn(herd.run("list").ok().out())).isEqualTo("enabled");
        herd.awaitLine(herd.home.resolve("herd.log"), ".*App \\[ticker:0\\] watching .*");
        Files.writeString(cwd.resolve("config.txt"), "changed");
        JsonNode again = herd.await("ticker", "restarted by watch", a -> restarts(a) == 2 && status(a).equals("online"));
        assertThat(again.get("herd").get("last_restart_cause").asText()).isEqualTo("watch");
        herd.run("stop", "ticker").ok();
    }

    @Test
    void restartWatchOfAWatchedAppTurnsWatchingOff() throws Exception {
        Files.createDirectories(herd.dir.resolve("app").resolve("src"));
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--cwd", "app", "--watch", "src").ok();
        herd.awaitStatus("ticker", "online");
        herd.run("restart", "ticker", "--watch").ok();
        JsonNode p = herd.await("ticker", "restarted", a -> restarts(a) == 1 && status(a).equals("online"));
        assertThat(p.get("pm2_env").get("watch").toString()).isEqualTo("false");
        assertThat(watchColumn(herd.run("list").ok().out())).isEqualTo("disabled");
        // Back on: pm2's toggle watches the app's directory, the paths given at start are gone.
        herd.run("restart", "ticker", "--watch").ok();
        assertThat(herd.app("ticker").get("pm2_env").get("watch").toString()).isEqualTo("true");
        herd.run("stop", "ticker").ok();
    }

    @Test
    void watchOnAnotherVerbIsRefusedWithOneLineAndChangesNothing() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        herd.awaitStatus("ticker", "online");
        Herd.Result r = herd.run("stop", "ticker", "--watch");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).isEqualTo("herd stop: --watch applies to restart (it toggles watching)");
        JsonNode p = herd.app("ticker");
        assertThat(status(p)).isEqualTo("online");
        assertThat(p.get("pm2_env").get("watch").asBoolean()).isFalse();
        herd.run("stop", "ticker").ok();
    }
}
