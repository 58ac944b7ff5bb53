package dev.herd.node.value;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A JavaScript {@code ArrayBuffer}: a fixed-length block of bytes that can be <em>detached</em>.
 * Structured clone's transfer list moves the memory to the clone without copying and detaches the
 * source, after which the source has length 0 and {@link #data()} throws, as a detached buffer
 * does in JavaScript.
 *
 * <p>A {@link ByteBuffer} passed as a value is sent as an ArrayBuffer holding a copy of its
 * remaining bytes; {@link TypedArray}s are views on an ArrayBuffer.
 *
 * <p>Not thread-safe: one thread uses it at a time; {@link #transfer()} is how its memory moves to
 * another owner (it is the first {@link Transferable}). Equality is by content (for tests and maps
 * of received values), not identity.
 */
public final class ArrayBuffer implements Transferable {
    private ByteBuffer data;

    private ArrayBuffer(ByteBuffer data) {
        this.data = data.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A zero-filled buffer of {@code byteLength} bytes.
     *
     * @param byteLength the length in bytes
     * @return the buffer
     */
    public static ArrayBuffer allocate(int byteLength) {
        if (byteLength < 0) {
            throw new IllegalArgumentException("Invalid array buffer length: " + byteLength);
        }
        return new ArrayBuffer(ByteBuffer.allocate(byteLength));
    }

    /**
     * A buffer over {@code bytes} itself (no copy: writes through either are seen by both).
     *
     * @param bytes the bytes, shared
     * @return the buffer
     */
    public static ArrayBuffer wrap(byte[] bytes) {
        return new ArrayBuffer(ByteBuffer.wrap(bytes));
    }

    /**
     * A buffer holding a copy of {@code source}'s remaining bytes; source's position is unchanged.
     *
     * @param source the bytes to copy
     * @return the buffer
     */
    public static ArrayBuffer copyOf(ByteBuffer source) {
        ByteBuffer copy = ByteBuffer.allocate(source.remaining());
        copy.put(source.duplicate()).flip();
        return new ArrayBuffer(copy);
    }

    /** {@return the length in bytes; 0 once detached} */
    public int byteLength() {
        return data == null ? 0 : data.capacity();
    }

    /** Whether the memory was transferred away. */
    @Override
    public boolean isDetached() {
        return data == null;
    }

    /**
     * The bytes: a little-endian view with position 0 and limit {@link #byteLength()} that shares
     * this buffer's memory.
     *
     * @return the bytes
     * @throws IllegalStateException if detached
     */
    public ByteBuffer data() {
        if (data == null) {
            throw new IllegalStateException("Cannot perform operation on a detached ArrayBuffer");
        }
        return data.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return a copy of the bytes} */
    public byte[] toByteArray() {
        ByteBuffer d = data();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    /**
     * Moves the memory to a new ArrayBuffer and detaches this one (structured clone's transfer).
     *
     * @throws IllegalStateException if already detached
     */
    @Override
    public ArrayBuffer transfer() {
        Transfer t = prepareTransfer();
        t.commit();
        return (ArrayBuffer) t.target();
    }

    /**
     * The first step of {@link #transfer()}: a new ArrayBuffer over the same memory; this one stays
     * attached until the returned move is committed.
     *
     * @throws IllegalStateException if detached
     */
    @Override
    public Transfer prepareTransfer() {
        ArrayBuffer target = new ArrayBuffer(data());
        return new Transfer() {
            @Override
            public ArrayBuffer target() {
                return target;
            }

            @Override
            public void commit() {
                if (data == null) {
                    throw new IllegalStateException("Cannot transfer a detached ArrayBuffer");
                }
                data = null;
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArrayBuffer other && isDetached() == other.isDetached()
                && (isDetached() || data().equals(other.data()));
    }

    @Override
    public int hashCode() {
        return isDetached() ? 0 : data().hashCode();
    }

    @Override
    public String toString() {
        return isDetached() ? "ArrayBuffer { (detached), byteLength: 0 }"
                : "ArrayBuffer { byteLength: " + byteLength() + " }" + (byteLength() <= 32 ? " " + Arrays.toString(toByteArray()) : "");
    }
}
