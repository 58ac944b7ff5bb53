package dev.herd.node.internal.manager;

import static dev.herd.node.Globals.process;
import static dev.herd.node.internal.manager.ManagerTests.orphan;
import static dev.herd.node.internal.manager.ManagerTests.parentOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.ChildJvm;
import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.os.FdLeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A subreaper adopts its orphaned descendants, and a watch of an adopted process gets its exit
 * status and reaps it. In a JVM of its own ({@link AdoptingMain}): the attribute is the whole
 * process's and lasts until it exits.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SubreaperTest {
    @Test
    void aSubreaperAdoptsAnOrphanAndItsWatchGetsTheStatusAndReapsIt() throws Exception {
        ChildJvm.Result r = ChildJvm.run(AdoptingMain.class);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines()).containsExactly("subreaper before: false", "subreaper: true", "adopted: true",
                "exit: null SIGTERM", "reaped: true");
    }

    /** Becomes a subreaper, makes an orphan, watches and kills it, and prints what it saw. */
    public static final class AdoptingMain {
        private AdoptingMain() {}

        /**
         * Runs the helper.
         *
         * @param args none
         */
        public static void main(String[] args) {
            Herd.run(args, argv -> {
                System.out.println("subreaper before: " + Subreaper.isSubreaper());
                Subreaper.become();
                System.out.println("subreaper: " + Subreaper.isSubreaper());
                orphan(pid -> {
                    try {
                        System.out.println("adopted: " + (parentOf(pid) == process().pid()));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    WatchedProcess w = WatchedProcess.watch(pid, true);
                    w.on("exit", x -> {
                        System.out.println("exit: " + x[0] + " " + x[1]);
                        // Reaped: no zombie is left behind under /proc.
                        System.out.println("reaped: " + !Files.exists(Path.of("/proc/" + pid)));
                    });
                    w.kill("SIGTERM");
                });
            });
        }
    }
}
