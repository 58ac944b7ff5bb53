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
        void main(String[] args) throws Exception;
    }

    private Herd() {}

    /** Runs the program and exits the JVM with its exit code. Never returns. */
    public static void run(String[] args, Main main) {
        int code = call(args, main);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Runs the program on the calling thread and returns its exit code instead of exiting; every
     * handle is closed and the loop closed before it returns (for tests and embedding).
     */
    public static int call(String[] args, Main main) {
        if (Environment.currentOrNull() != null) {
            throw new IllegalStateException("this thread already runs a Herd environment");
        }
        Loop loop = new Loop();
        Environment env = new Environment(loop, args == null ? new String[0] : args.clone());
        env.bind();
        int code;
        try {
            try {
                env.makeCallback(() -> {
                    // A forked child: the channel to the parent exists before user code runs, as in Node.
                    dev.herd.node.ipc.Channel channel =
                            dev.herd.node.ipc.ChildChannel.open(env, env.process.env(), env.process.channelTarget());
                    if (channel != null) env.process.channel(channel);
                    try {
                        main.main(env.process.argv().subList(2, env.process.argv().size()).toArray(String[]::new));
                    } catch (Exception e) {
                        throw Herd.<RuntimeException>sneaky(e); // the original reaches 'uncaughtException'
                    }
                });
                env.spin();
                code = env.emitExitOnce();
            } catch (ProcessExit e) {
                code = e.code();
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
