package dev.herd.node;

import dev.herd.loop.Prepare;
import dev.herd.loop.Timer;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.Worker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * when the loop has waited {@link #IDLE_MS} in poll with nothing to do (no I/O, no timer, no
 * message) and no cluster worker is still starting (a worker is starting until it listens, dies,
 * or has been online {@link #WORKER_LISTEN_MS} without listening), start-up is over. It then
 * disconnects its cluster workers (each closes its servers and exits, as on
 * {@code cluster.disconnect()}), waits for them to exit ({@link #DISCONNECT_LIMIT_MS} at most, then
 * kills them), and ends the program with {@code process.exit(0)}; the JVM then writes its cache.
 * After the limit (the property's value in ms, default {@link #LIMIT_MS}) it ends the same way
 * even if the program never went idle.
 *
 * <p>The first cluster worker the run forks records the cache for forked children (its JVM gets
 * {@code -XX:AOTCacheOutput} from the option {@code -D}{@value #CHILD_CACHE_PROPERTY} of the
 * first process; see {@code ChildProcesses.fork}); the other workers record nothing. Children
 * never inherit the {@code -Dherd.aot.*} options ({@code ChildProcesses.childJvmOptions}).
 *
 * <p>Thread rule: {@link #active} and {@link #listenPort} any thread; the rest the loop thread of
 * the program's environment. Lifetime: the program's.
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
    /** How long the loop must wait in poll with nothing to do before start-up counts as over. */
    static final long IDLE_MS = 1_000;
    /** How long an online worker that has not listened counts as starting. */
    static final long WORKER_LISTEN_MS = 5_000;
    /** The default limit of a training run, from the end of main. */
    static final long LIMIT_MS = 30_000;
    /** How long the end waits for disconnected workers to exit (a worker writes its cache as it exits) before it kills them. */
    static final long DISCONNECT_LIMIT_MS = 60_000;

    private static final boolean ACTIVE = System.getenv(ENV) != null;

    private final Environment env;
    private final Prepare prepare;
    private final Timer idle;
    private final Timer limit;
    /** Loop time at which each worker (by id) came online. */
    private final Map<Integer, Long> onlineAt = new HashMap<>();
    private boolean ending;

    private TrainingRun(Environment env) {
        this.env = env;
        this.prepare = new Prepare(env.loop());
        this.idle = new Timer(env.loop());
        this.limit = new Timer(env.loop());
    }

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

    /**
     * At the end of the program's main, in the run's first process only: starts watching for the
     * end of start-up. Does nothing in any other process.
     *
     * @param env the program's environment
     */
    static void afterMain(Environment env) {
        String value = System.getProperty(PROPERTY);
        if (value == null || !ACTIVE) return;
        new TrainingRun(env).start(limitMs(value));
    }

    /**
     * {@return the limit of a training run: the property's value in ms if it is a positive number, else LIMIT_MS}
     *
     * @param value the property's value
     */
    static long limitMs(String value) {
        try {
            long ms = Long.parseLong(value.strip());
            return ms > 0 ? ms : LIMIT_MS;
        } catch (NumberFormatException e) {
            return LIMIT_MS;
        }
    }

    private void start(long limitMs) {
        System.err.println(WATCHING + " (limit " + limitMs + " ms)");
        if (Cluster.isPrimary()) {
            Cluster.on("online", a -> onlineAt.put(((Worker) a[0]).id(), env.loop().now()));
        }
        // Every loop iteration pushes the idle timer back, so it fires only after IDLE_MS in poll.
        prepare.start(() -> {
            if (!ending) idle.start(this::onIdle, IDLE_MS, 0);
        });
        prepare.unref();
        idle.unref();
        limit.start(() -> end("the training limit of " + limitMs + " ms passed"), limitMs, 0);
        limit.unref();
    }

    private void onIdle() {
        if (ending || workerStarting()) return;
        end("start-up is over");
    }

    private boolean workerStarting() {
        if (!Cluster.isPrimary()) return false;
        long now = env.loop().now();
        for (Worker w : Cluster.workers().values()) {
            switch (w.state()) {
                case "none" -> {
                    return true;
                }
                case "online" -> {
                    Long since = onlineAt.get(w.id());
                    if (since == null || now - since < WORKER_LISTEN_MS) return true;
                }
                default -> { }
            }
        }
        return false;
    }

    /** Ends the run: workers first (each writes its cache as it exits), then this process. */
    private void end(String why) {
        if (ending) return;
        ending = true;
        prepare.close();
        idle.close();
        limit.close();
        env.makeCallback(() -> {
            System.err.println("herd AOT training: " + why + "; ending the run");
            List<Worker> live = Cluster.isPrimary() ? List.copyOf(Cluster.workers().values()) : List.of();
            if (live.stream().allMatch(Worker::isDead)) {
                env.process().exit(0);
                return;
            }
            Timeout kill = Globals.setTimeout(() -> {
                System.err.println("herd AOT training: workers still running " + DISCONNECT_LIMIT_MS + " ms after disconnect; killing them");
                for (Worker w : live) {
                    if (!w.isDead()) w.process().kill("SIGKILL");
                }
            }, DISCONNECT_LIMIT_MS);
            Cluster.on("exit", a -> {
                if (live.stream().allMatch(Worker::isDead)) {
                    Globals.clearTimeout(kill);
                    env.process().exit(0);
                }
            });
            Cluster.disconnect();
        });
    }
}
