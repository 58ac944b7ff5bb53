package dev.herd.node;

import dev.herd.loop.Loop;

/**
 * The program entry point: runs a Herd program the way Node runs a script. {@link #run} makes a
 * loop on the calling thread, runs {@code main} on it (then its nextTicks and microtasks), runs
 * the loop until nothing keeps it alive, emits 'beforeExit' (running again if listeners made new
 * work), emits 'exit' and ends the JVM with {@code process.exitCode}. Uncaught exceptions go to
 * 'uncaughtException' listeners, or are printed and end the process with code 1.
 *
 * <p>Thread rule: call from a platform thread, which becomes the loop thread. Lifetime: the
 * program's.
 */
public final class Herd {
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
        Environment current = Environment.currentOrNull();
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
        return call(args, main, null);
    }

    /**
     * {@link #call(String[], Main)} for an environment nested in this process (worker_threads):
     * {@code embedder} gives its process.env, runs before main, and takes the uncaught exceptions
     * that a main environment prints. No IPC channel is opened. For the Node layer, not for
     * programs.
     *
     * @param args the program's arguments
     * @param main the program's main body
     * @param embedder the nesting environment's hooks
     * @return the exit code
     */
    public static int call(String[] args, Main main, Environment.Embedder embedder) {
        if (Environment.currentOrNull() != null) {
            throw new IllegalStateException("this thread already runs a Herd environment");
        }
        // A cluster worker warms its HTTP request path on another thread while it starts.
        if (embedder == null) dev.herd.node.http.HttpWarmup.atStart();
        Loop loop = new Loop();
        Environment env = new Environment(loop, args == null ? new String[0] : args.clone(), embedder);
        env.bind();
        int code;
        try {
            try {
                env.makeCallback(() -> {
                    if (embedder == null) {
                        // A forked child: the channel to the parent exists before user code runs, as in Node.
                        dev.herd.node.ipc.Channel channel =
                                dev.herd.node.ipc.ChildChannel.open(env, env.process.env(), env.process.channelTarget());
                        if (channel != null) env.process.channel(channel);
                        // A cluster worker (NODE_UNIQUE_ID) reports 'online' before user code, as in Node.
                        dev.herd.node.cluster.Cluster.initialize(env);
                    } else {
                        embedder.started(env);
                    }
                    env.inMain = true;
                    try {
                        main.main(env.process.argv().subList(2, env.process.argv().size()).toArray(String[]::new));
                    } catch (Exception e) {
                        throw Herd.<RuntimeException>sneaky(e); // the original reaches 'uncaughtException'
                    } finally {
                        env.inMain = false;
                    }
                });
                if (embedder == null) TrainingRun.afterMain(env); // herd run's AOT training: end once started
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
            env.unbind();
        }
        return code;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
