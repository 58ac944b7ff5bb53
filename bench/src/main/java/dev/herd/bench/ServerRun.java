package dev.herd.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One round of a server + external load scenario: starts the server program with
 * {@code --port P --host 127.0.0.1} (P a port that was free on 127.0.0.1 a moment before), waits for a stdout line
 * containing "listening", puts the {@link Load} on it, and stops it (SIGTERM, then SIGKILL after
 * {@link #STOP_GRACE}). The result has the load's metrics and failures, plus the server's own: it
 * exited before listening or during the load, it printed no listening line within
 * {@link #LISTEN_TIMEOUT}. The server's stderr goes straight to ours, its other stdout lines to
 * our stderr with its label.
 */
final class ServerRun {
    /** The only address servers listen on and loads go to. */
    static final String HOST = "127.0.0.1";
    static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private ServerRun() {}

    static ProgramRun run(String label, List<String> command, Path directory, Load load, List<String> loadArgs,
            Duration timeout) {
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            failures.add("cannot find a free port: " + e.getMessage());
            return new ProgramRun(Map.of(), failures, Duration.ZERO);
        }
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--port", Integer.toString(port), "--host", HOST));
        Process server;
        try {
            server = new ProcessBuilder(full)
                    .directory(directory.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            failures.add("cannot start " + full.getFirst() + ": " + e.getMessage());
            return new ProgramRun(Map.of(), failures, Duration.ZERO);
        }
        try {
            server.getOutputStream().close(); // servers read nothing
        } catch (IOException ignored) {
            // already gone: noticed below
        }
        CountDownLatch listening = new CountDownLatch(1);
        Thread reader = Thread.ofVirtual().name("bench-server-" + label).start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    System.err.println("  [" + label + "] " + line);
                    if (line.toLowerCase(Locale.ROOT).contains("listening")) listening.countDown();
                }
            } catch (IOException ignored) {
                // the server is gone
            }
        });
        Load.Result result = null;
        try {
            long waitUntil = System.nanoTime() + Math.min(LISTEN_TIMEOUT.toNanos(), timeout.toNanos());
            while (!listening.await(50, TimeUnit.MILLISECONDS)) {
                if (!server.isAlive()) {
                    listening.await(1, TimeUnit.SECONDS); // a last line may still be on its way
                    if (listening.getCount() > 0) {
                        failures.add("the server exited with code " + server.exitValue() + " before printing a listening line");
                    }
                    break;
                }
                if (System.nanoTime() > waitUntil) {
                    failures.add("the server printed no line containing \"listening\" within "
                            + Duration.ofNanos(Math.min(LISTEN_TIMEOUT.toNanos(), timeout.toNanos())).toSeconds() + " s");
                    break;
                }
            }
            if (failures.isEmpty()) {
                try {
                    result = load.run(new Load.Target(port, server.toHandle()), loadArgs, timeout);
                } catch (IllegalArgumentException e) {
                    failures.add("bad arguments " + loadArgs + ": " + e.getMessage());
                }
                if (!server.isAlive()) failures.add("the server exited with code " + server.exitValue() + " during the load");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add("interrupted");
        } finally {
            stop(server);
            try {
                reader.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (result != null) failures.addAll(0, result.failures());
        return new ProgramRun(result != null ? result.metrics() : Map.of(), failures,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** SIGTERM, then SIGKILL (with anything it started) if it is still there after the grace. */
    private static void stop(Process server) {
        if (!server.isAlive()) return;
        server.destroy();
        try {
            if (server.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) return;
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.destroyForcibly();
        }
    }

    /** A TCP port free on 127.0.0.1 just now (the kernel's pick for port 0). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
