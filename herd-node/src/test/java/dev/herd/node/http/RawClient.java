package dev.herd.node.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A blocking HTTP/1.1 client over a plain {@link java.net.Socket} for tests: it sends exact bytes
 * and reads responses exactly as they come (status line, header lines in order, a body framed by
 * Content-Length, chunked coding or the end of the connection). Runs on a work-pool thread, never
 * on the loop thread.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** One response as it arrived. {@code raw} is every byte of it, {@code body} the decoded body. */
    record Response(String statusLine, List<String[]> headers, String body, String raw) {
        /** The value of the first header called {@code name} (any case), or null. */
        String header(String name) {
            for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
            return null;
        }

        List<String> headerNames() {
            List<String> names = new ArrayList<>();
            for (String[] h : headers) names.add(h[0]);
            return names;
        }

        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    RawClient(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawClient send(String s) {
        return send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Half-closes: the server reads EOF. */
    void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response to a request that may have a body. */
    Response read() {
        return read(false);
    }

    /** Reads one response; {@code head}: the request was HEAD, so there is no body whatever the headers say. */
    Response read(boolean head) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String status = line(raw);
        if (status == null) throw new IllegalStateException("connection closed before a response");
        List<String[]> headers = new ArrayList<>();
        String l;
        while ((l = line(raw)) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.add(new String[] {l.substring(0, colon), l.substring(colon + 1).trim()});
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        String te = null;
        String cl = null;
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase("transfer-encoding")) te = h[1];
            if (h[0].equalsIgnoreCase("content-length")) cl = h[1];
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || code == 204 || code == 304 || code < 200) {
            // no body
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String size = line(raw);
                int n = Integer.parseInt(size.trim(), 16);
                if (n == 0) {
                    while ((l = line(raw)) != null && !l.isEmpty()) { /* trailers */ }
                    break;
                }
                body.writeBytes(bytes(raw, n));
                line(raw);
            }
        } else if (cl != null) {
            body.writeBytes(bytes(raw, Integer.parseInt(cl)));
        } else {
            body.writeBytes(readToEof(raw));
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8), raw.toString(StandardCharsets.ISO_8859_1));
    }

    /** Reads exactly {@code n} bytes (no response parsing). */
    String readExactly(int n) {
        return new String(bytes(new ByteArrayOutputStream(), n), StandardCharsets.ISO_8859_1);
    }

    /** Everything until the server closes. */
    String readAll() {
        return new String(readToEof(new ByteArrayOutputStream()), StandardCharsets.ISO_8859_1);
    }

    /** Whether the server closes the connection within {@code millis} without sending anything more. */
    boolean closedWithin(long millis) {
        try {
            socket.setSoTimeout((int) millis);
            int b = in.read();
            if (b >= 0) throw new IllegalStateException("unexpected byte " + b);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset counts as closed
        }
    }

    private String line(ByteArrayOutputStream raw) {
        StringBuilder sb = new StringBuilder();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                raw.write(b);
                if (b == '\n') {
                    int n = sb.length();
                    if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
                    return sb.toString();
                }
                sb.append((char) b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private byte[] bytes(ByteArrayOutputStream raw, int n) {
        try {
            byte[] b = in.readNBytes(n);
            if (b.length < n) throw new IllegalStateException("connection closed after " + b.length + " of " + n + " bytes");
            raw.writeBytes(b);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] readToEof(ByteArrayOutputStream raw) {
        try {
            byte[] b = in.readAllBytes();
            raw.writeBytes(b);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
