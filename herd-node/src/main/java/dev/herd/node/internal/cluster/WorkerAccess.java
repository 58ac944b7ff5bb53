package dev.herd.node.internal.cluster;

import dev.herd.node.NodeProcess;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.cluster.Worker;
import java.lang.invoke.MethodHandles;

/**
 * How the cluster implementation makes {@link Worker}s and moves their state (Node's primary.js and
 * child.js set {@code worker.state} and {@code worker.exitedAfterDisconnect} directly), while
 * {@code Worker} keeps only Node's public API: {@code Worker} registers the implementation when it
 * initialises (the JDK's SharedSecrets pattern). Its methods are protected: only this package
 * reaches the registered instance.
 *
 * <p>Thread rule: the worker's loop thread.
 */
public abstract class WorkerAccess {
    private static volatile WorkerAccess impl;

    /** For {@code Worker}'s implementation. */
    protected WorkerAccess() {}

    /**
     * Registers the implementation; {@code Worker} does, once.
     *
     * @param access the implementation
     */
    public static void register(WorkerAccess access) {
        if (impl != null) throw new IllegalStateException("WorkerAccess is registered already");
        impl = access;
    }

    static WorkerAccess get() {
        WorkerAccess a = impl;
        if (a != null) return a;
        try {
            MethodHandles.lookup().ensureInitialized(Worker.class); // registers it
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return impl;
    }

    /**
     * A worker as a primary sees it: its ChildProcess's 'message' and 'error' become its own.
     *
     * @param side the primary
     * @param id the worker's id
     * @param process the worker's process
     * @return the worker, in state "none"
     */
    protected abstract Worker newWorker(ClusterSide side, int id, ChildProcess process);

    /**
     * The worker itself, in a worker: the process object's 'message' and 'error' become its own.
     *
     * @param side the worker side
     * @param id the worker's id (NODE_UNIQUE_ID)
     * @param process the process object
     * @return the worker, in state "online"
     */
    protected abstract Worker newWorker(ClusterSide side, int id, NodeProcess process);

    /**
     * Sets {@code worker.state}.
     *
     * @param worker the worker
     * @param state the new state
     */
    protected abstract void state(Worker worker, String state);

    /**
     * Sets {@code worker.exitedAfterDisconnect}.
     *
     * @param worker the worker
     * @param value the new value; null is undefined
     */
    protected abstract void exitedAfterDisconnect(Worker worker, Boolean value);
}
