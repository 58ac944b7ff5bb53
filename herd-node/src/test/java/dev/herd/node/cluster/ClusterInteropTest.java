package dev.herd.node.cluster;

import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.clearInterval;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.net.Net;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cluster interop with Node v20 both ways (a Herd primary with Node workers, a Node primary with
 * Herd workers), and the process-level faults: a killed primary leaves no worker behind.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SAME_THREAD)
class ClusterInteropTest {
    @TempDir
    static Path dir;
    static String nodeWorker;
    static String nodePrimary;

    @BeforeAll
    static void writeScripts() throws IOException {
        nodeWorker = dir.resolve("node-worker.js").toString();
        Files.writeString(Path.of(nodeWorker), """
                const cluster = require('cluster');
                const http = require('http');
                if (cluster.isPrimary) { console.error('expected to be a worker'); process.exit(9); }
                http.createServer((req, res) => res.end('node worker ' + cluster.worker.id + '\\n')).listen(0);
                const seen = [];
                process.on('internalMessage', (m) => { if (m.cmd === 'NODE_CLUSTER') seen.push(JSON.stringify(m)); });
                process.on('message', (m) => {
                  if (m === 'ping') process.send({ pong: cluster.worker.id });
                  if (m === 'dump') process.send({ seen });
                });
                """);
        nodePrimary = dir.resolve("node-primary.js").toString();
        Files.writeString(Path.of(nodePrimary), """
                const cluster = require('cluster');
                const http = require('http');
                const [java, main, cp, policy] = process.argv.slice(2);
                cluster.schedulingPolicy = policy === 'none' ? cluster.SCHED_NONE : cluster.SCHED_RR;
                process.execPath = java; // cluster.fork() starts process.execPath
                cluster.setupPrimary({ exec: main, args: ['http'], execArgv: ['--enable-native-access=ALL-UNNAMED',
                    '-Xshare:auto', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Dslf4j.internal.verbosity=ERROR', '-cp', cp] });
                const lines = [];
                cluster.on('online', (w) => lines.push('online ' + w.id));
                let listening = 0;
                cluster.on('listening', (w, address) => {
                  lines.push('listening ' + w.id + ' ' + address.addressType);
                  if (++listening < 2) return;
                  let got = 0;
                  const bodies = [];
                  for (let i = 0; i < 4; i++) {
                    http.get({ host: '127.0.0.1', port: address.port, agent: false }, (res) => {
                      let body = '';
                      res.on('data', (d) => body += d);
                      res.on('end', () => {
                        bodies.push(body.trim());
                        if (++got === 4) {
                          lines.push('bodies ' + bodies.sort().join(','));
                          cluster.disconnect(() => lines.push('disconnected'));
                        }
                      });
                    });
                  }
                });
                cluster.on('exit', (w, code, signal) => lines.push(`exit ${w.id} ${code} ${signal} ${w.exitedAfterDisconnect}`));
                process.on('exit', () => console.log(lines.join('\\n')));
                cluster.fork();
                cluster.fork();
                """);
    }

    @ParameterizedTest
    @CsvSource({"2, json", "1, json", "2, advanced"})
    void aHerdPrimaryRunsNodeWorkers(int policy, String serialization) {
        List<String> got = new ArrayList<>();
        Set<Integer> ports = new HashSet<>();
        ClusterTest.run(a -> {
            Cluster.schedulingPolicy(policy);
            Cluster.setupPrimary(ClusterSettings.builder().exec(nodeWorker).execPath("node").execArgv(List.of()).args(List.of())
                    .serialization(serialization).build());
            Cluster.on("message", x -> got.add("pong " + ((Map<?, ?>) x[1]).get("pong")));
            Cluster.on("exit", x -> got.add("exit " + x[1] + " " + x[2] + " " + ((Worker) x[0]).exitedAfterDisconnect()));
            Cluster.on("listening", x -> {
                Worker w = (Worker) x[0];
                ListeningAddress address = (ListeningAddress) x[1];
                got.add("listening " + w.id() + " " + address.addressType());
                ports.add(address.port());
                w.send("ping");
                if (ports.size() == 1 && got.stream().filter(s -> s.startsWith("listening")).count() == 2) {
                    httpGet(address.port(), body -> {
                        got.add(body.replaceAll("[12]", "N"));
                        Cluster.disconnect(() -> got.add("disconnected"));
                    });
                }
            });
            Cluster.fork();
            Cluster.fork();
        });
        assertThat(ports).hasSize(1);
        assertThat(got).contains("listening 1 4", "listening 2 4", "pong 1", "pong 2", "node worker N", "disconnected")
                .hasSize(8);
        assertThat(got.stream().filter("exit 0 null true"::equals)).hasSize(2);
    }

    @Test
    void aHerdPrimaryAnswersANodeWorkerWithNodesBytes() {
        List<Object> seen = new ArrayList<>();
        int[] port = {0};
        ClusterTest.run(a -> {
            Cluster.setupPrimary(ClusterSettings.builder().exec(nodeWorker).execPath("node").execArgv(List.of()).args(List.of())
                    .build());
            Worker w = Cluster.fork();
            w.on("listening", x -> {
                port[0] = ((ListeningAddress) x[0]).port();
                httpGet(port[0], body -> w.send("dump"));
            });
            w.on("message", x -> {
                if (x[0] instanceof Map<?, ?> m && m.containsKey("seen")) {
                    seen.addAll((List<?>) m.get("seen"));
                    w.disconnect();
                }
            });
        });
        // What Node's own primary sends (node-ipc-protocol.md §7.5), as the Node worker received it.
        // (The sockname is "::"/IPv6, or "0.0.0.0"/IPv4 on a host without IPv6.)
        assertThat(seen).hasSize(2);
        assertThat((String) seen.get(0)).matches(java.util.regex.Pattern.quote(
                "{\"cmd\":\"NODE_CLUSTER\",\"errno\":null,\"key\":\"null:0:4:undefined:0\",\"ack\":1,\"data\":null,"
                        + "\"sockname\":{\"address\":\"") + "(::|0\\.0\\.0\\.0)\",\"family\":\"IPv[46]"
                + java.util.regex.Pattern.quote("\",\"port\":" + port[0] + "},\"seq\":0}"));
        assertThat(seen.get(1)).isEqualTo("{\"cmd\":\"NODE_CLUSTER\",\"act\":\"newconn\",\"key\":\"null:0:4:undefined:0\",\"seq\":1}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rr", "none"})
    void aNodePrimaryRunsHerdWorkers(String policy) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process node = new ProcessBuilder("node", nodePrimary, java, ClusterWorkerMain.class.getName(),
                System.getProperty("java.class.path"), policy).redirectErrorStream(true).start();
        boolean done = node.waitFor(45, TimeUnit.SECONDS);
        if (!done) node.destroyForcibly().waitFor();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(done).as(out).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).as(out).contains("online 1", "online 2", "listening 1 4", "listening 2 4", "disconnected",
                "exit 1 0 null true", "exit 2 0 null true").hasSize(8);
        String bodies = lines.stream().filter(l -> l.startsWith("bodies ")).findFirst().orElseThrow();
        assertThat(bodies).matches("bodies (worker [12],){3}worker [12]");
    }

    @Test
    void killingThePrimaryMakesItsWorkersExit() {
        List<Integer> pids = new ArrayList<>();
        List<String> left = new ArrayList<>();
        ClusterTest.run(a -> {
            ChildProcess primary = ChildProcesses.fork(ClusterWorkerMain.class.getName(), List.of("primary", "2"),
                    SpawnOptions.builder().execArgv(ClusterTest.JVM).silent(true).build());
            StringBuilder out = new StringBuilder();
            primary.stdout().setEncoding("utf8");
            primary.stdout().on("data", x -> {
                out.append(x[0]);
                pids.clear();
                out.toString().lines().filter(l -> l.startsWith("online ")).forEach(l -> pids.add(Integer.parseInt(l.substring(7))));
                if (pids.size() == 2) primary.kill("SIGKILL");
            });
            primary.on("exit", x -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                Timeout[] poll = new Timeout[1];
                poll[0] = setInterval(() -> {
                    left.clear();
                    for (int pid : pids) if (alive(pid)) left.add(pid + "");
                    if (left.isEmpty() || System.nanoTime() > deadline) clearInterval(poll[0]);
                }, 50);
            });
        });
        assertThat(pids).hasSize(2);
        assertThat(left).as("workers still running after their primary died").isEmpty();
    }

    /** Whether {@code pid} is a running (not zombie) process. */
    private static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }

    /** A minimal HTTP/1.0 GET on 127.0.0.1; gives the body. */
    static void httpGet(int port, java.util.function.Consumer<String> body) {
        Socket s = Net.createConnection(port, "127.0.0.1", null);
        s.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
        ClusterTest.collect(s, response -> body.accept(response.substring(response.indexOf("\r\n\r\n") + 4).trim()));
    }
}
