package dev.herd.node.internal.bootstrap;

import dev.herd.loop.Prepare;
import dev.herd.loop.Timer;
import dev.herd.node.Globals;
import dev.herd.node.Timeout;
import dev.herd.node.TrainingRun;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.Worker;
import dev.herd.node.internal.Environment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ends an AOT training run ({@link TrainingRun}) by itself once the program has started: in the
 * run's first process, once {@code main} has returned, it watches the loop; when the loop has
 * waited {@link #IDLE_MS} in poll with nothing to do and no cluster worker is still starting (until
 * it listens, dies, or has been online {@link #WORKER_LISTEN_MS} without listening), it disconnects
 * the cluster workers, waits for them to exit ({@link #DISCONNECT_LIMIT_MS} at most, then kills
 * them) and ends the program with {@code process.exit(0)}, so that the JVM writes its cache. After
 * the run's limit it ends the same way.
 *
 * <p>Thread rule: the loop thread of the program's environment. Lifetime: the program's.
 */
public final class TrainingWatch {
    /** How long the loop must wait in poll with nothing to do before start-up counts as over. */
    static final long IDLE_MS = 1_000;
    /** How long an online worker that has not listened counts as starting. */
    static final long WORKER_LISTEN_MS = 5_000;
    /** The default limit of a training run, from the end of main. */
    static final long LIMIT_MS = 30_000;
    /** How long the end waits for disconnected workers to exit (a worker writes its cache as it exits) before it kills them. */
    static final long DISCONNECT_LIMIT_MS = 60_000;

    private final Environment env;
    private final Prepare prepare;
    private final Timer idle;
    private final Timer limit;
    /** Loop time at which each worker (by id) came online. */
    private final Map<Integer, Long> onlineAt = new HashMap<>();
    private boolean ending;

    private TrainingWatch(Environment env) {
        this.env = env;
        this.prepare = new Prepare(env.loop());
        this.idle = new Timer(env.loop());
        this.limit = new Timer(env.loop());
    }

    /**
     * At the end of the program's main, in the run's first process only: starts watching for the
     * end of start-up. Does nothing in any other process.
     *
     * @param env the program's environment
     */
    public static void afterMain(Environment env) {
        String value = System.getProperty(TrainingRun.PROPERTY);
        if (value == null || !TrainingRun.active()) return;
        new TrainingWatch(env).start(limitMs(value));
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
        System.err.println(TrainingRun.WATCHING + " (limit " + limitMs + " ms)");
        if (Cluster.isPrimary()) {
            Cluster.on(Cluster.ONLINE, worker -> onlineAt.put(worker.id(), env.loop().now()));
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
            Cluster.on(Cluster.EXIT, (worker, code, signal) -> {
                if (live.stream().allMatch(Worker::isDead)) {
                    Globals.clearTimeout(kill);
                    env.process().exit(0);
                }
            });
            Cluster.disconnect();
        });
    }
}
