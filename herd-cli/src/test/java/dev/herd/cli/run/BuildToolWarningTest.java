package dev.herd.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clustered program run inside a build tool's JVM warns, once, that each worker starts the build
 * tool again. The program runs the way {@code mvn exec:java} runs one: Maven's own launcher
 * (plexus-classworlds' {@code Launcher}, from the Maven that runs this build) loads it into a class
 * realm of Maven's JVM, whose command line is the launcher's. The cluster's workers are then forked
 * as {@code java ... Launcher}: each starts classworlds again, which loads the program again (here
 * from a small classworlds configuration rather than all of Maven, so a worker costs one JVM start).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BuildToolWarningTest {
    @TempDir
    Path dir;

    private Process primary;

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        if (primary == null) return;
        List<ProcessHandle> all = new ArrayList<>(primary.descendants().toList());
        all.add(primary.toHandle());
        for (ProcessHandle h : all) h.destroyForcibly();
        for (ProcessHandle h : all) h.onExit().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aClusterPrimaryRunInsideMavensJvmWarnsOnceThatEveryWorkerStartsMavenAgain() throws Exception {
        Path classworlds = classworldsJar();
        StringBuilder conf = new StringBuilder("main is " + TestService.class.getName() + " from app\n\n[app]\n");
        conf.append("  load ").append(HerdRunTest.serviceJar(dir.resolve("service.jar"), "1")).append('\n');
        for (Path herd : HerdJars.onThisClassPath()) conf.append("  load ").append(herd).append('\n');
        Path confFile = Files.writeString(dir.resolve("classworlds.conf"), conf);

        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dclassworlds.conf=" + confFile, "-cp", classworlds.toString(),
                "org.codehaus.plexus.classworlds.launcher.Launcher", "exec:java")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HERD_"));
        pb.environment().put("WORKERS", "2");
        primary = pb.start();
        primary.getOutputStream().close();

        String text = awaitLine(out, "listening on port \\d+");
        // Both workers are the program again, started through Maven's launcher.
        assertThat(text).containsPattern("worker pid=\\d+ aot=\\[] cp=" + Pattern.quote(classworlds.toString()));
        Matcher warning = Pattern.compile("\\(herd:" + primary.pid() + "\\) HerdWarning: this program runs inside Maven's JVM.*")
                .matcher(text);
        assertThat(warning.find()).as(text).isTrue();
        assertThat(warning.group()).contains("`herd run -p .`").contains("java -jar");
        assertThat(text.split("HerdWarning", -1)).as(text).hasSize(2);

        primary.destroy(); // SIGTERM: the program disconnects its workers and exits
        assertThat(primary.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(primary.exitValue()).as(Files.readString(out)).isZero();
    }

    /** plexus-classworlds from the Maven that runs this build ({@code herd.mavenHome}, set by herd-cli's pom). */
    private static Path classworldsJar() throws Exception {
        String home = System.getProperty("herd.mavenHome");
        assertThat(home).as("herd.mavenHome (herd-cli's pom passes maven.home)").isNotBlank();
        try (DirectoryStream<Path> boot = Files.newDirectoryStream(Path.of(home, "boot"), "plexus-classworlds-*.jar")) {
            for (Path p : boot) return p;
        }
        throw new AssertionError("no plexus-classworlds jar in " + home + "/boot");
    }

    private static String awaitLine(Path out, String regex) throws Exception {
        Pattern p = Pattern.compile("(?m)^" + regex + "$");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.matcher(text).find()) return text;
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + regex + " in:\n" + Files.readString(out, StandardCharsets.UTF_8));
    }
}
