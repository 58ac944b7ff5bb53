package dev.herd.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaCommandTest {
    @TempDir
    Path dir;

    @Test
    void theFlagsLeaveOutTheClassPathAndTheFlagsOfThisProcessAlone() {
        List<String> cmdline = List.of("/jdk/bin/java", "-XX:+UseSerialGC", "-cp", "a.jar:b.jar", "-XX:AOTCacheOutput=x.aot",
                "-agentlib:jdwp=transport=dt_socket", "--enable-native-access", "ALL-UNNAMED", "dev.herd.cli.Main", "jlist");
        assertThat(JavaCommand.flags(cmdline)).containsExactly("-XX:+UseSerialGC", "--enable-native-access", "ALL-UNNAMED");
    }

    @Test
    void theDaemonsAotCacheReplacesTheCommandLinesOwn() throws Exception {
        Path server = Files.writeString(dir.resolve("herd.aot"), "cache");
        List<String> flags = List.of("-XX:+UseSerialGC", "-XX:AOTCache=/x/herd-cli.aot", "-Xlog:aot*=off");
        assertThat(JavaCommand.withAotCache(flags, server.toString()))
                .containsExactly("-XX:+UseSerialGC", "-XX:AOTCache=" + server, "-Xlog:aot*=off");
    }

    @Test
    void aDaemonAotCacheThatIsMissingLeavesTheFlagsAlone() {
        List<String> flags = List.of("-XX:AOTCache=/x/herd-cli.aot");
        assertThat(JavaCommand.withAotCache(flags, dir.resolve("gone.aot").toString())).isEqualTo(flags);
        assertThat(JavaCommand.withAotCache(flags, null)).isEqualTo(flags);
    }

    @Test
    void theCommandLinesOwnFlagsAreNotPassedOn() {
        List<String> flags = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Dherd.cliOnlyFlags=-XX:TieredStopAtLevel=1 -XX:-UsePerfData");
        assertThat(JavaCommand.withoutCliFlags(flags, "-XX:TieredStopAtLevel=1 -XX:-UsePerfData"))
                .containsExactly("-XX:+UseSerialGC");
        assertThat(JavaCommand.withoutCliFlags(flags, null)).isEqualTo(flags);
    }

    @Test
    void aManagerProcessUsesItsOwnAotCacheWhenTheTrainingMadeOne() throws Exception {
        Path server = Files.writeString(dir.resolve("herd.aot"), "cache");
        Path daemon = Files.writeString(dir.resolve("herd-daemon.aot"), "cache");
        assertThat(JavaCommand.cacheFor("daemon", server.toString())).isEqualTo(daemon.toString());
        assertThat(JavaCommand.cacheFor("keeper", server.toString())).isEqualTo(server.toString());
        assertThat(JavaCommand.cacheFor("keeper", null)).isNull();
    }

    @Test
    void aTrainingRunRecordsTheProcessesCacheInsteadOfUsingOne() {
        List<String> flags = List.of("-XX:+UseSerialGC", "-XX:AOTCache=/x/herd-cli.aot", "-Xlog:aot*=off");
        assertThat(JavaCommand.recording(flags, dir.resolve("herd-keeper.aot"))).containsExactly("-XX:+UseSerialGC",
                "-Xlog:aot*=off", "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining",
                "-XX:AOTCacheOutput=" + dir.resolve("herd-keeper.aot"));
    }
}
