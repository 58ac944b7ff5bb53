package dev.herd.node.cluster;

import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.cluster.ClusterPrimary;
import dev.herd.node.internal.cluster.ClusterSide;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

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
 *         Cluster.on(Cluster.EXIT, (worker, code, signal) -> System.out.println("worker " + worker.pid() + " died"));
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
 * <p>Events (register with {@link #on(Event, Object)} and the keys below, or by name with
 * {@link #on(String, EventEmitter.Listener)}): 'fork' (worker), 'online' (worker), 'listening'
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

    /** 'fork' (the worker): {@link #fork()} started it. */
    public static final Event<Consumer<Worker>> FORK = Event.of(Cluster.class, "fork", Worker.class);
    /** 'online' (the worker): it is running. */
    public static final Event<Consumer<Worker>> ONLINE = Event.of(Cluster.class, "online", Worker.class);
    /** 'listening' (the worker, the address): a server of the worker is listening. */
    public static final Event<BiConsumer<Worker, ListeningAddress>> LISTENING = Event.of(Cluster.class, "listening",
            Worker.class, ListeningAddress.class);
    /** 'disconnect' (the worker): its IPC channel closed. */
    public static final Event<Consumer<Worker>> DISCONNECT = Event.of(Cluster.class, "disconnect", Worker.class);
    /** 'exit' (the worker, the exit code, the signal's name): exactly one of the last two is non-null. */
    public static final Event<Event.Listener3<Worker, Integer, String>> EXIT = Event.of(Cluster.class, "exit", Worker.class,
            Integer.class, String.class);
    /** 'message' (the worker, the message, a handle sent with it or null). */
    public static final Event<Event.Listener3<Worker, Object, Object>> MESSAGE = Event.of(Cluster.class, "message",
            Worker.class, Object.class, Object.class);
    /** 'setup' (the settings): {@link #setupPrimary} ran. */
    public static final Event<Consumer<ClusterSettings>> SETUP = Event.of(Cluster.class, "setup", ClusterSettings.class);

    private Cluster() {}

    private static ClusterSide side() {
        return ClusterSide.of(Environment.current());
    }

    private static ClusterPrimary primary(String what) {
        if (side() instanceof ClusterPrimary p) return p;
        throw new IllegalStateException("cluster." + what + "() can only be called in the primary");
    }

    // ---------------------------------------------------------------- who am I

    /**
     * True in the primary: the process was not started by cluster.fork().
     *
     * @return whether this process is the primary
     */
    public static boolean isPrimary() {
        return side() instanceof ClusterPrimary;
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
        return !(side() instanceof ClusterPrimary);
    }

    /** {@return in a worker, the worker itself; null in the primary} */
    public static Worker worker() {
        return side().worker();
    }

    /**
     * The primary's live workers by id, in id order (a worker leaves once it has both
     * disconnected and exited, before the last of those two events is emitted). Empty in a worker.
     * A read-only view.
     *
     * @return the live workers by id
     */
    public static Map<Integer, Worker> workers() {
        return side() instanceof ClusterPrimary p ? p.workers() : Map.of();
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
        return side() instanceof ClusterPrimary p ? p.settings() : ClusterSettings.NONE;
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
        return side() instanceof ClusterPrimary p ? p.schedulingPolicy() : SCHED_RR;
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
        primary("schedulingPolicy").schedulingPolicy(policy);
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
     * Adds a typed listener to {@link #events()}: {@code Cluster.on(Cluster.EXIT, (worker, code,
     * signal) -> ...)}.
     *
     * @param <L> the listener's shape
     * @param event one of this class's keys
     * @param listener gets the event's arguments
     * @return the emitter
     * @throws IllegalArgumentException for a key of another emitter type
     */
    public static <L> EventEmitter on(Event<L> event, L listener) {
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
     * Adds a one-time typed listener to {@link #events()}.
     *
     * @param <L> the listener's shape
     * @param event one of this class's keys
     * @param listener gets the event's arguments, once
     * @return the emitter
     * @throws IllegalArgumentException for a key of another emitter type
     */
    public static <L> EventEmitter once(Event<L> event, L listener) {
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
     * Removes a typed listener from {@link #events()}.
     *
     * @param <L> the listener's shape
     * @param event the event's key
     * @param listener the listener as given to on/once
     * @return the emitter
     */
    public static <L> EventEmitter off(Event<L> event, L listener) {
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

    /**
     * Removes every listener of the keyed event from {@link #events()}.
     *
     * @param event the event's key
     * @return the emitter
     */
    public static EventEmitter removeAllListeners(Event<?> event) {
        return events().removeAllListeners(event);
    }
}
