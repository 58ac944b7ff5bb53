package dev.herd.io;

import dev.herd.os.ErrnoException;

/**
 * What the three stream requests share: the stream, the callback, the outcome, and the link in the
 * stream's queues (libuv's {@code uv_req_t} fields). A request is counted as active on the loop
 * from creation until its callback runs, so it keeps the loop alive even on an unreferenced stream.
 */
abstract sealed class StreamRequest permits WriteRequest, ConnectRequest, ShutdownRequest {
    final Stream stream;
    private final RequestCallback callback;
    /** Set when the request finishes; null means success. */
    ErrnoException error;
    /** Link in the stream's write queue or completed queue. */
    StreamRequest next;
    private boolean done;

    StreamRequest(Stream stream, RequestCallback callback) {
        this.stream = stream;
        this.callback = callback;
        stream.loop().requestStarted();
    }

    /** Runs the callback: the one place a request ends, so it ends exactly once. */
    final void complete() {
        if (done) throw new IllegalStateException("request completed twice");
        done = true;
        release();
        stream.loop().requestDone();
        if (callback != null) callback.done(error);
    }

    /** Lets go of what the request holds (a write's buffers) just before the callback. */
    void release() {}

    /** {@return the stream this request acts on} */
    public final Stream stream() {
        return stream;
    }

    /** {@return whether the callback has run} */
    public final boolean isDone() {
        return done;
    }
}
