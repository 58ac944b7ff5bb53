package dev.herd.cli.run;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * {@code herd run -p DIR}: a single-module Maven project as a program. It is built with
 * {@code -B -q -DskipTests package dependency:build-classpath} when stale: no build yet by
 * {@code herd run} ({@code target/herd-run.stamp}), no jar in {@code target/}, or a file under
 * {@code src/}, {@code pom.xml} or {@code .mvn/} newer than the last build's start (directories
 * count, so adding, removing or renaming a file counts too, as in the launcher). The build's
 * output goes to a log, shown only if it fails. Maven is {@code HERD_MVN} if set, else the
 * project's {@code ./mvnw}, else {@code mvn} on the PATH, else the Herd checkout's {@code ./mvnw}.
 *
 * <p>The jar is the newest {@code target/*.jar} that is not a sources, javadoc or tests jar. A jar
 * whose manifest names a {@code Main-Class} and a {@code Class-Path} whose jars all exist (as the
 * getting-started sample's does) runs as {@code java -jar}; otherwise the program is that jar
 * plus the project's run-time dependencies (the class path {@code dependency:build-classpath}
 * wrote to {@code target/herd-run.classpath}, made again when {@code pom.xml} is newer than it).
 * The main class: {@code --main}, else the manifest's {@code Main-Class}, else the pom's
 * {@code exec.mainClass} property.
 *
 * <p>Thread rule: one thread. Stateless.
 */
final class MavenProject {
    static final String STAMP = "herd-run.stamp";
    static final String CLASS_PATH = "herd-run.classpath";
    /** How long a build may take. */
    static final long BUILD_LIMIT_S = 900;

    private MavenProject() {}

    /** What the project runs: a jar, its class path and its main class. */
    record Resolved(Path jar, List<Path> classPath, String mainClass, boolean runnableJar) {}

    /**
     * Builds the project if stale and finds what it runs.
     *
     * @param dir the project directory
     * @param mainOverride the main class given on the command line, or null
     * @param herdRoot the Herd checkout (for its ./mvnw), or null
     * @param err where to say that it builds
     * @return what to run
     * @throws RunException if there is no pom, the build fails, or no main class is found
     * @throws IOException if the project cannot be read
     * @throws InterruptedException if interrupted while Maven runs
     */
    static Resolved resolve(Path dir, String mainOverride, Path herdRoot, PrintStream err)
            throws IOException, InterruptedException {
        Path pom = dir.resolve("pom.xml");
        if (!Files.isRegularFile(pom)) throw new RunException("no pom.xml in " + dir);
        Path target = dir.resolve("target");
        String why = staleness(dir);
        Path cp = target.resolve(CLASS_PATH);
        if (why != null) {
            err.println("herd: building " + dir + " (" + why + ")...");
            Files.createDirectories(target);
            // The stamp's date is taken before the build starts, so a file saved during the build
            // is newer than the stamp and the next run builds again.
            Path next = target.resolve(STAMP + ".next");
            Files.writeString(next, "");
            maven(dir, herdRoot, List.of("package", "dependency:build-classpath"));
            Files.move(next, target.resolve(STAMP), StandardCopyOption.REPLACE_EXISTING);
        } else if (!Files.isRegularFile(cp) || Files.getLastModifiedTime(cp).compareTo(Files.getLastModifiedTime(pom)) < 0) {
            maven(dir, herdRoot, List.of("dependency:build-classpath"));
        }
        Path jar = mainJar(target);
        if (jar == null) throw new RunException("the build made no jar in " + target);
        String manifestMain = ClassPaths.mainClass(jar);
        String main = mainOverride != null ? mainOverride : manifestMain != null ? manifestMain : pomProperty(pom, "exec.mainClass");
        if (main == null) {
            throw new RunException("no main class: give --main CLASS, or set Main-Class in the jar's manifest or the property"
                    + " exec.mainClass in " + pom);
        }
        List<Path> manifestCp = ClassPaths.manifestClassPath(jar);
        boolean runnable = mainOverride == null && manifestMain != null && !manifestCp.isEmpty()
                && manifestCp.stream().allMatch(Files::isRegularFile);
        List<Path> classPath = new ArrayList<>();
        classPath.add(jar);
        if (!runnable && Files.isRegularFile(cp)) {
            classPath.addAll(ClassPaths.entries(Files.readString(cp, StandardCharsets.UTF_8).strip(), dir));
        }
        return new Resolved(jar, classPath, main, runnable);
    }

    /** Why the project must be built, or null if it need not be. */
    static String staleness(Path dir) throws IOException {
        Path target = dir.resolve("target");
        Path stamp = target.resolve(STAMP);
        if (!Files.isRegularFile(stamp)) return "not built by herd run yet";
        if (mainJar(target) == null) return "no jar in target/";
        FileTime built = Files.getLastModifiedTime(stamp);
        for (String name : List.of("pom.xml", "src", ".mvn")) {
            Path p = dir.resolve(name);
            if (!Files.exists(p)) continue;
            try (Stream<Path> files = Files.walk(p)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.getLastModifiedTime(f).compareTo(built) > 0) return dir.relativize(f) + " changed";
                }
            }
        }
        return null;
    }

    /** The newest jar in {@code target} that is the main artifact (not sources, javadoc or tests), or null. */
    static Path mainJar(Path target) throws IOException {
        if (!Files.isDirectory(target)) return null;
        Path best = null;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target, "*.jar")) {
            for (Path p : s) {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (n.endsWith("-sources.jar") || n.endsWith("-javadoc.jar") || n.endsWith("-tests.jar")
                        || n.endsWith("-test-sources.jar") || n.startsWith("original-") || !Files.isRegularFile(p)) {
                    continue;
                }
                if (best == null || Files.getLastModifiedTime(p).compareTo(Files.getLastModifiedTime(best)) > 0) best = p;
            }
        }
        return best;
    }

    /** Runs Maven in {@code dir} with {@code goals}; its output goes to a log shown if it fails. */
    private static void maven(Path dir, Path herdRoot, List<String> goals) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(mavenCommand(dir, herdRoot, System.getenv()));
        cmd.addAll(List.of("-B", "-q", "-DskipTests", "-DincludeScope=runtime",
                "-Dmdep.outputFile=" + dir.resolve("target").resolve(CLASS_PATH)));
        cmd.addAll(goals);
        Path log = Files.createTempFile("herd-run-build", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(BUILD_LIMIT_S, java.util.concurrent.TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new RunException("the build did not finish within " + BUILD_LIMIT_S + " s: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new RunException("the build failed (" + String.join(" ", cmd) + " exited with " + p.exitValue() + "):\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The Maven to build {@code dir} with: HERD_MVN, else the project's ./mvnw, else mvn on the
     * PATH, else the Herd checkout's ./mvnw.
     *
     * @param dir the project
     * @param herdRoot the Herd checkout, or null
     * @param env the environment
     * @return the command
     */
    static String mavenCommand(Path dir, Path herdRoot, Map<String, String> env) {
        String explicit = env.get("HERD_MVN");
        if (explicit != null && !explicit.isBlank()) return explicit;
        if (Files.isExecutable(dir.resolve("mvnw"))) return dir.resolve("mvnw").toString();
        for (String p : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "mvn"))) return Path.of(p, "mvn").toString();
        }
        if (herdRoot != null && Files.isExecutable(herdRoot.resolve("mvnw"))) return herdRoot.resolve("mvnw").toString();
        throw new RunException("no Maven to build " + dir + ": give one in HERD_MVN, or put mvn on the PATH, or ./mvnw in the project");
    }

    /** A property from the pom's own {@code <properties>}, or null. */
    static String pomProperty(Path pom, String name) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element project = f.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
            for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (!(n instanceof Element e) || !e.getTagName().equals("properties")) continue;
                for (Node q = e.getFirstChild(); q != null; q = q.getNextSibling()) {
                    if (q instanceof Element p && p.getTagName().equals(name)) return p.getTextContent().strip();
                }
            }
        } catch (Exception e) {
            // an unreadable pom: Maven says what is wrong with it when it builds
        }
        return null;
    }
}
