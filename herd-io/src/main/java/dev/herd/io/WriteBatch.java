package dev.herd.io;

import dev.herd.os.LibC;
import dev.herd.os.Net;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The buffers of one write system call, gathered from the head of a write queue (or from a
 * {@link Stream#tryWrite} call): up to {@link Net#IOV_MAX} of them. libuv writes one request per
 * writev; gathering across requests turns many small writes into one system call.
 *
 * <p>Heap buffers cost a copy into native memory on a vectored write, so a batch copies at most
 * {@link #COPY_BYTES_MAX}; a heap buffer that does not fit goes alone on the next call, through the
 * zero-copy {@code write(fd, byte[])} path (the kernel reads the array in place). Direct buffers are
 * never copied.
 *
 * <p>Thread rule: one per thread, used within one call and never re-entered (no user code runs
 * between {@link #reset} and {@link #write}).
 */
final class WriteBatch {
    /** Heap bytes copied per vectored write: what the os layer's scratch memory keeps cached. */
    static final int COPY_BYTES_MAX = 128 * 1024;

    private static final ThreadLocal<WriteBatch> CACHE = ThreadLocal.withInitial(WriteBatch::new);

    private final ByteBuffer[] iov = new ByteBuffer[Net.IOV_MAX];
    private int count;
    private long bytes;
    private long copied;
    /** A heap buffer too big to copy, written alone from its array. */
    private ByteBuffer single;
    /** A read-only heap buffer too big to copy, written a slice at a time (iov[0] is the slice). */
    private ByteBuffer sliced;

    static WriteBatch get() {
        WriteBatch b = CACHE.get();
        b.reset();
        return b;
    }

    void reset() {
        Arrays.fill(iov, 0, count, null);
        count = 0;
        bytes = 0;
        copied = 0;
        single = null;
        sliced = null;
    }

    boolean isEmpty() {
        return bytes == 0;
    }

    /** The bytes the next {@link #write} offers the kernel. */
    long bytes() {
        return bytes;
    }

    /** Adds {@code b}'s remaining bytes if they fit; returns whether more may be added. */
    boolean add(ByteBuffer b) {
        int rem = b.remaining();
        if (rem == 0) return true;
        if (!b.isDirect()) {
            if (copied + rem > COPY_BYTES_MAX) {
                if (count == 0) {
                    if (b.hasArray()) {
                        single = b;
                        bytes = rem;
                    } else {
                        sliced = b;
                        iov[count++] = b.duplicate().limit(b.position() + COPY_BYTES_MAX);
                        bytes = COPY_BYTES_MAX;
                    }
                }
                return false;
            }
            copied += rem;
        }
        iov[count++] = b;
        bytes += rem;
        return count < iov.length;
    }

    /**
     * One write of the batch: {@code send} with MSG_NOSIGNAL (or {@code sendmsg} for several
     * buffers) on a socket, {@code write}/{@code writev} on anything else. Advances the buffers'
     * positions by what was written and returns it, or -errno. Clears the batch.
     */
    long write(int fd, boolean socket) {
        return write(fd, socket, null);
    }

    /**
     * {@link #write(int, boolean)} that also sends {@code fds} (SCM_RIGHTS, on a socket) with the
     * bytes, or none when {@code fds} is null.
     */
    long write(int fd, boolean socket, int[] fds) {
        try {
            ByteBuffer one = single != null ? single : count == 1 && sliced == null && iov[0].hasArray() ? iov[0] : null;
            if (one != null) {
                int off = one.arrayOffset() + one.position();
                int len = one.remaining();
                long r = fds != null ? Net.sendmsg(fd, one.array(), off, len, fds, 0)
                        : socket ? Net.send(fd, one.array(), off, len, 0) : LibC.write(fd, one.array(), off, len);
                if (r > 0) one.position(one.position() + (int) r);
                return r;
            }
            long r = socket || fds != null ? Net.sendmsg(fd, iov, 0, count, fds, 0) : Net.writev(fd, iov, 0, count);
            if (r > 0 && sliced != null) sliced.position(sliced.position() + (int) r);
            return r;
        } finally {
            reset(); // drop references to the caller's buffers at once
        }
    }
}
