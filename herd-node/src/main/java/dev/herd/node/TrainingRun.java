package dev.herd.node;


/**
 * A program's AOT training run: the short run of a user's program that {@code herd run} makes
 * with {@code -XX:AOTCacheOutput} (JDK 25, JEP 514) so that the JVM writes, at exit, a cache of
 * the classes the program loads at start-up. This class makes such a run end by itself, cleanly,
 * once the program has started, so that any Herd program can be trained without knowing it.
 *
 * <p>Every process of a training run has {@value #ENV}{@code =1} in its environment (children
 * inherit it). There a TCP server asked to listen on a fixed port listens on a port the kernel
 * picks ({@link #listenPort}): a training run must neither fail with EADDRINUSE next to a running
 * instance of the same program nor, with SO_REUSEPORT, take a share of its connections. A program
 * may also read the variable to skip what it must not do twice (say, a database migration).
 *
 * <p>The run's first process (the program {@code herd run} started; the JVM option
 * {@code -D}{@value #PROPERTY}) ends the run. Once {@code main} has returned it watches the loop:
 * when the loop has waited {@code TrainingWatch.IDLE_MS} in poll with nothing to do (no I/O, no timer, no
 * message) and no cluster worker is still starting (a worker is starting until it listens, dies,
 * or has been online {@code TrainingWatch.WORKER_LISTEN_MS} without listening), start-up is over. It then
 * disconnects its cluster workers (each closes its servers and exits, as on
 * {@code cluster.disconnect()}), waits for them to exit ({@code TrainingWatch.DISCONNECT_LIMIT_MS} at most, then
 * kills them), and ends the program with {@code process.exit(0)}; the JVM then writes its cache.
 * After the limit (the property's value in ms, default {@code TrainingWatch.LIMIT_MS}) it ends the same way
 * even if the program never went idle.
 *
 * <p>The first cluster worker the run forks records the cache for forked children (its JVM gets
 * {@code -XX:AOTCacheOutput} from the option {@code -D}{@value #CHILD_CACHE_PROPERTY} of the
 * first process; see {@code ChildProcesses.fork}); the other workers record nothing. Children
 * never inherit the {@code -Dherd.aot.*} options ({@code ChildProcesses.childJvmOptions}).
 *
 * <p>This class holds the run's names and what every process asks; the run's end is watched by
 * {@code dev.herd.node.internal.bootstrap.TrainingWatch}. Thread rule: any thread. Stateless.
 */
public final class TrainingRun {
    /** The environment variable set in every process of a training run. */
    public static final String ENV = "HERD_AOT_TRAINING";
    /** The system property that makes a process the one that ends the training run; its value is the limit in ms, or empty. */
    public static final String PROPERTY = "herd.aot.training";
    /** The system property naming the file the first cluster worker records the children's AOT cache into. */
    public static final String CHILD_CACHE_PROPERTY = "herd.aot.childCacheOutput";
    /** What the run's first process prints on stderr when it starts watching: a program that never prints it does not run under Herd.run. */
    public static final String WATCHING = "herd AOT training: watching start-up";

    private static final boolean ACTIVE = System.getenv(ENV) != null;


    private TrainingRun() {}

    /**
     * Whether this process is part of a training run ({@value #ENV} is set).
     *
     * @return true in a training run
     */
    public static boolean active() {
        return ACTIVE;
    }

    /**
     * The port a TCP server asked for {@code port} listens on: in a training run 0 (a port the
     * kernel picks) instead of a fixed port; otherwise, or if {@code port} is out of range,
     * {@code port}.
     *
     * @param port the port the program asked for
     * @return the port to listen on
     */
    public static int listenPort(int port) {
        return ACTIVE && port > 0 && port <= 65535 ? 0 : port; // a bad port still fails as it would
    }
}
