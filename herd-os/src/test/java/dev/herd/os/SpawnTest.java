package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** posix_spawn with Herd's file actions and attributes: what the child gets, and what it does not. */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpawnTest {
    @TempDir
    Path dir;

    private record Run(Proc.WaitStatus status, String out) {}

    /** Spawns with stdout on a pipe (slot 1) plus {@code extra} slots, reaps the child, returns what it wrote. */
    private static Run run(String path, List<String> argv, List<String> envp, String cwd, int flags, int[] stdio) {
        Fd[] out = LibC.pipe2(0);
        try {
            int[] slots = stdio == null ? new int[] {Spawn.IGNORE, out[1].intValue(), Spawn.IGNORE} : stdio.clone();
            if (stdio != null) slots[1] = out[1].intValue();
            int pid = Spawn.posix_spawn(path, argv, envp, cwd, slots, flags, 0);
            assertThat(pid).as("posix_spawn result").isPositive();
            out[1].close(); // the child holds the only write end now
            String text = readAll(out[0]);
            return new Run(Proc.waitid(Proc.P_PID, pid, Proc.WEXITED), text);
        } finally {
            out[0].close();
            out[1].close();
        }
    }

    private static Run sh(String script) {
        return run("/bin/sh", List.of("sh", "-c", script), null, null, 0, null);
    }

    private static String readAll(Fd fd) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        StringBuilder sb = new StringBuilder();
        for (;;) {
            buf.clear();
            long n = LibC.read(fd.intValue(), buf);
            if (n < 0) throw ErrnoException.of((int) n, "read");
            if (n == 0) return sb.toString();
            sb.append(new String(buf.array(), 0, (int) n, StandardCharsets.UTF_8));
        }
    }

    @Test
    void spawnsAProgramAndItsExitCodeIsReaped() {
        Run r = sh("exit 3");
        assertThat(r.status().exitCode()).isEqualTo(3);
    }

    @Test
    void argumentsAndArgv0ReachTheChildAsGiven() {
        Run r = run("/bin/sh", List.of("my-name", "-c", "echo \"$0|$1|$2\"", "zero", "ü ñ", "two words"), null, null, 0, null);
        assertThat(r.out()).isEqualTo("zero|ü ñ|two words\n");
    }

    @Test
    void aMissingProgramIsENOENTAndLeavesNoChild() {
        int r = Spawn.posix_spawn(dir.resolve("nope").toString(), List.of("nope"), null, null, new int[0], 0, 0);
        assertThat(r).isEqualTo(-Errno.ENOENT.number());
    }

    @Test
    void aFileWithoutExecutePermissionIsEACCES() throws IOException {
        Path f = Files.writeString(dir.resolve("script"), "#!/bin/sh\nexit 0\n");
        int r = Spawn.posix_spawn(f.toString(), List.of("script"), null, null, new int[0], 0, 0);
        assertThat(r).isEqualTo(-Errno.EACCES.number());
    }

    @Test
    void aMissingWorkingDirectoryIsENOENT() {
        int r = Spawn.posix_spawn("/bin/true", List.of("true"), null, dir.resolve("gone").toString(), new int[0], 0, 0);
        assertThat(r).isEqualTo(-Errno.ENOENT.number());
    }

    @Test
    void theChildRunsInTheGivenWorkingDirectory() throws IOException {
        Run r = run("/bin/sh", List.of("sh", "-c", "pwd"), null, dir.toString(), 0, null);
        assertThat(r.out().trim()).isEqualTo(dir.toRealPath().toString());
    }

    @Test
    void aRelativePathIsResolvedInTheChildsWorkingDirectory() throws IOException {
        Path f = Files.writeString(dir.resolve("hello.sh"), "#!/bin/sh\necho relative\n");
        assertThat(f.toFile().setExecutable(true)).isTrue();
        Run r = run("./hello.sh", List.of("hello.sh"), null, dir.toString(), 0, null);
        assertThat(r.out()).isEqualTo("relative\n");
    }

    @Test
    void theChildGetsExactlyTheGivenEnvironment() {
        Run r = run("/bin/sh", List.of("sh", "-c", "echo \"$FOO\"; env | wc -l"), List.of("FOO=bar baz"), null, 0, null);
        // sh adds PWD (and some add SHLVL/_) of its own; nothing of ours beyond FOO.
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("bar baz");
        assertThat(Integer.parseInt(lines[1].trim())).isLessThanOrEqualTo(4);
    }

    @Test
    void aNullEnvironmentInheritsOurs() {
        Run r = run("/bin/sh", List.of("sh", "-c", "echo \"$PATH\""), null, null, 0, null);
        assertThat(r.out().trim()).isEqualTo(System.getenv("PATH"));
    }

    /**
     * Starts a shell that says "ready" on our pipe and then blocks reading its stdin (so that the
     * dynamic loader's short-lived descriptors are gone), runs {@code check} on its pid, then
     * ends its stdin and reaps it.
     */
    private static void withReadyChild(java.util.function.IntConsumer check) {
        Fd[] in = LibC.pipe2(0);
        Fd[] out = LibC.pipe2(0);
        int pid = Spawn.posix_spawn("/bin/sh", List.of("sh", "-c", "echo ready; read x"), null, null,
                new int[] {in[0].intValue(), out[1].intValue(), Spawn.IGNORE}, 0, 0);
        try {
            assertThat(pid).isPositive();
            ByteBuffer buf = ByteBuffer.allocate(16);
            while (buf.position() < 6) assertThat(LibC.read(out[0].intValue(), buf)).isPositive();
            assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII)).isEqualTo("ready\n");
            check.accept(pid);
        } finally {
            in[1].close(); // end of file for the shell's read
            assertThat(Proc.waitid(Proc.P_PID, pid, Proc.WEXITED).exitCode()).isNotNull();
            in[0].close();
            out[0].close();
            out[1].close();
        }
    }

    @Test
    void theChildHasOnlyDescriptorsZeroToTwo() {
        withReadyChild(pid -> {
            try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                assertThat(fds.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("0", "1", "2");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void ignoredSlotsAreDevNull() {
        Run r = sh("readlink /proc/$$/fd/0 /proc/$$/fd/2");
        assertThat(r.out()).isEqualTo("/dev/null\n/dev/null\n");
    }

    @Test
    void theSignalMaskIsEmptyAndNoStandardSignalIsIgnored() {
        // Java threads block SIGQUIT; the child must not inherit that.
        withReadyChild(pid -> {
            List<String> status;
            try {
                status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertThat(mask(status, "SigBlk")).isZero();
            // Signals 1-31 are bits 0-30; glibc leaves its internal real-time signals 32 and 33 ignored.
            assertThat(mask(status, "SigIgn") & 0x7fffffffL).isZero();
        });
    }

    private static long mask(List<String> status, String name) {
        String line = status.stream().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow();
        return Long.parseUnsignedLong(line.substring(name.length() + 1).trim(), 16);
    }

    @Test
    void aSourceBelowItsSlotIsMovedBeforeItsNumberIsReused() {
        Fd[] a = LibC.pipe2(0);
        Fd[] b = LibC.pipe2(0);
        try {
            int lo = a[1].intValue();
            int hi = b[1].intValue();
            assertThat(lo).isLessThan(hi);
            // Swap them: slot hi gets lo, slot lo gets hi. Filled in order, slot lo would
            // overwrite descriptor lo before slot hi copies it.
            int[] stdio = new int[hi + 1];
            Arrays.fill(stdio, Spawn.IGNORE);
            stdio[hi] = lo;
            stdio[lo] = hi;
            Run r = run("/bin/sh", List.of("sh", "-c", "readlink /proc/$$/fd/" + lo + " /proc/$$/fd/" + hi), null, null, 0, stdio);
            assertThat(r.out().lines().toList())
                    .containsExactly(link(hi), link(lo));
        } finally {
            for (Fd f : a) f.close();
            for (Fd f : b) f.close();
        }
    }

    @Test
    void aDescriptorPlacedAtItsOwnNumberSurvivesExec() {
        Fd[] a = LibC.pipe2(0); // close-on-exec, like every Herd fd
        try {
            int n = a[1].intValue();
            int[] stdio = new int[n + 1];
            Arrays.fill(stdio, Spawn.IGNORE);
            stdio[n] = n;
            Run r = run("/bin/sh", List.of("sh", "-c", "readlink /proc/$$/fd/" + n), null, null, 0, stdio);
            assertThat(r.out().trim()).isEqualTo(link(n));
        } finally {
            for (Fd f : a) f.close();
        }
    }

    private static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void setsidMakesTheChildLeadANewSessionAndGroup() {
        Run r = run("/bin/sh", List.of("sh", "-c", "cat /proc/$$/stat"), null, null, Spawn.POSIX_SPAWN_SETSID, null);
        String[] f = statFields(r.out());
        assertThat(f[2]).as("pgrp").isEqualTo(f[0]);
        assertThat(f[3]).as("session").isEqualTo(f[0]);
    }

    @Test
    void setpgroupZeroMakesANewGroupInOurSession() throws IOException {
        Run r = run("/bin/sh", List.of("sh", "-c", "cat /proc/$$/stat"), null, null, Spawn.POSIX_SPAWN_SETPGROUP, null);
        String[] f = statFields(r.out());
        String[] mine = statFields(Files.readString(Path.of("/proc/self/stat")));
        assertThat(f[2]).as("pgrp").isEqualTo(f[0]);
        assertThat(f[3]).as("session").isEqualTo(mine[3]);
    }

    @Test
    void byDefaultTheChildStaysInOurGroupAndSession() throws IOException {
        Run r = sh("cat /proc/$$/stat");
        String[] f = statFields(r.out());
        String[] mine = statFields(Files.readString(Path.of("/proc/self/stat")));
        assertThat(f[2]).as("pgrp").isEqualTo(mine[2]);
        assertThat(f[3]).as("session").isEqualTo(mine[3]);
    }

    /** pid, state, pgrp, session: fields 1, 3, 5, 6 of /proc/PID/stat (after the parenthesised name). */
    private static String[] statFields(String stat) {
        String pid = stat.substring(0, stat.indexOf(' '));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new String[] {pid, rest[0], rest[2], rest[3]};
    }

    /** The credential lines of a /proc status file: Uid, Gid, Groups, CapEff. */
    private static String credentials(String status) {
        StringBuilder sb = new StringBuilder();
        for (String line : status.split("\n")) {
            if (line.matches("(Uid|Gid|Groups|CapEff):.*")) sb.append(line.strip()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aChildGivenAUidAndGidRunsAsThemWithNoSupplementaryGroupsAndNoCapabilities() {
        Fd[] out = LibC.pipe2(0);
        try {
            int pid = Spawn.posix_spawn("/bin/cat", List.of("cat", "/proc/self/status"), null, "/",
                    new int[] {Spawn.IGNORE, out[1].intValue(), Spawn.IGNORE}, 0, 0, 65534, 65534);
            assertThat(pid).as("posix_spawn result").isPositive();
            out[1].close();
            String text = readAll(out[0]);
            assertThat(Proc.waitid(Proc.P_PID, pid, Proc.WEXITED).exitCode()).isZero();
            assertThat(credentials(text).replaceAll("[ \t]+", " ")).isEqualTo(
                    "Uid: 65534 65534 65534 65534\nGid: 65534 65534 65534 65534\nGroups:\nCapEff: 0000000000000000\n");
        } finally {
            out[0].close();
            out[1].close();
        }
    }

    @Test
    void theCallingThreadHasItsOwnCredentialsBackAfterSpawningAsAnotherUser() throws IOException {
        Path status = Path.of("/proc/thread-self/status");
        String before = credentials(Files.readString(status));
        int pid = Spawn.posix_spawn("/bin/true", List.of("true"), null, null, new int[0], 0, 0, 65534, 65534);
        assertThat(pid).isPositive();
        assertThat(Proc.waitid(Proc.P_PID, pid, Proc.WEXITED).exitCode()).isZero();
        assertThat(credentials(Files.readString(status))).isEqualTo(before);
    }

    @Test
    void aProgramTheOtherUserMayNotRunIsEACCESAndOurCredentialsAreBack() throws IOException {
        Path f = Files.writeString(dir.resolve("root-only.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        String before = credentials(Files.readString(Path.of("/proc/thread-self/status")));
        int r = Spawn.posix_spawn(f.toString(), List.of("x"), null, null, new int[0], 0, 0, 65534, 65534);
        assertThat(r).isEqualTo(-Errno.EACCES.number());
        assertThat(credentials(Files.readString(Path.of("/proc/thread-self/status")))).isEqualTo(before);
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> Spawn.posix_spawn("/bin/true", List.of("a\0b"), null, null, new int[0], 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> Spawn.posix_spawn("/bin/true", List.of(), null, null, new int[0], 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Spawn.posix_spawn("/bin/true", List.of("true"), null, null, new int[] {-2}, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Spawn.posix_spawn("/bin/true", List.of("true"), null, null, new int[0],
                Spawn.POSIX_SPAWN_SETSID | Spawn.POSIX_SPAWN_SETPGROUP, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
