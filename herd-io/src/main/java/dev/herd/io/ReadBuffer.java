package dev.herd.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The memory every stream of a loop thread reads into: one {@link Stream#READ_BUFFER_SIZE} array
 * per thread, handed to read callbacks as a read-only view that is valid only during the call
 * (Node does the same with one 64 KiB slab per environment). With one loop per thread, this is the
 * loop's buffer; 2,000 idle connections cost nothing, where a buffer per stream would cost 128 MB.
 *
 * <p>Thread rule: confined to its thread. A nested use on the same thread (a read callback that
 * runs another loop) gets a private instance, so the outer view is never overwritten under it.
 */
final class ReadBuffer {
    private static final ThreadLocal<ReadBuffer> CACHE = ThreadLocal.withInitial(ReadBuffer::new);

    final byte[] array = new byte[Stream.READ_BUFFER_SIZE];
    private final ByteBuffer view = ByteBuffer.wrap(array).asReadOnlyBuffer();
    private boolean inUse;

    static ReadBuffer acquire() {
        ReadBuffer b = CACHE.get();
        if (b.inUse) b = new ReadBuffer();
        b.inUse = true;
        return b;
    }

    void release() {
        inUse = false;
    }

    /** The view of the first {@code n} bytes, reset whatever the last callback did to it. */
    ByteBuffer view(int n) {
        view.clear();
        view.limit(n);
        view.order(ByteOrder.BIG_ENDIAN);
        return view;
    }
}
