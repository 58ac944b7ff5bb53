package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager's first slice, black-box: the daemon started on demand, the keeper, {@code start} of
 * a shell, Node, Python and Java program with its log files, {@code list}/{@code jlist},
 * {@code stop}, {@code delete}, {@code ping}, {@code kill}, and the protocol's robustness.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerStartTest {
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
    void aShellScriptStartsOnlineAndItsStdoutAndStderrGoToItsLogFiles() throws Exception {
        Path script = herd.file("ticker.sh", Fixtures.TICKER_SH);
        herd.run("start", script.toString()).ok();
        JsonNode p = herd.awaitStatus("ticker", "online");
        assertThat(p.get("pid").asLong()).isPositive();
        JsonNode env = p.get("pm2_env");
        assertThat(env.get("pm_exec_path").asText()).isEqualTo(script.toString());
        assertThat(env.get("exec_interpreter").asText()).isEqualTo("bash");
        assertThat(env.get("pm_out_log_path").asText()).isEqualTo(herd.log("ticker-out.log").toString());
        herd.awaitLine(herd.log("ticker-out.log"), "out 3 pid " + p.get("pid").asLong());
        herd.awaitLine(herd.log("ticker-error.log"), "err 3");
        assertThat(Files.getPosixFilePermissions(herd.home)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(herd.home.resolve("herd.sock"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(herd.daemonPid()).isPositive();
        assertThat(herd.keeperPid()).isPositive();
    }

    @Test
    void aNodeScriptRunsWithNodeAndAnIpcChannel() throws Exception {
        herd.run("start", herd.file("ipc.js", Fixtures.IPC_JS).toString(), "--name", "web").ok();
        assertThat(herd.awaitStatus("web", "online").get("pm2_env").get("exec_interpreter").asText()).isEqualTo("node");
        herd.awaitLine(herd.log("web-out.log"), "node ipc=true");
    }

    @Test
    void aPythonScriptRunsWithPython3() throws Exception {
        herd.run("start", herd.file("sleeper.py", Fixtures.SLEEPER_PY).toString()).ok();
        JsonNode p = herd.awaitStatus("sleeper", "online");
        herd.awaitLine(herd.log("sleeper-out.log"), "python pid " + p.get("pid").asLong());
    }

    @Test
    void aPlainJarRunsWithJavaJar() throws Exception {
        Path jar = jar(herd.dir.resolve("plain.jar"), ManagedPlainProgram.class, null);
        herd.run("start", jar.toString(), "--", "hello").ok();
        JsonNode p = herd.awaitStatus("plain", "online");
        assertThat(p.get("herd").get("kind").asText()).isEqualTo("java");
        herd.awaitLine(herd.log("plain-out.log"), "plain args=\\[hello\\] ipc=null");
    }

    @Test
    void aJarThatBringsHerdStartsAsHerdRunStartsItWithAnIpcChannel() throws Exception {
        List<String> herdJars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(":")) {
            if (e.matches(".*/herd-(os|loop|io|node)[^/]*\\.jar") || e.endsWith("herd-node/target/classes")) {
                herdJars.add(Path.of(e).toUri().toString());
            }
        }
        Path jar = jar(herd.dir.resolve("service.jar"), ManagedHerdProgram.class, String.join(" ", herdJars));
        herd.run("start", jar.toString(), "--name", "svc").ok();
        JsonNode p = herd.awaitStatus("svc", "online");
        assertThat(p.get("herd").get("kind").asText()).isEqualTo("herd");
        herd.awaitLine(herd.log("svc-out.log"), "herd program connected=true");
    }

    @Test
    void stopEndsTheAppAndDeleteRemovesItFromTheList() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        Herd.Result stop = herd.run("stop", "ticker").ok();
        assertThat(stop.out()).contains("stopped");
        assertThat(Herd.awaitGone(pid, 5000)).isTrue();
        JsonNode p = herd.app("ticker");
        assertThat(status(p)).isEqualTo("stopped");
        assertThat(p.get("pid").asLong()).isZero();
        herd.run("delete", "ticker").ok();
        assertThat(herd.jlist()).isEmpty();
    }

    @Test
    void listPrintsPm2sTableWithoutColourWhenNotOnATerminal() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--namespace", "tools").ok();
        herd.awaitStatus("ticker", "online");
        String table = herd.run("list").ok().out();
        assertThat(table).contains("│ id │ name").contains("│ 0  │ ticker │ tools").contains("online").doesNotContain("\u001b[");
        assertThat(herd.run("ls").ok().out()).contains("│ 0  │ ticker │ tools");
    }

    @Test
    void pingStartsTheDaemonAndAnswersPong() {
        assertThat(herd.run("ping").ok().out()).isEqualTo("{\"msg\":\"pong\"}\n");
        assertThat(Herd.alive(herd.daemonPid())).isTrue();
    }

    @Test
    void killStopsEveryAppTheKeeperAndTheDaemon() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        long app = herd.awaitStatus("ticker", "online").get("pid").asLong();
        long daemon = herd.daemonPid();
        long keeper = herd.keeperPid();
        assertThat(herd.run("kill").ok().out()).contains("stopped 1 apps");
        assertThat(Herd.awaitGone(app, 5000)).isTrue();
        assertThat(Herd.awaitGone(daemon, 5000)).isTrue();
        assertThat(Herd.awaitGone(keeper, 5000)).isTrue();
        assertThat(herd.home.resolve("herd.sock")).doesNotExist();
    }

    @Test
    void twoRacingCommandLinesStartOneDaemon() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Herd.Result> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> results.add(herd.run("ping")));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        for (Herd.Result r : results) r.ok();
        assertThat(herd.managerLog().lines().filter(l -> l.contains("daemon: started")).count()).isEqualTo(1);
    }

    @Test
    void aMalformedOrOversizedRequestGetsAnErrorAndTheDaemonCarriesOn() throws Exception {
        herd.run("ping").ok();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(herd.home.resolve("herd.sock")))) {
            send(ch, "{not json\n");
            assertThat(readLine(ch)).contains("\"ok\":false").contains("EINVAL");
            send(ch, "{\"v\":9,\"id\":1,\"cmd\":\"ping\"}\n");
            assertThat(readLine(ch)).contains("EVERSION");
            send(ch, "{\"v\":1,\"id\":2,\"cmd\":\"" + "x".repeat(2 << 20) + "\"}\n");
            assertThat(readLine(ch)).contains("E2BIG");
            send(ch, "{\"v\":1,\"id\":3,\"cmd\":\"ping\"}\n");
            assertThat(readLine(ch)).contains("\"id\":3,\"ok\":true");
        }
        herd.run("ping").ok();
    }

    @Test
    void theDaemonDrawsTheTableAsTextForListAndForTableRequests() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString(), "--name", "t\"q").ok();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(herd.home.resolve("herd.sock")))) {
            send(ch, "{\"v\":1,\"id\":7,\"cmd\":\"list\",\"sort\":\"name\",\"colour\":true}\n");
            JsonNode answer = new ObjectMapper().readTree(readLine(ch));
            assertThat(answer.get("id").asInt()).isEqualTo(7);
            assertThat(answer.get("result").asText()).contains("│ 0  │ t\"q  │ default").contains("\u001b[32monline\u001b[0m");
            send(ch, "{\"v\":1,\"id\":8,\"cmd\":\"list\",\"sort\":\"cpu\"}\n");
            assertThat(readLine(ch)).contains("\"id\":8,\"ok\":false").contains("EINVAL").contains("sort 'cpu'");
            send(ch, "{\"v\":1,\"id\":9,\"cmd\":\"stop\",\"targets\":[\"0\"],\"table\":true}\n");
            assertThat(new ObjectMapper().readTree(readLine(ch)).get("result").asText()).contains("│ 0  │ t\"q  │ default")
                    .contains("stopped");
        }
        // the command line decodes the text: the quote in the name comes out as it went in
        assertThat(herd.run("list").ok().out()).contains("│ 0  │ t\"q  │ default");
    }

    @Test
    void aDaemonStartedToStartAnAppStartsItsKeeperBeforeItListens() throws Exception {
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        String log = herd.managerLog();
        assertThat(log.indexOf("daemon: starting the keeper")).isNotNegative().isLessThan(log.indexOf("daemon: started (pid"));
    }

    @Test
    void aDaemonStartedForAnythingElseRunsWithoutAKeeper() {
        herd.run("ping").ok();
        herd.run("list").ok();
        assertThat(herd.keeperPid()).isZero();
        assertThat(herd.managerLog()).doesNotContain("starting the keeper");
    }

    @Test
    void aDaemonThatCannotStartExitsWithOneAndTheCauseFromHerdLog() throws Exception {
        Files.createDirectories(herd.home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // Another daemon's lock: the one the command line starts finds it held and exits at once.
        try (FileChannel ch = FileChannel.open(herd.home.resolve("daemon.pid.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            Herd.Result r = herd.run("ping");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("herd ping: the daemon did not start (herd.log: herd daemon: already running for ")
                    .doesNotContain("\n\t");
        }
        herd.run("ping").ok(); // the lock released, the next command starts one
    }

    @Test
    void anUnknownTargetExitsWithOneAndOneLineOnStderr() {
        herd.run("ping").ok();
        Herd.Result r = herd.run("stop", "nope");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("herd stop: process or namespace nope not found\n");
    }

    @Test
    void aMissingScriptExitsWithOneAndNamesIt() {
        Herd.Result r = herd.run("start", "missing.js");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("herd start: script not found: missing.js (no such file, app or command)\n");
        assertThat(herd.jlist()).isEmpty();
    }

    @Test
    void aHerdHomeThatCannotBeMadeExitsWithOneAndStartsNothing() throws Exception {
        Files.writeString(tmp.resolve("file"), "not a directory");
        herd.env.put("HERD_HOME", tmp.resolve("file").resolve("home").toString());
        Herd.Result r = herd.run("ping");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("herd ping: cannot use HERD_HOME " + tmp.resolve("file/home")).doesNotContain("\n\t");
        assertThat(r.err().lines()).hasSize(1);
        herd.env.put("HERD_HOME", herd.home.toString());
    }

    private static void send(SocketChannel ch, String text) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
    }

    private static String readLine(SocketChannel ch) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (ch.read(one) < 0) return line.toString(StandardCharsets.UTF_8);
            if (one.get(0) == '\n') return line.toString(StandardCharsets.UTF_8);
            line.write(one.get(0));
        }
    }

    /** {@code main}'s class in a jar with a Main-Class and, if given, a Class-Path. */
    static Path jar(Path jar, Class<?> main, String classPath) throws Exception {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
        if (classPath != null) mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        String entry = main.getName().replace('.', '/') + ".class";
        Path classes = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(classes.resolve(entry)));
            out.closeEntry();
        }
        return jar;
    }
}
