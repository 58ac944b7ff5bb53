package dev.herd.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Node's {@code EventEmitter}: named events, listeners called synchronously in the order they
 * were added, {@code once} listeners removed before they run, and an 'error' event with no
 * listener thrown to the emitter's caller.
 *
 * <p>Listeners are added in two forms. The typed form takes an {@link Event} key, a constant of
 * the emitting type that keeps Node's name, and a listener of the event's shape:
 * {@code child.on(ChildProcess.EXIT, (code, signal) -> ...)}; a misspelt key does not compile. The
 * string form is Node's own, a name and a listener of the emitted arguments:
 * {@code child.on("exit", args -> ...)}. Both go to the same list: {@code emit}, {@code once},
 * {@code off} (by the listener given), {@code listenerCount} and the order of calls are the same
 * whichever form added a listener.
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

    /**
     * Node's 'error' event, on every emitter: the error (an {@code ErrnoException} with Node's
     * code and syscall, a {@link NodeError}, ...). An 'error' emitted with no listener is thrown to
     * the emitter's caller.
     */
    public static final Event<Consumer<Throwable>> ERROR = Event.of(EventEmitter.class, "error", Throwable.class);

    private static final Entry[] NONE = new Entry[0];

    /**
     * Each event's listeners, copied on write: adding or removing makes a new array, so an emit
     * walks the array it found without copying it (listeners added or removed meanwhile do not
     * change that emit, as in Node), and an emit allocates nothing.
     */
    private final Map<String, Entry[]> events = new LinkedHashMap<>();

    /** An emitter with no listeners. */
    public EventEmitter() {}

    /** A listener as added: compared by identity, so two additions of one listener stay two. */
    private static final class Entry {
        final Listener listener;
        final boolean once;
        /** What the caller gave: off() and listeners() find it. */
        final Object original;

        Entry(Listener listener, boolean once, Object original) {
            this.listener = listener;
            this.once = once;
            this.original = original;
        }
    }

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
        return add(event, runner(listener), false, false, listener);
    }

    /**
     * Adds a typed listener at the end of the event's list: {@code on(ChildProcess.EXIT, (code,
     * signal) -> ...)}.
     *
     * @param <L> the listener's shape
     * @param event the event's key, a constant of this emitter's type
     * @param listener gets the event's arguments
     * @return this emitter
     * @throws IllegalArgumentException when the key is not an event of this emitter's type
     */
    public <L> EventEmitter on(Event<L> event, L listener) {
        return add(checked(event).name(), event.adapt(listener), false, false, listener);
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
     * Alias of {@link #on(Event, Object)}.
     *
     * @param <L> the listener's shape
     * @param event the event's key
     * @param listener gets the event's arguments
     * @return this emitter
     */
    public <L> EventEmitter addListener(Event<L> event, L listener) {
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
        return add(event, runner(listener), true, false, listener);
    }

    /**
     * Adds a typed listener that is removed before its first call; {@code off(event, listener)}
     * removes it before then.
     *
     * @param <L> the listener's shape
     * @param event the event's key, a constant of this emitter's type
     * @param listener gets the event's arguments, once
     * @return this emitter
     * @throws IllegalArgumentException when the key is not an event of this emitter's type
     */
    public <L> EventEmitter once(Event<L> event, L listener) {
        return add(checked(event).name(), event.adapt(listener), true, false, listener);
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

    /**
     * Adds a typed listener at the front of the event's list.
     *
     * @param <L> the listener's shape
     * @param event the event's key, a constant of this emitter's type
     * @param listener gets the event's arguments
     * @return this emitter
     * @throws IllegalArgumentException when the key is not an event of this emitter's type
     */
    public <L> EventEmitter prependListener(Event<L> event, L listener) {
        return add(checked(event).name(), event.adapt(listener), false, true, listener);
    }

    /**
     * Adds a listener at the front of the event's list that is removed before its first call.
     *
     * @param event the event's name
     * @param listener gets the event's arguments, once
     * @return this emitter
     */
    public EventEmitter prependOnceListener(String event, Listener listener) {
        return add(event, listener, true, true, listener);
    }

    /**
     * Adds a typed listener at the front of the event's list that is removed before its first call.
     *
     * @param <L> the listener's shape
     * @param event the event's key, a constant of this emitter's type
     * @param listener gets the event's arguments, once
     * @return this emitter
     * @throws IllegalArgumentException when the key is not an event of this emitter's type
     */
    public <L> EventEmitter prependOnceListener(Event<L> event, L listener) {
        return add(checked(event).name(), event.adapt(listener), true, true, listener);
    }

    private static Listener runner(Runnable listener) {
        if (listener == null) throw new NullPointerException("listener");
        return args -> listener.run();
    }

    private <L> Event<L> checked(Event<L> event) {
        if (!accepts(event)) {
            throw new IllegalArgumentException(event + " is not an event of " + getClass().getName());
        }
        return event;
    }

    /**
     * Whether typed listeners of {@code event} may be added here: by default, when this emitter is
     * an instance of the key's owner. An emitter that stands for a module (cluster's) accepts the
     * module's keys.
     *
     * @param event the event's key
     * @return whether it is one of this emitter's events
     */
    protected boolean accepts(Event<?> event) {
        return event.owner().isInstance(this);
    }

    private EventEmitter add(String event, Listener listener, boolean once, boolean front, Object original) {
        if (event == null) throw new NullPointerException("event");
        if (listener == null) throw new NullPointerException("listener");
        Entry[] old = events.getOrDefault(event, NONE);
        Entry[] list = new Entry[old.length + 1];
        Entry e = new Entry(listener, once, original);
        if (front) {
            list[0] = e;
            System.arraycopy(old, 0, list, 1, old.length);
        } else {
            System.arraycopy(old, 0, list, 0, old.length);
            list[old.length] = e;
        }
        events.put(event, list);
        listenerAdded(event, list.length);
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
        Entry[] list = events.get(event);
        if (list == null) return this;
        for (int i = list.length - 1; i >= 0; i--) {
            if (list[i].original == listener) {
                remove(event, list, i);
                break;
            }
        }
        return this;
    }

    /**
     * Removes the most recently added instance of a typed listener (the object given to
     * on/once, once or not).
     *
     * @param <L> the listener's shape
     * @param event the event's key
     * @param listener the listener as given to on/once
     * @return this emitter
     */
    public <L> EventEmitter off(Event<L> event, L listener) {
        return off(event.name(), listener);
    }

    /**
     * Alias of {@link #off(String, Object)}.
     *
     * @param event the event's name
     * @param listener the listener as given to on/once
     * @return this emitter
     */
    public EventEmitter removeListener(String event, Object listener) {
        return off(event, listener);
    }

    /**
     * Alias of {@link #off(Event, Object)}.
     *
     * @param <L> the listener's shape
     * @param event the event's key
     * @param listener the listener as given to on/once
     * @return this emitter
     */
    public <L> EventEmitter removeListener(Event<L> event, L listener) {
        return off(event.name(), listener);
    }

    /** Removes entry {@code i} of the event's current list {@code list}. */
    private void remove(String event, Entry[] list, int i) {
        if (list.length == 1) {
            events.remove(event);
        } else {
            Entry[] shorter = new Entry[list.length - 1];
            System.arraycopy(list, 0, shorter, 0, i);
            System.arraycopy(list, i + 1, shorter, i, list.length - i - 1);
            events.put(event, shorter);
        }
        listenerRemoved(event, list.length - 1);
    }

    /** Removes {@code e} if it is still listed; returns whether it was. */
    private boolean removeEntry(String event, Entry e) {
        Entry[] list = events.get(event);
        if (list == null) return false;
        for (int i = 0; i < list.length; i++) {
            if (list[i] == e) {
                remove(event, list, i);
                return true;
            }
        }
        return false;
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
     * Removes every listener of the keyed event, typed or not.
     *
     * @param event the event's key
     * @return this emitter
     */
    public EventEmitter removeAllListeners(Event<?> event) {
        return removeAllListeners(event.name());
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
     * as in Node (a once listener already removed is not).
     *
     * @param event the event's name
     * @param args the arguments the listeners get
     * @return whether the event had listeners
     */
    public boolean emit(String event, Object... args) {
        Entry[] list = events.get(event);
        if (list == null) {
            if ("error".equals(event)) {
                Object err = args.length > 0 ? args[0] : null;
                if (err instanceof RuntimeException re) throw re;
                if (err instanceof Error e) throw e;
                if (err instanceof Throwable t) throw new RuntimeException(t);
                throw new IllegalStateException("Unhandled error." + (err == null ? "" : " (" + err + ")"));
            }
            return false;
        }
        for (Entry e : list) {
            if (e.once && !removeEntry(event, e)) continue; // already removed (by off, or a nested emit)
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
        Entry[] list = events.get(event);
        return list == null ? 0 : list.length;
    }

    /**
     * Number of listeners of the keyed event, typed or not.
     *
     * @param event the event's key
     * @return the number of its listeners
     */
    public int listenerCount(Event<?> event) {
        return listenerCount(event.name());
    }

    /**
     * The listeners of {@code event} as given to on/once, in call order.
     *
     * @param event the event's name
     * @return its listeners
     */
    public List<Object> listeners(String event) {
        Entry[] list = events.getOrDefault(event, NONE);
        List<Object> out = new ArrayList<>(list.length);
        for (Entry e : list) out.add(e.original);
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
