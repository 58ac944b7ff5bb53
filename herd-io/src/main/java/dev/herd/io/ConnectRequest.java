package dev.herd.io;

/**
 * One {@link Tcp#connect} or {@link Pipe#connect} (libuv's {@code uv_connect_t}). Its callback runs
 * exactly once: with {@code null} once connected, with the failure (ECONNREFUSED, ENOENT,
 * ETIMEDOUT, ...), or with ECANCELED when the stream closed first.
 *
 * <p>Thread rule: loop thread only. Lifetime: from {@code connect} until its callback has run.
 */
public final class ConnectRequest extends StreamRequest {
    /** For error messages: the address (IP or path) and port (-1 for a path). */
    final String address;
    final int port;

    ConnectRequest(Stream stream, RequestCallback callback, String address, int port) {
        super(stream, callback);
        this.address = address;
        this.port = port;
    }
}
