package dev.herd.node.v8;

import dev.herd.node.value.DataCloneError;
import dev.herd.node.value.SerializationException;
import java.nio.ByteBuffer;

/**
 * Node's {@code v8.serialize} / {@code v8.deserialize}: values of the value model
 * ({@link dev.herd.node.value.Values}) in V8's ValueSerializer format, version 15, byte for byte as
 * Node 20 writes them. The same format with {@link V8Options#CHILD_PROCESS} is the payload of an
 * {@code 'advanced'} IPC message (a {@code fork} with {@code serialization("advanced")}).
 *
 * <p>Each call uses a fresh {@link V8Serializer} or {@link V8Deserializer}; code that encodes
 * many values on one thread can keep one of those instead. Static and thread-safe.
 */
public final class V8 {
    private V8() {
    }

    /**
     * {@code v8.serialize(value)}.
     *
     * @param value the value
     * @return the payload
     * @throws DataCloneError if the value holds a function or something that is not a value
     * @throws SerializationException ({@code RangeError}) if it nests too deep
     */
    public static byte[] serialize(Object value) {
        return new V8Serializer(V8Options.DEFAULT).serialize(value);
    }

    /**
     * {@link #serialize(Object)} with other options ({@link V8Options#CHILD_PROCESS} for IPC payloads).
     *
     * @param value the value
     * @param options the serializer's options
     * @return the payload
     */
    public static byte[] serialize(Object value, V8Options options) {
        return new V8Serializer(options).serialize(value);
    }

    /**
     * {@code v8.deserialize(buffer)}: the value, in its generic form.
     *
     * @param data the payload
     * @return the value
     * @throws SerializationException if the bytes are not a value
     */
    public static Object deserialize(byte[] data) {
        return new V8Deserializer(V8Options.DEFAULT).deserialize(data);
    }

    /**
     * {@link #deserialize(byte[])} of {@code len} bytes at {@code off}, with other options.
     *
     * @param data the array
     * @param off where the payload starts
     * @param len its length
     * @param options the deserializer's options
     * @return the value
     */
    public static Object deserialize(byte[] data, int off, int len, V8Options options) {
        return new V8Deserializer(options).deserialize(data, off, len);
    }

    /**
     * {@link #deserialize(byte[])} of a buffer's remaining bytes (its position is unchanged), with other options.
     *
     * @param data the payload
     * @param options the deserializer's options
     * @return the value
     */
    public static Object deserialize(ByteBuffer data, V8Options options) {
        return new V8Deserializer(options).deserialize(data);
    }
}
