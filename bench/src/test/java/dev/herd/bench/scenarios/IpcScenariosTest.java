package dev.herd.bench.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.internal.ipc.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class IpcScenariosTest {
    @Test
    void aOnewayMessageIsOneKibOnTheWireForASevenDigitSeq() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", 1234567);
        m.put("data", IpcOneway1k.DATA);
        assertThat(Serialization.JSON.encode(m)).hasSize(IpcOneway1k.LINE_BYTES);
    }

    @Test
    void roundsAreWarmupPlusTimedAndZeroForMalformedArguments() {
        assertThat(IpcArgs.rounds(new String[] {"100", "2", "3"})).isEqualTo(5);
        assertThat(IpcArgs.rounds(new String[] {"100", "x", "3"})).isZero();
        assertThat(IpcArgs.rounds(new String[] {"100", "2"})).isZero();
    }

    @Test
    void theForkCacheKeyChangesWhenAJarIsRebuiltWithTheSameSize(@TempDir Path dir) throws Exception {
        Path jar = Files.write(dir.resolve("a.jar"), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        String before = ForkChildJvm.key("x.Main", List.of("-XX:+UseSerialGC"), jar.toString());
        Files.write(jar, new byte[] {4, 5, 6});
        Files.setLastModifiedTime(jar, FileTime.fromMillis(2_000_000));
        assertThat(ForkChildJvm.key("x.Main", List.of("-XX:+UseSerialGC"), jar.toString())).isNotEqualTo(before);
    }

    @Test
    void theForkCacheKeyNamesTheFlagsAndTheMainClass(@TempDir Path dir) throws Exception {
        String cp = Files.write(dir.resolve("a.jar"), new byte[] {1}).toString();
        String key = ForkChildJvm.key("x.Main", List.of("-XX:+UseSerialGC"), cp);
        assertThat(ForkChildJvm.key("x.Main", List.of("-XX:+UseParallelGC"), cp)).isNotEqualTo(key);
        assertThat(ForkChildJvm.key("x.Other", List.of("-XX:+UseSerialGC"), cp)).isNotEqualTo(key);
        assertThat(ForkChildJvm.key("x.Main", List.of("-XX:+UseSerialGC"), cp)).isEqualTo(key);
    }
}
