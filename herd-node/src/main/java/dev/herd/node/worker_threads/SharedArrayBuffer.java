package dev.herd.node.worker_threads;

import dev.herd.node.value.Shared;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * JavaScript's {@code SharedArrayBuffer}: a fixed-length block of memory that several workers use
 * at once. Posting it (or a {@link SharedTypedArray} on it) to a worker, in a message or in
 * workerData, hands over this very object — the memory is shared, never copied — which is what
 * makes it the one exception to "a message never aliases". {@link Atomics} reads and writes it
 * atomically and lets threads wait on it; {@link SharedTypedArray#get}/{@link SharedTypedArray#set}
 * and {@link #data()} are plain, unordered access, as JavaScript's indexed access is.
 *
 * <p>The memory is off the Java heap (a direct ByteBuffer, 8-byte aligned, zero-filled,
 * little-endian as every platform Node runs on), freed when no thread can reach the object any
 * more.
 *
 * <p>Thread-safe: the object is immutable apart from its memory; the memory's rules are
 * {@link Atomics}'s. Equality is identity.
 */
public final class SharedArrayBuffer implements Shared {
    private final int byteLength;
    /** The memory, rounded up to 8 bytes so that narrow atomics can use the word around an element. */
    final ByteBuffer memory;
    /** Threads in {@link Atomics#wait} on this buffer (the agents' WaiterList of the spec). */
    final Waiters waiters = new Waiters();

    /**
     * A zero-filled buffer of {@code byteLength} bytes.
     *
     * @param byteLength the length in bytes
     * @throws IllegalArgumentException for a negative length
     */
    public SharedArrayBuffer(int byteLength) {
        if (byteLength < 0) throw new IllegalArgumentException("Invalid array buffer length: " + byteLength);
        if (byteLength > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("Array buffer allocation failed: " + byteLength);
        this.byteLength = byteLength;
        int rounded = (byteLength + 7) & ~7;
        ByteBuffer raw = ByteBuffer.allocateDirect(rounded + 7);
        int pad = (8 - raw.alignmentOffset(0, 8)) & 7;
        this.memory = raw.slice(pad, rounded).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return the length in bytes} */
    public int byteLength() {
        return byteLength;
    }

    /**
     * The memory as a little-endian ByteBuffer (position 0, limit {@link #byteLength()}) that shares
     * it: for bulk, plain (non-atomic) reads and writes.
     *
     * @return the memory
     */
    public ByteBuffer data() {
        return memory.slice(0, byteLength).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A new buffer holding a copy of bytes {@code begin} (inclusive) to {@code end} (exclusive);
     * negative indices count from the end and both are clamped, as JavaScript's {@code slice}.
     *
     * @param begin the first byte, inclusive
     * @param end the last byte, exclusive
     * @return the new buffer
     */
    public SharedArrayBuffer slice(int begin, int end) {
        int from = clamp(begin);
        int to = Math.max(from, clamp(end));
        SharedArrayBuffer copy = new SharedArrayBuffer(to - from);
        copy.memory.put(0, memory, from, to - from);
        return copy;
    }

    private int clamp(int i) {
        return i < 0 ? Math.max(0, byteLength + i) : Math.min(i, byteLength);
    }

    @Override
    public String toString() {
        return "SharedArrayBuffer { byteLength: " + byteLength + " }";
    }

    /** The threads waiting on this buffer, by element, in arrival order. */
    static final class Waiters {
        final ReentrantLock lock = new ReentrantLock();
        /** FIFO list of waiters (short: one per blocked thread). */
        final java.util.ArrayList<Waiter> list = new java.util.ArrayList<>();
        /** Waiters counted before they check the value: notify's lock-free "nobody waits" test. */
        volatile int count;
    }

    /** One blocked {@link Atomics#wait} call. */
    static final class Waiter {
        final int byteIndex;
        final Condition condition;
        boolean notified;

        Waiter(int byteIndex, Condition condition) {
            this.byteIndex = byteIndex;
            this.condition = condition;
        }
    }
}
