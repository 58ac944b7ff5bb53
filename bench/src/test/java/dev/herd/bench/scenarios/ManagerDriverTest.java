package dev.herd.bench.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The /proc readings the manager-* scenarios sum over the manager's processes. */
@Timeout(30)
class ManagerDriverTest {
    @Test
    void aRunningProcessHasResidentMemoryAndCpuTime() {
        int self = (int) ProcessHandle.current().pid();
        assertThat(ManagerDriver.rssMib(self)).isGreaterThan(1);
        assertThat(ManagerDriver.cpuS(self)).isPositive();
    }

    @Test
    void aProcessThatIsGoneReadsAsZero() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        int pid = (int) p.pid();
        assertThat(ManagerDriver.rssMib(pid)).isZero();
        assertThat(ManagerDriver.cpuS(pid)).isZero();
        assertThat(ManagerDriver.gone(pid)).isTrue();
    }

    @Test
    void aLiveProcessIsNotGone() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            assertThat(ManagerDriver.gone((int) p.pid())).isFalse();
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.descendants().count()).isZero();
    }
}
