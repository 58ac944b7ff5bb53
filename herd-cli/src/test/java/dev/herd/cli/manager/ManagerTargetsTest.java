package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets (id, name, namespace, {@code all}, {@code /regex/}), {@code restart}, {@code reset},
 * smart start, {@code -f}, {@code describe}, {@code env}, {@code sendSignal} and
 * {@code prettylist}, black-box.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerTargetsTest {
    @TempDir
    Path tmp;

    private Herd herd;
    private Path ticker;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
        ticker = herd.file("ticker.sh", Fixtures.TICKER_SH);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    private Map<String, String> statuses() {
        Map<String, String> m = new TreeMap<>();
        for (JsonNode p : herd.jlist()) m.put(p.get("name").asText(), status(p));
        return m;
    }

    private void startThree() {
        herd.run("start", ticker.toString(), "--name", "api-1", "--namespace", "api").ok();
        herd.run("start", ticker.toString(), "--name", "api-2", "--namespace", "api").ok();
        herd.run("start", ticker.toString(), "--name", "worker", "--namespace", "jobs").ok();
    }

    @Test
    void listSortsByNameOrIdInEitherDirection() {
        startThree();
        herd.run("stop", "worker").ok(); // the table comes from the daemon: it must still see every app
        assertThat(names(herd.run("list", "--sort", "name:desc").ok().out())).containsExactly("worker", "api-2", "api-1");
        assertThat(names(herd.run("ls", "--sort=id").ok().out())).containsExactly("api-1", "api-2", "worker");
        assertThat(names(herd.run("status", "--sort", "id:desc").ok().out())).containsExactly("worker", "api-2", "api-1");
    }

    @Test
    void listRefusesAnUnknownSortWithOneLine() {
        startThree();
        Herd.Result r = herd.run("list", "--sort", "memory");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("herd list: --sort takes name or id[:asc|:desc]\n");
        assertThat(names(herd.run("list").ok().out())).containsExactly("api-1", "api-2", "worker");
    }

    /** The names in the rows of a {@code list} table, top to bottom. */
    private static List<String> names(String table) {
        return table.lines().filter(l -> l.matches("│ \\d+ +│.*")).map(l -> l.split("│")[2].strip()).toList();
    }

    @Test
    void aRegexTargetActsOnTheAppsWhoseNamesMatch() {
        startThree();
        herd.run("stop", "/^api-/").ok();
        assertThat(statuses()).isEqualTo(Map.of("api-1", "stopped", "api-2", "stopped", "worker", "online"));
    }

    @Test
    void aNamespaceTargetActsOnEveryAppInIt() {
        startThree();
        herd.run("restart", "api").ok();
        for (JsonNode p : herd.jlist()) {
            assertThat(restarts(p)).as(p.get("name").asText()).isEqualTo(p.get("name").asText().startsWith("api") ? 1 : 0);
            assertThat(status(p)).isEqualTo("online");
        }
    }

    @Test
    void anIdAndAllTargetTheAppsTheyName() {
        startThree();
        herd.run("stop", "1").ok();
        assertThat(statuses()).isEqualTo(Map.of("api-1", "online", "api-2", "stopped", "worker", "online"));
        herd.run("delete", "all").ok();
        assertThat(herd.jlist()).isEmpty();
    }

    @Test
    void resetSetsTheCountersBackToZero() {
        herd.run("start", ticker.toString()).ok();
        herd.run("restart", "ticker").ok();
        assertThat(restarts(herd.app("ticker"))).isEqualTo(1);
        herd.run("reset", "ticker").ok();
        assertThat(restarts(herd.app("ticker"))).isZero();
    }

    @Test
    void startOfAnAppNameStartsItWhenStoppedAndRestartsItWhenRunning() {
        herd.run("start", ticker.toString()).ok();
        herd.run("stop", "ticker").ok();
        herd.run("start", "ticker").ok();
        JsonNode p = herd.app("ticker");
        assertThat(status(p)).isEqualTo("online");
        long pid = p.get("pid").asLong();
        herd.run("start", "ticker").ok();
        p = herd.app("ticker");
        assertThat(p.get("pid").asLong()).isNotEqualTo(pid);
        assertThat(restarts(p)).isEqualTo(1);
        assertThat(herd.jlist()).hasSize(1);
    }

    @Test
    void startingTheSameScriptTwiceIsRefusedWithoutForce() {
        herd.run("start", ticker.toString()).ok();
        Herd.Result again = herd.run("start", ticker.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("script already launched").contains("-f");
        assertThat(herd.jlist()).hasSize(1);
        herd.run("start", ticker.toString(), "-f").ok();
        List<JsonNode> list = herd.jlist();
        assertThat(list).hasSize(2);
        assertThat(list).allMatch(p -> status(p).equals("online"));
    }

    @Test
    void describeEnvAndPrettylistShowTheApp() throws Exception {
        herd.env.put("GREETING", "hello");
        herd.run("start", ticker.toString(), "--", "one", "two").ok();
        String describe = herd.run("describe", "ticker").ok().out();
        assertThat(describe).contains("Describing process with id 0 - name ticker").contains("│ status").contains("online")
                .contains("[one, two]");
        assertThat(herd.run("show", "0").ok().out()).isNotEmpty();
        String env = herd.run("env", "0").ok().out();
        assertThat(env.lines()).contains("GREETING: hello", "pm_id: 0", "name: ticker");
        JsonNode pretty = new ObjectMapper().readTree(herd.run("prettylist").ok().out());
        assertThat(pretty.get(0).get("name").asText()).isEqualTo("ticker");
        assertThat(pretty.get(0).get("pm2_env").get("args").toString()).isEqualTo("[\"one\",\"two\"]");
    }

    @Test
    void sendSignalDeliversTheSignalToTheApp() throws Exception {
        Path script = herd.file("usr1.sh", "#!/bin/bash\ntrap 'echo got usr1' USR1\necho ready\nwhile true; do sleep 0.05; done\n");
        herd.run("start", script.toString()).ok();
        herd.awaitLine(herd.log("usr1-out.log"), "ready");
        herd.run("sendSignal", "SIGUSR1", "usr1").ok();
        herd.awaitLine(herd.log("usr1-out.log"), "got usr1");
        Herd.Result bad = herd.run("sendSignal", "SIGNOPE", "usr1");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("herd sendSignal: unknown signal SIGNOPE\n");
    }
}
