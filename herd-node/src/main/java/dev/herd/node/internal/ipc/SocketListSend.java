package dev.herd.node.internal.ipc;

import dev.herd.node.NodeError;
import dev.herd.node.internal.net.NetAccess;
import dev.herd.node.internal.net.RemoteSockets;
import dev.herd.node.net.Server;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The sender's side of Node's socket-list subprotocol (lib/internal/socket_list.js
 * {@code SocketListSend}): one per channel and server {@code key}, created when a net.Socket of a
 * net.Server is first sent with that key. It is the server's view of the peer
 * ({@link Server.RemoteSockets}): {@link #getConnections} asks with {@code NODE_SOCKET_GET_COUNT}
 * and reads the {@code NODE_SOCKET_COUNT} answer, {@link #close} sends
 * {@code NODE_SOCKET_NOTIFY_CLOSE} and waits for {@code NODE_SOCKET_ALL_CLOSED}.
 *
 * <p>As in Node, one answer completes every request of its kind that is waiting; requests still
 * waiting when the channel closes (and requests made after) fail with
 * ERR_CHILD_CLOSED_BEFORE_REPLY. A {@code NODE_SOCKET_COUNT} whose {@code count} is not a
 * non-negative integer completes the waiting getConnections with ERR_IPC_BAD_SOCKET_COUNT (Node
 * would add {@code undefined} and report NaN).
 *
 * <p>Thread rule: the channel's loop thread. Lifetime: the channel's; when it closes the list
 * removes itself from its servers (Herd's stand-in for Node's removal on the child's 'exit').
 */
final class SocketListSend implements RemoteSockets {
    private final Channel channel;
    final String key;
    private final List<Server> servers = new ArrayList<>(1);
    private final List<BiConsumer<Throwable, Integer>> countWaiters = new ArrayList<>();
    private final List<Consumer<Throwable>> closeWaiters = new ArrayList<>();

    SocketListSend(Channel channel, String key) {
        this.channel = channel;
        this.key = key;
    }

    /** A server whose sockets go out under this key (Node calls _setupWorker on the first send). */
    void attach(Server server) {
        if (servers.contains(server)) return;
        servers.add(server);
        NetAccess.get().setupWorker(server, this);
    }

    @Override
    public void getConnections(BiConsumer<Throwable, Integer> callback) {
        if (!channel.connected()) {
            callback.accept(closedBeforeReply(), null);
            return;
        }
        countWaiters.add(callback);
        channel.sendInternal(request("NODE_SOCKET_GET_COUNT"), false);
    }

    @Override
    public void close(Consumer<Throwable> callback) {
        if (!channel.connected()) {
            callback.accept(closedBeforeReply());
            return;
        }
        closeWaiters.add(callback);
        channel.sendInternal(request("NODE_SOCKET_NOTIFY_CLOSE"), true);
    }

    private Map<String, Object> request(String cmd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", cmd);
        m.put("key", key);
        return m;
    }

    /** A NODE_SOCKET_COUNT or NODE_SOCKET_ALL_CLOSED for this key. */
    void onReply(String cmd, Map<String, Object> message) {
        if ("NODE_SOCKET_COUNT".equals(cmd)) {
            if (countWaiters.isEmpty()) return;
            List<BiConsumer<Throwable, Integer>> waiting = List.copyOf(countWaiters);
            countWaiters.clear();
            Integer count = countOf(message.get("count"));
            NodeError bad = count != null ? null
                    : new NodeError("ERR_IPC_BAD_SOCKET_COUNT", "NODE_SOCKET_COUNT for " + key + " has no valid count: " + message.get("count"));
            for (BiConsumer<Throwable, Integer> w : waiting) w.accept(bad, count);
        } else if ("NODE_SOCKET_ALL_CLOSED".equals(cmd)) {
            if (closeWaiters.isEmpty()) return;
            List<Consumer<Throwable>> waiting = List.copyOf(closeWaiters);
            closeWaiters.clear();
            for (Consumer<Throwable> w : waiting) w.accept(null);
        }
    }

    /** The channel closed: waiting requests fail, and the servers stop asking this peer. */
    void channelClosed() {
        List<BiConsumer<Throwable, Integer>> counts = List.copyOf(countWaiters);
        List<Consumer<Throwable>> closes = List.copyOf(closeWaiters);
        countWaiters.clear();
        closeWaiters.clear();
        for (BiConsumer<Throwable, Integer> w : counts) w.accept(closedBeforeReply(), null);
        for (Consumer<Throwable> w : closes) w.accept(closedBeforeReply());
        for (Server s : servers) NetAccess.get().removeWorker(s, this);
        servers.clear();
    }

    /** A count as a JS number that is a non-negative integer within int range, else null. */
    private static Integer countOf(Object count) {
        if (count instanceof Integer i) return i >= 0 ? i : null;
        if (count instanceof Long l) return l >= 0 && l <= Integer.MAX_VALUE ? (int) (long) l : null;
        if (count instanceof Double d) return d >= 0 && d <= Integer.MAX_VALUE && d == Math.rint(d) ? (int) (double) d : null;
        return null;
    }

    private static NodeError closedBeforeReply() {
        return new NodeError("ERR_CHILD_CLOSED_BEFORE_REPLY", "Child closed before reply received");
    }
}
