package dev.herd.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The process-tree variant of {@link IdleRss} (cluster-rss). */
@Timeout(60)
class IdleRssTreeTest {
    /** A shell with two sleeping children: a tree of 3 processes, idle so that their RSS stays put. */
    private static Process threeProcesses() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "sleep 30 & sleep 30 & wait").start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.descendants().count() < 2) {
            if (System.nanoTime() > deadline) throw new AssertionError("the shell did not start its children");
            Thread.sleep(10);
        }
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void treeRssSumsTheRootAndEveryDescendant() throws Exception {
        Process p = threeProcesses();
        try {
            IdleRss.TreeRss tree = IdleRss.treeRssKib(p.toHandle());
            assertThat(tree.processes()).isEqualTo(3);
            assertThat(tree.perProcessKib()).hasSize(3).allSatisfy(kib -> assertThat(kib).isPositive());
            assertThat(tree.kib()).isEqualTo(tree.perProcessKib().stream().mapToLong(Long::longValue).sum());
        } finally {
            stop(p);
        }
    }

    @Test
    void aProcessWithoutChildrenIsATreeOfOne() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            IdleRss.TreeRss tree = IdleRss.treeRssKib(p.toHandle());
            assertThat(tree.processes()).isEqualTo(1);
            assertThat(tree.kib()).isPositive().isEqualTo(tree.perProcessKib().getFirst());
        } finally {
            stop(p);
        }
    }

    @Test
    void aStatusWithoutVmRssIsNoReading() {
        // A zombie's /proc/PID/status has no memory lines.
        assertThat(IdleRss.vmRssKibOrNull("Name:\tsleep\nState:\tZ (zombie)\nPid:\t42\n")).isNull();
        assertThatThrownBy(() -> IdleRss.vmRssKib("Name:\tsleep\nState:\tZ (zombie)\n"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTreeOfNoProcessesIsRejected() {
        assertThatThrownBy(() -> IdleRss.processTree("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ProgramRun run(Load load) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                FakeServer.class.getName(), "hello");
        return ServerRun.run("fake tree", command, Path.of("").toAbsolutePath(), load, List.of("0", "5"),
                Duration.ofSeconds(30));
    }

    @Test
    void theTreeLoadReportsTotalsWhenTheTreeHasTheExpectedSize() {
        ProgramRun run = run(IdleRss.processTree("hello world\n", 1));
        assertThat(run.failures()).isEmpty();
        assertThat(run.metrics()).containsOnlyKeys("total_rss_mib", "total_pss_mib", "total_rss_after_load_mib");
        assertThat(run.metrics().get("total_pss_mib")).isPositive().isLessThanOrEqualTo(run.metrics().get("total_rss_mib"));
        assertThat(run.metrics().get("total_rss_mib")).isBetween(1.0, 4096.0);
    }

    @Test
    void aTreeOfTheWrongSizeFailsTheCheck() {
        ProgramRun run = run(IdleRss.processTree("hello world\n", 3));
        assertThat(run.failures()).first().asString()
                .isEqualTo("CHECK processes failed: the server's tree had 1 processes fresh, expected 3");
    }

    @Test
    void pssIsReadFromSmapsRollup() {
        assertThat(IdleRss.pssKib("55f2-7ffc ---p 00000000 00:00 0 [rollup]\nRss:   1728 kB\nPss:    285 kB\nPss_Dirty: 112 kB\n"))
                .isEqualTo(285);
    }

    @Test
    void aTreesPssIsNoMoreThanItsRssAndPositive() throws java.io.IOException {
        long pss = IdleRss.treePssKib(ProcessHandle.current());
        assertThat(pss).isPositive().isLessThanOrEqualTo(IdleRss.treeRssKib(ProcessHandle.current()).kib());
    }
}
