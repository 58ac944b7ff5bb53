package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static dev.herd.cli.manager.Requests.answeringPids;
import static dev.herd.cli.manager.Requests.freePort;
import static dev.herd.cli.manager.Requests.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode (issue 15): {@code -i N} runs N instances of one name; Node and Herd programs share
 * their port through the keeper (Node's cluster protocol), each instance accepting on a socket of
 * its own; instance numbers and {@code increment_var}; {@code scale}; an instance killed is
 * replaced on its own socket while the others serve.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerClusterTest {
    private static final String SERVER_JS = """
            const http = require('http');
            http.createServer((req, res) => res.end(String(process.pid))).listen(Number(process.argv[2]));
            """;

    @TempDir
    Path tmp;

    private Herd herd;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    @Test
    void aNodeServerStartedWithITwoSharesItsPortAndBothInstancesAnswer() throws Exception {
        int port = freePort();
        herd.run("start", herd.file("server.js", SERVER_JS).toString(), "--name", "web", "-i", "2", "--", Integer.toString(port)).ok();
        Set<Long> pids = onlinePids("web", 2);
        List<JsonNode> web = herd.jlist();
        assertThat(web).hasSize(2);
        Set<Integer> instances = new HashSet<>();
        for (JsonNode p : web) {
            assertThat(p.get("pm2_env").get("exec_mode").asText()).isEqualTo("cluster_mode");
            assertThat(p.get("pm2_env").get("instances").asInt()).isEqualTo(2);
            instances.add(p.get("pm2_env").get("NODE_APP_INSTANCE").asInt());
            assertThat(p.get("pm2_env").get("env").get("HERD_APP_INSTANCE").asText())
                    .isEqualTo(p.get("pm2_env").get("NODE_APP_INSTANCE").asText());
        }
        assertThat(instances).containsExactlyInAnyOrder(0, 1);
        awaitListened("web");
        assertThat(answeringPids(port, pids.size(), 400)).isEqualTo(pids);
    }

    @Test
    void aHerdProgramStartedWithITwoSharesItsPortAndBothInstancesAnswer() throws Exception {
        int port = freePort();
        Path jar = ManagerStartTest.jar(herd.dir.resolve("web.jar"), ManagedHttpProgram.class, herdClassPath());
        herd.run("start", jar.toString(), "--name", "jweb", "-i", "2", "--", Integer.toString(port)).ok();
        Set<Long> pids = onlinePids("jweb", 2);
        assertThat(herd.app("jweb").get("herd").get("kind").asText()).isEqualTo("herd");
        awaitListened("jweb"); // a JVM listens a while after it is online
        assertThat(answeringPids(port, 2, 400)).isEqualTo(pids);
    }

    @Test
    void stoppedInstancesCloseThePortAndStartingThemAgainOpensIt() throws Exception {
        int port = freePort();
        herd.run("start", herd.file("server.js", SERVER_JS).toString(), "--name", "web", "-i", "2", "--", Integer.toString(port)).ok();
        onlinePids("web", 2);
        answeringPids(port, 1, 100);
        herd.run("stop", "web").ok();
        assertThatThrownBy(() -> get(port)).isInstanceOf(java.net.ConnectException.class); // refused, not queued for nobody
        herd.run("start", "web").ok();
        Set<Long> pids = onlinePids("web", 2);
        awaitListened("web");
        assertThat(answeringPids(port, 2, 400)).isEqualTo(pids);
    }

    @Test
    void aUnixSocketServerIsSharedAndAnInstanceStoppedAndStartedAgainListensOnItAgain() throws Exception {
        Path sock = tmp.resolve("web.sock");
        herd.run("start", herd.file("unix.js", """
                const http = require('http');
                http.createServer((req, res) => res.end(String(process.pid))).listen(process.argv[2]);
                """).toString(), "--name", "web", "-i", "2", "--", sock.toString()).ok();
        onlinePids("web", 2);
        awaitListened("web");
        assertThat(getUnix(sock)).isPositive();
        JsonNode one = herd.jlist().stream().filter(p -> p.get("pm2_env").get("NODE_APP_INSTANCE").asInt() == 1).findFirst().orElseThrow();
        herd.run("stop", one.get("pm_id").asText()).ok();
        assertThat(getUnix(sock)).isPositive(); // the other instance still serves
        herd.run("start", one.get("pm_id").asText()).ok();
        onlinePids("web", 2);
        awaitListened("web"); // the restarted instance was given the shared socket again
        for (JsonNode p : herd.jlist()) assertThat(restarts(p)).isLessThanOrEqualTo(1);
        assertThat(getUnix(sock)).isPositive();
    }

    /** One HTTP/1.0 request over a Unix socket; the body (a pid). */
    private static long getUnix(Path sock) throws IOException {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
            ch.write(java.nio.ByteBuffer.wrap("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            String response = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.US_ASCII);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.1 200") || body < 0) throw new IOException("bad response: " + response);
            return Long.parseLong(response.substring(body + 4).strip());
        }
    }

    @Test
    void aPythonProgramGetsItsSocketsBySocketActivationAndItsInstancesShareThePort() throws Exception {
        int port = freePort();
        herd.run("start", herd.file("serve.py", Fixtures.ACTIVATED_PY).toString(), "--name", "py", "-i", "2", "--port",
                Integer.toString(port)).ok();
        Set<Long> pids = onlinePids("py", 2);
        assertThat(answeringPids(port, 2, 400)).isEqualTo(pids);
        for (JsonNode p : herd.jlist()) {
            assertThat(p.get("pm2_env").get("env").get("LISTEN_FDS").asText()).isEqualTo("1");
            assertThat(p.get("pm2_env").get("env").get("LISTEN_FDNAMES").asText()).isEqualTo(Integer.toString(port));
        }
    }

    @Test
    void aPortThatCannotBeListenedOnMakesTheAppErroredAndSaysWhy() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            herd.run("start", herd.file("serve.py", Fixtures.ACTIVATED_PY).toString(), "--name", "py", "--port",
                    Integer.toString(taken.getLocalPort())).ok();
            JsonNode p = herd.awaitStatus("py", "errored");
            assertThat(p.get("herd").get("last_error").asText()).contains("cannot listen on").contains("EADDRINUSE");
        }
        Herd.Result bad = herd.run("start", herd.file("other.py", Fixtures.ACTIVATED_PY).toString(), "--port", "70000");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--port").contains("70000");
    }

    @Test
    void instancesAreNumberedFromZeroAndIncrementVarGivesEachItsOwnValue() throws Exception {
        Path script = herd.file("show.sh", "#!/bin/sh\necho \"i=$NODE_APP_INSTANCE h=$HERD_APP_INSTANCE port=$PORT\"\nexec sleep 600\n");
        Path config = herd.file("apps.json", """
                {"apps": [{"name": "show", "script": "%s", "instances": 3, "increment_var": "PORT", "env": {"PORT": 4000}}]}
                """.formatted(script));
        herd.run("start", config.toString()).ok();
        onlinePids("show", 3);
        for (JsonNode p : herd.jlist()) {
            int i = p.get("pm2_env").get("NODE_APP_INSTANCE").asInt();
            assertThat(p.get("pm2_env").get("exec_mode").asText()).isEqualTo("fork_mode"); // a shell script has no cluster protocol
            herd.awaitLine(Path.of(p.get("pm2_env").get("pm_out_log_path").asText()), "i=" + i + " h=" + i + " port=" + (4000 + i));
        }
    }

    @Test
    void incrementVarWithoutANumberInTheEnvironmentIsRefusedAndStartsNothing() throws Exception {
        Path script = herd.file("show.sh", "#!/bin/sh\nexec sleep 600\n");
        Path config = herd.file("apps.json", """
                {"apps": [{"name": "show", "script": "%s", "instances": 2, "increment_var": "PORT"}]}
                """.formatted(script));
        Herd.Result r = herd.run("start", config.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("increment_var PORT");
        assertThat(herd.jlist()).isEmpty();
    }

    @Test
    void scaleAddsInstancesWithTheLowestFreeNumbersAndRemovesTheHighest() throws Exception {
        Path script = herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n");
        herd.run("start", script.toString(), "-i", "2").ok();
        onlinePids("idle", 2);
        herd.run("scale", "idle", "4").ok();
        onlinePids("idle", 4);
        assertThat(instanceNumbers()).containsExactlyInAnyOrder(0, 1, 2, 3);
        JsonNode one = herd.jlist().stream().filter(p -> p.get("pm2_env").get("NODE_APP_INSTANCE").asInt() == 1).findFirst().orElseThrow();
        herd.run("delete", one.get("pm_id").asText()).ok();
        herd.run("scale", "idle", "+1").ok();
        onlinePids("idle", 4);
        assertThat(instanceNumbers()).containsExactlyInAnyOrder(0, 1, 2, 3);
        Map<Integer, Long> before = pidsByInstance();
        herd.run("scale", "idle", "2").ok();
        assertThat(instanceNumbers()).containsExactlyInAnyOrder(0, 1);
        assertThat(Herd.awaitGone(before.get(2), 5000)).isTrue();
        assertThat(Herd.awaitGone(before.get(3), 5000)).isTrue();
        for (JsonNode p : herd.jlist()) assertThat(p.get("pm2_env").get("instances").asInt()).isEqualTo(2);
    }

    @Test
    void scaleOfAnUnknownAppOrToZeroIsRefused() throws Exception {
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString()).ok();
        Herd.Result unknown = herd.run("scale", "nope", "2");
        assertThat(unknown.code()).isNotZero();
        assertThat(unknown.err()).contains("no app named 'nope'");
        Herd.Result zero = herd.run("scale", "idle", "0");
        assertThat(zero.code()).isNotZero();
        assertThat(zero.err()).contains("herd delete idle");
        assertThat(herd.jlist()).hasSize(1);
    }

    @Test
    void aKilledInstanceIsReplacedOnItsOwnSocketWhileTheOtherKeepsServingAndOnlyItsInFlightRequestFails() throws Exception {
        int port = freePort();
        herd.run("start", herd.file("server.js", SERVER_JS).toString(), "--name", "web", "-i", "2", "--", Integer.toString(port)).ok();
        Set<Long> pids = onlinePids("web", 2);
        awaitListened("web");
        assertThat(answeringPids(port, 2, 400)).isEqualTo(pids);
        Requests.Load load = new Requests.Load(port);
        long victim = pids.iterator().next();
        try {
            load.awaitMore(50);
            new ProcessBuilder("kill", "-9", Long.toString(victim)).start().waitFor();
            assertThat(Herd.awaitGone(victim, 5000)).isTrue();
            herd.await("web", "a replacement online", p -> herd.jlist().stream()
                    .anyMatch(q -> restarts(q) == 1 && status(q).equals("online") && q.get("pid").asLong() != victim));
            Set<Long> now = onlinePids("web", 2);
            long replacement = now.stream().filter(p -> !pids.contains(p)).findFirst().orElseThrow();
            load.awaitSeen(Set.of(replacement)); // the replacement answers
            load.awaitMore(50);
        } finally {
            load.stop();
        }
        // One request at a time: only the one the victim had accepted when it died may fail (its
        // connection dies with it); what waited in its socket's queue is the replacement's.
        assertThat(load.failed.get()).as("failed requests, the first: %s", load.firstFailure.get()).isLessThanOrEqualTo(1);
    }

    @Test
    void roundRobinThroughTheKeeperSpreadsNewConnectionsOverTheInstances() throws Exception {
        int port = freePort();
        herd.run("start", herd.file("server.js", SERVER_JS).toString(), "--name", "web", "-i", "2", "--round-robin", "--",
                Integer.toString(port)).ok();
        Set<Long> pids = onlinePids("web", 2);
        awaitListened("web");
        Map<Long, Integer> served = new HashMap<>();
        for (int i = 0; i < 40; i++) served.merge(Requests.get(port), 1, Integer::sum);
        assertThat(served.keySet()).isEqualTo(pids);
        for (int n : served.values()) assertThat(n).isBetween(10, 30); // one at a time: the next free instance
        assertThat(herd.jlist().getFirst().get("pm2_env").get("round_robin").asBoolean()).isTrue();
    }

    @Test
    void scalingDownUnderLoadFailsNoRequest() throws Exception {
        int port = freePort();
        Path script = herd.file("graceful.js", """
                const server = require('http').createServer((req, res) => res.end(String(process.pid)))
                  .listen(Number(process.argv[2]));
                process.on('SIGINT', () => server.close(() => process.exit(0)));
                """);
        herd.run("start", script.toString(), "--name", "web", "-i", "3", "--", Integer.toString(port)).ok();
        Set<Long> pids = onlinePids("web", 3);
        awaitListened("web");
        List<Requests.Load> loads = new ArrayList<>();
        for (int i = 0; i < 4; i++) loads.add(new Requests.Load(port));
        try {
            for (Requests.Load l : loads) l.awaitMore(50);
            herd.run("scale", "web", "1").ok();
            Set<Long> left = onlinePids("web", 1);
            for (long pid : pids) if (!left.contains(pid)) assertThat(Herd.awaitGone(pid, 5000)).isTrue();
            for (Requests.Load l : loads) l.awaitMore(50);
        } finally {
            for (Requests.Load l : loads) l.stop();
        }
        // The removed instances' sockets got no new connection once they were stopping, and the
        // ones queued there were accepted before the signal: none was reset with its socket.
        for (Requests.Load l : loads) assertThat(l.failed.get()).as("failed requests, the first: %s; %s", l.firstFailure.get(), herd.managerLog()).isZero();
    }

    // ---------------------------------------------------------------- helpers

    /** Waits until every instance of {@code name} has told the keeper it listens. */
    private void awaitListened(String name) {
        herd.await(name, "listening", p -> herd.jlist().stream().filter(q -> q.get("name").asText().equals(name))
                .allMatch(q -> q.get("herd").get("listened").asBoolean()));
    }

    /** Waits until {@code name} has {@code n} instances online; their pids. */
    private Set<Long> onlinePids(String name, int n) {
        herd.await(name, n + " instances online", p -> herd.jlist().stream()
                .filter(q -> q.get("name").asText().equals(name) && status(q).equals("online")).count() == n);
        Set<Long> pids = new HashSet<>();
        for (JsonNode q : herd.jlist()) {
            if (q.get("name").asText().equals(name) && status(q).equals("online")) pids.add(q.get("pid").asLong());
        }
        return pids;
    }

    private List<Integer> instanceNumbers() {
        List<Integer> out = new ArrayList<>();
        for (JsonNode p : herd.jlist()) out.add(p.get("pm2_env").get("NODE_APP_INSTANCE").asInt());
        return out;
    }

    private Map<Integer, Long> pidsByInstance() {
        Map<Integer, Long> out = new HashMap<>();
        for (JsonNode p : herd.jlist()) out.put(p.get("pm2_env").get("NODE_APP_INSTANCE").asInt(), p.get("pid").asLong());
        return out;
    }

    /** Herd's runtime and what it needs (Jackson for the IPC channel's JSON, Jetty's HTTP parser), from the test's class path. */
    static String herdClassPath() {
        List<String> herdJars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(":")) {
            if (e.matches(".*/(herd-(os|loop|io|node)|jackson-[a-z]+|jetty-[a-z]+|slf4j-api)[^/]*\\.jar")
                    || e.matches(".*/herd-(os|loop|io|node)/target/classes")) {
                herdJars.add(Path.of(e).toUri().toString());
            }
        }
        return String.join(" ", herdJars);
    }

}
