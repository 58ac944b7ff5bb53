package dev.herd.node.internal.ipc;

import dev.herd.io.Pipe;
import dev.herd.node.internal.Environment;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The child side of an IPC channel at startup (Node's {@code setupChildProcessIpcChannel} in
 * lib/internal/process/pre_execution.js): whoever the parent is — a Herd parent or Node's
 * {@code fork()} — it names the channel's descriptor in {@code NODE_CHANNEL_FD} and the mode in
 * {@code NODE_CHANNEL_SERIALIZATION_MODE}. Both variables are read once per JVM (by the first
 * environment) and removed from {@code process.env}, as Node removes them.
 *
 * <p>Loop thread of the environment being set up.
 */
public final class ChildChannel {
    private static final AtomicBoolean TAKEN = new AtomicBoolean();

    private ChildChannel() {}

    /**
     * The channel named by {@code env}'s variables, open and reading, or null when there is none
     * (no variable, an empty one, or a channel already taken by an earlier environment of this JVM).
     *
     * @param environment the environment whose loop the channel runs on
     * @param env the environment variables: NODE_CHANNEL_FD and NODE_CHANNEL_SERIALIZATION_MODE
     * @param target where messages, disconnect and errors go
     * @return the channel, or null
     * @throws IllegalArgumentException for a value Node also refuses at startup: a descriptor that
     *     is not a non-negative integer, an unknown serialization mode
     */
    public static Channel open(Environment environment, Map<String, String> env, Channel.Target target) {
        String fdText = env.get("NODE_CHANNEL_FD");
        if (fdText == null || fdText.isEmpty()) return null;
        int fd = parseInt(fdText);
        if (fd < 0) throw new IllegalArgumentException("NODE_CHANNEL_FD is not a descriptor: '" + fdText + "'");
        String mode = env.get("NODE_CHANNEL_SERIALIZATION_MODE");
        Serialization serialization = mode == null || mode.isEmpty() ? Serialization.JSON : Serialization.of(mode);
        if (!TAKEN.compareAndSet(false, true)) return null;
        env.remove("NODE_CHANNEL_FD");
        env.remove("NODE_CHANNEL_SERIALIZATION_MODE");
        // Node makes the channel close-on-exec (and non-blocking: Pipe.open does that).
        int r = LibC.fcntl(fd, LibC.F_SETFD, LibC.FD_CLOEXEC);
        if (r < 0) throw ErrnoException.of(r, "fcntl");
        Pipe pipe = new Pipe(environment.loop(), true);
        try {
            pipe.open(Fd.adopt(fd));
        } catch (RuntimeException e) {
            pipe.close();
            throw e;
        }
        return new Channel(environment, pipe, serialization, target, true);
    }

    /** JavaScript's {@code parseInt(s, 10)} for what NODE_CHANNEL_FD can hold; -1 for NaN. */
    static int parseInt(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) i++;
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) negative = s.charAt(i++) == '-';
        long v = 0;
        int start = i;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && v <= Integer.MAX_VALUE) v = v * 10 + (s.charAt(i++) - '0');
        if (i == start || v > Integer.MAX_VALUE) return -1;
        return negative ? (v == 0 ? 0 : -1) : (int) v;
    }
}
