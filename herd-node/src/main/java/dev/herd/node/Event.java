package dev.herd.node;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A typed event key: Node's event name together with the Java shape of its listeners, so that
 * {@code child.on(ChildProcess.EXIT, (code, signal) -> ...)} compiles only with a listener of the
 * event's arity and argument types, and a misspelt event is a compile error instead of a listener
 * that never runs. The key keeps Node's name ({@link #name()}), so Node's documentation still maps
 * one to one; the string form ({@code on("exit", args -> ...)}) keeps working beside it.
 *
 * <p>Keys are constants of the emitter type that emits the event ({@code Socket.DATA},
 * {@code Server.CONNECTION}, {@code Cluster.EXIT}, ...; 'error' is {@link EventEmitter#ERROR} on
 * every emitter). A key may be used only on an emitter of its {@link #owner()} type (checked when a
 * listener is added). The listener's shape is {@link Runnable} for an event without arguments,
 * {@link Consumer} or {@link BiConsumer} for one or two, {@link Listener3} and {@link Listener4}
 * for three or four, or a named interface of the owner's package (http's {@code RequestListener}).
 *
 * <p>How a typed listener is called: the emitter keeps its listeners in Node's untyped form
 * ({@link EventEmitter.Listener}, the emitted arguments); adding a typed listener adds an adapter
 * that checks each argument against the key's types and calls the listener, and remembers the
 * listener itself, so {@code off(key, listener)} and {@code listeners(name)} find the object the
 * caller gave. An argument of another type than the key's fails the emit with a
 * {@link ClassCastException} naming the key (an argument the emitter left out is null).
 *
 * <p>Adding a key for a new event (the test {@code EventKeysTest} fails until every emitted name
 * has one): declare a {@code public static final} constant on the emitting type with
 * {@code Event.of(ThatType.class, "name", ArgType.class, ...)}, the argument types in the order the
 * event is emitted, and name the event and its arguments in the type's Javadoc.
 *
 * <p>Immutable and thread-safe; the listeners it adapts run on their emitter's thread.
 *
 * @param <L> the listener's functional interface
 */
public final class Event<L> {
    /**
     * A listener of three arguments.
     *
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <C> the third argument's type
     */
    @FunctionalInterface
    public interface Listener3<A, B, C> {
        /**
         * Handles one emit.
         *
         * @param a the first argument
         * @param b the second argument
         * @param c the third argument
         */
        void accept(A a, B b, C c);
    }

    /**
     * A listener of four arguments.
     *
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <C> the third argument's type
     * @param <D> the fourth argument's type
     */
    @FunctionalInterface
    public interface Listener4<A, B, C, D> {
        /**
         * Handles one emit.
         *
         * @param a the first argument
         * @param b the second argument
         * @param c the third argument
         * @param d the fourth argument
         */
        void accept(A a, B b, C c, D d);
    }

    private final Class<?> owner;
    private final String name;
    private final Class<?>[] types;
    private final Function<? super L, EventEmitter.Listener> adapter;

    private Event(Class<?> owner, String name, Class<?>[] types, Function<Event<L>, Function<? super L, EventEmitter.Listener>> adapter) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.name = Objects.requireNonNull(name, "name");
        this.types = types;
        this.adapter = adapter.apply(this);
    }

    /**
     * An event without arguments.
     *
     * @param owner the emitter type that emits it (or, for a module's emitter, the module's class)
     * @param name Node's name of the event
     * @return the key
     */
    public static Event<Runnable> of(Class<?> owner, String name) {
        return new Event<>(owner, name, new Class<?>[0], key -> l -> args -> l.run());
    }

    /**
     * An event with one argument.
     *
     * @param <A> the argument's type
     * @param owner the emitter type that emits it
     * @param name Node's name of the event
     * @param a the argument's type
     * @return the key
     */
    public static <A> Event<Consumer<A>> of(Class<?> owner, String name, Class<A> a) {
        return new Event<>(owner, name, new Class<?>[] {a}, key -> l -> args -> l.accept(key.arg(args, 0, a)));
    }

    /**
     * An event with two arguments.
     *
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param owner the emitter type that emits it
     * @param name Node's name of the event
     * @param a the first argument's type
     * @param b the second argument's type
     * @return the key
     */
    public static <A, B> Event<BiConsumer<A, B>> of(Class<?> owner, String name, Class<A> a, Class<B> b) {
        return new Event<>(owner, name, new Class<?>[] {a, b},
                key -> l -> args -> l.accept(key.arg(args, 0, a), key.arg(args, 1, b)));
    }

    /**
     * An event with three arguments.
     *
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <C> the third argument's type
     * @param owner the emitter type that emits it
     * @param name Node's name of the event
     * @param a the first argument's type
     * @param b the second argument's type
     * @param c the third argument's type
     * @return the key
     */
    public static <A, B, C> Event<Listener3<A, B, C>> of(Class<?> owner, String name, Class<A> a, Class<B> b, Class<C> c) {
        return new Event<>(owner, name, new Class<?>[] {a, b, c},
                key -> l -> args -> l.accept(key.arg(args, 0, a), key.arg(args, 1, b), key.arg(args, 2, c)));
    }

    /**
     * An event with four arguments.
     *
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <C> the third argument's type
     * @param <D> the fourth argument's type
     * @param owner the emitter type that emits it
     * @param name Node's name of the event
     * @param a the first argument's type
     * @param b the second argument's type
     * @param c the third argument's type
     * @param d the fourth argument's type
     * @return the key
     */
    public static <A, B, C, D> Event<Listener4<A, B, C, D>> of(Class<?> owner, String name, Class<A> a, Class<B> b,
            Class<C> c, Class<D> d) {
        return new Event<>(owner, name, new Class<?>[] {a, b, c, d}, key -> l -> args -> l.accept(key.arg(args, 0, a),
                key.arg(args, 1, b), key.arg(args, 2, c), key.arg(args, 3, d)));
    }

    /**
     * An event whose listener is a named interface: {@code adapter} turns such a listener into one
     * that gets the emitted arguments ({@link #arg} checks and casts them).
     *
     * @param <L> the listener's interface
     * @param owner the emitter type that emits it
     * @param name Node's name of the event
     * @param types the arguments' types, in order (for {@link #toString()} and the checks)
     * @param adapter makes the untyped listener that calls a typed one
     * @return the key
     */
    public static <L> Event<L> of(Class<?> owner, String name, Class<?>[] types,
            Function<Event<L>, Function<? super L, EventEmitter.Listener>> adapter) {
        return new Event<>(owner, name, types.clone(), adapter);
    }

    /** {@return Node's name of the event, as emitted} */
    public String name() {
        return name;
    }

    /** {@return the emitter type whose instances emit the event (for a module's emitter, the module's class)} */
    public Class<?> owner() {
        return owner;
    }

    /** {@return the types of the listener's arguments, in order} */
    public Class<?>[] argumentTypes() {
        return types.clone();
    }

    /**
     * Argument {@code i} of an emit, checked against {@code type}: null when the emitter passed
     * fewer arguments (Node's undefined).
     *
     * @param <T> the argument's type
     * @param args the emitted arguments
     * @param i the argument's index
     * @param type the argument's type
     * @return the argument
     * @throws ClassCastException when the argument is of another type, naming this key
     */
    public <T> T arg(Object[] args, int i, Class<T> type) {
        if (i >= args.length) return null;
        Object v = args[i];
        if (v == null || type.isInstance(v)) {
            @SuppressWarnings("unchecked")
            T t = (T) v;
            return t;
        }
        throw new ClassCastException(this + ": argument " + (i + 1) + " is a " + v.getClass().getName()
                + (v instanceof String && type == byte[].class ? " (the stream has an encoding: listen with the String key)" : ""));
    }

    /** The untyped listener that calls {@code listener} with the emitted arguments. */
    EventEmitter.Listener adapt(L listener) {
        return adapter.apply(Objects.requireNonNull(listener, "listener"));
    }

    /** {@return the owner's simple name, Node's event name and the argument types, e.g. {@code ChildProcess 'exit' (Integer, String)}} */
    @Override
    public String toString() {
        return owner.getSimpleName() + " '" + name + "' ("
                + Arrays.stream(types).map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }
}
