package dev.herd.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd run} as a user runs it: {@code dev.herd.cli.Main run} in a JVM of its own, planning
 * the command of a real program ({@link TestService}, jarred here without Herd), which the test
 * then starts as the launcher does ({@code exec} of the written command). The programs are real
 * cluster primaries with real workers; AOT caches are made by real training runs in a temporary
 * {@code HERD_HOME} and checked in {@code /proc/PID/maps} of the running processes. Tests that are
 * not about the cache run with {@code HERD_AOT=0}, because a training takes several seconds.
 *
 * <p>The AOT tests need Herd's modules as jars on this test's class path, as {@code ./herd test}
 * ({@code verify}) has them. Each test ends by checking that no process it started is left.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HerdRunTest {
    private static final Pattern REPORT = Pattern.compile("pid=(\\d+) aot=\\[(.*?)] cp=(\\S*) options=(.*)");

    @TempDir
    Path dir;

    private Path herdHome;
    private final List<Running> started = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();

    @BeforeEach
    void herdHome() {
        herdHome = dir.resolve("herd-home");
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        for (Running r : started) {
            if (r.process.isAlive()) {
                r.process.descendants().forEach(ProcessHandle::destroyForcibly);
                r.process.destroyForcibly().waitFor();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> alive = new ArrayList<>(pids);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            alive.removeIf(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            Thread.sleep(50);
        }
        assertThat(alive).as("processes still running").isEmpty();
    }

    // ------------------------------------------------------------------ running programs

    @Test
    void aJarWithoutHerdRunsWithHerdsJarsAddedAndHerdsJvmFlags() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        Plan plan = plan(Map.of("HERD_AOT", "0"), jar.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.command()).containsSequence(JvmFlags.HERD).contains(TestService.class.getName()).doesNotContain("-jar");

        Running service = start(plan.command(), Map.of());
        Report primary = service.report("primary");
        assertThat(primary.classPath()).startsWith(jar + ":");
        assertThat(primary.classPath().split(":")).filteredOn(e -> e.contains("herd-node")).hasSize(1);
        assertThat(primary.options()).containsSequence(JvmFlags.HERD);
        service.report("worker");
        assertThat(get(service.listeningPort())).isEqualTo("ok\n");
        service.stop();
    }

    @Test
    void aJarThatBringsHerdRunsAsJavaJarWithoutASecondCopyOfHerd() throws Exception {
        Path jar = bundledJar(dir.resolve("app"));
        Plan plan = plan(Map.of("HERD_AOT", "0"), jar.toString(), "--some-arg");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.command()).containsSequence("-jar", jar.toString(), "--some-arg").doesNotContain("-cp");

        Running service = start(plan.command(), Map.of());
        Report primary = service.report("primary");
        // Herd comes from the jar's lib/, through its manifest; nothing else is on the class path.
        assertThat(primary.classPath()).isEqualTo(jar.toString());
        Report worker = service.report("worker");
        assertThat(worker.classPath()).isEqualTo(jar.toString());
        assertThat(get(service.listeningPort())).isEqualTo("ok\n");
        service.stop();
    }

    @Test
    void aClassPathAndAMainClassRun() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        Plan plan = plan(Map.of("HERD_AOT", "0"), "--class-path", jar.toString(), TestService.class.getName(), "a", "b");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.command()).containsSequence(TestService.class.getName(), "a", "b");
        Running service = start(plan.command(), Map.of());
        service.report("primary");
        assertThat(get(service.listeningPort())).isEqualTo("ok\n");
        service.stop();
    }

    @Test
    void clusterWorkersGetTheProgramsJvmFlagsButNotTheOnesThatWriteAFile() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        String gcLog = "-Xlog:gc:file=" + dir.resolve("gc.log");
        String heapDump = "-XX:HeapDumpPath=" + dir.resolve("heap.hprof");
        Plan plan = plan(Map.of("HERD_AOT", "0", "HERD_JAVA_OPTS", "-Xmx96m"), "-J" + gcLog, "-J" + heapDump,
                "-J-XX:+HeapDumpOnOutOfMemoryError", jar.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        Running service = start(plan.command(), Map.of("WORKERS", "2"));
        Report primary = service.report("primary");
        assertThat(primary.options()).contains("-Xmx96m", gcLog, heapDump, "-XX:+HeapDumpOnOutOfMemoryError");
        for (int i = 0; i < 2; i++) {
            Report worker = service.report("worker");
            assertThat(worker.options()).containsSequence(JvmFlags.HERD).contains("-Xmx96m", "-XX:+HeapDumpOnOutOfMemoryError")
                    .doesNotContain(gcLog, heapDump);
            assertThat(worker.classPath()).isEqualTo(primary.classPath());
        }
        service.stop();
    }

    @Test
    void withoutTheLauncherHerdRunRunsTheProgramAsItsChildAndExitsWithItsCode() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(planner(jar.toString())).redirectErrorStream(true).redirectOutput(out.toFile());
        environment(pb, Map.of("HERD_AOT", "0", "EXIT_WITH", "5"));
        Process p = pb.start();
        p.getOutputStream().close();
        started.add(new Running(p, out));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(out)).isEqualTo(5);
        assertThat(Files.readString(out)).contains("exiting");
    }

    @Test
    void aMainClassWithoutAClassPathIsAUsageError() throws Exception {
        Plan plan = plan(Map.of("HERD_AOT", "0"), "com.example.Main");
        assertThat(plan.exitCode()).isEqualTo(2);
        assertThat(plan.err()).contains("is not a jar").contains("--class-path CP com.example.Main");
        assertThat(plan.command()).isEmpty();
    }

    @Test
    void theLaunchersJavaFlagsAreTheFlagsHerdRunGivesAProgram() throws IOException {
        Matcher m = Pattern.compile("(?m)^JAVA_FLAGS=\\(([^)]*)\\)").matcher(Files.readString(repositoryRoot().resolve("herd")));
        assertThat(m.find()).as("JAVA_FLAGS=( ... ) in ./herd").isTrue();
        List<String> flags = new ArrayList<>();
        Matcher word = Pattern.compile("'([^']*)'|(\\S+)").matcher(m.group(1));
        while (word.find()) flags.add(word.group(1) != null ? word.group(1) : word.group(2));
        assertThat(flags).isEqualTo(JvmFlags.HERD);
    }

    // ------------------------------------------------------------------ the AOT cache

    @Test
    void theFirstStartTrainsTheCachesOnceAndTheNextStartUsesThemWithoutTraining() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        Plan first = plan(Map.of(), jar.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("herd: training the AOT cache of " + TestService.class.getName()).contains("herd: AOT cache made in");
        Path cacheDir = onlyCacheDir();
        Path app = cacheDir.resolve(AotCache.APP);
        Path child = cacheDir.resolve(AotCache.CHILD);
        assertThat(app).as(training(cacheDir)).isNotEmptyFile();
        assertThat(child).as(training(cacheDir)).isNotEmptyFile();
        assertThat(first.command()).contains("-XX:AOTCache=" + app, "-Dherd.childAotCache=" + child);
        FileTime made = Files.getLastModifiedTime(app);

        Running service = start(first.command(), Map.of());
        assertThat(service.report("primary").aot()).isEqualTo(app.toString());
        assertThat(service.report("worker").aot()).isEqualTo(child.toString());
        service.stop();

        Plan second = plan(Map.of(), jar.toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).doesNotContain("training");
        assertThat(second.command()).isEqualTo(first.command());
        assertThat(Files.getLastModifiedTime(app)).isEqualTo(made);
        Running again = start(second.command(), Map.of());
        assertThat(again.report("primary").aot()).isEqualTo(app.toString());
        again.stop();
    }

    @Test
    void aJarRewrittenAtTheSameSizeWithItsOldModificationTimeGetsANewCache() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        assertThat(plan(Map.of(), jar.toString()).err()).contains("AOT cache made");
        long size = Files.size(jar);
        FileTime mtime = Files.getLastModifiedTime(jar);

        serviceJar(jar, "2");
        Files.setLastModifiedTime(jar, mtime);
        assertThat(Files.size(jar)).isEqualTo(size);
        Plan after = plan(Map.of(), jar.toString());
        assertThat(after.err()).contains("herd: training the AOT cache of " + TestService.class.getName()).contains("AOT cache made");
        try (Stream<Path> dirs = Files.list(herdHome.resolve("aot"))) {
            assertThat(dirs.filter(Files::isDirectory).toList()).hasSize(2);
        }
    }

    @Test
    void twoStartsAtOnceTrainTheCacheOnlyOnce() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        List<PlanProcess> both = List.of(planAsync(Map.of(), jar.toString()), planAsync(Map.of(), jar.toString()));
        List<Plan> plans = new ArrayList<>();
        for (PlanProcess p : both) plans.add(p.await());
        assertThat(plans).allSatisfy(p -> assertThat(p.exitCode()).as(p.err()).isZero());
        assertThat(plans).filteredOn(p -> p.err().contains("herd: training the AOT cache")).hasSize(1);
        for (Plan p : plans) {
            if (p.err().contains("another herd run is training the AOT cache")) {
                assertThat(p.command()).noneMatch(a -> a.startsWith("-XX:AOTCache="));
            } else {
                assertThat(p.command()).anyMatch(a -> a.startsWith("-XX:AOTCache="));
            }
        }
    }

    @Test
    void aFailedTrainingRunsTheProgramWithoutACacheAndIsSaidOnce() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        Plan first = plan(Map.of("FAIL_TRAINING", "1"), jar.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("herd: the AOT training run failed (exit code 3").contains("running without an AOT cache");
        assertThat(first.command()).noneMatch(a -> a.startsWith("-XX:AOTCache="));
        Running service = start(first.command(), Map.of("FAIL_TRAINING", "1"));
        assertThat(service.report("primary").aot()).isEmpty();
        assertThat(get(service.listeningPort())).isEqualTo("ok\n");
        service.stop();

        Plan second = plan(Map.of("FAIL_TRAINING", "1"), jar.toString());
        assertThat(second.exitCode()).isZero();
        assertThat(second.err()).isEmpty();
        assertThat(second.command()).isEqualTo(first.command());
    }

    @Test
    void aProgramNotRunningUnderHerdIsEndedWithSigtermAfterTheTrainingLimitAndGetsItsCache() throws Exception {
        Path jar = jar(dir.resolve("plain.jar"), PlainProgram.class, "1");
        Plan plan = plan(Map.of("HERD_AOT_TRAINING_LIMIT_MS", "1500"), jar.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.err()).contains("herd: AOT cache made in");
        Path app = onlyCacheDir().resolve(AotCache.APP);
        assertThat(Files.readString(onlyCacheDir().resolve(AotCache.LOG))).contains("plain aot=[]");
        Running program = start(plan.command(), Map.of());
        assertThat(program.await("plain aot=\\[(.*)]").group(1)).isEqualTo(app.toString());
    }

    @Test
    void aHerdHomeThatCannotBeWrittenRunsTheProgramWithoutACacheAndSaysWhy() throws Exception {
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        Path notADirectory = Files.writeString(dir.resolve("file"), "a file where HERD_HOME should be");
        Plan plan = plan(Map.of("HERD_HOME", notADirectory.toString()), jar.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.err()).startsWith("herd: running without an AOT cache: java.nio.file.");
        assertThat(plan.command()).noneMatch(a -> a.startsWith("-XX:AOTCache=")).contains(TestService.class.getName());
    }

    @Test
    void aClassPathWithADirectoryRunsWithoutACacheAndSaysWhy() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(classes.resolve("note.txt"), "a class directory");
        Path jar = serviceJar(dir.resolve("service.jar"), "1");
        Plan plan = plan(Map.of(), "--class-path", classes + ":" + jar, TestService.class.getName());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.err()).contains("herd: running without an AOT cache: the class path has a directory (" + classes + ")");
        assertThat(plan.command()).noneMatch(a -> a.startsWith("-XX:AOTCache="));
    }

    // ------------------------------------------------------------------ planning

    /** What one {@code herd run --exec-file} said and wrote. */
    record Plan(int exitCode, String err, List<String> command) {}

    /** A planner still running. */
    private record PlanProcess(Process process, Path err, Path commandFile) {
        Plan await() throws Exception {
            if (!process.waitFor(240, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new AssertionError("herd run did not finish: " + Files.readString(err));
            }
            String text = Files.readString(commandFile, StandardCharsets.UTF_8);
            List<String> command = text.isEmpty() ? List.of() : Arrays.asList(text.substring(0, text.length() - 1).split("\0", -1));
            return new Plan(process.exitValue(), Files.readString(err, StandardCharsets.UTF_8), command);
        }
    }

    private Plan plan(Map<String, String> env, String... args) throws Exception {
        return planAsync(env, args).await();
    }

    private PlanProcess planAsync(Map<String, String> env, String... args) throws IOException {
        Path commandFile = Files.createTempFile(dir, "command", ".bin");
        Path err = Files.createTempFile(dir, "planner", ".err");
        List<String> cmd = planner("--exec-file=" + commandFile);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        environment(pb, env);
        Process p = pb.start();
        p.getOutputStream().close();
        return new PlanProcess(p, err, commandFile);
    }

    /** {@code java -cp THIS_CLASS_PATH dev.herd.cli.Main run ARGS}: herd run, with Herd's jars on its class path. */
    private static List<String> planner(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "dev.herd.cli.Main", "run"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void environment(ProcessBuilder pb, Map<String, String> env) {
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("HERD_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        e.put("HERD_HOME", herdHome.toString());
        e.putAll(env);
    }

    private Path onlyCacheDir() throws IOException {
        try (Stream<Path> dirs = Files.list(herdHome.resolve("aot"))) {
            List<Path> all = dirs.filter(Files::isDirectory).toList();
            assertThat(all).hasSize(1);
            return all.getFirst();
        }
    }

    private static String training(Path cacheDir) throws IOException {
        Path log = cacheDir.resolve(AotCache.LOG);
        return Files.exists(log) ? "training.log:\n" + Files.readString(log, StandardCharsets.ISO_8859_1) : "no training.log";
    }

    // ------------------------------------------------------------------ the running program

    /** One report line of {@link TestService}. */
    record Report(long pid, String aot, String classPath, List<String> options) {}

    /** A program started from a plan; its output goes to a file, which its workers share. */
    private final class Running {
        final Process process;
        final Path out;
        private int consumed;

        Running(Process process, Path out) {
            this.process = process;
            this.out = out;
        }

        /** Waits for the next {@code primary ...} or {@code worker ...} report line. */
        Report report(String who) throws Exception {
            Matcher m = REPORT.matcher(await(who + " pid=.*").group());
            assertThat(m.find()).isTrue();
            Report r = new Report(Long.parseLong(m.group(1)), m.group(2), m.group(3), List.of(m.group(4).split("\\|")));
            pids.add(r.pid());
            return r;
        }

        int listeningPort() throws Exception {
            return Integer.parseInt(await("listening on port (\\d+)").group(1));
        }

        /** SIGTERM: the program disconnects its workers and exits with 0. */
        void stop() throws Exception {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output()).isTrue();
            assertThat(process.exitValue()).as(output()).isZero();
        }

        Matcher await(String regex) throws InterruptedException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String text = output();
                List<String> lines = text.lines().toList();
                int complete = text.endsWith("\n") ? lines.size() : lines.size() - 1;
                for (int i = consumed; i < complete; i++) {
                    Matcher m = p.matcher(lines.get(i));
                    if (m.matches()) {
                        consumed = i + 1;
                        return m;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no line matching " + regex + " in:\n" + output());
        }

        String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private Running start(List<String> command, Map<String, String> env) throws IOException {
        Path out = Files.createTempFile(dir, "program", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        environment(pb, env);
        Process p = pb.start();
        p.getOutputStream().close();
        pids.add(p.pid());
        Running r = new Running(p, out);
        started.add(r);
        return r;
    }

    private static String get(int port) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(30)).build();
            return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    // ------------------------------------------------------------------ the user's jars

    /** Entry times in the jars: fixed, so that two builds of a jar differ only where their content does. */
    private static final long ENTRY_TIME = 1_700_000_000_000L;

    /**
     * The test service's classes in {@code jar}, with a Main-Class and no Herd, and a stored
     * (uncompressed) {@code version.txt} holding {@code version}: one-character versions give
     * jars of the same size.
     */
    static Path serviceJar(Path jar, String version) throws IOException {
        return jar(jar, TestService.class, version);
    }

    /** {@code main}'s classes in {@code jar}, as {@link #serviceJar} does for the test service. */
    private static Path jar(Path jar, Class<?> main, String version) throws IOException {
        Path classes = Path.of(main.getProtectionDomain().getCodeSource().getLocation().getPath());
        String pkg = main.getPackageName().replace('.', '/');
        List<Path> files;
        try (Stream<Path> s = Files.list(classes.resolve(pkg))) {
            files = s.filter(p -> p.getFileName().toString().startsWith(main.getSimpleName())).sorted().toList();
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, "META-INF/MANIFEST.MF", ("Manifest-Version: 1.0\r\nMain-Class: " + main.getName() + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8), false);
            for (Path f : files) put(out, pkg + "/" + f.getFileName(), Files.readAllBytes(f), false);
            put(out, "version.txt", version.getBytes(StandardCharsets.UTF_8), true);
        }
        return jar;
    }

    /**
     * A runnable jar as Maven's jar and dependency plugins make one: {@code app.jar} with the
     * service, and Herd's jars copied to {@code lib/} and named in the manifest's Class-Path.
     */
    private static Path bundledJar(Path appDir) throws IOException {
        Path lib = Files.createDirectories(appDir.resolve("lib"));
        List<String> classPath = new ArrayList<>();
        for (Path herdJar : HerdJars.onThisClassPath()) {
            assertThat(herdJar).as("Herd's modules must be jars here (run the tests with verify)").isRegularFile();
            Files.copy(herdJar, lib.resolve(herdJar.getFileName()));
            classPath.add("lib/" + herdJar.getFileName());
        }
        Path service = serviceJar(Files.createTempFile(appDir, "service", ".jar"), "1");
        Path jar = appDir.resolve("app.jar");
        try (var in = new java.util.jar.JarFile(service.toFile()); JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String manifest = "Manifest-Version: 1.0\r\nMain-Class: " + TestService.class.getName() + "\r\nClass-Path: "
                    + String.join(" ", classPath) + "\r\n\r\n";
            put(out, "META-INF/MANIFEST.MF", wrapManifest(manifest).getBytes(StandardCharsets.UTF_8), false);
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                if (e.getName().startsWith("META-INF/")) continue;
                put(out, e.getName(), in.getInputStream(e).readAllBytes(), false);
            }
        }
        Files.delete(service);
        return jar;
    }

    /** A manifest's lines wrapped at 72 bytes, continuation lines starting with a space. */
    private static String wrapManifest(String manifest) {
        StringBuilder b = new StringBuilder();
        for (String line : manifest.split("\r\n", -1)) {
            while (line.length() > 70) {
                b.append(line, 0, 70).append("\r\n ");
                line = line.substring(70);
            }
            b.append(line).append("\r\n");
        }
        return b.substring(0, b.length() - 2);
    }

    private static void put(JarOutputStream out, String name, byte[] bytes, boolean stored) throws IOException {
        JarEntry e = new JarEntry(name);
        e.setTime(ENTRY_TIME);
        if (stored) {
            CRC32 crc = new CRC32();
            crc.update(bytes);
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            e.setCompressedSize(bytes.length);
            e.setCrc(crc.getValue());
        }
        out.putNextEntry(e);
        out.write(bytes);
        out.closeEntry();
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("herd")) && Files.isDirectory(d.resolve("herd-cli"))) return d;
        }
        throw new IllegalStateException("no Herd checkout above " + Path.of("").toAbsolutePath());
    }
}
