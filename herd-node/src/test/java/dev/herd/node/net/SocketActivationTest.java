package dev.herd.node.net;

import static dev.herd.node.Globals.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.http.Http;
import dev.herd.node.http.RequestOptions;
import dev.herd.os.Fd;
import dev.herd.os.FdLeakCheck;
import dev.herd.os.LibC;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Herd program started with listening sockets by socket activation ({@link ActivatedServerMain}
 * in a child JVM, real sockets at fds 3..) takes them by name: through the manager's own spawn
 * ({@code internal.manager.SocketActivation}, the {@code sh} shim that sets LISTEN_PID), or with
 * variables set by hand for the cases a correct passer never makes.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketActivationTest {
    /** The shim of the manager and of docs/manager.md: LISTEN_PID is the pid that exec keeps. */
    private static final String SHIM = "LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\"";
    /**
     * A child still running after this long is killed (spawn's timeout), so that a program that
     * never gets its connection fails the test instead of hanging it: JUnit's timeout cannot stop
     * a Herd loop waiting in epoll.
     */
    private static final long DEADLINE_MS = 30_000;

    /** How the child ended: its stdout lines, its stderr, its exit code (null when killed). */
    private record Outcome(List<String> lines, String err, Integer code) {}

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    /** {@code java ... ActivatedServerMain args}, with this JVM's class path. */
    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ActivatedServerMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the program as Herd's manager does, with {@code sockets} at fds 3.. named {@code names}. */
    private static ChildProcess activated(List<Server> sockets, List<String> names, String... args) {
        List<String> cmd = command(args);
        return dev.herd.node.internal.manager.SocketActivation.spawn(cmd.get(0), cmd.subList(1, cmd.size()), sockets, names,
                false, SpawnOptions.builder().stdio("pipe").timeout(DEADLINE_MS).killSignal("SIGKILL").build());
    }

    /**
     * Starts the program with {@code fds} at 3.. and the LISTEN_* variables {@code vars} (none
     * inherited from this process); LISTEN_PID, unless {@code vars} has one, is the child's own,
     * set by the shim.
     */
    private static ChildProcess withVariables(List<Object> fds, Map<String, String> vars, String... args) {
        Map<String, String> env = new HashMap<>(process().env());
        env.keySet().removeIf(k -> k.startsWith("LISTEN_"));
        env.putAll(vars);
        List<Object> stdio = new ArrayList<>(List.of("pipe", "pipe", "pipe"));
        stdio.addAll(fds);
        SpawnOptions options = SpawnOptions.builder().env(env).stdio(stdio).timeout(DEADLINE_MS).killSignal("SIGKILL").build();
        List<String> cmd = command(args);
        if (vars.containsKey("LISTEN_PID")) return ChildProcesses.spawn(cmd.get(0), cmd.subList(1, cmd.size()), options);
        List<String> shArgs = new ArrayList<>(List.of("-c", SHIM));
        shArgs.addAll(cmd);
        return ChildProcesses.spawn("/bin/sh", shArgs, options);
    }

    /** Collects what {@code child} prints and hands it over once it has exited and its pipes closed. */
    private static void outcome(ChildProcess child, Consumer<Outcome> done) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        child.stdout().setEncoding("utf8");
        child.stderr().setEncoding("utf8");
        child.stdout().on("data", a -> out.append(a[0]));
        child.stderr().on("data", a -> err.append(a[0]));
        child.on(ChildProcess.CLOSE, (code, signal) -> done.accept(new Outcome(out.toString().lines().toList(),
                err.toString(), code)));
    }

    /** A listening socket on 127.0.0.1 to pass; this process never accepts on it (it closes its copy after the spawn). */
    private static Server socket() {
        return Net.createServer(null).listen(0, "127.0.0.1", 0, null);
    }

    /** What the child of {@code start} prints, when it needs no client. */
    private static Outcome outcomeOf(Supplier<ChildProcess> start, List<Server> sockets) {
        Outcome[] got = new Outcome[1];
        run(a -> {
            ChildProcess child = start.get();
            sockets.forEach(Server::close);
            outcome(child, o -> got[0] = o);
        });
        return got[0];
    }

    @Test
    void anHttpServerServesOnTheSocketNamedInListenFdNames() {
        int[] port = new int[1];
        String[] answer = new String[1];
        Outcome[] child = new Outcome[1];
        run(a -> {
            Server web = socket();
            port[0] = web.address().port();
            ChildProcess c = activated(List.of(web), List.of("web"), "http", "web");
            // This process lets go of its copy: connections now wait in the backlog for the child.
            web.close();
            outcome(c, o -> child[0] = o);
            Http.get(RequestOptions.builder().host("127.0.0.1").port(port[0]).header("Connection", "close").build(), res -> {
                StringBuilder body = new StringBuilder();
                res.setEncoding("utf8");
                res.on("data", x -> body.append(x[0]));
                res.on("end", () -> answer[0] = res.statusCode() + " " + body);
            });
        });
        assertThat(answer[0]).isEqualTo("200 web on port " + port[0]);
        assertThat(child[0].lines()).as(child[0].err()).containsExactly("listening");
        assertThat(child[0].code()).isZero();
    }

    @Test
    void ofSeveralSocketsTheServerListensOnTheOneOfItsName() {
        int[] port = new int[1];
        String[] answer = new String[1];
        Outcome[] child = new Outcome[1];
        run(a -> {
            List<Server> sockets = List.of(socket(), socket(), socket());
            port[0] = sockets.get(1).address().port();
            ChildProcess c = activated(sockets, List.of("8000", "127.0.0.1_8001", "admin"), "net", "127.0.0.1_8001");
            sockets.forEach(Server::close);
            outcome(c, o -> child[0] = o);
            Socket client = Net.createConnection(port[0], "127.0.0.1", null);
            StringBuilder got = new StringBuilder();
            client.setEncoding("utf8");
            client.on("data", x -> got.append(x[0]));
            client.on("close", x -> answer[0] = got.toString());
        });
        assertThat(answer[0]).isEqualTo("127.0.0.1_8001 on port " + port[0]);
        assertThat(child[0].code()).as(child[0].err()).isZero();
    }

    @Test
    void anUnknownNameEndsInErrorListingTheNamesThereAre() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            sockets.add(socket());
            return activated(sockets, List.of("web", "admin"), "http", "8000");
        }, sockets);
        assertThat(o.lines()).as(o.err()).containsExactly("error ERR_INVALID_ARG_VALUE The argument 'name' names no "
                + "socket-activated socket of this process (LISTEN_FDNAMES has web, admin). Received '8000'");
        assertThat(o.code()).isZero();
    }

    @Test
    void aSocketIsTakenOnce() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            return activated(sockets, List.of("web"), "twice", "web");
        }, sockets);
        assertThat(o.lines()).as(o.err()).containsExactly("listening", "error ERR_INVALID_ARG_VALUE The argument 'name' "
                + "names a socket-activated socket that is taken already. Received 'web'");
    }

    @Test
    void theSocketsAreMadeCloseOnExecWhenRead() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            return activated(sockets, List.of("web"), "list");
        }, sockets);
        assertThat(o.lines()).as(o.err()).containsExactly("cloexec-before false", "sockets [web=3]", "cloexec-after true");
    }

    @Test
    void aListenPidOfAnotherProcessMeansNoSocketsAndLeavesTheDescriptorsAlone() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            return withVariables(List.copyOf(sockets), Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "web"),
                    "list");
        }, sockets);
        assertThat(o.lines()).as(o.err()).containsExactly("cloexec-before false", "sockets []", "cloexec-after false");
    }

    @Test
    void listeningByNameUnderAnotherProcesssListenPidSaysSo() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            return withVariables(List.copyOf(sockets), Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "web"),
                    "net", "web");
        }, sockets);
        assertThat(o.lines()).as(o.err()).singleElement().asString().matches("error ERR_INVALID_ARG_VALUE The argument "
                + "'name' names no socket-activated socket: this process has none \\(LISTEN_PID=1 is another process's; "
                + "this one is \\d+\\)\\. Received 'web'");
    }

    @Test
    void withoutListenFdNamesEverySocketIsNamedUnknown() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            sockets.add(socket());
            return withVariables(List.copyOf(sockets), Map.of("LISTEN_FDS", "2"), "list");
        }, sockets);
        assertThat(o.lines()).as(o.err()).contains("sockets [unknown=3 unknown=4]");
    }

    @Test
    void aListenFdsThatIsNotANumberIsEinval() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            return withVariables(List.copyOf(sockets), Map.of("LISTEN_FDS", "one", "LISTEN_FDNAMES", "web"), "list");
        }, sockets);
        assertThat(o.lines()).as(o.err()).containsExactly("cloexec-before false",
                "sockets error EINVAL EINVAL: LISTEN_FDS='one' is not a count of descriptors, sd_listen_fds",
                "cloexec-after false");
    }

    @Test
    void namesOfAnotherCountThanTheSocketsAreEinval() {
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            return withVariables(List.copyOf(sockets), Map.of("LISTEN_FDS", "1", "LISTEN_FDNAMES", "web:admin"), "net", "web");
        }, sockets);
        assertThat(o.lines()).as(o.err()).containsExactly(
                "error EINVAL EINVAL: LISTEN_FDNAMES='web:admin' has 2 names for LISTEN_FDS=1, sd_listen_fds");
    }

    @Test
    void aListenFdsBeyondTheOpenDescriptorsIsEbadf() {
        // The JVM's own files follow the one socket (the JVM takes the lowest free numbers), so
        // the first descriptor not open is somewhere above them.
        List<Server> sockets = new ArrayList<>();
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            return withVariables(List.copyOf(sockets), Map.of("LISTEN_FDS", "1000"), "list");
        }, sockets);
        assertThat(o.lines()).as(o.err()).element(1).asString().matches(
                "sockets error EBADF EBADF: LISTEN_FDS=1000 but fd \\d+ \\('unknown'\\) is not open, sd_listen_fds");
    }

    @Test
    void aPassedDescriptorThatIsNotASocketIsNotTaken() {
        List<Server> sockets = new ArrayList<>();
        Fd[] pipe = new Fd[2];
        Outcome o = outcomeOf(() -> {
            sockets.add(socket());
            Fd[] p = LibC.pipe2(LibC.O_CLOEXEC);
            pipe[0] = p[0];
            pipe[1] = p[1];
            return withVariables(List.of(sockets.get(0), p[0].intValue()), Map.of("LISTEN_FDS", "2", "LISTEN_FDNAMES",
                    "web:log"), "net", "log");
        }, sockets);
        pipe[0].close();
        pipe[1].close();
        assertThat(o.lines()).as(o.err()).containsExactly(
                "error ENOTSOCK ENOTSOCK: fd 4 ('log') passed by socket activation is not a socket, getsockopt");
    }
}
