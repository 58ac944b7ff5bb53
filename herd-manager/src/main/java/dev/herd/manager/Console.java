package dev.herd.manager;

import dev.herd.loop.Loop;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * {@code herd runtime}'s own standard output and error, where the apps' lines go besides their
 * log files: an app's stdout lines on the runtime's stdout, its stderr lines on the runtime's
 * stderr, each line {@link Mode#PREFIXED prefixed} with the app's id and name as pm2-runtime's
 * {@code --formatted} does ({@code 0|api  | line}), {@link Mode#RAW as they came} (pm2-runtime's
 * default), or as {@link Mode#JSON one JSON object per line} ({@code --log-type json}'s shape).
 *
 * <p>Writes run on the work pool, one at a time per stream and in the order asked, each one
 * {@code write(2)} of whole lines, so lines of two apps never mix within a line. A {@link Pump}
 * waits for its write as it waits for its file's: a runtime's stdout that is not read (a full pipe)
 * slows the apps down rather than growing a buffer. A stream that fails (closed, {@code EPIPE}) is
 * said once on the other one and its lines are dropped: an app is never stopped by the console.
 *
 * <p>Thread rule: the loop thread; the writes themselves on pool threads.
 */
final class Console {
    /** How lines are written. */
    enum Mode {
        /** {@code ID|NAME | line}: pm2-runtime's {@code --formatted}, and {@code herd logs}' prefix. */
        PREFIXED,
        /** The lines as the app wrote them: pm2-runtime's default ({@code --raw}). */
        RAW,
        /** {@code {"message","timestamp","type","process_id","app_name"}} per line, as {@code --log-type json}. */
        JSON
    }

    private final Loop loop;
    private final Mode mode;
    private final Stream out = new Stream(FileDescriptor.out, "stdout");
    private final Stream err = new Stream(FileDescriptor.err, "stderr");
    /** pm2's padding: the prefix grows to the longest {@code ID|NAME} seen, plus one. */
    private int width = 3;

    Console(Loop loop, Mode mode) {
        this.loop = loop;
        this.mode = mode;
    }

    /** The writer of one app's stream ({@code err}: its stderr). */
    Tap tap(int id, String name, boolean isErr) {
        LineFormat json = mode == Mode.JSON
                ? LineFormat.of(Map.of("type", "json", "id", id, "name", name), isErr ? "err" : "out") : null;
        return new Tap(isErr ? err : out, id + "|" + name, json);
    }

    /** Writes an app stream's lines to the runtime's stdout or stderr. Thread rule: the loop thread. */
    final class Tap {
        private final Stream stream;
        private final String label;
        private final LineFormat json;

        private Tap(Stream stream, String label, LineFormat json) {
            this.stream = stream;
            this.label = label;
            this.json = json;
        }

        /**
         * Writes {@code raw[0, len)}: whole lines (a last piece without {@code '\n'} gets one);
         * {@code done} on the loop once written.
         */
        void write(byte[] raw, int len, Runnable done) {
            if (mode == Mode.RAW && len > 0 && raw[len - 1] == '\n') {
                stream.write(raw, len, done);
                return;
            }
            if (label.length() >= width) width = label.length() + 1;
            byte[] prefix = mode == Mode.PREFIXED
                    ? (label + " ".repeat(width - label.length()) + " | ").getBytes(StandardCharsets.UTF_8) : null;
            ByteArrayOutputStream b = new ByteArrayOutputStream(len + len / 4 + 64);
            long now = System.currentTimeMillis();
            int start = 0;
            while (start < len) {
                int end = start;
                while (end < len && raw[end] != '\n') end++;
                if (json != null) {
                    json.line(b, raw, start, end - start, now);
                } else {
                    if (prefix != null) b.writeBytes(prefix);
                    b.write(raw, start, end - start);
                    b.write('\n');
                }
                start = end + 1;
            }
            byte[] data = b.toByteArray();
            stream.write(data, data.length, done);
        }
    }

    /** One of the runtime's own descriptors, written on the pool one write at a time. */
    private final class Stream {
        private final FileChannel channel;
        private final String name;
        private final ArrayDeque<Runnable[]> ops = new ArrayDeque<>();
        private boolean busy;
        private boolean failed;

        Stream(FileDescriptor fd, String name) {
            this.channel = new FileOutputStream(fd).getChannel();
            this.name = name;
        }

        void write(byte[] data, int len, Runnable done) {
            if (failed) {
                done.run();
                return;
            }
            Runnable work = () -> {
                try {
                    ByteBuffer buf = ByteBuffer.wrap(data, 0, len);
                    while (buf.hasRemaining()) channel.write(buf);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            ops.add(new Runnable[] {work, done});
            if (!busy) next();
        }

        private void next() {
            Runnable[] op = ops.poll();
            if (op == null) {
                busy = false;
                return;
            }
            busy = true;
            loop.queueWork(op[0], error -> {
                if (error != null && !failed) {
                    failed = true;
                    Log.info("runtime", "cannot write to " + name + " (" + error.getMessage() + "): the apps' lines"
                            + " go to their log files only");
                }
                op[1].run();
                next();
            });
        }
    }
}
