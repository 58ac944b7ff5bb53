package dev.herd.node.value;

import java.util.AbstractList;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A JavaScript array with holes ({@code [1, , 3]}, {@code new Array(5)}, {@code a[1000] = x}):
 * a {@link #length()} and the elements that are present, by index. Dense arrays are received as
 * plain {@link java.util.ArrayList}s; this type appears only where the sender's array had holes, and
 * is sent back as such (V8 writes it in its sparse form).
 *
 * <p>As a {@link java.util.List} it reads a hole as {@link Undefined#INSTANCE}; {@link #has(long)}
 * tells a hole from a present {@code undefined}. {@link #size()} is the length capped at
 * {@code Integer.MAX_VALUE}. Not thread-safe.
 */
public final class JsArray extends AbstractList<Object> {
    /** JavaScript's largest array length, 2^32 - 1. */
    public static final long MAX_LENGTH = 0xFFFF_FFFFL;

    private final TreeMap<Long, Object> elements = new TreeMap<>();
    private long length;

    /**
     * An array of {@code length} holes.
     *
     * @param length the array's length
     */
    public JsArray(long length) {
        setLength(length);
    }

    /** {@return JavaScript's {@code length}} */
    public long length() {
        return length;
    }

    /**
     * Sets {@code length}, dropping present elements at or past it, as JavaScript does.
     *
     * @param length the new length
     */
    public void setLength(long length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("Invalid array length: " + length);
        }
        elements.tailMap(length, true).clear();
        this.length = length;
    }

    /**
     * Whether index {@code i} holds an element (false for a hole).
     *
     * @param i an index
     * @return whether it holds an element
     */
    public boolean has(long i) {
        return elements.containsKey(i);
    }

    /**
     * Stores {@code value} at {@code i}, growing the length past {@code i} if needed.
     *
     * @param i the index
     * @param value the element
     */
    public void put(long i, Object value) {
        if (i < 0 || i >= MAX_LENGTH) {
            throw new IndexOutOfBoundsException("Invalid array index: " + i);
        }
        elements.put(i, value);
        if (i >= length) {
            length = i + 1;
        }
    }

    /**
     * Makes index {@code i} a hole.
     *
     * @param i the index
     */
    public void delete(long i) {
        elements.remove(i);
    }

    /** {@return the present elements by ascending index (an unmodifiable view)} */
    public NavigableMap<Long, Object> elements() {
        return Collections.unmodifiableNavigableMap(elements);
    }

    @Override
    public Object get(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        Object v = elements.get((long) index);
        return v != null || elements.containsKey((long) index) ? v : Undefined.INSTANCE;
    }

    @Override
    public Object set(int index, Object value) {
        Object old = get(index);
        elements.put((long) index, value);
        return old;
    }

    @Override
    public int size() {
        return (int) Math.min(length, Integer.MAX_VALUE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsArray other && length == other.length && elements.equals(other.elements);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(length) * 31 + elements.hashCode();
    }

    @Override
    public String toString() {
        return "JsArray(length " + length + ") " + elements;
    }
}
