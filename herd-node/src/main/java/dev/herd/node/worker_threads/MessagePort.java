package dev.herd.node.worker_threads;

import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.internal.Environment;
import dev.herd.node.value.DataCloneError;
import dev.herd.node.value.Message;
import dev.herd.node.value.Transferable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Node's {@code MessagePort}: one end of a {@link MessageChannel} (or a worker's
 * {@link WorkerThreads#parentPort()}). {@link #postMessage} sends a structured clone of a value to
 * the other end, which emits it as a 'message' event, in order; ArrayBuffers and other ports in
 * the transfer list are moved, not copied. A port is {@link Transferable}: listed in a transfer
 * list, it moves to the receiving thread, with the messages queued for it, and this object is left
 * detached (its posts are dropped).
 *
 * <p>Events: 'message' (the value), 'close' (after {@link #close()} on either end), and
 * 'messageerror', which Herd never emits: a message is cloned on the sending thread, so a value
 * the receiver could not take fails the sender's {@code postMessage} with a DataCloneError.
 *
 * <p>Receiving starts with the first 'message' listener (or {@link #start()}); until then
 * messages queue ({@link WorkerThreads#receiveMessageOnPort} takes them one at a time). As in Node
 * a port does not keep its loop alive until it has a 'message' listener, and no longer once the
 * last one is removed; {@link #ref()}/{@link #unref()} override that.
 *
 * <p>Thread rule: the loop thread of the environment that owns the port (the one that made it, or
 * received it); other threads get IllegalStateException. Lifetime: a handle of that loop until
 * closed, transferred, or the environment ends (which closes it; the other end then sees
 * 'close').
 */
public final class MessagePort extends EventEmitter implements Transferable {
    /** 'message' (the value posted on the other end). */
    public static final Event<Consumer<Object>> MESSAGE = Event.of(MessagePort.class, "message", Object.class);
    /** 'close': this end or the other was closed. */
    public static final Event<Runnable> CLOSE = Event.of(MessagePort.class, "close");

    /** Messages delivered per wakeup before the port yields to the rest of the loop (Node's minimum batch). */
    static final int MESSAGES_PER_TURN = 1000;

    final PortState state;
    private Environment env;
    private PortHandle handle;
    private Spinner spinner;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private boolean started;
    private boolean closed;
    private boolean detached;
    /** The object this port became at the receiver in the transfer being prepared. */
    MessagePort transferredTo;
    /** Runs when the port's handle closes, whatever closed it (BroadcastChannel leaves its registry). */
    Runnable closeHook;

    /** A port bound to {@code env}'s loop. */
    MessagePort(PortState state, Environment env) {
        this.state = state;
        bind(env);
    }

    /** A port in transit: bound when the message carrying it is delivered. */
    private MessagePort(PortState state) {
        this.state = state;
    }

    /** Binds a port that arrived in a message to the receiving environment. */
    void bind(Environment environment) {
        this.env = environment;
        this.handle = new PortHandle(environment.loop(), this);
        this.spinner = Spinner.of(environment);
        handle.unref(); // as Node's setupPortReferencing: ref'd by the first 'message' listener
        state.owner = this::schedule;
    }

    // ---------------------------------------------------------------- posting

    /**
     * {@link #postMessage(Object, List)} with no transfer list.
     *
     * @param value the message
     */
    public void postMessage(Object value) {
        postMessage(value, null);
    }

    /**
     * Sends a structured clone of {@code value} to the other end; the objects in
     * {@code transferList} (ArrayBuffers, MessagePorts) are moved to it and detached here. A
     * message to a closed channel is dropped silently, as in Node; so is one posted on a port that
     * was transferred away.
     *
     * @param value the message
     * @param transferList the objects to move, or null
     * @throws DataCloneError if the value cannot be cloned or the list not transferred (then nothing
     *     was sent or detached); also when the list holds this port
     */
    public void postMessage(Object value, List<?> transferList) {
        checkThread();
        if (transferList != null) {
            for (Object o : transferList) {
                if (o == this) throw new DataCloneError("Transfer list contains source port");
            }
        }
        Envelope e = Messages.envelope(value, transferList);
        if (detached || closed) {
            e.discard();
            return;
        }
        PortState target = state.peer.get();
        for (MessagePort p : e.ports) {
            if (target != null && p.state == target) {
                // The other end sent through itself: Node drops the channel with this warning.
                env.process().emitWarning("The target port was posted to itself, and the communication channel was lost");
                e.discard();
                return;
            }
        }
        if (!state.post(e)) e.discard();
    }

    // ---------------------------------------------------------------- receiving

    /** Starts delivering queued and future messages as 'message' events. Idempotent. */
    public void start() {
        checkThread();
        if (started || closed || detached) return;
        started = true;
        // Unconditionally: while the port was not started, a drain left 'scheduled' set (so that
        // senders need not wake it), and a message being linked right now may not be visible yet.
        forceSchedule();
    }

    /** The inbox has mail: drain it on this port's loop (PortState's receiver; any thread). */
    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            Loop loop = handle.loop();
            loop.execute(drainTask);
        }
    }

    private void forceSchedule() {
        scheduled.set(true);
        handle.loop().execute(drainTask);
    }

    /** Delivers up to {@link #MESSAGES_PER_TURN} messages; on this port's loop thread. */
    private void drain() {
        if (!started) return; // keep 'scheduled' set: senders need not wake us until start()
        scheduled.set(false);
        for (int i = 0; i < MESSAGES_PER_TURN; i++) {
            if (closed || detached) return; // a listener closed or transferred the port
            Envelope e = state.poll();
            if (e == null) return;
            if (i == 0) spinner.arrived();
            dispatch(e);
        }
        schedule();
    }

    private void dispatch(Envelope e) {
        if (e.kind == Envelope.CLOSE) {
            closeLocally();
            return;
        }
        for (MessagePort p : e.ports) p.bind(env);
        Object value = e.value;
        env.makeCallback(() -> emit("message", value));
    }

    /** Node's receiveMessageOnPort: the oldest queued message, or null (also for a closed port). */
    Message receiveOne() {
        checkThread();
        while (!closed && !detached) {
            Envelope e = state.poll();
            if (e == null) return null;
            if (e.kind == Envelope.CLOSE) {
                closeLocally();
                return null;
            }
            for (MessagePort p : e.ports) p.bind(env);
            return new Message(e.value);
        }
        return null;
    }

    // ---------------------------------------------------------------- close, ref

    /**
     * Disentangles the channel: no more messages either way; both ends emit 'close' (the other
     * one after the messages sent to it before). Idempotent.
     */
    public void close() {
        checkThread();
        closeLocally();
    }

    private void closeLocally() {
        if (closed || detached) return;
        closed = true;
        handle.close(() -> env.makeCallback(() -> emit("close")));
    }

    /** Makes the port keep its loop alive (Node's port.ref()), listeners or not. */
    public void ref() {
        checkThread();
        if (!handle.isClosing()) handle.ref();
    }

    /** Lets the loop end even while the port has 'message' listeners. */
    public void unref() {
        checkThread();
        if (!handle.isClosing()) handle.unref();
    }

    /** {@return whether the port keeps its loop alive} */
    public boolean hasRef() {
        checkThread();
        return !handle.isClosing() && handle.hasRef();
    }

    @Override
    protected void listenerAdded(String event, int count) {
        if ("message".equals(event) && count == 1 && !closed && !detached) {
            handle.ref();
            start();
        }
    }

    @Override
    protected void listenerRemoved(String event, int count) {
        if ("message".equals(event) && count == 0 && !handle.isClosing()) handle.unref();
    }

    private void checkThread() {
        if (env == null) throw new IllegalStateException("MessagePort is in transit");
        env.checkThread();
    }

    // ---------------------------------------------------------------- transfer

    @Override
    public boolean isDetached() {
        return detached || closed;
    }

    @Override
    public Transfer prepareTransfer() {
        checkThread();
        if (isDetached()) throw new IllegalStateException("MessagePort is closed or was transferred");
        MessagePort target = new MessagePort(state);
        transferredTo = target;
        return new Transfer() {
            @Override
            public Object target() {
                return target;
            }

            @Override
            public void commit() {
                if (isDetached()) throw new IllegalStateException("MessagePort is closed or was transferred");
                detached = true;
                started = false;
                state.owner = null; // senders queue for the target until it binds
                handle.close();
            }
        };
    }

    /** Called once when the handle closes: by close(), the peer's close, a transfer, or the environment's end. */
    private void released() {
        if (!detached) {
            closed = true;
            state.close();
        }
        if (closeHook != null) closeHook.run();
    }

    @Override
    public String toString() {
        return "MessagePort { " + (detached ? "transferred" : closed ? "closed" : started ? "active" : "not started") + " }";
    }

    /**
     * The loop side of a port (Node's uv_async_t of a MessagePort): active from binding until
     * closed, so its ref flag alone decides whether it keeps the loop alive.
     */
    private static final class PortHandle extends Handle {
        private final MessagePort port;

        PortHandle(Loop loop, MessagePort port) {
            super(loop);
            this.port = port;
            activate();
        }

        @Override
        protected void doClose() {
            port.released();
        }
    }
}
