package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP requests for the cluster and reload tests: one request on a new connection to a server
 * that answers its pid, the pids answering on a port, and a load of such requests one after
 * another on a thread of its own.
 */
final class Requests {
    private Requests() {}

    /** One HTTP/1.0 request on a new connection to 127.0.0.1:{@code port}; the body (a pid). */
    static long get(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.1 200") || body < 0) throw new IOException("bad response: " + response);
            return Long.parseLong(response.substring(body + 4).strip());
        }
    }

    /** {@return a TCP port free a moment ago} */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The pids answering on {@code port}, a new connection per request, until {@code n} are seen or {@code max} requests. */
    static Set<Long> answeringPids(int port, int n, int max) throws Exception {
        Set<Long> seen = new HashSet<>();
        long deadline = System.currentTimeMillis() + 30_000;
        for (int i = 0; seen.size() < n && i < max; i++) {
            try {
                seen.add(get(port));
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(50); // not listening yet
                i--;
            }
        }
        return seen;
    }

    /** One request at a time, each on a new connection, counting answers, failures and pids. */
    static final class Load {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        final Set<Long> seen = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Load(int port) {
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        seen.add(get(port));
                        ok.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, java.time.Instant.now() + " " + e); // when: to read beside herd.log
                    }
                }
            }, "load");
            thread.start();
        }

        /** Waits (with a deadline) until {@code n} more requests were answered. */
        void awaitMore(int n) throws InterruptedException {
            int target = ok.get() + n;
            long deadline = System.currentTimeMillis() + 30_000;
            while (ok.get() < target) {
                if (System.currentTimeMillis() > deadline) throw new AssertionError("only " + ok.get() + " of " + target + " requests served");
                Thread.sleep(10);
            }
        }

        /** Waits (with a deadline) until every one of {@code pids} has answered. */
        void awaitSeen(Set<Long> pids) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 30_000;
            while (!seen.containsAll(pids) && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertThat(seen).containsAll(pids);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }
}
