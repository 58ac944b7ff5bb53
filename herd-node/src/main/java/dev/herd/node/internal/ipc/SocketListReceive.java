package dev.herd.node.internal.ipc;

import dev.herd.node.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The receiver's side of Node's socket-list subprotocol (lib/internal/socket_list.js
 * {@code SocketListReceive}): one per channel and {@code key}, counting the net.Sockets received
 * with that key that are still open. It answers {@code NODE_SOCKET_GET_COUNT} with
 * {@code NODE_SOCKET_COUNT} and {@code NODE_SOCKET_NOTIFY_CLOSE} with
 * {@code NODE_SOCKET_ALL_CLOSED} once the count is zero (at once if it is), one answer per
 * request, as Node does. Nothing is sent once the channel is disconnected.
 *
 * <p>Thread rule: the channel's loop thread. Lifetime: the channel's.
 */
final class SocketListReceive {
    private final Channel channel;
    final String key;
    private int connections;
    /** NODE_SOCKET_NOTIFY_CLOSE requests waiting for the count to reach zero. */
    private int closeNotifications;

    SocketListReceive(Channel channel, String key) {
        this.channel = channel;
        this.key = key;
    }

    /** A socket received with this key: counted until its 'close'. */
    void add(Socket socket) {
        connections++;
        socket.once(Socket.CLOSE, hadError -> {
            connections--;
            if (connections == 0) {
                int n = closeNotifications;
                closeNotifications = 0;
                for (int i = 0; i < n; i++) allClosed();
            }
        });
    }

    int connections() {
        return connections;
    }

    /** A NODE_SOCKET_GET_COUNT or NODE_SOCKET_NOTIFY_CLOSE for this key. */
    void onRequest(String cmd) {
        if ("NODE_SOCKET_NOTIFY_CLOSE".equals(cmd)) {
            if (connections == 0) allClosed();
            else closeNotifications++;
        } else if ("NODE_SOCKET_GET_COUNT".equals(cmd)) {
            if (!channel.connected()) return;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cmd", "NODE_SOCKET_COUNT");
            m.put("key", key);
            m.put("count", connections);
            channel.sendInternal(m, false);
        }
    }

    private void allClosed() {
        if (!channel.connected()) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", "NODE_SOCKET_ALL_CLOSED");
        m.put("key", key);
        channel.sendInternal(m, true);
    }
}
