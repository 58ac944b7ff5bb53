package dev.herd.node.internal.cluster;

import dev.herd.node.EventEmitter;
import dev.herd.node.cluster.Worker;
import dev.herd.node.internal.Environment;

/**
 * One side of the cluster module (Node's {@code lib/cluster.js} picks {@code internal/cluster/primary}
 * or {@code internal/cluster/child}): a {@link ClusterPrimary}, or the worker half of a process
 * that a primary forked. An environment's side is a worker's when cluster set it up at start-up
 * ({@link #initialize}), otherwise the environment's default primary, made on first use; the
 * public {@code Cluster} works on it.
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: the environment's.
 */
public sealed interface ClusterSide permits ClusterPrimary, ClusterChild {
    /**
     * The environment's side: the worker's, or the default primary (made now if need be).
     *
     * @param env the environment
     * @return its side
     */
    static ClusterSide of(Environment env) {
        env.checkThread();
        ClusterSide side = env.service(ClusterSide.class);
        if (side == null) {
            side = new ClusterPrimary(env);
            env.service(ClusterSide.class, side);
        }
        return side;
    }

    /**
     * Herd's start-up, before {@code main}: a process started by a primary's fork (it has
     * {@code NODE_UNIQUE_ID}) becomes a worker and tells its primary it is online (Node's
     * {@code _setupWorker} in pre-execution); its servers and UDP sockets listen through the
     * primary from now on. The variable is removed, so that processes the worker starts do not
     * inherit it.
     *
     * @param env the starting environment
     */
    static void initialize(Environment env) {
        String id = env.process().env().get("NODE_UNIQUE_ID");
        if (id == null || id.isEmpty()) return;
        ClusterChild child = new ClusterChild(env, id);
        env.service(ClusterSide.class, child);
        env.service(dev.herd.node.internal.net.ClusterListen.class, child);
        env.process().env().remove("NODE_UNIQUE_ID");
        child.setupWorker();
    }

    /** {@return the module's event emitter (Node's {@code cluster} object is one)} */
    EventEmitter events();

    /** {@return in a worker, the worker itself; null in a primary} */
    Worker worker();

    /**
     * Worker.prototype.disconnect of this side.
     *
     * @param worker the worker
     */
    void disconnect(Worker worker);

    /**
     * Worker.prototype.destroy (kill) of this side.
     *
     * @param worker the worker
     * @param signal the signal's name, or null for SIGTERM
     */
    void destroy(Worker worker, String signal);
}
