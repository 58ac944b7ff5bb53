package dev.herd.node.child_process;

import dev.herd.node.TrainingRun;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * In an AOT training run's first process ({@link TrainingRun}), the JVM options that make the
 * first cluster worker record the AOT cache for forked children: {@code -XX:AOTCacheOutput} with
 * the file named by {@value TrainingRun#CHILD_CACHE_PROPERTY}. Only one worker records, so no two
 * JVMs write the file; the others, and {@code fork()} children that are not cluster workers, record
 * nothing. A worker's start differs from its primary's (its IPC channel, listening through the
 * primary, the HTTP warm-up), hence a cache of its own, as the launcher's child cache.
 *
 * <p>Thread rule: the loop thread that forks. Lifetime: the process's (one worker, once).
 */
final class TrainingChild {
    private static final AtomicBoolean RECORDED = new AtomicBoolean();

    private TrainingChild() {}

    /**
     * Makes {@code jvmOptions}, a forked JVM child's options, record the children's AOT cache if
     * this is a training run's first process and the child its first cluster worker: adds
     * {@code -XX:AOTCacheOutput} and removes the options the JVM refuses next to it (another cache
     * or CDS archive). Otherwise leaves them alone.
     *
     * @param jvmOptions the child's JVM options, changed in place
     * @param childEnv the child's environment (a cluster worker's has NODE_UNIQUE_ID), or null
     */
    static void addRecordingOptions(List<String> jvmOptions, Map<String, String> childEnv) {
        String cache = System.getProperty(TrainingRun.CHILD_CACHE_PROPERTY);
        if (cache == null || cache.isEmpty() || childEnv == null || !childEnv.containsKey("NODE_UNIQUE_ID")) return;
        if (!RECORDED.compareAndSet(false, true)) return;
        // "AOTCacheOutput cannot be used at the same time with -Xshare:..., DumpLoadedClassList,
        // SharedClassListFile, or SharedArchiveFile" (JDK 25), nor with another cache.
        jvmOptions.removeIf(o -> o.startsWith("-Xshare:") || o.startsWith("-XX:SharedArchiveFile=")
                || o.startsWith("-XX:SharedClassListFile=") || o.startsWith("-XX:DumpLoadedClassList=")
                || o.startsWith("-XX:AOTCache=") || o.startsWith("-XX:AOTMode=") || o.startsWith("-XX:AOTCacheOutput="));
        // As herd run records the first process's cache: without JEP 515's method profiles, which
        // make the JIT compile more at start-up when replayed (docs/studies/2026-12-03-jvm-flags.md,
        // "Flag study").
        jvmOptions.addAll(0, List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining", "-XX:AOTCacheOutput=" + cache));
    }
}
