package dev.herd.node.child_process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default JVM options of a forked Herd child: the parent's, without the options that write a
 * file of a fixed name, with the launcher's child AOT cache swapped in.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChildJvmOptionsTest {
    static final List<String> PARENT = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
            "-XX:AOTCache=/x/herd.aot", "-Xlog:aot*=off");

    @AfterEach
    void clearProperty() {
        System.clearProperty(ChildProcesses.CHILD_AOT_CACHE_PROPERTY);
    }

    @Test
    void withoutAChildCacheTheParentsOptionsAreKept() {
        assertThat(ChildProcesses.childJvmOptions(PARENT)).isEqualTo(PARENT);
    }

    @Test
    void aNamedChildCacheThatExistsReplacesTheParentsCache(@TempDir Path dir) throws IOException {
        Path cache = Files.writeString(dir.resolve("herd-child.aot"), "x");
        System.setProperty(ChildProcesses.CHILD_AOT_CACHE_PROPERTY, cache.toString());
        assertThat(ChildProcesses.childJvmOptions(PARENT)).containsExactly("--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:AOTCache=" + cache, "-Xlog:aot*=off");
    }

    @Test
    void aNamedChildCacheThatIsMissingChangesNothing(@TempDir Path dir) {
        System.setProperty(ChildProcesses.CHILD_AOT_CACHE_PROPERTY, dir.resolve("gone.aot").toString());
        assertThat(ChildProcesses.childJvmOptions(PARENT)).isEqualTo(PARENT);
    }

    @Test
    void aParentWithoutAnAotCacheGetsNone(@TempDir Path dir) throws IOException {
        Path cache = Files.writeString(dir.resolve("herd-child.aot"), "x");
        System.setProperty(ChildProcesses.CHILD_AOT_CACHE_PROPERTY, cache.toString());
        List<String> plain = List.of("-XX:+UseSerialGC");
        assertThat(ChildProcesses.childJvmOptions(plain)).isEqualTo(plain);
    }

    // ------------------------------------------------------------------ options that write a file

    /** The child's options when the parent has {@code option} between two harmless ones. */
    private static List<String> childOptionsWith(String option) {
        return ChildProcesses.childJvmOptions(List.of("-XX:+UseSerialGC", option, "-Xmx64m"));
    }

    @Test
    void anAotCacheOutputIsNotInherited() {
        assertThat(childOptionsWith("-XX:AOTCacheOutput=/x/app.aot")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
    }

    @Test
    void aRecordingOrCreatingAotModeIsNotInheritedNorItsConfiguration() {
        List<String> parent = List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=/x/app.aotconf", "-Xmx64m");
        assertThat(ChildProcesses.childJvmOptions(parent)).containsExactly("-Xmx64m");
        assertThat(childOptionsWith("-XX:AOTMode=create")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
    }

    @Test
    void anAotModeThatOnlyReadsIsInherited() {
        assertThat(childOptionsWith("-XX:AOTMode=auto")).contains("-XX:AOTMode=auto");
    }

    @Test
    void aDynamicCdsArchiveWrittenAtExitIsNotInherited() {
        assertThat(childOptionsWith("-XX:ArchiveClassesAtExit=/x/dyn.jsa")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:+AutoCreateSharedArchive")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
    }

    @Test
    void aSharedArchiveThatIsOnlyReadIsInherited() {
        assertThat(childOptionsWith("-XX:SharedArchiveFile=/x/dyn.jsa")).contains("-XX:SharedArchiveFile=/x/dyn.jsa");
    }

    @Test
    void dumpingACdsArchiveOrAClassListIsNotInherited() {
        assertThat(childOptionsWith("-Xshare:dump")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:+DumpSharedSpaces")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:DumpLoadedClassList=/x/classes.lst")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
    }

    @Test
    void aLogWrittenToAFixedFileIsNotInherited() {
        assertThat(childOptionsWith("-Xlog:gc*:file=/x/gc.log:time")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-Xlog:gc:gc.log")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-Xloggc:/x/gc.log")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:LogFile=/x/vm.log")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
    }

    @Test
    void aLogWrittenToAPerProcessFileOrToAStreamIsInherited() {
        for (String log : List.of("-Xlog:gc:file=/x/gc-%p.log", "-Xlog:gc", "-Xlog:gc*:stderr:uptime", "-Xlog:aot*=off",
                "-Xlog:gc::uptime", "-Xloggc:/x/gc-%p.log", "-XX:LogFile=/x/vm-%p.log")) {
            assertThat(childOptionsWith(log)).as(log).contains(log);
        }
    }

    @Test
    void aHeapDumpPathNamingOneFileIsNotInheritedButADirectoryOrAPerProcessNameIs(@TempDir Path dir) {
        assertThat(childOptionsWith("-XX:HeapDumpPath=" + dir.resolve("heap.hprof"))).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:HeapDumpPath=" + dir)).contains("-XX:HeapDumpPath=" + dir);
        assertThat(childOptionsWith("-XX:HeapDumpPath=/x/heap-%p.hprof")).contains("-XX:HeapDumpPath=/x/heap-%p.hprof");
        // Without a path the JVM writes java_pid<pid>.hprof: the switch itself is harmless.
        assertThat(childOptionsWith("-XX:+HeapDumpOnOutOfMemoryError")).contains("-XX:+HeapDumpOnOutOfMemoryError");
    }

    @Test
    void aFixedCrashReportOrPerfDataFileIsNotInherited() {
        assertThat(childOptionsWith("-XX:ErrorFile=/x/hs_err.log")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:ErrorFile=/x/hs_err_%p.log")).contains("-XX:ErrorFile=/x/hs_err_%p.log");
        assertThat(childOptionsWith("-XX:PerfDataSaveFile=/x/perf.data")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
    }

    @Test
    void aFlightRecordingToAFixedFileIsNotInheritedButOneToAPerProcessFileIs() {
        assertThat(childOptionsWith("-XX:StartFlightRecording=duration=30s,filename=/x/rec.jfr")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:StartFlightRecording:filename=/x/rec.jfr")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-XX:StartFlightRecording:filename=/x/rec-%p.jfr")).contains("-XX:StartFlightRecording:filename=/x/rec-%p.jfr");
        assertThat(childOptionsWith("-XX:StartFlightRecording")).contains("-XX:StartFlightRecording");
    }

    @Test
    void herdsOwnTrainingOptionsAreNotInherited() {
        assertThat(childOptionsWith("-Dherd.aot.training=30000")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
        assertThat(childOptionsWith("-Dherd.aot.childCacheOutput=/x/child.aot")).containsExactly("-XX:+UseSerialGC", "-Xmx64m");
    }

    @Test
    void aFileWriterIsDroppedAlsoWhenAChildCacheIsSwappedIn(@TempDir Path dir) throws IOException {
        Path cache = Files.writeString(dir.resolve("herd-child.aot"), "x");
        System.setProperty(ChildProcesses.CHILD_AOT_CACHE_PROPERTY, cache.toString());
        assertThat(ChildProcesses.childJvmOptions(List.of("-XX:AOTCache=/x/herd.aot", "-Xlog:gc:file=/x/gc.log")))
                .containsExactly("-XX:AOTCache=" + cache);
    }
}
