package dev.herd.node;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import dev.herd.os.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** beforeExit, exit, exitCode and uncaught exceptions (test-process-beforeexit, test-process-exit-code, ...). */
@ExtendWith(FdLeakCheck.class)
class ProcessLifecycleTest {
    private final List<String> log = new ArrayList<>();

    private int run(Herd.Main main) {
        return Herd.call(new String[0], main);
    }

    @Test
    void beforeExitThenExitAreEmittedWithTheExitCode() {
        int code = run(a -> {
            process().exitCode(3);
            process().on("beforeExit", x -> log.add("beforeExit " + x[0]));
            process().on("exit", x -> log.add("exit " + x[0]));
        });
        assertThat(code).isEqualTo(3);
        assertThat(log).containsExactly("beforeExit 3", "exit 3");
    }

    @Test
    void workScheduledInBeforeExitRunsAndBeforeExitFiresAgain() {
        int[] n = {0};
        run(a -> process().on("beforeExit", x -> {
            log.add("beforeExit");
            if (++n[0] < 3) setTimeout(() -> log.add("timer"), 1);
        }));
        assertThat(log).containsExactly("beforeExit", "timer", "beforeExit", "timer", "beforeExit");
    }

    @Test
    void exitSkipsBeforeExitAndReturnsTheCode() {
        int code = run(a -> {
            process().on("beforeExit", x -> log.add("beforeExit"));
            process().on("exit", x -> log.add("exit " + x[0]));
            setTimeout(() -> process().exit(5), 1);
            setTimeout(() -> log.add("never"), 50);
        });
        assertThat(code).isEqualTo(5);
        assertThat(log).containsExactly("exit 5");
    }

    @Test
    void exitListenerMayChangeTheExitCode() {
        int code = run(a -> process().on("exit", x -> process().exitCode(9)));
        assertThat(code).isEqualTo(9);
    }

    @Test
    void exitCalledInsideAnExitListenerDoesNotEmitExitAgain() {
        int code = run(a -> process().on("exit", x -> {
            log.add("exit " + x[0]);
            process().exit(4);
        }));
        assertThat(code).isEqualTo(4);
        assertThat(log).containsExactly("exit 0");
    }

    @Test
    void uncaughtExceptionListenerHandlesTheErrorAndTheProgramGoesOn() {
        int code = run(a -> {
            process().on("uncaughtException", x -> log.add("caught " + ((Throwable) x[0]).getMessage() + " " + x[1]));
            setTimeout(() -> {
                throw new IllegalStateException("boom");
            }, 1);
            setTimeout(() -> log.add("later timer"), 10);
        });
        assertThat(code).isZero();
        assertThat(log).containsExactly("caught boom uncaughtException", "later timer");
    }

    @Test
    void exceptionThrownByMainReachesUncaughtExceptionListeners() {
        Throwable[] seen = new Throwable[1];
        int code = run(a -> {
            process().on("uncaughtException", x -> seen[0] = (Throwable) x[0]);
            throw new java.io.IOException("checked");
        });
        assertThat(code).isZero();
        assertThat(seen[0]).isInstanceOf(java.io.IOException.class).hasMessage("checked");
    }

    @Test
    void uncaughtExceptionWithoutListenersExitsWithCodeOneAndEmitsExit() {
        int code = run(a -> {
            process().on("exit", x -> log.add("exit " + x[0]));
            setTimeout(() -> {
                throw new IllegalStateException("unhandled");
            }, 1);
        });
        assertThat(code).isEqualTo(1);
        assertThat(log).containsExactly("exit 1");
    }

    @Test
    void throwingUncaughtExceptionListenerExitsWithCodeSeven() {
        int code = run(a -> {
            process().on("uncaughtException", x -> {
                throw new IllegalStateException("handler failed");
            });
            throw new IllegalStateException("first");
        });
        assertThat(code).isEqualTo(7);
    }

    @Test
    void exceptionInANextTickIsUncaughtAndLaterTicksStillRun() {
        run(a -> {
            process().on("uncaughtException", x -> log.add("caught"));
            process().nextTick(() -> {
                throw new IllegalStateException("tick");
            });
            process().nextTick(() -> log.add("second tick"));
        });
        assertThat(log).containsExactly("caught", "second tick");
    }

    @Test
    void everyHandleIsClosedAfterTheProgramEnds() {
        dev.herd.loop.Loop[] loop = new dev.herd.loop.Loop[1];
        run(a -> {
            loop[0] = process().loop();
            setTimeout(() -> {}, 10_000).unref();
            new dev.herd.loop.Idle(loop[0]); // opened, never closed by the program
        });
        assertThat(loop[0].isClosed()).isTrue();
    }

    /** A real process: the JVM exits with the code, and an uncaught error is printed to stderr. */
    @Test
    void realProcessExitsWithExitCodeAndPrintsUncaughtErrors() throws Exception {
        ChildJvm.Result r = ChildJvm.run(UncaughtMain.class);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Uncaught java.lang.IllegalStateException: from a timer");
        assertThat(r.out()).contains("exit 1");
    }

    public static final class UncaughtMain {
        public static void main(String[] args) {
            Herd.run(args, a -> {
                process().on("exit", x -> System.out.println("exit " + x[0]));
                setTimeout(() -> {
                    throw new IllegalStateException("from a timer");
                }, 1);
            });
        }
    }

    @Test
    void realProcessExitCodeComesFromProcessExit() throws Exception {
        ChildJvm.Result r = ChildJvm.run(ExitMain.class, "42");
        assertThat(r.code()).isEqualTo(42);
        assertThat(r.out()).isEqualTo("argv ok\n");
    }

    public static final class ExitMain {
        public static void main(String[] args) {
            Herd.run(args, a -> {
                List<String> argv = process().argv();
                if (argv.get(1).equals(ExitMain.class.getName()) && argv.get(2).equals(a[0])) {
                    System.out.println("argv ok");
                }
                setTimeout(() -> process().exit(Integer.parseInt(a[0])), 1);
            });
        }
    }
}
