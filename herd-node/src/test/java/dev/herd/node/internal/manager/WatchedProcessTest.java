package dev.herd.node.internal.manager;

import static dev.herd.node.internal.manager.ManagerTests.orphan;
import static dev.herd.node.internal.manager.ManagerTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.NodeError;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Watching processes this one did not spawn. The exit status of an adopted process (this one a
 * subreaper) is SubreaperTest's: becoming a subreaper changes the whole JVM, so it runs in one of
 * its own.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchedProcessTest {
    @Test
    void theExitOfAProcessItDidNotSpawnComesWithoutAStatus() {
        List<Object> got = new ArrayList<>();
        run(a -> orphan(pid -> {
            WatchedProcess w = WatchedProcess.watch(pid, true);
            got.add(w.pid() == pid);
            w.on("exit", x -> {
                got.add(x[0]);
                got.add(x[1]);
                got.add(w.exited());
            });
            w.kill("SIGTERM");
        }));
        // Its parent (init here) is told how it ended, not us.
        assertThat(got).containsExactly(true, null, null, true);
    }

    @Test
    void anUnknownSignalIsERR_UNKNOWN_SIGNALAndAClosedWatchCannotKill() {
        List<Object> got = new ArrayList<>();
        run(a -> orphan(pid -> {
            WatchedProcess w = WatchedProcess.watch(pid, false);
            assertThatThrownBy(() -> w.kill("SIGNOPE")).isInstanceOfSatisfying(NodeError.class,
                    e -> got.add(e.code()));
            w.kill("SIGKILL");
            w.on("exit", x -> got.add("exit"));
            w.close(); // no 'exit' after this
            assertThatThrownBy(() -> w.kill("SIGTERM")).isInstanceOfSatisfying(ErrnoException.class,
                    e -> got.add(e.code()));
        }));
        assertThat(got).containsExactly("ERR_UNKNOWN_SIGNAL", "ESRCH");
    }

    @Test
    void watchingAProcessThatIsGoneIsESRCH() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.spawn("/bin/true", List.of(), SpawnOptions.builder().stdio("ignore").build());
            child.on("exit", x -> {
                // Reaped by its handle just now: there is no process with that pid any more.
                try {
                    WatchedProcess.watch(child.pid(), false);
                } catch (ErrnoException e) {
                    got.add(e.code() + " " + e.syscall());
                }
            });
        });
        assertThat(got).containsExactly("ESRCH pidfd_open");
    }
}
