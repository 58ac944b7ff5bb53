package dev.herd.node.internal.net;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The connections of a server held by another process, as the IPC channel to that process tracks
 * them (Node's {@code SocketListSend} in a server's {@code _workers}): sent net.Sockets keep
 * counting in the server's {@code getConnections} and keep its {@code close} from completing.
 * Each method calls back exactly once, on the loop thread.
 */
public interface RemoteSockets {
    /**
     * How many of the sent connections the other process still holds, or an error.
     *
     * @param callback gets the error or null, and the count
     */
    void getConnections(BiConsumer<Throwable, Integer> callback);

    /**
     * Calls back once the other process holds none (or cannot answer any more).
     *
     * @param callback gets null, or the error
     */
    void close(Consumer<Throwable> callback);
}
