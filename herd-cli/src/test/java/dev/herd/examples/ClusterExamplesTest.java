package dev.herd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster examples as a user runs them: a primary JVM whose workers are JVMs of the same
 * program. Each test stops its primary and checks that no worker is left behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterExamplesTest {
    private final List<Process> started = new ArrayList<>();
    private final List<Long> workerPids = new ArrayList<>();

    @TempDir
    Path dir;

    /**
     * A running example. Its output goes to a file, not a pipe: a JDK Process closes its stdout
     * pipe when the process exits, losing what its workers (which share that pipe) write later.
     */
    private final class Example {
        final Process process;
        final Path out;
        private int consumed;

        Example(Class<?> main, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), main.getName()));
            cmd.addAll(List.of(args));
            out = Files.createTempFile(dir, "example", ".txt");
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            process.getOutputStream().close();
            started.add(process);
        }

        /** Waits for a line after the last one awaited that matches {@code regex}; returns its match. */
        Matcher await(String regex) throws InterruptedException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                List<String> lines = output().lines().toList();
                // Only complete lines: the last one may still be being written.
                int complete = output().endsWith("\n") ? lines.size() : lines.size() - 1;
                for (int i = consumed; i < complete; i++) {
                    Matcher m = p.matcher(lines.get(i));
                    if (m.matches()) {
                        consumed = i + 1;
                        return m;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no line matching " + regex + " in:\n" + output());
        }

        String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        int exit() throws InterruptedException {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output()).isTrue();
            return process.exitValue();
        }
    }

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> alive = new ArrayList<>(workerPids);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            alive.removeIf(pid -> !running(pid));
            Thread.sleep(50);
        }
        assertThat(alive).as("workers still running").isEmpty();
    }

    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }

    private static String get(int port) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(10))
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void clusterHttpServesHelloWorldAndReplacesADeadWorker() throws Exception {
        Example ex = new Example(ClusterHttp.class, "--workers", "2", "--port", "0", "--host", "127.0.0.1");
        ex.await("Primary \\d+ is running");
        workerPids.add(Long.parseLong(ex.await("Worker (\\d+) started").group(1)));
        workerPids.add(Long.parseLong(ex.await("Worker (\\d+) started").group(1)));
        int port = Integer.parseInt(ex.await("cluster-http listening on 127\\.0\\.0\\.1:(\\d+) with 2 workers \\(round-robin\\)").group(1));
        assertThat(get(port)).isEqualTo("hello world\n");
        assertThat(get(port)).isEqualTo("hello world\n");

        long victim = workerPids.getFirst();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        ex.await("worker " + victim + " died \\(SIGKILL\\)\\. restarting\\.\\.\\.");
        workerPids.add(Long.parseLong(ex.await("Worker (\\d+) started").group(1)));
        assertThat(get(port)).isEqualTo("hello world\n");

        ex.process.destroy(); // SIGTERM: the primary disconnects its workers and ends
        ex.await("all workers stopped");
        assertThat(ex.exit()).as(ex.output()).isZero();
    }

    @Test
    void clusterHttpStopsOnSigtermWhileKeepAliveClientsStillSend() throws Exception {
        Example ex = new Example(ClusterHttp.class, "--workers", "1", "--port", "0", "--host", "127.0.0.1");
        workerPids.add(Long.parseLong(ex.await("Worker (\\d+) started").group(1)));
        int port = Integer.parseInt(ex.await("cluster-http listening on 127\\.0\\.0\\.1:(\\d+) with 1 workers \\(round-robin\\)").group(1));
        int clients = 4;
        CountDownLatch warm = new CountDownLatch(clients);
        AtomicBoolean giveUp = new AtomicBoolean();
        List<String> ends = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().start(() -> ends.add(sendBackToBack(port, warm, giveUp))));
        }
        try {
            assertThat(warm.await(60, TimeUnit.SECONDS)).as("every client answered").isTrue();
            ex.process.destroy(); // SIGTERM: the primary disconnects its worker, whose server closes
            assertThat(ex.process.waitFor(60, TimeUnit.SECONDS)).as("the primary exits while its clients send: " + ex.output())
                    .isTrue();
        } finally {
            giveUp.set(true);
            for (Thread t : threads) t.join();
        }
        assertThat(ex.output()).contains("all workers stopped");
        assertThat(ex.process.exitValue()).isZero();
        // Every request sent was answered; each connection ended after an answer saying so.
        assertThat(ends).containsOnly("ended after Connection: close").hasSize(clients);
    }

    /**
     * Sends keep-alive requests one after the other (each as soon as the last answer is in) until
     * an answer says {@code Connection: close} or {@code giveUp}; counts down {@code warm} after 100
     * answers. Says how the connection ended: after such an answer, with a request unanswered, or
     * with the client giving up.
     */
    private static String sendBackToBack(int port, CountDownLatch warm, AtomicBoolean giveUp) {
        byte[] request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        // cluster-http writes its head first, so the body is chunked: each answer ends with the last chunk.
        byte[] last = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(60_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            for (int answers = 0; !giveUp.get(); ) {
                out.write(request);
                StringBuilder answer = new StringBuilder();
                int matched = 0;
                while (matched < last.length) {
                    int b = in.read();
                    if (b < 0) return "a request got no answer";
                    answer.append((char) b);
                    matched = b == last[matched] ? matched + 1 : b == last[0] ? 1 : 0;
                }
                if (++answers == 100) warm.countDown();
                if (answer.indexOf("Connection: close\r\n") >= 0) {
                    return in.read() < 0 ? "ended after Connection: close" : "went on after Connection: close";
                }
            }
            return "the client gave up";
        } catch (IOException reset) {
            return "a request got no answer: " + reset;
        }
    }

    @Test
    void clusterCountCountsTheRequestsOfEveryWorker() throws Exception {
        int port = freePort();
        Example ex = new Example(ClusterCount.class, "--workers", "2", "--port", Integer.toString(port), "--host", "127.0.0.1");
        ex.await("numReqs = 0");
        for (int i = 0; i < 3; i++) {
            String body = null;
            for (int attempt = 0; body == null && attempt < 100; attempt++) {
                try {
                    body = get(port);
                } catch (IOException notYetListening) {
                    Thread.sleep(100);
                }
            }
            assertThat(body).isEqualTo("hello world\n");
        }
        ex.await("numReqs = 3");
        for (ProcessHandle h : ex.process.descendants().toList()) workerPids.add(h.pid());
        assertThat(workerPids).hasSize(2);
        new ProcessBuilder("kill", "-INT", Long.toString(ex.process.pid())).start().waitFor();
        assertThat(ex.exit()).as(ex.output()).isZero();
    }

    @Test
    void clusterGracefulDisconnectsAWorkerThatClosesItsConnections() throws Exception {
        Example ex = new Example(ClusterGraceful.class);
        ex.await("primary: worker \\d+ listening on port \\d+; opening a connection");
        ex.await("worker: shutdown requested; closing 1 connection\\(s\\)");
        ex.await("primary: worker disconnected");
        ex.await("primary: worker exited \\(code 0, signal null, exitedAfterDisconnect true\\)");
        assertThat(ex.exit()).isZero();
        assertThat(ex.output()).doesNotContain("killing");
    }

    @Test
    void clusterGracefulKillsAWorkerThatDoesNotDisconnectInTime() throws Exception {
        Example ex = new Example(ClusterGraceful.class, "--stubborn");
        ex.await("worker: shutdown requested; keeping 1 connection\\(s\\) open");
        ex.await("primary: no disconnect within 2000 ms: killing the worker");
        ex.await("primary: worker disconnected");
        // Killed by the signal, as a Node worker is (not the JVM's exit code 143).
        ex.await("primary: worker exited \\(code null, signal SIGTERM, exitedAfterDisconnect true\\)");
        assertThat(ex.exit()).isZero();
    }
}
