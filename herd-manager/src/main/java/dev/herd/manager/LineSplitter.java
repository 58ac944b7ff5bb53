package dev.herd.manager;

import java.util.Arrays;

/**
 * Splits a byte stream into {@code '\n'}-terminated lines for the two JSON-lines protocols. A line
 * longer than its limit is not buffered: its bytes are dropped up to its end and the sink is told
 * once ({@link Sink#tooLong()}), so a peer that never sends a newline costs at most the limit.
 * A line still in its first chunk is handed over without a copy.
 *
 * <p>Thread rule: one thread (the loop's). Lifetime: one connection.
 */
final class LineSplitter {
    /** Receives the lines. */
    interface Sink {
        /** One line, without its {@code '\n'}; the bytes are valid only during the call. */
        void line(byte[] bytes, int offset, int length);

        /** A line passed the limit; its bytes up to the next {@code '\n'} are dropped. */
        void tooLong();
    }

    private static final int SHRINK_ABOVE = 64 * 1024;

    private final int max;
    private final Sink sink;
    private byte[] buf = new byte[256];
    private int len;
    private boolean dropping;

    LineSplitter(int max, Sink sink) {
        this.max = max;
        this.sink = sink;
    }

    void feed(byte[] data) {
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] != '\n') continue;
            if (dropping) {
                dropping = false;
            } else if (len + (i - start) > max) {
                len = 0;
                sink.tooLong();
            } else if (len == 0) {
                sink.line(data, start, i - start);
            } else {
                append(data, start, i - start);
                int n = len;
                len = 0;
                sink.line(buf, 0, n);
                if (buf.length > SHRINK_ABOVE) buf = new byte[256]; // a big request is not kept for ever
            }
            start = i + 1;
        }
        int rest = data.length - start;
        if (rest == 0 || dropping) return;
        if (len + rest > max) {
            len = 0;
            dropping = true;
            sink.tooLong();
            return;
        }
        append(data, start, rest);
    }

    private void append(byte[] data, int off, int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
        System.arraycopy(data, off, buf, len, n);
        len += n;
    }
}
