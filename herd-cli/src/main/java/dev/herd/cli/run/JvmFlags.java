package dev.herd.cli.run;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags {@code herd run} gives a program: the launcher's {@code JAVA_FLAGS} (a test checks
 * the two agree), then {@code HERD_JAVA_OPTS}, then the command's own {@code -J} flags; a later flag
 * overrides an earlier one. docs/getting-started.md explains each.
 */
final class JvmFlags {
    /** The launcher's {@code JAVA_FLAGS}: native access, a lean serial heap, the class-file library left to the interpreter, slf4j's no-provider notice off. */
    static final List<String> HERD = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms8m",
            "-XX:NewSize=1m", "-XX:TrimNativeHeapInterval=1000", "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=CompileThresholdScaling,jdk.internal.classfile.impl.*::*,100.0",
            "-Dslf4j.internal.verbosity=ERROR");

    private JvmFlags() {}

    /**
     * Herd's flags, then {@code herdJavaOpts} split at white space, then {@code extra}.
     *
     * @param herdJavaOpts the value of HERD_JAVA_OPTS, or null
     * @param extra the command line's own flags
     * @return the flags, in order
     */
    static List<String> of(String herdJavaOpts, List<String> extra) {
        List<String> flags = new ArrayList<>(HERD);
        if (herdJavaOpts != null && !herdJavaOpts.isBlank()) flags.addAll(List.of(herdJavaOpts.strip().split("\\s+")));
        flags.addAll(extra);
        return List.copyOf(flags);
    }

    /**
     * The first flag that chooses its own class-data archive or AOT cache (the JVM refuses
     * {@code -XX:AOTCache} next to it), or null.
     *
     * @param flags the JVM flags
     * @return the flag, or null
     */
    static String ownArchive(List<String> flags) {
        for (String f : flags) {
            if (f.startsWith("-Xshare") || f.startsWith("-XX:AOTCache") || f.startsWith("-XX:AOTMode")
                    || f.startsWith("-XX:AOTConfiguration") || f.startsWith("-XX:SharedArchiveFile")
                    || f.startsWith("-XX:SharedClassListFile") || f.startsWith("-XX:DumpLoadedClassList")
                    || f.startsWith("-XX:ArchiveClassesAtExit") || f.contains("AutoCreateSharedArchive")) {
                return f;
            }
        }
        return null;
    }
}
