package dev.herd.node.child_process;

import static dev.herd.node.child_process.ChildProcesses.exec;
import static dev.herd.node.child_process.ChildProcesses.execFile;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.AbortController;
import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** exec and execFile: output, Node's error objects, timeout, maxBuffer, encoding, abort (test-child-process-exec*.js). */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecTest {
    @TempDir
    Path dir;

    /** What one callback got. */
    private record Result(ExecError error, Object stdout, Object stderr) {}

    private final List<Result> results = new ArrayList<>();

    private void record(ExecError e, Object out, Object err) {
        results.add(new Result(e, out, err));
    }

    private Result only() {
        assertThat(results).as("callbacks").hasSize(1);
        return results.getFirst();
    }

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    private static SpawnOptions.Builder opts() {
        return SpawnOptions.builder();
    }

    @Test
    void execRunsAShellCommandAndGivesItsOutputAsStrings() {
        run(a -> exec("echo hi; echo there >&2", this::record));
        Result r = only();
        assertThat(r.error()).isNull();
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEqualTo("there\n");
    }

    @Test
    void aFailedCommandGivesCommandFailedWithCodeKilledSignalAndCmd() {
        String cmd = "echo out; echo err >&2; exit 3";
        run(a -> exec(cmd, this::record));
        Result r = only();
        assertThat(r.error().getMessage()).isEqualTo("Command failed: " + cmd + "\nerr\n");
        assertThat(r.error().code()).isEqualTo(3);
        assertThat(r.error().killed()).isFalse();
        assertThat(r.error().signal()).isNull();
        assertThat(r.error().cmd()).isEqualTo(cmd);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
    }

    @Test
    void anUnknownCommandInTheShellExitsWith127() {
        run(a -> exec("herd-no-such-command-xyz", this::record));
        assertThat(only().error().code()).isEqualTo(127);
        assertThat((String) only().stderr()).contains("herd-no-such-command-xyz");
    }

    @Test
    void execFileOfAMissingProgramGivesTheSpawnErrorWithCmd() {
        run(a -> execFile("herd-no-such-file-xyz", List.of("a", "b"), this::record));
        ExecError e = only().error();
        assertThat(e.getMessage()).isEqualTo("spawn herd-no-such-file-xyz ENOENT");
        assertThat(e.code()).isEqualTo("ENOENT");
        assertThat(e.errno()).isEqualTo(-2);
        assertThat(e.syscall()).isEqualTo("spawn herd-no-such-file-xyz");
        assertThat(e.path()).isEqualTo("herd-no-such-file-xyz");
        assertThat(e.spawnargs()).containsExactly("a", "b");
        assertThat(e.cmd()).isEqualTo("herd-no-such-file-xyz a b");
        assertThat(e.getCause()).isInstanceOf(ErrnoException.class);
        assertThat(only().stdout()).isEqualTo("");
    }

    @Test
    void execFileRunsWithoutAShell() {
        run(a -> execFile("echo", List.of("$HOME", "a b"), this::record));
        assertThat(only().error()).isNull();
        assertThat(only().stdout()).isEqualTo("$HOME a b\n");
    }

    @Test
    void execFileWithTheShellOptionRunsTheJoinedLineInSh() {
        run(a -> execFile("echo", List.of("$((2 * 21))"), opts().shell(true).build(), this::record));
        assertThat(only().stdout()).isEqualTo("42\n");
    }

    @Test
    void theTimeoutKillsTheChildAndTheErrorSaysKilledAndSignal() {
        long start = System.nanoTime();
        run(a -> execFile("sleep", List.of("30"), opts().timeout(100).build(), this::record));
        ExecError e = only().error();
        assertThat(e.getMessage()).isEqualTo("Command failed: sleep 30\n");
        assertThat(e.killed()).isTrue();
        assertThat(e.signal()).isEqualTo("SIGTERM");
        assertThat(e.code()).isNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }

    @Test
    void theTimeoutUsesKillSignal() {
        run(a -> exec("exec sleep 30", opts().timeout(50).killSignal("SIGKILL").build(), this::record));
        assertThat(only().error().signal()).isEqualTo("SIGKILL");
        assertThat(only().error().killed()).isTrue();
    }

    @Test
    void aCommandThatEndsInTimeIsNotKilled() {
        run(a -> exec("echo quick", opts().timeout(20_000).build(), this::record));
        assertThat(only().error()).isNull();
        assertThat(only().stdout()).isEqualTo("quick\n");
    }

    @Test
    void outputPastMaxBufferKillsTheChildAndIsCutAtTheLimit() {
        run(a -> exec("echo hello world", opts().maxBuffer(5).build(), this::record));
        Result r = only();
        assertThat(r.error().getCause()).isInstanceOfSatisfying(NodeError.class, e -> {
            assertThat(e.code()).isEqualTo("ERR_CHILD_PROCESS_STDIO_MAXBUFFER");
            assertThat(e.kind()).isEqualTo(IllegalArgumentException.class); // a RangeError
        });
        assertThat(r.error().getMessage()).isEqualTo("stdout maxBuffer length exceeded");
        assertThat(r.error().code()).isEqualTo("ERR_CHILD_PROCESS_STDIO_MAXBUFFER");
        assertThat(r.error().cmd()).isEqualTo("echo hello world");
        assertThat(r.stdout()).isEqualTo("hello");
    }

    @Test
    void maxBufferCountsBytesButCutsDecodedTextInCharactersAsNodeDoes() {
        // '中文测试\n' is 13 bytes and 5 characters (test-child-process-exec-maxbuf.js).
        run(a -> {
            exec("printf '中文测试\\n'", opts().maxBuffer(10).build(), this::record);
            exec("printf '中文测试\\n' >&2", opts().maxBuffer(3).build(), this::record);
        });
        assertThat(results).hasSize(2);
        Result out = results.stream().filter(r -> r.error().getMessage().startsWith("stdout")).findFirst().orElseThrow();
        Result err = results.stream().filter(r -> r.error().getMessage().startsWith("stderr")).findFirst().orElseThrow();
        assertThat(out.stdout()).isEqualTo("中文测试\n");
        assertThat(err.stderr()).isEqualTo("中文测");
    }

    @Test
    void maxBufferInBufferModeCutsBytes() {
        run(a -> exec("printf '中文测试' >&2", opts().encoding("buffer").maxBuffer(5).build(), this::record));
        byte[] expected = java.util.Arrays.copyOf("中文测试".getBytes(StandardCharsets.UTF_8), 5);
        assertThat((byte[]) only().stderr()).isEqualTo(expected);
        assertThat(only().error().code()).isEqualTo("ERR_CHILD_PROCESS_STDIO_MAXBUFFER");
    }

    @Test
    void anInfiniteMaxBufferTakesEverything() {
        run(a -> exec("head -c 3000000 /dev/zero", opts().encoding("buffer").maxBuffer(Double.POSITIVE_INFINITY).build(),
                this::record));
        assertThat(only().error()).isNull();
        assertThat((byte[]) only().stdout()).hasSize(3_000_000);
    }

    @Test
    void theDefaultMaxBufferIsOneMebibyte() {
        run(a -> {
            exec("head -c 1048576 /dev/zero", opts().encoding("buffer").build(), this::record);
            exec("head -c 1048577 /dev/zero", opts().encoding("buffer").build(), this::record);
        });
        assertThat(results).hasSize(2);
        assertThat(results).filteredOn(r -> r.error() == null).singleElement()
                .satisfies(r -> assertThat((byte[]) r.stdout()).hasSize(1 << 20));
        assertThat(results).filteredOn(r -> r.error() != null).singleElement()
                .satisfies(r -> assertThat(r.error().code()).isEqualTo("ERR_CHILD_PROCESS_STDIO_MAXBUFFER"));
    }

    @Test
    void encodingBufferGivesBytesAndOtherEncodingsDecode() {
        run(a -> {
            exec("printf 'caf\\303\\251'", opts().encoding("buffer").build(), this::record);
            exec("printf 'caf\\303\\251'", opts().encoding("hex").build(), this::record);
            exec("printf 'caf\\303\\251'", opts().encoding("latin1").build(), this::record);
            exec("printf 'caf\\303\\251'", opts().encoding("base64").build(), this::record);
        });
        assertThat(results).hasSize(4);
        assertThat(results).extracting(r -> r.stdout() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : r.stdout())
                .containsExactlyInAnyOrder("café", "636166c3a9", "cafÃ©", "Y2Fmw6k=");
    }

    @Test
    void anUnknownEncodingFallsBackToBytes() {
        run(a -> exec("echo x", opts().encoding("no-such-encoding").build(), this::record));
        assertThat(only().stdout()).isInstanceOf(byte[].class);
    }

    @Test
    void theChildsStdoutEmitsStringsToOtherListenersToo() {
        List<Object> chunks = new ArrayList<>();
        run(a -> exec("echo data").stdout().on("data", x -> chunks.add(x[0])));
        assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(c).isInstanceOf(String.class));
    }

    @Test
    void cwdAndEnvReachTheCommand() throws Exception {
        run(a -> exec("pwd; echo $HERD_EXEC_VAR", opts().cwd(dir.toString())
                .env(Map.of("HERD_EXEC_VAR", "v", "PATH", System.getenv("PATH"))).build(), this::record));
        assertThat(only().stdout()).isEqualTo(dir.toRealPath() + "\nv\n");
    }

    @Test
    void abortingGivesAbortErrorAndKillsTheChild() {
        run(a -> {
            AbortController ac = new AbortController();
            execFile("sleep", List.of("30"), opts().signal(ac.signal()).build(), this::record);
            ac.abort();
        });
        ExecError e = only().error();
        assertThat(e.code()).isEqualTo("ABORT_ERR");
        assertThat(e.getMessage()).isEqualTo("The operation was aborted");
        assertThat(e.cmd()).isEqualTo("sleep 30");
    }

    @Test
    void badOptionsThrowNodesErrors() {
        List<String> codes = new ArrayList<>();
        run(a -> {
            for (SpawnOptions o : List.of(opts().maxBuffer(-1).build(), opts().timeout(-5).build(),
                    opts().killSignal("SIGNOPE").build(), opts().argv0("a\0").build())) {
                try {
                    execFile("echo", List.of(), o, this::record);
                } catch (NodeError e) {
                    codes.add(e.code());
                }
            }
            try {
                exec(null, this::record);
            } catch (NodeError e) {
                codes.add(e.code());
            }
        });
        assertThat(codes).containsExactly("ERR_OUT_OF_RANGE", "ERR_OUT_OF_RANGE", "ERR_UNKNOWN_SIGNAL",
                "ERR_INVALID_ARG_VALUE", "ERR_INVALID_ARG_TYPE");
        assertThat(results).isEmpty();
    }
}
