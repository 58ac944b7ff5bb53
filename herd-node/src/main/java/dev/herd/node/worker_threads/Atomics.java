package dev.herd.node.worker_threads;

import dev.herd.node.internal.Environment;
import dev.herd.node.value.TypedArray;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CancellationException;

/**
 * JavaScript's {@code Atomics} on {@link SharedTypedArray}s: atomic reads, writes and
 * read-modify-writes of one element, and {@link #wait}/{@link #notify} to block a thread until
 * another changes the memory. Values are {@code long} (see {@link SharedTypedArray}); a
 * read-modify-write returns the element's old value, and operands are truncated to the element
 * type, as JavaScript converts them.
 *
 * <h2>Memory model</h2>
 * Every operation here is a VarHandle access in volatile mode on the buffer's off-heap memory (a
 * direct ByteBuffer view): loads and stores are {@code getVolatile}/{@code setVolatile}, the
 * read-modify-writes {@code getAndAdd}, {@code getAndBitwiseOr}, {@code compareAndExchange}, ...
 * on 32- and 64-bit elements, and a compare-and-set loop on the aligned 32-bit word around 8- and
 * 16-bit elements. So, as ECMAScript's SeqCst atomics: all of them, on all buffers, form one total
 * order consistent with each thread's program order; a store is seen by every later load; and a
 * thread that reads a value written by an atomic store also sees every write, atomic or plain, the
 * writer made before that store (the JMM's happens-before of volatile accesses). Plain accesses
 * ({@link SharedTypedArray#get}, {@link SharedArrayBuffer#data()}) have no ordering of their own
 * (elements up to 64 bits never tear, as the JVM guarantees for aligned accesses). {@link #wait}
 * and {@link #notify} are ordered with the atomics on the same element: a waiter that found the
 * expected value is woken by any later notify.
 *
 * <p>Not offered: {@code waitAsync} (a worker has its loop for asynchronous waiting: post a
 * message instead) and atomics on non-shared ArrayBuffers.
 *
 * <p>Static and thread-safe. {@link #wait} blocks the calling thread — on a loop thread its whole
 * loop: use it in workers that have nothing else to do meanwhile.
 */
public final class Atomics {
    private static final VarHandle I32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int ADD = 0;
    private static final int SUB = 1;
    private static final int AND = 2;
    private static final int OR = 3;
    private static final int XOR = 4;
    private static final int EXCHANGE = 5;

    private Atomics() {}

    /**
     * The element's value.
     *
     * @param a the view
     * @param index the element's index
     * @return the element's value
     */
    public static long load(SharedTypedArray a, int index) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.getVolatile(a.memory, bi));
            case 8 -> (long) I64.getVolatile(a.memory, bi);
            default -> a.fromNarrow(narrowBits((int) I32.getVolatile(a.memory, bi & ~3), a, bi));
        };
    }

    /**
     * Stores {@code value} (truncated to the element type) and returns {@code value}, as JavaScript does.
     *
     * @param a the view
     * @param index the element's index
     * @param value the value to store
     * @return {@code value}
     */
    public static long store(SharedTypedArray a, int index, long value) {
        int bi = a.byteIndex(index);
        switch (a.width) {
            case 4 -> I32.setVolatile(a.memory, bi, (int) value);
            case 8 -> I64.setVolatile(a.memory, bi, value);
            default -> narrow(a, bi, EXCHANGE, value);
        }
        return value;
    }

    /**
     * Adds {@code value} (wrapping); returns the old value.
     *
     * @param a the view
     * @param index the element's index
     * @param value the operand
     * @return the old value
     */
    public static long add(SharedTypedArray a, int index, long value) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.getAndAdd(a.memory, bi, (int) value));
            case 8 -> (long) I64.getAndAdd(a.memory, bi, value);
            default -> a.fromNarrow(narrow(a, bi, ADD, value));
        };
    }

    /**
     * Subtracts {@code value} (wrapping); returns the old value.
     *
     * @param a the view
     * @param index the element's index
     * @param value the operand
     * @return the old value
     */
    public static long sub(SharedTypedArray a, int index, long value) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.getAndAdd(a.memory, bi, -(int) value));
            case 8 -> (long) I64.getAndAdd(a.memory, bi, -value);
            default -> a.fromNarrow(narrow(a, bi, SUB, value));
        };
    }

    /**
     * Bitwise-ands {@code value}; returns the old value.
     *
     * @param a the view
     * @param index the element's index
     * @param value the operand
     * @return the old value
     */
    public static long and(SharedTypedArray a, int index, long value) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.getAndBitwiseAnd(a.memory, bi, (int) value));
            case 8 -> (long) I64.getAndBitwiseAnd(a.memory, bi, value);
            default -> a.fromNarrow(narrow(a, bi, AND, value));
        };
    }

    /**
     * Bitwise-ors {@code value}; returns the old value.
     *
     * @param a the view
     * @param index the element's index
     * @param value the operand
     * @return the old value
     */
    public static long or(SharedTypedArray a, int index, long value) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.getAndBitwiseOr(a.memory, bi, (int) value));
            case 8 -> (long) I64.getAndBitwiseOr(a.memory, bi, value);
            default -> a.fromNarrow(narrow(a, bi, OR, value));
        };
    }

    /**
     * Bitwise-xors {@code value}; returns the old value.
     *
     * @param a the view
     * @param index the element's index
     * @param value the operand
     * @return the old value
     */
    public static long xor(SharedTypedArray a, int index, long value) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.getAndBitwiseXor(a.memory, bi, (int) value));
            case 8 -> (long) I64.getAndBitwiseXor(a.memory, bi, value);
            default -> a.fromNarrow(narrow(a, bi, XOR, value));
        };
    }

    /**
     * Sets the element to {@code value}; returns the old value.
     *
     * @param a the view
     * @param index the element's index
     * @param value the new value
     * @return the old value
     */
    public static long exchange(SharedTypedArray a, int index, long value) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.getAndSet(a.memory, bi, (int) value));
            case 8 -> (long) I64.getAndSet(a.memory, bi, value);
            default -> a.fromNarrow(narrow(a, bi, EXCHANGE, value));
        };
    }

    /**
     * Sets the element to {@code replacement} if it equals {@code expected} (both truncated to the
     * element type); returns the old value either way.
     *
     * @param a the view
     * @param index the element's index
     * @param expected the value the element must hold
     * @param replacement the value to store then
     * @return the old value
     */
    public static long compareExchange(SharedTypedArray a, int index, long expected, long replacement) {
        int bi = a.byteIndex(index);
        return switch (a.width) {
            case 4 -> a.fromInt((int) I32.compareAndExchange(a.memory, bi, (int) expected, (int) replacement));
            case 8 -> (long) I64.compareAndExchange(a.memory, bi, expected, replacement);
            default -> a.fromNarrow(narrowCompareExchange(a, bi, expected, replacement));
        };
    }

    /**
     * Whether operations on elements of {@code size} bytes are lock-free: 1, 2, 4 and 8 are.
     *
     * @param size an element size in bytes
     * @return whether operations on it are lock-free
     */
    public static boolean isLockFree(int size) {
        return size == 1 || size == 2 || size == 4 || size == 8;
    }

    // ---------------------------------------------------------------- 8- and 16-bit elements

    private static int mask(SharedTypedArray a) {
        return a.width == 1 ? 0xFF : 0xFFFF;
    }

    private static int narrowBits(int word, SharedTypedArray a, int bi) {
        return (word >>> ((bi & 3) << 3)) & mask(a);
    }

    /** A read-modify-write of a narrow element by CAS on its aligned word; returns the old bits. */
    private static int narrow(SharedTypedArray a, int bi, int op, long operand) {
        ByteBuffer m = a.memory;
        int word = bi & ~3;
        int shift = (bi & 3) << 3;
        int mask = mask(a);
        int v = (int) operand;
        for (;;) {
            int w = (int) I32.getVolatile(m, word);
            int old = (w >>> shift) & mask;
            int updated = switch (op) {
                case ADD -> old + v;
                case SUB -> old - v;
                case AND -> old & v;
                case OR -> old | v;
                case XOR -> old ^ v;
                default -> v;
            };
            int next = (w & ~(mask << shift)) | ((updated & mask) << shift);
            if (I32.compareAndSet(m, word, w, next)) return old;
        }
    }

    private static int narrowCompareExchange(SharedTypedArray a, int bi, long expected, long replacement) {
        ByteBuffer m = a.memory;
        int word = bi & ~3;
        int shift = (bi & 3) << 3;
        int mask = mask(a);
        int want = (int) expected & mask;
        for (;;) {
            int w = (int) I32.getVolatile(m, word);
            int old = (w >>> shift) & mask;
            if (old != want) return old;
            int next = (w & ~(mask << shift)) | (((int) replacement & mask) << shift);
            if (I32.compareAndSet(m, word, w, next)) return old;
        }
    }

    // ---------------------------------------------------------------- wait and notify

    /**
     * {@link #wait(SharedTypedArray, int, long, double)} with no timeout.
     *
     * @param a an Int32 or BigInt64 view
     * @param index the element's index
     * @param value the value the element must hold to wait
     * @return "ok" or "not-equal"
     */
    public static String wait(SharedTypedArray a, int index, long value) {
        return wait(a, index, value, Double.POSITIVE_INFINITY);
    }

    /**
     * Blocks until {@link #notify} wakes this thread, if element {@code index} of an Int32 or
     * BigInt64 view holds {@code value}: returns "not-equal" at once if it does not, "ok" when
     * woken, "timed-out" after {@code timeoutMs} milliseconds (NaN or +Infinity: no limit; 0 or
     * less: no wait). In a worker being terminated the wait ends and the worker unwinds; another
     * interrupt ends it with a CancellationException (the interrupt status kept).
     *
     * @param a an Int32 or BigInt64 view
     * @param index the element's index
     * @param value the value the element must hold to wait
     * @param timeoutMs the longest wait in milliseconds
     * @return "ok", "not-equal" or "timed-out"
     * @throws IllegalArgumentException for another element type (as JavaScript's TypeError)
     */
    public static String wait(SharedTypedArray a, int index, long value, double timeoutMs) {
        int bi = waitable(a, index);
        long expected = a.width == 4 ? (int) value : value;
        long nanos = Double.isNaN(timeoutMs) || timeoutMs == Double.POSITIVE_INFINITY ? Long.MAX_VALUE
                : timeoutMs <= 0 ? 0 : (long) Math.min(Long.MAX_VALUE - 1, timeoutMs * 1e6);
        SharedArrayBuffer.Waiters ws = a.buffer.waiters;
        ws.lock.lock();
        try {
            ws.count++; // before reading the value: notify's lock-free test reads them the other way round
            long current = a.width == 4 ? (int) I32.getVolatile(a.memory, bi) : (long) I64.getVolatile(a.memory, bi);
            if (current != expected) {
                ws.count--;
                return "not-equal";
            }
            SharedArrayBuffer.Waiter me = new SharedArrayBuffer.Waiter(bi, ws.lock.newCondition());
            ws.list.add(me);
            boolean interrupted = false;
            while (!me.notified && nanos > 0) {
                try {
                    if (nanos == Long.MAX_VALUE) me.condition.await();
                    else nanos = me.condition.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (me.notified) {
                if (interrupted) Thread.currentThread().interrupt(); // woken anyway: keep the status for later
                return "ok";
            }
            ws.list.remove(me);
            ws.count--;
            if (!interrupted) return "timed-out";
        } finally {
            ws.lock.unlock();
        }
        throw interruptedWait();
    }

    /** What an interrupted wait throws: the worker's termination, or a CancellationException. */
    private static RuntimeException interruptedWait() {
        WorkerContext c = WorkerContext.CURRENT.get();
        Environment env = c == null ? null : c.environment;
        if (c != null && c.terminateRequested && env != null && env.loop().inLoopThread()) {
            throw env.terminate(1);
        }
        Thread.currentThread().interrupt();
        return new CancellationException("Atomics.wait was interrupted");
    }

    /**
     * {@link #notify(SharedTypedArray, int, int)} waking every waiter.
     *
     * @param a an Int32 or BigInt64 view
     * @param index the element's index
     * @return how many threads it woke
     */
    public static int notify(SharedTypedArray a, int index) {
        return notify(a, index, Integer.MAX_VALUE);
    }

    /**
     * Wakes up to {@code count} threads waiting on element {@code index} of an Int32 or BigInt64
     * view, oldest first; returns how many it woke.
     *
     * @param a an Int32 or BigInt64 view
     * @param index the element's index
     * @param count the most threads to wake
     * @return how many threads it woke
     * @throws IllegalArgumentException for another element type
     */
    public static int notify(SharedTypedArray a, int index, int count) {
        int bi = waitable(a, index);
        if (count <= 0) return 0;
        SharedArrayBuffer.Waiters ws = a.buffer.waiters;
        if (ws.count == 0) return 0;
        int woken = 0;
        ws.lock.lock();
        try {
            var it = ws.list.iterator();
            while (woken < count && it.hasNext()) {
                SharedArrayBuffer.Waiter w = it.next();
                if (w.byteIndex != bi) continue;
                it.remove();
                ws.count--;
                w.notified = true;
                w.condition.signal();
                woken++;
            }
        } finally {
            ws.lock.unlock();
        }
        return woken;
    }

    private static int waitable(SharedTypedArray a, int index) {
        if (a.kind != TypedArray.Kind.INT32 && a.kind != TypedArray.Kind.BIGINT64) {
            throw new IllegalArgumentException("Atomics.wait and Atomics.notify work on Int32Array or BigInt64Array, not "
                    + a.kind.jsName());
        }
        return a.byteIndex(index);
    }
}
