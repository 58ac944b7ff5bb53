package dev.herd.cli.run;

import dev.herd.node.TrainingRun;
import dev.herd.node.child_process.ChildProcesses;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A program's AOT caches (JDK 25, JEP 483/514): {@code app.aot}, the classes the program loads at
 * start-up, already parsed and linked, and {@code child.aot}, the same for its cluster workers and
 * forked children, whose start differs (the IPC channel, listening through the primary, the HTTP
 * warm-up). Both are made by one separate training run of the program ({@link TrainingRun}), never
 * by a running instance at its exit, and kept in {@code $HERD_HOME/aot/NAME-HASH/}, where HASH is
 * the SHA-256 of the key: the JDK (home and build), the JVM flags, what runs, and the content hash
 * of every class path jar ({@link ContentHashes}). A change to any of them makes a new directory
 * and a new training; the JVM cannot see a jar rewritten at the same size, this key does.
 *
 * <p>The directory holds {@code key} (the key as text), {@code app.aot}, {@code child.aot} (when
 * the program forked a cluster worker in training), {@code training.log} (the training run's
 * output), {@code failed} (why the last training failed) and {@code lock}. A training runs under
 * an exclusive lock of {@code lock}; a {@code herd run} that finds it held does not wait: it runs
 * without a cache this once, and says so. The caches appear by renaming finished files, so a run
 * that reads them never sees half of one. A failed training is not retried until the key changes
 * (or {@code --retrain}): the program runs without a cache, and the failure is said once.
 *
 * <p>The training run has {@code HERD_AOT_TRAINING=1} in its environment, its standard input
 * reads {@code /dev/null}, and its output goes to {@code training.log}. A Herd program ends it by
 * itself once started ({@link TrainingRun}); one that does not run under {@code Herd.run} never
 * would, so it gets SIGTERM after the limit (30 s, or HERD_AOT_TRAINING_LIMIT_MS), on which the JVM
 * writes the cache as it exits. Processes the run leaves behind are killed.
 *
 * <p>The cache is used only for a class path of jars: the JVM refuses a non-empty directory in a
 * cache's class path ("Cannot have non-empty directory in paths").
 *
 * <p>Thread rule: one thread. Lifetime: one {@code herd run}.
 */
final class AotCache {
    static final String APP = "app.aot";
    static final String CHILD = "child.aot";
    static final String KEY = "key";
    static final String LOCK = "lock";
    static final String FAILED = "failed";
    static final String LOG = "training.log";
    /** The training run's default limit, passed to TrainingRun (which ends the program after it); HERD_AOT_TRAINING_LIMIT_MS overrides it. */
    static final long LIMIT_MS = 30_000;
    /** Beyond the limit, how long a Herd program gets to disconnect its workers and write the caches. */
    static final long ENDING_MS = 120_000;
    /** How long a program ended with SIGTERM gets before SIGKILL. */
    static final long TERM_MS = 30_000;

    private final Program program;
    private final Path java;
    private final Path dir;
    private final List<String> key;
    private final long limitMs;

    private AotCache(Program program, Path java, Path dir, List<String> key, long limitMs) {
        this.program = program;
        this.java = java;
        this.dir = dir;
        this.key = key;
        this.limitMs = limitMs;
    }

    /**
     * The cache of {@code program} under {@code herdHome}; hashes its class path jars (remembered
     * ones are not read again).
     *
     * @param herdHome HERD_HOME
     * @param program the program
     * @param java the java launcher that runs it
     * @param limitMs how long a training run may take before it is ended (0: {@link #LIMIT_MS})
     * @return the cache
     * @throws IOException if a jar or the remembered hashes cannot be read
     */
    static AotCache of(Path herdHome, Program program, Path java, long limitMs) throws IOException {
        Path aot = herdHome.resolve("aot");
        ContentHashes hashes = new ContentHashes(aot.resolve("jar-hashes"));
        List<String> key = new ArrayList<>();
        key.add("herd run AOT cache, format 1");
        key.add("java " + java + " " + System.getProperty("java.vm.version"));
        key.add("runs " + program.target());
        for (String f : program.jvmFlags()) key.add("flag " + f);
        for (Path p : program.contents()) key.add("class-path " + hashes.hash(p) + " " + p);
        hashes.save();
        String hash = ContentHashes.sha256(key).substring(0, 16);
        return new AotCache(program, java, aot.resolve(program.shortName() + "-" + hash), List.copyOf(key),
                limitMs > 0 ? limitMs : LIMIT_MS);
    }

    /** {@return the cache's directory} */
    Path dir() {
        return dir;
    }

    /**
     * Why the program cannot have a cache, or null: a directory in its class path, or a flag that
     * chooses its own archive.
     *
     * @return the reason, or null
     */
    String unusable() {
        for (Path p : program.contents()) {
            if (Files.isDirectory(p)) {
                return "the class path has a directory (" + p + "), and the JVM caches classes from jars only";
            }
        }
        String own = JvmFlags.ownArchive(program.jvmFlags());
        return own == null ? null : "the JVM flags choose their own archive (" + own + ")";
    }

    /**
     * The JVM flags that make the program use its caches, after a training run if there is no
     * cache yet; none if there is none to use (said on {@code err} when it is news).
     *
     * @param retrain train again even if a cache, or a failed training, is there
     * @param err where to say what happens
     * @return the flags, possibly none
     * @throws IOException if the directory cannot be written
     */
    List<String> flags(boolean retrain, PrintStream err) throws IOException {
        Path app = dir.resolve(APP);
        if (!retrain && nonEmpty(app)) return useFlags();
        if (!retrain && Files.exists(dir.resolve(FAILED))) return List.of();
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.tryLock()) {
            if (lock == null) {
                err.println("herd: another herd run is training the AOT cache of " + program.target()
                        + "; this run starts without it");
                return List.of();
            }
            if (retrain) {
                for (String f : List.of(APP, CHILD, FAILED)) Files.deleteIfExists(dir.resolve(f));
            } else {
                // The other run may have finished while this one waited for its turn.
                if (nonEmpty(app)) return useFlags();
                if (Files.exists(dir.resolve(FAILED))) return List.of();
            }
            String failure = train(err);
            if (failure == null) return useFlags();
            Files.writeString(dir.resolve(FAILED), failure + "\n", StandardCharsets.UTF_8);
            err.println("herd: the AOT training run failed (" + failure + "; its output: " + dir.resolve(LOG) + "); running"
                    + " without an AOT cache. It is tried again when the class path, the JDK or the JVM flags change,"
                    + " or with herd run --retrain.");
            return List.of();
        }
    }

    private List<String> useFlags() {
        List<String> flags = new ArrayList<>();
        flags.add("-XX:AOTCache=" + dir.resolve(APP));
        Path child = dir.resolve(CHILD);
        // Forked children and cluster workers use the child cache (ChildProcesses.childJvmOptions).
        if (nonEmpty(child)) flags.add("-D" + ChildProcesses.CHILD_AOT_CACHE_PROPERTY + "=" + child);
        return flags;
    }

    /**
     * Runs the training run and publishes its caches; null if it made the program's cache, else why not.
     */
    private String train(PrintStream err) throws IOException {
        Files.writeString(dir.resolve(KEY), String.join("\n", key) + "\n", StandardCharsets.UTF_8);
        Path appTmp = dir.resolve(APP + ".tmp");
        Path childTmp = dir.resolve(CHILD + ".tmp");
        for (Path p : List.of(appTmp, childTmp, dir.resolve(APP + ".tmp.config"), dir.resolve(CHILD + ".tmp.config"))) {
            Files.deleteIfExists(p);
        }
        err.println("herd: training the AOT cache of " + program.target() + " (a short run of the program, once per"
                + " class path, JDK and JVM flags; output in " + dir.resolve(LOG) + ")...");
        long start = System.nanoTime();
        List<String> training = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining",
                "-XX:AOTCacheOutput=" + appTmp, "-D" + TrainingRun.PROPERTY + "=" + limitMs,
                "-D" + TrainingRun.CHILD_CACHE_PROPERTY + "=" + childTmp);
        ProcessBuilder pb = new ProcessBuilder(program.command(java, training))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(LOG).toFile());
        pb.environment().put(TrainingRun.ENV, "1");
        Process p = pb.start();
        String failure;
        try {
            failure = await(p, appTmp);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            failure = "interrupted";
        }
        if (failure == null && !nonEmpty(appTmp)) failure = "it wrote no cache";
        if (failure != null) {
            for (Path f : List.of(appTmp, childTmp)) Files.deleteIfExists(f);
            return failure;
        }
        if (nonEmpty(childTmp)) Files.move(childTmp, dir.resolve(CHILD), StandardCopyOption.ATOMIC_MOVE);
        Files.move(appTmp, dir.resolve(APP), StandardCopyOption.ATOMIC_MOVE);
        err.printf(Locale.ROOT, "herd: AOT cache made in %.1f s (%s)%n", (System.nanoTime() - start) / 1e9, dir);
        return null;
    }

    /**
     * Waits for the training run; null if it ended as a training run should: with exit code 0, or
     * (a program that does not run under Herd.run, which never ends by itself) by the SIGTERM sent
     * after the limit, having written its cache as the JVM does on SIGTERM. Kills what the run left
     * running (a child it did not stop), which it tracks while the run lasts: once the run's first
     * process has exited, orphans are no longer its descendants. A program that says it watches its
     * start-up (TrainingRun.WATCHING) gets the time to end by itself and write its caches.
     */
    private String await(Process p, Path appCache) throws InterruptedException, IOException {
        Set<ProcessHandle> seen = new HashSet<>();
        long begin = System.nanoTime();
        long termAt = 0;
        boolean plainJava = false;
        String failure = null;
        while (!p.waitFor(250, TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(seen::add);
            long ms = (System.nanoTime() - begin) / 1_000_000;
            if (termAt == 0 && ms > limitMs + 5_000 && !said(TrainingRun.WATCHING)) {
                plainJava = true;
                termAt = ms;
                p.destroy();
            } else if (termAt == 0 && ms > limitMs + ENDING_MS) {
                failure = "it did not end within " + ms / 1000 + " s (ended with SIGTERM)";
                termAt = ms;
                p.destroy();
            } else if (termAt != 0 && ms > termAt + TERM_MS) {
                failure = "it did not end within " + ms / 1000 + " s (killed)";
                p.destroyForcibly();
            }
        }
        for (ProcessHandle h : seen) {
            if (h.isAlive()) h.destroyForcibly();
        }
        if (failure != null) return failure;
        if (plainJava) return nonEmpty(appCache) ? null : "it did not run under Herd.run and wrote no cache when ended with SIGTERM";
        return p.exitValue() == 0 ? null : "exit code " + p.exitValue();
    }

    private boolean said(String line) throws IOException {
        return Files.readString(dir.resolve(LOG), StandardCharsets.ISO_8859_1).contains(line);
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
