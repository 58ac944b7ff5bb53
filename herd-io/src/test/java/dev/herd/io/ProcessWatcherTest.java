package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Proc;
import dev.herd.os.Signals;
import dev.herd.os.TestSpawn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Watching a process by pid: its exit on the loop through a pidfd, with its status when it is this
 * process's child (and then reaped or not, as asked), without one when it is not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessWatcherTest extends IoTestBase {
    /** What exit callbacks reported: "status/signal". */
    private final List<String> exits = new ArrayList<>();

    private ProcessWatcher watch(int pid, boolean reap) {
        ProcessWatcher w = new ProcessWatcher(loop);
        w.start(pid, reap, (watcher, status, signal) -> {
            exits.add(status + "/" + signal);
            watcher.close();
        });
        return w;
    }

    /**
     * A process this JVM did not spawn and is not the parent of: a shell (a JDK child) starts
     * {@code sleep} in the background and exits, so the sleep is orphaned and adopted by init.
     */
    private static int orphan() throws IOException, InterruptedException {
        java.lang.Process sh = new ProcessBuilder("/bin/sh", "-c", "sleep 30 >/dev/null 2>&1 </dev/null & echo $!")
                .redirectErrorStream(true).start();
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(sh.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Integer.parseInt(out);
    }

    @Test
    void theExitOfAProcessThatIsNotOurChildArrivesWithoutAStatus() throws Exception {
        int pid = orphan();
        ProcessWatcher w = watch(pid, true);
        assertThat(w.pid()).isEqualTo(pid);
        assertThat(w.isActive()).isTrue();
        w.kill(Signals.SIGTERM); // through its pidfd
        runToCompletion();
        // Its parent (init) gets the status; waitid on its pidfd gives us ECHILD.
        assertThat(exits).containsExactly(-Errno.ECHILD.number() + "/0");
        assertThat(w.hasExited()).isTrue();
    }

    @Test
    void aChildsStatusArrivesAndWithReapItIsReaped() {
        int pid = TestSpawn.sh("exit 3");
        watch(pid, true);
        runToCompletion();
        assertThat(exits).containsExactly("3/0");
        assertThatThrownBy(() -> Proc.waitid(Proc.P_PID, pid, Proc.WEXITED | Proc.WNOHANG))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("ECHILD"));
    }

    @Test
    void withoutReapAChildsStatusArrivesAndTheChildIsLeftToItsReaper() {
        int pid = TestSpawn.sh("exec sleep 30");
        ProcessWatcher w = watch(pid, false);
        w.kill(Signals.SIGKILL);
        runToCompletion();
        assertThat(exits).containsExactly("0/" + Signals.SIGKILL);
        // Still waitable: the test reaps it, and finds the same status.
        assertThat(Proc.waitid(Proc.P_PID, pid, Proc.WEXITED).signalCode()).isEqualTo("SIGKILL");
    }

    @Test
    void watchingAProcessThatIsGoneFailsWithESRCH() throws Exception {
        java.lang.Process gone = new ProcessBuilder("/bin/true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue(); // and reaped by the JDK
        ProcessWatcher w = new ProcessWatcher(loop);
        assertThatThrownBy(() -> w.start((int) gone.pid(), false, (x, s, sig) -> { }))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("ESRCH");
                    assertThat(e.syscall()).isEqualTo("pidfd_open");
                });
        assertThat(w.isActive()).isFalse();
        w.close();
    }

    @Test
    void anUnreferencedWatcherDoesNotKeepTheLoopAliveAndCloseStopsIt() throws Exception {
        int pid = orphan();
        ProcessWatcher w = watch(pid, false);
        w.unref();
        assertThat(loop.isAlive()).isFalse();
        w.kill(Signals.SIGKILL);
        w.close();
        runToCompletion();
        assertThat(exits).isEmpty();
        assertThatThrownBy(() -> w.kill(0)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("ESRCH"));
    }
}
