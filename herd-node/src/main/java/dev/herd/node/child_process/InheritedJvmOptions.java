package dev.herd.node.child_process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of a parent JVM's options a forked Herd child (a cluster worker, a {@code fork()} child)
 * inherits: all of them except the ones that make the JVM write a file of a fixed name. A parent
 * and its children writing one file at once corrupt it or race for it (every cluster worker of a
 * training run with {@code -XX:AOTCacheOutput} wrote the parent's cache), and a child's file would
 * overwrite the parent's. A name with {@code %p}, which the JVM replaces with the pid, is per
 * process and kept.
 *
 * <p>The options, from the JDK 25 {@code java} manual and HotSpot's flag list:
 * <ul>
 *   <li>AOT and CDS archives written at exit or on start: {@code -XX:AOTCacheOutput},
 *       {@code -XX:AOTMode=record|create} with {@code -XX:AOTConfiguration} (the configuration it
 *       writes, or reads to create a cache), {@code -XX:ArchiveClassesAtExit},
 *       {@code -XX:+AutoCreateSharedArchive} (rewrites {@code -XX:SharedArchiveFile} at exit when
 *       it is stale), {@code -Xshare:dump} and its old spelling {@code -XX:+DumpSharedSpaces},
 *       {@code -XX:DumpLoadedClassList};
 *   <li>logs: {@code -Xlog:...:OUTPUT} whose output is a file ({@code file=NAME} or a bare name;
 *       not {@code stdout}/{@code stderr}), {@code -Xloggc:FILE}, {@code -XX:LogFile=FILE};
 *   <li>dumps: {@code -XX:HeapDumpPath=FILE} (a directory is kept: the JVM names the file
 *       {@code java_pid<pid>.hprof} in it; without the option, in the working directory),
 *       {@code -XX:ErrorFile=FILE}, {@code -XX:PerfDataSaveFile=FILE},
 *       {@code -XX:StartFlightRecording} with {@code filename=FILE};
 *   <li>Herd's own AOT training options ({@code -Dherd.aot.*}), which only the training run's
 *       first process acts on.
 * </ul>
 *
 * <p>Stateless.
 */
final class InheritedJvmOptions {
    private InheritedJvmOptions() {}

    /**
     * {@code options} without the ones that write a file of a fixed name.
     *
     * @param options a JVM's options, in order
     * @return the options a child inherits, in the same order
     */
    static List<String> withoutFileWriters(List<String> options) {
        List<String> out = new ArrayList<>(options.size());
        for (String o : options) {
            if (!writesFixedFile(o)) out.add(o);
        }
        return out;
    }

    /** Whether {@code option} makes the JVM write a file whose name is not per process. */
    static boolean writesFixedFile(String option) {
        if (option.startsWith("-Dherd.aot.")) return true;
        if (option.startsWith("-XX:AOTCacheOutput=") || option.startsWith("-XX:AOTConfiguration=")
                || option.equals("-XX:AOTMode=record") || option.equals("-XX:AOTMode=create")
                || option.startsWith("-XX:ArchiveClassesAtExit=") || option.equals("-XX:+AutoCreateSharedArchive")
                || option.equals("-Xshare:dump") || option.equals("-XX:+DumpSharedSpaces")
                || option.startsWith("-XX:DumpLoadedClassList=")) {
            return true;
        }
        if (option.startsWith("-Xlog:")) return logsToFixedFile(option);
        if (option.startsWith("-Xloggc:")) return fixedName(option.substring("-Xloggc:".length()));
        if (option.startsWith("-XX:HeapDumpPath=")) {
            String path = option.substring("-XX:HeapDumpPath=".length());
            return fixedName(path) && !Files.isDirectory(Path.of(path));
        }
        for (String name : new String[] {"-XX:LogFile=", "-XX:ErrorFile=", "-XX:PerfDataSaveFile="}) {
            if (option.startsWith(name)) return fixedName(option.substring(name.length()));
        }
        if (option.startsWith("-XX:StartFlightRecording")) {
            // -XX:StartFlightRecording=k=v,k=v or -XX:StartFlightRecording:k=v,...
            for (String setting : option.substring("-XX:StartFlightRecording".length()).replaceFirst("^[=:]", "").split(",")) {
                if (setting.startsWith("filename=")) return fixedName(setting.substring("filename=".length()));
            }
        }
        return false;
    }

    /**
     * Unified logging's {@code -Xlog[:[what][:[output][:...]]]}: the second field is the output,
     * {@code stdout}, {@code stderr}, {@code file=NAME} or a bare NAME (empty: stdout).
     */
    private static boolean logsToFixedFile(String option) {
        String rest = option.substring("-Xlog:".length());
        int colon = rest.indexOf(':');
        if (colon < 0) return false;
        String output = rest.substring(colon + 1);
        int end = output.indexOf(':');
        String name = end < 0 ? output : output.substring(0, end);
        if (name.isEmpty() || name.equals("stdout") || name.equals("stderr")) return false;
        // A quoted file name may hold colons, so look for %p in everything after the selection.
        return fixedName(output);
    }

    /** A file name the JVM does not make per process ({@code %p} is replaced with the pid). */
    private static boolean fixedName(String name) {
        return !name.contains("%p");
    }
}
