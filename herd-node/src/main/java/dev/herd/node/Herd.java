package dev.herd.node;

import dev.herd.loop.Loop;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.bootstrap.Bootstrap;

/**
 * The program entry point: runs a Herd program the way Node runs a script. {@link #run} makes a
 * loop on the calling thread, runs {@code main} on it (then its nextTicks and microtasks), runs
 * the loop until nothing keeps it alive, emits 'beforeExit' (running again if listeners made new
 * work), emits 'exit' and ends the JVM with {@code process.exitCode}. Uncaught exceptions go to
 * 'uncaughtException' listeners, or are printed and end the process with code 1.
 *
 * <p>Herd is also where a process starts: {@link #call} runs herd-node's start-up
 * ({@link Bootstrap}: the IPC channel to a parent, a cluster worker's set-up, the HTTP warm-up)
 * before {@code main}, the one place that wires the higher packages in.
 *
 * <p>Thread rule: call from a platform thread, which becomes the loop thread. Lifetime: the
 * program's.
 */
public final class Herd {
    static {
        // Nested environments (worker_threads, the HTTP warm-up) start through the Node layer's
        // internal Environment.run, which lands here.
        Environment.launcher(Herd::launch);
    }

    /** A program's main body; may throw anything, which is treated as an uncaught exception. */
    @FunctionalInterface
    public interface Main {
        /**
         * Runs the program's body on the loop thread.
         *
         * @param args the program's arguments
         * @throws Exception anything, treated as an uncaught exception
         */
        void main(String[] args) throws Exception;
    }

    private Herd() {}

    /**
     * Runs the program and exits the JVM with its exit code. Never returns, except in a
     * worker_threads Worker whose entry class calls it from its {@code main} (Node's
     * {@code new Worker(__filename)} pattern): there {@code main} runs at once in the worker's
     * environment, and the worker's loop runs after it returns.
     *
     * @param args the program's arguments
     * @param main the program's main body
     */
    public static void run(String[] args, Main main) {
        NodeEnvironment current = NodeEnvironment.currentOrNull();
        if (current != null && current.isEmbedded() && current.inMain) {
            try {
                main.main(args == null ? new String[0] : args);
            } catch (Exception e) {
                throw Herd.<RuntimeException>sneaky(e);
            }
            return;
        }
        // With no listener, SIGINT, SIGTERM and SIGHUP end a Node process by the signal: its parent
        // (a cluster primary, a process manager) sees "killed by SIGTERM", not the JVM's exit 143.
        for (int signum : new int[] {dev.herd.os.Signals.SIGINT, dev.herd.os.Signals.SIGTERM, dev.herd.os.Signals.SIGHUP}) {
            dev.herd.os.SignalSource.terminateByDefault(signum);
        }
        int code = call(args, main);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Runs the program on the calling thread and returns its exit code instead of exiting; every
     * handle is closed and the loop closed before it returns (for tests and embedding).
     *
     * @param args the program's arguments
     * @param main the program's main body
     * @return the exit code
     */
    public static int call(String[] args, Main main) {
        return launch(args, main, null);
    }

    /**
     * Runs {@code main} in a new environment on the calling thread: the process's own when
     * {@code embedder} is null (with its start-up), else a nested one (see
     * {@link Environment#run}).
     */
    static int launch(String[] args, Main main, Environment.Embedder embedder) {
        if (Environment.currentOrNull() != null) {
            throw new IllegalStateException("this thread already runs a Herd environment");
        }
        if (embedder == null) Bootstrap.beforeLoop();
        Loop loop = new Loop();
        NodeEnvironment env = new NodeEnvironment(loop, args == null ? new String[0] : args.clone(), embedder);
        env.bindToThread();
        int code;
        try {
            try {
                env.makeCallback(() -> {
                    if (embedder == null) Bootstrap.started(env);
                    else embedder.started(env);
                    env.inMain = true;
                    try {
                        main.main(env.process.argv().subList(2, env.process.argv().size()).toArray(String[]::new));
                    } catch (Exception e) {
                        throw Herd.<RuntimeException>sneaky(e); // the original reaches 'uncaughtException'
                    } finally {
                        env.inMain = false;
                    }
                });
                if (embedder == null) Bootstrap.afterMain(env); // herd run's AOT training: end once started
                env.spin();
                code = env.emitExitOnce();
            } catch (ProcessExit e) {
                code = e.code();
            } catch (Throwable t) {
                // A failure of the loop itself (say, epoll_ctl refusing an fd), not of a callback:
                // the handles and the loop must still close, or their descriptors leak.
                try {
                    env.teardown();
                } catch (Throwable inTeardown) {
                    t.addSuppressed(inTeardown);
                }
                throw t;
            }
            env.teardown();
        } finally {
            env.unbindFromThread();
        }
        return code;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
