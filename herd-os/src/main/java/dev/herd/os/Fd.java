package dev.herd.os;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An owned file descriptor: it closes at most once, however many threads call {@link #close()}.
 * Everything in Herd that owns an fd holds it in one of these (Netty's {@code FileDescriptor}).
 *
 * <p>Thread rule: {@link #close()}, {@link #isOpen()} and {@link #intValue()} are safe on any
 * thread; using the number after close is the caller's bug (the kernel may have reused it).
 * Lifetime: from creation until {@link #close()}; an unclosed Fd leaks its descriptor.
 */
public final class Fd implements AutoCloseable {
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(Fd.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile int closed;

    private Fd(int fd) {
        this.fd = fd;
    }

    /**
     * Takes ownership of {@code fd}, which must be a valid, open descriptor.
     *
     * @param fd an open descriptor, which the new Fd owns from now on
     * @return its owner
     */
    public static Fd adopt(int fd) {
        if (fd < 0) throw new IllegalArgumentException("not a file descriptor: " + fd);
        return new Fd(fd);
    }

    /**
     * Takes ownership of the result of a call that returns an fd or {@code -errno}; throws
     * {@link ErrnoException} for the latter.
     *
     * @param result the call's result: a descriptor, or -errno
     * @param syscall the call's name, for the exception
     * @return the descriptor's owner
     */
    public static Fd check(int result, String syscall) {
        if (result < 0) throw ErrnoException.of(result, syscall);
        return new Fd(result);
    }

    /** {@return the descriptor number} */
    public int intValue() {
        return fd;
    }

    /** {@return whether the descriptor has not been closed or released} */
    public boolean isOpen() {
        return closed == 0;
    }

    /** Closes the descriptor the first time it is called; later calls do nothing. */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, 0, 1)) {
            LibC.close(fd);
        }
    }

    /**
     * Gives up ownership without closing and returns the number (for handing the fd to another
     * owner, such as a spawned child's file actions or another Fd).
     *
     * @return the descriptor number, which the caller now owns
     */
    public int release() {
        if (!CLOSED.compareAndSet(this, 0, 1)) throw new IllegalStateException("fd " + fd + " already closed");
        return fd;
    }

    @Override
    public String toString() {
        return "Fd(" + fd + (isOpen() ? ")" : ", closed)");
    }
}
