package dev.herd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker-threads example, run as {@code ./herd example worker-threads} runs it: its own JVM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerThreadsExampleTest {
    private record Result(int code, String out) {}

    private static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), WorkerThreads.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void theWorkerGreetsAndTwoWorkersCountExactly() throws Exception {
        Result r = run("ada", "20000");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).containsPattern("main thread got: Hello world!ada \\(from worker \\d+\\)")
                .contains("2 workers x 20000 Atomics.add on one shared Int32: 40000 (expected 40000)");
    }

    @Test
    void aBadCountPrintsUsageAndExits2() throws Exception {
        Result r = run("ada", "many");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).contains("usage: ./herd example worker-threads");
    }
}
