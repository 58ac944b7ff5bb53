package dev.herd.node;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.os.FdLeakCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Herd program (Herd.run) without a listener for SIGTERM, SIGINT or SIGHUP ends by the signal,
 * as a Node process does, so that its parent sees the signal and not the JVM's exit code 128 + n;
 * with a listener the signal is an event; a signal inherited as ignored stays ignored.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DefaultSignalActionTest {
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"));

    /** The child: prints "ready" and idles for a minute; with "listen", SIGTERM is an event that ends it with 7. */
    public static final class IdleMain {
        public static void main(String[] args) {
            Herd.run(args, argv -> {
                if (argv.length > 0 && argv[0].equals("listen")) {
                    process().on("SIGTERM", a -> process().exit(7));
                }
                setTimeout(() -> { }, 60_000);
                System.out.println("ready");
            });
        }
    }

    /** Starts {@code command}, sends {@code signal} once it printed "ready" (SIGKILL 3 s later if it is still there); gives "code signal". */
    private static String exitAfter(List<String> command, String signal) {
        List<String> result = new ArrayList<>();
        Herd.call(new String[0], a -> {
            ChildProcess child = ChildProcesses.spawn(command.getFirst(), command.subList(1, command.size()),
                    SpawnOptions.builder().stdio(List.of("ignore", "pipe", "inherit")).build());
            child.stdout().setEncoding("utf8");
            child.stdout().on("data", d -> {
                if (((String) d[0]).contains("ready")) {
                    child.kill(signal);
                    setTimeout(() -> child.kill("SIGKILL"), 3000).unref();
                }
            });
            child.on("exit", x -> result.add(x[0] + " " + x[1]));
        });
        return result.isEmpty() ? "no exit" : result.getFirst();
    }

    private static List<String> idle(String... args) {
        List<String> c = new ArrayList<>();
        c.add(JAVA);
        c.addAll(JVM);
        c.add(IdleMain.class.getName());
        c.addAll(List.of(args));
        return c;
    }

    @Test
    void sigtermWithoutAListenerEndsTheProgramByTheSignal() {
        assertThat(exitAfter(idle(), "SIGTERM")).isEqualTo("null SIGTERM");
    }

    @Test
    void sigintWithoutAListenerEndsTheProgramByTheSignal() {
        assertThat(exitAfter(idle(), "SIGINT")).isEqualTo("null SIGINT");
    }

    @Test
    void sighupWithoutAListenerEndsTheProgramByTheSignal() {
        assertThat(exitAfter(idle(), "SIGHUP")).isEqualTo("null SIGHUP");
    }

    @Test
    void sigtermWithAListenerIsAnEvent() {
        assertThat(exitAfter(idle("listen"), "SIGTERM")).isEqualTo("7 null");
    }

    @Test
    void aSigtermInheritedAsIgnoredStaysIgnored() {
        List<String> c = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' TERM; exec \"$0\" \"$@\""));
        c.addAll(idle());
        assertThat(exitAfter(c, "SIGTERM")).isEqualTo("null SIGKILL");
    }
}
