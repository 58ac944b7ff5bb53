package dev.herd.io;

import dev.herd.os.ErrnoException;
import java.nio.ByteBuffer;

/**
 * Receives what {@link Stream#readStart} reads (libuv's {@code uv_read_cb}); runs on the loop
 * thread in the poll phase. Each call carries either bytes or an end:
 *
 * <ul>
 *   <li>{@code data != null, error == null}: bytes read, from {@code data.position()} (0) to
 *       {@code data.limit()}. The buffer is a read-only view of memory the loop thread reuses for
 *       every read of every stream: it is valid <b>only until this call returns</b>. Copy what you
 *       keep ({@code data.get(byte[])}); never store the buffer.
 *   <li>{@code data == null}, {@code error.errnoEntry() == Errno.EOF}: the peer will send nothing
 *       more (it shut down its write side or closed). Reading has stopped; the stream may still
 *       be writable (a half-closed connection).
 *   <li>{@code data == null}, any other error (ECONNRESET, ...): the connection failed. Reading
 *       has stopped and the stream is neither readable nor writable; close it.
 * </ul>
 */
@FunctionalInterface
public interface ReadCallback {
    /**
     * Gets what was read, EOF or the read error.
     *
     * @param data the bytes read, valid only during this call; null for EOF or an error
     * @param error null with data; EOF, or the read error
     */
    void onRead(ByteBuffer data, ErrnoException error);
}
