package dev.herd.node.internal.ipc;

import dev.herd.node.NodeError;
import dev.herd.node.json.Json;
import dev.herd.node.v8.V8Options;
import dev.herd.node.v8.V8Serializer;
import dev.herd.node.value.SerializationException;
import java.nio.ByteBuffer;

/**
 * The two ways a Node IPC channel turns messages into bytes ({@code fork(…, {serialization})},
 * {@code NODE_CHANNEL_SERIALIZATION_MODE}), as lib/internal/child_process/serialization.js does:
 *
 * <ul>
 * <li>{@link #JSON} (Node's default): {@code JSON.stringify(message)} in UTF-8 and a {@code \n}.
 * <li>{@link #ADVANCED}: the payload's length as 4 bytes big-endian, then the payload, V8's
 * ValueSerializer format as Node's {@code ChildProcessSerializer} writes it
 * ({@link V8Options#CHILD_PROCESS}).
 * </ul>
 *
 * Encoding checks nothing that is the channel's business ({@code send(undefined)}, a top-level
 * BigInt, which Node's {@code send()} refuses): it encodes what it is given. Decoding is
 * incremental, in a {@link FrameDecoder} from {@link #newDecoder()}. Immutable; any thread.
 */
public enum Serialization {
    /** One JSON text per line (Node's default mode). */
    JSON("json"),
    /** V8's value serialization, length-prefixed (Node's 'advanced' mode). */
    ADVANCED("advanced");

    private final String nodeName;

    Serialization(String nodeName) {
        this.nodeName = nodeName;
    }

    /**
     * The mode Node names {@code name}: {@code "json"} or {@code "advanced"}; null (Node's
     * {@code undefined}) is {@code "json"}, the default.
     *
     * @param name the mode's name, or null
     * @return the mode
     * @throws NodeError {@code ERR_INVALID_ARG_VALUE} (a TypeError, kind IllegalArgumentException)
     *     for any other name, with Node's message
     */
    public static Serialization of(String name) {
        if (name == null || name.equals("json")) {
            return JSON;
        }
        if (name.equals("advanced")) {
            return ADVANCED;
        }
        throw new NodeError("ERR_INVALID_ARG_VALUE",
                "The property 'options.serialization' must be one of: undefined, 'json', 'advanced'. Received '"
                        + name.replace("\\", "\\\\").replace("'", "\\'") + "'",
                IllegalArgumentException.class);
    }

    /**
     * {@return {@code "json"} or {@code "advanced"}: the value of {@code NODE_CHANNEL_SERIALIZATION_MODE}}
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * One message as the bytes Node writes for it: a JSON line, or a length-prefixed V8 payload.
     *
     * @param message the message
     * @return the bytes
     * @throws SerializationException in JSON mode for what JSON.stringify throws on (a cycle, a
     *     BigInt) and for what it turns into undefined (undefined, a function); in advanced mode
     *     for a value nested too deep
     * @throws dev.herd.node.value.DataCloneError in advanced mode for a function or a value that
     *     is not a value of the model
     */
    public byte[] encode(Object message) {
        if (this == ADVANCED) {
            return new V8Serializer(V8Options.CHILD_PROCESS).serializeFrame(message);
        }
        byte[] line = Json.stringifyUtf8Line(message);
        if (line == null) {
            // JSON.stringify(undefined or a function) is undefined: Node's send() refuses these first.
            throw new SerializationException("TypeError", "JSON.stringify gives undefined for "
                    + (message == null ? "null" : message.getClass().getName()) + ": nothing to send");
        }
        return line;
    }

    /**
     * {@link #encode} as a buffer over the array the frame was written into: a long frame is not
     * copied again into an array of its exact size.
     */
    ByteBuffer encodeToBuffer(Object message) {
        if (this == ADVANCED) {
            return new V8Serializer(V8Options.CHILD_PROCESS).serializeFrameBuffer(message);
        }
        ByteBuffer line = Json.stringifyUtf8LineBuffer(message);
        if (line == null) {
            return ByteBuffer.wrap(encode(message)); // throws as encode does
        }
        return line;
    }

    /** {@return a decoder for a stream in this mode, with no limit on a frame's size but Node's 2^31 - 1} */
    public FrameDecoder newDecoder() {
        return newDecoder(FrameDecoder.NO_LIMIT);
    }

    /**
     * A decoder for a stream in this mode that refuses frames (JSON lines, V8 payloads) larger
     * than {@code maxFrameSize} bytes: such a frame is reported as a bad frame and its bytes are
     * dropped as they arrive, never buffered.
     *
     * @param maxFrameSize the largest frame accepted, in bytes
     * @return the decoder
     */
    public FrameDecoder newDecoder(int maxFrameSize) {
        return this == ADVANCED ? new AdvancedFrameDecoder(maxFrameSize) : new JsonFrameDecoder(maxFrameSize);
    }
}
