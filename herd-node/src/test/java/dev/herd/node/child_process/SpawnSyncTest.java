package dev.herd.node.child_process;

import static dev.herd.node.child_process.ChildProcesses.execFileSync;
import static dev.herd.node.child_process.ChildProcesses.execSync;
import static dev.herd.node.child_process.ChildProcesses.spawnSync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.os.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** spawnSync, execSync and execFileSync (test-child-process-spawnsync*.js, -execsync*, -execfilesync*). */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpawnSyncTest {
    private static SpawnOptions.Builder opts() {
        return SpawnOptions.builder();
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) o;
    }

    @Test
    void theResultHasStatusPidAndOutputPerSlot() {
        SpawnSyncResult r = spawnSync("/bin/sh", List.of("-c", "echo out; echo err >&2; exit 4"));
        assertThat(r.status()).isEqualTo(4);
        assertThat(r.signal()).isNull();
        assertThat(r.error()).isNull();
        assertThat(r.pid()).isPositive();
        assertThat(r.output()).hasSize(3);
        assertThat(r.output().get(0)).as("stdin is not output").isNull();
        assertThat(text(r.stdout())).isEqualTo("out\n");
        assertThat(text(r.stderr())).isEqualTo("err\n");
        assertThat(r.output().get(1)).isSameAs(r.stdout());
    }

    @Test
    void aSignalledChildHasANullStatusAndTheSignalName() {
        SpawnSyncResult r = spawnSync("/bin/sh", List.of("-c", "echo hi; kill -TERM $$"));
        assertThat(r.status()).isNull();
        assertThat(r.signal()).isEqualTo("SIGTERM");
        assertThat(text(r.stdout())).isEqualTo("hi\n");
    }

    @Test
    void aMissingProgramIsAnErrorInTheResultWithNodesFields() {
        SpawnSyncResult r = spawnSync("herd-nonexist-xyz", List.of("a"));
        assertThat(r.error()).satisfies(e -> {
            assertThat(e.code()).isEqualTo("ENOENT");
            assertThat(e.errno()).isEqualTo(-2);
            assertThat(e.syscall()).isEqualTo("spawnSync herd-nonexist-xyz");
            assertThat(e.path()).isEqualTo("herd-nonexist-xyz");
            assertThat(e.spawnargs()).containsExactly("a");
            assertThat(e.getMessage()).isEqualTo("spawnSync herd-nonexist-xyz ENOENT");
        });
        assertThat(r.pid()).isZero();
        assertThat(r.status()).isNull();
        assertThat(r.output()).isNull();
        assertThat(r.stdout()).isNull();
    }

    @Test
    void theTimeoutKillsWithKillSignalAndReportsETIMEDOUT() {
        long start = System.nanoTime();
        SpawnSyncResult r = spawnSync("sleep", List.of("30"), opts().timeout(100).build());
        assertThat(r.error().code()).isEqualTo("ETIMEDOUT");
        assertThat(r.error().getMessage()).isEqualTo("spawnSync sleep ETIMEDOUT");
        assertThat(r.signal()).isEqualTo("SIGTERM");
        assertThat(r.status()).isNull();
        SpawnSyncResult k = spawnSync("sleep", List.of("30"), opts().timeout(50).killSignal("SIGKILL").build());
        assertThat(k.signal()).isEqualTo("SIGKILL");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }

    @Test
    void outputPastMaxBufferIsENOBUFSAndKillsTheChild() {
        SpawnSyncResult r = spawnSync("/bin/sh", List.of("-c", "yes | head -c 2000000"), opts().maxBuffer(1000).build());
        assertThat(r.error().code()).isEqualTo("ENOBUFS");
        assertThat((byte[]) r.stdout()).hasSizeGreaterThan(1000); // kept by the read that passed the limit
        assertThat(r.signal()).isEqualTo("SIGTERM");
    }

    @Test
    void maxBufferInfinityAndTheOneMebibyteDefault() {
        SpawnSyncResult big = spawnSync("head", List.of("-c", "5000000", "/dev/zero"),
                opts().maxBuffer(Double.POSITIVE_INFINITY).build());
        assertThat(big.error()).isNull();
        assertThat((byte[]) big.stdout()).hasSize(5_000_000);
        assertThat(spawnSync("head", List.of("-c", "1048576", "/dev/zero")).error()).isNull();
        assertThat(spawnSync("head", List.of("-c", "1048577", "/dev/zero")).error().code()).isEqualTo("ENOBUFS");
    }

    @Test
    void inputIsWrittenToStdinThenEnded() {
        byte[] data = new byte[2 * 1024 * 1024];
        new java.util.Random(3).nextBytes(data);
        SpawnSyncResult r = spawnSync("cat", opts().input(data).maxBuffer(Double.POSITIVE_INFINITY).build());
        assertThat(r.error()).isNull();
        assertThat(Arrays.equals((byte[]) r.stdout(), data)).isTrue();
        assertThat(text(spawnSync("cat", opts().input("héllo").build()).stdout())).isEqualTo("héllo");
        assertThat(spawnSync("cat").stdout()).as("no input: end of file at once").isEqualTo(new byte[0]);
    }

    @Test
    void inputTheChildDoesNotReadIsEPIPE() {
        SpawnSyncResult r = spawnSync("/bin/true", opts().input(new byte[1_000_000]).build());
        assertThat(r.status()).isZero();
        assertThat(r.error().code()).isEqualTo("EPIPE");
    }

    @Test
    void anEncodingDecodesEveryOutput() {
        SpawnSyncResult r = spawnSync("/bin/sh", List.of("-c", "printf 'é'; printf x >&2"), opts().encoding("utf8").build());
        assertThat(r.stdout()).isEqualTo("é");
        assertThat(r.stderr()).isEqualTo("x");
        assertThat(r.output()).containsExactly(null, "é", "x");
    }

    @Test
    void theSyncFunctionsWorkInsideAHerdProgramToo() {
        List<Object> got = new ArrayList<>();
        int code = Herd.call(new String[0], a -> got.add(execSync("echo inside", opts().encoding("utf8").build())));
        assertThat(code).isZero();
        assertThat(got).containsExactly("inside\n");
    }

    @Test
    void execSyncReturnsStdoutAndThrowsCommandFailedWithTheResult() {
        assertThat(text(execSync("echo $((6 * 7))"))).isEqualTo("42\n");
        assertThatThrownBy(() -> execSync("echo partial; echo why >&2; exit 3", opts().stdio("pipe").build()))
                .isInstanceOfSatisfying(ExecError.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("Command failed: echo partial; echo why >&2; exit 3\nwhy\n");
                    assertThat(e.status()).isEqualTo(3);
                    assertThat(e.signal()).isNull();
                    assertThat(text(e.stdout())).isEqualTo("partial\n");
                    assertThat(text(e.stderr())).isEqualTo("why\n");
                    assertThat(e.pid()).isPositive();
                    assertThat(e.code()).isNull();
                });
    }

    @Test
    void execSyncThatTimesOutThrowsETIMEDOUTWithTheSignal() {
        assertThatThrownBy(() -> execSync("exec sleep 30", opts().timeout(50).stdio("pipe").build()))
                .isInstanceOfSatisfying(ExecError.class, e -> {
                    assertThat(e.code()).isEqualTo("ETIMEDOUT");
                    assertThat(e.signal()).isEqualTo("SIGTERM");
                    assertThat(e.status()).isNull();
                });
    }

    @Test
    void execFileSyncOfAMissingProgramThrowsENOENT() {
        assertThatThrownBy(() -> execFileSync("herd-nonexist-xyz", List.of("q")))
                .isInstanceOfSatisfying(ExecError.class, e -> {
                    assertThat(e.code()).isEqualTo("ENOENT");
                    assertThat(e.getMessage()).isEqualTo("spawnSync herd-nonexist-xyz ENOENT");
                    assertThat(e.syscall()).isEqualTo("spawnSync herd-nonexist-xyz");
                    assertThat(e.spawnargs()).containsExactly("q");
                    assertThat(e.status()).isNull();
                });
        assertThat(execFileSync("echo", List.of("a b"), opts().encoding("utf8").build())).isEqualTo("a b\n");
    }

    @Test
    void execFileSyncFailureNamesTheArgv0AndArguments() {
        assertThatThrownBy(() -> execFileSync("/bin/sh", List.of("-c", "exit 2"), opts().argv0("shh").stdio("pipe").build()))
                .isInstanceOfSatisfying(ExecError.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("Command failed: shh -c exit 2");
                    assertThat(e.status()).isEqualTo(2);
                });
    }

    @Test
    void badSyncOptionsThrowBeforeAnythingStarts() {
        assertThatThrownBy(() -> spawnSync("ls", opts().stdio("pipe", "pipe", "pipe", "ipc").build()))
                .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_IPC_SYNC_FORK"));
        assertThatThrownBy(() -> spawnSync("ls", opts().maxBuffer(Double.NaN).build()))
                .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_OUT_OF_RANGE"));
        assertThatThrownBy(() -> spawnSync("ls", opts().encoding("nope").build()))
                .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_UNKNOWN_ENCODING"));
        assertThatThrownBy(() -> spawnSync("ls", new SpawnOptions(null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, 42, null, null, null, null)))
                .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_INVALID_ARG_TYPE"));
    }
}
