package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.ErrnoException;
import dev.herd.os.Signals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The process handle: spawn, the exit on the loop through a pidfd, kill, stdio pipes, PATH lookup. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessTest extends IoTestBase {
    @TempDir
    Path dir;

    /** What exit callbacks reported: "status/signal". */
    private final List<String> exits = new ArrayList<>();

    private ProcessOptions.Builder sh(String script) {
        return ProcessOptions.builder("/bin/sh").args("sh", "-c", script)
                .onExit((p, status, signal) -> {
                    exits.add(status + "/" + signal);
                    p.close();
                });
    }

    private static String code(Throwable e) {
        return ((ErrnoException) e).code();
    }

    @Test
    void theExitCodeArrivesOnTheLoopAndTheHandleStopsBeingActive() {
        Process p = Process.spawn(loop, sh("exit 7").build());
        assertThat(p.pid()).isPositive();
        assertThat(p.isActive()).isTrue();
        assertThat(exits).as("never inside spawn").isEmpty();
        runToCompletion();
        assertThat(exits).containsExactly("7/0");
        assertThat(p.hasExited()).isTrue();
    }

    @Test
    void aSignalledChildReportsTheSignalAndStatusZero() {
        Process p = Process.spawn(loop, sh("exec sleep 30").build());
        p.kill(Signals.SIGTERM);
        runToCompletion();
        assertThat(exits).containsExactly("0/" + Signals.SIGTERM);
    }

    @Test
    void killAfterTheExitIsESRCH() {
        List<Process> exited = new ArrayList<>();
        Process p = Process.spawn(loop, ProcessOptions.builder("/bin/true").onExit((h, s, sig) -> exited.add(h)).build());
        runUntil("the exit", () -> !exited.isEmpty());
        assertThatThrownBy(() -> p.kill(0)).satisfies(e -> assertThat(code(e)).isEqualTo("ESRCH"));
        closeAndDrain(p);
    }

    @Test
    void killWithSignalZeroChecksThatTheChildIsThere() {
        Process p = Process.spawn(loop, sh("exec sleep 30").build());
        p.kill(0);
        p.kill(Signals.SIGKILL);
        runToCompletion();
        assertThat(exits).containsExactly("0/" + Signals.SIGKILL);
    }

    @Test
    void aMissingProgramFailsInSpawnWithENOENTAndLeavesNothingOpen() {
        Pipe out = new Pipe(loop);
        assertThatThrownBy(() -> Process.spawn(loop, ProcessOptions.builder("no-such-program-herd")
                .stdio(StdioContainer.ignore(), StdioContainer.createPipe(out)).build()))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("ENOENT");
                    assertThat(e.path()).isEqualTo("no-such-program-herd");
                });
        assertThatThrownBy(out::fileno).as("the pipe is still unopened").isInstanceOf(ErrnoException.class);
        closeAndDrain(out);
    }

    @Test
    void aNameIsLookedUpInTheChildsPathNotOurs() throws IOException {
        Path script = Files.writeString(dir.resolve("herd-hello"), "#!/bin/sh\nexit 42\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        assertThatThrownBy(() -> Process.spawn(loop, ProcessOptions.builder("herd-hello").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("ENOENT"));
        Process.spawn(loop, ProcessOptions.builder("herd-hello").env(List.of("PATH=/nowhere:" + dir))
                .onExit((p, s, sig) -> {
                    exits.add(s + "/" + sig);
                    p.close();
                }).build());
        runToCompletion();
        assertThat(exits).containsExactly("42/0");
    }

    @Test
    void withoutPathInTheChildsEnvironmentTheDefaultPathIsSearched() {
        Process.spawn(loop, ProcessOptions.builder("true").env(List.of("HOME=/")).onExit((p, s, sig) -> {
            exits.add(s + "/" + sig);
            p.close();
        }).build());
        runToCompletion();
        assertThat(exits).containsExactly("0/0");
    }

    @Test
    void aRelativePathEntryIsRelativeToTheChildsWorkingDirectory() throws IOException {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path script = Files.writeString(bin.resolve("herd-rel"), "#!/bin/sh\nexit 5\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Process.spawn(loop, ProcessOptions.builder("herd-rel").env(List.of("PATH=bin")).cwd(dir.toString())
                .onExit((p, s, sig) -> {
                    exits.add(s + "/" + sig);
                    p.close();
                }).build());
        runToCompletion();
        assertThat(exits).containsExactly("5/0");
    }

    @Test
    void aNonExecutableMatchInPathIsEACCES() throws IOException {
        Files.writeString(dir.resolve("herd-noexec"), "#!/bin/sh\nexit 0\n");
        assertThatThrownBy(() -> Process.spawn(loop, ProcessOptions.builder("herd-noexec")
                .env(List.of("PATH=" + dir)).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("EACCES"));
    }

    @Test
    void aScriptWithoutAnInterpreterLineRunsInTheShell() throws IOException {
        Path script = Files.writeString(dir.resolve("plain"), "exit 9\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Process.spawn(loop, ProcessOptions.builder(script.toString()).onExit((p, s, sig) -> {
            exits.add(s + "/" + sig);
            p.close();
        }).build());
        runToCompletion();
        assertThat(exits).containsExactly("9/0");
    }

    @Test
    void stdioPipesCarryDataBothWaysAndEndWithEof() {
        Pipe in = new Pipe(loop);
        Pipe out = new Pipe(loop);
        Process.spawn(loop, ProcessOptions.builder("/bin/cat")
                .stdio(StdioContainer.createPipe(in), StdioContainer.createPipe(out)).onExit((p, s, sig) -> {
                    exits.add(s + "/" + sig);
                    p.close();
                }).build());
        Sink sink = new Sink();
        out.readStart(sink);
        in.write("through cat".getBytes(StandardCharsets.US_ASCII), null);
        in.shutdown(err -> in.close());
        runUntil("cat's output to end", sink::ended);
        closeAndDrain(out);
        runToCompletion();
        assertThat(sink.bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("through cat");
        assertThat(sink.endCode()).isEqualTo("EOF");
        assertThat(exits).containsExactly("0/0");
    }

    @Test
    void aPipeThatIsAlreadyOpenIsEINVAL() {
        Pipe[] pair = Pipe.socketpair(loop);
        assertThatThrownBy(() -> Process.spawn(loop, ProcessOptions.builder("/bin/true")
                .stdio(StdioContainer.createPipe(pair[0])).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("EINVAL"));
        closeAndDrain(pair);
    }

    @Test
    void anUnrefdChildDoesNotKeepTheLoopAlive() {
        Process p = Process.spawn(loop, sh("exec sleep 30").build());
        p.unref();
        assertThat(loop.isAlive()).isFalse();
        p.ref();
        p.kill(Signals.SIGKILL);
        runToCompletion();
        assertThat(exits).containsExactly("0/" + Signals.SIGKILL);
    }

    @Test
    void closingBeforeTheExitMeansNoExitCallback() {
        Process p = Process.spawn(loop, sh("exec sleep 30").build());
        int pid = p.pid();
        p.kill(Signals.SIGKILL);
        closeAndDrain(p);
        assertThat(exits).isEmpty();
        // Not reaped by the handle (libuv's rule); reap it here so the test leaves no zombie.
        assertThat(dev.herd.os.Proc.waitid(dev.herd.os.Proc.P_PID, pid, dev.herd.os.Proc.WEXITED).signalCode())
                .isEqualTo("SIGKILL");
    }
}
