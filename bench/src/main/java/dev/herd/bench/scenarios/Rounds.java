package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setImmediate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process driver every Herd scenario shares; the Node twin is {@code bench/node/rounds.js},
 * line for line.
 *
 * <p>Arguments: N (workload size), W (untimed warm-up rounds), T (timed rounds). Rounds run one
 * after another, each started by a setImmediate so that no round starts inside the previous one's
 * last callback. Every round reports its metrics and checks to a {@link Sample}; at the end the
 * program prints {@code METRIC <name> <median over the T timed rounds>} and {@code CHECK <name> ok}
 * or {@code CHECK <name> fail <detail of the first failing round>} (checks count in warm-up rounds
 * too) and sets exit code 1 if a check failed. Warm-up inside the process gives HotSpot's JIT the
 * same chance V8's gets.
 *
 * <p>Thread rule: a Herd loop thread (call {@link #run} from {@code Herd.run}'s main).
 */
public final class Rounds {
    /** One round of a scenario: starts work of size {@code n}; calls {@code done} once when it is over. */
    @FunctionalInterface
    public interface Round {
        /**
         * Starts one round.
         *
         * @param n the size of the work
         * @param sample where the round records what it measured and checked
         * @param done to call once when the round is over
         */
        void start(int n, Sample sample, Runnable done);
    }

    /** What one round measured and checked. */
    public static final class Sample {
        final Map<String, Double> metrics = new LinkedHashMap<>();
        /** Check name to the detail of its failure, or null when it passed. */
        final Map<String, String> failures = new LinkedHashMap<>();

        /** An empty sample: nothing measured, nothing checked. */
        public Sample() {}

        /**
         * Records a measured value.
         *
         * @param name the metric's name
         * @param value its value
         */
        public void metric(String name, double value) {
            metrics.put(name, value);
        }

        /**
         * Records a check; a failure stays failed for the round.
         *
         * @param name the check's name
         * @param ok whether it passed
         * @param detail what was seen, for a failure
         */
        public void check(String name, boolean ok, String detail) {
            if (!failures.containsKey(name) || failures.get(name) == null) {
                failures.put(name, ok ? null : detail);
            }
        }
    }

    private Rounds() {}

    private record Args(int n, int warmup, int timed) {}

    private static Args parseArgs(String[] argv) {
        if (argv.length != 3) {
            throw new IllegalArgumentException(
                    "usage: <N> <warmup rounds> <timed rounds>, got [" + String.join(" ", argv) + "]");
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(argv[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a count: " + argv[i]);
            }
            if (v[i] < 0) throw new IllegalArgumentException("not a count: " + argv[i]);
        }
        if (v[0] < 1 || v[2] < 1) throw new IllegalArgumentException("N and timed rounds must be at least 1");
        return new Args(v[0], v[1], v[2]);
    }

    static double median(List<Double> values) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        int mid = s.length >> 1;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /**
     * Runs W + T rounds of {@code round}, then prints the METRIC and CHECK lines.
     *
     * @param argv the program's arguments: N W T
     * @param round the round to run
     */
    public static void run(String[] argv, Round round) {
        Args args = parseArgs(argv);
        List<Sample> timedSamples = new ArrayList<>();
        Map<String, String> checks = new LinkedHashMap<>();
        new Object() {
            void report() {
                for (String name : timedSamples.getFirst().metrics.keySet()) {
                    List<Double> values = new ArrayList<>();
                    for (Sample s : timedSamples) values.add(s.metrics.get(name));
                    System.out.println("METRIC " + name + " " + median(values));
                }
                boolean failed = false;
                for (var check : checks.entrySet()) {
                    String failure = check.getValue();
                    System.out.println(failure == null
                            ? "CHECK " + check.getKey() + " ok"
                            : "CHECK " + check.getKey() + " fail " + failure);
                    if (failure != null) failed = true;
                }
                if (failed) process().exitCode(1);
            }

            void runRound(int index) {
                if (index == args.warmup() + args.timed()) {
                    report();
                    return;
                }
                Sample sample = new Sample();
                boolean[] finished = {false};
                round.start(args.n(), sample, () -> {
                    if (finished[0]) throw new IllegalStateException("round " + index + " finished twice");
                    finished[0] = true;
                    if (index >= args.warmup()) timedSamples.add(sample);
                    for (var f : sample.failures.entrySet()) {
                        if (!checks.containsKey(f.getKey()) || checks.get(f.getKey()) == null) {
                            checks.put(f.getKey(), f.getValue() == null ? null : "round " + index + ": " + f.getValue());
                        }
                    }
                    setImmediate(() -> runRound(index + 1));
                });
            }
        }.runRound(0);
    }

    /**
     * Ends the program at once after printing {@code CHECK <check> fail <detail>}: for what a
     * round cannot recover from (a server that cannot listen, a round over its time limit).
     *
     * @param check the check's name
     * @param detail what went wrong
     */
    public static void abort(String check, String detail) {
        System.out.println("CHECK " + check + " fail " + detail);
        process().exit(1);
    }

    /** {@return monotonic nanoseconds (Node's process.hrtime.bigint())} */
    public static long nowNs() {
        return process().hrtimeBigint();
    }
}
