package dev.herd.node.net;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A client that writes the same bytes over and over and never reads what comes back: the peer a
 * server must stop reading from once its answers pile up. It runs on a plain blocking
 * {@link java.net.Socket}, so when the server stops reading, TCP flow control stops the writer.
 *
 * <p>Thread rule: {@link #flood} on a work-pool thread (it blocks); {@link #close} from any thread,
 * which also ends a flood blocked in a write. Lifetime: until {@link #close}.
 */
public final class NeverReadingClient implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 16 * 1024;

    private final java.net.Socket socket;
    private volatile boolean closed;

    /**
     * Connects to 127.0.0.1:{@code port} (the server need not have accepted yet: the kernel
     * completes the handshake) with a small receive buffer, so the answers fill the kernel's
     * buffers sooner.
     */
    public NeverReadingClient(int port) {
        socket = new java.net.Socket();
        try {
            socket.setReceiveBufferSize(RECEIVE_BUFFER);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code chunk} until {@link #close} or until the server ends or resets the connection;
     * returns the bytes written.
     */
    public long flood(byte[] chunk) {
        long written = 0;
        try {
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException endedByEitherSide) {
            // close() from the test, or the server closed or reset the connection
        }
        return written;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
