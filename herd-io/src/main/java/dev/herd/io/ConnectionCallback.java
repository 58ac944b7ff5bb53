package dev.herd.io;

import dev.herd.os.ErrnoException;

/**
 * Told of each incoming connection on a listening stream (libuv's {@code uv_connection_cb}); runs
 * on the loop thread in the poll phase. With {@code error == null} a connection is waiting: take it
 * with {@link Stream#accept(Stream)} during this call or later (the listener stops accepting until
 * it is taken). With an error (EMFILE, ENFILE, ...) there is nothing to accept.
 */
@FunctionalInterface
public interface ConnectionCallback {
    /**
     * Announces a connection waiting to be accepted, or an accept error.
     *
     * @param error null when a connection waits; otherwise the failure
     */
    void onConnection(ErrnoException error);
}
