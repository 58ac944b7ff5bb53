package dev.herd.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ServerRunTest {
    private static List<String> fake(String mode) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                FakeServer.class.getName(), mode);
    }

    private static ProgramRun run(String mode, Load load, List<String> args, Duration timeout) {
        return ServerRun.run("fake " + mode, fake(mode), Path.of("").toAbsolutePath(), load, args, timeout);
    }

    @Test
    void idleRssMeasuresAListeningServerAndChecksItsAnswers() {
        ProgramRun run = run("hello", new IdleRss("hello world\n"), List.of("0", "20"), Duration.ofSeconds(30));
        assertThat(run.failures()).isEmpty();
        assertThat(run.metrics()).containsOnlyKeys("rss_mib", "rss_after_load_mib");
        assertThat(run.metrics().get("rss_mib")).isBetween(1.0, 4096.0);
    }

    @Test
    void aWrongBodyFailsTheCheck() {
        ProgramRun run = run("hello", new IdleRss("goodbye\n"), List.of("0", "3"), Duration.ofSeconds(30));
        assertThat(run.failures()).singleElement().asString()
                .startsWith("CHECK responses failed: request 1: body \"hello world\\n\", expected \"goodbye\\n\"");
    }

    @Test
    void aServerThatExitsBeforeListeningFails() {
        ProgramRun run = run("crash", new IdleRss("x"), List.of("0", "1"), Duration.ofSeconds(30));
        assertThat(run.failures()).containsExactly("the server exited with code 3 before printing a listening line");
        assertThat(run.metrics()).isEmpty();
    }

    @Test
    void aServerThatNeverSaysListeningFailsAfterTheTimeout() {
        ProgramRun run = run("silent", new IdleRss("x"), List.of("0", "1"), Duration.ofSeconds(2));
        assertThat(run.failures()).containsExactly("the server printed no line containing \"listening\" within 2 s");
    }

    @Test
    void aServerThatDiesDuringTheLoadFails() {
        ProgramRun run = run("dies", new IdleRss("hello world\n"), List.of("1", "1"), Duration.ofSeconds(30));
        assertThat(run.failures()).anyMatch(f -> f.equals("the server exited with code 4 during the load"));
    }

    @Test
    void badLoadArgumentsFailTheRun() {
        ProgramRun run = run("hello", new IdleRss("hello world\n"), List.of("0"), Duration.ofSeconds(30));
        assertThat(run.failures()).singleElement().asString().startsWith("bad arguments [0]: takes 2 arguments");
    }

    @Test
    void vmRssIsReadInKib() {
        assertThat(IdleRss.vmRssKib("Name:\tjava\nVmPeak:\t 100 kB\nVmRSS:\t   43584 kB\nRssAnon:\t 7208 kB\n"))
                .isEqualTo(43584);
    }
}
