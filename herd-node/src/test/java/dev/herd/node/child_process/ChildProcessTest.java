package dev.herd.node.child_process;

import static dev.herd.node.child_process.ChildProcesses.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.AbortController;
import dev.herd.node.AbortSignal;
import dev.herd.node.EventEmitter;
import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.dgram.Dgram;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import dev.herd.os.LibC;
import dev.herd.os.Proc;
import dev.herd.os.Signals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** child_process.spawn and ChildProcess against real programs (Node's test-child-process-*.js). */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChildProcessTest {
    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    private static List<String> sh(String script) {
        return List.of("-c", script);
    }

    /** Everything {@code s} emits as 'data', into {@code sink}. */
    private static void collect(Socket s, ByteArrayOutputStream sink) {
        s.on("data", a -> sink.writeBytes((byte[]) a[0]));
    }

    private static Map<String, String> envWith(String name, String value) {
        Map<String, String> env = new java.util.LinkedHashMap<>(System.getenv());
        env.put(name, value);
        return env;
    }

    // ---------------------------------------------------------------- events and exit

    @Test
    void spawnThenExitThenCloseWithTheExitCode() {
        run(a -> {
            ChildProcess c = spawn("/bin/sh", sh("exit 3"));
            assertThat(c.pid()).isPositive();
            c.on("spawn", x -> log.add("spawn"));
            c.on("exit", x -> log.add("exit " + x[0] + " " + x[1]));
            c.on("close", x -> log.add("close " + x[0] + " " + x[1] + " " + c.exitCode()));
            log.add("returned");
        });
        assertThat(log).containsExactly("returned", "spawn", "exit 3 null", "close 3 null 3");
    }

    @Test
    void aMissingProgramIsAnErrorEventOnTheNextTickWithNodesFields() {
        Object[] err = new Object[1];
        ChildProcess[] child = new ChildProcess[1];
        run(a -> {
            ChildProcess c = child[0] = spawn("foo123-herd-missing", List.of("bar"));
            // stdio is set up even so (test-child-process-spawn-error.js)
            assertThat(c.stdin()).isNotNull();
            assertThat(c.stdout()).isNotNull();
            assertThat(c.stderr()).isNotNull();
            assertThat(c.stdio()).containsExactly(c.stdin(), c.stdout(), c.stderr());
            assertThat(c.pid()).isNull();
            c.on("spawn", x -> log.add("spawn"));
            c.on("error", x -> {
                err[0] = x[0];
                log.add("error");
            });
            c.on("close", x -> log.add("close " + x[0] + " " + x[1]));
            log.add("returned");
        });
        assertThat(log).containsExactly("returned", "error", "close -2 null");
        assertThat(child[0].exitCode()).isEqualTo(-2);
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("ENOENT");
            assertThat(e.errno()).isEqualTo(-2);
            assertThat(e.syscall()).isEqualTo("spawn foo123-herd-missing");
            assertThat(e.path()).isEqualTo("foo123-herd-missing");
            assertThat(e.spawnargs()).containsExactly("bar");
            assertThat(e.getMessage()).isEqualTo("spawn foo123-herd-missing ENOENT");
        });
    }

    @Test
    void theJavaShapedPidAndExitCodeAreEmptyWhereNodesAreNull() {
        run(a -> {
            ChildProcess started = spawn("/bin/sh", sh("exit 4"));
            assertThat(started.pidIfStarted()).hasValue(started.pid());
            assertThat(started.exitCodeIfExited()).isEmpty();
            started.on(ChildProcess.EXIT, (code, signal) -> log.add("exit " + started.exitCodeIfExited()));
            ChildProcess missing = spawn("foo123-herd-missing");
            assertThat(missing.pidIfStarted()).isEmpty();
            missing.on(EventEmitter.ERROR, err -> log.add("error " + missing.exitCodeIfExited()));
        });
        assertThat(log).containsExactlyInAnyOrder("exit OptionalInt[4]", "error OptionalInt[-2]");
    }

    @Test
    void aFileWithoutExecutePermissionIsEACCES() throws IOException {
        Path f = Files.writeString(dir.resolve("not-exec"), "#!/bin/sh\n");
        Object[] err = new Object[1];
        run(a -> spawn(f.toString()).on("error", x -> err[0] = x[0]));
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("EACCES");
            assertThat(e.syscall()).isEqualTo("spawn " + f);
        });
    }

    @Test
    void aWorkingDirectoryThatDoesNotExistIsENOENT() {
        Object[] err = new Object[1];
        run(a -> {
            ChildProcess c = spawn("pwd", SpawnOptions.builder().cwd(dir.resolve("does-not-exist").toString()).build());
            assertThat(c.pid()).isNull();
            c.on("exit", x -> log.add("exit"));
            c.on("error", x -> err[0] = x[0]);
        });
        assertThat(log).as("no exit after a start failure").isEmpty();
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("ENOENT");
            assertThat(e.syscall()).isEqualTo("spawn pwd");
            assertThat(e.path()).isEqualTo("pwd");
        });
    }

    @Test
    void exitComesBeforeCloseAndCloseWaitsForAllOutput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess c = spawn("/bin/sh", sh("echo one; echo two >&2; echo three"));
            collect(c.stdout(), out);
            c.stderr().on("data", x -> log.add("stderr " + new String((byte[]) x[0], StandardCharsets.UTF_8).trim()));
            c.stdout().on("end", () -> log.add("stdout end"));
            c.on("exit", x -> log.add("exit " + x[0]));
            c.on("close", x -> log.add("close " + x[0] + " " + out.toString(StandardCharsets.UTF_8).replace('\n', '|')));
        });
        assertThat(log).contains("exit 0", "stdout end", "stderr two").last().isEqualTo("close 0 one|three|");
        assertThat(log.indexOf("exit 0")).isLessThan(log.size() - 1);
    }

    @Test
    void outputNobodyReadsIsDrainedSoCloseStillComes() {
        // Less than a socket buffer: the child can write it all unread and exit (more would
        // block it, in Node too, until someone reads).
        run(a -> spawn("/bin/sh", sh("head -c 20000 /dev/zero")).on("close", x -> log.add("close " + x[0])));
        assertThat(log).containsExactly("close 0");
    }

    // ---------------------------------------------------------------- kill and signals

    @Test
    void killSendsSigtermSetsKilledAndExitReportsTheSignal() {
        ChildProcess[] child = new ChildProcess[1];
        run(a -> {
            ChildProcess cat = child[0] = spawn("cat");
            cat.stdout().on("end", () -> log.add("stdout end"));
            cat.stderr().on("data", x -> log.add("stderr data"));
            cat.stderr().on("end", () -> log.add("stderr end"));
            cat.on("exit", x -> log.add("exit " + x[0] + " " + x[1] + " " + cat.signalCode()));
            assertThat(cat.signalCode()).isNull();
            assertThat(cat.killed()).isFalse();
            assertThat(cat.kill()).isTrue();
            assertThat(cat.killed()).isTrue();
        });
        assertThat(log).contains("stdout end", "stderr end", "exit null SIGTERM SIGTERM").doesNotContain("stderr data");
        assertThat(child[0].exitCode()).isNull();
    }

    @Test
    void killTakesSignalNumbersAndNamesInAnyCase() {
        run(a -> {
            ChildProcess c1 = spawn("sleep", List.of("30"));
            c1.on("exit", x -> log.add("1 " + x[1]));
            c1.kill(Signals.SIGKILL);
            ChildProcess c2 = spawn("sleep", List.of("30"));
            c2.on("exit", x -> log.add("2 " + x[1]));
            c2.kill("sigint");
        });
        assertThat(log).containsExactlyInAnyOrder("1 SIGKILL", "2 SIGINT");
    }

    @Test
    void killAfterTheExitReturnsFalseAndKillWithAnUnknownSignalThrows() {
        boolean[] result = new boolean[1];
        Object[] thrown = new Object[1];
        run(a -> {
            ChildProcess c = spawn("/bin/true");
            try {
                c.kill("SIGFOO");
            } catch (NodeError e) {
                thrown[0] = e;
            }
            c.on("exit", x -> result[0] = c.kill());
        });
        assertThat(result[0]).isFalse();
        assertThat(thrown[0]).isInstanceOfSatisfying(NodeError.class, e -> {
            assertThat(e.code()).isEqualTo("ERR_UNKNOWN_SIGNAL");
            assertThat(e.getMessage()).isEqualTo("Unknown signal: SIGFOO");
        });
    }

    @Test
    void theChildStartsWithAnEmptySignalMaskAndNoIgnoredSignal() {
        List<String> status = new ArrayList<>();
        run(a -> whenReady(null, c -> {
            try {
                status.addAll(Files.readAllLines(Path.of("/proc/" + c.pid() + "/status")));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        assertThat(mask(status, "SigBlk")).isZero();
        assertThat(mask(status, "SigIgn") & 0x7fffffffL).as("signals 1-31").isZero();
    }

    private static long mask(List<String> status, String name) {
        String line = status.stream().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow();
        return Long.parseUnsignedLong(line.substring(name.length() + 1).trim(), 16);
    }

    // ---------------------------------------------------------------- stdio

    /**
     * Spawns a shell that says "ready" and then blocks reading stdin, so that the dynamic loader's
     * short-lived descriptors are gone when {@code check} looks at it; then ends its stdin.
     */
    private static void whenReady(SpawnOptions options, java.util.function.Consumer<ChildProcess> check) {
        ChildProcess c = spawn("/bin/sh", sh("echo ready; read x"), options);
        c.stdout().on("data", x -> {
            check.accept(c);
            c.stdin().end();
        });
    }

    @Test
    void theChildHasExactlyItsStdioDescriptors() {
        List<String> fds = new ArrayList<>();
        List<String> withFourth = new ArrayList<>();
        run(a -> {
            whenReady(null, c -> fds.addAll(fdsOf(c.pid())));
            whenReady(SpawnOptions.builder().stdio("pipe", "pipe", "ignore", "pipe").build(), c -> {
                withFourth.addAll(fdsOf(c.pid()));
                assertThat(c.stdio()).hasSize(4);
                assertThat(c.stderr()).isNull();
                assertThat(c.stdio().get(3)).isNotNull();
            });
        });
        assertThat(fds).containsExactly("0", "1", "2");
        assertThat(withFourth).containsExactly("0", "1", "2", "3");
    }

    @Test
    void aListingInsideTheChildShowsNoDescriptorOfTheJvm() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> collect(spawn("/bin/sh", sh("ls -l /proc/self/fd")).stdout(), out));
        // ls's own descriptors: stdio, plus the directory it is listing.
        List<String> extra = out.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("->"))
                .filter(l -> !l.matches(".* [012] -> .*"))
                .filter(l -> !l.matches(".* -> /proc/\\d+/fd"))
                .toList();
        assertThat(extra).isEmpty();
    }

    private static List<String> fdsOf(int pid) {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void ignoreGivesDevNullAndNoStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess c = spawn("/bin/sh", sh("readlink /proc/$$/fd/0 /proc/$$/fd/2"),
                    SpawnOptions.builder().stdio("ignore", "pipe", "ignore").build());
            assertThat(c.stdin()).isNull();
            assertThat(c.stderr()).isNull();
            collect(c.stdout(), out);
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("/dev/null\n/dev/null\n");
    }

    @Test
    void inheritSharesOurDescriptor() throws IOException {
        String ours = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess c = spawn("/bin/sh", sh("readlink /proc/$$/fd/2"),
                    SpawnOptions.builder().stdio("ignore", "pipe", "inherit").build());
            assertThat(c.stderr()).isNull();
            collect(c.stdout(), out);
        });
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo(ours);
    }

    @Test
    void theInheritShorthandSharesAllThreeOfOurs() throws IOException {
        List<String> ours = new ArrayList<>();
        for (int fd = 0; fd < 3; fd++) ours.add(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        List<String> theirs = new ArrayList<>();
        run(a -> {
            ChildProcess c = spawn("sleep", List.of("30"), SpawnOptions.builder().stdio("inherit").build());
            assertThat(c.stdio()).containsExactly(null, null, null);
            for (int fd = 0; fd < 3; fd++) {
                theirs.add(Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/fd/" + fd)).toString());
            }
            c.kill(Signals.SIGKILL);
        });
        assertThat(theirs).isEqualTo(ours);
    }

    @Test
    void aDescriptorNumberIsGivenToTheChild() throws IOException {
        Path file = dir.resolve("out.txt");
        int fd = LibC.check(LibC.open(file.toString(), LibC.O_WRONLY | 0x40 /* O_CREAT */, 0644), "open");
        try {
            run(a -> spawn("/bin/sh", sh("echo to-the-file"), SpawnOptions.builder().stdio("ignore", fd, "ignore").build())
                    .on("close", x -> log.add("close " + x[0])));
        } finally {
            LibC.close(fd);
        }
        assertThat(log).containsExactly("close 0");
        assertThat(Files.readString(file)).isEqualTo("to-the-file\n");
    }

    @Test
    void anExistingStreamIsSharedWithTheChild() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess producer = spawn("/bin/sh", sh("echo one; echo two"));
            ChildProcess cat = spawn("cat", SpawnOptions.builder().stdio(producer.stdout(), "pipe", "pipe").build());
            // cat reads the producer's output itself; our copy of the pipe is no longer needed.
            producer.stdout().destroy();
            collect(cat.stdout(), out);
            cat.on("close", x -> log.add("cat close " + x[0]));
            producer.on("close", x -> log.add("producer close " + x[0]));
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
        assertThat(log).containsExactlyInAnyOrder("cat close 0", "producer close 0");
    }

    @Test
    void stdinIsWrittenThenEndedAndCatEchoesIt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess cat = spawn("cat");
            collect(cat.stdout(), out);
            cat.stdin().write("hello ");
            cat.stdin().end("world");
            cat.on("close", x -> log.add("close " + x[0]));
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
        assertThat(log).containsExactly("close 0");
    }

    @Test
    void severalMebibytesOfOutputArriveIntact() {
        int size = 6 * 1024 * 1024;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> collect(spawn("head", List.of("-c", Integer.toString(size), "/dev/urandom")).stdout(), out));
        assertThat(out.size()).isEqualTo(size);
    }

    @Test
    void aLargeInputGoesThroughCatAndBack() {
        byte[] data = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess cat = spawn("cat");
            collect(cat.stdout(), out);
            cat.stdin().end(data);
        });
        assertThat(Arrays.equals(out.toByteArray(), data)).isTrue();
    }

    @Test
    void anIpcSlotIsASocketAtItsNumberAndNamedInTheEnvironment() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess c = spawn("/bin/sh", sh("echo $NODE_CHANNEL_FD $NODE_CHANNEL_SERIALIZATION_MODE; readlink /proc/$$/fd/3"),
                    SpawnOptions.builder().stdio("pipe", "pipe", "pipe", "ipc").serialization("advanced").build());
            assertThat(c.stdio().get(3)).as("the channel is no stdio stream").isNull();
            collect(c.stdout(), out);
            c.on("close", x -> log.add("close " + x[0]));
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).matches("3 advanced\nsocket:\\[\\d+]\n");
        assertThat(log).containsExactly("close 0");
    }

    @Test
    void aListeningServerAndAUdpSocketInTheStdioListAreSharedAtTheirSlotsBeforeTheIpcSlot() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            Server server = Net.createServer(x -> { });
            dev.herd.node.dgram.Socket udp = Dgram.createSocket("udp4", null);
            server.listen(0, "127.0.0.1", 0, () -> udp.bind(0, "127.0.0.1", () -> {
                ChildProcess c = spawn("/bin/sh", sh("echo $NODE_CHANNEL_FD; readlink /proc/$$/fd/3 /proc/$$/fd/4 /proc/$$/fd/5"),
                        SpawnOptions.builder().stdio("pipe", "pipe", "pipe", server, udp, "ipc").build());
                collect(c.stdout(), out);
                c.on("close", x -> {
                    log.add("close " + x[0]);
                    server.close();
                    udp.close();
                });
            }));
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).matches("5\nsocket:\\[\\d+]\nsocket:\\[\\d+]\nsocket:\\[\\d+]\n");
        assertThat(log).containsExactly("close 0");
    }

    // ---------------------------------------------------------------- environment, cwd, argv0, shell

    @Test
    void theChildGetsTheEnvOption() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> collect(spawn("/bin/sh", sh("echo \"$HERD_TEST_VAR\""),
                SpawnOptions.builder().env(envWith("HERD_TEST_VAR", "from the option")).build()).stdout(), out));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("from the option\n");
    }

    @Test
    void aProgramNameIsLookedUpInTheChildsPath() throws IOException {
        Path script = Files.writeString(dir.resolve("herd-only-here"), "#!/bin/sh\necho found\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object[] err = new Object[1];
        run(a -> {
            collect(spawn("herd-only-here", SpawnOptions.builder().env(Map.of("PATH", dir.toString())).build()).stdout(), out);
            spawn("herd-only-here").on("error", x -> err[0] = x[0]);
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("found\n");
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("ENOENT"));
    }

    @Test
    void theChildRunsInTheCwdOption() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> collect(spawn("pwd", SpawnOptions.builder().cwd(dir.toString()).build()).stdout(), out));
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo(dir.toRealPath().toString());
    }

    @Test
    void anEmptyCwdMeansOurs() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> collect(spawn("pwd", SpawnOptions.builder().cwd("").build()).stdout(), out));
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo(Path.of("").toRealPath().toString());
    }

    @Test
    void argv0ReplacesTheProgramNameTheChildSees() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChildProcess[] c = new ChildProcess[1];
        run(a -> {
            c[0] = spawn("/bin/sh", sh("echo $0"), SpawnOptions.builder().argv0("custom-name").build());
            collect(c[0].stdout(), out);
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("custom-name\n");
        assertThat(c[0].spawnargs()).containsExactly("custom-name", "-c", "echo $0");
        assertThat(c[0].spawnfile()).isEqualTo("/bin/sh");
    }

    @Test
    void theShellOptionRunsTheJoinedCommandLineInSh() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChildProcess[] c = new ChildProcess[1];
        run(a -> {
            c[0] = spawn("echo $((1 + 2)) |", List.of("tr", "3", "x"), SpawnOptions.builder().shell(true).build());
            collect(c[0].stdout(), out);
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("x\n");
        assertThat(c[0].spawnfile()).isEqualTo("/bin/sh");
        assertThat(c[0].spawnargs()).containsExactly("/bin/sh", "-c", "echo $((1 + 2)) | tr 3 x");
    }

    @Test
    void aShellPathIsUsedAsTheShell() {
        ChildProcess[] c = new ChildProcess[1];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            c[0] = spawn("echo $0", SpawnOptions.builder().shell("/bin/sh").argv0("my-sh").build());
            collect(c[0].stdout(), out);
        });
        assertThat(c[0].spawnfile()).isEqualTo("/bin/sh");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("my-sh\n");
    }

    // ---------------------------------------------------------------- detached, ref

    @Test
    void aDetachedChildLeadsANewSessionAndADefaultOneStaysInOurs() throws IOException {
        String[] mine = statFields(Files.readString(Path.of("/proc/self/stat")));
        List<String[]> seen = new ArrayList<>();
        run(a -> {
            ChildProcess d = spawn("sleep", List.of("30"), SpawnOptions.builder().detached(true).stdio("ignore").build());
            seen.add(statFields(Files.readString(Path.of("/proc/" + d.pid() + "/stat"))));
            d.kill(Signals.SIGKILL);
            ChildProcess n = spawn("sleep", List.of("30"), SpawnOptions.builder().stdio("ignore").build());
            seen.add(statFields(Files.readString(Path.of("/proc/" + n.pid() + "/stat"))));
            n.kill(Signals.SIGKILL);
        });
        String[] detached = seen.get(0);
        assertThat(detached[1]).as("pgrp").isEqualTo(detached[0]);
        assertThat(detached[2]).as("session").isEqualTo(detached[0]);
        String[] normal = seen.get(1);
        assertThat(normal[1]).as("pgrp").isEqualTo(mine[1]);
        assertThat(normal[2]).as("session").isEqualTo(mine[2]);
    }

    /** pid, pgrp, session from /proc/PID/stat. */
    private static String[] statFields(String stat) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new String[] {stat.substring(0, stat.indexOf(' ')), rest[2], rest[3]};
    }

    @Test
    void anUnrefdChildWithoutPipesDoesNotKeepTheProcessAlive() {
        int[] pid = new int[1];
        long start = System.nanoTime();
        run(a -> {
            ChildProcess c = spawn("sleep", List.of("30"), SpawnOptions.builder().stdio("ignore").build());
            pid[0] = c.pid();
            c.unref();
        });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
        // Still running, and nobody reaps it once its handle is gone (libuv's rule): do it here.
        assertThat(Proc.kill(pid[0], 0)).isZero();
        Proc.kill(pid[0], Signals.SIGKILL);
        assertThat(Proc.waitid(Proc.P_PID, pid[0], Proc.WEXITED).signalCode()).isEqualTo("SIGKILL");
    }

    // ---------------------------------------------------------------- timeout, abort

    @Test
    void theTimeoutOptionKillsTheChildWithKillSignal() {
        ChildProcess[] c = new ChildProcess[1];
        run(a -> {
            c[0] = spawn("sleep", List.of("30"), SpawnOptions.builder().timeout(100).killSignal("SIGKILL").build());
            c[0].on("exit", x -> log.add("exit " + x[0] + " " + x[1]));
        });
        assertThat(log).containsExactly("exit null SIGKILL");
        assertThat(c[0].killed()).isTrue();
    }

    @Test
    void aChildThatEndsBeforeTheTimeoutIsNotKilled() {
        ChildProcess[] c = new ChildProcess[1];
        long start = System.nanoTime();
        run(a -> c[0] = spawn("/bin/true", SpawnOptions.builder().timeout(20_000).build()));
        assertThat(c[0].killed()).isFalse();
        assertThat(c[0].exitCode()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("the timer was cleared").isLessThan(10_000);
    }

    @Test
    void abortingTheSignalKillsTheChildAndEmitsAbortError() {
        Object[] err = new Object[1];
        IllegalStateException reason = new IllegalStateException("stop it");
        run(a -> {
            AbortController ac = new AbortController();
            ChildProcess c = spawn("sleep", List.of("30"), SpawnOptions.builder().signal(ac.signal()).build());
            c.on("error", x -> {
                err[0] = x[0];
                log.add("error");
            });
            c.on("exit", x -> log.add("exit " + x[0] + " " + x[1]));
            ac.abort(reason);
        });
        assertThat(log).containsExactly("error", "exit null SIGTERM");
        assertThat(err[0]).isInstanceOfSatisfying(NodeError.class, e -> {
            assertThat(e.code()).isEqualTo("ABORT_ERR");
            assertThat(e.getMessage()).isEqualTo("The operation was aborted");
            assertThat(e.getCause()).isSameAs(reason);
        });
    }

    @Test
    void anAlreadyAbortedSignalKillsTheChildOnTheNextTick() {
        run(a -> {
            ChildProcess c = spawn("sleep", List.of("30"),
                    SpawnOptions.builder().signal(AbortSignal.abort()).killSignal(Signals.SIGKILL).build());
            c.on("error", x -> log.add("error " + ((NodeError) x[0]).code()));
            c.on("exit", x -> log.add("exit " + x[1]));
            log.add("returned");
        });
        assertThat(log).containsExactly("returned", "error ABORT_ERR", "exit SIGKILL");
    }

    // ---------------------------------------------------------------- bad input

    private static void assertNodeError(Runnable call, String code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(NodeError.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            if (message != null) assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void badArgumentsThrowNodesErrorsAndStartNothing() {
        run(a -> {
            assertNodeError(() -> spawn(null), "ERR_INVALID_ARG_TYPE", "The \"file\" argument must be of type string. Received null");
            assertNodeError(() -> spawn(""), "ERR_INVALID_ARG_VALUE", "The argument 'file' cannot be empty. Received ''");
            assertNodeError(() -> spawn("ls", List.of("a\0")), "ERR_INVALID_ARG_VALUE",
                    "The argument 'args[0]' must be a string without null bytes. Received 'a\\x00'");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().cwd("a\0").build()), "ERR_INVALID_ARG_VALUE",
                    "The property 'options.cwd' must be a string, Uint8Array, or URL without null bytes. Received 'a\\x00'");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().env(Map.of("A", "x\0")).build()), "ERR_INVALID_ARG_VALUE",
                    "The property 'options.env['A']' must be a string without null bytes. Received 'x\\x00'");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().timeout(-1).build()), "ERR_OUT_OF_RANGE",
                    "The value of \"timeout\" is out of range. It must be an unsigned integer. Received -1");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().killSignal("SIGFOO").build()), "ERR_UNKNOWN_SIGNAL",
                    "Unknown signal: SIGFOO");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().stdio("foo").build()), "ERR_INVALID_ARG_VALUE",
                    "The argument 'stdio' is invalid. Received 'foo'");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().stdio("foo", "pipe").build()), "ERR_INVALID_SYNC_FORK_INPUT",
                    "Asynchronous forks do not support Buffer, TypedArray, DataView or string input: 'foo'");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().stdio(List.of(new Object())).build()), "ERR_INVALID_ARG_VALUE", null);
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().stdio("ipc", "ipc").build()), "ERR_IPC_ONE_PIPE",
                    "Child process can have only one IPC pipe");
            assertNodeError(() -> spawn("ls", SpawnOptions.builder().serialization("x").build()), "ERR_INVALID_ARG_VALUE",
                    "The property 'options.serialization' must be one of: undefined, 'json', 'advanced'. Received 'x'");
            assertNodeError(() -> spawn("ls", new SpawnOptions(null, null, null, null, null, null, null, 1, null, null,
                    null, null, null, null, null, null, null, null, null, null)), "ERR_INVALID_ARG_TYPE",
                    "The \"options.shell\" property must be one of type boolean or string. Received type number (1)");
        });
    }

    /**
     * Every string that becomes a C string is refused with Node's error when it holds a NUL: the
     * messages are the ones node v20 gives for the same calls.
     */
    @Test
    void aNulByteInAnyStringOfSpawnExecOrTheirSyncFormsIsERR_INVALID_ARG_VALUE() {
        String nul = "a\0b";
        String received = ". Received 'a\\x00b'";
        String plain = " must be a string without null bytes" + received;
        String path = " must be a string, Uint8Array, or URL without null bytes" + received;
        run(a -> {
            assertNodeError(() -> spawn(nul), "ERR_INVALID_ARG_VALUE", "The argument 'file'" + plain);
            assertNodeError(() -> spawn("true", List.of("x", nul)), "ERR_INVALID_ARG_VALUE", "The argument 'args[1]'" + plain);
            assertNodeError(() -> spawn("true", SpawnOptions.builder().argv0(nul).build()), "ERR_INVALID_ARG_VALUE", "The property 'options.argv0'" + plain);
            assertNodeError(() -> spawn("true", SpawnOptions.builder().shell(nul).build()), "ERR_INVALID_ARG_VALUE",
                    "The property 'options.shell'" + plain);
            assertNodeError(() -> spawn("true", SpawnOptions.builder().env(Map.of(nul, "v")).build()), "ERR_INVALID_ARG_VALUE",
                    "The property 'options.env['a\0b']'" + plain);
            assertNodeError(() -> ChildProcesses.spawnSync(nul), "ERR_INVALID_ARG_VALUE", "The argument 'file'" + plain);
            assertNodeError(() -> ChildProcesses.spawnSync("true", List.of(nul)), "ERR_INVALID_ARG_VALUE",
                    "The argument 'args[0]'" + plain);
            assertNodeError(() -> ChildProcesses.spawnSync("true", SpawnOptions.builder().cwd(nul).build()), "ERR_INVALID_ARG_VALUE",
                    "The property 'options.cwd'" + path);
            assertNodeError(() -> ChildProcesses.spawnSync("true", SpawnOptions.builder().env(Map.of("K", nul)).build()),
                    "ERR_INVALID_ARG_VALUE", "The property 'options.env['K']'" + plain);
            assertNodeError(() -> ChildProcesses.exec(nul), "ERR_INVALID_ARG_VALUE", "The argument 'command'" + plain);
            assertNodeError(() -> ChildProcesses.exec("echo", SpawnOptions.builder().cwd(nul).build(), null), "ERR_INVALID_ARG_VALUE",
                    "The property 'options.cwd'" + path);
            assertNodeError(() -> ChildProcesses.exec("echo", SpawnOptions.builder().shell(nul).build(), null),
                    "ERR_INVALID_ARG_VALUE", "The property 'options.shell'" + plain);
            assertNodeError(() -> ChildProcesses.execFile(nul, (ExecCallback) null), "ERR_INVALID_ARG_VALUE",
                    "The argument 'file'" + plain);
            assertNodeError(() -> ChildProcesses.execFile("true", List.of(nul)), "ERR_INVALID_ARG_VALUE",
                    "The argument 'args[0]'" + plain);
            assertNodeError(() -> ChildProcesses.execSync(nul), "ERR_INVALID_ARG_VALUE", "The argument 'command'" + plain);
            assertNodeError(() -> ChildProcesses.execFileSync(nul), "ERR_INVALID_ARG_VALUE", "The argument 'file'" + plain);
            assertNodeError(() -> ChildProcesses.execFileSync("true", List.of(nul)), "ERR_INVALID_ARG_VALUE",
                    "The argument 'args[0]'" + plain);
        });
    }

    @Test
    void aChildGivenAUidAndGidRunsAsThemWithNoSupplementaryGroups() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(a -> {
            ChildProcess c = spawn("/bin/sh", sh("id -u; id -g; id -G"), SpawnOptions.builder().uid(65534).gid(65534).build());
            collect(c.stdout(), out);
            c.on("close", x -> log.add("close " + x[0]));
        });
        assertThat(log).containsExactly("close 0");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("65534\n65534\n65534\n");
    }

    @Test
    void aNegativeUidOrGidIsOutOfRange() {
        run(a -> {
            assertNodeError(() -> spawn("/bin/true", List.of(), SpawnOptions.builder().uid(-1).build()),
                    "ERR_OUT_OF_RANGE", "The value of \"options.uid\" is out of range. It must be >= 0. Received -1");
            assertNodeError(() -> spawn("/bin/true", List.of(), SpawnOptions.builder().gid(-2).build()),
                    "ERR_OUT_OF_RANGE", "The value of \"options.gid\" is out of range. It must be >= 0. Received -2");
        });
    }
}
