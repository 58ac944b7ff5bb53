package dev.herd.node.child_process;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * fork(): a Herd parent with a Herd (JVM) child and with a Node child, over Node's IPC protocol
 * (test-child-process-fork*.js, test-child-process-send-*.js).
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForkTest {
    @TempDir
    static Path dir;
    static String nodeChild;
    static String printingChild;
    static String halfFrameParent;

    @BeforeAll
    static void writeNodeChild() throws IOException {
        Path p = dir.resolve("echo-child.js");
        try (InputStream in = ForkTest.class.getResourceAsStream("echo-child.js")) {
            Files.write(p, in.readAllBytes());
        }
        nodeChild = p.toString();
        Path half = dir.resolve("half-frame-parent.js");
        try (InputStream in = ForkTest.class.getResourceAsStream("half-frame-parent.js")) {
            Files.write(half, in.readAllBytes());
        }
        halfFrameParent = half.toString();
        Path printing = dir.resolve("printing-child.js");
        Files.writeString(printing, "console.log('to stdout'); process.disconnect();\n");
        printingChild = printing.toString();
    }

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    /** Options for a lean, quick JVM child. */
    private static SpawnOptions.Builder jvm() {
        return SpawnOptions.builder().execArgv(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
    }

    private static SpawnOptions.Builder node() {
        return SpawnOptions.builder().execPath("node");
    }


    /** Sends each value, collects the echoes, disconnects, and records the events in order. */
    private static List<Object> echo(String module, SpawnOptions options, List<Object> values, List<String> events) {
        List<Object> echoes = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(module, List.of(), options);
            child.on("message", m -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> reply = (Map<String, Object>) m[0];
                assertThat(reply.get("pid")).isEqualTo(child.pid());
                echoes.add(reply.get("echo"));
                if (echoes.size() == values.size()) child.disconnect();
            });
            child.on("disconnect", () -> events.add("disconnect"));
            child.on("exit", x -> events.add("exit " + x[0] + " " + x[1]));
            child.on("close", x -> events.add("close " + x[0] + " " + x[1]));
            for (Object v : values) child.send(v);
        });
        return echoes;
    }

    private static final List<Object> VALUES = List.of("hello", "", object("a", 1, "b", List.of(true, 2.5), "s", "é€😀"),
            42, -1, 3.5, 4294967296L, List.of(1, "x"), "x".repeat(1 << 20));

    @ParameterizedTest
    @ValueSource(strings = {"json", "advanced"})
    void aHerdChildEchoesEveryMessageAndExitsOnDisconnect(String mode) {
        List<String> events = new ArrayList<>();
        List<Object> echoes = echo(ForkChildMain.class.getName(), jvm().serialization(mode).build(), VALUES, events);
        assertThat(echoes).isEqualTo(VALUES);
        assertThat(events).containsExactly("disconnect", "exit 0 null", "close 0 null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "advanced"})
    void aNodeChildEchoesEveryMessageAndExitsOnDisconnect(String mode) {
        List<String> events = new ArrayList<>();
        List<Object> echoes = echo(nodeChild, node().serialization(mode).build(), VALUES, events);
        assertThat(echoes).isEqualTo(VALUES);
        assertThat(events).containsExactly("disconnect", "exit 0 null", "close 0 null");
    }

    @Test
    void aHundredThousandMessagesToANodeChildComeBackInOrder() {
        int n = 100_000;
        List<Object> got = new ArrayList<>(n);
        run(a -> {
            ChildProcess child = ChildProcesses.fork(nodeChild, List.of(), node().build());
            child.on("message", m -> {
                got.add(((Map<?, ?>) m[0]).get("echo"));
                if (got.size() == n) child.disconnect();
            });
            for (int i = 0; i < n; i++) child.send(i);
        });
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) assertThat(got.get(i)).isEqualTo(i);
    }

    @Test
    void theChildGetsItsArgumentsAfterTheMainClass() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(ForkChildMain.class.getName(), List.of("one", "two words"), jvm().build());
            child.on("message", m -> {
                got.add(m[0]);
                child.disconnect();
            });
            child.send("args");
        });
        assertThat(got).containsExactly(List.of("one", "two words"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"herd", "node"})
    void aServerPassedToTheChildIsServedByIt(String kind) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int[] childPid = new int[1];
        run(a -> {
            ChildProcess child = kind.equals("herd")
                    ? ChildProcesses.fork(ForkChildMain.class.getName(), List.of(), jvm().build())
                    : ChildProcesses.fork(nodeChild, List.of(), node().build());
            childPid[0] = child.pid();
            Server server = Net.createServer(s -> s.end("from the parent\n"));
            server.listen(0, "127.0.0.1", 0, () -> {
                int port = server.address().port();
                child.send("take this server", server, null, e -> {
                    child.once("message", m -> {
                        server.close(); // only the child accepts from now on
                        Socket c = Net.createConnection(port, "127.0.0.1", null);
                        c.on("data", d -> got.writeBytes((byte[]) d[0]));
                        c.on("close", d -> child.disconnect());
                    });
                });
            });
        });
        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("hello from " + kind + " " + childPid[0] + "\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"herd", "node"})
    void aSocketPassedToTheChildIsAnsweredByItAndLetGoOfHere(String kind) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int[] childPid = new int[1];
        List<Object> sent = new ArrayList<>();
        run(a -> {
            ChildProcess child = kind.equals("herd")
                    ? ChildProcesses.fork(ForkChildMain.class.getName(), List.of(), jvm().build())
                    : ChildProcesses.fork(nodeChild, List.of(), node().build());
            childPid[0] = child.pid();
            Server[] server = new Server[1];
            server[0] = Net.createServer(s -> child.send("take this socket", s, null, e -> {
                sent.add(e == null ? "sent" : e);
                server[0].close();
            }));
            server[0].listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server[0].address().port(), "127.0.0.1", null);
                c.on("data", d -> got.writeBytes((byte[]) d[0]));
                c.on("close", d -> child.disconnect());
            });
        });
        assertThat(sent).containsExactly("sent");
        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("hello from " + kind + " " + childPid[0] + "\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"herd", "node"})
    void aServerSentByTheChildListensInTheParent(String kind) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess child = kind.equals("herd")
                    ? ChildProcesses.fork(ForkChildMain.class.getName(), List.of(), jvm().build())
                    : ChildProcesses.fork(nodeChild, List.of(), node().build());
            child.on("message", m -> {
                if (!"here is a server".equals(m[0])) return;
                Server server = (Server) m[1];
                assertThat(server.listening()).isTrue();
                server.on("connection", s -> ((Socket) s[0]).end("served by the parent\n"));
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("data", d -> got.writeBytes((byte[]) d[0]));
                c.on("close", d -> {
                    server.close();
                    child.disconnect();
                });
            });
            child.send("send-server");
        });
        // The child closed its copy once sent, so the parent's server takes the connection.
        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("served by the parent\n");
    }

    @Test
    void aChildThatDisconnectsItselfGivesDisconnectAtOnceAndExitLater() {
        List<String> events = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(ForkChildMain.class.getName(), List.of(), jvm().build());
            child.on("disconnect", () -> events.add("disconnect connected=" + child.connected()));
            child.on("exit", x -> events.add("exit " + x[0]));
            child.on("close", x -> events.add("close " + x[0]));
            child.send("disconnect-me");
        });
        assertThat(events).containsExactly("disconnect connected=false", "exit 3", "close 3");
    }

    @Test
    void messagesAChildSendsBeforeAndDuringProcessExitArrive() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(ForkChildMain.class.getName(), List.of(), jvm().build());
            child.on("message", m -> got.add(m[0]));
            child.on("exit", x -> got.add("exit " + x[0]));
            child.send("send-then-exit");
        });
        assertThat(got).containsExactly("sent before exit", "sent from 'exit'", "exit 5");
    }

    @Test
    void sendAfterTheChildIsGoneReturnsFalseWithERR_IPC_CHANNEL_CLOSED() {
        List<Object> results = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(nodeChild, List.of(), node().build());
            child.on("exit", x -> {
                results.add(child.send("too late", null, null, e -> results.add(((NodeError) e).code())));
            });
            child.disconnect();
        });
        assertThat(results).containsExactly(false, "ERR_IPC_CHANNEL_CLOSED");
    }

    @Test
    void aStdioListWithoutIpcIsRefused() {
        run(a -> assertThatThrownBy(() -> ChildProcesses.fork(nodeChild, List.of(),
                node().stdio("pipe", "pipe", "pipe").build()))
                .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_CHILD_PROCESS_IPC_REQUIRED")));
    }

    /** The same calls give node v20 the same errors (a NUL in execPath used to throw InvalidPathException). */
    @Test
    void aNulByteInModulePathArgsExecPathExecArgvOrCwdIsERR_INVALID_ARG_VALUE() {
        String nul = "a\0b";
        String received = ". Received 'a\\x00b'";
        String plain = " must be a string without null bytes" + received;
        String path = " must be a string, Uint8Array, or URL without null bytes" + received;
        run(a -> {
            assertNodeError(() -> ChildProcesses.fork(nul), "The argument 'modulePath'" + path);
            assertNodeError(() -> ChildProcesses.fork(nodeChild, List.of(nul), node().build()), "The argument 'args[1]'" + plain);
            assertNodeError(() -> ChildProcesses.fork(nodeChild, List.of(), SpawnOptions.builder().execPath(nul).build()),
                    "The property 'options.execPath'" + plain);
            assertNodeError(() -> ChildProcesses.fork(nodeChild, List.of(), node().execArgv(List.of(nul)).build()),
                    "The property 'options.execArgv[0]'" + plain);
            assertNodeError(() -> ChildProcesses.fork(nodeChild, List.of(), node().cwd(nul).build()),
                    "The property 'options.cwd'" + path);
        });
    }

    private static void assertNodeError(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(NodeError.class, e -> {
            assertThat(e.code()).isEqualTo("ERR_INVALID_ARG_VALUE");
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    /** Node drops the incomplete frame and its child exits with 0; a Herd child does the same. */
    @ParameterizedTest
    @ValueSource(strings = {"json", "advanced"})
    void aChildWhoseParentClosesTheChannelInTheMiddleOfAFrameExitsWithZero(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(halfFrameExit(mode, "node", nodeChild)).as("a Node child").isEqualTo("{\"code\":0,\"signal\":null}");
        assertThat(halfFrameExit(mode, java, "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), ForkChildMain.class.getName())).as("a Herd child")
                .isEqualTo("{\"code\":0,\"signal\":null}");
    }

    /** Runs half-frame-parent.js over the child command and gives the child's exit it prints. */
    private static String halfFrameExit(String mode, String... child) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", halfFrameParent, mode));
        command.addAll(List.of(child));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out;
    }

    @Test
    void aMissingExecPathIsAnErrorEventAndThenClose() {
        List<String> events = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(nodeChild, List.of(),
                    SpawnOptions.builder().execPath("/nonexistent/node").build());
            child.on("error", e -> events.add("error " + ((dev.herd.os.ErrnoException) e[0]).code()));
            child.on("close", x -> events.add("close " + x[0]));
        });
        assertThat(events).containsExactly("error ENOENT", "close -2");
    }

    @Test
    void silentGivesTheParentTheChildsOutput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(printingChild, List.of(), node().silent(true).build());
            child.stdout().on("data", d -> out.writeBytes((byte[]) d[0]));
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("to stdout\n");
    }
}
