package dev.herd.manager;

import dev.herd.loop.Loop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One app log file the keeper writes ({@code logs/NAME-out.log}), open for appending. Writes run
 * on the work pool, never on the loop, and each is one {@code write(2)} of whole lines (or a
 * line's first 64 KiB) on a descriptor opened with {@code O_APPEND}, so the lines of two
 * processes writing the same file (an app and the process that replaced it, or a daemonised child
 * still holding the old pipe) never mix within a line. The pumps that use it count themselves
 * ({@link #retain()}, {@link #release()}); it closes when the app is forgotten and the last pump
 * has ended.
 *
 * <p>Its operations (writes, {@link #reopen}, rotation, closing) run one at a time in the order
 * they were asked for, so a reopen or a rotation happens between two writes, never during one:
 * no line is lost or cut across a rotation. <b>Rotation</b> ({@code log_max_size}): after a write
 * that makes the file {@code maxSize} or bigger, it is renamed {@code NAME-out__YYYY-MM-DD_HH-mm-ss.log}
 * (pm2-logrotate's names), a new file is opened, and rotated files beyond the newest
 * {@code retain} are deleted.
 *
 * <p>Thread rule: the keeper's loop thread, except the operations themselves on a pool thread.
 */
final class LogFile {
    private static final DayjsFormat ROTATED = DayjsFormat.of("YYYY-MM-DD_HH-mm-ss");

    private final Path path;
    private final boolean regular;
    /** Used by one operation at a time, on a pool thread. */
    private FileChannel channel;
    private final ArrayDeque<Op> ops = new ArrayDeque<>();
    private boolean busy;
    private long maxSize;
    private int retain = LogOptions.DEFAULT_RETAIN;
    private int users;
    private boolean forgotten;
    private boolean closed;
    private boolean failed;

    /** An operation on the pool, then {@code done} on the loop. */
    private record Op(Loop loop, Runnable work, Runnable done) {}

    private LogFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
        this.regular = !path.toString().equals(LogOptions.DEV_NULL);
    }

    static LogFile open(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        return new LogFile(path, openChannel(path));
    }

    private static FileChannel openChannel(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    Path path() {
        return path;
    }

    /** Sets the rotation: at {@code maxSize} bytes (0: never), keeping {@code retain} rotated files. */
    void rotation(long maxSize, int retain) {
        this.maxSize = maxSize;
        this.retain = retain;
    }

    void retain() {
        users++;
    }

    void release() {
        if (--users == 0 && forgotten) close();
    }

    /** The app is gone: close once no pump writes any more. */
    void forget() {
        forgotten = true;
        if (users == 0) close();
    }

    /**
     * Appends {@code data[off, off + len)} on the work pool, then runs {@code done} on the loop.
     * A failed write (a full disk) is said once in herd.log and the data dropped: an app is never
     * stopped by its log.
     */
    void write(Loop loop, byte[] data, int off, int len, Runnable done) {
        long max = maxSize;
        int keep = retain;
        run(new Op(loop, () -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(data, off, len);
                while (b.hasRemaining()) channel.write(b);
                if (max > 0 && regular && channel.size() >= max) rotate(keep);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, done));
    }

    /**
     * Closes and opens the file again by its path (reloadLogs: logrotate moved it away), between
     * two writes; {@code done} on the loop.
     */
    void reopen(Loop loop, Runnable done) {
        run(new Op(loop, () -> {
            try {
                FileChannel old = channel;
                channel = openChannel(path);
                old.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, done));
    }

    private void run(Op op) {
        if (closed) {
            op.done().run();
            return;
        }
        ops.add(op);
        if (!busy) next();
    }

    private void next() {
        Op op = ops.poll();
        if (op == null) {
            busy = false;
            if (closed) closeNow();
            return;
        }
        busy = true;
        op.loop().queueWork(op.work(), error -> {
            if (error != null && !failed) {
                failed = true;
                Log.info("keeper", "cannot write " + path + ": " + error.getMessage());
            } else if (error == null) {
                failed = false;
            }
            op.done().run();
            next();
        });
    }

    /** On the pool: the file is full; moves it aside, opens a new one, deletes the oldest. */
    private void rotate(int keep) throws IOException {
        String file = path.getFileName().toString();
        String base = file.endsWith(".log") ? file.substring(0, file.length() - 4) : file;
        String stamp = ROTATED.format(System.currentTimeMillis());
        Path target = path.resolveSibling(base + "__" + stamp + ".log");
        for (int i = 1; Files.exists(target); i++) target = path.resolveSibling(base + "__" + stamp + "_" + String.format("%03d", i) + ".log");
        Files.move(path, target);
        FileChannel old = channel;
        channel = openChannel(path);
        old.close();
        List<Path> rotated = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(path.getParent(), base + "__*.log")) {
            for (Path p : d) rotated.add(p);
        }
        rotated.sort(null); // the names sort by time
        for (int i = 0; i < rotated.size() - keep; i++) Files.deleteIfExists(rotated.get(i));
    }

    private void close() {
        if (closed) return;
        closed = true;
        if (!busy) closeNow(); // else once the operations queued before have run
    }

    private void closeNow() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do: the data is written or was reported
        }
    }
}
