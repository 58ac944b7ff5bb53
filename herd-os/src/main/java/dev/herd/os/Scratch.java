package dev.herd.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * Per-thread native memory for the arguments of one system call: sockaddrs, socklen_t, msghdr,
 * iovecs, control buffers and copies of heap data. It exists so that hot calls (recvmsg on an IPC
 * channel, accept4 in a loop) neither malloc nor zero-fill on every call, which
 * {@code Arena.ofConfined().allocate} would.
 *
 * <p>Memory handed out is <b>not zeroed</b>: callers set every byte the kernel reads (a msghdr is
 * cleared with {@code fill((byte) 0)}). Use as {@code try (Scratch s = Scratch.open()) {...}}; the
 * segments are valid, and their memory held, until {@link #close()}. Thread rule: confined to the opening thread. A nested
 * {@link #open()} on the same thread gets a private instance, so helpers cannot trample a caller.
 */
final class Scratch implements SegmentAllocator, AutoCloseable {
    private static final long INITIAL = 4096;
    /** Requests up to this size grow the cached buffer; larger ones use a one-call arena. */
    private static final long KEEP_MAX = 256 * 1024;
    private static final long ALIGN = 16;

    private static final ThreadLocal<Scratch> CACHE = ThreadLocal.withInitial(Scratch::new);

    private MemorySegment buffer;
    private long used;
    private boolean open;
    private Arena overflow;
    /**
     * Buffers replaced by a bigger one during this call. Downcalls take pointers as plain
     * addresses (see Native), so a slice handed out earlier does not keep its buffer alive; this
     * does, until {@link #close()}.
     */
    private java.util.ArrayList<MemorySegment> retired;

    private Scratch() {}

    static Scratch open() {
        Scratch s = CACHE.get();
        if (s.open) s = new Scratch();
        s.open = true;
        return s;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteAlignment > ALIGN) throw new IllegalArgumentException("alignment " + byteAlignment);
        if (buffer == null) buffer = Arena.ofAuto().allocate(INITIAL, ALIGN);
        long start = (used + byteAlignment - 1) & -byteAlignment;
        if (start + byteSize > buffer.byteSize()) {
            if (byteSize > KEEP_MAX) {
                if (overflow == null) overflow = Arena.ofConfined();
                return overflow.allocate(byteSize, byteAlignment);
            }
            // Slices already handed out stay valid: the old buffer is kept until close(), then
            // freed by the GC (its automatic arena) once nothing references it.
            if (used > 0) {
                if (retired == null) retired = new java.util.ArrayList<>(2);
                retired.add(buffer);
            }
            long cap = buffer.byteSize();
            while (cap < byteSize + 1024) cap *= 2;
            buffer = Arena.ofAuto().allocate(cap, ALIGN);
            start = 0;
        }
        used = start + byteSize;
        return buffer.asSlice(start, byteSize);
    }

    /** Ends the call: every segment handed out since {@link #open()} becomes invalid for reuse. */
    @Override
    public void close() {
        used = 0;
        open = false;
        retired = null;
        if (overflow != null) {
            overflow.close();
            overflow = null;
        }
    }
}
