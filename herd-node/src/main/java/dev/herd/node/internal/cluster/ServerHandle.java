package dev.herd.node.internal.cluster;

import dev.herd.node.cluster.Worker;
import java.util.Map;

/**
 * What the primary keeps per server key (Node's {@code handles} map in primary.js holds a
 * RoundRobinHandle or a SharedHandle, duck-typed on {@code add}/{@code remove}): the listening
 * socket and the workers that share it.
 *
 * <p>Thread rule: the primary's loop thread. Lifetime: from the first worker's queryServer for the
 * key until the last worker leaves it (or the socket could not be made).
 */
abstract sealed class ServerHandle permits RoundRobinHandle, SharedHandle, ReusePortHandle {
    /** How {@link #add} answers the worker's queryServer: errno (null or 0: fine), extra fields, a handle to pass. */
    @FunctionalInterface
    interface Answer {
        void send(Integer errno, Map<String, Object> reply, Object handle);
    }

    final String key;
    /** Custom server data (TLS ticket keys); the first worker's wins (Node's {@code handle.data}). */
    Object data;

    ServerHandle(String key) {
        this.key = key;
    }

    /** Adds {@code worker} and answers its query (at once: Herd binds synchronously). */
    abstract void add(Worker worker, Answer answer);

    /** Removes {@code worker}; true when it was the last one and the socket has been closed. */
    abstract boolean remove(Worker worker);
}
