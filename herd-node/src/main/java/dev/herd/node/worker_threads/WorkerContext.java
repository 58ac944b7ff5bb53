package dev.herd.node.worker_threads;

import dev.herd.node.Herd;
import dev.herd.node.internal.Environment;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a worker thread and its {@link Worker} object share: the worker's identity and start-up
 * data, the two ends of its public channel, and the termination handshake. The worker thread's
 * side is also the {@link Environment.Embedder} of its environment, and its {@link #run()} is the
 * thread's body.
 *
 * <p>Thread rule: the final fields are set before the thread starts; {@link #environment},
 * {@link #terminateRequested} and {@link #parentGone} are the fields both threads touch (volatile);
 * {@link #parentPort} belongs to the worker thread.
 */
final class WorkerContext implements Environment.Embedder, Runnable {
    /** The context of the worker the calling thread runs, or null on a thread that is not a worker. */
    static final ThreadLocal<WorkerContext> CURRENT = new ThreadLocal<>();

    final int threadId;
    final String name;
    final Herd.Main entry;
    final String[] argv;
    final Map<String, String> env;
    final ResourceLimits resourceLimits;
    final Object workerData;
    final MessagePort[] workerDataPorts;
    final Map<Object, Object> environmentData;
    /** The worker's end: its parentPort. */
    final PortState workerSide;
    /** The parent's end: the Worker object's inbox, which also takes ONLINE, ERROR and EXIT. */
    final PortState parentSide;
    /** Completed with the exit code when the parent emits 'exit' (or by this thread if the parent is gone). */
    final CompletableFuture<Integer> exited = new CompletableFuture<>();

    /** The worker's environment once it exists; what terminate() needs to reach its loop. */
    volatile Environment environment;
    volatile boolean terminateRequested;
    /** The parent's environment ended first: nobody will process EXIT there. */
    volatile boolean parentGone;
    /** The worker's exit code once its environment is gone. */
    volatile Integer exitCode;
    /** The worker's parentPort (worker thread only). */
    MessagePort parentPort;
    /** Whether the entry was started (worker thread only). */
    private boolean online;

    WorkerContext(int threadId, String name, Herd.Main entry, String[] argv, Map<String, String> env,
            ResourceLimits resourceLimits, Object workerData, MessagePort[] workerDataPorts,
            Map<Object, Object> environmentData, PortState workerSide, PortState parentSide) {
        this.threadId = threadId;
        this.name = name;
        this.entry = entry;
        this.argv = argv;
        this.env = env;
        this.resourceLimits = resourceLimits;
        this.workerData = workerData;
        this.workerDataPorts = workerDataPorts;
        this.environmentData = environmentData;
        this.workerSide = workerSide;
        this.parentSide = parentSide;
    }

    /** The worker thread: one Herd environment, then EXIT to the parent. */
    @Override
    public void run() {
        CURRENT.set(this);
        int code;
        try {
            code = Environment.run(argv, entry, this);
        } catch (Throwable t) {
            // The environment could not even be made (no descriptors for epoll, ...): Node's
            // ERR_WORKER_INIT_FAILED arrives as 'error' too.
            parentSide.deliver(Envelope.error(t));
            code = 1;
        } finally {
            CURRENT.remove();
            environment = null;
        }
        Thread.interrupted(); // a terminate() racing with the end must not leave the flag to the exit path
        // Terminated, even if the loop ran dry before the terminating task could run: Node's code 1.
        if (terminateRequested && online) code = 1;
        exitCode = code;
        parentSide.deliver(Envelope.exit(code));
        if (parentGone) exited.complete(code); // read after exitCode: Worker's handle does it the other way round
    }

    // ---------------------------------------------------------------- Environment.Embedder

    @Override
    public Map<String, String> env() {
        return env;
    }

    @Override
    public void started(Environment e) {
        environment = e;
        if (terminateRequested) {
            // terminate() ran before the worker started: Node reports code 0 and no 'online'.
            throw e.terminate(0);
        }
        parentPort = new MessagePort(workerSide, e);
        for (MessagePort p : workerDataPorts) p.bind(e);
        EnvironmentData.install(e, environmentData);
        online = true;
        parentSide.deliver(Envelope.control(Envelope.ONLINE));
    }

    @Override
    public void uncaught(Throwable error) {
        if (terminateRequested) return; // what terminate() shook loose is not the worker's failure
        parentSide.deliver(Envelope.error(error));
    }

    // ---------------------------------------------------------------- termination

    /**
     * Asks the worker to stop at its loop's next turn. Any thread; idempotent. A worker blocked in
     * {@link Atomics#wait} (or another interruptible wait) is interrupted; code that never returns
     * to the loop keeps running until it does.
     */
    void requestTerminate(Thread thread) {
        terminateRequested = true;
        Environment e = environment; // read after the flag: started() reads them the other way round
        if (e != null) {
            e.loop().execute(() -> {
                throw e.terminate(1);
            });
            thread.interrupt();
        }
    }
}
