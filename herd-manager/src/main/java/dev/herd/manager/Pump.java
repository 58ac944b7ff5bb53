package dev.herd.manager;

import dev.herd.io.Stream;
import dev.herd.loop.Loop;
import dev.herd.os.ErrnoException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Drains one output pipe of an app (its stdout or stderr) into its {@link LogFile}, whole lines at
 * a time. A read is split after its last {@code '\n'}: the lines before go out in one write, the
 * unterminated rest waits for the next read (up to {@link #MAX_TAIL}, then it goes out as is), and
 * at the end of the pipe a waiting rest is written with a {@code '\n'} added.
 *
 * <p><b>Backpressure.</b> While a write is pending the pipe is not read. A program that writes
 * faster than the disk takes fills the pipe and waits in {@code write(2)}, as it would writing to
 * a slow terminal: nothing is dropped and at most one read's bytes (64 KiB) plus the rest are
 * held per pipe.
 *
 * <p>Thread rule: the keeper's loop thread. Lifetime: until the pipe's end, which comes once every
 * process holding its write end (the app, children it gave its stdout) has closed it.
 */
final class Pump {
    /** The longest unterminated rest held back: a longer line is written in pieces. */
    static final int MAX_TAIL = 64 * 1024;
    private static final byte[] NONE = new byte[0];

    private final Loop loop;
    private final Stream in;
    private final LogFile file;
    private byte[] tail = NONE;

    Pump(Loop loop, Stream in, LogFile file) {
        this.loop = loop;
        this.in = in;
        this.file = file;
        file.retain();
    }

    void start() {
        in.readStart(this::onRead);
    }

    private void onRead(ByteBuffer data, ErrnoException error) {
        if (data == null) {
            in.close();
            if (tail.length == 0) {
                file.release();
                return;
            }
            byte[] last = Arrays.copyOf(tail, tail.length + 1);
            last[tail.length] = '\n';
            tail = NONE;
            file.write(loop, last, 0, last.length, file::release);
            return;
        }
        int n = data.remaining();
        byte[] chunk = Arrays.copyOf(tail, tail.length + n);
        data.get(chunk, tail.length, n);
        int cut = lastNewline(chunk) + 1;
        if (cut == 0 && chunk.length >= MAX_TAIL) cut = chunk.length;
        tail = cut == chunk.length ? NONE : Arrays.copyOfRange(chunk, cut, chunk.length);
        if (cut == 0) return;
        in.readStop();
        file.write(loop, chunk, 0, cut, () -> {
            if (!in.isClosing()) in.readStart(this::onRead);
        });
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') return i;
        }
        return -1;
    }

    /** Stops reading and closes the pipe (the keeper is exiting). */
    void close() {
        in.close();
    }
}
