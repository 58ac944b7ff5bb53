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
 * Linking of libc functions: the one place that creates downcall handles. Every handle made by
 * {@link #downcall} captures errno, so it takes a leading capture segment; {@link #state()} gives
 * the calling thread's own segment, so errno is never read from a buffer another thread shares.
 *
 * <p>Callers link each function on first use, in a holder class of its own
 * ({@code private static final class Open { static final MethodHandle H = Native.downcall(...); }}):
 * the JVM initializes the holder, and so links, when a call first reaches {@code Open.H}, and the
 * handle stays a constant the JIT inlines. Linking is not free: each new function type makes the
 * JDK generate a stub class and a dozen method-handle classes, and compile the code that generates
 * them, about 0.1-0.3 MiB of a process's memory each. Linking all 60 functions when their classes
 * load made an idle HTTP server link 24; lazily, it links 8 (docs/benchmarks.md, "Idle memory").
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

    /** The calling thread's errno capture segment. */
    static MemorySegment state() {
        return STATE.get();
    }

    /** errno as the last call on this thread left it in {@code state}. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * A downcall handle that captures errno. {@code critical} skips the thread-state transition and
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
