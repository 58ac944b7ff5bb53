package dev.herd.io;

import dev.herd.loop.Handle;
import dev.herd.loop.IoWatcher;
import dev.herd.loop.Loop;
import dev.herd.os.Epoll;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import dev.herd.os.Net;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A duplex byte stream over one non-blocking descriptor (libuv's {@code uv_stream_t},
 * {@code src/unix/stream.c}): what {@link Tcp} and {@link Pipe} share. It reads on request
 * ({@link #readStart}), writes in order with completion callbacks ({@link #write}), shuts its write
 * side after queued writes ({@link #shutdown}), and as a server listens and accepts
 * ({@link #accept}).
 *
 * <p><b>Reading.</b> While reading, each wakeup reads up to {@link #READS_PER_WAKEUP} times
 * (stopping early at a short read), so one busy stream cannot starve the others. Bytes arrive in a
 * loop-owned {@link #READ_BUFFER_SIZE} buffer valid only during the callback; see
 * {@link ReadCallback} for the buffer contract and how EOF (Errno.EOF) and errors are signalled.
 *
 * <p><b>Writing.</b> libuv's path: {@link #write} tries the kernel at once when nothing is queued;
 * what the kernel refuses stays queued (the caller's buffers, not copies) and EPOLLOUT is armed only
 * while something is queued. On writability the queued requests are written in batches of up to
 * {@link Net#IOV_MAX} buffers, {@link #WRITES_PER_WAKEUP} system calls per wakeup.
 * {@link #writeQueueSize()} is what the kernel has not taken yet: the caller's backpressure signal.
 *
 * <p><b>Completions.</b> Every request (write, connect, shutdown) completes exactly once, in the
 * order the stream finished them: {@code null} or an {@link ErrnoException}. A callback never runs
 * inside the call that made the request: a request finished during that call completes in the
 * loop's next pending phase (libuv's {@code uv__io_feed}); one finished on readiness completes in
 * the poll phase that saw it. On {@link #close()} the fd closes at once and every unfinished request
 * completes with ECANCELED in the closing phase, before the close callback.
 *
 * <p><b>Active</b> while reading, writing (something queued), connecting, shutting down or
 * listening; an active, referenced stream keeps the loop alive, and every unfinished request does
 * so on its own too.
 *
 * <p>Thread rule: every method on the loop thread only (checked); callbacks run there. Lifetime: as
 * {@link Handle}: the stream owns its descriptor from open/bind/connect/accept until
 * {@link #close()} (descriptors 0-2 are never closed, as in libuv).
 */
public abstract class Stream extends Handle {
    /** Reads per stream per wakeup: libuv's {@code count = 32} in {@code uv__read}. */
    public static final int READS_PER_WAKEUP = 32;
    /** The size of the loop-owned read buffer: libuv suggests 64 KiB to its alloc callback. */
    public static final int READ_BUFFER_SIZE = 64 * 1024;
    /** Write system calls per stream per wakeup: libuv's {@code count = 32} in {@code uv__write}. */
    public static final int WRITES_PER_WAKEUP = 32;
    /** Descriptors the EMFILE trick accepts and closes per wakeup; the rest next time. */
    private static final int EMFILE_SHED_PER_WAKEUP = 128;

    private static final int EAGAIN = -Errno.EAGAIN.number();
    private static final int ENOBUFS = -Errno.ENOBUFS.number();
    private static final int EMFILE = -Errno.EMFILE.number();
    private static final int ENFILE = -Errno.ENFILE.number();
    private static final int ECONNABORTED = -Errno.ECONNABORTED.number();
    private static final int EINPROGRESS = -Errno.EINPROGRESS.number();
    private static final int ENOTSOCK = -Errno.ENOTSOCK.number();
    private static final int IN = Epoll.EPOLLIN;
    private static final int OUT = Epoll.EPOLLOUT;
    private static final int ERR_HUP = Epoll.EPOLLERR | Epoll.EPOLLHUP;

    private Fd fd;
    private IoWatcher watcher;
    /** An ipc {@link Pipe}: reads with recvmsg (receiving descriptors), and {@link #write2} may send one. */
    private boolean ipc;
    /** Descriptors received on an ipc pipe, oldest first, until {@link #takePendingFd()} (libuv's accepted_fd + queued_fds). */
    private ArrayDeque<Fd> pendingFds;
    /** Whether fd is a socket: sockets are written with MSG_NOSIGNAL and can be shut down. */
    private boolean socket;

    private boolean readable;
    private boolean writable;
    private boolean reading;
    /** The last read of the last wakeup was short: the kernel buffer was drained (libuv's READ_PARTIAL). */
    private boolean readPartial;
    private boolean readEof;
    private ReadCallback readCallback;

    private boolean listening;
    private ConnectionCallback connectionCallback;
    private int acceptedFd = -1;
    /** The reserve descriptor for the EMFILE trick, held while listening. */
    private Fd spareFd;

    private ConnectRequest connectReq;
    /** A connect failure found synchronously, reported through the callback (libuv's delayed_error). */
    private ErrnoException connectDelayedError;
    private ShutdownRequest shutdownReq;
    private boolean shut;

    private WriteRequest writeHead;
    private WriteRequest writeTail;
    private long writeQueueSize;
    /** Finished requests whose callbacks have not run yet (libuv's write_completed_queue). */
    private StreamRequest doneHead;
    private StreamRequest doneTail;
    private boolean feedQueued;
    private final Runnable feedTask = this::feed;

    Stream(Loop loop) {
        super(loop);
    }

    // ---------------------------------------------------------------- descriptor

    /**
     * Adopts a descriptor the caller handed over (Tcp.open, Pipe.open): makes it non-blocking and
     * finds out whether it is a socket. On failure the caller still owns {@code fd}.
     */
    final void openForeign(Fd fd, boolean readable, boolean writable) {
        makeNonBlocking(fd);
        int type = Net.getsockopt(fd.intValue(), Net.SOL_SOCKET, Net.SO_TYPE);
        if (type < 0 && type != ENOTSOCK) throw ErrnoException.of(type, "getsockopt");
        open(fd, type >= 0, readable, writable);
    }

    /**
     * Adopts a descriptor the caller says is a socket (Tcp.open, as libuv's {@code uv_tcp_open},
     * which does not check either): made non-blocking, without asking the kernel its type. A
     * descriptor that is not a socket fails at its first socket operation (ENOTSOCK).
     */
    final void openForeignSocket(Fd fd) {
        makeNonBlocking(fd);
        open(fd, true, true, true);
    }

    private static void makeNonBlocking(Fd fd) {
        int r = LibC.setNonBlocking(fd.intValue(), true);
        if (r < 0) throw ErrnoException.of(r, "fcntl");
    }

    /** Adopts a non-blocking socket this layer made (socket, accept4, socketpair). */
    final void openSocket(Fd fd, boolean readable, boolean writable) {
        open(fd, true, readable, writable);
    }

    private void open(Fd fd, boolean socket, boolean readable, boolean writable) {
        if (this.fd != null) throw ErrnoException.of(Errno.EBUSY, "uv_stream_open");
        this.fd = fd;
        this.socket = socket;
        this.ipc = socket && this instanceof Pipe p && p.ipc();
        this.watcher = new IoWatcher(loop(), fd.intValue(), this::onReady);
        this.readable = readable;
        this.writable = writable;
        try {
            opened();
        } catch (RuntimeException e) {
            // Not adopted after all: the caller closes fd.
            watcher.close();
            this.watcher = null;
            this.fd = null;
            this.readable = false;
            this.writable = false;
            throw e;
        }
    }

    /** Called once the descriptor is adopted (Tcp applies options set before there was a socket). */
    void opened() {}

    /** The descriptor, or null before open/bind/connect/accept and after close. */
    final Fd fd() {
        return fd;
    }

    /** Marks an open stream readable and writable (a connect on an already bound socket). */
    final void setReadableWritable() {
        readable = true;
        writable = true;
    }

    /**
     * The descriptor number (libuv's {@code uv_fileno}), for socket options and handle passing.
     * The stream still owns it.
     *
     * @return the descriptor number
     * @throws ErrnoException EBADF before the stream has a descriptor or once it is closing
     */
    public final int fileno() {
        loop().checkThread();
        if (fd == null || isClosing()) throw ErrnoException.of(Errno.EBADF, "uv_fileno");
        return fd.intValue();
    }

    /** {@return whether the stream can be read from: connected, and neither EOF nor an error seen} */
    public final boolean isReadable() {
        return readable;
    }

    /** {@return whether the stream can be written to: connected, not shut down, no error seen} */
    public final boolean isWritable() {
        return writable;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Starts delivering what arrives to {@code callback} (libuv's {@code uv_read_start}). Starting
     * again replaces the callback.
     *
     * @param callback gets each chunk, EOF or the read error
     * @throws ErrnoException ENOTCONN if the stream is not readable (not connected, or after EOF
     *     or an error)
     * @throws IllegalStateException if the stream is closed
     */
    public final void readStart(ReadCallback callback) {
        checkOpen();
        Objects.requireNonNull(callback, "callback");
        if (!readable) throw ErrnoException.of(Errno.ENOTCONN, "read");
        readCallback = callback;
        reading = true;
        watcher.start(IN);
        updateActive();
    }

    /** Stops delivering reads (libuv's {@code uv_read_stop}); data waits in the kernel. Idempotent. */
    public final void readStop() {
        loop().checkThread();
        if (!reading) return;
        stopReading();
    }

    /** {@return whether {@link #readStart} is in force} */
    public final boolean isReading() {
        return reading;
    }

    private void stopReading() {
        reading = false;
        readCallback = null;
        if (watcher != null) watcher.stop(IN);
        updateActive();
    }

    private void read() {
        readPartial = false;
        ReadBuffer rb = ReadBuffer.acquire();
        try {
            // reading is re-checked after each callback: it may stop reading or close the stream.
            for (int count = READS_PER_WAKEUP; reading && count > 0; count--) {
                byte[] buf = rb.array;
                long n;
                if (ipc) {
                    Net.RecvMsg m = Net.recvmsg(fd.intValue(), buf, 0, buf.length, 0, Net.RECV_FDS_MAX);
                    n = m.bytes();
                    for (int received : m.fds()) {
                        if (pendingFds == null) pendingFds = new ArrayDeque<>();
                        pendingFds.add(Fd.adopt(received));
                    }
                } else {
                    n = LibC.read(fd.intValue(), buf, 0, buf.length);
                }
                if (n == EAGAIN) return;
                if (n < 0) {
                    // The connection is broken both ways (libuv clears READABLE and WRITABLE).
                    ReadCallback cb = readCallback;
                    readable = false;
                    writable = false;
                    stopReading();
                    cb.onRead(null, ErrnoException.of((int) n, "read"));
                    return;
                }
                if (n == 0) {
                    eof();
                    return;
                }
                if (n < buf.length) readPartial = true;
                readCallback.onRead(rb.view((int) n), null);
                if (readPartial) return; // a short read: nothing more is waiting
            }
        } finally {
            rb.release();
        }
    }

    private void eof() {
        ReadCallback cb = readCallback;
        readEof = true;
        readable = false;
        stopReading();
        cb.onRead(null, ErrnoException.of(Errno.EOF, "read"));
    }

    // ---------------------------------------------------------------- writing

    /**
     * {@link #write(ByteBuffer[], RequestCallback)} of one buffer.
     *
     * @param buf the bytes to write
     * @param callback runs once the write has finished, or null
     * @return the request
     */
    public final WriteRequest write(ByteBuffer buf, RequestCallback callback) {
        return write(new ByteBuffer[] {buf}, callback);
    }

    /**
     * {@link #write(ByteBuffer[], RequestCallback)} of a whole array (not copied: leave it alone until the callback).
     *
     * @param data the bytes to write
     * @param callback runs once the write has finished, or null
     * @return the request
     */
    public final WriteRequest write(byte[] data, RequestCallback callback) {
        return write(new ByteBuffer[] {ByteBuffer.wrap(data)}, callback);
    }

    /**
     * Writes the remaining bytes of {@code bufs}, in order, after every earlier write (libuv's
     * {@code uv_write}). The stream takes views of the buffers, not copies, and does not move their
     * positions: the caller must not change the bytes until {@code callback} has run. The callback
     * ({@code null} allowed) runs exactly once, never inside this call: {@code null} once all bytes
     * are with the kernel, else the error (EPIPE, ECONNRESET, ...), or ECANCELED if the stream closes
     * first.
     *
     * @param bufs the bytes to write
     * @param callback runs once the write has finished, or null
     * @return the request
     * @throws ErrnoException EBADF if the stream has no descriptor or is closing; EPIPE if it is not
     *     writable (after {@link #shutdown}, or after a read error)
     */
    public final WriteRequest write(ByteBuffer[] bufs, RequestCallback callback) {
        return write2(bufs, null, callback);
    }

    /**
     * {@link #write} that also passes {@code sendHandle}'s descriptor to the peer (libuv's
     * {@code uv_write2}): on an ipc {@link Pipe} only, the descriptor travels as SCM_RIGHTS with
     * the first bytes of this request that the kernel takes, and the request is written on its own
     * (never gathered with other requests into one system call), so that the peer receives the
     * descriptor with this request's first byte. {@code sendHandle} is a {@link Stream} or a
     * {@link Udp}; it must stay open until the callback: if it has no descriptor by the time the
     * request is written, the request fails with EBADF. {@code null} means no handle.
     *
     * @param bufs the bytes to write
     * @param sendHandle the handle whose descriptor to pass, or null
     * @param callback runs once the write has finished, or null
     * @return the request
     * @throws ErrnoException EINVAL if a handle is given on a stream that is not an ipc pipe, or
     *     with no bytes to carry it; EBADF / EPIPE as {@link #write}
     */
    public final WriteRequest write2(ByteBuffer[] bufs, Handle sendHandle, RequestCallback callback) {
        loop().checkThread();
        Objects.requireNonNull(bufs, "bufs");
        if (fd == null || isClosing()) throw ErrnoException.of(Errno.EBADF, "write");
        if (sendHandle != null && (!ipc || !(sendHandle instanceof Stream || sendHandle instanceof Udp))) {
            throw ErrnoException.of(Errno.EINVAL, "write");
        }
        if (!writable) throw ErrnoException.of(Errno.EPIPE, "write");
        ByteBuffer[] views = new ByteBuffer[bufs.length];
        long size = 0;
        for (int i = 0; i < bufs.length; i++) {
            views[i] = bufs[i].duplicate(); // our own position; the caller's stays put
            size += views[i].remaining();
        }
        if (sendHandle != null && size == 0) throw ErrnoException.of(Errno.EINVAL, "write"); // a descriptor needs a byte to ride on
        WriteRequest req = new WriteRequest(this, views, size, callback);
        req.sendHandle = sendHandle;
        // As libuv: the kernel is tried now only if nothing is waiting, counting failed writes
        // whose callbacks have not run yet (a non-zero size means "stop writing").
        boolean emptyQueue = writeQueueSize == 0;
        if (writeTail == null) writeHead = req;
        else writeTail.next = req;
        writeTail = req;
        writeQueueSize += size;
        if (connectReq != null) {
            // Written once connected.
        } else if (emptyQueue) {
            writeQueued();
        } else {
            watcher.start(OUT);
        }
        if (doneHead != null) scheduleFeed();
        updateActive();
        return req;
    }

    /**
     * Writes what the kernel takes now, in one system call, without queueing (libuv's
     * {@code uv_try_write}). Unlike {@link #write}, it advances the positions of {@code bufs} by what
     * was written, as a {@code GatheringByteChannel} does.
     *
     * @param bufs the bytes to write
     * @return bytes written; 0 when the kernel takes nothing now (libuv's EAGAIN), or while
     *     connecting or while writes are queued (they must go first)
     * @throws ErrnoException EBADF if closed, EPIPE if not writable, or the write's error
     */
    public final long tryWrite(ByteBuffer... bufs) {
        loop().checkThread();
        if (fd == null || isClosing()) throw ErrnoException.of(Errno.EBADF, "write");
        if (!writable) throw ErrnoException.of(Errno.EPIPE, "write");
        if (connectReq != null || writeQueueSize != 0) return 0;
        WriteBatch batch = WriteBatch.get();
        for (ByteBuffer b : bufs) {
            if (!batch.add(b)) break;
        }
        if (batch.isEmpty()) return 0;
        long r = batch.write(fd.intValue(), socket);
        if (r == EAGAIN || r == ENOBUFS) return 0;
        if (r < 0) throw ErrnoException.of((int) r, "write");
        return r;
    }

    /**
     * Bytes queued and not yet taken by the kernel (libuv's {@code write_queue_size}), including
     * those of failed writes until their callbacks run. It grows when the peer reads slower than
     * the caller writes: the caller's signal to wait for write callbacks before writing more.
     *
     * @return the bytes queued
     */
    public final long writeQueueSize() {
        return writeQueueSize;
    }

    /** Called by a finishing write with the bytes it did not write. */
    final void writeReleased(long unwritten) {
        writeQueueSize -= unwritten;
    }

    /** libuv's {@code uv__write}: write queued requests until the kernel refuses or the budget is spent. */
    private void writeQueued() {
        int fdn = fd.intValue();
        for (int budget = WRITES_PER_WAKEUP; ; budget--) {
            finishWrittenRequests();
            if (writeHead == null) return;
            if (budget == 0) {
                watcher.start(OUT); // more next wakeup: the socket is most likely still writable
                return;
            }
            WriteBatch batch = WriteBatch.get();
            int[] sendFds = null;
            WriteRequest head = writeHead;
            if (head.sendHandle != null) {
                // A request carrying a descriptor goes alone, as in libuv's uv__write.
                int sendFd = handleFd(head.sendHandle);
                if (sendFd < 0) {
                    failHead(ErrnoException.of(Errno.EBADF, "write"));
                    continue;
                }
                sendFds = new int[] {sendFd};
                for (int i = head.index; i < head.bufs.length; i++) {
                    if (!batch.add(head.bufs[i])) break;
                }
            } else {
                gather:
                for (WriteRequest req = head; req != null; req = (WriteRequest) req.next) {
                    if (req.sendHandle != null) break; // it goes in a call of its own
                    for (int i = req.index; i < req.bufs.length; i++) {
                        if (!batch.add(req.bufs[i])) break gather;
                    }
                }
            }
            long offered = batch.bytes();
            long r = batch.write(fdn, socket, sendFds);
            if (r >= 0) {
                if (sendFds != null) head.sendHandle = null; // the descriptor went with the first chunk
                writeQueueSize -= r;
                if (r < offered) {
                    finishWrittenRequests();
                    watcher.start(OUT); // the kernel is full: wait until it drains
                    return;
                }
            } else if (r == EAGAIN || r == ENOBUFS) {
                watcher.start(OUT);
                return;
            } else {
                // The head request fails; each request after it tries its own system call (and
                // will usually get the same error), so none is left hanging.
                failHead(ErrnoException.of((int) r, "write"));
            }
        }
    }

    private void failHead(ErrnoException error) {
        WriteRequest req = writeHead;
        writeHead = (WriteRequest) req.next;
        if (writeHead == null) writeTail = null;
        req.next = null;
        req.error = error;
        finished(req);
    }

    /** The descriptor of a handle being sent, or -1 once it has none (closed). */
    private static int handleFd(Handle h) {
        if (h.isClosing()) return -1;
        return switch (h) {
            case Stream s -> s.fd == null ? -1 : s.fd.intValue();
            case Udp u -> u.fileno();
            default -> -1;
        };
    }

    // ---------------------------------------------------------------- received descriptors (ipc pipes)

    /** Descriptors received and not yet taken (libuv's {@code uv_pipe_pending_count}). */
    final int pendingFdCount() {
        return pendingFds == null ? 0 : pendingFds.size();
    }

    /** The oldest received descriptor, without taking it, or null. */
    final Fd peekPendingFd() {
        return pendingFds == null ? null : pendingFds.peek();
    }

    /** Takes the oldest received descriptor (the caller owns it now), or null when none is waiting. */
    final Fd takePendingFd() {
        return pendingFds == null ? null : pendingFds.poll();
    }

    /** Moves fully written requests from the head of the write queue to the completed queue. */
    private void finishWrittenRequests() {
        WriteRequest req;
        while ((req = writeHead) != null) {
            while (req.index < req.bufs.length && !req.bufs[req.index].hasRemaining()) {
                req.bufs[req.index++] = null; // written: let the caller's buffer go
            }
            if (req.index < req.bufs.length) return;
            writeHead = (WriteRequest) req.next;
            if (writeHead == null) writeTail = null;
            req.next = null;
            finished(req);
        }
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Shuts the write side once every queued write has finished (libuv's {@code uv_shutdown}): the
     * peer then reads EOF, and this side can still read. The stream is no longer writable from now
     * on. The callback ({@code null} allowed) runs exactly once, never inside this call.
     *
     * @param callback runs once the write side is shut, or null
     * @return the request
     * @throws ErrnoException ENOTCONN if not writable, already shut or shutting, or closing
     */
    public final ShutdownRequest shutdown(RequestCallback callback) {
        loop().checkThread();
        if (fd == null || !writable || shut || shutdownReq != null || isClosing()) {
            throw ErrnoException.of(Errno.ENOTCONN, "shutdown");
        }
        ShutdownRequest req = new ShutdownRequest(this, callback);
        shutdownReq = req;
        writable = false;
        if (writeHead == null && connectReq == null) {
            // Nothing to wait for: drain() in the next pending phase, where libuv waits for an
            // EPOLLOUT event (an epoll_ctl and a wakeup) that an empty queue does not need.
            scheduleFeed();
        } else {
            watcher.start(OUT); // drain() runs on the next writable event, after queued writes
        }
        updateActive();
        return req;
    }

    /** libuv's {@code uv__drain}: the write queue is empty; stop EPOLLOUT and do a pending shutdown. */
    private void drain() {
        watcher.stop(OUT);
        ShutdownRequest req = shutdownReq;
        if (req != null && !isClosing()) {
            shutdownReq = null;
            int r = Net.shutdown(fd.intValue(), Net.SHUT_WR);
            if (r == 0) shut = true;
            else req.error = ErrnoException.of(r, "shutdown");
            finished(req);
        }
        updateActive();
        deliverCompleted();
    }

    // ---------------------------------------------------------------- connecting (Tcp, Pipe)

    /** Whether a connect request is in progress. */
    final boolean isConnecting() {
        return connectReq != null;
    }

    /**
     * Records a started connect: completes on writability, or with {@code delayedError} (found
     * synchronously) in the next pending phase, never inside the connect call.
     */
    final ConnectRequest startConnect(RequestCallback callback, String address, int port, ErrnoException delayedError) {
        ConnectRequest req = new ConnectRequest(this, callback, address, port);
        connectReq = req;
        connectDelayedError = delayedError;
        watcher.start(OUT);
        if (delayedError != null) scheduleFeed();
        updateActive();
        return req;
    }

    /** The error a connect reports, with its address as Node shows it. */
    final ErrnoException connectError(int errno, ConnectRequest req) {
        return ErrnoException.withHostPort(Errno.of(errno), "connect", req.address, req.port);
    }

    /** libuv's {@code uv__stream_connect}: the outcome of a non-blocking connect. */
    private void finishConnect() {
        ConnectRequest req = connectReq;
        ErrnoException error = connectDelayedError;
        if (error == null) {
            int e = Net.soError(fd.intValue());
            if (e == EINPROGRESS) return;
            if (e < 0) error = connectError(e, req);
        }
        connectDelayedError = null;
        connectReq = null;
        req.error = error;
        finished(req);
        if (error != null) {
            cancelQueuedWrites(); // never connected: nothing queued can be written
        }
        if (error != null || (writeHead == null && shutdownReq == null)) watcher.stop(OUT);
        updateActive();
        deliverCompleted();
    }

    // ---------------------------------------------------------------- listening

    /**
     * Starts accepting after the subclass has called listen(2): {@code callback} runs for each
     * incoming connection. Listening again replaces the callback.
     */
    final void startListening(ConnectionCallback callback) {
        connectionCallback = callback;
        if (!listening) {
            listening = true;
            // One reserve per listener, held while it listens (libuv keeps one per loop, but the
            // loop layer knows nothing of io; listeners are few, and each then has its own).
            spareFd = openSpare();
            if (acceptedFd == -1) watcher.start(IN);
        }
        updateActive();
    }

    /** {@return whether the stream is listening} */
    public final boolean isListening() {
        return listening;
    }

    /**
     * Takes the connection announced to the {@link ConnectionCallback} into {@code client}, a new,
     * unopened stream of this loop (libuv's {@code uv_accept}); the client is then readable and
     * writable. Accepting resumes watching for the next connection.
     *
     * @param client a new stream of this loop with no descriptor
     * @throws ErrnoException EAGAIN if no connection is waiting; EBUSY if {@code client} already
     *     has a descriptor (the waiting connection is then dropped, as libuv drops it)
     */
    public final void accept(Stream client) {
        loop().checkThread();
        Objects.requireNonNull(client, "client");
        if (client.loop() != loop()) throw new IllegalArgumentException("client belongs to another loop");
        client.checkOpen();
        if (acceptedFd == -1) throw ErrnoException.of(Errno.EAGAIN, "accept");
        Fd accepted = Fd.adopt(acceptedFd);
        acceptedFd = -1;
        if (listening && !isClosing()) watcher.start(IN);
        if (client.fd != null) {
            accepted.close();
            throw ErrnoException.of(Errno.EBUSY, "accept");
        }
        try {
            client.openSocket(accepted, true, true);
        } catch (RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    /**
     * {@link #accept} into a new stream of this listener's kind (a Tcp for a Tcp, a Pipe for a
     * Pipe) and returns it; if the accept fails the new stream is closed and the error thrown.
     * Loop thread only.
     *
     * @return the new stream, readable and writable
     */
    public final Stream acceptNew() {
        Stream client = newPeer();
        try {
            accept(client);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** A new, unopened stream of this stream's kind on its loop, for {@link #acceptNew}. */
    abstract Stream newPeer();

    /**
     * libuv's {@code uv__server_io}: accepts one connection per wakeup and announces it (or the
     * error), as libuv does since 1.45 (Node 20). The listener is level-triggered, so a backlog
     * brings the next poll straight back, with whatever else is ready; the common case, one
     * connection waiting, never pays for an accept4 that only answers EAGAIN; and a connection
     * storm cannot starve the loop's other handles.
     */
    private void serverIo() {
        if (!listening || acceptedFd != -1) return;
        int r;
        do {
            r = Net.accept4(fd.intValue(), Net.SOCK_NONBLOCK, null);
        } while (r == ECONNABORTED); // the client gave up: nothing to announce, take the next one
        if (r < 0) {
            if (r == EMFILE || r == ENFILE) r = emfileTrick();
            if (r != EAGAIN) connectionCallback.onConnection(ErrnoException.of(r, "accept"));
            return;
        }
        acceptedFd = r;
        // Until the callback (or a later call) accepts it, stop watching: the next connection
        // must not be announced while this one waits.
        watcher.stop(IN);
        connectionCallback.onConnection(null);
    }

    /**
     * libuv's EMFILE trick: out of descriptors, a pending connection would make the listener
     * readable forever (a busy loop). Free the reserve descriptor, accept and close what is
     * pending (the clients see the connection closed: we are overloaded), and take the reserve
     * again. Not reliable if another thread opens descriptors in between, as libuv notes.
     */
    private int emfileTrick() {
        if (spareFd == null) return EMFILE;
        spareFd.close();
        spareFd = null;
        int r;
        int budget = EMFILE_SHED_PER_WAKEUP;
        do {
            r = Net.accept4(fd.intValue(), Net.SOCK_NONBLOCK, null);
            if (r >= 0) LibC.close(r);
        } while (r >= 0 && --budget > 0);
        spareFd = openSpare();
        return r >= 0 ? EAGAIN : r; // budget spent: the rest next wakeup
    }

    /**
     * The reserve descriptor. Any descriptor will do (libuv opens "/"): an eventfd, because the
     * loop has linked that downcall already, where open(2)'s would cost every server a generated
     * stub at start-up (docs/studies/2026-12-03-jvm-flags.md, "What changed at start-up").
     */
    private static Fd openSpare() {
        try {
            return LibC.eventfd(0, 0);
        } catch (ErrnoException e) {
            return null; // without a reserve, EMFILE reaches the callback
        }
    }

    // ---------------------------------------------------------------- readiness

    /** libuv's {@code uv__stream_io} (and {@code uv__server_io} while listening). */
    private void onReady(int events) {
        if (listening) {
            serverIo();
            return;
        }
        if (connectReq != null) {
            if ((events & (OUT | ERR_HUP)) != 0) finishConnect();
            return;
        }
        // POLLHUP does not mean there is nothing left to read.
        if ((events & (IN | ERR_HUP)) != 0) read();
        if (isClosing()) return; // a read callback closed the stream

        // Short-circuit iff HUP is set, the user still reads and the last read was short but not
        // EOF: the peer is gone and the buffer drained, so another read could only say EOF.
        if ((events & Epoll.EPOLLHUP) != 0 && reading && readPartial && !readEof) eof();
        if (isClosing()) return;

        if ((events & (OUT | ERR_HUP)) != 0) {
            writeQueued();
            deliverCompleted();
            if (!isClosing() && writeHead == null) drain();
        }
    }

    // ---------------------------------------------------------------- completions

    /** Appends a finished request to the completed queue; its callback runs in {@link #deliverCompleted}. */
    private void finished(StreamRequest req) {
        if (doneTail == null) doneHead = req;
        else doneTail.next = req;
        doneTail = req;
    }

    /**
     * Runs the callbacks of finished requests, in order. Each request leaves the queue before its
     * callback, so a callback that throws loses nothing: the rest run in the next pending phase.
     */
    private void deliverCompleted() {
        try {
            StreamRequest req;
            while ((req = doneHead) != null) {
                doneHead = req.next;
                if (doneHead == null) doneTail = null;
                req.next = null;
                req.complete();
            }
        } finally {
            if (doneHead != null) scheduleFeed();
        }
    }

    /** libuv's {@code uv__io_feed}: come back in the next pending phase. */
    private void scheduleFeed() {
        if (feedQueued) return;
        feedQueued = true;
        loop().queuePending(feedTask);
    }

    /** The pending-phase visit: a delayed connect error, or completions made outside the poll phase. */
    private void feed() {
        feedQueued = false;
        if (!isClosing() && connectReq != null && connectDelayedError != null) {
            finishConnect();
            return;
        }
        deliverCompleted();
        if (!isClosing() && connectReq == null && writeHead == null && fd != null) drain();
    }

    // ---------------------------------------------------------------- activity and close

    final void updateActive() {
        if (!isClosing() && (reading || listening || connectReq != null || shutdownReq != null || writeHead != null)) {
            activate();
        } else {
            deactivate();
        }
    }

    private void cancelQueuedWrites() {
        WriteRequest req;
        while ((req = writeHead) != null) {
            writeHead = (WriteRequest) req.next;
            req.next = null;
            req.error = ErrnoException.of(Errno.ECANCELED, "write");
            finished(req);
        }
        writeTail = null;
    }

    /** Releases what a subclass owns besides the descriptor, just before it closes (Pipe unlinks its path). */
    void beforeCloseFd() {}

    /**
     * libuv's {@code uv__stream_close}: stop watching, close the descriptor now, and finish every
     * unfinished request with ECANCELED (connect, then writes, then shutdown, as
     * {@code uv__stream_destroy} orders them); their callbacks run in {@link #destroy()}.
     */
    @Override
    protected final void doClose() {
        reading = false;
        readCallback = null;
        listening = false;
        connectionCallback = null;
        readable = false;
        writable = false;
        if (watcher != null) watcher.close();
        if (fd != null) {
            beforeCloseFd();
            if (fd.intValue() > 2) fd.close();
            else fd.release(); // as libuv: never close stdio descriptors
        }
        if (acceptedFd != -1) {
            LibC.close(acceptedFd);
            acceptedFd = -1;
        }
        if (pendingFds != null) {
            // Received but never taken: they are ours to close, or they leak.
            for (Fd pending; (pending = pendingFds.poll()) != null; ) pending.close();
        }
        if (spareFd != null) {
            spareFd.close();
            spareFd = null;
        }
        // Requests already finished keep their outcome and their place; the rest follow, cancelled.
        if (connectReq != null) {
            connectReq.error = ErrnoException.of(Errno.ECANCELED, "connect");
            finished(connectReq);
            connectReq = null;
            connectDelayedError = null;
        }
        cancelQueuedWrites();
        if (shutdownReq != null) {
            shutdownReq.error = ErrnoException.of(Errno.ECANCELED, "shutdown");
            finished(shutdownReq);
            shutdownReq = null;
        }
    }

    /** Closing phase, before the close callback: the callbacks of the requests close finished. */
    @Override
    protected final void destroy() {
        deliverCompleted();
    }
}
