package dev.herd.manager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line that runs another main class in a JVM like this one: the same {@code java},
 * the same JVM flags (Herd's, an AOT cache, {@code HERD_JAVA_OPTS}'s) and the same class path. The
 * command line starts the daemon this way, and the daemon the keeper, so all three run from the
 * same jars (docs/manager.md, "Processes").
 *
 * <p>The flags are read from {@code /proc/self/cmdline}: what comes between {@code java} and the
 * main class, less the class path (given again) and the flags that belong to one process only (a
 * debugger agent's port, an AOT training run's output). A JVM started otherwise ({@code -jar},
 * {@code -m}) passes no flags on. When the system property {@value #DAEMON_AOT_CACHE} names a file
 * (the launcher sets it beside the command line's own AOT cache), the daemon and keeper use that
 * cache instead: they run Herd's loop, which the command line's cache does not hold; and a cache of
 * their own beside it ({@code herd-daemon.aot}, {@code herd-keeper.aot}), when the launcher's
 * training made one, holds what each of them loads (child_process, the control and keeper
 * protocols, /proc sampling). The flags listed in {@value #CLI_ONLY_FLAGS} (the launcher's for a
 * short-lived command line: C1 only, no perf-data file) are left out, and so is that property.
 * When {@value #MANAGER_AOT_TRAINING} names a directory (the launcher's training of the command
 * line's cache), the daemon and keeper started this way record their caches into it instead.
 * Stateless.
 */
public final class JavaCommand {
    /** JVM options whose value is the next argument. */
    private static final Set<String> WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--add-exports", "--add-opens", "--add-reads", "--patch-module",
            "--limit-modules", "--enable-native-access", "--illegal-native-access");
    /** Flags of this process alone: a second JVM with them would fight over a port or a file. */
    private static final List<String> OWN = List.of("-agentlib:jdwp", "-XX:AOTCacheOutput", "-XX:AOTConfiguration",
            "-XX:AOTMode", "-Dherd.aot.training", "-Xlog:gc:file", "-XX:HeapDumpPath");

    /** The system property naming the AOT cache for the daemon and the keeper. */
    public static final String DAEMON_AOT_CACHE = "herd.daemonAotCache";

    /** The system property listing (space-separated) the flags the command line alone runs with. */
    public static final String CLI_ONLY_FLAGS = "herd.cliOnlyFlags";

    /**
     * The system property naming the directory where a training run's daemon and keeper write
     * their AOT caches ({@code herd-daemon.aot}, {@code herd-keeper.aot}) when they exit.
     */
    public static final String MANAGER_AOT_TRAINING = "herd.managerAotTraining";

    private JavaCommand() {}

    /**
     * {@code java FLAGS -cp CLASSPATH mainClass args...} for this JVM's java, flags and class path,
     * to run one of the manager's own processes: with that process's AOT cache ({@code
     * herd-ROLE.aot} beside {@value #DAEMON_AOT_CACHE}'s) when there is one, else the server cache
     * that property names; or recording the process's cache in a training run.
     *
     * @param role {@code daemon} or {@code keeper}
     * @param mainClass the main class to run
     * @param args its arguments
     * @return the command line
     */
    public static List<String> manager(String role, String mainClass, List<String> args) {
        List<String> flags = withoutCliFlags(flags(cmdline()), System.getProperty(CLI_ONLY_FLAGS));
        String training = System.getProperty(MANAGER_AOT_TRAINING);
        flags = training != null && !training.isBlank()
                ? recording(flags, Path.of(training, "herd-" + role + ".aot"))
                : withAotCache(flags, cacheFor(role, System.getProperty(DAEMON_AOT_CACHE)));
        return command(flags, mainClass, args);
    }

    /** The AOT cache for {@code role}: its own beside {@code serverCache} if that exists, else the server's. */
    static String cacheFor(String role, String serverCache) {
        if (serverCache == null || serverCache.isEmpty()) return serverCache;
        Path own = Path.of(serverCache).resolveSibling("herd-" + role + ".aot");
        return Files.isRegularFile(own) ? own.toString() : serverCache;
    }

    /** {@code flags} for a training run that writes its AOT cache to {@code output} at exit. */
    static List<String> recording(List<String> flags, Path output) {
        List<String> out = new ArrayList<>(flags.size() + 3);
        for (String f : flags) {
            if (!f.startsWith("-XX:AOTCache=")) out.add(f);
        }
        // As the launcher's trainings: the method profiles make the JIT compile more at start-up.
        out.add("-XX:+UnlockDiagnosticVMOptions");
        out.add("-XX:-AOTRecordTraining");
        out.add("-XX:AOTCacheOutput=" + output);
        return out;
    }

    private static List<String> command(List<String> flags, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** {@code flags} less the ones {@code cliOnly} lists (space-separated) and that property itself. */
    static List<String> withoutCliFlags(List<String> flags, String cliOnly) {
        if (cliOnly == null || cliOnly.isBlank()) return flags;
        Set<String> drop = new HashSet<>(List.of(cliOnly.strip().split("\\s+")));
        List<String> out = new ArrayList<>(flags.size());
        for (String f : flags) {
            if (!drop.contains(f) && !f.startsWith("-D" + CLI_ONLY_FLAGS + "=")) out.add(f);
        }
        return out;
    }

    /** {@code flags} with their {@code -XX:AOTCache} set to {@code cache} (when given and a file). */
    static List<String> withAotCache(List<String> flags, String cache) {
        if (cache == null || cache.isEmpty() || !Files.isRegularFile(Path.of(cache))) return flags;
        List<String> out = new ArrayList<>(flags.size());
        for (String f : flags) out.add(f.startsWith("-XX:AOTCache=") ? "-XX:AOTCache=" + cache : f);
        return out;
    }

    /** The JVM flags of a java command line, without the class path and this process's own. */
    static List<String> flags(List<String> cmdline) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < cmdline.size(); i++) {
            String a = cmdline.get(i);
            if (a.equals("-jar") || a.equals("-m") || a.equals("--module") || !a.startsWith("-")) break;
            String value = WITH_VALUE.contains(a) && i + 1 < cmdline.size() ? cmdline.get(++i) : null;
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) continue;
            if (OWN.stream().anyMatch(a::startsWith)) continue;
            out.add(a);
            if (value != null) out.add(value);
        }
        return out;
    }

    private static List<String> cmdline() {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }
}
