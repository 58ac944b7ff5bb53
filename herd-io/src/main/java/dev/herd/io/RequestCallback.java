package dev.herd.io;

import dev.herd.os.ErrnoException;

/**
 * The completion of a request ({@link WriteRequest}, {@link ConnectRequest},
 * {@link ShutdownRequest}): libuv's {@code uv_write_cb}, {@code uv_connect_cb},
 * {@code uv_shutdown_cb}. It runs exactly once per request, on the loop thread, never inside the
 * call that made the request.
 */
@FunctionalInterface
public interface RequestCallback {
    /**
     * Completes the request.
     *
     * @param error {@code null} on success; otherwise the failure (ECONNREFUSED, EPIPE,
     *     ECONNRESET, ...), or ECANCELED when the stream was closed before the request finished
     */
    void done(ErrnoException error);
}
