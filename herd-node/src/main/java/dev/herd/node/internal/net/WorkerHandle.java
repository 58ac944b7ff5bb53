package dev.herd.node.internal.net;

import dev.herd.loop.Handle;
import dev.herd.node.net.AddressInfo;

/**
 * What the primary gave a worker's server or UDP socket (Node's handle from
 * {@code cluster._getServer}).
 *
 * <p>Thread rule: the worker's loop thread. Lifetime: until {@link #close}.
 */
public interface WorkerHandle {
    /**
     * The socket to listen on (shared, or the worker's own SO_REUSEPORT socket): a bound Tcp,
     * Pipe or Udp, now the caller's; null for round-robin, where connections come through
     * {@link ListenOwner#connection}.
     *
     * @return the handle, or null
     */
    Handle handle();

    /**
     * Round-robin: the primary's listening address, or null for a Unix socket.
     *
     * @return the address, or null
     */
    AddressInfo address();

    /** Round-robin: keep the process alive while listening (Node's faux handle's ref). */
    void ref();

    /** Round-robin: lets the process exit while listening. */
    void unref();

    /** The server or socket closed: tells the primary (Node's 'close' message). Idempotent. */
    void close();
}
