package dev.herd.bench;

import java.util.List;
import java.util.Objects;

/**
 * One benchmark scenario written twice: a Herd main class and a Node script that take the same
 * arguments (N, warm-up rounds, timed rounds) and print the same METRIC and CHECK lines.
 *
 * @param name the command-line name ({@code ./herd bench NAME}), also the Node script's base name
 * @param summary one line for {@code ./herd bench list}
 * @param herdMain the Herd program's main class
 * @param nodeScript the Node program under {@code bench/node/}, or null for a Herd-only scenario
 * @param args the arguments of a full run
 * @param quickArgs the arguments under {@code --quick}
 * @param metrics every metric the programs print, in output order
 */
public record Scenario(
        String name,
        String summary,
        Class<?> herdMain,
        String nodeScript,
        List<String> args,
        List<String> quickArgs,
        List<Metric> metrics) {

    /** Which way a metric improves. */
    public enum Better {
        LOWER,
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
     */
    public record Metric(String name, Better better, boolean nodePeer) {
        public static Metric lower(String name) {
            return new Metric(name, Better.LOWER, true);
        }

        public static Metric higher(String name) {
            return new Metric(name, Better.HIGHER, true);
        }

        /** The same metric with no Node counterpart. */
        public Metric herdOnly() {
            return new Metric(name, better, false);
        }
    }

    public Scenario {
        Objects.requireNonNull(name);
        Objects.requireNonNull(herdMain);
        args = List.copyOf(args);
        quickArgs = List.copyOf(quickArgs);
        metrics = List.copyOf(metrics);
        if (nodeScript == null && metrics.stream().anyMatch(Metric::nodePeer)) {
            throw new IllegalArgumentException(name + ": a Herd-only scenario has only Herd-only metrics");
        }
    }

    public boolean hasNodePeer() {
        return nodeScript != null;
    }

    public List<String> args(boolean quick) {
        return quick ? quickArgs : args;
    }
}
