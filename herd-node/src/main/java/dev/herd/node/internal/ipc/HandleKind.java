package dev.herd.node.internal.ipc;

import dev.herd.io.Pipe;
import dev.herd.io.Stream;
import dev.herd.io.Tcp;
import dev.herd.io.Udp;
import dev.herd.loop.Handle;
import dev.herd.node.NodeError;
import dev.herd.node.SendOptions;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.net.NetAccess;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.Fd;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The handle types an IPC channel can pass (Node's {@code handleConversion} in
 * lib/internal/child_process.js): what the sender puts in the NODE_HANDLE envelope's {@code type},
 * which descriptor it sends, and what the receiver builds from the descriptor.
 *
 * <p>A net.Socket accepted by a net.Server carries the server's {@code key}: see
 * {@link SocketListSend} and {@link SocketListReceive} for what follows from it.
 *
 * <p>Loop thread only.
 */
enum HandleKind {
    /** A listening net.Server: the receiver gets a new Server listening on the same socket. */
    NET_SERVER("net.Server"),
    /** A connected net.Socket: the receiver gets a Socket on it; the sender's lets go unless keepOpen. */
    NET_SOCKET("net.Socket"),
    /** A raw Tcp or Pipe handle (what cluster passes). */
    NET_NATIVE("net.Native"),
    /** A bound dgram.Socket: the receiver gets a Socket bound on it. */
    DGRAM_SOCKET("dgram.Socket"),
    /** A raw Udp handle. */
    DGRAM_NATIVE("dgram.Native");

    final String type;

    HandleKind(String type) {
        this.type = type;
    }

    /** The kind of a handle given to send(). */
    static HandleKind of(Object handle) {
        return switch (handle) {
            case Server s -> NET_SERVER;
            case Socket s -> NET_SOCKET;
            case Stream s -> NET_NATIVE; // Tcp, Pipe
            case dev.herd.node.dgram.Socket s -> DGRAM_SOCKET;
            case Udp u -> DGRAM_NATIVE;
            default -> throw new NodeError("ERR_INVALID_HANDLE_TYPE", "This handle type cannot be sent", IllegalArgumentException.class);
        };
    }

    /** The kind named by an envelope's {@code type}, or null for one Herd does not know. */
    static HandleKind ofType(Object type) {
        for (HandleKind k : values()) {
            if (k.type.equals(type)) return k;
        }
        return null;
    }

    /**
     * The io handle whose descriptor goes with the envelope, completing the envelope as Node does
     * ({@code dgramType}; {@code key} for a net.Socket accepted by a net.Server, whose server
     * then counts it through {@code channel}'s {@link SocketListSend}); a net.Socket sent without
     * keepOpen is let go of here. Null when the object has no handle (already sent, destroyed):
     * the bare message is sent instead.
     */
    Handle detach(Channel channel, Object handle, Map<String, Object> envelope, SendOptions options) {
        return switch (this) {
            case NET_SERVER -> ((Server) handle).handle();
            case NET_SOCKET -> {
                Socket socket = (Socket) handle;
                if (socket.handle() == null || (!options.keepOpen() && socket.destroyed())) yield null;
                Server server = socket.server();
                String key = server == null ? null : NetAccess.get().connectionKey(server);
                if (key != null) {
                    // Node: message.key = socket.server._connectionKey; the server asks the peer from now on.
                    envelope.put("key", key);
                    channel.socketListSend(key).attach(server);
                }
                // Without keepOpen the socket stops counting in its server (Node: _connections--).
                yield options.keepOpen() ? socket.handle() : NetAccess.get().detachHandle(socket);
            }
            case NET_NATIVE, DGRAM_NATIVE -> (Handle) handle;
            case DGRAM_SOCKET -> {
                dev.herd.node.dgram.Socket socket = (dev.herd.node.dgram.Socket) handle;
                envelope.put("dgramType", socket.type());
                yield socket.handle();
            }
        };
    }

    /**
     * Builds the receiver's object on {@code fd} and hands it to {@code emit} (at once, or after
     * 'listening' for servers and dgram sockets, as Node does).
     *
     * @throws NodeError ERR_INVALID_HANDLE_TYPE when the descriptor cannot back this kind (a
     *     regular file, a datagram socket sent as a net handle, ...); the descriptor is closed
     */
    void receive(Channel channel, Environment env, Map<String, Object> envelope, Fd fd, Pipe.PendingType fdType, Consumer<Object> emit) {
        Handle raw;
        try {
            raw = open(env, fd, fdType);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        switch (this) {
            case NET_NATIVE, DGRAM_NATIVE -> emit.accept(raw);
            case NET_SOCKET -> {
                Socket socket = Socket.adopt((Stream) raw);
                // Node tracks it when message.key is truthy; Herd only for a string key (a number
                // or object key would never match a later request's key in Node either).
                if (envelope.get("key") instanceof String key && !key.isEmpty()) channel.socketListGot(key).add(socket);
                emit.accept(socket);
            }
            case NET_SERVER -> {
                Server server = new Server(null);
                server.listen((Stream) raw, () -> emit.accept(server));
            }
            case DGRAM_SOCKET -> {
                Object t = envelope.get("dgramType");
                String type = "udp6".equals(t) ? "udp6" : "udp4";
                dev.herd.node.dgram.Socket[] socket = new dev.herd.node.dgram.Socket[1];
                socket[0] = dev.herd.node.dgram.Socket.adopt(type, (Udp) raw, () -> emit.accept(socket[0]));
            }
        }
    }

    private Handle open(Environment env, Fd fd, Pipe.PendingType fdType) {
        boolean datagram = this == DGRAM_SOCKET || this == DGRAM_NATIVE;
        if (fdType == Pipe.PendingType.UDP && datagram) {
            Udp udp = new Udp(env.loop());
            udp.open(fd);
            return udp;
        }
        if (fdType == Pipe.PendingType.TCP && !datagram) {
            Tcp tcp = new Tcp(env.loop());
            tcp.open(fd);
            return tcp;
        }
        if (fdType == Pipe.PendingType.PIPE && !datagram) {
            Pipe pipe = new Pipe(env.loop());
            pipe.open(fd);
            return pipe;
        }
        throw new NodeError("ERR_INVALID_HANDLE_TYPE", "Received a " + fdType + " descriptor as a " + type + " handle");
    }
}
