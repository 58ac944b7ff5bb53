package dev.herd.bench.scenarios;

import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a benchmark forks a Herd child JVM that must start fast (fork-first-message): the JVM
 * flags, and an AOT cache (JDK 25, JEP 483/514) of the classes the child loads, made by one
 * training fork of the child itself with the same flags and class path.
 *
 * <p>The cache lives next to the bench jar ({@code bench/target/fork-child-<main>-<hash>.aot},
 * the hash of its key; making one deletes the main class's others). The key names the JDK, the
 * flags, the main class, the class path and every jar's size and date. JDK 25 validates a cached
 * jar by its size only, so the dates in the key are what makes a rebuilt jar of the same size get
 * a new cache (the launcher's cache has the same rule).
 * A training fork that fails leaves no cache and the child runs without one; the reason goes to
 * stderr.
 *
 * <p>{@code HERD_BENCH_FORK_FLAGS} replaces {@link #FAST_START_FLAGS} (words separated by spaces;
 * the word {@code AOT} stands for the AOT cache made for the other words): the flags tried in
 * docs/studies/2026-12-03-ipc.md (fork-first-message) were run this way.
 *
 * <p>Thread rule: the Herd loop thread.
 */
final class ForkChildJvm {
    /**
     * The flags the study found fastest to a first message (see docs/studies/2026-12-03-ipc.md,
     * fork-first-message); {@code AOT} is the AOT cache.
     */
    static final List<String> FAST_START_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "AOT");

    private static final String AOT = "AOT";

    private ForkChildJvm() {}

    /** The flags in effect: HERD_BENCH_FORK_FLAGS if set, else {@link #FAST_START_FLAGS}. */
    static List<String> flags() {
        String env = System.getenv("HERD_BENCH_FORK_FLAGS");
        if (env == null) return FAST_START_FLAGS;
        return env.isBlank() ? List.of() : List.of(env.trim().split("\\s+"));
    }

    /**
     * Calls {@code then} with the full execArgv (flags, cache, class path) of a fast-starting
     * child running {@code mainClass}, after making its AOT cache if the flags ask for one and it
     * is missing or stale.
     */
    static void fastStartOptions(String mainClass, Consumer<List<String>> then) {
        List<String> flags = flags();
        String classPath = System.getProperty("java.class.path");
        List<String> base = new ArrayList<>();
        base.add("--enable-native-access=ALL-UNNAMED");
        for (String f : flags) {
            if (!f.equals(AOT)) base.add(f);
        }
        if (!flags.contains(AOT)) {
            then.accept(withClassPath(base, classPath));
            return;
        }
        String key = key(mainClass, base, classPath);
        String prefix = "fork-child-" + mainClass.substring(mainClass.lastIndexOf('.') + 1) + "-";
        Path cache = directory().resolve(prefix + hash(key) + ".aot");
        List<String> withCache = new ArrayList<>(base);
        // Quiet: a cache the JVM cannot use (another JDK build) must not print into the benchmark.
        withCache.addAll(List.of("-XX:AOTCache=" + cache, "-Xlog:aot*=off", "-Xlog:cds*=off"));
        if (Files.isRegularFile(cache)) {
            then.accept(withClassPath(withCache, classPath));
            return;
        }
        Path tmp = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        List<String> training = new ArrayList<>(base);
        training.addAll(List.of("-XX:AOTCacheOutput=" + tmp, "-Xlog:aot*=off", "-Xlog:cds*=off"));
        System.err.println("fork-child: making the child's AOT cache " + cache.getFileName() + " (once per build)...");
        // The JVM reports the cache's assembly on stdout and stderr: kept out of the benchmark's
        // output unless the training fails.
        ChildProcess c = ChildProcesses.fork(mainClass, List.of(), SpawnOptions.builder()
                .execArgv(withClassPath(training, classPath)).stdio("ignore", "ignore", "pipe", "ipc").build());
        StringBuilder stderr = new StringBuilder();
        c.stderr().setEncoding("utf8");
        c.stderr().on("data", a -> stderr.append((String) a[0]));
        c.on("message", a -> {});
        c.on("close", a -> {
            if (Integer.valueOf(0).equals(a[0]) && moveInPlace(tmp, cache)) {
                deleteOthers(cache, prefix);
                then.accept(withClassPath(withCache, classPath));
                return;
            }
            System.err.print(stderr);
            System.err.println("fork-child: the training run exited with " + a[0] + " and made no AOT cache;"
                    + " running without one");
            deleteQuietly(tmp);
            deleteQuietly(Path.of(tmp + ".config"));
            then.accept(withClassPath(base, classPath));
        });
    }

    /** Renames the training's output to the cache's name; false if there is no output or it fails. */
    private static boolean moveInPlace(Path tmp, Path cache) {
        try {
            if (!Files.isRegularFile(tmp) || Files.size(tmp) == 0) return false;
            Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            System.err.println("fork-child: cannot keep the AOT cache: " + e);
            return false;
        }
    }

    /** Deletes this child's caches for older builds or other flags (some 20 MB each); best effort. */
    private static void deleteOthers(Path cache, String prefix) {
        try (var siblings = Files.newDirectoryStream(cache.getParent(), prefix + "*.aot")) {
            for (Path p : siblings) {
                if (!p.equals(cache)) deleteQuietly(p);
            }
        } catch (IOException e) {
            // stale caches only cost disk space
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover file costs only disk space
        }
    }

    private static List<String> withClassPath(List<String> options, String classPath) {
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of("-cp", classPath));
        return List.copyOf(all);
    }

    /** What the cache depends on: the JDK, the flags, the main class, the jars and their sizes and dates. */
    static String key(String mainClass, List<String> flags, String classPath) {
        StringBuilder k = new StringBuilder()
                .append(System.getProperty("java.home")).append('\n')
                .append(Runtime.version()).append('\n')
                .append(String.join(" ", flags)).append('\n')
                .append(mainClass).append('\n');
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            k.append(entry);
            try {
                if (Files.isRegularFile(p)) k.append(' ').append(Files.size(p)).append(' ').append(Files.getLastModifiedTime(p).toMillis());
            } catch (IOException e) {
                k.append(" ?");
            }
            k.append('\n');
        }
        return k.toString();
    }

    private static String hash(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bench jar's directory (bench/target), or the temporary directory when run from classes. */
    private static Path directory() {
        try {
            var source = ForkChildJvm.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path p = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(p)) return p.getParent();
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException ignored) {
            // fall through
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
