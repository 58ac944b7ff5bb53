package dev.herd.node.cluster;

import dev.herd.loop.Handle;
import dev.herd.node.Environment;
import dev.herd.node.EventEmitter;
import dev.herd.node.net.AddressInfo;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Node's {@code cluster} module: many processes sharing server ports. A program starts as the
 * primary; {@link #fork()} starts workers — by default this same program again, in a new JVM —
 * and in a worker {@link #isPrimary()} is false, so one main reads like Node's
 * {@code if (cluster.isPrimary) ... else ...}:
 *
 * <pre>{@code
 * Herd.run(args, argv -> {
 *     if (Cluster.isPrimary()) {
 *         for (int i = 0; i < 4; i++) Cluster.fork();
 *         Cluster.on("exit", a -> System.out.println("worker " + ((Worker) a[0]).pid() + " died"));
 *     } else {
 *         Http.createServer((req, res) -> res.end("hello world\n")).listen(8000);
 *     }
 * });
 * }</pre>
 *
 * A worker's {@code net.Server.listen} and {@code dgram.Socket.bind} go through the primary
 * (Node's queryServer): with {@link #SCHED_RR} (the default) the primary accepts every connection
 * and hands it to a free worker; with {@link #SCHED_NONE} every worker accepts on a copy of one
 * listening socket; with Herd's {@link #SCHED_REUSEPORT} each worker listens on its own
 * SO_REUSEPORT socket and the kernel balances. UDP is always shared. The wire protocol is Node
 * v20's, so a Herd primary can run Node workers and a Node primary Herd workers.
 *
 * <p>Events (register with {@link #on}): 'fork' (worker), 'online' (worker), 'listening'
 * (worker, {@link ListeningAddress}), 'disconnect' (worker), 'exit' (worker, Integer code, String
 * signal), 'message' (worker, message, handle), 'setup' ({@link ClusterSettings}).
 *
 * <p>Whether this process is a worker is decided by {@code NODE_UNIQUE_ID} at startup (Herd then
 * reports 'online' to the primary before {@code main} runs, and removes the variable so that
 * processes the worker starts do not inherit it).
 *
 * <p>Thread rule: every method works on the calling loop thread's environment, as Node's module
 * is per process. Lifetime: the environment's.
 */
public final class Cluster {
    /** Leave the distribution of connections to the operating system (shared listening socket). */
    public static final int SCHED_NONE = 1;
    /** The primary accepts connections and hands them to workers in turn (the default). */
    public static final int SCHED_RR = 2;
    /** Herd's policy: each worker listens on its own SO_REUSEPORT socket; the kernel balances. */
    public static final int SCHED_REUSEPORT = 3;

    /** The primary or the worker half of one environment's cluster module. */
    sealed interface Side permits Primary, Child {
        EventEmitter events();

        /** Worker.prototype.disconnect of this side. */
        void disconnect(Worker worker);

        /** Worker.prototype.destroy (kill) of this side. */
        void destroy(Worker worker, String signal);
    }

    private static final Map<Environment, Side> SIDES = Collections.synchronizedMap(new WeakHashMap<>());

    private Cluster() {}

    /**
     * Herd calls this at startup, before {@code main}: a process started by {@code fork()} (it
     * has {@code NODE_UNIQUE_ID}) becomes a worker and tells its primary it is online (Node's
     * {@code _setupWorker} in pre-execution). Not for programs.
     *
     * @param env the starting environment
     */
    public static void initialize(Environment env) {
        String id = env.process().env().get("NODE_UNIQUE_ID");
        if (id == null || id.isEmpty()) return;
        Child child = new Child(env, id);
        SIDES.put(env, child);
        env.process().env().remove("NODE_UNIQUE_ID");
        child.setupWorker();
    }

    static Side side() {
        Environment env = Environment.current();
        env.checkThread();
        Side s = SIDES.get(env);
        if (s == null) {
            s = new Primary(env);
            SIDES.put(env, s);
        }
        return s;
    }

    private static Primary primary(String what) {
        if (side() instanceof Primary p) return p;
        throw new IllegalStateException("cluster." + what + "() can only be called in the primary");
    }

    // ---------------------------------------------------------------- who am I

    /**
     * True in the primary: the process was not started by cluster.fork().
     *
     * @return whether this process is the primary
     */
    public static boolean isPrimary() {
        return side() instanceof Primary;
    }

    /**
     * Deprecated alias of {@link #isPrimary()}.
     *
     * @return whether this process is the primary
     */
    public static boolean isMaster() {
        return isPrimary();
    }

    /**
     * True in a worker (the negation of {@link #isPrimary()}).
     *
     * @return whether this process is a worker
     */
    public static boolean isWorker() {
        return side() instanceof Child;
    }

    /** {@return in a worker, the worker itself; null in the primary} */
    public static Worker worker() {
        return side() instanceof Child c ? c.worker() : null;
    }

    /**
     * The primary's live workers by id, in id order (a worker leaves once it has both
     * disconnected and exited, before the last of those two events is emitted). Empty in a worker.
     * A read-only view.
     *
     * @return the live workers by id
     */
    public static Map<Integer, Worker> workers() {
        return side() instanceof Primary p ? Collections.unmodifiableMap(p.workers) : Map.of();
    }

    // ---------------------------------------------------------------- primary only

    /**
     * {@link #fork(Map)} with no extra environment.
     *
     * @return the new worker
     */
    public static Worker fork() {
        return fork(null);
    }

    /**
     * Starts a worker with {@link #settings()} (filled in by {@link #setupPrimary()} on the first
     * call) and {@code env} added to this process's environment. 'fork' follows on the next tick.
     *
     * @param env variables to add to the worker's environment, or null
     * @return the new worker
     * @throws IllegalStateException in a worker
     */
    public static Worker fork(Map<String, String> env) {
        return primary("fork").fork(env);
    }

    /**
     * {@return the settings workers are forked with (all defaults filled in once setupPrimary or fork ran)}
     */
    public static ClusterSettings settings() {
        return side() instanceof Primary p ? p.settings : ClusterSettings.NONE;
    }

    /** {@link #setupPrimary(ClusterSettings)} with nothing changed: fills in the defaults. */
    public static void setupPrimary() {
        setupPrimary(null);
    }

    /**
     * Changes how later forks start workers (Node's {@code setupPrimary}): the given fields
     * replace the current settings; the first call also freezes {@link #schedulingPolicy()}.
     * 'setup' follows on the next tick.
     *
     * @param settings the fields to change
     */
    public static void setupPrimary(ClusterSettings settings) {
        primary("setupPrimary").setupPrimary(settings);
    }

    /**
     * Deprecated alias of {@link #setupPrimary(ClusterSettings)}.
     *
     * @param settings the fields to change
     */
    public static void setupMaster(ClusterSettings settings) {
        setupPrimary(settings);
    }

    /** Deprecated alias of {@link #setupPrimary()}. */
    public static void setupMaster() {
        setupPrimary(null);
    }

    /**
     * {@link #SCHED_RR}, {@link #SCHED_NONE} or {@link #SCHED_REUSEPORT}: from
     * {@code HERD_CLUSTER_SCHED_POLICY} or {@code NODE_CLUSTER_SCHED_POLICY} ("rr", "none",
     * "reuseport"), else round-robin.
     *
     * @return the scheduling policy
     */
    public static int schedulingPolicy() {
        return side() instanceof Primary p ? p.policyProperty : SCHED_RR;
    }

    /**
     * Sets the policy; it takes effect only before the first {@link #setupPrimary} or
     * {@link #fork} (Node's assignable {@code cluster.schedulingPolicy}).
     *
     * @param policy {@link #SCHED_RR}, {@link #SCHED_NONE} or {@link #SCHED_REUSEPORT}
     * @throws IllegalArgumentException for another value
     */
    public static void schedulingPolicy(int policy) {
        if (policy != SCHED_NONE && policy != SCHED_RR && policy != SCHED_REUSEPORT) {
            throw new IllegalArgumentException("Bad cluster.schedulingPolicy: " + policy);
        }
        primary("schedulingPolicy").policyProperty = policy;
    }

    /** {@link #disconnect(Runnable)} without a callback. */
    public static void disconnect() {
        disconnect(null);
    }

    /**
     * Calls {@link Worker#disconnect()} on every connected worker; {@code callback} runs once all
     * of them have disconnected and exited and their servers are closed.
     *
     * @param callback runs once every worker is gone, or null
     * @throws IllegalStateException in a worker
     */
    public static void disconnect(Runnable callback) {
        primary("disconnect").disconnect(callback);
    }

    // ---------------------------------------------------------------- events

    /** {@return the module's event emitter (Node's {@code cluster} object is one)} */
    public static EventEmitter events() {
        return side().events();
    }

    /**
     * Adds a listener to {@link #events()}: 'fork', 'online', 'listening', 'disconnect', 'exit',
     * 'message', 'setup'.
     *
     * @param event the event's name
     * @param listener gets the event's arguments (the worker first)
     * @return the emitter
     */
    public static EventEmitter on(String event, EventEmitter.Listener listener) {
        return events().on(event, listener);
    }

    /**
     * Adds a listener that ignores the arguments to {@link #events()}.
     *
     * @param event the event's name
     * @param listener runs on each emit
     * @return the emitter
     */
    public static EventEmitter on(String event, Runnable listener) {
        return events().on(event, listener);
    }

    /**
     * Adds a one-time listener to {@link #events()}.
     *
     * @param event the event's name
     * @param listener gets the event's arguments (the worker first)
     * @return the emitter
     */
    public static EventEmitter once(String event, EventEmitter.Listener listener) {
        return events().once(event, listener);
    }

    /**
     * Adds a one-time listener that ignores the arguments to {@link #events()}.
     *
     * @param event the event's name
     * @param listener runs once
     * @return the emitter
     */
    public static EventEmitter once(String event, Runnable listener) {
        return events().once(event, listener);
    }

    /**
     * Removes a listener from {@link #events()}.
     *
     * @param event the event's name
     * @param listener the listener as given to on/once
     * @return the emitter
     */
    public static EventEmitter off(String event, Object listener) {
        return events().off(event, listener);
    }

    /**
     * Removes every listener of {@code event} from {@link #events()}.
     *
     * @param event the event's name
     * @return the emitter
     */
    public static EventEmitter removeAllListeners(String event) {
        return events().removeAllListeners(event);
    }

    // ---------------------------------------------------------------- for net and dgram

    /**
     * A worker's listen request (the options of Node's {@code cluster._getServer}).
     *
     * @param address the address as given (null: every address), or the Unix socket's path
     * @param port the port, or -1 for a Unix socket
     * @param addressType 4, 6 or -1 (Integer), or "udp4" / "udp6"
     * @param fd a descriptor to listen on, or null
     * @param flags bind flags (IPv6-only, reuseAddr), or null when not given
     * @param backlog the listen backlog, or null for UDP
     */
    public record ServerQuery(String address, int port, Object addressType, Integer fd, Integer flags, Integer backlog) {}

    /**
     * What the primary gave a worker's server or dgram socket (Node's handle from
     * {@code cluster._getServer}). For net and dgram; not for programs.
     */
    public interface WorkerHandle {
        /**
         * The socket to listen on (shared, or the worker's own SO_REUSEPORT socket): a bound Tcp,
         * Pipe or Udp, now the caller's; null for round-robin, where connections come through
         * {@code net.Server.acceptFromPrimary}.
         *
         * @return the handle, or null
         */
        Handle handle();

        /**
         * Round-robin: the primary's listening address, or null for a Unix socket.
         *
         * @return the address, or null
         */
        AddressInfo address();

        /** Round-robin: keep the process alive while listening (Node's faux handle's ref). */
        void ref();

        /** Round-robin: lets the process exit while listening. */
        void unref();

        /** The server or socket closed: tells the primary (Node's 'close' message). Idempotent. */
        void close();
    }

    /** The primary's answer: {@code errno} 0 and a handle, or a negative libuv errno and null. */
    @FunctionalInterface
    public interface GetServerCallback {
        /**
         * Gets the primary's answer.
         *
         * @param errno 0, or a negative libuv errno
         * @param handle the handle when errno is 0, else null
         */
        void done(int errno, WorkerHandle handle);
    }

    /**
     * Node's {@code cluster._getServer}: asks the primary for the socket of {@code obj} (a
     * {@code net.Server} or a {@code dgram.Socket}) and calls back with it; once {@code obj}
     * emits 'listening', tells the primary. For net and dgram; in a worker only.
     *
     * @param obj the net.Server or dgram.Socket
     * @param query what it listens on
     * @param callback gets the primary's answer
     */
    public static void getServer(EventEmitter obj, ServerQuery query, GetServerCallback callback) {
        if (!(side() instanceof Child c)) throw new IllegalStateException("cluster._getServer() is for workers");
        c.getServer(obj, query, callback);
    }
}
