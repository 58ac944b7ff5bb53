package dev.herd.node.internal.ipc;

import dev.herd.node.json.Json;
import dev.herd.node.value.SerializationException;

/**
 * JSON mode: lines ending in {@code \n}, each parsed as Node's {@code JSON.parse} would (a
 * {@code \r} before the {@code \n} is JSON whitespace), ill-formed UTF-8 becoming U+FFFD as Node's
 * StringDecoder makes it ({@link Json#parse(byte[], int, int)}). Lines are split on the byte
 * {@code 0A}, which never occurs inside a multi-byte UTF-8 character, so a character split across
 * chunks needs no care. See {@link FrameDecoder} for the rules; not thread-safe.
 */
final class JsonFrameDecoder extends FrameDecoder {
    /** Dropping the rest of a line over the size limit, up to its {@code \n}. */
    private boolean discarding;
    /** How many buffered bytes are known to hold no {@code \n} (not scanned again). */
    private int scanned;

    JsonFrameDecoder(int maxFrameSize) {
        super(maxFrameSize);
    }

    @Override
    void decode(byte[] b, int from, int to, int[] cursor, Sink sink) {
        int lineStart = from;
        int p = b == buffer ? Math.min(from + scanned, to) : from;
        scanned = 0;
        for (;;) {
            int nl = indexOfNewline(b, p, to);
            if (nl < 0) {
                if (discarding) {
                    cursor[0] = to;
                } else if (to - lineStart > maxFrameSize) {
                    cursor[0] = to;
                    discarding = true;
                    sink.badFrame(tooLong());
                } else {
                    cursor[0] = lineStart;
                    scanned = to - lineStart;
                }
                return;
            }
            cursor[0] = nl + 1; // the line is consumed before the sink hears of it
            if (discarding) {
                discarding = false; // that was the end of the over-long line
            } else if (nl - lineStart > maxFrameSize) {
                sink.badFrame(tooLong());
            } else {
                parseLine(b, lineStart, nl, sink);
            }
            lineStart = p = nl + 1;
        }
    }

    private void parseLine(byte[] b, int start, int end, Sink sink) {
        Object message;
        try {
            message = Json.parse(b, start, end - start); // ill-formed UTF-8 becomes U+FFFD there, as in Node
        } catch (SerializationException e) {
            sink.badFrame(e);
            return;
        }
        sink.message(message);
    }

    private SerializationException tooLong() {
        return new SerializationException("Error", "IPC message longer than the limit of " + maxFrameSize
                + " bytes; it is dropped up to the next newline");
    }

    @Override
    String incompleteAtEnd(long held, byte[] head) {
        if (discarding || held == 0) {
            return null;
        }
        return "The IPC stream ended with " + held + " bytes after the last newline (an incomplete JSON message,"
                + " which Node drops silently)";
    }

    @Override
    long frameSize(byte[] head, int length) {
        scanned = 0; // those bytes leave the buffer, already known to hold no newline
        return -1;
    }

    @Override
    int frameEnd(byte[] bytes, int from, int to) {
        int nl = indexOfNewline(bytes, from, to);
        return nl < 0 ? -1 : nl + 1;
    }

    @Override
    void frameTooLong(Sink sink) {
        discarding = true;
        sink.badFrame(tooLong());
    }

    private static int indexOfNewline(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
