package dev.herd.node.internal.ipc;

import dev.herd.node.v8.V8Deserializer;
import dev.herd.node.v8.V8Options;
import dev.herd.node.value.SerializationException;

/**
 * Advanced mode: frames of a 4-byte big-endian payload length and a V8 payload read as Node's
 * {@code ChildProcessDeserializer} reads it. See {@link FrameDecoder} for the rules; not
 * thread-safe.
 */
final class AdvancedFrameDecoder extends FrameDecoder {
    private final V8Deserializer deserializer = new V8Deserializer(V8Options.CHILD_PROCESS);
    /** Bytes still to drop of a frame over the size limit. */
    private long skipping;

    AdvancedFrameDecoder(int maxFrameSize) {
        super(maxFrameSize);
    }

    @Override
    void decode(byte[] b, int from, int to, int[] cursor, Sink sink) {
        int p = from;
        for (;;) {
            if (skipping > 0) {
                int n = (int) Math.min(skipping, to - p);
                p += n;
                skipping -= n;
                cursor[0] = p;
                if (skipping > 0) {
                    return;
                }
            }
            if (to - p < 4) {
                return;
            }
            long length = length(b, p);
            if (length >= 1L << 31) {
                cursor[0] = to;
                fail(sink, "IPC frame length prefix " + length + " is 2^31 or more (Node 20 reads it as negative);"
                        + " the stream cannot be resynchronized");
                return;
            }
            if (length == 0) {
                cursor[0] = to;
                fail(sink, "IPC frame of length 0 (a V8 payload has at least a 2-byte header);"
                        + " the stream cannot be trusted further");
                return;
            }
            if (length > maxFrameSize) {
                p += 4;
                cursor[0] = p;
                skipping = length;
                sink.badFrame(new SerializationException("Error", "IPC frame of " + length
                        + " bytes exceeds the limit of " + maxFrameSize + " bytes; it is dropped"));
                continue;
            }
            if (to - p - 4 < length) {
                return; // wait for the rest: nothing is allocated for it
            }
            int off = p + 4;
            p = off + (int) length;
            cursor[0] = p;
            Object message;
            try {
                message = deserializer.deserialize(b, off, (int) length);
            } catch (SerializationException e) {
                sink.badFrame(e);
                continue;
            }
            sink.message(message);
        }
    }

    @Override
    String incompleteAtEnd(long held, byte[] head) {
        if (skipping > 0) {
            return "The IPC stream ended " + skipping + " bytes before the end of a dropped frame";
        }
        if (held == 0) {
            return null;
        }
        if (held < 4) {
            return "The IPC stream ended inside a frame's length prefix (" + held + " of 4 bytes)";
        }
        return "The IPC stream ended inside a frame: " + (held - 4) + " of " + length(head, 0) + " payload bytes";
    }

    @Override
    long frameSize(byte[] head, int length) {
        return 4 + length(head, 0); // a frame is buffered only once its prefix was found sane
    }

    @Override
    int frameEnd(byte[] bytes, int from, int to) {
        throw new AssertionError("an advanced frame's size is always known");
    }

    @Override
    void frameTooLong(Sink sink) {
        throw new AssertionError("an advanced frame over the limit is skipped, never buffered");
    }

    private static long length(byte[] b, int p) {
        return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }
}
