package dev.herd.io;

/**
 * One {@link Stream#shutdown} (libuv's {@code uv_shutdown_t}): once every write queued before it
 * has finished, the write side is shut ({@code shutdown(SHUT_WR)}: the peer reads EOF) and the
 * callback runs, exactly once: {@code null}, the failure (ENOTCONN, ENOTSOCK, ...), or ECANCELED
 * when the stream closed first.
 *
 * <p>Thread rule: loop thread only. Lifetime: from {@code shutdown} until its callback has run.
 */
public final class ShutdownRequest extends StreamRequest {
    ShutdownRequest(Stream stream, RequestCallback callback) {
        super(stream, callback);
    }
}
