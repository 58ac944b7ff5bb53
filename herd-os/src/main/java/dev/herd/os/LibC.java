package dev.herd.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * File-descriptor system calls: open, read/write, close, pipe2, dup3, fcntl, eventfd, getpid/getppid.
 * Names and arguments are C's (the man page is the doc).
 *
 * <p>Every call returns its C result when it succeeds and {@code -errno} when it fails, as libuv's
 * internal calls do; EINTR is retried here and never returned. EAGAIN comes back as
 * {@code -EAGAIN}, a normal result. Turn a failure into an exception with {@link #check}.
 *
 * <p>Calls that take a {@code byte[]} pass the array to the kernel without copying; they must only
 * be used on non-blocking descriptors, because the calling thread cannot reach a safepoint while
 * inside them. Thread rule: every method is safe on any thread.
 */
public final class LibC {
    private LibC() {}

    /** open(2) access mode: read only. */
    public static final int O_RDONLY = 0;
    /** open(2) access mode: write only. */
    public static final int O_WRONLY = 1;
    /** open(2) access mode: read and write. */
    public static final int O_RDWR = 2;
    /** Mask of the access mode (O_RDONLY, O_WRONLY, O_RDWR) in F_GETFL's result. */
    public static final int O_ACCMODE = 3;
    /** open(2) and file status flag: non-blocking I/O. */
    public static final int O_NONBLOCK = 0x800;
    /** open(2) flag: close-on-exec. */
    public static final int O_CLOEXEC = 0x80000;
    /** fcntl(2) command: read the fd flags (FD_CLOEXEC). */
    public static final int F_GETFD = 1;
    /** fcntl(2) command: set the fd flags. */
    public static final int F_SETFD = 2;
    /** fcntl(2) command: read the file status flags (O_NONBLOCK, ...). */
    public static final int F_GETFL = 3;
    /** fcntl(2) command: set the file status flags. */
    public static final int F_SETFL = 4;
    /** fcntl(2) command: duplicate the fd, close-on-exec, at the lowest number at or above the argument. */
    public static final int F_DUPFD_CLOEXEC = 0x406;
    /** fd flag: closed by execve(2). */
    public static final int FD_CLOEXEC = 1;
    /** eventfd(2) flag: each read takes 1 from the counter. */
    public static final int EFD_SEMAPHORE = 1;
    /** eventfd(2) flag: non-blocking reads and writes. */
    public static final int EFD_NONBLOCK = 0x800;
    /** eventfd(2) flag: close-on-exec. */
    public static final int EFD_CLOEXEC = 0x80000;

    private static final int EINTR = 4;

    // libc symbols, called through Native's one universal shape (see Native).
    private static final MemorySegment OPEN = Native.symbol("open");
    private static final MemorySegment READ = Native.symbol("read");
    private static final MemorySegment WRITE = Native.symbol("write");
    private static final MemorySegment CLOSE = Native.symbol("close");
    private static final MemorySegment PIPE2 = Native.symbol("pipe2");
    private static final MemorySegment DUP3 = Native.symbol("dup3");
    private static final MemorySegment FCNTL = Native.symbol("fcntl");
    private static final MemorySegment EVENTFD = Native.symbol("eventfd");
    private static final MemorySegment GETPID = Native.symbol("getpid");
    private static final MemorySegment GETPPID = Native.symbol("getppid");

    /**
     * Throws {@link ErrnoException} for a negative result; returns a non-negative one.
     *
     * @param result a call's result: non-negative, or -errno
     * @param syscall the call's name, for the exception
     * @return {@code result}, if it is not negative
     */
    public static int check(int result, String syscall) {
        if (result < 0) throw ErrnoException.of(result, syscall);
        return result;
    }

    /**
     * {@link #check(int, String)} for calls with a {@code long} result (read, write).
     *
     * @param result a call's result: non-negative, or -errno
     * @param syscall the call's name, for the exception
     * @return {@code result}, if it is not negative
     */
    public static long check(long result, String syscall) {
        if (result < 0) throw ErrnoException.of((int) result, syscall);
        return result;
    }

    /**
     * open(2) with O_CLOEXEC always added. Returns the new descriptor, which the caller owns
     * ({@link Fd#adopt}), or -errno: a failure such as EMFILE is an ordinary result here, because
     * its callers (the io layer's spare descriptor for the EMFILE trick) expect it.
     *
     * @param path the file's path
     * @param flags open flags (O_RDONLY, O_NONBLOCK, ...)
     * @param mode the permissions of a file it creates
     * @return the new descriptor, or -errno
     */
    public static int open(String path, int flags, int mode) {
        java.util.Objects.requireNonNull(path, "path");
        if (path.indexOf('\0') >= 0) throw new IllegalArgumentException("path contains a NUL byte");
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment p = s.allocateFrom(path);
            return Native.callIntRetrying(OPEN, st, p.address(), flags | O_CLOEXEC, mode);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * read(2) into {@code buf[off, off+len)}; non-blocking descriptors only. 0 is end of file.
     *
     * @param fd the descriptor
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the most bytes to read
     * @return the bytes read (0 at end of file), or -errno (-EAGAIN: nothing to read now)
     */
    public static long read(int fd, byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        MemorySegment st = Native.state();
        try {
            return Native.callHeapRetrying(READ, st, fd, seg, len, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * write(2) from {@code buf[off, off+len)}; non-blocking descriptors only.
     *
     * @param fd the descriptor
     * @param buf the buffer
     * @param off where in {@code buf} to start
     * @param len the bytes to write
     * @return the bytes written, or -errno (-EAGAIN: no room now)
     */
    public static long write(int fd, byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        MemorySegment st = Native.state();
        if (len <= Native.SMALL_COPY) {
            // Copied to native memory: the common shape, so a small write links nothing more.
            try (Scratch s = Scratch.open()) {
                MemorySegment tmp = s.allocate(len, 8);
                MemorySegment.copy(buf, off, tmp, ValueLayout.JAVA_BYTE, 0, len);
                return Native.callRetrying(WRITE, st, fd, tmp.address(), len);
            }
        }
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        try {
            return Native.callHeapRetrying(WRITE, st, fd, seg, len, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * read(2) into the remaining bytes of a buffer (direct or heap), advancing its position. May
     * block if the descriptor blocks; the thread is then an ordinary native-blocked thread. A
     * heap buffer is read through per-thread native memory and copied.
     *
     * @param fd the descriptor
     * @param buf the buffer to fill
     * @return the bytes read (0 at end of file), or -errno
     * @throws java.nio.ReadOnlyBufferException before reading, if {@code buf} is read-only
     */
    public static long read(int fd, ByteBuffer buf) {
        // Checked first: afterwards the bytes would already be consumed from the fd, and lost.
        if (buf.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        int len = buf.remaining();
        boolean heap = !buf.isDirect();
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment seg = heap ? s.allocate(len, 8) : MemorySegment.ofBuffer(buf);
            long r = Native.callRetrying(READ, st, fd, seg.address(), len);
            if (r < 0) return r;
            if (heap) MemorySegment.copy(seg, 0, MemorySegment.ofBuffer(buf), 0, r);
            buf.position(buf.position() + (int) r);
            return r;
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            java.lang.ref.Reference.reachabilityFence(buf);
        }
    }

    /**
     * write(2) from the remaining bytes of a buffer, advancing its position. May block like read;
     * a heap buffer is copied to per-thread native memory first.
     *
     * @param fd the descriptor
     * @param buf the bytes to write
     * @return the bytes written, or -errno
     */
    public static long write(int fd, ByteBuffer buf) {
        int len = buf.remaining();
        boolean heap = !buf.isDirect();
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment seg = heap ? s.allocate(len, 8) : MemorySegment.ofBuffer(buf);
            if (heap) MemorySegment.copy(MemorySegment.ofBuffer(buf), 0, seg, 0, len);
            long r = Native.callRetrying(WRITE, st, fd, seg.address(), len);
            if (r < 0) return r;
            buf.position(buf.position() + (int) r);
            return r;
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            java.lang.ref.Reference.reachabilityFence(buf);
        }
    }

    /**
     * close(2). EINTR is not retried: on Linux the descriptor is released even then, and a retry
     * could close a number another thread has just been given.
     *
     * @param fd the descriptor to close
     * @return 0, or -errno
     */
    public static int close(int fd) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(CLOSE, st, fd);
            if (r == 0) return 0;
            int e = Native.errno(st);
            return e == EINTR ? 0 : -e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * pipe2(2) with O_CLOEXEC always added. Returns {@code {readEnd, writeEnd}}; throws
     * {@link ErrnoException} on failure.
     *
     * @param flags pipe2 flags (O_NONBLOCK); O_CLOEXEC is added
     * @return the read end and the write end
     */
    public static Fd[] pipe2(int flags) {
        MemorySegment st = Native.state();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            int r = (int) Native.call(PIPE2, st, fds.address(), flags | O_CLOEXEC);
            if (r < 0) throw ErrnoException.of(Native.errno(st), "pipe2");
            return new Fd[] {Fd.adopt(fds.getAtIndex(ValueLayout.JAVA_INT, 0)),
                    Fd.adopt(fds.getAtIndex(ValueLayout.JAVA_INT, 1))};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * dup3(2): make {@code newfd} a copy of {@code oldfd}; flags is 0 or O_CLOEXEC.
     *
     * @param oldfd the descriptor to copy
     * @param newfd the number the copy gets (closed first if open)
     * @param flags 0 or O_CLOEXEC
     * @return {@code newfd}, or -errno
     */
    public static int dup3(int oldfd, int newfd, int flags) {
        MemorySegment st = Native.state();
        try {
            return Native.callIntRetrying(DUP3, st, oldfd, newfd, flags);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * fcntl(2) with an int argument (F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC).
     *
     * @param fd the descriptor
     * @param cmd the command
     * @param arg the command's argument
     * @return the command's result, or -errno
     */
    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment st = Native.state();
        try {
            return Native.callIntRetrying(FCNTL, st, fd, cmd, arg);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * Sets or clears O_NONBLOCK; returns 0 or -errno.
     *
     * @param fd the descriptor
     * @param on whether to set the flag
     * @return 0, or -errno
     */
    public static int setNonBlocking(int fd, boolean on) {
        int fl = fcntl(fd, F_GETFL, 0);
        if (fl < 0) return fl;
        int want = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
        return want == fl ? 0 : Math.min(0, fcntl(fd, F_SETFL, want));
    }

    /**
     * eventfd(2) with EFD_CLOEXEC always added; throws {@link ErrnoException} on failure.
     *
     * @param initval the counter's first value
     * @param flags eventfd flags (EFD_NONBLOCK, EFD_SEMAPHORE); EFD_CLOEXEC is added
     * @return the eventfd's owner
     */
    public static Fd eventfd(int initval, int flags) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(EVENTFD, st, initval, flags | EFD_CLOEXEC);
            if (r < 0) throw ErrnoException.of(Native.errno(st), "eventfd");
            return Fd.adopt(r);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * Adds {@code value} to an eventfd counter (non-blocking eventfd); returns 0 or -errno.
     *
     * @param fd the eventfd
     * @param value what to add
     * @return 0, or -errno
     */
    public static int eventfdWrite(int fd, long value) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment b = s.allocate(ValueLayout.JAVA_LONG);
            b.set(ValueLayout.JAVA_LONG, 0, value);
            long r = Native.callRetrying(WRITE, st, fd, b.address(), 8);
            return r < 0 ? (int) r : 0;
        }
    }

    /**
     * Reads and resets an eventfd counter (non-blocking eventfd); returns the count, or -errno.
     *
     * @param fd the eventfd
     * @return the count, or -errno
     */
    public static long eventfdRead(int fd) {
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment b = s.allocate(ValueLayout.JAVA_LONG);
            long r = Native.callRetrying(READ, st, fd, b.address(), 8);
            if (r < 0) return r;
            return b.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** {@return getpid(2): this process's id} */
    public static int getpid() {
        try {
            return (int) Native.call(GETPID, Native.state());
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /** {@return getppid(2): the parent process's id} */
    public static int getppid() {
        try {
            return (int) Native.call(GETPPID, Native.state());
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }
}
