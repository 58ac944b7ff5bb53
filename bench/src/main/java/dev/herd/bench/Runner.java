package dev.herd.bench;

import dev.herd.node.child_process.ChildProcesses;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./herd bench}: runs each scenario's Herd program and Node program alternately, R rounds
 * each, one fresh process per round, and prints per metric the median over rounds:
 * <pre>RESULT &lt;scenario&gt; &lt;metric&gt; herd=&lt;v&gt; node=&lt;v&gt; ratio=&lt;herd/node&gt; better=&lt;lower|higher&gt;</pre>
 * on stdout ({@code node=- ratio=-} for a metric with no Node peer). A failed run (a CHECK fail, a
 * non-zero exit, a missing metric) prints {@code FAIL <scenario> ...} on stdout, abandons that
 * scenario and makes the exit code 1. Progress and every round's raw values go to stderr.
 *
 * <p>Every Herd program runs as {@code ./herd} starts a program ({@link #herdCommand}): on the java
 * binary running this class, with this class path and the launcher's flags ({@link
 * #LAUNCHER_JVM_FLAGS}, which RunnerTest checks against {@code ./herd}), the launcher's AOT cache
 * when the launcher gave this JVM one, then the scenario's own flags ({@link
 * Scenario#herdJvmFlags()}), then HERD_JAVA_OPTS; later flags override earlier ones, and a
 * collector chosen by either replaces the launcher's Serial GC. The Node program is {@code node
 * [the scenario's node flags] bench/node/<script> args}, found under the repository root: the
 * nearest directory holding {@code bench/node/rounds.js}, walking up from the working directory,
 * then from this jar.
 *
 * <p>A server scenario ({@link Scenario#isServer()}) runs the same way, except that each round
 * starts the server program with {@code --port P} and {@link ServerRun} puts the scenario's
 * {@link Load} on it: the load, not the program, measures.
 */
public final class Runner {
    static final int DEFAULT_ROUNDS = 5;
    static final int QUICK_ROUNDS = 3;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final String ROOT_MARKER = "bench/node/rounds.js";

    /**
     * The flags {@code ./herd} starts every Herd program with, its AOT cache aside: JAVA_FLAGS in
     * the launcher, which is {@code --enable-native-access} (herd-os calls Linux through
     * java.lang.foreign) and {@link Scenarios#RECOMMENDED_SERVER_JVM_FLAGS}.
     */
    static final List<String> LAUNCHER_JVM_FLAGS = concat(List.of("--enable-native-access=ALL-UNNAMED"),
            Scenarios.RECOMMENDED_SERVER_JVM_FLAGS);

    /** A flag that picks a garbage collector; the JVM refuses to start with two of them. */
    private static final java.util.regex.Pattern GC_CHOICE = java.util.regex.Pattern.compile("-XX:\\+Use\\w+GC");

    private static final String USAGE = """
            usage: herd bench list
                   herd bench all|NAME[,NAME...] [--quick] [--rounds N] [--only herd|node]
                                                 [--args "A B C"] [--node PATH] [--timeout SECONDS]

              list             the scenarios, their arguments and metrics
              all              every scenario
              --quick          the quick arguments and 3 rounds (all --quick takes a few minutes)
              --rounds N       processes per side (default 5, quick 3)
              --only SIDE      run only the herd or only the node programs
              --args "A B C"   override the arguments: N W T (workload size, warm-up and timed
                               rounds, then a scenario's own) for a program, the load's for a
                               server (see list)
              --node PATH      the node binary (default: $HERD_BENCH_NODE, else node on the PATH)
              --timeout S      kill a program running longer than S seconds (default 600)

            The Herd programs run as ./herd starts a program (this JVM's java and class path, the
            launcher's JVM flags and AOT cache), then the scenario's own JVM flags (see list), then
            $HERD_JAVA_OPTS; the Node programs with node [the scenario's node flags]
            bench/node/<scenario>.js. Server scenarios start the server with --port P and load it
            from here (wrk, /proc).
            """;

    private boolean quick;
    private int rounds = -1;
    private boolean runHerd = true;
    private boolean runNode = true;
    private List<String> argsOverride;
    private String node = System.getenv().getOrDefault("HERD_BENCH_NODE", "node");
    private Duration timeout = DEFAULT_TIMEOUT;

    private Runner() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        int code;
        try {
            code = new Runner().main0(args);
        } catch (UsageException e) {
            System.err.println("herd bench: " + e.getMessage());
            System.err.print(USAGE);
            code = 2;
        } catch (IllegalStateException e) {
            System.out.println("FAIL - " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private int main0(String[] argv) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "-h", "--help", "help" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                case "--quick" -> quick = true;
                case "--rounds" -> rounds = positive(a, value != null ? value : next(argv, ++i, a));
                case "--timeout" -> timeout = Duration.ofSeconds(positive(a, value != null ? value : next(argv, ++i, a)));
                case "--node" -> node = value != null ? value : next(argv, ++i, a);
                case "--args" -> {
                    argsOverride = List.of((value != null ? value : next(argv, ++i, a)).trim().split("[\\s,]+"));
                }
                case "--only" -> {
                    String side = value != null ? value : next(argv, ++i, a);
                    switch (side) {
                        case "herd" -> runNode = false;
                        case "node" -> runHerd = false;
                        default -> throw new UsageException("--only takes herd or node, not " + side);
                    }
                }
                default -> {
                    if (a.startsWith("-")) throw new UsageException("unknown option " + a);
                    names.addAll(Arrays.asList(a.split(",")));
                }
            }
        }
        if (names.isEmpty()) throw new UsageException("name a scenario, all, or list");
        if (names.equals(List.of("list"))) {
            list();
            return 0;
        }
        List<Scenario> selected = new ArrayList<>();
        for (String name : names) {
            if (name.equals("all")) {
                selected.addAll(Scenarios.ALL);
                continue;
            }
            Scenario s = Scenarios.named(name);
            if (s == null) throw new UsageException("no scenario " + name + " (see: herd bench list)");
            selected.add(s);
        }
        if (argsOverride != null) {
            for (Scenario s : selected) {
                if (argsOverride.size() != s.args().size()) {
                    throw new UsageException("--args: " + s.name() + " takes " + s.args().size() + " arguments ("
                            + argsHelp(s) + "), not " + argsOverride.size());
                }
            }
        }
        if (rounds < 0) rounds = quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
        return runAll(selected);
    }

    private static String next(String[] argv, int i, String option) {
        if (i >= argv.length) throw new UsageException(option + " needs a value");
        return argv[i];
    }

    private static int positive(String option, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v >= 1) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(option + " takes a positive whole number, not " + value);
    }

    private static String argsHelp(Scenario s) {
        if (s.isServer()) return s.server().load().argsHelp();
        return "N W T: workload size, warm-up rounds, timed rounds" + (s.args().size() > 3 ? ", then the scenario's own (see its summary)" : "");
    }

    private static void list() {
        for (Scenario s : Scenarios.ALL) {
            System.out.printf("%-20s %s%n", s.name(), s.summary());
            String shape = s.isServer() ? " servers, loaded from the runner" : "";
            System.out.printf("%-20s   herd %s, node %s%s%n", "", s.herdMainSimpleName(),
                    s.hasNodePeer() ? "bench/node/" + s.nodeScript() : "-", shape);
            if (!s.herdJvmFlags().isEmpty()) {
                System.out.printf("%-20s   herd JVM flags (after the launcher's) %s%n", "", String.join(" ", s.herdJvmFlags()));
            }
            if (!s.nodeFlags().isEmpty()) {
                System.out.printf("%-20s   node flags %s%n", "", String.join(" ", s.nodeFlags()));
            }
            System.out.printf("%-20s   args %s, quick %s (%s)%n", "",
                    String.join(" ", s.args()), String.join(" ", s.quickArgs()), argsHelp(s));
            StringBuilder m = new StringBuilder();
            for (Scenario.Metric metric : s.metrics()) {
                if (!m.isEmpty()) m.append(", ");
                m.append(metric.name()).append(" (").append(metric.better()).append(metric.nodePeer() ? "" : ", herd only")
                        .append(')');
            }
            System.out.printf("%-20s   metrics %s%n", "", m);
        }
    }

    // ---------------------------------------------------------------- running

    private int runAll(List<Scenario> scenarios) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        Path root = findRoot();
        boolean needNode = runNode && scenarios.stream().anyMatch(Scenario::hasNodePeer);
        String nodeVersion = needNode ? nodeVersion() : "-";
        if (nodeVersion == null) {
            System.out.println("FAIL - cannot run " + node + " --version: install Node, pass --node PATH, or use --only herd");
            return 1;
        }
        List<String> aot = launcherAotFlags();
        System.err.printf("herd bench: java %s (%s %s%s%s), node %s, %d round(s) per side, %s arguments, root %s%n",
                Runtime.version(), java, String.join(" ", LAUNCHER_JVM_FLAGS),
                aot.isEmpty() ? ", no AOT cache" : " " + String.join(" ", aot),
                jvmOptions().isEmpty() ? "" : " " + String.join(" ", jvmOptions()), nodeVersion,
                rounds, argsOverride != null ? "overridden" : quick ? "quick" : "full", root);

        List<String> failed = new ArrayList<>();
        for (Scenario s : scenarios) {
            if (!runHerd && !s.hasNodePeer()) {
                System.err.println("== " + s.name() + ": Herd only, skipped with --only node");
                continue;
            }
            if (!runScenario(s, java, classPath, aot, root)) failed.add(s.name());
        }
        if (!failed.isEmpty()) {
            System.err.println("herd bench: " + failed.size() + " scenario(s) failed: " + String.join(", ", failed));
            return 1;
        }
        return 0;
    }

    /** Runs one scenario's rounds and prints its RESULT lines; returns false after a failure. */
    private boolean runScenario(Scenario s, String java, String classPath, List<String> aot, Path root) {
        List<String> args = argsOverride != null ? argsOverride : s.args(quick);
        boolean withHerd = runHerd;
        boolean withNode = runNode && s.hasNodePeer();
        System.err.printf("== %s: %s; args %s; %d round(s)%n", s.name(), s.summary(), String.join(" ", args), rounds);
        if (withHerd && !mainClassExists(s.herdMain())) {
            return fail(s, "herd: main class " + s.herdMain() + " is not on the class path (not written yet, or not built?)");
        }
        if (s.isServer()) {
            String problem = s.server().load().prepare();
            if (problem != null) return fail(s, problem);
        }
        List<String> herdCommand = herdCommand(java, classPath, s, args, aot, jvmOptions());
        List<String> nodeCommand = s.hasNodePeer() ? nodeCommand(node, root, s, args) : List.of();

        Map<String, List<Double>> herd = new LinkedHashMap<>();
        Map<String, List<Double>> nodeValues = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            // Alternate the two programs so that drift on a shared machine hits both alike.
            if (withHerd && !runOne(s, "herd", r, herdCommand, root, herd)) return false;
            if (withNode && !runOne(s, "node", r, nodeCommand, root, nodeValues)) return false;
        }
        for (Scenario.Metric m : s.metrics()) {
            String h = withHerd ? format(median(herd.get(m.name()))) : "-";
            boolean nodeMeasured = withNode && m.nodePeer();
            String n = nodeMeasured ? format(median(nodeValues.get(m.name()))) : "-";
            String ratio = "-";
            if (withHerd && nodeMeasured) {
                double nv = median(nodeValues.get(m.name()));
                if (nv != 0) ratio = format(median(herd.get(m.name())) / nv);
            }
            System.out.printf("RESULT %s %s herd=%s node=%s ratio=%s better=%s%n", s.name(), m.name(), h, n, ratio,
                    m.better());
        }
        System.out.flush();
        return true;
    }

    private static boolean fail(Scenario s, String why) {
        System.out.println("FAIL " + s.name() + " " + why);
        System.out.flush();
        return false;
    }

    /** Whether the class is on this JVM's class path, which the Herd programs share. */
    static boolean mainClassExists(String name) {
        try {
            Class.forName(name, false, Runner.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Runs one program once (a server: with its load), checks its output against the registry and
     * records its metrics.
     */
    private boolean runOne(Scenario s, String side, int round, List<String> command, Path root,
            Map<String, List<Double>> values) {
        String label = s.name() + " " + side + " " + round + "/" + rounds;
        List<String> args = argsOverride != null ? argsOverride : s.args(quick);
        ProgramRun run = s.isServer()
                ? ServerRun.run(s.name() + " " + side, command, root, s.server().load(), args, timeout)
                : ProgramRun.run(s.name() + " " + side, command, root, timeout);
        List<String> failures = new ArrayList<>(run.failures());
        for (Scenario.Metric m : s.metrics()) {
            boolean expected = side.equals("herd") || m.nodePeer();
            if (expected && !run.metrics().containsKey(m.name())) failures.add("no METRIC " + m.name());
        }
        for (String name : run.metrics().keySet()) {
            if (s.metrics().stream().noneMatch(m -> m.name().equals(name))) {
                failures.add("METRIC " + name + " is not in the scenario registry");
            }
        }
        StringBuilder raw = new StringBuilder();
        run.metrics().forEach((k, v) -> raw.append("  ").append(k).append('=').append(format(v)));
        System.err.printf("%-34s%s  (%.1f s)%n", label, raw, run.wall().toMillis() / 1000.0);
        if (!failures.isEmpty()) {
            System.out.println("FAIL " + s.name() + " " + side + " round " + round + ": " + String.join("; ", failures));
            System.err.println("   command: " + String.join(" ", command));
            System.out.flush();
            return false;
        }
        run.metrics().forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        return true;
    }

    /**
     * The command that starts a scenario's Herd program as {@code ./herd} starts a program: java,
     * {@link #herdJvmFlags}, the class path, the main class and (a program scenario) its arguments.
     */
    static List<String> herdCommand(String java, String classPath, Scenario s, List<String> args, List<String> aotFlags,
            List<String> herdJavaOpts) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(herdJvmFlags(s, aotFlags, herdJavaOpts));
        command.addAll(List.of("-cp", classPath, s.herdMain()));
        if (!s.isServer()) command.addAll(args);
        return command;
    }

    /**
     * A scenario's Herd JVM flags, in the order that makes later ones win: the launcher's ({@link
     * #LAUNCHER_JVM_FLAGS}), its AOT cache ({@code aotFlags}, empty when there is none), the
     * scenario's own, HERD_JAVA_OPTS. HotSpot takes the last of a repeated flag, except a second
     * collector, which it refuses: a collector chosen by the scenario or HERD_JAVA_OPTS therefore
     * replaces the launcher's {@code -XX:+UseSerialGC} instead of following it.
     */
    static List<String> herdJvmFlags(Scenario s, List<String> aotFlags, List<String> herdJavaOpts) {
        boolean otherGc = concat(s.herdJvmFlags(), herdJavaOpts).stream().anyMatch(f -> GC_CHOICE.matcher(f).matches());
        List<String> flags = new ArrayList<>();
        for (String f : LAUNCHER_JVM_FLAGS) {
            if (!(otherGc && GC_CHOICE.matcher(f).matches())) flags.add(f);
        }
        flags.addAll(aotFlags);
        flags.addAll(s.herdJvmFlags());
        flags.addAll(herdJavaOpts);
        return flags;
    }

    /** {@code node [the scenario's node flags] <root>/bench/node/<script> [args of a program scenario]}. */
    static List<String> nodeCommand(String node, Path root, Scenario s, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(node);
        command.addAll(s.nodeFlags());
        command.add(root.resolve("bench/node").resolve(s.nodeScript()).toString());
        if (!s.isServer()) command.addAll(args);
        return command;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /**
     * Extra flags for the Herd programs' JVMs: the launcher's HERD_JAVA_OPTS (e.g. "-Xlog:gc"),
     * which it also gives this runner's JVM, so that they reach the programs being measured.
     */
    private static List<String> jvmOptions() {
        String opts = System.getenv("HERD_JAVA_OPTS");
        return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
    }

    /**
     * The AOT cache flags the launcher gave this JVM ({@code -XX:AOTCache=...} and the logging
     * options that keep it quiet), none if it gave none (HERD_AOT=0, no cache could be made, the
     * runner started some other way). The cache was made for this class path, which the Herd
     * programs share, and the launcher checked it is newer than every jar.
     */
    static List<String> launcherAotFlags() {
        return aotFlags(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    static List<String> aotFlags(List<String> jvmArguments) {
        if (jvmArguments.stream().noneMatch(a -> a.startsWith("-XX:AOTCache="))) return List.of();
        return jvmArguments.stream()
                .filter(a -> a.startsWith("-XX:AOTCache=") || a.startsWith("-Xlog:aot") || a.startsWith("-Xlog:cds")
                        || a.startsWith("-D" + ChildProcesses.CHILD_AOT_CACHE_PROPERTY + "="))
                .toList();
    }

    private String nodeVersion() {
        try {
            Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The repository root: the {@code herd.root} system property, else the nearest directory
     * holding bench/node/rounds.js above the working directory, else above this jar (the launcher
     * may run from anywhere). Public for the scenarios that run the repository's {@code ./herd}.
     *
     * @return the repository root
     * @throws IllegalStateException when there is none
     */
    public static Path findRoot() {
        String property = System.getProperty("herd.root");
        if (property != null) return Path.of(property).toAbsolutePath();
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            var source = Runner.class.getProtectionDomain().getCodeSource();
            if (source != null) starts.add(Path.of(source.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | IllegalArgumentException | SecurityException ignored) {
            // no usable location: the working directory must do
        }
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve(ROOT_MARKER))) return p;
            }
        }
        throw new IllegalStateException("cannot find the Herd repository (a directory with " + ROOT_MARKER
                + ") above " + starts + "; run from inside it or pass -Dherd.root=DIR");
    }

    // ---------------------------------------------------------------- numbers

    /** The median; the mean of the middle two for an even count. */
    static double median(List<Double> values) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /** At most 3 decimals, no trailing zeros, no exponent: 769.5, 0.045, 12345678. */
    static String format(double v) {
        if (!Double.isFinite(v)) return "-";
        BigDecimal d = BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (d.signum() == 0) return "0";
        return d.toPlainString();
    }
}
