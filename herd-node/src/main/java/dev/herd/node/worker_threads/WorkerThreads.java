package dev.herd.node.worker_threads;

import dev.herd.node.internal.Environment;
import dev.herd.node.value.Message;
import dev.herd.node.value.Undefined;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Node's {@code worker_threads} module: {@code import static
 * dev.herd.node.worker_threads.WorkerThreads.*;} and write {@code if (isMainThread()) ... else
 * parentPort().postMessage(...)} as in Node. The classes are {@link Worker}, {@link MessageChannel},
 * {@link MessagePort}, {@link BroadcastChannel}, and for shared memory {@link SharedArrayBuffer}
 * with {@link Atomics}.
 *
 * <p>Thread rule: a Herd loop thread (the answers are about the calling thread's environment).
 */
public final class WorkerThreads {
    /**
     * The {@code env} option that makes a worker share its parent's {@code process.env} map
     * instead of copying it (Node's {@code SHARE_ENV}): writes on either side are seen by both.
     */
    public static final Map<String, String> SHARE_ENV = Collections.unmodifiableMap(new HashMap<>());

    private WorkerThreads() {}

    /** {@return whether the calling thread is not a worker's} */
    public static boolean isMainThread() {
        return WorkerContext.CURRENT.get() == null;
    }

    /**
     * {@return the worker's end of the channel to its parent ({@link Worker#postMessage} arrives here); null on the main thread}
     */
    public static MessagePort parentPort() {
        WorkerContext c = WorkerContext.CURRENT.get();
        return c == null ? null : c.parentPort;
    }

    /**
     * {@return the clone of the Worker's {@code workerData} option; null on the main thread or when none was given}
     */
    public static Object workerData() {
        WorkerContext c = WorkerContext.CURRENT.get();
        return c == null ? null : c.workerData;
    }

    /** {@return this thread's worker id; 0 on the main thread} */
    public static int threadId() {
        WorkerContext c = WorkerContext.CURRENT.get();
        return c == null ? 0 : c.threadId;
    }

    /** {@return the limits this worker runs with; {@link ResourceLimits#NONE} on the main thread} */
    public static ResourceLimits resourceLimits() {
        WorkerContext c = WorkerContext.CURRENT.get();
        return c == null ? ResourceLimits.NONE : c.resourceLimits;
    }

    /**
     * The oldest message queued on {@code port}, taken synchronously (Node's
     * {@code receiveMessageOnPort}), or null when there is none or the port is closed. Works
     * whether or not the port was started.
     *
     * @param port the port
     * @return the message, or null
     */
    public static Message receiveMessageOnPort(MessagePort port) {
        return port.receiveOne();
    }

    /**
     * Marks {@code object} (an ArrayBuffer, a MessagePort) so that transfer lists skip it: as in
     * Node 20, a marked ArrayBuffer in a transfer list is copied instead of moved.
     *
     * @param object the object to mark
     */
    public static void markAsUntransferable(Object object) {
        Messages.mark(object);
    }

    /**
     * Whether {@link #markAsUntransferable} marked {@code object}.
     *
     * @param object any object
     * @return whether it is marked
     */
    public static boolean isMarkedAsUntransferable(Object object) {
        return Messages.isMarked(object);
    }

    /**
     * The value this environment has for {@code key} (Node's getEnvironmentData), or null.
     *
     * @param key the key
     * @return the value, or null
     */
    public static Object getEnvironmentData(Object key) {
        return EnvironmentData.of(current()).get(key);
    }

    /**
     * Sets a value that every Worker made from now on by this environment receives a clone of
     * (and passes on to its own workers); null or {@link Undefined} deletes the key.
     *
     * @param key the key
     * @param value the value, or null to delete the key
     */
    public static void setEnvironmentData(Object key, Object value) {
        Map<Object, Object> data = EnvironmentData.of(current());
        if (value == null || value == Undefined.INSTANCE) data.remove(key);
        else data.put(key, value);
    }

    private static Environment current() {
        Environment env = Environment.current();
        env.checkThread();
        return env;
    }
}
