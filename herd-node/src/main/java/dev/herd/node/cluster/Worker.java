package dev.herd.node.cluster;

import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.NodeProcess;
import dev.herd.node.SendCallback;
import dev.herd.node.SendOptions;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.internal.cluster.ClusterSide;
import dev.herd.node.internal.cluster.WorkerAccess;
import java.util.OptionalInt;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Node's {@code cluster.Worker} (lib/internal/cluster/worker.js, with the methods primary.js and
 * child.js add): one worker process as the primary sees it ({@link Cluster#workers()}), or, inside
 * a worker, the worker itself ({@link Cluster#worker()}).
 *
 * <p>Events in the primary: 'online', 'listening' ({@link ListeningAddress}), 'disconnect',
 * 'exit' ({@code Integer code, String signal}), 'message' ({@code message, handle}), 'error'. In a
 * worker: 'disconnect', 'message', 'error'.
 *
 * <p>{@link #state()}: in the primary "none" → "online" → "listening" → "disconnected" → "dead";
 * in a worker "online" → "listening", then "disconnecting" or "destroying".
 *
 * <p>Thread rule: the loop thread of the environment that made it. Lifetime: in the primary until
 * it has both disconnected and exited (then it leaves {@link Cluster#workers()}); in a worker, the
 * process's.
 */
public final class Worker extends EventEmitter {
    /** 'online' (in the primary): the worker is running. */
    public static final Event<Runnable> ONLINE = Event.of(Worker.class, "online");
    /** 'listening' (the address; in the primary): a server of the worker is listening. */
    public static final Event<Consumer<ListeningAddress>> LISTENING = Event.of(Worker.class, "listening",
            ListeningAddress.class);
    /** 'disconnect': the IPC channel between the primary and the worker closed. */
    public static final Event<Runnable> DISCONNECT = Event.of(Worker.class, "disconnect");
    /** 'exit' (the exit code, the signal's name; in the primary): exactly one of the two is non-null. */
    public static final Event<BiConsumer<Integer, String>> EXIT = Event.of(Worker.class, "exit", Integer.class,
            String.class);
    /** 'message' (the message, a handle sent with it or null). */
    public static final Event<BiConsumer<Object, Object>> MESSAGE = Event.of(Worker.class, "message", Object.class,
            Object.class);

    static {
        // The cluster implementation (primary.js and child.js) makes workers and moves their state.
        WorkerAccess.register(new WorkerAccess() {
            @Override
            protected Worker newWorker(ClusterSide side, int id, ChildProcess process) {
                return new Worker(side, id, process);
            }

            @Override
            protected Worker newWorker(ClusterSide side, int id, NodeProcess process) {
                return new Worker(side, id, process);
            }

            @Override
            protected void state(Worker worker, String state) {
                worker.state = state;
            }

            @Override
            protected void exitedAfterDisconnect(Worker worker, Boolean value) {
                worker.exitedAfterDisconnect = value;
            }
        });
    }

    private final ClusterSide side;
    private final int id;
    private final ChildProcess childProcess;
    private final NodeProcess ownProcess;
    private String state;
    /** Node's {@code exitedAfterDisconnect}: null while undefined. */
    private Boolean exitedAfterDisconnect;

    /** A worker as the primary sees it: its ChildProcess's 'message' and 'error' become its own. */
    private Worker(ClusterSide side, int id, ChildProcess process) {
        this.side = side;
        this.id = id;
        this.childProcess = process;
        this.ownProcess = null;
        this.state = "none";
        process.on("error", a -> emit("error", a));
        process.on("message", a -> emit("message", a));
    }

    /** The worker itself, in a worker process. */
    private Worker(ClusterSide side, int id, NodeProcess process) {
        this.side = side;
        this.id = id;
        this.childProcess = null;
        this.ownProcess = process;
        this.state = "online";
        process.on("error", a -> emit("error", a));
        process.on("message", a -> emit("message", a));
    }

    /**
     * {@return the worker's id: 1 for the first fork, never reused (the key in {@link Cluster#workers()})}
     */
    public int id() {
        return id;
    }

    /** {@return the state, as named in the class comment} */
    public String state() {
        return state;
    }

    /**
     * The worker's process in the primary (Node's {@code worker.process}, the ChildProcess from
     * child_process.fork()).
     *
     * @return the worker's process
     * @throws IllegalStateException in a worker, where the process is the process object
     *     ({@code Globals.process()})
     */
    public ChildProcess process() {
        if (childProcess == null) {
            throw new IllegalStateException("in a worker, worker.process is the process object: use Globals.process()");
        }
        return childProcess;
    }

    /** {@return the worker's pid (in the primary, null if it could not be started)} */
    public Integer pid() {
        return childProcess != null ? childProcess.pid() : ownProcess.pid();
    }

    /**
     * The worker's pid, Java-shaped: {@link #pid()} without the null.
     *
     * @return the pid, or empty in the primary if the worker could not be started
     */
    public OptionalInt pidIfStarted() {
        Integer pid = pid();
        return pid == null ? OptionalInt.empty() : OptionalInt.of(pid);
    }

    /**
     * True if the worker exited after {@link #disconnect} (in either process) or its own
     * {@link #kill}, false if it exited any other way (a crash, a signal, the primary's
     * {@link #kill}), null (Node's undefined) while it has not exited or disconnected.
     *
     * @return true, false or null
     */
    public Boolean exitedAfterDisconnect() {
        return exitedAfterDisconnect;
    }

    /**
     * {@link #exitedAfterDisconnect()} as a boolean: whether the worker is going away or went away
     * on purpose (after {@link #disconnect} or its own {@link #kill}), so a primary that restarts
     * crashed workers can write {@code if (!worker.isExitedAfterDisconnect()) Cluster.fork();}.
     *
     * @return true only where {@link #exitedAfterDisconnect()} is true; false for false and for null
     */
    public boolean isExitedAfterDisconnect() {
        return Boolean.TRUE.equals(exitedAfterDisconnect);
    }

    /** {@return whether the IPC channel to the primary (or in the primary, to the worker) is open} */
    public boolean isConnected() {
        return childProcess != null ? childProcess.connected() : ownProcess.connected();
    }

    /** {@return whether the worker's process has exited or been killed} */
    public boolean isDead() {
        if (childProcess != null) return childProcess.exitCode() != null || childProcess.signalCode() != null;
        return false; // a worker asking about itself is alive
    }

    /**
     * Sends a message to the worker (in the primary) or to the primary (in a worker), with an
     * optional handle, as {@link ChildProcess#send} and {@code process.send} do.
     *
     * @param message the message: a value of the value model
     * @param handle a handle to send with it, or null
     * @param options send options, or null
     * @param callback runs once the message is written or failed, or null
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message, Object handle, SendOptions options, SendCallback callback) {
        return childProcess != null ? childProcess.send(message, handle, options, callback)
                : ownProcess.send(message, handle, options, callback);
    }

    /**
     * Sends a message alone.
     *
     * @param message the message
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message) {
        return send(message, null, null, null);
    }

    /**
     * Sends a message with a callback.
     *
     * @param message the message
     * @param callback runs once the message is written or failed
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message, SendCallback callback) {
        return send(message, null, null, callback);
    }

    /**
     * Sends a message with a handle.
     *
     * @param message the message
     * @param handle a handle to send with it
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message, Object handle) {
        return send(message, handle, null, null);
    }

    /**
     * Graceful stop. In the primary: tells the worker to close its servers and then its channel
     * (it exits once idle); sets {@link #exitedAfterDisconnect()} at once and drops the worker from
     * {@link Cluster#workers()}. In a worker: closes every server, waits for their 'close', then
     * disconnects. Returns this worker.
     *
     * @return this worker
     */
    public Worker disconnect() {
        side.disconnect(this);
        return this;
    }

    /** {@link #kill(String)} with SIGTERM. */
    public void kill() {
        kill("SIGTERM");
    }

    /**
     * Ends the worker. In the primary, as Node v20 does: sends {@code signal} to the worker's
     * process at once (Node's cluster page still describes the older disconnect-then-signal);
     * {@link #exitedAfterDisconnect()} is not set, so after 'disconnect' and 'exit' (null, signal)
     * it is false unless {@link #disconnect()} came first. In a worker, whatever the signal: tells
     * the primary (which sets exitedAfterDisconnect), disconnects and exits with code 0.
     *
     * @param signal the signal's name (in the primary)
     */
    public void kill(String signal) {
        side.destroy(this, signal);
    }

    /**
     * Alias of {@link #kill(String)}.
     *
     * @param signal the signal's name (in the primary)
     */
    public void destroy(String signal) {
        kill(signal);
    }

    /** Alias of {@link #kill()}. */
    public void destroy() {
        kill();
    }

    @Override
    public String toString() {
        return "Worker[id=" + id + ", pid=" + pid() + ", state=" + state + "]";
    }
}
