package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static dev.herd.cli.manager.Requests.answeringPids;
import static dev.herd.cli.manager.Requests.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import dev.herd.cli.manager.Requests.Load;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd reload} as a transaction (issue 15): every cluster instance replaced under load
 * with no failed request, and a bad deploy -- a replacement that crashes or never listens -- ends the reload with the old instances serving and a non-zero exit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerReloadTest {
    /**
     * A server whose behaviour the test changes between deploys with marker files in its directory:
     * {@code crash} (exit 3 at start), {@code nolisten}, {@code slow} (listen after 3 s),
     * {@code unhealthy} (its /health answers 503: read at start, so the old instances stay healthy).
     */
    private static final String SERVER_JS = """
            const fs = require('fs');
            const http = require('http');
            const path = require('path');
            const here = (m) => fs.existsSync(path.join(__dirname, m));
            if (here('crash')) process.exit(3);
            const unhealthy = here('unhealthy');
            const listen = () => http.createServer((req, res) => {
              if (req.url === '/health') res.statusCode = unhealthy ? 503 : 200;
              res.end(String(process.pid));
            }).listen(Number(process.argv[2]));
            if (here('nolisten')) setInterval(() => {}, 1000);
            else if (here('slow')) setTimeout(listen, 3000);
            else listen();
            """;

    @TempDir
    Path tmp;

    private Herd herd;
    private int port;
    private Path script;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
        port = freePort();
        script = herd.file("server.js", SERVER_JS);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    private Set<Long> startTwo(String... options) throws Exception {
        String[] args = new String[6 + options.length];
        args[0] = "start";
        args[1] = script.toString();
        args[2] = "--name";
        args[3] = "web";
        System.arraycopy(new String[] {"-i", "2"}, 0, args, 4, 2);
        System.arraycopy(options, 0, args, 6, options.length);
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--";
        all[args.length + 1] = Integer.toString(port);
        herd.run(all).ok();
        Set<Long> pids = onlinePids(2);
        awaitListened();
        assertThat(answeringPids(port, 2, 400)).isEqualTo(pids);
        return pids;
    }

    @Test
    void reloadReplacesEveryInstanceUnderLoadWithNoFailedRequest() throws Exception {
        Set<Long> old = startTwo();
        awaitListened();
        reloadUnderLoad(old);
        for (JsonNode p : herd.jlist()) {
            assertThat(restarts(p)).isEqualTo(1);
            assertThat(p.get("herd").get("last_restart_cause").asText()).isEqualTo("reload");
            assertThat(p.get("herd").get("last_reload").get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void reloadOfARoundRobinAppReplacesEveryInstanceUnderLoadWithNoFailedRequest() throws Exception {
        reloadUnderLoad(startTwo("--round-robin"));
    }

    @Test
    void reloadOfANodeAppUnderKeepAliveLoadFailsNoRequest() throws Exception {
        reloadUnderKeepAliveLoad(startTwo());
    }

    @Test
    void reloadOfAHerdProgramUnderKeepAliveLoadFailsNoRequest() throws Exception {
        reloadUnderKeepAliveLoad(startTwoHerd());
    }

    /** {@code reload web} under a keep-alive load: every pid replaced, no request failed. */
    private void reloadUnderKeepAliveLoad(Set<Long> old) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (running.get()) { // one keep-alive connection after another: a new one only after Connection: close
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(15_000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    boolean again = true;
                    while (again && running.get()) {
                        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        String head = readHead(in);
                        int length = Integer.parseInt(head.replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
                        if (in.readNBytes(length).length != length) throw new IOException("the body was cut");
                        ok.incrementAndGet();
                        again = !head.toLowerCase(java.util.Locale.ROOT).contains("connection: close");
                    }
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e.toString());
                }
            }
        }, "keep-alive load");
        load.start();
        try {
            awaitCount(ok, 200);
            herd.run("reload", "web").ok();
            assertThat(onlinePids(2)).doesNotContainAnyElementsOf(old);
            awaitCount(ok, ok.get() + 200);
        } finally {
            running.set(false);
            load.join(30_000);
        }
        assertThat(failed.get()).as("failed requests, the first: %s", firstFailure.get()).isZero();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() < 4 || !b.substring(b.length() - 4).equals("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("the connection closed before a response" + (b.isEmpty() ? "" : ": " + b));
            b.append((char) c);
        }
        return b.toString();
    }

    private static void awaitCount(AtomicInteger count, int target) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (count.get() < target) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("only " + count.get() + " of " + target + " requests served");
            Thread.sleep(10);
        }
    }

    @Test
    void reloadOfAHerdProgramReplacesEveryInstanceUnderLoadWithNoFailedRequest() throws Exception {
        reloadUnderLoad(startTwoHerd());
    }

    /** Two instances of a Herd (Java) HTTP server, listening through the cluster protocol. */
    private Set<Long> startTwoHerd() throws Exception {
        Path jar = ManagerStartTest.jar(herd.dir.resolve("web.jar"), ManagedHttpProgram.class, ManagerClusterTest.herdClassPath());
        herd.run("start", jar.toString(), "--name", "web", "-i", "2", "--listen-timeout", "20000", "--", Integer.toString(port)).ok();
        Set<Long> old = onlinePids(2);
        awaitListened();
        assertThat(answeringPids(port, 2, 400)).isEqualTo(old);
        return old;
    }

    /** {@code reload web} under a new-connection-per-request load: every pid replaced, no request failed. */
    private void reloadUnderLoad(Set<Long> old) throws Exception {
        Load load = new Load(port);
        try {
            load.awaitMore(50);
            herd.run("reload", "web").ok();
            Set<Long> now = onlinePids(2);
            assertThat(now).doesNotContainAnyElementsOf(old);
            for (long pid : old) assertThat(Herd.awaitGone(pid, 5000)).isTrue();
            load.awaitSeen(now);
            load.awaitMore(50);
        } finally {
            load.stop();
        }
        assertThat(load.failed.get()).as("failed requests, the first: %s; %s", load.firstFailure.get(), herd.managerLog()).isZero();
    }

    @Test
    void theDaemonsSigkillUnderLoadFailsNoRequestAndTheNextDaemonReloadsTheReadoptedInstances() throws Exception {
        Set<Long> old = startTwo();
        Load load = new Load(port);
        try {
            load.awaitMore(50);
            long daemon = herd.daemonPid();
            new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
            assertThat(Herd.awaitGone(daemon, 5000)).isTrue();
            load.awaitMore(50); // served with no daemon: the keeper holds the sockets and the channels
            assertThat(onlinePids(2)).isEqualTo(old); // the next command's daemon re-adopts them
            assertThat(herd.daemonPid()).isNotEqualTo(daemon);
            herd.run("reload", "web").ok();
            Set<Long> now = onlinePids(2);
            assertThat(now).doesNotContainAnyElementsOf(old);
            load.awaitSeen(now);
            load.awaitMore(50);
        } finally {
            load.stop();
        }
        assertThat(load.failed.get()).as("failed requests, the first: %s", load.firstFailure.get()).isZero();
    }

    @Test
    void anInstanceOverItsMemoryLimitIsReplacedAsAReloadReplacesItWithNoFailedRequest() throws Exception {
        Path grow = herd.file("grow.js", """
                const http = require('http');
                const hog = [];
                setInterval(() => { if (hog.length < 40) hog.push(Buffer.alloc(5 << 20, 1)); }, 100);
                http.createServer((req, res) => res.end(String(process.pid))).listen(Number(process.argv[2]));
                """);
        herd.run("start", grow.toString(), "--name", "web", "-i", "2", "--max-memory-restart", "100M", "--",
                Integer.toString(port)).ok();
        onlinePids(2);
        awaitListened();
        Load load = new Load(port);
        try {
            load.awaitMore(20);
            herd.await("web", "replaced for its memory", p -> herd.jlist().stream().anyMatch(q -> restarts(q) >= 1
                    && q.get("herd").get("last_restart_cause").asText().equals("memory")));
            load.awaitMore(20);
        } finally {
            load.stop();
        }
        assertThat(load.failed.get()).as("failed requests, the first: %s", load.firstFailure.get()).isZero();
        assertThat(herd.managerLog()).contains("restarting (cause memory").contains("reload: replacement ready");
    }

    @Test
    void aReplacementThatCrashesEndsTheReloadWithTheOldInstancesServing() throws Exception {
        Set<Long> old = startTwo();
        awaitListened();
        Files.writeString(herd.dir.resolve("crash"), "");
        Herd.Result r = herd.run("reload", "web");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("replacement").contains("exited with code 3").contains("old instances are still serving");
        assertOldInstancesServe(old);
    }

    @Test
    void aReplacementThatNeverListensEndsTheReloadAfterListenTimeout() throws Exception {
        Set<Long> old = startTwo("--listen-timeout", "1500");
        awaitListened();
        Files.writeString(herd.dir.resolve("nolisten"), "");
        Herd.Result r = herd.run("reload", "web");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("was not listening within listen_timeout 1500 ms");
        assertOldInstancesServe(old);
    }

    @Test
    void aReplacementThatFailsItsHealthProbeEndsTheReloadWithTheOldInstancesServingAndNoFailedRequest() throws Exception {
        Set<Long> old = startTwo("--listen-timeout", "1500");
        Files.writeString(herd.dir.resolve("unhealthy"), "");
        Load load = new Load(port);
        Herd.Result r;
        try {
            load.awaitMore(20);
            // The old instances answer 200 on the same port: only a probe that reaches the
            // replacement alone can see its 503.
            r = herd.run("reload", "web", "--health-url", "http://127.0.0.1:" + port + "/health");
            load.awaitMore(20);
        } finally {
            load.stop();
        }
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("was not healthy within listen_timeout 1500 ms").contains("health probe").contains("503");
        assertOldInstancesServe(old);
        assertThat(load.failed.get()).as("failed requests, the first: %s", load.firstFailure.get()).isZero();
    }

    @Test
    void replacementsThatPassTheirHealthProbeReplaceEveryInstanceUnderLoadWithNoFailedRequest() throws Exception {
        Set<Long> old = startTwo("--health-url", "http://localhost:" + port + "/health"); // the app's own probe
        reloadUnderLoad(old);
        assertThat(herd.jlist().getFirst().get("pm2_env").get("health_url").asText()).endsWith("/health");
    }

    @Test
    void aHealthCommandThatFailsEndsTheReloadWithTheOldInstancesServing() throws Exception {
        Set<Long> old = startTwo("--listen-timeout", "1500");
        Herd.Result r = herd.run("reload", "web", "--health-cmd", "test -e \"ok-$HERD_PID\"");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("failed its health command: exit code 1");
        assertOldInstancesServe(old);
    }

    @Test
    void reloadOfASocketActivatedProgramReplacesEveryInstanceUnderLoadWithNoFailedRequest() throws Exception {
        herd.run("start", herd.file("serve.py", Fixtures.ACTIVATED_PY).toString(), "--name", "web", "-i", "2", "--port",
                Integer.toString(port)).ok();
        Set<Long> old = onlinePids(2);
        assertThat(answeringPids(port, 2, 400)).isEqualTo(old);
        reloadUnderLoad(old);
        assertThat(herd.managerLog()).contains("reload: replacement ready");
    }

    @Test
    void aForkModeHerdProgramOnItsActivatedSocketIsReloadedUnderLoadWithNoFailedRequest() throws Exception {
        Path jar = ManagerStartTest.jar(herd.dir.resolve("web.jar"), ManagedHttpProgram.class, ManagerClusterTest.herdClassPath());
        herd.run("start", jar.toString(), "--name", "web", "--port", Integer.toString(port), "--listen-timeout", "20000",
                "--", "socket:" + port).ok();
        long pid = herd.awaitStatus("web", "online").get("pid").asLong();
        assertThat(herd.jlist().getFirst().get("pm2_env").get("exec_mode").asText()).isEqualTo("fork_mode");
        assertThat(answeringPids(port, 1, 50)).containsExactly(pid);
        Load load = new Load(port);
        try {
            load.awaitMore(50);
            herd.run("reload", "web").ok();
            long now = herd.awaitStatus("web", "online").get("pid").asLong();
            assertThat(now).isNotEqualTo(pid);
            assertThat(Herd.awaitGone(pid, 5000)).isTrue();
            load.awaitSeen(Set.of(now));
            load.awaitMore(50);
        } finally {
            load.stop();
        }
        assertThat(load.failed.get()).as("failed requests, the first: %s", load.firstFailure.get()).isZero();
    }

    @Test
    void aHerdProgramsReplacementsStartWithAnAotCacheTrainedForTheJarDeployedSinceItsStart() throws Exception {
        herd.env.remove("HERD_AOT"); // this test is about the cache
        Path jar = ManagerStartTest.jar(herd.dir.resolve("web.jar"), ManagedHttpProgram.class, ManagerClusterTest.herdClassPath());
        herd.run("start", jar.toString(), "--name", "web", "-i", "2", "--listen-timeout", "20000", "--", Integer.toString(port)).ok();
        Set<Long> old = onlinePids(2);
        awaitListened();
        String before = aotCache(old.iterator().next());
        assertThat(Path.of(before)).exists();
        // A deploy: a jar of other bytes (a manifest attribute more) renamed over the old one.
        Path next = ManagerStartTest.jar(herd.dir.resolve("web.jar.new"), ManagedHttpProgram.class,
                ManagerClusterTest.herdClassPath() + " ");
        Files.move(next, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        herd.run("reload", "web").ok();
        Set<Long> now = onlinePids(2);
        assertThat(now).doesNotContainAnyElementsOf(old);
        for (long pid : now) {
            String after = aotCache(pid);
            assertThat(Path.of(after).getParent()).isNotEqualTo(Path.of(before).getParent());
            assertThat(Path.of(after)).exists();
        }
        assertThat(answeringPids(port, 2, 400)).isEqualTo(now);
    }

    /** The {@code -XX:AOTCache=} file in the command line of {@code pid}. */
    private static String aotCache(long pid) throws IOException {
        for (String arg : Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0")) {
            if (arg.startsWith("-XX:AOTCache=")) return arg.substring("-XX:AOTCache=".length());
        }
        throw new AssertionError("pid " + pid + " runs with no AOT cache");
    }

    @Test
    void aSecondReloadWhileOneRunsIsRefused() throws Exception {
        startTwo("--listen-timeout", "10000");
        awaitListened();
        Files.writeString(herd.dir.resolve("slow"), "");
        CompletableFuture<Herd.Result> first = CompletableFuture.supplyAsync(() -> herd.run("reload", "web"));
        herd.awaitLine(herd.log("x").getParent().getParent().resolve("herd.log"), ".*reloading App \\[web.*");
        Herd.Result second = herd.run("reload", "web");
        assertThat(second.code()).isNotZero();
        assertThat(second.err()).contains("one reload at a time");
        assertThat(first.get(60, TimeUnit.SECONDS).code()).isZero();
    }

    @Test
    void reloadOfAForkModeAppRestartsIt() throws Exception {
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString()).ok();
        long pid = herd.awaitStatus("idle", "online").get("pid").asLong();
        herd.run("reload", "idle").ok();
        JsonNode p = herd.awaitStatus("idle", "online");
        assertThat(p.get("pid").asLong()).isNotEqualTo(pid);
        assertThat(restarts(p)).isEqualTo(1);
    }

    // ---------------------------------------------------------------- helpers

    private void assertOldInstancesServe(Set<Long> old) throws Exception {
        assertThat(onlinePids(2)).isEqualTo(old);
        assertThat(answeringPids(port, 2, 400)).isEqualTo(old);
        for (JsonNode p : herd.jlist()) {
            assertThat(restarts(p)).isZero();
            assertThat(p.get("herd").get("last_reload").get("ok").asBoolean()).isFalse();
        }
        assertThat(herd.managerLog()).contains("the old instances go on");
    }

    /** Waits until every instance has said it listens (a reload needs that; a new start may not have yet). */
    private void awaitListened() {
        herd.await("web", "listened", p -> herd.jlist().stream().allMatch(q -> q.get("herd").get("listened") != null
                && q.get("herd").get("listened").asBoolean()));
    }

    private Set<Long> onlinePids(int n) {
        herd.await("web", n + " instances online", p -> herd.jlist().stream().filter(q -> status(q).equals("online")).count() == n);
        Set<Long> pids = new HashSet<>();
        for (JsonNode q : herd.jlist()) {
            if (status(q).equals("online")) pids.add(q.get("pid").asLong());
        }
        return pids;
    }
}
