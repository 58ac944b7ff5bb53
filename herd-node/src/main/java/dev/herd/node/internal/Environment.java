package dev.herd.node.internal;

import dev.herd.loop.Loop;
import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.ProcessExit;
import java.lang.invoke.MethodHandles;
import java.util.HashMap;
import java.util.Map;

/**
 * One Node environment as the Node layer's packages see it: its loop, its process object, and the
 * way every callback enters JavaScript-side machinery ({@link #makeCallback}: ticks and microtasks
 * drained afterwards, as Node's InternalCallbackScope does). The one implementation is herd-node's
 * own (in {@code dev.herd.node}, with the timer and immediate queues and the program's lifecycle);
 * this type is what net, http, child_process, cluster, worker_threads and ipc hold.
 *
 * <p>Not API: this package is not exported. Thread rule: everything runs on the loop's thread,
 * except {@link #current} (the calling thread's own). Lifetime: one run of a program (or of a
 * nested environment: a worker_threads Worker, the HTTP warm-up).
 */
public abstract class Environment {
    private static final ThreadLocal<Environment> CURRENT = new ThreadLocal<>();
    /** Runs a nested environment: herd-node's Herd registers it when its class initialises. */
    private static volatile Launcher launcher;

    /**
     * The environment's per-environment state, one entry per owning type (see {@link #service}):
     * what would otherwise be a static map keyed by environment or a thread-local.
     */
    private final Map<Class<?>, Object> services = new HashMap<>(4);

    /** For herd-node's implementation. */
    protected Environment() {}

    /**
     * What an environment nested in this process changes (worker_threads: a Worker's environment;
     * the HTTP warm-up's private one); see {@link #run}.
     */
    public interface Embedder {
        /**
         * The environment's {@code process.env}: a map of its own, or one shared with other threads (thread-safe).
         *
         * @return the environment variables
         */
        Map<String, String> env();

        /**
         * Called on the new loop thread once the environment exists, before the program's main runs.
         *
         * @param environment the new environment
         */
        void started(Environment environment);

        /**
         * An exception no 'uncaughtException' listener handled, after 'exit' was emitted: the
         * embedder reports it (a Worker's 'error' event) instead of printing it; the environment
         * then ends with code 1 (7 when a listener threw).
         *
         * @param error the exception
         */
        void uncaught(Throwable error);
    }

    /** How {@link #run} reaches herd-node's implementation (which lives in dev.herd.node). */
    @FunctionalInterface
    public interface Launcher {
        /**
         * Runs {@code main} in a new environment on the calling thread and returns its exit code.
         *
         * @param args the program's arguments
         * @param main the program's main body
         * @param embedder the nesting environment's hooks
         * @return the exit code
         */
        int run(String[] args, Herd.Main main, Embedder embedder);
    }

    /**
     * Registers the implementation of {@link #run}; herd-node's {@code Herd} does, once.
     *
     * @param impl the launcher
     */
    public static void launcher(Launcher impl) {
        if (launcher != null) throw new IllegalStateException("the launcher is registered already");
        launcher = impl;
    }

    /**
     * {@code Herd.call} for an environment nested in this process (worker_threads, the HTTP
     * warm-up): {@code embedder} gives its process.env, runs before main, and takes the uncaught
     * exceptions that a main environment prints. No IPC channel is opened and the process's
     * start-up (cluster, the HTTP warm-up) is not run. Every handle is closed and the loop closed
     * before it returns.
     *
     * @param args the program's arguments
     * @param main the program's main body
     * @param embedder the nesting environment's hooks
     * @return the exit code
     */
    public static int run(String[] args, Herd.Main main, Embedder embedder) {
        Launcher l = launcher;
        if (l == null) {
            try {
                MethodHandles.lookup().ensureInitialized(Herd.class); // registers the launcher
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            l = launcher;
        }
        return l.run(args, main, embedder);
    }

    /**
     * The environment of the calling loop thread; throws IllegalStateException if there is none.
     *
     * @return the environment
     */
    public static Environment current() {
        Environment env = CURRENT.get();
        if (env == null) {
            throw new IllegalStateException("no Herd environment on thread '" + Thread.currentThread().getName()
                    + "': Node's globals work only inside Herd.run / Herd.call, on its loop thread");
        }
        return env;
    }

    /** {@return the environment of the calling thread, or null} */
    public static Environment currentOrNull() {
        return CURRENT.get();
    }

    /** Makes this the calling thread's environment (the implementation does, on its loop thread). */
    protected final void bind() {
        CURRENT.set(this);
    }

    /** The calling thread has no environment any more. */
    protected final void unbind() {
        CURRENT.remove();
    }

    /** {@return the loop this environment runs on} */
    public abstract Loop loop();

    /** {@return the process object} */
    public abstract NodeProcess process();

    /** Throws IllegalStateException unless the calling thread runs this environment's loop. */
    public final void checkThread() {
        loop().checkThread();
    }

    /**
     * Runs {@code cb} as a top-level callback from the loop (an I/O, timer or immediate
     * callback): uncaught exceptions handled, then ticks and microtasks drained.
     *
     * @param cb the callback
     */
    public abstract void makeCallback(Runnable cb);

    /**
     * process.nextTick.
     *
     * @param cb the callback
     */
    public abstract void nextTick(Runnable cb);

    /**
     * Ends this environment at once with {@code code} and without 'exit' (worker.terminate()): the
     * caller throws the result on the loop thread, and it unwinds to the environment's run.
     *
     * @param code the exit code
     * @return the throwable that ends the environment
     */
    public abstract ProcessExit terminate(int code);

    /** {@return whether this environment is nested in the process (a worker's), not the main one} */
    public abstract boolean isEmbedded();

    /**
     * Installs the channel to the parent as {@code process.channel} (made at start-up from
     * NODE_CHANNEL_FD).
     *
     * @param channel the channel
     */
    public abstract void channel(ProcessChannel channel);

    /**
     * The state or service of {@code type} kept in this environment, or null. Every package keeps
     * its per-environment state here (http's global agent, ipc's exit flusher, worker_threads'
     * environment data, the cluster side); it is also how a lower package calls up without naming
     * the higher one (net and dgram ask for cluster's {@code ClusterListen}, which a cluster
     * worker installs at start-up). Loop thread only.
     *
     * @param <T> the service's type
     * @param type the service's type
     * @return the service, or null
     */
    public final <T> T service(Class<T> type) {
        return type.cast(services.get(type));
    }

    /**
     * Installs (or with null removes) this environment's service of {@code type}.
     *
     * @param <T> the service's type
     * @param type the service's type
     * @param service the service, or null
     */
    public final <T> void service(Class<T> type, T service) {
        if (service == null) services.remove(type);
        else services.put(type, type.cast(service));
    }
}
