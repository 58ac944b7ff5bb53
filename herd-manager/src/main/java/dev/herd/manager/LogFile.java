package dev.herd.manager;

import dev.herd.loop.Loop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One app log file the keeper writes ({@code logs/NAME-out.log}), open for appending. Writes run
 * on the work pool, never on the loop, and each is one {@code write(2)} of whole lines (or a
 * line's first 64 KiB) on a descriptor opened with {@code O_APPEND}, so the lines of two
 * processes writing the same file (an app and the process that replaced it, or a daemonised child
 * still holding the old pipe) never mix within a line. The pumps that use it count themselves
 * ({@link #retain()}, {@link #release()}); it closes when the app is forgotten and the last pump
 * has ended.
 *
 * <p>Thread rule: the keeper's loop thread, except the write itself on a pool thread.
 */
final class LogFile {
    private final Path path;
    private final FileChannel channel;
    private int users;
    private boolean forgotten;
    private boolean failed;

    private LogFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    static LogFile open(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        return new LogFile(path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
    }

    Path path() {
        return path;
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
        loop.queueWork(() -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(data, off, len);
                while (b.hasRemaining()) channel.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, error -> {
            if (error != null && !failed) {
                failed = true;
                Log.info("keeper", "cannot write " + path + ": " + error.getMessage());
            } else if (error == null) {
                failed = false;
            }
            done.run();
        });
    }

    private void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do: the data is written or was reported
        }
    }
}
