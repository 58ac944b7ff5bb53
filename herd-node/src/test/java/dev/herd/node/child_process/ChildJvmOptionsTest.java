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

/** The default JVM options of a forked Herd child: the parent's, with the launcher's child AOT cache swapped in. */
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
}
