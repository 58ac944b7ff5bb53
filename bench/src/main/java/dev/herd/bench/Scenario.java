package dev.herd.bench;

import java.util.List;
import java.util.Objects;

/**
 * One benchmark scenario written twice, a Herd main class and a Node script, in one of two shapes:
 * <ul>
 *   <li><b>program</b> ({@code server == null}): both programs take the same arguments (N, warm-up
 *       rounds, timed rounds, then any of the scenario's own, such as a measuring window), do the
 *       work themselves and print the same METRIC and CHECK lines;
 *   <li><b>server + external load</b> ({@code server != null}): both programs are servers that take
 *       {@code --port P} and print a line containing "listening" once they listen; the runner
 *       starts one, puts the {@link Load} on it from outside (e.g. {@code wrk}), which measures the
 *       metrics and checks, and stops it. The arguments are the load's ({@link Load#argsHelp()}).
 * </ul>
 *
 * @param name the command-line name ({@code ./herd bench NAME}); for a program scenario also the
 *     Node script's base name
 * @param summary one line for {@code ./herd bench list}
 * @param herdMain the binary name of the Herd program's main class (a name, not a class, so that a
 *     scenario can be registered before its program exists: the runner then fails it clearly)
 * @param nodeScript the Node program under {@code bench/node/}, or null for a Herd-only scenario
 * @param args the arguments of a full run
 * @param quickArgs the arguments under {@code --quick}
 * @param metrics every metric the programs (or the load) report, in output order
 * @param server how to load the server, or null for a program scenario
 * @param herdJvmFlags the scenario's own JVM flags for its Herd program, added after the flags the
 *     launcher starts every Herd program with (so they override them: a larger heap, another GC)
 *     and before HERD_JAVA_OPTS; empty for most scenarios. Say why next to the registration. They
 *     must leave the launcher's AOT cache usable: the JVM refuses to start when the cache's heap
 *     objects do not fit (say, {@code -Xmn64m} without an {@code -Xms} above it)
 * @param nodeFlags the scenario's own flags for node, before the script; empty for most scenarios
 *     (the Node twin of a Herd flag, where giving both the same is fair)
 */
public record Scenario(
        String name,
        String summary,
        String herdMain,
        String nodeScript,
        List<String> args,
        List<String> quickArgs,
        List<Metric> metrics,
        Server server,
        List<String> herdJvmFlags,
        List<String> nodeFlags) {

    /**
     * A program scenario.
     *
     * @param name the scenario's name
     * @param summary one line for listings
     * @param herdMain the Herd program's main class
     * @param nodeScript the Node twin's script under bench/node, or null for none
     * @param args the program's arguments: N W T
     * @param quickArgs the arguments for {@code --quick}
     * @param metrics the metrics it reports
     */
    public Scenario(String name, String summary, Class<?> herdMain, String nodeScript, List<String> args,
            List<String> quickArgs, List<Metric> metrics) {
        this(name, summary, herdMain.getName(), nodeScript, args, quickArgs, metrics, null);
    }

    /**
     * A scenario with no JVM or node flags of its own.
     *
     * @param name the scenario's name
     * @param summary one line for listings
     * @param herdMain the Herd program's main class name
     * @param nodeScript the Node twin's script under bench/node, or null for none
     * @param args the program's arguments (N W T for a program scenario, the load's for a server)
     * @param quickArgs the arguments for {@code --quick}
     * @param metrics the metrics it reports
     * @param server what makes it a server scenario, or null
     */
    public Scenario(String name, String summary, String herdMain, String nodeScript, List<String> args,
            List<String> quickArgs, List<Metric> metrics, Server server) {
        this(name, summary, herdMain, nodeScript, args, quickArgs, metrics, server, List.of(), List.of());
    }

    /**
     * This scenario with its own JVM flags for the Herd program (see {@link #herdJvmFlags()}).
     *
     * @param flags JVM flags
     * @return the new scenario
     */
    public Scenario withHerdJvmFlags(String... flags) {
        return new Scenario(name, summary, herdMain, nodeScript, args, quickArgs, metrics, server, List.of(flags),
                nodeFlags);
    }

    /**
     * This scenario with its own flags for node (see {@link #nodeFlags()}).
     *
     * @param flags node flags
     * @return the new scenario
     */
    public Scenario withNodeFlags(String... flags) {
        return new Scenario(name, summary, herdMain, nodeScript, args, quickArgs, metrics, server, herdJvmFlags,
                List.of(flags));
    }

    /**
     * What makes a scenario a server + external load one. Its Herd server starts like any Herd
     * program of a scenario: as the launcher starts a program, plus the scenario's own flags.
     *
     * @param load what the runner does to the listening server
     */
    public record Server(Load load) {
        /** Checks that the load is given. */
        public Server {
            Objects.requireNonNull(load);
        }
    }

    /** Which way a metric improves. */
    public enum Better {
        /** Lower is better. */
        LOWER,
        /** Higher is better. */
        HIGHER;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A metric a scenario reports.
     *
     * @param nodePeer whether the Node program reports it too (a ratio is printed only then)
     * @param name the metric's name, as the programs print it
     * @param better which way it improves
     */
    public record Metric(String name, Better better, boolean nodePeer) {
        /**
         * A metric where lower is better.
         *
         * @param name the metric's name
         * @return a metric where lower is better, reported by both programs
         */
        public static Metric lower(String name) {
            return new Metric(name, Better.LOWER, true);
        }

        /**
         * A metric where higher is better.
         *
         * @param name the metric's name
         * @return a metric where higher is better, reported by both programs
         */
        public static Metric higher(String name) {
            return new Metric(name, Better.HIGHER, true);
        }

        /** {@return the same metric with no Node counterpart} */
        public Metric herdOnly() {
            return new Metric(name, better, false);
        }
    }

    /** Checks the scenario and copies the lists. */
    public Scenario {
        Objects.requireNonNull(name);
        Objects.requireNonNull(herdMain);
        args = List.copyOf(args);
        quickArgs = List.copyOf(quickArgs);
        metrics = List.copyOf(metrics);
        herdJvmFlags = List.copyOf(herdJvmFlags);
        nodeFlags = List.copyOf(nodeFlags);
        for (String flag : herdJvmFlags) {
            if (!flag.startsWith("-")) throw new IllegalArgumentException(name + ": JVM flag " + flag + " is not a flag");
        }
        for (String flag : nodeFlags) {
            if (!flag.startsWith("-")) throw new IllegalArgumentException(name + ": node flag " + flag + " is not a flag");
        }
        if (nodeScript == null && !nodeFlags.isEmpty()) {
            throw new IllegalArgumentException(name + ": a Herd-only scenario has no node flags");
        }
        if (nodeScript == null && metrics.stream().anyMatch(Metric::nodePeer)) {
            throw new IllegalArgumentException(name + ": a Herd-only scenario has only Herd-only metrics");
        }
        if (args.size() != quickArgs.size()) {
            throw new IllegalArgumentException(name + ": full and quick arguments differ in number");
        }
        if (server == null && args.size() < 3) {
            throw new IllegalArgumentException(name + ": a program scenario takes N W T (then any of its own)");
        }
    }

    /** {@return whether this is a server + external load scenario} */
    public boolean isServer() {
        return server != null;
    }

    /** {@return the main class's simple name, for listings} */
    public String herdMainSimpleName() {
        return herdMain.substring(herdMain.lastIndexOf('.') + 1);
    }

    /** {@return whether there is a Node program to compare with} */
    public boolean hasNodePeer() {
        return nodeScript != null;
    }

    /**
     * The program's arguments, full or quick.
     *
     * @param quick whether to run at quick sizes
     * @return the program's arguments
     */
    public List<String> args(boolean quick) {
        return quick ? quickArgs : args;
    }
}
