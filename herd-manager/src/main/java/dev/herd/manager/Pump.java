package dev.herd.manager;

import dev.herd.io.Stream;
import dev.herd.loop.Loop;
import dev.herd.os.ErrnoException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Drains one output pipe of an app (its stdout or stderr) into its {@link LogFile}, and into the
 * app's combined file when it has one ({@code log_file}), whole lines at a time. A read is split
 * after its last {@code '\n'}: the lines before go out in one write, the unterminated rest waits
 * for the next read (up to {@link #MAX_TAIL}, then it goes out as is), and at the end of the pipe
 * a waiting rest is written with a {@code '\n'} added.
 *
 * <p><b>Formats.</b> With a {@link LineFormat} other than raw, each line is stamped once with the
 * time its first bytes were read (a line split across reads keeps the time of its first part) and
 * written as that format says; a piece of an over-long line is written as a line of its own.
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
    private final LogFile all;
    private final LineFormat format;
    private byte[] tail = NONE;
    /** When the first bytes of {@link #tail} were read. */
    private long tailAt;
    private int pending;
    /** {@code herd runtime}: the lines also go to the runtime's stdout or stderr, or null. */
    private Console.Tap tap;

    Pump(Loop loop, Stream in, LogFile file) {
        this(loop, in, file, null, LineFormat.RAW);
    }

    Pump(Loop loop, Stream in, LogFile file, LogFile all, LineFormat format) {
        this.loop = loop;
        this.in = in;
        this.file = file;
        this.all = all;
        this.format = format;
        file.retain();
        if (all != null) all.retain();
    }

    /** Also writes the lines, as they came, to {@code tap} (null: none); {@return this pump} */
    Pump tap(Console.Tap tap) {
        this.tap = tap;
        return this;
    }

    void start() {
        in.readStart(this::onRead);
    }

    private void onRead(ByteBuffer data, ErrnoException error) {
        long now = System.currentTimeMillis();
        if (data == null) {
            in.close();
            if (tail.length == 0) {
                release();
                return;
            }
            byte[] last;
            byte[] rawLast = Arrays.copyOf(tail, tail.length + 1);
            rawLast[tail.length] = '\n';
            if (format.raw()) {
                last = Arrays.copyOf(tail, tail.length + 1);
                last[tail.length] = '\n';
            } else {
                ByteArrayOutputStream b = new ByteArrayOutputStream(tail.length + 64);
                format.line(b, tail, 0, tail.length, tailAt);
                last = b.toByteArray();
            }
            tail = NONE;
            write(last, last.length, rawLast, rawLast.length, this::release);
            return;
        }
        int n = data.remaining();
        long firstAt = tail.length > 0 ? tailAt : now;
        byte[] chunk = Arrays.copyOf(tail, tail.length + n);
        data.get(chunk, tail.length, n);
        int cut = lastNewline(chunk) + 1;
        if (cut == 0 && chunk.length >= MAX_TAIL) cut = chunk.length;
        tail = cut == chunk.length ? NONE : Arrays.copyOfRange(chunk, cut, chunk.length);
        if (cut > 0) tailAt = now; // a rest after a newline began in this read
        else tailAt = firstAt;
        if (cut == 0) return;
        byte[] out = chunk;
        int len = cut;
        if (!format.raw()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(cut + cut / 4 + 64);
            int start = 0;
            long at = firstAt;
            for (int i = 0; i < cut; i++) {
                if (chunk[i] != '\n') continue;
                format.line(b, chunk, start, i - start, at);
                at = now;
                start = i + 1;
            }
            if (start < cut) format.line(b, chunk, start, cut - start, at); // a piece of an over-long line
            out = b.toByteArray();
            len = out.length;
        }
        in.readStop();
        write(out, len, chunk, cut, () -> {
            if (!in.isClosing()) in.readStart(this::onRead);
        });
    }

    /**
     * Writes to the file and the combined file, and {@code raw[0, rawLen)} (the lines as they
     * came) to the tap; {@code done} once all are written.
     */
    private void write(byte[] data, int len, byte[] raw, int rawLen, Runnable done) {
        pending = (all == null ? 1 : 2) + (tap == null ? 0 : 1);
        Runnable one = () -> {
            if (--pending == 0) done.run();
        };
        file.write(loop, data, 0, len, one);
        if (all != null) all.write(loop, data, 0, len, one);
        if (tap != null) tap.write(raw, rawLen, one);
    }

    private void release() {
        file.release();
        if (all != null) all.release();
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
