package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd timeline} (issue 16): every lifecycle event, with the cause of each restart and the
 * last lines before a crash, kept across the daemon's restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerTimelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** {@code herd timeline ARGS --json}, parsed. */
    private List<JsonNode> timeline(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("timeline"));
        all.addAll(List.of(args));
        all.add("--json");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : JSON.readTree(herd.run(all.toArray(String[]::new)).ok().out())) out.add(e);
        return out;
    }

    /** Polls the timeline until an event satisfies {@code test}, with a deadline; returns it. */
    private JsonNode awaitEvent(String what, Predicate<JsonNode> test) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        List<JsonNode> last = List.of();
        while (System.currentTimeMillis() < deadline) {
            last = timeline();
            for (JsonNode e : last) if (test.test(e)) return e;
        }
        throw new AssertionError("no " + what + " in " + last);
    }

    @Test
    void aCrashIsRecordedWithItsCodeItsLastLogLinesAndTheRestartsCause() throws Exception {
        Path script = herd.file("crash.sh", "#!/bin/sh\nfor i in $(seq 1 25); do echo \"line $i\"; done\nsleep 0.3\nexit 3\n");
        herd.run("start", script.toString(), "--name", "crash", "--max-restarts", "1").ok();
        herd.awaitStatus("crash", "errored");
        // Both crashes' exits (each recorded with its last lines a moment after it).
        long deadline = System.currentTimeMillis() + 30_000;
        while (timeline("crash").stream().filter(e -> e.get("event").asText().equals("exit") && e.has("last_lines")).count() < 2) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not two crash exits: " + timeline("crash"));
        }
        JsonNode exit = awaitEvent("crash exit", e -> e.get("event").asText().equals("exit") && e.has("last_lines"));
        assertThat(exit.get("code").asInt()).isEqualTo(3);
        assertThat(exit.get("stopping").asBoolean()).isFalse();
        List<String> lines = new ArrayList<>();
        exit.get("last_lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines).hasSize(20).last().asString().endsWith("line 25");
        List<String> kinds = new ArrayList<>();
        for (JsonNode e : timeline("crash")) kinds.add(e.get("event").asText() + (e.has("cause") ? ":" + e.get("cause").asText() : ""));
        assertThat(kinds).containsSubsequence("start:start", "exit", "restart:crash", "start:crash", "exit", "errored");
    }

    @Test
    void aMemoryLimitRestartIsRecordedWithItsCause() throws Exception {
        Path grow = herd.file("grow.js", """
                const hog = [];
                setInterval(() => { if (hog.length < 40) hog.push(Buffer.alloc(5 << 20, 1)); }, 100);
                """);
        herd.run("start", grow.toString(), "--name", "grow", "--max-memory-restart", "60M").ok();
        JsonNode r = awaitEvent("a memory restart", e -> e.get("event").asText().equals("restart")
                && e.get("cause").asText().equals("memory"));
        assertThat(r.get("detail").asText()).isNotBlank();
        assertThat(r.get("name").asText()).isEqualTo("grow");
    }

    @Test
    void aFailedReloadIsRecordedWithItsReason() throws Exception {
        int port = Requests.freePort();
        Path server = herd.file("server.js", """
                const fs = require('fs');
                if (fs.existsSync(__dirname + '/crash')) process.exit(3);
                require('http').createServer((q, s) => s.end(String(process.pid))).listen(Number(process.argv[2]));
                """);
        herd.run("start", server.toString(), "--name", "web", "-i", "2", "--", Integer.toString(port)).ok();
        herd.await("web", "listened", p -> herd.jlist().stream().allMatch(q -> q.get("herd").get("listened").asBoolean()));
        Files.writeString(herd.dir.resolve("crash"), "");
        assertThat(herd.run("reload", "web").code()).isNotZero();
        List<JsonNode> reloads = timeline("web").stream().filter(e -> e.get("event").asText().equals("reload")).toList();
        assertThat(reloads).hasSize(2); // one per instance
        for (JsonNode e : reloads) {
            assertThat(e.get("ok").asBoolean()).isFalse();
            assertThat(e.get("error").asText()).contains("exited with code 3");
        }
    }

    @Test
    void theTimelineSurvivesTheDaemonsDeathAndSaysTheAppWasAdopted() throws Exception {
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString(), "--name", "idle").ok();
        herd.awaitStatus("idle", "online");
        long daemon = herd.daemonPid();
        new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
        assertThat(Herd.awaitGone(daemon, 5000)).isTrue();
        List<String> kinds = new ArrayList<>();
        for (JsonNode e : timeline("idle")) kinds.add(e.get("event").asText());
        assertThat(kinds).containsSubsequence("start", "adopt");
    }

    @Test
    void sinceKeepsTheNewerEventsAndADeletedAppsEventsStay() throws Exception {
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString(), "--name", "idle").ok();
        herd.awaitStatus("idle", "online");
        herd.run("delete", "idle").ok();
        List<String> kinds = new ArrayList<>();
        for (JsonNode e : timeline("idle")) kinds.add(e.get("event").asText());
        assertThat(kinds).containsSubsequence("start", "delete", "exit");
        assertThat(timeline("idle", "--since", "2099-01-01")).isEmpty();
        assertThat(timeline("idle", "--since", "1h")).hasSameSizeAs(kinds);
        String text = herd.run("timeline", "idle").ok().out();
        assertThat(text).contains("idle:0  start").contains("idle:0  delete");
    }

    @Test
    void aSinceThatIsNoTimeIsRefusedWithTheFormsItTakes() {
        Herd.Result r = herd.run("timeline", "--since", "yesterday");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--since takes a time").contains("'yesterday'");
    }
}
