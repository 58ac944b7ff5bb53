package dev.herd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fork-node example: a Herd parent forks a Node script, relays stdin lines, prints its messages. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForkNodeExampleTest {
    @TempDir
    Path dir;

    private String run(List<String> exampleArgs, String stdin) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ForkNode.class.getName()));
        cmd.addAll(exampleArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return Files.readString(dir.resolve("out.txt"));
    }

    @Test
    void linesGoToTheNodeChildAndItsMessagesArePrinted() throws Exception {
        Path script = dir.resolve("echo.js");
        Files.writeString(script, "process.on('message', (m) => process.send({ got: m }));\n");
        String out = run(List.of(script.toString()), "{\"a\":1}\nhello world\n");
        assertThat(out).contains("message: {\"got\":{\"a\":1}}\n", "message: {\"got\":\"hello world\"}\n",
                "child exited (code 0, signal null)");
    }

    @Test
    void advancedModeCarriesWhatJsonCannot() throws Exception {
        Path script = dir.resolve("big.js");
        Files.writeString(script, "process.on('message', (m) => process.send({ got: m, big: 2n ** 64n }));\n");
        String out = run(List.of("--advanced", script.toString()), "1\n");
        assertThat(out).contains("message: {got=1, big=18446744073709551616}");
    }

    @Test
    void withoutAScriptItPrintsUsageAndExits2() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), ForkNode.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("usage: ./herd example fork-node");
    }
}
