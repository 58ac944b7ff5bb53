package dev.herd.node.child_process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.internal.net.NetAccess;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.node.Herd;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Node's socket-list subprotocol across processes (test-child-process-fork-getconnections.js):
 * sockets a server accepted and sent to a child keep counting in the parent's
 * server.getConnections(), and server.close() waits until the child has closed them — with a
 * Herd parent and a Herd or Node child, and with a Node parent and a Herd child.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SocketListTest {
    /** What Node v20 itself reports for the scenario (socket-list-parent.js with a Node child). */
    private static final List<String> NODE_EVENTS = List.of("count 4", "count 2", "pong", "server closed");
    private static final int N = 4;

    @TempDir
    static Path dir;
    static String nodeChild;
    static String nodeParent;

    @BeforeAll
    static void writeScripts() throws IOException {
        nodeChild = copy("socket-holder-child.js");
        nodeParent = copy("socket-list-parent.js");
    }

    private static String copy(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = SocketListTest.class.getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p.toString();
    }

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    private static ChildProcess forkHolder(String kind) {
        return kind.equals("herd")
                ? ChildProcesses.fork(SocketHolderChildMain.class.getName(), List.of(),
                        SpawnOptions.builder().execArgv(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"))).build())
                : ChildProcesses.fork(nodeChild, List.of(), SpawnOptions.builder().execPath("node").build());
    }

    /** socket-list-parent.js in Java: the same steps, the same events. */
    @ParameterizedTest
    @ValueSource(strings = {"herd", "node"})
    void theParentsServerCountsSocketsHeldByTheChildAndClosesAfterThem(String kind) {
        List<String> events = new ArrayList<>();
        run(a -> {
            ChildProcess child = forkHolder(kind);
            List<Socket> clients = new ArrayList<>();
            int[] sent = {0};
            int[] phase = {0};
            Server[] server = new Server[1];
            server[0] = Net.createServer(s -> child.send("hold", s, null, e -> {
                if (++sent[0] == N) server[0].getConnections((err, n) -> {
                    events.add("count " + n);
                    child.send("close");
                });
            }));
            server[0].listen(0, "127.0.0.1", 0, () -> {
                for (int i = 0; i < N; i++) {
                    Socket c = Net.createConnection(server[0].address().port(), "127.0.0.1", null);
                    c.on("error", e -> {});
                    clients.add(c);
                }
            });
            child.on("message", m -> {
                if ("closed".equals(m[0]) && phase[0]++ == 0) {
                    server[0].getConnections((err, n) -> {
                        events.add("count " + n);
                        server[0].close(err2 -> {
                            events.add("server closed");
                            clients.forEach(Socket::destroy);
                            child.disconnect();
                        });
                        child.send("ping");
                    });
                } else if ("pong".equals(m[0])) {
                    events.add("pong");
                    child.send("close");
                }
            });
        });
        assertThat(events).isEqualTo(NODE_EVENTS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"herd", "node"})
    void aNodeParentCountsSocketsHeldByTheChild(String kind) throws Exception {
        String target = kind.equals("herd") ? SocketHolderChildMain.class.getName() : nodeChild;
        Process p = new ProcessBuilder("node", nodeParent, kind, target, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        Map<?, ?> result = new ObjectMapper().readValue(out, Map.class);
        assertThat(result.get("events")).isEqualTo(NODE_EVENTS);
        assertThat(result.get("code")).isEqualTo(0);
    }

    @Test
    void aServersSocketCarriesTheServersKeyAndAClientSocketNone() {
        List<Object> keys = new ArrayList<>();
        String[] serverKey = new String[1];
        run(a -> {
            ChildProcess child = forkHolder("node");
            Socket[] ends = new Socket[2]; // the server's end, the client's end
            boolean[] done = {false};
            Runnable sendBoth = () -> {
                if (done[0] || ends[0] == null || ends[1] == null || !ends[1].readyState().equals("open")) return;
                done[0] = true;
                child.send("hold", ends[0], null, null);
                child.send("hold", ends[1], null, null);
                child.send("keys");
            };
            Server[] server = new Server[1];
            server[0] = Net.createServer(s -> {
                ends[0] = s;
                sendBoth.run();
            });
            server[0].listen(0, "127.0.0.1", 0, () -> {
                serverKey[0] = NetAccess.get().connectionKey(server[0]);
                ends[1] = Net.createConnection(server[0].address().port(), "127.0.0.1", sendBoth);
            });
            child.on("message", m -> {
                keys.addAll((List<?>) m[0]);
                server[0].close();
                child.disconnect();
            });
        });
        assertThat(serverKey[0]).as("Node's _connectionKey: type, address and port as asked").isEqualTo("4:127.0.0.1:0");
        assertThat(keys).containsExactly("4:127.0.0.1:0", null);
    }
}
