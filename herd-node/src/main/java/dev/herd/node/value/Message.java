package dev.herd.node.value;

import com.fasterxml.jackson.core.type.TypeReference;

/**
 * A message received over an IPC channel or a message port: the value in its generic form
 * ({@link #value()}, see {@link Values}) and typed views of it ({@code message.as(Order.class)}).
 *
 * <p>Immutable wrapper (the value itself is owned by the receiver); any thread.
 */
public final class Message {
    private final Object value;

    /**
     * A message holding {@code value}.
     *
     * @param value the value in its generic form
     */
    public Message(Object value) {
        this.value = value;
    }

    /**
     * {@return the value in its generic form: null, Undefined, Boolean, Integer/Long/Double, String, List, Map, …}
     */
    public Object value() {
        return value;
    }

    /**
     * The value bound to {@code type} ({@link Values#convert(Object, Class)}).
     *
     * @param <T> the type
     * @param type the type to bind to
     * @return the bound value
     */
    public <T> T as(Class<T> type) {
        return Values.convert(value, type);
    }

    /**
     * The value bound to a generic type ({@code new TypeReference<List<Order>>() {}}).
     *
     * @param <T> the type
     * @param type the type to bind to
     * @return the bound value
     */
    public <T> T as(TypeReference<T> type) {
        return Values.convert(value, type);
    }

    @Override
    public String toString() {
        return String.valueOf(value);
    }
}
