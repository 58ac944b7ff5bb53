package dev.herd.cli.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code herd run}: the {@code java} command line that runs a user's program with Herd's JVM
 * flags and the program's own AOT cache. What to run is a jar ({@code java -jar}), a class path
 * and a main class, or a single-module Maven project (built first when stale: {@link MavenProject}).
 * When the program's class path (manifest {@code Class-Path}s included) does not hold Herd, Herd's
 * own jars are added to it ({@link HerdJars}), and a jar then runs as {@code -cp JAR:HERD MAIN};
 * a class path that holds Herd gets no second copy.
 *
 * <p>The JVM flags are Herd's ({@link JvmFlags}: the launcher's), then {@code HERD_JAVA_OPTS}, then
 * the request's. Unless {@code HERD_AOT=0} or the request says no, the program gets its AOT caches
 * ({@link AotCache}: trained on first use, stored under {@code $HERD_HOME/aot}, default
 * {@code ~/.herd}); a program whose class path has a directory runs without one, and is told so.
 * Cluster workers and {@code fork()} children the program starts get the same flags and class
 * path ({@code ChildProcesses.childJvmOptions}), with the children's cache instead of the
 * program's and without the flags that write a file.
 *
 * <p>The caller runs the command: the launcher replaces itself with it ({@code exec}), so the
 * program has the pid a terminal or a process manager started. Thread rule: one thread. Stateless.
 */
public final class HerdRun {
    private HerdRun() {}

    /**
     * What to run, as the command line gave it: exactly one of {@code jar}, {@code mainClass}
     * (with {@code classPath}) or {@code project}.
     *
     * @param jar a jar to run, or null
     * @param classPath the class path for {@code mainClass}, or null
     * @param mainClass the main class; with {@code jar} or {@code project} it overrides the
     *     manifest's, or null
     * @param project a Maven project directory, or null
     * @param args the program's arguments
     * @param jvmFlags JVM flags after Herd's and HERD_JAVA_OPTS
     * @param aot whether the program may have its AOT cache
     * @param retrain whether to train the cache again even if there is one
     */
    public record Request(Path jar, String classPath, String mainClass, Path project, List<String> args,
                          List<String> jvmFlags, boolean aot, boolean retrain) {
        /** Copies the lists. */
        public Request {
            args = List.copyOf(args);
            jvmFlags = List.copyOf(jvmFlags);
        }
    }

    /**
     * The command line that runs {@code request}, after building its project and training its
     * AOT cache if needed.
     *
     * @param request what to run
     * @param env the environment (HERD_HOME, HERD_JAVA_OPTS, HERD_AOT, HERD_AOT_TRAINING_LIMIT_MS,
     *     HERD_MVN, PATH)
     * @param cwd the directory relative paths are in
     * @param herdRoot the Herd checkout the launcher runs from (its ./mvnw builds a project that
     *     has no Maven of its own), or null
     * @param err where to say what happens (building, training, no cache)
     * @return the command line, starting with the java launcher
     * @throws RunException if the request cannot be run (said in its message)
     * @throws IOException if a file cannot be read or written
     * @throws InterruptedException if interrupted while a build or a training runs
     */
    public static List<String> command(Request request, Map<String, String> env, Path cwd, Path herdRoot, PrintStream err)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Program program = program(request, JvmFlags.of(env.get("HERD_JAVA_OPTS"), request.jvmFlags()), cwd, herdRoot, err);
        List<String> extra = List.of();
        if (request.aot() && !"0".equals(env.get("HERD_AOT"))) {
            long limitMs = trainingLimitMs(env);
            try {
                AotCache cache = AotCache.of(herdHome(env), program, java, limitMs);
                String unusable = cache.unusable();
                if (unusable != null) err.println("herd: running without an AOT cache: " + unusable);
                else extra = cache.flags(request.retrain(), err);
            } catch (IOException e) {
                // The cache is an optimisation: a HERD_HOME that cannot be written must not stop the program.
                err.println("herd: running without an AOT cache: " + e);
            }
        }
        return program.command(java, extra);
    }

    /**
     * HERD_HOME: Herd's directory for this user (AOT caches now; the process manager's state later).
     *
     * @param env the environment
     * @return {@code $HERD_HOME}, else {@code ~/.herd}
     */
    public static Path herdHome(Map<String, String> env) {
        String home = env.get("HERD_HOME");
        return home != null && !home.isBlank() ? Path.of(home).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".herd");
    }

    /** HERD_AOT_TRAINING_LIMIT_MS if it is a positive number, else 0 (the default). */
    static long trainingLimitMs(Map<String, String> env) {
        try {
            return Math.max(0, Long.parseLong(env.getOrDefault("HERD_AOT_TRAINING_LIMIT_MS", "0").strip()));
        } catch (NumberFormatException e) {
            throw new RunException("HERD_AOT_TRAINING_LIMIT_MS must be a number of milliseconds, not '"
                    + env.get("HERD_AOT_TRAINING_LIMIT_MS") + "'");
        }
    }

    /** What runs: the jar, class path or project of the request, with Herd's jars if it lacks Herd. */
    static Program program(Request r, List<String> flags, Path cwd, Path herdRoot, PrintStream err)
            throws IOException, InterruptedException {
        int given = (r.jar() != null ? 1 : 0) + (r.classPath() != null ? 1 : 0) + (r.project() != null ? 1 : 0);
        if (given != 1) throw new RunException("give one of: a jar, --class-path CP with a main class, or --project DIR");
        Path jar;
        List<Path> classPath;
        // jar stays set only for a runnable jar that runs as java -jar
        String main = r.mainClass();
        if (r.project() != null) {
            MavenProject.Resolved p = MavenProject.resolve(cwd.resolve(r.project()).toAbsolutePath().normalize(), main, herdRoot, err);
            jar = p.runnableJar() ? p.jar() : null;
            classPath = p.classPath();
            main = p.mainClass();
        } else if (r.jar() != null) {
            jar = cwd.resolve(r.jar()).toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar)) throw new RunException("no such jar: " + jar);
            String manifestMain = ClassPaths.mainClass(jar);
            if (main == null && manifestMain == null) {
                throw new RunException(jar + " has no Main-Class in its manifest: give the main class with --main CLASS");
            }
            if (main == null) {
                main = manifestMain;
            } else {
                jar = null; // another main class than the manifest's: run the jar as a class path
            }
            classPath = List.of(cwd.resolve(r.jar()).toAbsolutePath().normalize());
        } else {
            jar = null;
            if (main == null) throw new RunException("--class-path needs a main class: herd run --class-path CP MAIN [ARGS...]");
            classPath = ClassPaths.entries(r.classPath(), cwd);
        }
        if (!HerdJars.present(ClassPaths.withManifestClassPaths(classPath))) {
            List<Path> withHerd = new ArrayList<>(classPath);
            withHerd.addAll(HerdJars.onThisClassPath());
            classPath = withHerd;
            jar = null; // java -jar ignores -cp: the jar becomes a class path entry
        }
        return jar != null ? new Program(flags, jar, List.of(jar), main, r.args())
                : new Program(flags, null, classPath, main, r.args());
    }
}
