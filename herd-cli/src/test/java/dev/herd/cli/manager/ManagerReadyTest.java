package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness, black-box: {@code --wait-ready} (launching until the app sends {@code ready} on its
 * IPC channel), {@code --listen-timeout} (online anyway after it), and
 * {@code shutdown_with_message} (a stop sends {@code shutdown} instead of the kill signal).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerReadyTest {
    /** Node: says it is ready once the file $GO exists (the test decides when), then idles. */
    static final String READY_WHEN_TOLD_JS = """
            const fs = require('fs');
            console.log('waiting ' + process.pid);
            const t = setInterval(() => {
              if (fs.existsSync(process.env.GO)) { clearInterval(t); process.send('ready'); console.log('sent ready'); }
            }, 20);
            setInterval(() => {}, 1000);
            """;

    /** Node: never says it is ready. */
    static final String NEVER_READY_JS = """
            console.log('up ' + process.pid);
            setInterval(() => {}, 1000);
            """;

    /** Node: ignores SIGINT; on the IPC message 'shutdown' it writes a line and exits 0. */
    static final String SHUTDOWN_JS = """
            process.on('SIGINT', () => console.log('SIGINT ignored'));
            process.on('message', m => {
              if (m === 'shutdown') { console.log('got shutdown'); process.exit(0); }
            });
            console.log('up ' + process.pid);
            setInterval(() => {}, 1000);
            """;

    /** Python: sends READY=1 to $NOTIFY_SOCKET (systemd's sd_notify) once the file $GO exists. */
    static final String NOTIFY_PY = """
            import os, socket, time
            print('waiting', os.getpid(), 'notify', os.environ.get('NOTIFY_SOCKET'), flush=True)
            while not os.path.exists(os.environ['GO']):
                time.sleep(0.02)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(b'STATUS=serving\\nREADY=1', os.environ['NOTIFY_SOCKET'])
            print('sent READY=1', flush=True)
            while True:
                time.sleep(1)
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

    @Test
    void withWaitReadyAnAppIsLaunchingUntilItSendsReadyThenOnline() throws Exception {
        Path go = herd.dir.resolve("go");
        herd.env.put("GO", go.toString());
        Path script = herd.file("app.js", READY_WHEN_TOLD_JS);
        // start answers once the app is online: run it aside and look at jlist meanwhile.
        CompletableFuture<Herd.Result> start = CompletableFuture.supplyAsync(
                () -> herd.run("start", script.toString(), "--wait-ready", "--listen-timeout", "60000"));
        JsonNode p = herd.await("app", "launching with a pid", a -> status(a).equals("launching") && a.get("pid").asLong() > 0);
        herd.awaitLine(herd.log("app-out.log"), "waiting " + p.get("pid").asLong());
        assertThat(status(herd.app("app"))).isEqualTo("launching");
        assertThat(start).isNotDone();
        Files.writeString(go, "go");
        start.get(60, TimeUnit.SECONDS).ok();
        JsonNode online = herd.app("app");
        assertThat(status(online)).isEqualTo("online");
        assertThat(online.get("pm2_env").get("wait_ready").asBoolean()).isTrue();
        assertThat(herd.managerLog()).contains("App [app:0] is ready");
        herd.run("stop", "app").ok();
    }

    @Test
    void withWaitReadyAnyProgramCanSayReadyOnNotifySocket() throws Exception {
        Path go = herd.dir.resolve("go");
        herd.env.put("GO", go.toString());
        Path script = herd.file("notifier.py", NOTIFY_PY);
        CompletableFuture<Herd.Result> start = CompletableFuture.supplyAsync(
                () -> herd.run("start", script.toString(), "--wait-ready", "--listen-timeout", "60000"));
        JsonNode p = herd.await("notifier", "launching with a pid", a -> status(a).equals("launching") && a.get("pid").asLong() > 0);
        String notify = herd.home.resolve("notify").resolve("0.sock").toString();
        herd.awaitLine(herd.log("notifier-out.log"), "waiting " + p.get("pid").asLong() + " notify " + notify);
        assertThat(status(herd.app("notifier"))).isEqualTo("launching");
        Files.writeString(go, "go");
        start.get(60, TimeUnit.SECONDS).ok();
        assertThat(status(herd.app("notifier"))).isEqualTo("online");
        assertThat(herd.managerLog()).contains("App [notifier:0] is ready").doesNotContain("listen_timeout");
        herd.run("delete", "notifier").ok();
        assertThat(Path.of(notify)).doesNotExist();
    }

    @Test
    void anAppThatNeverSaysReadyIsOnlineAfterListenTimeout() throws Exception {
        herd.run("start", herd.file("mute.js", NEVER_READY_JS).toString(), "--wait-ready", "--listen-timeout", "700").ok();
        JsonNode p = herd.app("mute");
        assertThat(status(p)).isEqualTo("online");
        assertThat(p.get("pm2_env").get("listen_timeout").asLong()).isEqualTo(700);
        assertThat(herd.managerLog()).contains("App [mute:0] did not say it is ready within 700 ms (listen_timeout): online anyway");
        herd.run("stop", "mute").ok();
    }

    @Test
    void anAppThatExitsWhileLaunchingIsRestartedAndStartAnswers() throws Exception {
        Path script = herd.file("dies.js", "console.log('dying'); setTimeout(() => process.exit(3), 200);\n");
        herd.run("start", script.toString(), "--wait-ready", "--listen-timeout", "60000", "--max-restarts", "1").ok();
        JsonNode p = herd.awaitStatus("dies", "errored");
        assertThat(p.get("pm2_env").get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void shutdownWithMessageStopsANodeAppWithTheShutdownMessageInsteadOfASignal() throws Exception {
        Path script = herd.file("polite.js", SHUTDOWN_JS);
        herd.run("start", script.toString(), "--shutdown-with-message", "--kill-timeout", "20000").ok();
        long pid = herd.awaitStatus("polite", "online").get("pid").asLong();
        herd.awaitLine(herd.log("polite-out.log"), "up " + pid);
        herd.run("stop", "polite").ok();
        assertThat(Herd.alive(pid)).isFalse();
        JsonNode p = herd.app("polite");
        assertThat(p.get("pm2_env").get("exit_code").asInt()).isZero();
        assertThat(p.get("pm2_env").get("shutdown_with_message").asBoolean()).isTrue();
        String out = Files.readString(herd.log("polite-out.log"));
        assertThat(out).contains("got shutdown").doesNotContain("SIGINT ignored");
        assertThat(herd.managerLog()).doesNotContain("still running after");
    }
}
