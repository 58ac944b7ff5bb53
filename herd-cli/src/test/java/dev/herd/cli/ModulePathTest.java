package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herd on the module path: every module's {@code module-info.java} is checked here, since the
 * tests themselves run on the class path (herd-parent's pom). A program is started as
 * {@code java --enable-native-access=dev.herd.os --module-path ... -m dev.herd.cli/dev.herd.cli.Main},
 * with the module path made of this test's class path (herd-cli's classes and every dependency's
 * jar), so a descriptor that misses a {@code requires}, an export or an {@code opens} fails here.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModulePathTest {
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            if (p.isAlive()) p.destroyForcibly().waitFor();
        }
        for (Process p : started) {
            for (ProcessHandle child : p.descendants().toList()) {
                assertThat(child.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join()).isNotNull();
            }
        }
    }

    @Test
    void theTimersExampleRunsOnTheModulePathWithNativeAccessForHerdOsAlone() throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = start(out, err, "example", "timers");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stdout = Files.readString(out);
        assertThat(p.exitValue()).as(stdout + Files.readString(err)).isZero();
        assertThat(stdout).contains("setImmediate (check phase)", "work done on a pool thread", "exit (code 0)");
        // A module that calls Linux without native access enabled gets the JDK's warning.
        assertThat(Files.readString(err)).isEmpty();
    }

    @Test
    void aWorkerThreadFindsItsEntryClassInAnExportedPackageOnTheModulePath() throws Exception {
        Path out = dir.resolve("out.txt");
        Process p = start(out, out, "example", "worker-threads");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
        // The workers' entry is dev.herd.examples.WorkerThreads, looked up as public API by herd-node.
        assertThat(text).contains("main thread got:").containsPattern("Atomics.add on one shared Int32: (\\d+) \\(expected \\1\\)");
    }

    @Test
    void aClusterPrimaryOnTheModulePathForksItsWorkersOnTheModulePath() throws Exception {
        Path out = dir.resolve("out.txt");
        start(out, out, "example", "cluster-http", "--workers", "1", "--port", "0", "--host", "127.0.0.1");
        Matcher listening = await(out, "cluster-http listening on 127\\.0\\.0\\.1:(\\d+) with 1 workers.*");
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listening.group(1) + "/"))
                    .timeout(Duration.ofSeconds(10)).build();
            assertThat(client.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("hello world\n");
        }
    }

    @Test
    void herdNodeExportsNodesApiToAllAndItsInternalApiForTheManagerOnlyToTheManager() throws Exception {
        Path out = dir.resolve("out.txt");
        Process p = java(out, out, "--describe-module", "dev.herd.node");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.stream().filter(l -> l.startsWith("exports ")).map(l -> l.substring("exports ".length())))
                .containsExactlyInAnyOrder("dev.herd.node", "dev.herd.node.child_process", "dev.herd.node.cluster",
                        "dev.herd.node.dgram", "dev.herd.node.fs", "dev.herd.node.http", "dev.herd.node.json", "dev.herd.node.manager",
                        "dev.herd.node.net",
                        "dev.herd.node.v8", "dev.herd.node.value", "dev.herd.node.worker_threads");
        assertThat(lines).filteredOn(l -> l.startsWith("qualified exports "))
                .containsExactlyInAnyOrder("qualified exports dev.herd.node.internal.cluster to dev.herd.manager",
                        "qualified exports dev.herd.node.internal.manager to dev.herd.manager");
        // The rest of the internals are in the module and exported to nobody.
        assertThat(lines).contains("contains dev.herd.node.internal", "contains dev.herd.node.internal.ipc",
                "contains dev.herd.node.internal.bootstrap");
        assertThat(lines).filteredOn(l -> l.startsWith("opens ") || l.startsWith("qualified opens ")).isEmpty();
    }

    /** java with the module path, on a module-path JVM's usual native-access flag, and {@code args}. */
    private Process java(Path out, Path err, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=dev.herd.os", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "--module-path", modulePath()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectOutput(out.toFile());
        if (out.equals(err)) b.redirectErrorStream(true);
        else b.redirectError(err.toFile());
        Process p = b.start();
        p.getOutputStream().close();
        started.add(p);
        return p;
    }

    /** {@code herd ARGS} on the module path. */
    private Process start(Path out, Path err, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("-m", "dev.herd.cli/dev.herd.cli.Main"));
        cmd.addAll(Arrays.asList(args));
        return java(out, err, cmd.toArray(String[]::new));
    }

    /**
     * This test's class path without its test classes: herd-cli's classes (an exploded module,
     * with its module-info.class) and the jars of herd-cli's dependencies. The test-only jars
     * (JUnit, AssertJ) are modules too, and are never resolved: nothing requires them.
     */
    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty() && !Path.of(e).endsWith("test-classes")) entries.add(e);
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Waits for a line of {@code out} that matches {@code regex}. */
    private static Matcher await(Path out, String regex) throws IOException, InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(out)) {
                Matcher m = pattern.matcher(line);
                if (m.matches()) return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + regex + " in:\n" + Files.readString(out));
    }
}
