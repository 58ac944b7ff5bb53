package dev.herd.node.worker_threads;

import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.internal.Environment;
import dev.herd.node.value.DataCloneError;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Node's {@code BroadcastChannel}: every channel of one name, on any thread of this process,
 * receives what any other one posts (not its own posts), each as its own structured clone.
 * Events: 'message' (the value; Node's EventTarget form hands a MessageEvent whose {@code data} it
 * is) and 'messageerror' (never emitted, see {@link MessagePort}). As a port, a channel keeps its
 * loop alive while it has a 'message' listener, unless {@link #unref()}'d.
 *
 * <p>Thread rule: the loop thread that made it. Lifetime: until {@link #close()} or the end of its
 * environment.
 */
public final class BroadcastChannel extends EventEmitter {
    /** 'message' (the value another channel of this name posted). */
    public static final Event<Consumer<Object>> MESSAGE = Event.of(BroadcastChannel.class, "message", Object.class);

    /** Open channels by name, across threads. */
    private static final Map<String, List<BroadcastChannel>> CHANNELS = new ConcurrentHashMap<>();

    private final String name;
    private final Environment env;
    /** Receives for this channel: an unentangled port that senders deliver to directly. */
    private final MessagePort port;
    private volatile boolean closed;

    /**
     * Joins the channel called {@code name}.
     *
     * @param name the channel's name
     */
    public BroadcastChannel(String name) {
        if (name == null) throw new NullPointerException("name");
        this.name = name;
        this.env = Environment.current();
        env.checkThread();
        this.port = new MessagePort(new PortState(), env);
        port.on(MessagePort.MESSAGE, message -> emit("message", message));
        port.unref(); // the port's own listener must not count: this channel's listeners decide
        port.closeHook = this::leave;
        CHANNELS.compute(name, (k, list) -> {
            if (list == null) list = new CopyOnWriteArrayList<>();
            list.add(this);
            return list;
        });
    }

    /** {@return the channel's name} */
    public String name() {
        return name;
    }

    /**
     * Sends a clone of {@code value} to every other open channel of this name.
     *
     * @param value the message
     * @throws IllegalStateException if this channel is closed (Node's InvalidStateError)
     * @throws DataCloneError if the value cannot be cloned
     */
    public void postMessage(Object value) {
        env.checkThread();
        if (closed) throw new IllegalStateException("BroadcastChannel is closed.");
        Envelope e = Messages.envelope(value, null); // fails for an uncloneable value, receivers or not
        List<BroadcastChannel> members = CHANNELS.get(name);
        if (members == null) return;
        boolean fresh = true;
        for (BroadcastChannel other : members) {
            if (other == this || other.closed) continue;
            // One clone per receiver: receivers on different threads must not share objects.
            if (!fresh) e = Messages.envelope(value, null);
            fresh = false;
            other.port.state.deliver(e);
        }
    }

    /** Leaves the channel: no more messages to or from it. Idempotent. */
    public void close() {
        env.checkThread();
        port.close();
    }

    /** Lets the channel keep the loop alive while it has 'message' listeners (the default). */
    public void ref() {
        port.ref();
    }

    /** Lets the loop end while the channel is open. */
    public void unref() {
        port.unref();
    }

    private void leave() {
        closed = true;
        CHANNELS.computeIfPresent(name, (k, list) -> {
            list.remove(this);
            return list.isEmpty() ? null : list;
        });
    }

    @Override
    protected void listenerAdded(String event, int count) {
        if ("message".equals(event) && count == 1 && !closed) port.ref();
    }

    @Override
    protected void listenerRemoved(String event, int count) {
        if ("message".equals(event) && count == 0 && !closed) port.unref();
    }

    @Override
    public String toString() {
        return "BroadcastChannel { name: '" + name + "', active: " + !closed + " }";
    }
}
