package dev.herd.manager;

import dev.herd.node.json.Json;
import dev.herd.node.net.Net;
import dev.herd.node.net.Socket;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The daemon's connection to the keeper: requests with an {@code id} and their answers, and the
 * keeper's events ({@code exit}, {@code message}). When the connection closes, every request still
 * waiting is answered with {@code EKEEPER} and the listener hears {@link Listener#closed()}.
 *
 * <p>Thread rule: the daemon's loop thread. Lifetime: one keeper connection.
 */
final class KeeperLink {
    /** The answer of a request: a result, or an error code and message. */
    interface Reply {
        void done(Map<String, Object> result, String code, String message);
    }

    /** What the keeper says unasked. */
    interface Listener {
        void event(Map<String, Object> event);

        void closed();
    }

    private final Socket socket;
    private final Map<Long, Reply> pending = new HashMap<>();
    private long nextId = 1;
    private boolean closed;

    private KeeperLink(Socket socket) {
        this.socket = socket;
    }

    /** Connects to the keeper's socket; {@code failed} gets the error (ENOENT, ECONNREFUSED) if there is none. */
    static void connect(String path, Listener listener, Consumer<KeeperLink> connected, Consumer<Object> failed) {
        Socket socket = Net.createConnection(path, null);
        KeeperLink link = new KeeperLink(socket);
        boolean[] up = new boolean[1];
        socket.once("connect", () -> {
            up[0] = true;
            connected.accept(link);
        });
        socket.on("error", a -> {
            if (!up[0]) failed.accept(a[0]);
        });
        LineSplitter lines = new LineSplitter(Keeper.MAX_LINE, new LineSplitter.Sink() {
            @Override
            public void line(byte[] bytes, int offset, int length) {
                link.onLine(bytes, offset, length, listener);
            }

            @Override
            public void tooLong() {
                Log.info("daemon", "the keeper sent a line longer than " + Keeper.MAX_LINE + " bytes");
            }
        });
        socket.on("data", a -> lines.feed((byte[]) a[0]));
        socket.on("close", () -> {
            if (!up[0]) return;
            link.closed = true;
            for (Reply r : List.copyOf(link.pending.values())) r.done(null, "EKEEPER", "the keeper is gone");
            link.pending.clear();
            listener.closed();
        });
    }

    private void onLine(byte[] bytes, int offset, int length, Listener listener) {
        Map<String, Object> m;
        try {
            m = Fields.object(Json.parse(bytes, offset, length), "a keeper line");
        } catch (RuntimeException e) {
            Log.info("daemon", "unreadable line from the keeper: " + e.getMessage());
            return;
        }
        if (m.get("event") != null) {
            listener.event(m);
            return;
        }
        Reply r = m.get("id") instanceof Number n ? pending.remove(n.longValue()) : null;
        if (r == null) {
            Log.info("daemon", "keeper: " + m);
            return;
        }
        if (Boolean.TRUE.equals(m.get("ok"))) {
            r.done(m.get("result") instanceof Map<?, ?> ? Fields.object(m.get("result"), "result") : Map.of(), null, null);
        } else {
            Map<String, Object> e = Fields.object(m.get("error"), "error");
            r.done(null, Fields.string(e, "code", "EKEEPER"), Fields.string(e, "message", "?"));
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Sends {@code cmd} with {@code params}; {@code reply} runs once with its answer. */
    void request(String cmd, Map<String, Object> params, Reply reply) {
        if (closed) {
            reply.done(null, "EKEEPER", "the keeper is gone");
            return;
        }
        long id = nextId++;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("cmd", cmd);
        m.putAll(params);
        pending.put(id, reply);
        socket.write(Json.stringifyUtf8Line(m));
    }

    void close() {
        socket.destroy();
    }
}
