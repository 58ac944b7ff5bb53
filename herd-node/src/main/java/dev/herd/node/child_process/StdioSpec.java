package dev.herd.node.child_process;

import dev.herd.io.Stream;
import dev.herd.io.Udp;
import dev.herd.node.NodeError;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code stdio} option, checked and normalized (Node's {@code getValidStdio}): one
 * {@link Entry} per slot, at least three. Stateless.
 */
final class StdioSpec {
    private StdioSpec() {}

    enum Type { IGNORE, PIPE, IPC, FD, WRAP }

    /**
     * One slot: IGNORE; PIPE (a new socketpair); IPC (the channel's socketpair); FD (share our
     * descriptor {@code fd}: "inherit" or a number); WRAP (share {@code stream}'s descriptor;
     * {@code socket} is the Node socket it came from, if any).
     */
    record Entry(Type type, int fd, Stream stream, Socket socket) {
        static final Entry IGNORE = new Entry(Type.IGNORE, -1, null, null);
        static final Entry PIPE = new Entry(Type.PIPE, -1, null, null);
        static final Entry IPC = new Entry(Type.IPC, -1, null, null);
    }

    /** {@code stdio} as given in the options ({@code null}: "pipe"), for spawn ({@code sync} false) or spawnSync. */
    static List<Entry> valid(Object stdio, boolean sync) {
        List<?> list;
        if (stdio == null) {
            list = stringToArray("pipe");
        } else if (stdio instanceof String s) {
            list = stringToArray(s);
        } else if (stdio instanceof List<?> l) {
            list = l;
        } else {
            throw Errors.invalidArgValue("stdio", stdio);
        }
        List<Entry> out = new ArrayList<>(Math.max(3, list.size()));
        boolean ipc = false;
        for (int i = 0; i < Math.max(3, list.size()); i++) {
            Object e = i < list.size() ? list.get(i) : null;
            if (e == null) e = i < 3 ? "pipe" : "ignore";
            if (e.equals("ignore")) {
                out.add(Entry.IGNORE);
            } else if (e.equals("pipe") || e.equals("overlapped") || (e instanceof Integer n && n < 0)) {
                out.add(Entry.PIPE);
            } else if (e.equals("ipc")) {
                if (sync) throw new NodeError("ERR_IPC_SYNC_FORK", "IPC cannot be used with synchronous forks");
                if (ipc) throw new NodeError("ERR_IPC_ONE_PIPE", "Child process can have only one IPC pipe");
                ipc = true;
                out.add(Entry.IPC);
            } else if (e.equals("inherit")) {
                out.add(new Entry(Type.FD, i, null, null));
            } else if (e instanceof Integer n) {
                out.add(new Entry(Type.FD, n, null, null));
            } else if (e instanceof Socket s && !s.destroyed() && s.handle() != null) {
                out.add(new Entry(Type.WRAP, -1, s.handle(), s));
            } else if (e instanceof Stream st) {
                out.add(new Entry(Type.WRAP, -1, st, null));
            } else if (e instanceof Server server && server.handle() != null) {
                // Node takes any object with a handle (getHandleWrapType of stdio._handle): a
                // listening socket at fd 3.. is how a child is socket-activated (LISTEN_FDS).
                // The server keeps accepting here until it is closed.
                out.add(new Entry(Type.FD, server.handle().fileno(), null, null));
            } else if (e instanceof dev.herd.node.dgram.Socket socket && socket.handle() != null) {
                out.add(new Entry(Type.FD, socket.handle().fileno(), null, null));
            } else if (e instanceof Udp udp) {
                out.add(new Entry(Type.FD, udp.fileno(), null, null));
            } else if ((e instanceof String || e instanceof byte[]) && !sync) {
                throw new NodeError("ERR_INVALID_SYNC_FORK_INPUT",
                        "Asynchronous forks do not support Buffer, TypedArray, DataView or string input: "
                                + Errors.inspect(e), IllegalArgumentException.class);
            } else {
                throw Errors.invalidArgValue("stdio", e);
            }
        }
        return out;
    }

    /** Node's stdioStringToArray. */
    private static List<?> stringToArray(String s) {
        return switch (s) {
            case "ignore", "pipe", "overlapped" -> List.of(s, s, s);
            case "inherit" -> List.of(0, 1, 2);
            default -> throw Errors.invalidArgValue("stdio", s);
        };
    }
}
