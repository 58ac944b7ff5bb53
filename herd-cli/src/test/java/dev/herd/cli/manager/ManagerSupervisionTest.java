package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Supervision, black-box: restarts after a crash, a crash loop ending {@code errored}, restart
 * delay and exponential back-off, stop exit codes, {@code --no-autorestart}, and graceful stop of
 * a program that ignores SIGINT and SIGTERM and of one whose children left its process group.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerSupervisionTest {
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
    void anAppThatCrashesAfterMinUptimeIsRestartedAndCountedAsStable() throws Exception {
        Path script = herd.file("late.sh", "#!/bin/bash\necho \"up $$\"\nsleep 0.3\nexit 1\n");
        herd.run("start", script.toString(), "--min-uptime", "100").ok();
        JsonNode p = herd.await("late", "restarted twice", a -> restarts(a) >= 2);
        assertThat(p.get("pm2_env").get("unstable_restarts").asInt()).isZero();
        assertThat(p.get("pm2_env").get("exit_code").asInt()).isEqualTo(1);
        herd.run("stop", "late").ok();
    }

    @Test
    void aCrashLoopEndsErroredAfterMaxRestarts() throws Exception {
        herd.run("start", herd.file("crash.sh", Fixtures.CRASH_SH).toString(), "--max-restarts", "3").ok();
        JsonNode p = herd.awaitStatus("crash", "errored");
        assertThat(restarts(p)).isEqualTo(3);
        assertThat(p.get("pm2_env").get("exit_code").asInt()).isEqualTo(1);
        assertThat(p.get("pid").asLong()).isZero();
        assertThat(Files.readString(herd.log("crash-out.log")).lines().filter(l -> l.startsWith("crash ")).count()).isEqualTo(4);
    }

    @Test
    void aCrashLoopUnderExponentialBackOffStillEndsErroredAfterDelaysGrowingByHalf() throws Exception {
        herd.run("start", herd.file("crash.sh", Fixtures.CRASH_SH).toString(), "--max-restarts", "3",
                "--exp-backoff-restart-delay", "100").ok();
        JsonNode p = herd.awaitStatus("crash", "errored");
        assertThat(restarts(p)).isEqualTo(3);
        // 100, 150, 225 ms: pm2's x1.5 from the given delay.
        assertThat(p.get("pm2_env").get("prev_restart_delay").asLong()).isEqualTo(225);
    }

    @Test
    void aRestartDelayKeepsTheAppWaitingRestartThenStartsItAgain() throws Exception {
        Path script = herd.file("late.sh", "#!/bin/bash\nsleep 0.2\nexit 1\n");
        herd.run("start", script.toString(), "--min-uptime", "100", "--restart-delay", "2500").ok();
        JsonNode waiting = herd.awaitStatus("late", "waiting restart");
        assertThat(restarts(waiting)).isZero();
        assertThat(waiting.get("herd").get("restart_due_at").asLong()).isPositive();
        herd.await("late", "restarted", a -> restarts(a) == 1);
        herd.run("stop", "late").ok();
    }

    @Test
    void anExitCodeListedInStopExitCodesEndsTheAppWithoutRestart() throws Exception {
        herd.env.put("CODE", "3");
        herd.run("start", herd.file("crash.sh", Fixtures.CRASH_SH).toString(), "--stop-exit-codes", "0", "3").ok();
        JsonNode p = herd.awaitStatus("crash", "stopped");
        assertThat(restarts(p)).isZero();
        assertThat(p.get("pm2_env").get("exit_code").asInt()).isEqualTo(3);
        assertThat(p.get("pm2_env").get("stop_exit_codes").toString()).isEqualTo("[0,3]");
    }

    @Test
    void noAutorestartLeavesAnExitedAppInOneLaunchStatus() throws Exception {
        herd.run("start", herd.file("crash.sh", Fixtures.CRASH_SH).toString(), "--no-autorestart").ok();
        JsonNode p = herd.awaitStatus("crash", "one-launch-status");
        assertThat(restarts(p)).isZero();
        assertThat(p.get("pm2_env").get("autorestart").asBoolean()).isFalse();
    }

    @Test
    void stopOfAProgramThatIgnoresSigintAndSigtermKillsItAfterKillTimeoutAndReturnsAfter() throws Exception {
        herd.run("start", herd.file("stubborn.sh", Fixtures.STUBBORN_SH).toString(), "--kill-timeout", "500").ok();
        long pid = herd.awaitStatus("stubborn", "online").get("pid").asLong();
        herd.awaitLine(herd.log("stubborn-out.log"), "stubborn " + pid);
        herd.run("stop", "stubborn").ok();
        assertThat(Herd.alive(pid)).as("stop returns once the app is gone").isFalse();
        JsonNode p = herd.app("stubborn");
        assertThat(status(p)).isEqualTo("stopped");
        assertThat(p.get("herd").get("exit_signal").asText()).isEqualTo("SIGKILL");
        assertThat(herd.managerLog()).contains("still running after 500 ms: SIGKILL to its tree");
    }

    @Test
    void stopEndsEveryGrandchildAlsoOneInASessionOfItsOwn() throws Exception {
        Path pids = herd.dir.resolve("pids.txt");
        herd.env.put("PIDS", pids.toString());
        herd.run("start", herd.file("forker.sh", Fixtures.FORKER_SH).toString()).ok();
        long pid = herd.awaitStatus("forker", "online").get("pid").asLong();
        String text = herd.awaitLine(pids, "ready");
        List<Long> grandchildren = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("child ") || line.startsWith("setsid ")) grandchildren.add(Long.parseLong(line.split(" ")[1]));
        }
        assertThat(grandchildren).hasSize(2);
        grandchildren.forEach(herd::track);
        for (long g : grandchildren) assertThat(Herd.alive(g)).isTrue();
        herd.run("stop", "forker").ok();
        assertThat(Herd.alive(pid)).isFalse();
        for (long g : grandchildren) assertThat(Herd.awaitGone(g, 2000)).as("grandchild %d", g).isTrue();
    }
}
