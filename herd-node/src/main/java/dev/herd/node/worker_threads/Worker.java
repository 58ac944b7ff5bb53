package dev.herd.node.worker_threads;

import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.Herd;
import dev.herd.node.internal.Environment;
import dev.herd.node.value.DataCloneError;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Node's {@code Worker}: a Herd environment — its own loop, timers, ticks and {@code process} —
 * on its own platform thread in this JVM. The entry is a class's {@code public static void
 * main(String[])} (Node's {@code new Worker(__filename)}: if that main calls {@link Herd#run} it
 * runs inline in the worker, so one class can hold both sides behind
 * {@link WorkerThreads#isMainThread()}) or a {@link Herd.Main} lambda. Nothing is shared with the
 * parent but what is posted ({@link #postMessage}: a structured clone, or moved by a transfer list),
 * workerData, the environment data, and explicit {@link SharedArrayBuffer}s.
 *
 * <p>Events, on the parent's loop: 'online' (the worker's entry is about to run), 'message'
 * (a value the worker posted on its parentPort), 'error' (an uncaught exception ended the worker:
 * the Throwable itself), 'exit' (the exit code: the entry's process.exitCode or process.exit's
 * argument, 1 after an uncaught exception or {@link #terminate()}); 'messageerror' is never
 * emitted (see {@link MessagePort}). Everything the worker posted is delivered before 'error' and
 * 'exit'. An 'error' with no listener is thrown in the parent, as in Node.
 *
 * <p>Thread rule: the parent's loop thread (where it was made). Lifetime: a referenced handle of
 * the parent's loop (see {@link #unref()}) until 'exit'; if the parent's environment ends first,
 * the worker is terminated.
 */
public final class Worker extends EventEmitter {
    /** 'online': the worker's entry is about to run. */
    public static final Event<Runnable> ONLINE = Event.of(Worker.class, "online");
    /** 'message' (the value the worker posted). */
    public static final Event<Consumer<Object>> MESSAGE = Event.of(Worker.class, "message", Object.class);
    /** 'exit' (the exit code): the worker ended. */
    public static final Event<Consumer<Integer>> EXIT = Event.of(Worker.class, "exit", Integer.class);

    private static final AtomicInteger NEXT_THREAD_ID = new AtomicInteger();

    private final Environment env;
    private final WorkerContext context;
    private final Thread thread;
    private final WorkerHandle handle;
    private final Spinner spinner;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private int threadId;
    private boolean exited;

    /**
     * {@link #Worker(Class, WorkerOptions)} with default options.
     *
     * @param mainClass a public class with a {@code public static void main(String[])}
     */
    public Worker(Class<?> mainClass) {
        this(mainClass, WorkerOptions.DEFAULTS);
    }

    /**
     * A worker that runs {@code mainClass}'s {@code public static void main(String[])} with the
     * options' argv.
     *
     * @param mainClass a public class with a {@code public static void main(String[])}
     * @param options workerData, argv, env, name and limits
     * @throws IllegalArgumentException if the class has no such method
     * @throws DataCloneError if workerData cannot be cloned
     */
    public Worker(Class<?> mainClass, WorkerOptions options) {
        this(mainOf(mainClass), options, mainClass.getSimpleName());
    }

    /**
     * {@link #Worker(Herd.Main, WorkerOptions)} with default options.
     *
     * @param entry the worker's main body
     */
    public Worker(Herd.Main entry) {
        this(entry, WorkerOptions.DEFAULTS);
    }

    /**
     * A worker that runs {@code entry} (with the options' argv) in its environment.
     *
     * @param entry the worker's main body
     * @param options workerData, argv, env, name and limits
     * @throws DataCloneError if workerData cannot be cloned
     */
    public Worker(Herd.Main entry, WorkerOptions options) {
        this(entry, options, null);
    }

    private Worker(Herd.Main entry, WorkerOptions options, String entryName) {
        if (entry == null) throw new NullPointerException("entry");
        if (options == null) options = WorkerOptions.DEFAULTS;
        this.env = Environment.current();
        env.checkThread();

        // Everything cloned here, on the parent's thread; workerData last, since its transfers
        // detach the sender's objects and nothing after it may fail.
        Map<Object, Object> environmentData = EnvironmentData.cloneFor(env);
        Map<String, String> workerEnv = options.sharesEnv() ? env.process().env()
                : new ConcurrentHashMap<>(options.env() != null ? options.env() : env.process().env());
        Envelope data = Messages.envelope(options.workerData(), options.transferList());
        PortState[] ends = PortState.pair();
        int id = NEXT_THREAD_ID.incrementAndGet();
        this.threadId = id;
        this.context = new WorkerContext(id, options.name(), entry, options.argv().toArray(String[]::new), workerEnv,
                options.resourceLimits().withDefaults(), data.value, data.ports, environmentData, ends[1], ends[0]);

        this.handle = new WorkerHandle(env.loop(), this);
        this.spinner = Spinner.of(env);
        ends[0].owner = this::schedule;
        String threadName = "herd-worker-" + id + (options.name().isEmpty() ? "" : " " + options.name())
                + (entryName == null ? "" : " (" + entryName + ")");
        try {
            // Daemon: as in Node, the main program's end ends the process, workers or not.
            this.thread = Thread.ofPlatform().name(threadName).daemon(true)
                    .stackSize(context.resourceLimits.stackSizeBytes()).start(context);
        } catch (Throwable t) {
            exited = true;
            handle.close();
            data.discard();
            ends[0].close();
            ends[1].close();
            throw t;
        }
    }

    private static Herd.Main mainOf(Class<?> type) {
        MethodHandle main;
        try {
            main = MethodHandles.publicLookup().findStatic(type, "main", MethodType.methodType(void.class, String[].class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException(type.getName() + " has no public static void main(String[])"
                    + (Modifier.isPublic(type.getModifiers()) ? "" : " in a public class"), e);
        }
        return args -> {
            try {
                main.invokeExact(args);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
    }

    // ---------------------------------------------------------------- API

    /** {@return the worker's thread id (1, 2, ... in this process; the main thread is 0), -1 after 'exit'} */
    public int threadId() {
        return threadId;
    }

    /** {@return the limits the worker runs with (stack size filled in); see {@link ResourceLimits}} */
    public ResourceLimits resourceLimits() {
        return exited ? ResourceLimits.NONE : context.resourceLimits;
    }

    /**
     * {@link #postMessage(Object, List)} with no transfer list.
     *
     * @param value the message
     */
    public void postMessage(Object value) {
        postMessage(value, null);
    }

    /**
     * Sends a structured clone of {@code value} to the worker's parentPort (queued until the worker
     * listens); the objects in {@code transferList} are moved. After the worker exited, or closed
     * its parentPort, the message is dropped silently, as in Node.
     *
     * @param value the message
     * @param transferList the objects to move, or null
     * @throws DataCloneError if the value cannot be cloned or the list not transferred
     */
    public void postMessage(Object value, List<?> transferList) {
        env.checkThread();
        Envelope e = Messages.envelope(value, transferList);
        if (!context.parentSide.post(e)) e.discard();
    }

    /**
     * Stops the worker (Node's {@code worker.terminate()}): its loop ends at its next turn, without
     * the worker's 'exit' listeners, its handles are closed, and the future completes with the exit
     * code when 'exit' is emitted here — 1, or 0 if the worker had not started its entry yet. A
     * worker blocked in {@link Atomics#wait}, Thread.sleep or another interruptible call is
     * interrupted; Java cannot stop code that never returns to the loop or checks
     * {@code Thread.interrupted()}, so such a worker ends (and the future completes) only once it
     * does. Called again, it returns the same future; after 'exit', a future of null (Node's
     * promise resolves to undefined then).
     *
     * @return a future of the exit code
     */
    public CompletableFuture<Integer> terminate() {
        env.checkThread();
        if (exited) return CompletableFuture.completedFuture(null);
        if (!context.terminateRequested) context.requestTerminate(thread);
        return context.exited;
    }

    /** Makes the worker keep the parent's loop alive (the default). */
    public void ref() {
        env.checkThread();
        if (!handle.isClosing()) handle.ref();
    }

    /** Lets the parent's loop end while the worker runs (it is then terminated with the parent). */
    public void unref() {
        env.checkThread();
        if (!handle.isClosing()) handle.unref();
    }

    /** {@return whether the worker keeps the parent's loop alive} */
    public boolean hasRef() {
        env.checkThread();
        return !handle.isClosing() && handle.hasRef();
    }

    // ---------------------------------------------------------------- what the worker sends

    /** The parent side's inbox has mail: drain it on this loop (PortState's receiver; any thread). */
    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) env.loop().execute(drainTask);
    }

    private void drain() {
        scheduled.set(false);
        for (int i = 0; i < MessagePort.MESSAGES_PER_TURN; i++) {
            if (exited) return;
            Envelope e = context.parentSide.poll();
            if (e == null) return;
            if (i == 0) spinner.arrived();
            dispatch(e);
        }
        schedule();
    }

    private void dispatch(Envelope e) {
        switch (e.kind) {
            case Envelope.MESSAGE -> {
                for (MessagePort p : e.ports) p.bind(env);
                Object value = e.value;
                env.makeCallback(() -> emit("message", value));
            }
            case Envelope.ONLINE -> env.makeCallback(() -> emit("online"));
            case Envelope.ERROR -> {
                Object error = e.value;
                env.makeCallback(() -> emit("error", error));
            }
            case Envelope.EXIT -> onExit(e.code);
            default -> {
                // CLOSE: the worker closed its parentPort. Control messages still come through.
            }
        }
    }

    private void onExit(int code) {
        exited = true;
        threadId = -1;
        handle.close();
        context.parentSide.close();
        env.makeCallback(() -> {
            try {
                emit("exit", code);
            } finally {
                context.exited.complete(code);
            }
        });
    }

    @Override
    public String toString() {
        return "Worker { threadId: " + threadId + (exited ? ", exited" : "") + " }";
    }

    /** The worker as a handle of the parent's loop: what keeps it alive, and what its end terminates. */
    private static final class WorkerHandle extends Handle {
        private final Worker worker;

        WorkerHandle(Loop loop, Worker worker) {
            super(loop);
            this.worker = worker;
            activate();
        }

        @Override
        protected void doClose() {
            if (worker.exited) return;
            // The parent's environment is ending with the worker still running: as Node's
            // process exit does, stop it; its thread completes the future, nobody here will.
            WorkerContext c = worker.context;
            c.parentGone = true;
            Integer code = c.exitCode; // read after the flag: the worker thread does it the other way round
            if (code != null) c.exited.complete(code);
            c.parentSide.close();
            c.requestTerminate(worker.thread);
        }
    }
}
