package dev.herd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The getting-started service (examples/getting-started, docs/getting-started.md) built the way a
 * user builds it and run the way the doc runs it.
 *
 * <p><b>How the test gets Herd's artifacts.</b> The sample's pom imports {@code dev.herd:herd-bom}
 * and depends on {@code dev.herd:herd-node}, which a fresh clone has in no Maven repository
 * ({@code ./herd test} runs {@code verify}, which installs nothing). So, once for the class:
 *
 * <ol>
 *   <li>The reactor's freshly built artifacts — herd-parent's and herd-bom's poms, and the herd-os,
 *       herd-loop, herd-io and herd-node jars this test runs on (from its own class path: jars in a
 *       {@code verify} build, class directories, jarred here, in a {@code test} build) — are
 *       installed with maven-install-plugin's {@code install-file} into a throwaway local repository
 *       in a temporary directory, by one Maven run of a generated pom.
 *   <li>The sample's exact files are copied to a temporary directory and built with
 *       {@code mvn package} against that repository, with the build's own local repository as a
 *       read-only tail ({@code maven.repo.local.tail}, Maven 3.9): plugins and third-party jars come
 *       from there, Herd's from the throwaway one, and nothing is written into the build's own.
 *       Maven is the one running this build ({@code maven.home}, passed in by herd-cli's pom).
 * </ol>
 *
 * <p>Neither run uses {@code -o}: in CI's first build the local repository does not yet hold
 * maven-install-plugin (verify never installs) or maven-dependency-plugin (bench uses it, after
 * herd-cli), and those two runs download them into the throwaway repository. Once the local
 * repository has them, nothing is downloaded and the test works offline. Both runs take a few
 * seconds each.
 *
 * <p>Each test then starts the built {@code target/service.jar} as a real process with the
 * launcher's JVM flags (read from {@code ./herd}), with 2 cluster workers, in a session of its
 * own ({@code setsid}) so that a Ctrl-C can be sent to its whole process group as a terminal
 * does. A process start costs a second or two, so each behaviour gets its own process, and the
 * build is shared.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GettingStartedServiceTest {
    private static final Pattern JAVA_FLAGS = Pattern.compile("(?m)^JAVA_FLAGS=\\(([^)]*)\\)");

    @TempDir
    static Path work;

    private static Path root;
    private static Path app;
    private static List<String> launcherFlags;
    private static Map<String, Path> herdJars;
    /** The throwaway local repository that holds the freshly built Herd artifacts. */
    private static Path repo;

    private final List<Service> started = new ArrayList<>();
    private final List<Long> workerPids = new ArrayList<>();

    @BeforeAll
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    static void buildTheSampleWithMavenAgainstFreshlyInstalledHerdArtifacts() throws Exception {
        root = repositoryRoot();
        launcherFlags = launcherFlags(Files.readString(root.resolve("herd")));
        String version = parentVersion(root.resolve("pom.xml"));
        repo = work.resolve("m2");

        herdJars = new java.util.LinkedHashMap<>();
        for (String module : List.of("herd-os", "herd-loop", "herd-io", "herd-node")) {
            herdJars.put(module, moduleJar(module, version));
        }
        Path installer = work.resolve("installer");
        Files.createDirectories(installer);
        Files.writeString(installer.resolve("pom.xml"), installerPom(version));
        maven(repo, installer.resolve("pom.xml"), "validate");

        app = work.resolve("getting-started");
        copyTree(root.resolve("examples/getting-started"), app);
        maven(repo, app.resolve("pom.xml"), "package");
        assertThat(app.resolve("target/service.jar")).isRegularFile();
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        for (Service s : started) {
            if (s.process.isAlive()) {
                s.process.descendants().forEach(ProcessHandle::destroyForcibly);
                s.process.destroyForcibly().waitFor();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> alive = new ArrayList<>(workerPids);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            alive.removeIf(pid -> !running(pid));
            Thread.sleep(50);
        }
        assertThat(alive).as("workers still running").isEmpty();
    }

    @Test
    void theBuiltServiceRunsOnTheHerdJarsThisBuildMade() throws IOException {
        for (Map.Entry<String, Path> e : herdJars.entrySet()) {
            Path copied;
            try (Stream<Path> lib = Files.list(app.resolve("target/lib"))) {
                copied = lib.filter(p -> p.getFileName().toString().startsWith(e.getKey() + "-")).findFirst().orElseThrow();
            }
            assertThat(Files.mismatch(copied, e.getValue())).as(copied + " vs " + e.getValue()).isEqualTo(-1L);
        }
    }

    @Test
    void everyJsonRouteAnswersIncludingTheWorkerThreadAndExecFileOnes() throws Exception {
        Service s = start();
        int port = s.port;

        HttpResponse<String> hello = send(port, "GET", "/", null);
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(hello.body()).matches("\\{\"service\":\"getting-started\",\"pid\":(\\d+),\"worker\":[12]}");
        long answeredBy = Long.parseLong(hello.body().replaceAll(".*\"pid\":(\\d+).*", "$1"));
        assertThat(workerPids).contains(answeredBy);

        // GET /primes runs a worker_threads Worker; 78498 primes are below one million.
        assertThat(send(port, "GET", "/primes?below=1000000", null).body()).isEqualTo("{\"below\":1000000,\"count\":78498}");
        // GET /kernel runs `uname -sr` with execFile.
        assertThat(send(port, "GET", "/kernel", null).body()).matches("\\{\"kernel\":\"Linux [^\"]+\"}");
        assertThat(send(port, "POST", "/greet", "{\"name\":\"Ada\"}").body()).isEqualTo("{\"greeting\":\"Hello, Ada!\"}");

        HttpResponse<String> badJson = send(port, "POST", "/greet", "{\"name\"");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(badJson.body()).startsWith("{\"error\":");
        assertThat(send(port, "GET", "/primes?below=many", null).statusCode()).isEqualTo(400);
        HttpResponse<String> missing = send(port, "GET", "/nowhere", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"error\":\"no route for GET /nowhere\"}");

        // The jar's manifest (Enable-Native-Access) stands in for --enable-native-access.
        assertThat(s.output()).doesNotContain("WARNING");
    }

    @Test
    void aKilledWorkerIsReplacedAndTheServiceKeepsAnswering() throws Exception {
        Service s = start();
        long victim = workerPids.getFirst();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        s.await("worker " + victim + " died \\(SIGKILL\\); starting a new one");
        workerPids.add(Long.parseLong(s.await("worker (\\d+) ready").group(1)));
        for (int i = 0; i < 4; i++) assertThat(send(s.port, "GET", "/", null).statusCode()).isEqualTo(200);
    }

    @Test
    void ctrlCStopsTheWorkersAndThePrimaryWithExitCode0() throws Exception {
        Service s = start();
        assertThat(send(s.port, "GET", "/", null).statusCode()).isEqualTo(200);
        // A terminal's Ctrl-C: SIGINT to every process of the foreground process group.
        Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + s.process.pid()).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
        s.await("stopping");
        s.await("all workers stopped");
        assertThat(s.process.waitFor(60, TimeUnit.SECONDS)).as(s.output()).isTrue();
        assertThat(s.process.exitValue()).as(s.output()).isZero();
        assertThat(s.output()).doesNotContain("died");
    }

    // ------------------------------------------------------------------ herd run -p

    @Test
    void herdRunDashPBuildsTheSampleAndRunsItWithItsOwnAotCaches() throws Exception {
        Path project = work.resolve("run-p");
        copyTree(root.resolve("examples/getting-started"), project);
        // Options herd run does not know are the program's, as node passes a script's on.
        HerdRun plan = herdRun(project, Map.of(), "--verbose", "x");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.command()).endsWith("--verbose", "x");
        assertThat(plan.err()).contains("herd: building " + project + " (not built by herd run yet)")
                .contains("herd: training the AOT cache of " + project.resolve("target/service.jar"))
                .contains("herd: AOT cache made in");
        // A runnable jar that brings Herd in lib/: run as java -jar, Herd not added.
        assertThat(plan.command()).containsSequence("-jar", project.resolve("target/service.jar").toString());
        assertThat(String.join(" ", plan.command())).doesNotContain("herd-node/target").doesNotContain("/m2/");

        Service s = new Service(plan.command());
        assertThat(mappedAotCaches(s.process.pid())).singleElement().asString().endsWith("/app.aot");
        for (long worker : workerPids) {
            assertThat(mappedAotCaches(worker)).singleElement().asString().endsWith("/child.aot");
        }
        assertThat(send(s.port, "GET", "/primes?below=1000", null).body()).isEqualTo("{\"below\":1000,\"count\":168}");
    }

    @Test
    void herdRunDashPBuildsAgainOnlyWhenASourceChanged() throws Exception {
        Path project = work.resolve("stale");
        copyTree(root.resolve("examples/getting-started"), project);
        Map<String, String> noCache = Map.of("HERD_AOT", "0");
        assertThat(herdRun(project, noCache).err()).contains("herd: building " + project);
        HerdRun again = herdRun(project, noCache);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).isEmpty();

        Path source = project.resolve("src/main/java/com/example/service/PrimeCounter.java");
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2_000));
        HerdRun changed = herdRun(project, noCache);
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        assertThat(changed.err()).contains("herd: building " + project + " (src/main/java/com/example/service/PrimeCounter.java changed)");
    }

    /** What {@code herd run -p} said and the command it wrote. */
    private record HerdRun(int exitCode, String err, List<String> command) {}

    /**
     * {@code herd run --project DIR} planned by {@code dev.herd.cli.Main run} on this test's class
     * path, building with the Maven that runs this build against the throwaway repository.
     */
    private static HerdRun herdRun(Path project, Map<String, String> env, String... args) throws Exception {
        Path commandFile = Files.createTempFile(work, "command", ".bin");
        Path err = Files.createTempFile(work, "herd-run", ".err");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "dev.herd.cli.Main", "run", "--exec-file=" + commandFile,
                "--project", project.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("HERD_"));
        e.put("HERD_HOME", work.resolve("herd-home").toString());
        e.put("HERD_MVN", mavenCommand().toString());
        e.put("MAVEN_ARGS", "-Dmaven.repo.local=" + repo + " -Dmaven.repo.local.tail=" + ownRepository());
        e.put("JAVA_HOME", System.getProperty("java.home"));
        e.putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as(Files.readString(err)).isTrue();
        String text = Files.readString(commandFile);
        List<String> command = text.isEmpty() ? List.of() : List.of(text.substring(0, text.length() - 1).split("\0", -1));
        return new HerdRun(p.exitValue(), Files.readString(err), command);
    }

    /** The AOT cache files mapped into process {@code pid}. */
    private static List<String> mappedAotCaches(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream().filter(l -> l.endsWith(".aot"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct().toList();
    }

    // ------------------------------------------------------------------ the running service

    /** The service as a process; its output goes to a file, which its workers share. */
    private final class Service {
        final Process process;
        final Path out;
        final int port;
        private int consumed;

        Service() throws Exception {
            this(defaultCommand());
        }

        /** The service started by {@code command} (a {@code java} command line) in the sample's directory. */
        Service(List<String> command) throws Exception {
            List<String> cmd = new ArrayList<>();
            cmd.add("setsid");
            cmd.addAll(command);
            out = Files.createTempFile(work, "service", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(app.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(Map.of("PORT", "0", "HOST", "127.0.0.1", "WORKERS", "2"));
            process = pb.start();
            process.getOutputStream().close();
            started.add(this);
            assertThat(Long.parseLong(await("primary (\\d+) starting 2 workers").group(1))).isEqualTo(process.pid());
            // The workers' "ready" lines and the primary's "listening" line come in any order.
            int workers = 0;
            int listeningPort = -1;
            while (workers < 2 || listeningPort < 0) {
                Matcher m = await("worker (\\d+) ready|listening on port (\\d+)");
                if (m.group(1) != null) {
                    workerPids.add(Long.parseLong(m.group(1)));
                    workers++;
                } else {
                    listeningPort = Integer.parseInt(m.group(2));
                }
            }
            port = listeningPort;
        }

        /** Waits for a line after the last one awaited that matches {@code regex}; returns its match. */
        Matcher await(String regex) throws InterruptedException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                List<String> lines = outputLines();
                for (int i = consumed; i < lines.size(); i++) {
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

        /** The complete lines written so far (the last one may still be being written). */
        List<String> outputLines() {
            String text = output();
            List<String> lines = text.lines().toList();
            return text.endsWith("\n") ? lines : lines.subList(0, Math.max(0, lines.size() - 1));
        }

        String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private Service start() throws Exception {
        return new Service();
    }

    /** The doc's command: java with the launcher's flags, -jar target/service.jar. */
    private static List<String> defaultCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(launcherFlags);
        cmd.addAll(List.of("-jar", "target/service.jar"));
        return cmd;
    }

    private static HttpResponse<String> send(int port, String method, String path, String body) throws IOException, InterruptedException {
        // A client per request, closed at once: no idle keep-alive connection holds up a graceful stop.
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }

    // ------------------------------------------------------------------ building the sample

    /** The launcher's JAVA_FLAGS, less --enable-native-access, which the jar's manifest gives. */
    static List<String> launcherFlags(String launcher) {
        Matcher m = JAVA_FLAGS.matcher(launcher);
        assertThat(m.find()).as("JAVA_FLAGS=( ... ) in ./herd").isTrue();
        List<String> flags = new ArrayList<>();
        Matcher word = Pattern.compile("'([^']*)'|(\\S+)").matcher(m.group(1));
        while (word.find()) flags.add(word.group(1) != null ? word.group(1) : word.group(2));
        assertThat(flags).contains("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC");
        flags.remove("--enable-native-access=ALL-UNNAMED");
        return flags;
    }

    /** The jar of {@code module} on this test's class path; a class directory is jarred first. */
    private static Path moduleJar(String module, String version) throws IOException {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (!p.startsWith(root.resolve(module).resolve("target"))) continue;
            if (Files.isRegularFile(p)) return p;
            if (p.endsWith(Path.of("target", "classes"))) return jar(p, work.resolve(module + "-" + version + ".jar"));
        }
        throw new AssertionError(module + " is not on the test class path: " + System.getProperty("java.class.path"));
    }

    private static Path jar(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** A pom whose {@code validate} installs the parent and BOM poms and the module jars. */
    private static String installerPom(String version) {
        StringBuilder executions = new StringBuilder();
        executions.append(installFile("herd-parent", root.resolve("pom.xml"), root.resolve("pom.xml")));
        executions.append(installFile("herd-bom", root.resolve("herd-bom/pom.xml"), root.resolve("herd-bom/pom.xml")));
        herdJars.forEach((module, jar) -> executions.append(installFile(module, jar, root.resolve(module).resolve("pom.xml"))));
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>test.herd</groupId><artifactId>installer</artifactId><version>%s</version><packaging>pom</packaging>
                  <build><plugins><plugin>
                    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-install-plugin</artifactId><version>3.2.0</version>
                    <executions>
                %s    </executions>
                  </plugin></plugins></build>
                </project>
                """.formatted(version, executions);
    }

    private static String installFile(String id, Path file, Path pom) {
        return "      <execution><id>" + id + "</id><phase>validate</phase><goals><goal>install-file</goal></goals>"
                + "<configuration><file>" + file + "</file><pomFile>" + pom + "</pomFile></configuration></execution>\n";
    }

    /** Runs the Maven that runs this build on {@code pom}, with {@code repo} as its local repository. */
    private static void maven(Path repo, Path pom, String phase) throws Exception {
        Path mvn = mavenCommand();
        String ownRepo = ownRepository();
        List<String> cmd = List.of(mvn.toString(), "-B", "-q", "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + ownRepo, "-f", pom.toString(), phase);
        Path log = Files.createTempFile(work, "maven", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(pom.getParent().toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MAVEN_ARGS"); // it may name another local repository
        Process p = pb.start();
        p.getOutputStream().close();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor();
        assertThat(done && p.exitValue() == 0).as(String.join(" ", cmd) + "\n" + Files.readString(log)).isTrue();
    }

    /** The Maven that runs this build ({@code maven.home}), else the checkout's wrapper. */
    private static Path mavenCommand() {
        String home = System.getProperty("herd.mavenHome");
        return home != null && !home.isEmpty() ? Path.of(home, "bin", "mvn") : root.resolve("mvnw");
    }

    /** This build's local repository, which the sample's builds read plugins and third-party jars from. */
    private static String ownRepository() {
        return System.getProperty("herd.localRepository", Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
    }

    private static String parentVersion(Path pom) throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        for (var n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("version")) return e.getTextContent().trim();
        }
        throw new AssertionError("no <version> in " + pom);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted().toList()) {
                Path rel = from.relativize(f);
                if (rel.startsWith("target")) continue;
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(f)) Files.createDirectories(dest);
                else Files.copy(f, dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("herd")) && Files.isDirectory(dir.resolve("examples/getting-started"))) return dir;
        }
        throw new IllegalStateException("no Herd checkout above " + Path.of("").toAbsolutePath());
    }
}
