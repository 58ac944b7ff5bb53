package dev.herd.io;

import dev.herd.loop.Handle;
import java.nio.ByteBuffer;

/**
 * One {@link Stream#write} (libuv's {@code uv_write_t}): buffers waiting to be written, in order,
 * and a callback that runs exactly once when the last byte has been handed to the kernel, when
 * writing failed, or with ECANCELED when the stream closed first.
 *
 * <p>The request holds views of the caller's buffers, not copies: the stream never buffers more
 * than the caller queued, and the caller must leave the bytes alone until the callback. Buffers
 * already written are let go of as the write proceeds.
 *
 * <p>Thread rule: loop thread only. Lifetime: from {@code write} until its callback has run.
 */
public final class WriteRequest extends StreamRequest {
    /** Views of the caller's buffers; entries before {@link #index} are written and cleared. */
    final ByteBuffer[] bufs;
    int index;
    private final long size;
    /** The handle whose descriptor rides with this request's first written bytes (write2), until sent. */
    Handle sendHandle;

    WriteRequest(Stream stream, ByteBuffer[] bufs, long size, RequestCallback callback) {
        super(stream, callback);
        this.bufs = bufs;
        this.size = size;
    }

    /** {@return the number of bytes this request asked to write} */
    public long size() {
        return size;
    }

    /** Bytes not yet written. */
    long remaining() {
        long n = 0;
        for (int i = index; i < bufs.length; i++) {
            if (bufs[i] != null) n += bufs[i].remaining();
        }
        return n;
    }

    @Override
    void release() {
        // A failed or cancelled write still counts in writeQueueSize until now, as in libuv: a
        // non-zero queue size is the caller's signal to stop writing.
        stream.writeReleased(remaining());
        for (int i = index; i < bufs.length; i++) bufs[i] = null;
        index = bufs.length;
        sendHandle = null;
    }
}
