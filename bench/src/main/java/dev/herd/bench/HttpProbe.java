package dev.herd.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client for the server scenarios' correctness checks: sends GET / to
 * 127.0.0.1:port n times, one after another on a keep-alive connection (a new one whenever the
 * server closes it or says {@code Connection: close}), and checks that every response is a 200
 * whose body is the expected text. Reads bodies framed by Content-Length or chunked encoding.
 * Bounded: at most {@code limit} in all, and 5 s per read.
 */
final class HttpProbe {
    private static final int READ_TIMEOUT_MS = 5000;
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_BODY = 1 << 20;

    private HttpProbe() {}

    /** Null when all n responses were right, else what went wrong first. */
    static String get(int port, int n, String expectedBody, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        byte[] request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        Socket socket = null;
        InputStream in = null;
        try {
            for (int i = 0; i < n; i++) {
                if (System.nanoTime() > deadline) return "only " + i + " of " + n + " requests answered within " + limit.toSeconds() + " s";
                if (socket == null) {
                    socket = new Socket(InetAddress.getLoopbackAddress(), port);
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(READ_TIMEOUT_MS);
                    in = new BufferedInputStream(socket.getInputStream());
                }
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                Response r = read(in);
                if (r == null) return "request " + (i + 1) + ": the server closed the connection without a response";
                if (r.status != 200) return "request " + (i + 1) + ": status " + r.status;
                if (!r.body.equals(expectedBody)) {
                    return "request " + (i + 1) + ": body " + quote(r.body) + ", expected " + quote(expectedBody);
                }
                if (r.close) {
                    socket.close();
                    socket = null;
                }
            }
            return null;
        } catch (IOException e) {
            return "GET / on 127.0.0.1:" + port + ": " + e;
        } finally {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a connection we are done with
                }
            }
        }
    }

    private record Response(int status, String body, boolean close) {}

    /** One response, or null at end of stream before it started. */
    private static Response read(InputStream in) throws IOException {
        String head = readHead(in);
        if (head == null) return null;
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + lines[0]);
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + lines[0]);
        }
        long length = -1;
        boolean chunked = false;
        boolean close = status[0].equals("HTTP/1.0");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) continue;
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close") || (close && !value.contains("keep-alive"));
                default -> { }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String size = readLine(in);
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (n == 0) {
                    while (!readLine(in).isEmpty()) { } // trailers
                    break;
                }
                if (body.size() + n > MAX_BODY) throw new IOException("body over " + MAX_BODY + " bytes");
                body.write(readExactly(in, n));
                readLine(in);
            }
        } else if (length >= 0) {
            if (length > MAX_BODY) throw new IOException("body over " + MAX_BODY + " bytes");
            body.write(readExactly(in, (int) length));
        } else {
            throw new IOException("a response with neither Content-Length nor chunked encoding");
        }
        return new Response(code, body.toString(StandardCharsets.UTF_8), close);
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < MAX_HEAD) {
            int c = in.read();
            if (c < 0) {
                if (sb.isEmpty()) return null;
                throw new IOException("connection closed inside the response head");
            }
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                return sb.substring(0, sb.length() - 4);
            }
        }
        throw new IOException("response head over " + MAX_HEAD + " bytes");
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("connection closed inside a chunked body");
            if (c != '\r') sb.append((char) c);
            if (sb.length() > MAX_HEAD) throw new IOException("line over " + MAX_HEAD + " bytes");
        }
        return sb.toString();
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) throw new IOException("connection closed after " + b.length + " of " + n + " body bytes");
        return b;
    }

    private static String quote(String s) {
        String q = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return '"' + q.replace("\n", "\\n").replace("\r", "\\r") + '"';
    }
}
