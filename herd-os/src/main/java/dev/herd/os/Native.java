package dev.herd.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Linking of libc functions: the one place that creates downcall handles.
 *
 * <p><b>One shape for (nearly) every call.</b> Linking is not free: each distinct function shape
 * (descriptor plus options; the JDK caches per shape, then only binds the symbol) makes the JDK
 * spin a stub class and a few dozen LambdaForm classes and compile the code that spins them,
 * tens of milliseconds in a freshly forked JVM and 0.1-0.3 MiB of its memory, none of which an
 * AOT cache holds. So almost every libc call goes through one unbound handle, {@link #call},
 * of the C shape {@code long f(long, long, long, long, long, long)} that captures errno: the
 * function's address is its first argument (a symbol looked up once, {@link #symbol}), then the
 * errno capture segment ({@link #state()}), then six integer arguments. Callers widen every
 * argument to {@code long}, pass a pointer as {@code segment.address()}, pass 0 for the
 * arguments the function does not have, and narrow an {@code int} result with {@code (int)}.
 * No method-handle adapter is made per function: adapters spin LambdaForms too.
 *
 * <p>Why this is exact on the two ABIs Herd runs on (System V x86_64 and AAPCS64, Linux): the
 * first six integer or pointer arguments travel in 64-bit registers (rdi, rsi, rdx, rcx, r8, r9;
 * x0-x5), whatever their C type; a callee with an {@code int}, {@code unsigned}, {@code short}
 * or {@code socklen_t} parameter reads only the low bits of its register, and one with fewer
 * parameters never looks at the rest; an {@code int} result is the low 32 bits of rax/x0 (so
 * {@code (int)} of the long is the C value), a pointer result the whole register, and a
 * {@code void} function's result is ignored. Variadic functions (fcntl, open, ioctl, syscall)
 * take their integer arguments from the same registers on both ABIs (Linux AArch64 does not put
 * variadic arguments on the stack, unlike Apple's). On x86_64 a variadic callee also reads
 * {@code %al} (an upper bound on the vector registers used); the handle is therefore linked as
 * variadic with no variadic argument ({@code firstVariadicArg(6)}), which makes the JDK set
 * {@code %al} to 0, right for every callee. Functions that do not fit (more than six arguments,
 * floating point, structs by value) would need a descriptor of their own; libc as Herd uses it
 * has none.
 *
 * <p>Two more shapes exist only where the universal one cannot serve: {@link #callHeap} (critical,
 * its second argument a segment that may be a heap array: zero-copy read/recv into {@code byte[]},
 * and write/send of more than {@link #SMALL_COPY} bytes from one) is linked on first use; {@link #downcall}/{@link #downcallNoErrno} remain for
 * tests.
 *
 * <p><b>Reachability.</b> A pointer passed as a {@code long} does not keep its segment alive
 * during the call, as a segment argument would. Only pass memory the caller keeps reachable
 * until the call returns: a confined arena still open, a {@link Scratch} still open (it holds
 * every buffer it handed out until {@code close()}), a field of an object that is itself kept
 * alive, or a direct buffer fenced with {@link java.lang.ref.Reference#reachabilityFence}. Never
 * pass {@code address()} of a heap segment: it is an offset, not an address ({@link #addr}
 * checks).
 */
final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();

    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    static final ValueLayout C_POINTER = ValueLayout.ADDRESS;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    /**
     * One capture segment per thread. Each comes from its own automatic arena, so it is freed
     * once its thread (and the ThreadLocal entry) is gone; the global arena would leak 4 bytes for
     * every thread, virtual threads included, that ever made a downcall.
     */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    static final String ARCH = System.getProperty("os.arch");
    static final boolean X86_64 = ARCH.equals("amd64") || ARCH.equals("x86_64");

    private Native() {}

    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;

    /**
     * {@code (MemorySegment function, MemorySegment errnoState, long a1..a6) long}: the universal
     * handle. Linked when Native initializes, i.e. by the first libc call.
     */
    private static final MethodHandle CALL = linkUniversal();

    @SuppressWarnings("restricted")
    private static MethodHandle linkUniversal() {
        return LINKER.downcallHandle(FunctionDescriptor.of(L, L, L, L, L, L, L),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(6));
    }

    /** The critical, heap-capable shape {@code long f(long, void*, long, long, long, long)}, linked on first use. */
    private static final class Heap {
        @SuppressWarnings("restricted")
        static final MethodHandle CALL = LINKER.downcallHandle(
                FunctionDescriptor.of(L, L, C_POINTER, L, L, L, L),
                Linker.Option.captureCallState("errno"), Linker.Option.critical(true));
    }

    /**
     * Writes of {@code byte[]} up to this size are copied to native memory and go through
     * {@link #call} rather than {@link #callHeap}: copying 8 KiB costs well under a system call
     * (microseconds on gVisor), and a process that only writes small messages (an IPC child, an
     * idle server's wake-ups) never links the second shape.
     */
    static final int SMALL_COPY = 8192;

    /** The address of libc's {@code name}; throws UnsatisfiedLinkError if there is none. */
    static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** The address of libc's {@code name}, or {@code null} (glibc-version-dependent wrappers). */
    static MemorySegment symbolOrNull(String name) {
        return LIBC.find(name).orElse(null);
    }

    /** A native segment's address, for a pointer argument; rejects heap segments. */
    static long addr(MemorySegment segment) {
        if (!segment.isNative()) throw new IllegalArgumentException("heap segment passed as a pointer");
        return segment.address();
    }

    /**
     * Calls libc function {@code fn} with up to six integer/pointer arguments (the rest 0),
     * capturing errno into {@code state}; returns the raw result register.
     */
    /** EINTR's number: a call a signal interrupted. */
    static final int EINTR = 4;

    static long call(MemorySegment fn, MemorySegment state, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) CALL.invokeExact(fn, state, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long call(MemorySegment fn, MemorySegment state) {
        return call(fn, state, 0L, 0L, 0L, 0L, 0L, 0L);
    }

    static long call(MemorySegment fn, MemorySegment state, long a) {
        return call(fn, state, a, 0L, 0L, 0L, 0L, 0L);
    }

    static long call(MemorySegment fn, MemorySegment state, long a, long b) {
        return call(fn, state, a, b, 0L, 0L, 0L, 0L);
    }

    static long call(MemorySegment fn, MemorySegment state, long a, long b, long c) {
        return call(fn, state, a, b, c, 0L, 0L, 0L);
    }

    static long call(MemorySegment fn, MemorySegment state, long a, long b, long c, long d) {
        return call(fn, state, a, b, c, d, 0L, 0L);
    }

    static long call(MemorySegment fn, MemorySegment state, long a, long b, long c, long d, long e) {
        return call(fn, state, a, b, c, d, e, 0L);
    }

    /**
     * {@link #call(MemorySegment, MemorySegment, long, long, long, long, long, long) call} of a
     * function that returns a {@code long} or {@code ssize_t}, again while a signal interrupts it:
     * the layer's EINTR loop. Returns the result if it is not negative, else {@code -errno} (never
     * {@code -EINTR}).
     */
    static long callRetrying(MemorySegment fn, MemorySegment state, long a, long b, long c, long d, long e, long f) {
        for (;;) {
            long r = call(fn, state, a, b, c, d, e, f);
            if (r >= 0) return r;
            int errno = errno(state);
            if (errno != EINTR) return -errno;
        }
    }

    /**
     * {@link #callRetrying} of a function that returns a C {@code int}: the result is read as an
     * int before its sign is looked at (the upper half of the result register is undefined).
     */
    static int callIntRetrying(MemorySegment fn, MemorySegment state, long a, long b, long c, long d, long e, long f) {
        for (;;) {
            int r = (int) call(fn, state, a, b, c, d, e, f);
            if (r >= 0) return r;
            int errno = errno(state);
            if (errno != EINTR) return -errno;
        }
    }

    static int callIntRetrying(MemorySegment fn, MemorySegment state, long a, long b, long c) {
        return callIntRetrying(fn, state, a, b, c, 0L, 0L, 0L);
    }

    static int callIntRetrying(MemorySegment fn, MemorySegment state, long a, long b, long c, long d) {
        return callIntRetrying(fn, state, a, b, c, d, 0L, 0L);
    }

    static long callRetrying(MemorySegment fn, MemorySegment state, long a) {
        return callRetrying(fn, state, a, 0L, 0L, 0L, 0L, 0L);
    }

    static long callRetrying(MemorySegment fn, MemorySegment state, long a, long b) {
        return callRetrying(fn, state, a, b, 0L, 0L, 0L, 0L);
    }

    static long callRetrying(MemorySegment fn, MemorySegment state, long a, long b, long c) {
        return callRetrying(fn, state, a, b, c, 0L, 0L, 0L);
    }

    static long callRetrying(MemorySegment fn, MemorySegment state, long a, long b, long c, long d) {
        return callRetrying(fn, state, a, b, c, d, 0L, 0L);
    }

    static long callRetrying(MemorySegment fn, MemorySegment state, long a, long b, long c, long d, long e) {
        return callRetrying(fn, state, a, b, c, d, e, 0L);
    }

    /** {@link #callHeap}, again while a signal interrupts it; the result if not negative, else {@code -errno}. */
    static long callHeapRetrying(MemorySegment fn, MemorySegment state, long a, MemorySegment heap, long c, long d, long e,
            long f) {
        for (;;) {
            long r = callHeap(fn, state, a, heap, c, d, e, f);
            if (r >= 0) return r;
            int errno = errno(state);
            if (errno != EINTR) return -errno;
        }
    }

    /**
     * Calls {@code fn(a, heap, c, d, e, f)} where {@code heap} may be a heap segment (a
     * {@code byte[]} slice), critically: no thread-state transition, so only for calls that never
     * block (non-blocking fds).
     */
    static long callHeap(MemorySegment fn, MemorySegment state, long a, MemorySegment heap, long c, long d, long e, long f) {
        try {
            return (long) Heap.CALL.invokeExact(fn, state, a, heap, c, d, e, f);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** The calling thread's errno capture segment. */
    static MemorySegment state() {
        return STATE.get();
    }

    /** errno as the last call on this thread left it in {@code state}. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * A downcall handle of its own shape that captures errno (tests; production code uses
     * {@link #call}). {@code critical} skips the thread-state transition and
     * lets heap arrays through: only for calls that never block (non-blocking fds, getpid).
     * {@code firstVariadic} ≥ 0 marks a variadic function (fcntl, ioctl, syscall).
     */
    @SuppressWarnings("restricted") // the one place native access is used; enabled by --enable-native-access
    static MethodHandle downcall(String name, FunctionDescriptor fd, boolean critical, int firstVariadic) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        List<Linker.Option> options = new ArrayList<>();
        options.add(Linker.Option.captureCallState("errno"));
        if (critical) options.add(Linker.Option.critical(true));
        if (firstVariadic >= 0) options.add(Linker.Option.firstVariadicArg(firstVariadic));
        return LINKER.downcallHandle(symbol, fd, options.toArray(Linker.Option[]::new));
    }

    static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return downcall(name, fd, false, -1);
    }

    /** A downcall for functions that return an error number instead of setting errno (posix_spawn*). */
    @SuppressWarnings("restricted")
    static MethodHandle downcallNoErrno(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, fd);
    }

    /** Whether libc has {@code name} (glibc-version-dependent wrappers). */
    static boolean has(String name) {
        return LIBC.find(name).isPresent();
    }

    /** Wraps the Throwable that invokeExact declares; downcalls themselves never throw. */
    static AssertionError fail(Throwable t) {
        return new AssertionError("downcall failed", t);
    }
}
