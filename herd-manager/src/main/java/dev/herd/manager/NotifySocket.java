package dev.herd.manager;

import dev.herd.loop.IoWatcher;
import dev.herd.loop.Loop;
import dev.herd.os.Epoll;
import dev.herd.os.ErrnoException;
import dev.herd.os.Errno;
import dev.herd.os.Fd;
import dev.herd.os.Net;
import dev.herd.os.SockAddr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * systemd's readiness protocol (sd_notify) for one app, held by the keeper: a Unix datagram
 * socket at {@code HERD_HOME/notify/ID.sock} whose path the app gets as {@code NOTIFY_SOCKET}, so
 * that any program (a shell script, Python, Go, a C daemon linked with libsystemd) can say
 * {@code READY=1}. Each datagram is newline-separated {@code KEY=VALUE} assignments; every one is
 * handed on ({@code READY=1}, {@code STATUS=...}, {@code STOPPING=1}...). The directory is the
 * manager's (0700), so only its user can write to the socket. The socket lives as long as the
 * app is known to the keeper (across its restarts).
 *
 * <p>Thread rule: the keeper's loop thread.
 */
final class NotifySocket implements AutoCloseable {
    /** The largest datagram read; sd_notify's messages are a few hundred bytes. */
    static final int MAX_DATAGRAM = 4096;
    /** sun_path's size, with its terminating NUL. */
    private static final int SUN_PATH_MAX = 107;

    private final Path path;
    private final Fd fd;
    private final IoWatcher watcher;
    private final byte[] buf = new byte[MAX_DATAGRAM];

    private NotifySocket(Path path, Fd fd, Loop loop, Consumer<Map<String, String>> onMessage) {
        this.path = path;
        this.fd = fd;
        this.watcher = new IoWatcher(loop, fd.intValue(), events -> drain(onMessage));
        watcher.start(Epoll.EPOLLIN);
    }

    /**
     * Binds the socket of app {@code app} under {@code home}.
     *
     * @param onMessage gets each datagram's assignments
     * @throws IOException if the socket cannot be made (the path too long, a bind error)
     */
    static NotifySocket open(HerdHome home, Loop loop, int app, Consumer<Map<String, String>> onMessage) throws IOException {
        Path dir = home.dir().resolve("notify");
        Files.createDirectories(dir);
        Path path = dir.resolve(app + ".sock");
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > SUN_PATH_MAX) {
            throw new IOException("the path " + path + " is too long for a Unix socket");
        }
        Files.deleteIfExists(path);
        Fd fd;
        try {
            fd = Net.socket(Net.AF_UNIX, Net.SOCK_DGRAM | Net.SOCK_NONBLOCK, 0);
        } catch (ErrnoException e) {
            throw new IOException("socket: " + e.getMessage(), e);
        }
        int r = Net.bind(fd.intValue(), SockAddr.unix(path.toString()));
        if (r < 0) {
            fd.close();
            throw new IOException("bind " + path + ": " + Errno.of(r));
        }
        HerdHome.ownerOnly(path);
        return new NotifySocket(path, fd, loop, onMessage);
    }

    /** {@return the socket's path: the app's {@code NOTIFY_SOCKET}} */
    Path path() {
        return path;
    }

    private void drain(Consumer<Map<String, String>> onMessage) {
        for (int i = 0; i < 64 && fd.isOpen(); i++) {
            long n = Net.recvfrom(fd.intValue(), buf, 0, buf.length, 0, null);
            if (n < 0) return; // EAGAIN: all read; another error: the next wakeup tries again
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : new String(buf, 0, (int) Math.min(n, buf.length), StandardCharsets.UTF_8).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
            }
            if (!m.isEmpty()) onMessage.accept(m);
        }
    }

    /** Closes the socket and removes its file. Idempotent. */
    @Override
    public void close() {
        if (!fd.isOpen()) return;
        watcher.close();
        fd.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the next keeper replaces it
        }
    }
}
