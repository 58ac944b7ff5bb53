package dev.herd.node.value;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A JavaScript typed array or {@code DataView}: a window of {@code byteLength} bytes at
 * {@code byteOffset} in an {@link ArrayBuffer}, read as elements of one {@link Kind}. (A Node
 * {@code Buffer} is received as a plain {@code byte[]}, and a {@code byte[]} is sent as a Buffer.)
 *
 * <p>Not thread-safe (it shares its buffer's rules). Equality is by kind and viewed bytes.
 */
public final class TypedArray {
    /**
     * The element type, in the order of Node's ArrayBufferView type index (which the advanced IPC
     * format writes; 10, Buffer, is {@code byte[]} instead).
     */
    public enum Kind {
        /** {@code Int8Array}. */
        INT8("Int8Array", 1, 0),
        /** {@code Uint8Array}. */
        UINT8("Uint8Array", 1, 1),
        /** {@code Uint8ClampedArray}. */
        UINT8_CLAMPED("Uint8ClampedArray", 1, 2),
        /** {@code Int16Array}. */
        INT16("Int16Array", 2, 3),
        /** {@code Uint16Array}. */
        UINT16("Uint16Array", 2, 4),
        /** {@code Int32Array}. */
        INT32("Int32Array", 4, 5),
        /** {@code Uint32Array}. */
        UINT32("Uint32Array", 4, 6),
        /** {@code Float32Array}. */
        FLOAT32("Float32Array", 4, 7),
        /** {@code Float64Array}. */
        FLOAT64("Float64Array", 8, 8),
        /** {@code DataView}: bytes read at any offset with any type. */
        DATA_VIEW("DataView", 1, 9),
        /** {@code BigInt64Array}. */
        BIGINT64("BigInt64Array", 8, 11),
        /** {@code BigUint64Array}. */
        BIGUINT64("BigUint64Array", 8, 12);

        private final String jsName;
        private final int bytesPerElement;
        private final int nodeIndex;

        Kind(String jsName, int bytesPerElement, int nodeIndex) {
            this.jsName = jsName;
            this.bytesPerElement = bytesPerElement;
            this.nodeIndex = nodeIndex;
        }

        /** {@return the JavaScript constructor's name} */
        public String jsName() {
            return jsName;
        }

        /** {@return the bytes per element (1 for DataView)} */
        public int bytesPerElement() {
            return bytesPerElement;
        }

        /** {@return Node's ArrayBufferView type index (lib/v8.js), as written by the advanced format} */
        public int nodeIndex() {
            return nodeIndex;
        }

        /**
         * The kind with Node's type index {@code index}, or null (10 is Buffer, not a Kind).
         *
         * @param index a type index
         * @return the kind, or null
         */
        public static Kind ofNodeIndex(int index) {
            for (Kind k : values()) {
                if (k.nodeIndex == index) {
                    return k;
                }
            }
            return null;
        }
    }

    private final Kind kind;
    private final ArrayBuffer buffer;
    private final int byteOffset;
    private final int byteLength;

    /**
     * A view of {@code byteLength} bytes at {@code byteOffset} in {@code buffer}.
     *
     * @param kind the element type
     * @param buffer the buffer
     * @param byteOffset where the view starts
     * @param byteLength the view's length in bytes
     * @throws IllegalArgumentException if the window is outside the buffer or not a whole number
     *     of elements, or the offset is not a multiple of the element size (as JavaScript requires)
     */
    public TypedArray(Kind kind, ArrayBuffer buffer, int byteOffset, int byteLength) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        int size = kind.bytesPerElement();
        if (byteOffset < 0 || byteLength < 0 || (long) byteOffset + byteLength > buffer.byteLength()) {
            throw new IllegalArgumentException("Invalid typed array length: " + byteLength + " at offset " + byteOffset
                    + " in a buffer of " + buffer.byteLength());
        }
        if (byteOffset % size != 0) {
            throw new IllegalArgumentException("start offset of " + kind.jsName() + " should be a multiple of " + size);
        }
        if (byteLength % size != 0) {
            throw new IllegalArgumentException("byte length of " + kind.jsName() + " should be a multiple of " + size);
        }
        this.byteOffset = byteOffset;
        this.byteLength = byteLength;
    }

    /**
     * A view over the whole of a new buffer holding a copy of {@code bytes}.
     *
     * @param kind the element type
     * @param bytes the bytes to copy
     * @return the view
     */
    public static TypedArray copyOf(Kind kind, byte[] bytes) {
        return new TypedArray(kind, ArrayBuffer.wrap(bytes.clone()), 0, bytes.length);
    }

    /** {@return the element type} */
    public Kind kind() {
        return kind;
    }

    /** {@return the buffer under the view} */
    public ArrayBuffer buffer() {
        return buffer;
    }

    /** {@return where the view starts in the buffer, in bytes} */
    public int byteOffset() {
        return buffer.isDetached() ? 0 : byteOffset;
    }

    /** {@return the view's length in bytes} */
    public int byteLength() {
        return buffer.isDetached() ? 0 : byteLength;
    }

    /** {@return the number of elements (bytes for a DataView)} */
    public int length() {
        return byteLength() / kind.bytesPerElement();
    }

    /** {@return the viewed bytes: a little-endian ByteBuffer sharing the buffer's memory} */
    public ByteBuffer bytes() {
        return buffer.data().slice(byteOffset, byteLength).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return a copy of the viewed bytes} */
    public byte[] toByteArray() {
        ByteBuffer b = bytes();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TypedArray other && kind == other.kind && byteLength() == other.byteLength()
                && (buffer.isDetached() ? other.buffer.isDetached() : !other.buffer.isDetached() && bytes().equals(other.bytes()));
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + (buffer.isDetached() ? 0 : bytes().hashCode());
    }

    @Override
    public String toString() {
        return kind.jsName() + "(" + length() + ")";
    }
}
