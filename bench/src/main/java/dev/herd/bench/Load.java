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
    /** The server under load: the port it listens on (127.0.0.1) and its process. */
    record Target(int port, ProcessHandle process) {}

    /** What one load measured, and every reason not to trust it (empty for a good run). */
    final class Result {
        final Map<String, Double> metrics = new LinkedHashMap<>();
        final List<String> failures = new ArrayList<>();

        public Result metric(String name, double value) {
            if (metrics.putIfAbsent(name, value) != null) failures.add("metric " + name + " measured twice");
            return this;
        }

        /** A check, worded as a program's {@code CHECK name ok|fail detail} line is. */
        public Result check(String name, boolean ok, String detail) {
            if (!ok) failures.add("CHECK " + name + " failed: " + detail);
            return this;
        }

        public Result fail(String reason) {
            failures.add(reason);
            return this;
        }

        public Map<String, Double> metrics() {
            return metrics;
        }

        public List<String> failures() {
            return failures;
        }
    }

    /** What the arguments mean, for {@code herd bench list}. */
    String argsHelp();

    /**
     * Runs once before a scenario's rounds, in the runner: null when the load can run, else why it
     * cannot (the scenario then fails with that message). May install a missing tool, saying so
     * on stderr.
     */
    default String prepare() {
        return null;
    }

    /** Puts the load on {@code target}, taking at most about {@code timeout}. */
    Result run(Target target, List<String> args, Duration timeout);

    /** Parses the load's arguments as non-negative whole numbers. */
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
