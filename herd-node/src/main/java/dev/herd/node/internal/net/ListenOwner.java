package dev.herd.node.internal.net;

import dev.herd.io.Stream;
import dev.herd.node.net.AddressInfo;

/**
 * A server or UDP socket that listens through the cluster primary, as cluster sees it: what
 * Node's child.js uses of the object it is given (its 'listening' event, its address, its
 * {@code onconnection} and {@code maxConnections}, its {@code close}). net.Server and
 * dgram.Socket each hand cluster one of these.
 *
 * <p>Thread rule: the worker's loop thread.
 */
public interface ListenOwner {
    /**
     * Runs {@code listener} once, when the owner emits 'listening'.
     *
     * @param listener what to run
     */
    void onceListening(Runnable listener);

    /**
     * The address the owner listens on, as its {@code address()} says; null if it has none.
     *
     * @return the address, or null
     * @throws RuntimeException when the owner is closed
     */
    AddressInfo address();

    /**
     * Round-robin: whether the owner takes one more connection from the primary (a server below
     * its {@code maxConnections}); false for a UDP socket.
     *
     * @return whether a connection is accepted
     */
    boolean acceptsConnection();

    /**
     * Round-robin: a connection the primary accepted for this server (Node's
     * {@code server.onconnection}); the owner owns {@code client} from now on.
     *
     * @param client the connection
     */
    void connection(Stream client);

    /**
     * The worker disconnects (Node's {@code handle[owner_symbol].close(cb)}): the owner closes
     * and runs {@code done} once closed. Returns false, without calling {@code done}, when the
     * owner is not open any more; the caller then closes the handle itself.
     *
     * @param done runs once closed
     * @return whether the owner is closing
     */
    boolean close(Runnable done);
}
