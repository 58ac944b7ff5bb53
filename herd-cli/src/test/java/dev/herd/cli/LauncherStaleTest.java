package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's {@code stale} function (./herd), which decides whether {@code ./herd} rebuilds
 * before it runs: run by bash, as the launcher runs it, on a made-up tree in a temporary directory
 * (a real rebuild from inside the build would be both slow and unsafe).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherStaleTest {
    private static final Pattern STALE = Pattern.compile("(?ms)^stale\\(\\) \\{.*?^}$");

    @TempDir
    Path root;

    /** A tree as a finished build leaves it: sources older than the stamp, every jar in place. */
    private void builtTree() throws IOException {
        Instant sources = Instant.now().minusSeconds(3600);
        for (String module : new String[] {"herd-os", "herd-node"}) {
            touch(root.resolve(module).resolve("src/main/java/Main.java"), sources);
            touch(root.resolve(module).resolve("pom.xml"), sources);
            touch(root.resolve("bench/target/lib").resolve(module + "-0.1.0-SNAPSHOT.jar"), sources.plusSeconds(60));
        }
        touch(root.resolve("bench/src/main/java/Bench.java"), sources);
        touch(root.resolve("bench/target/herd-bench-0.1.0-SNAPSHOT.jar"), sources.plusSeconds(60));
        touch(root.resolve("pom.xml"), sources);
        touch(root.resolve("bench/target/herd-build.stamp"), sources.plusSeconds(30));
        // Directories count too (a file added or removed changes its directory's date).
        try (var dirs = Files.walk(root)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) Files.setLastModifiedTime(d, FileTime.from(sources));
        }
    }

    private static void touch(Path file, Instant when) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
        Files.setLastModifiedTime(file, FileTime.from(when));
    }

    /** Runs the launcher's own stale() on {@link #root}: "STALE why" or "FRESH". */
    private String stale() throws Exception {
        String launcher = Files.readString(repositoryRoot().resolve("herd"));
        Matcher m = STALE.matcher(launcher);
        assertThat(m.find()).as("stale() in ./herd").isTrue();
        String script = String.join("\n",
                "set -euo pipefail",
                "shopt -s nullglob",
                "ROOT=\"$1\"",
                "TARGET=$ROOT/bench/target",
                "LIB=$TARGET/lib",
                "STAMP=$TARGET/herd-build.stamp",
                m.group(),
                "if stale; then echo \"STALE $WHY\"; else echo FRESH; fi",
                "");
        Process p = new ProcessBuilder("bash", "-c", script, "stale-test", root.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aFinishedBuildIsNotStale() throws Exception {
        builtTree();
        assertThat(stale()).isEqualTo("FRESH");
    }

    @Test
    void aModuleThatBuildsNoJarDoesNotMakeTheBuildStale() throws Exception {
        builtTree();
        // herd-bom: a pom and no sources, so no jar in bench/target/lib, ever.
        touch(root.resolve("herd-bom/pom.xml"), Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(root.resolve("herd-bom"), FileTime.from(Instant.now().minusSeconds(3600)));
        Files.setLastModifiedTime(root, FileTime.from(Instant.now().minusSeconds(3600)));
        assertThat(stale()).isEqualTo("FRESH");
    }

    @Test
    void aMissingModuleJarMakesTheBuildStale() throws Exception {
        builtTree();
        Files.delete(root.resolve("bench/target/lib/herd-node-0.1.0-SNAPSHOT.jar"));
        assertThat(stale()).isEqualTo("STALE herd-node jar missing");
    }

    @Test
    void aChangedSourceMakesTheBuildStale() throws Exception {
        builtTree();
        touch(root.resolve("herd-os/src/main/java/Main.java"), Instant.now());
        assertThat(stale()).startsWith("STALE herd-os/src/main");
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("herd")) && Files.isDirectory(dir.resolve("herd-os"))) return dir;
        }
        throw new IllegalStateException("no Herd checkout above " + Path.of("").toAbsolutePath());
    }
}
