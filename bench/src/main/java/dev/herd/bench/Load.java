package dev.herd.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The external load of a server scenario (see {@link Scenario}): what the runner does to a server
 * it started once the server listens -- run {@code wrk} against it, let it idle and read its RSS --
 * and what that measured. Every load stays on 127.0.0.1 and is bounded in time.
 */
public interface Load {
    /**
     * The server under load: the port it listens on (127.0.0.1) and its process.
     *
     * @param port the port it listens on, on 127.0.0.1
     * @param process its process
     */
    record Target(int port, ProcessHandle process) {}

    /** What one load measured, and every reason not to trust it (empty for a good run). */
    final class Result {
        final Map<String, Double> metrics = new LinkedHashMap<>();
        final List<String> failures = new ArrayList<>();

        /** An empty result: nothing measured, nothing failed. */
        public Result() {}

        /**
         * Records a measured value; measuring one metric twice is a failure.
         *
         * @param name the metric's name
         * @param value its value
         * @return this result
         */
        public Result metric(String name, double value) {
            if (metrics.putIfAbsent(name, value) != null) failures.add("metric " + name + " measured twice");
            return this;
        }

        /**
         * A check, worded as a program's {@code CHECK name ok|fail detail} line is.
         *
         * @param name the check's name
         * @param ok whether it passed
         * @param detail what was seen, for a failure
         * @return this result
         */
        public Result check(String name, boolean ok, String detail) {
            if (!ok) failures.add("CHECK " + name + " failed: " + detail);
            return this;
        }

        /**
         * Records a reason not to trust the run.
         *
         * @param reason the reason
         * @return this result
         */
        public Result fail(String reason) {
            failures.add(reason);
            return this;
        }

        /** {@return the measured values by metric name, in the order measured} */
        public Map<String, Double> metrics() {
            return metrics;
        }

        /** {@return every reason not to trust the run; empty for a good run} */
        public List<String> failures() {
            return failures;
        }
    }

    /**
     * What the arguments mean, for {@code herd bench list}.
     *
     * @return the help text
     */
    String argsHelp();

    /**
     * Runs once before a scenario's rounds, in the runner: null when the load can run, else why it
     * cannot (the scenario then fails with that message). May install a missing tool, saying so
     * on stderr.
     *
     * @return null, or why the load cannot run
     */
    default String prepare() {
        return null;
    }

    /**
     * Puts the load on {@code target}, taking at most about {@code timeout}.
     *
     * @param target the server
     * @param args the load's arguments
     * @param timeout about the longest it may take
     * @return what it measured
     */
    Result run(Target target, List<String> args, Duration timeout);

    /**
     * Parses the load's arguments as non-negative whole numbers.
     *
     * @param args the arguments
     * @param expected how many there must be
     * @param help what they mean, for the error message
     * @return the numbers
     */
    static int[] counts(List<String> args, int expected, String help) {
        if (args.size() != expected) {
            throw new IllegalArgumentException("takes " + expected + " arguments (" + help + "), got " + args);
        }
        int[] v = new int[expected];
        for (int i = 0; i < expected; i++) {
            try {
                v[i] = Integer.parseInt(args.get(i));
            } catch (NumberFormatException e) {
                v[i] = -1;
            }
            if (v[i] < 0) throw new IllegalArgumentException("not a count: " + args.get(i) + " (" + help + ")");
        }
        return v;
    }
}
