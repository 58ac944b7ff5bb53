package dev.herd.node;

import static dev.herd.node.Globals.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.ErrnoException;
import java.util.concurrent.atomic.AtomicReference;
import dev.herd.os.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The process object's properties and methods (test-process-*.js). */
@ExtendWith(FdLeakCheck.class)
class ProcessObjectTest {
    private void run(Herd.Main main) {
        int code = Herd.call(new String[] {"a1", "a2"}, main);
        assertThat(code).isZero();
    }

    @Test
    void pidAndPpidAreThisProcesssIds() {
        run(a -> {
            assertThat(process().pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(process().ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        });
    }

    @Test
    void argvStartsWithJavaAndMainThenTheArguments() {
        run(a -> {
            assertThat(process().argv().get(0)).endsWith("java");
            assertThat(process().argv().subList(2, 4)).containsExactly("a1", "a2");
            assertThat(a).containsExactly("a1", "a2");
            assertThat(process().execArgv()).anyMatch(s -> s.startsWith("--enable-native-access"));
        });
    }

    @Test
    void platformArchAndVersionUseNodesNames() {
        run(a -> {
            assertThat(process().platform()).isEqualTo("linux");
            assertThat(process().arch()).isIn("x64", "arm64");
            assertThat(process().version()).startsWith("v");
            assertThat(process().versions()).containsKeys("herd", "java");
        });
    }

    @Test
    void envIsAMutableCopyOfTheEnvironment() {
        run(a -> {
            assertThat(process().env()).containsEntry("PATH", System.getenv("PATH"));
            process().env().put("HERD_TEST_VAR", "1");
            assertThat(System.getenv("HERD_TEST_VAR")).isNull();
        });
    }

    @Test
    void cwdAndChdirChangeTheProcessDirectory() {
        run(a -> {
            String before = process().cwd();
            try {
                process().chdir("/tmp");
                assertThat(process().cwd()).isEqualTo("/tmp");
            } finally {
                process().chdir(before);
            }
            assertThat(process().cwd()).isEqualTo(before);
        });
    }

    @Test
    void chdirToAMissingDirectoryThrowsENOENT() {
        run(a -> assertThatThrownBy(() -> process().chdir("/no/such/dir"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("ENOENT");
                    assertThat(e.syscall()).isEqualTo("chdir");
                }));
    }

    @Test
    void hrtimeIsMonotonicAndDiffsAgainstAPreviousValue() {
        run(a -> {
            long[] t0 = process().hrtime();
            long b0 = process().hrtimeBigint();
            long[] d = process().hrtime(t0);
            assertThat(d[0]).isGreaterThanOrEqualTo(0);
            assertThat(d[1]).isBetween(0L, 999_999_999L);
            assertThat(process().hrtimeBigint()).isGreaterThanOrEqualTo(b0);
            assertThatThrownBy(() -> process().hrtime(new long[] {1})).isInstanceOf(IllegalArgumentException.class);
        });
    }

    @Test
    void uptimeGrows() {
        run(a -> {
            double u = process().uptime();
            assertThat(u).isGreaterThanOrEqualTo(0);
        });
    }

    @Test
    void memoryUsageReportsRssAndHeap() {
        run(a -> {
            NodeProcess.MemoryUsage m = process().memoryUsage();
            assertThat(m.rss()).isGreaterThan(1_000_000);
            assertThat(m.heapUsed()).isPositive().isLessThanOrEqualTo(m.heapTotal());
        });
    }

    @Test
    void cpuUsageGrowsWithWork() {
        run(a -> {
            NodeProcess.CpuUsage before = process().cpuUsage();
            long x = 0;
            long end = System.nanoTime() + 50_000_000;
            while (System.nanoTime() < end) x += System.nanoTime() % 7;
            NodeProcess.CpuUsage diff = process().cpuUsage(before);
            assertThat(diff.user() + diff.system()).as("cpu µs, spin result %d", x).isGreaterThan(10_000);
        });
    }

    @Test
    void killWithSignalZeroChecksThatAProcessExists() {
        run(a -> {
            assertThat(process().kill(process().pid(), 0)).isTrue();
            assertThatThrownBy(() -> process().kill(Integer.MAX_VALUE - 1, 0))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.code()).isEqualTo("ESRCH");
                        assertThat(e.syscall()).isEqualTo("kill");
                    });
        });
    }

    @Test
    void killWithAnUnknownSignalNameThrowsErrUnknownSignal() {
        run(a -> assertThatThrownBy(() -> process().kill(process().pid(), "SIGNOPE"))
                .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_UNKNOWN_SIGNAL")));
    }

    @Test
    void signalListenerReceivesTheSignalOnTheLoopThread() {
        AtomicReference<String> got = new AtomicReference<>();
        Thread[] loopThread = {null};
        run(a -> {
            loopThread[0] = Thread.currentThread();
            process().on("SIGUSR2", x -> {
                got.set(x[0] + " on " + (Thread.currentThread() == loopThread[0] ? "loop" : "other"));
                process().removeAllListeners("SIGUSR2");
            });
            // The signal handle is unref'd, as in Node: keep the process alive until it arrives.
            Timeout keepAlive = Globals.setTimeout(() -> {}, 10_000);
            process().on("SIGUSR2", x -> Globals.clearTimeout(keepAlive));
            process().kill(process().pid(), "SIGUSR2");
        });
        assertThat(got.get()).isEqualTo("SIGUSR2 on loop");
    }

    @Test
    void signalListenerAloneDoesNotKeepTheProcessAlive() {
        long t0 = System.nanoTime();
        run(a -> process().on("SIGWINCH", x -> {}));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void emitWarningEmitsAWarningEvent() {
        run(a -> {
            Object[][] seen = new Object[1][];
            process().on("warning", x -> seen[0] = x);
            process().emitWarning("careful", "DeprecationWarning");
            assertThat(seen[0]).containsExactly("DeprecationWarning", "careful");
        });
    }
}
