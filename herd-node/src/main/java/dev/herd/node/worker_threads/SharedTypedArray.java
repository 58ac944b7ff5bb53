package dev.herd.node.worker_threads;

import dev.herd.node.value.Shared;
import dev.herd.node.value.TypedArray;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A typed view on a {@link SharedArrayBuffer} — JavaScript's {@code new Int32Array(sab)} — for
 * the integer element types {@link Atomics} works on: Int8, Uint8, Int16, Uint16, Int32, Uint32,
 * BigInt64 and BigUint64 ({@link TypedArray.Kind}). Values travel as {@code long}: signed kinds
 * sign-extend, unsigned ones zero-extend, and the 64-bit kinds carry the raw 64 bits (read a
 * BigUint64 with {@code Long.toUnsignedString}). For floats or mixed layouts use the buffer's
 * {@link SharedArrayBuffer#data()}.
 *
 * <p>Posted to a worker, it is shared like its buffer. {@link #get}/{@link #set} are plain
 * accesses (no ordering, like {@code ta[i]} in JavaScript); {@link Atomics} orders them.
 *
 * <p>Immutable view, thread-safe; equality is identity.
 */
public final class SharedTypedArray implements Shared {
    final TypedArray.Kind kind;
    final SharedArrayBuffer buffer;
    final ByteBuffer memory;
    final int byteOffset;
    final int length;
    /** Bytes per element: 1, 2, 4 or 8. */
    final int width;
    final boolean unsigned;

    /**
     * A view of the whole buffer (its length must be a whole number of elements).
     *
     * @param kind the element type: an integer kind Atomics supports
     * @param buffer the shared memory
     */
    public SharedTypedArray(TypedArray.Kind kind, SharedArrayBuffer buffer) {
        this(kind, buffer, 0, lengthOf(kind, buffer));
    }

    /**
     * A view of {@code length} elements from {@code byteOffset}.
     *
     * @param kind the element type: an integer kind Atomics supports
     * @param buffer the shared memory
     * @param byteOffset where the view starts, a multiple of the element size
     * @param length the number of elements
     * @throws IllegalArgumentException for a kind Atomics does not support, a misaligned offset, or
     *     a window outside the buffer
     */
    public SharedTypedArray(TypedArray.Kind kind, SharedArrayBuffer buffer, int byteOffset, int length) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.width = widthOf(kind);
        this.unsigned = switch (kind) {
            case UINT8, UINT16, UINT32, BIGUINT64 -> true;
            default -> false;
        };
        if (byteOffset < 0 || byteOffset % width != 0) {
            throw new IllegalArgumentException("start offset of " + kind.jsName() + " should be a multiple of " + width);
        }
        if (length < 0 || (long) byteOffset + (long) length * width > buffer.byteLength()) {
            throw new IllegalArgumentException("Invalid typed array length: " + length);
        }
        this.memory = buffer.memory;
        this.byteOffset = byteOffset;
        this.length = length;
    }

    /**
     * An Int32Array over the whole buffer.
     *
     * @param buffer the shared memory
     * @return the view
     */
    public static SharedTypedArray int32(SharedArrayBuffer buffer) {
        return new SharedTypedArray(TypedArray.Kind.INT32, buffer);
    }

    /**
     * A BigInt64Array over the whole buffer.
     *
     * @param buffer the shared memory
     * @return the view
     */
    public static SharedTypedArray bigInt64(SharedArrayBuffer buffer) {
        return new SharedTypedArray(TypedArray.Kind.BIGINT64, buffer);
    }

    private static int widthOf(TypedArray.Kind kind) {
        return switch (kind) {
            case INT8, UINT8 -> 1;
            case INT16, UINT16 -> 2;
            case INT32, UINT32 -> 4;
            case BIGINT64, BIGUINT64 -> 8;
            default -> throw new IllegalArgumentException(kind.jsName()
                    + " is not an integer typed array (Atomics works on Int8 to Uint32, BigInt64 and BigUint64)");
        };
    }

    private static int lengthOf(TypedArray.Kind kind, SharedArrayBuffer buffer) {
        int w = widthOf(kind);
        if (buffer.byteLength() % w != 0) {
            throw new IllegalArgumentException("byte length of " + kind.jsName() + " should be a multiple of " + w);
        }
        return buffer.byteLength() / w;
    }

    /** {@return the element type} */
    public TypedArray.Kind kind() {
        return kind;
    }

    /** {@return the shared memory under the view} */
    public SharedArrayBuffer buffer() {
        return buffer;
    }

    /** {@return where the view starts in the buffer, in bytes} */
    public int byteOffset() {
        return byteOffset;
    }

    /** {@return the number of elements} */
    public int length() {
        return length;
    }

    /** {@return the view's length in bytes} */
    public int byteLength() {
        return length * width;
    }

    /**
     * Element {@code index}, read plainly (no ordering with other threads' writes).
     *
     * @param index the element's index
     * @return its value
     */
    public long get(int index) {
        int bi = byteIndex(index);
        return switch (width) {
            case 1 -> unsigned ? memory.get(bi) & 0xFFL : memory.get(bi);
            case 2 -> unsigned ? memory.getShort(bi) & 0xFFFFL : memory.getShort(bi);
            case 4 -> fromInt(memory.getInt(bi));
            default -> memory.getLong(bi);
        };
    }

    /**
     * Sets element {@code index} to {@code value} (truncated to the element type), plainly.
     *
     * @param index the element's index
     * @param value the new value
     */
    public void set(int index, long value) {
        int bi = byteIndex(index);
        switch (width) {
            case 1 -> memory.put(bi, (byte) value);
            case 2 -> memory.putShort(bi, (short) value);
            case 4 -> memory.putInt(bi, (int) value);
            default -> memory.putLong(bi, value);
        }
    }

    /** The byte position of element {@code index} in the memory; throws for an index out of range. */
    int byteIndex(int index) {
        return byteOffset + Objects.checkIndex(index, length) * width;
    }

    /** A 32-bit element's value as this kind reads it. */
    long fromInt(int v) {
        return unsigned ? v & 0xFFFFFFFFL : v;
    }

    /** A 1- or 2-byte element's bits (zero-extended) as this kind reads it. */
    long fromNarrow(int bits) {
        if (unsigned) return bits;
        return width == 1 ? (byte) bits : (short) bits;
    }

    @Override
    public String toString() {
        return kind.jsName() + "(" + length + ") on " + buffer;
    }
}
