package dev.herd.node.internal.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/** What the manager API's tests share: running a program, an orphan to watch, who we are. */
final class ManagerTests {
    private ManagerTests() {}

    /** Runs {@code main} in a Herd environment on the test thread and expects exit code 0. */
    static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    /**
     * Makes a process this one is not the parent of, and gives its pid once its parent is gone:
     * a shell starts {@code sleep} in the background and exits, so the sleep is orphaned and
     * adopted (by init, or by the nearest subreaper above it).
     */
    static void orphan(IntConsumer pid) {
        ChildProcess sh = ChildProcesses.spawn("/bin/sh", List.of("-c", "sleep 30 >/dev/null 2>&1 </dev/null & echo $!"),
                SpawnOptions.builder().stdio("pipe").build());
        StringBuilder out = new StringBuilder();
        sh.stdout().setEncoding("utf8");
        sh.stdout().on("data", a -> out.append(a[0]));
        sh.on("close", a -> pid.accept(Integer.parseInt(out.toString().trim())));
    }

    /** The parent pid of {@code pid}, from /proc. */
    static int parentOf(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    /** This process's effective uid or gid ({@code "Uid"} or {@code "Gid"}), from /proc/self/status. */
    static int effectiveId(String which) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(which + ":")) return Integer.parseInt(line.split("\\s+")[2]);
        }
        throw new AssertionError("no " + which + " in /proc/self/status");
    }
}
