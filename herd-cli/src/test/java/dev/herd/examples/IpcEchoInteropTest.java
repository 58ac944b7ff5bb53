package dev.herd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real Node parent forks the ipc-echo example (a Herd JVM) with {@code child_process.fork} and
 * checks messages and handles both ways, in both serialization modes: Herd as a Node child.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IpcEchoInteropTest {
    @TempDir
    Path dir;

    private record Outcome(List<JsonNode> checks, JsonNode exit, String stderr) {}

    private Outcome runParent(String mode, String scenario) throws IOException, InterruptedException {
        Path script = dir.resolve("fork-herd-parent.js");
        try (InputStream in = getClass().getResourceAsStream("/interop/fork-herd-parent.js")) {
            Files.write(script, in.readAllBytes());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("node", script.toString(), mode, java, System.getProperty("java.class.path"), scenario)
                .redirectError(dir.resolve("stderr.txt").toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .start();
        p.getOutputStream().close();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        String out = Files.readString(dir.resolve("stdout.txt"));
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertThat(finished).as("node parent finished; stdout: %s; stderr: %s", out, err).isTrue();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> checks = new ArrayList<>();
        JsonNode exit = null;
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            JsonNode n = json.readTree(line);
            if (n.has("exit")) exit = n;
            else checks.add(n);
        }
        assertThat(p.exitValue()).as("node parent exit code; stderr: %s", err).isZero();
        return new Outcome(checks, exit, err);
    }

    private static void assertAllOk(Outcome o, int expectedChecks) {
        assertThat(o.checks()).as("stderr: %s", o.stderr()).hasSize(expectedChecks);
        for (JsonNode c : o.checks()) {
            assertThat(c.get("ok").asBoolean()).as("%s: %s", c.get("check"), c.get("detail")).isTrue();
        }
        assertThat(o.exit()).as("the child's exit").isNotNull();
        assertThat(o.exit().get("exit").asInt()).as("the child exits 0 on disconnect; stderr: %s", o.stderr()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "advanced"})
    void everyValueComesBackEqualFromAHerdChild(String mode) throws Exception {
        assertAllOk(runParent(mode, "echo"), mode.equals("json") ? 14 : 14 + 18);
    }

    @Test
    void aHundredThousandMessagesComeBackInOrder() throws Exception {
        assertAllOk(runParent("json", "order"), 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "advanced"})
    void aServerPassedByNodeIsServedByTheHerdChild(String mode) throws Exception {
        assertAllOk(runParent(mode, "server"), 4);
    }

    @Test
    void aSocketPassedByNodeIsAnsweredByTheHerdChild() throws Exception {
        assertAllOk(runParent("json", "socket"), 2);
    }
}
