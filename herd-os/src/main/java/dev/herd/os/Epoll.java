package dev.herd.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * An epoll instance with its own event buffer: {@link #ctl} registers descriptors, {@link #wait}
 * fills the buffer and {@link #events(int)}/{@link #data(int)} read it. {@code struct epoll_event}
 * is laid out per architecture (packed, 12 bytes, on x86_64; 16 elsewhere).
 *
 * <p>Thread rule: owned by one thread (the loop's); {@link #ctl} may also be called from others,
 * as epoll_ctl itself is thread-safe. Lifetime: until {@link #close()}, which closes the epoll fd;
 * the buffer is freed by the GC with this object.
 */
public final class Epoll implements AutoCloseable {
    /** epoll event: the fd is readable. */
    public static final int EPOLLIN = 0x1;
    /** epoll event: urgent (out-of-band) data to read. */
    public static final int EPOLLPRI = 0x2;
    /** epoll event: the fd is writable. */
    public static final int EPOLLOUT = 0x4;
    /** epoll event: an error condition on the fd (always reported). */
    public static final int EPOLLERR = 0x8;
    /** epoll event: hang-up on the fd (always reported). */
    public static final int EPOLLHUP = 0x10;
    /** epoll event: the peer closed its end or shut down writing. */
    public static final int EPOLLRDHUP = 0x2000;
    /** epoll flag: wake only one of the epoll instances that watch the fd. */
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    /** epoll flag: report the fd once, then disable it until EPOLL_CTL_MOD. */
    public static final int EPOLLONESHOT = 1 << 30;
    /** epoll flag: edge-triggered notification. */
    public static final int EPOLLET = 1 << 31;
    /** epoll_create1(2) flag: the epoll fd is close-on-exec. */
    public static final int EPOLL_CLOEXEC = 0x80000;
    /** epoll_ctl(2) op: add an fd to the interest list. */
    public static final int EPOLL_CTL_ADD = 1;
    /** epoll_ctl(2) op: remove an fd from the interest list. */
    public static final int EPOLL_CTL_DEL = 2;
    /** epoll_ctl(2) op: change the events of an fd in the interest list. */
    public static final int EPOLL_CTL_MOD = 3;

    /** sizeof(struct epoll_event): packed on x86_64 only. */
    public static final int EVENT_SIZE = Native.X86_64 ? 12 : 16;
    private static final long DATA_OFFSET = Native.X86_64 ? 4 : 8;

    private static final int EINTR = 4;

    // libc symbols, called through Native's one universal shape (see Native).
    private static final MemorySegment CREATE1 = Native.symbol("epoll_create1");
    private static final MemorySegment CTL = Native.symbol("epoll_ctl");
    private static final MemorySegment WAIT = Native.symbol("epoll_wait");

    private final Fd fd;
    /**
     * Automatic, not closed by {@link #close()}: the event buffers are passed to the kernel as
     * plain addresses (see Native), so a close racing a wait must not free them under it; they go
     * with this object, which each call keeps reachable until it returns.
     */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment events;
    private final MemorySegment ctlEvent;
    private final int capacity;
    private boolean closed;

    private Epoll(Fd fd, int capacity) {
        this.fd = fd;
        this.capacity = capacity;
        this.events = arena.allocate((long) EVENT_SIZE * capacity, 8);
        this.ctlEvent = arena.allocate(16, 8);
    }

    /**
     * epoll_create1(EPOLL_CLOEXEC) with room for {@code capacity} events per {@link #wait}.
     *
     * @param capacity the most events one {@link #wait} reports
     * @return the epoll instance, which owns its descriptor
     */
    public static Epoll create(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity < 1");
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(CREATE1, st, EPOLL_CLOEXEC);
            if (r < 0) throw ErrnoException.of(Native.errno(st), "epoll_create1");
            return new Epoll(Fd.adopt(r), capacity);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /** {@return the epoll descriptor} */
    public int fd() {
        return fd.intValue();
    }

    /**
     * epoll_ctl(2); returns 0 or -errno. {@code data} comes back from {@link #data(int)}.
     *
     * @param op {@link #EPOLL_CTL_ADD}, {@link #EPOLL_CTL_MOD} or {@link #EPOLL_CTL_DEL}
     * @param target the descriptor to watch
     * @param events the events mask (EPOLLIN, EPOLLOUT, flags)
     * @param data the value {@link #data(int)} reports for it
     * @return 0, or -errno
     */
    public synchronized int ctl(int op, int target, int events, long data) {
        MemorySegment st = Native.state();
        ctlEvent.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        try {
            return Native.callIntRetrying(CTL, st, fd.intValue(), op, target, ctlEvent.address());
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * epoll_wait(2) with {@code timeoutMs} (-1 forever, 0 poll). Returns the number of ready
     * events, 0 when interrupted by a signal (the caller recomputes its timeout, as libuv does),
     * or -errno.
     *
     * @param timeoutMs the longest wait in milliseconds: -1 forever, 0 none
     * @return the number of ready events, 0 when interrupted, or -errno
     */
    public int wait(int timeoutMs) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(WAIT, st, fd.intValue(), events.address(), capacity, timeoutMs);
            if (r >= 0) return r;
            int e = Native.errno(st);
            return e == EINTR ? 0 : -e;
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The events mask of ready entry {@code i} of the last {@link #wait}.
     *
     * @param i the index of a ready entry, below the last wait's result
     * @return its events mask
     */
    public int events(int i) {
        return events.get(ValueLayout.JAVA_INT_UNALIGNED, (long) i * EVENT_SIZE);
    }

    /**
     * The data of ready entry {@code i} of the last {@link #wait}.
     *
     * @param i the index of a ready entry, below the last wait's result
     * @return its data
     */
    public long data(int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + DATA_OFFSET);
    }

    /**
     * Overwrites the data of ready entry {@code i} (the loop marks entries of closed fds with -1).
     *
     * @param i the index of a ready entry, below the last wait's result
     * @param data its new data
     */
    public void setData(int i, long data) {
        events.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + DATA_OFFSET, data);
    }

    /** {@return the most events one {@link #wait} reports} */
    public int capacity() {
        return capacity;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        fd.close();
    }
}
