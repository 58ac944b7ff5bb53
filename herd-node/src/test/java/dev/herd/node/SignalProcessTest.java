package dev.herd.node;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.os.FdLeakCheck;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real Herd process with a 'SIGTERM' listener survives SIGTERM, runs the listener on its loop
 * thread and decides its own exit (test-signal-handler.js); without a listener, SIGTERM ends it.
 */
@ExtendWith(FdLeakCheck.class)
class SignalProcessTest {

    @Test
    void sigtermListenerReplacesTheDefaultActionInARealProcess() throws Exception {
        Process p = start(ListenerMain.class);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            p.toHandle().destroy(); // SIGTERM
            assertThat(out.readLine()).isEqualTo("got SIGTERM on main");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(3);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigtermWithoutAListenerEndsTheProcess() throws Exception {
        Process p = start(NoListenerMain.class);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            p.toHandle().destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(128 + 15);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigintListenerWorksInAProcessThatInheritedSigintAsIgnored() throws Exception {
        // A shell's background job starts with SIGINT ignored; Node's listener still gets it.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("/bin/sh", "-c", "trap '' INT; exec \"$0\" \"$@\"", java,
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), SigintMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertThat(out.readLine()).isEqualTo("got SIGINT");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    public static final class SigintMain {
        public static void main(String[] args) {
            Herd.run(args, a -> {
                Timeout keepAlive = setTimeout(() -> {}, 60_000);
                process().on("SIGINT", x -> {
                    System.out.println("got " + x[0]);
                    System.out.flush();
                    Globals.clearTimeout(keepAlive);
                });
                System.out.println("ready");
                System.out.flush();
            });
        }
    }

    private static Process start(Class<?> main) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), main.getName());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        return p;
    }

    public static final class ListenerMain {
        public static void main(String[] args) {
            Herd.run(args, a -> {
                Timeout keepAlive = setTimeout(() -> {}, 60_000);
                process().on("SIGTERM", x -> {
                    System.out.println("got " + x[0] + " on " + Thread.currentThread().getName());
                    System.out.flush();
                    Globals.clearTimeout(keepAlive);
                    process().exitCode(3);
                });
                System.out.println("ready");
                System.out.flush();
            });
        }
    }

    public static final class NoListenerMain {
        public static void main(String[] args) {
            Herd.run(args, a -> {
                setTimeout(() -> {}, 60_000);
                System.out.println("ready");
                System.out.flush();
            });
        }
    }
}
