package dev.herd.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Node's {@code EventEmitter}: named events, listeners called synchronously in the order they
 * were added, {@code once} listeners removed before they run, and an 'error' event with no
 * listener thrown to the emitter's caller.
 *
 * <p>Thread rule: not thread-safe; an emitter belongs to the loop thread that made it.
 * Lifetime: an ordinary object.
 */
public class EventEmitter {
    /** A listener: gets the arguments given to {@link #emit}. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Handles one emit.
         *
         * @param args the event's arguments
         */
        void handle(Object... args);
    }

    private final Map<String, List<Entry>> events = new LinkedHashMap<>();

    /** An emitter with no listeners. */
    public EventEmitter() {}

    private record Entry(Listener listener, boolean once, Object original) {}

    /**
     * Adds {@code listener} at the end of the event's list (Node's {@code on}).
     *
     * @param event the event's name
     * @param listener gets the event's arguments
     * @return this emitter
     */
    public EventEmitter on(String event, Listener listener) {
        return add(event, listener, false, false, listener);
    }

    /**
     * {@link #on(String, Listener)} for a listener that ignores the arguments.
     *
     * @param event the event's name
     * @param listener runs on each emit
     * @return this emitter
     */
    public EventEmitter on(String event, Runnable listener) {
        return add(event, (Listener) args -> listener.run(), false, false, listener);
    }

    /**
     * Alias of {@link #on(String, Listener)}.
     *
     * @param event the event's name
     * @param listener gets the event's arguments
     * @return this emitter
     */
    public EventEmitter addListener(String event, Listener listener) {
        return on(event, listener);
    }

    /**
     * Adds a listener that is removed before its first call.
     *
     * @param event the event's name
     * @param listener gets the event's arguments, once
     * @return this emitter
     */
    public EventEmitter once(String event, Listener listener) {
        return add(event, listener, true, false, listener);
    }

    /**
     * {@link #once(String, Listener)} for a listener that ignores the arguments.
     *
     * @param event the event's name
     * @param listener runs once
     * @return this emitter
     */
    public EventEmitter once(String event, Runnable listener) {
        return add(event, (Listener) args -> listener.run(), true, false, listener);
    }

    /**
     * Adds {@code listener} at the front of the event's list.
     *
     * @param event the event's name
     * @param listener gets the event's arguments
     * @return this emitter
     */
    public EventEmitter prependListener(String event, Listener listener) {
        return add(event, listener, false, true, listener);
    }

    private EventEmitter add(String event, Listener listener, boolean once, boolean front, Object original) {
        if (event == null) throw new NullPointerException("event");
        if (listener == null) throw new NullPointerException("listener");
        List<Entry> list = events.computeIfAbsent(event, k -> new ArrayList<>());
        Entry e = new Entry(listener, once, original);
        if (front) list.addFirst(e);
        else list.add(e);
        listenerAdded(event, list.size());
        return this;
    }

    /**
     * Removes the most recently added instance of {@code listener} (the object given to on/once)
     * from the event's list (Node's {@code removeListener}).
     *
     * @param event the event's name
     * @param listener the listener as given to on/once
     * @return this emitter
     */
    public EventEmitter off(String event, Object listener) {
        List<Entry> list = events.get(event);
        if (list == null) return this;
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i).original == listener) {
                list.remove(i);
                if (list.isEmpty()) events.remove(event);
                listenerRemoved(event, list.size());
                break;
            }
        }
        return this;
    }

    /**
     * Alias of {@link #off}.
     *
     * @param event the event's name
     * @param listener the listener as given to on/once
     * @return this emitter
     */
    public EventEmitter removeListener(String event, Object listener) {
        return off(event, listener);
    }

    /**
     * Removes every listener of {@code event}.
     *
     * @param event the event's name
     * @return this emitter
     */
    public EventEmitter removeAllListeners(String event) {
        if (events.remove(event) != null) listenerRemoved(event, 0);
        return this;
    }

    /**
     * Removes every listener of every event.
     *
     * @return this emitter
     */
    public EventEmitter removeAllListeners() {
        for (String e : new ArrayList<>(events.keySet())) removeAllListeners(e);
        return this;
    }

    /**
     * Calls the event's listeners in order with {@code args}; returns whether there were any. An
     * 'error' event without listeners throws its first argument (wrapped if it is not unchecked).
     * Listeners added during the emit are not called for it; listeners removed during it still are,
     * as in Node.
     *
     * @param event the event's name
     * @param args the arguments the listeners get
     * @return whether the event had listeners
     */
    public boolean emit(String event, Object... args) {
        List<Entry> list = events.get(event);
        if (list == null || list.isEmpty()) {
            if ("error".equals(event)) {
                Object err = args.length > 0 ? args[0] : null;
                if (err instanceof RuntimeException re) throw re;
                if (err instanceof Error e) throw e;
                if (err instanceof Throwable t) throw new RuntimeException(t);
                throw new IllegalStateException("Unhandled error." + (err == null ? "" : " (" + err + ")"));
            }
            return false;
        }
        Entry[] snapshot = list.toArray(new Entry[0]);
        for (Entry e : snapshot) {
            if (e.once) {
                List<Entry> current = events.get(event);
                if (current == null || !current.remove(e)) continue; // already removed
                if (current.isEmpty()) events.remove(event);
                listenerRemoved(event, current.size());
            }
            e.listener.handle(args);
        }
        return true;
    }

    /**
     * Number of listeners of {@code event}.
     *
     * @param event the event's name
     * @return the number of its listeners
     */
    public int listenerCount(String event) {
        List<Entry> list = events.get(event);
        return list == null ? 0 : list.size();
    }

    /**
     * The listeners of {@code event} as given to on/once, in call order.
     *
     * @param event the event's name
     * @return its listeners
     */
    public List<Object> listeners(String event) {
        List<Entry> list = events.get(event);
        List<Object> out = new ArrayList<>();
        if (list != null) for (Entry e : list) out.add(e.original);
        return out;
    }

    /** {@return the events that have listeners} */
    public Set<String> eventNames() {
        return Set.copyOf(events.keySet());
    }

    /**
     * Hook for subclasses: a listener was added; {@code count} is the event's new count.
     *
     * @param event the event's name
     * @param count its listeners now
     */
    protected void listenerAdded(String event, int count) {}

    /**
     * Hook for subclasses: a listener was removed; {@code count} is the event's new count.
     *
     * @param event the event's name
     * @param count its listeners now
     */
    protected void listenerRemoved(String event, int count) {}
}
