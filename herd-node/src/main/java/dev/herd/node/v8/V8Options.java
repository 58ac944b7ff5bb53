package dev.herd.node.v8;

/**
 * How {@link V8Serializer} and {@link V8Deserializer} treat host objects, and how deep a value may
 * nest. Immutable; any thread.
 *
 * <p>{@link #DEFAULT} is what Node's {@code v8.serialize} / {@code v8.deserialize} write and read
 * (lib/v8.js {@code DefaultSerializer}); {@link #CHILD_PROCESS} is what an {@code 'advanced'} IPC
 * channel writes and reads (lib/internal/child_process/serialization.js
 * {@code ChildProcessSerializer}). The two differ only in the host-object tag {@code \}: see
 * {@link HostObjects}.
 *
 * @param hostObjects which of Node's two host-object encodings to write and read
 * @param maxDepth how many containers may nest (an array in an object in a Map is 3); deeper values
 *     fail to encode and to decode with a {@link dev.herd.node.value.SerializationException}
 *     ({@code RangeError}, as Node's stack overflow does). The default, {@value #DEFAULT_MAX_DEPTH},
 *     is about what Node 20 itself can write and read (3,100 to 3,300 levels depending on the
 *     kind of container), so that what Herd writes Node can read.
 */
public record V8Options(HostObjects hostObjects, int maxDepth) {
    /** {@code maxDepth} unless told otherwise. */
    public static final int DEFAULT_MAX_DEPTH = 3000;

    /** Node's {@code v8.serialize} / {@code v8.deserialize}. */
    public static final V8Options DEFAULT = new V8Options(HostObjects.DEFAULT_SERIALIZER, DEFAULT_MAX_DEPTH);

    /** Node's {@code 'advanced'} IPC serialization (child_process, cluster). */
    public static final V8Options CHILD_PROCESS = new V8Options(HostObjects.CHILD_PROCESS_SERIALIZER, DEFAULT_MAX_DEPTH);

    /**
     * Node's two encodings of a host object (tag {@code \}, {@code 5C}). V8 hands every
     * ArrayBufferView (Buffer, typed arrays, DataView) to Node as a host object, and Node writes
     * it as {@code varint typeIndex, varint byteLength, bytes} ({@link
     * dev.herd.node.value.TypedArray.Kind#nodeIndex()}; 10 = Buffer).
     */
    public enum HostObjects {
        /** {@code v8.DefaultSerializer}: the view follows the tag directly. */
        DEFAULT_SERIALIZER,
        /**
         * {@code ChildProcessSerializer}: a varint 0 first, then the view; or a varint 1 followed by
         * a plain-object copy of some other native object (which is read as that plain object).
         */
        CHILD_PROCESS_SERIALIZER
    }

    /** Checks the options. */
    public V8Options {
        if (hostObjects == null) {
            throw new IllegalArgumentException("hostObjects must not be null");
        }
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1, got " + maxDepth);
        }
    }

    /**
     * These options with another depth limit.
     *
     * @param maxDepth the deepest nesting handled
     * @return the new options
     */
    public V8Options withMaxDepth(int maxDepth) {
        return new V8Options(hostObjects, maxDepth);
    }

    /**
     * These options with another host-object encoding.
     *
     * @param hostObjects how host objects are encoded
     * @return the new options
     */
    public V8Options withHostObjects(HostObjects hostObjects) {
        return new V8Options(hostObjects, maxDepth);
    }
}
