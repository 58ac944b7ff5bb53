package dev.herd.bench;

import static dev.herd.bench.Scenario.Metric.higher;
import static dev.herd.bench.Scenario.Metric.lower;

import dev.herd.bench.scenarios.ImmediateChain;
import dev.herd.bench.scenarios.LoopExecute;
import dev.herd.bench.scenarios.MicrotaskChain;
import dev.herd.bench.scenarios.NextTickChain;
import dev.herd.bench.scenarios.TimersRandom;
import dev.herd.bench.scenarios.WorkpoolRoundtrip;
import java.util.List;

/**
 * The scenario registry. Arguments are N (workload size), W (warm-up rounds) and T (timed rounds)
 * inside each process. Quick arguments keep {@code ./herd bench all --quick} within a few minutes
 * on a 2-core machine; where a target in docs/benchmarks.md is stated for a size (1e6 callbacks,
 * 1e5 timers), the full arguments use that size.
 */
public final class Scenarios {
    private Scenarios() {}

    public static final List<Scenario> ALL = List.of(
            new Scenario("immediate-chain", "1e6 chained setImmediate callbacks",
                    ImmediateChain.class, "immediate-chain.js",
                    List.of("1000000", "3", "5"), List.of("200000", "3", "5"),
                    List.of(lower("time_ms"))),
            new Scenario("nexttick-chain", "1e6 chained process.nextTick callbacks",
                    NextTickChain.class, "nexttick-chain.js",
                    List.of("1000000", "5", "10"), List.of("1000000", "3", "5"),
                    List.of(lower("time_ms"))),
            new Scenario("microtask-chain", "1e6 chained queueMicrotask callbacks",
                    MicrotaskChain.class, "microtask-chain.js",
                    List.of("1000000", "5", "10"), List.of("500000", "3", "5"),
                    List.of(lower("time_ms"))),
            new Scenario("timers-random", "1e5 setTimeout calls, delays 0-100 ms from xorshift32",
                    TimersRandom.class, "timers-random.js",
                    List.of("100000", "3", "7"), List.of("100000", "2", "3"),
                    List.of(lower("schedule_ms"), lower("lateness_p50_ms"), lower("lateness_p99_ms"),
                            lower("overhead_ms"))),
            new Scenario("loop-execute", "1e6 Loop.execute wakeups from 2 producer threads (Herd only)",
                    LoopExecute.class, null,
                    List.of("1000000", "5", "10"), List.of("200000", "3", "5"),
                    List.of(lower("time_ms").herdOnly(), higher("ops_per_s").herdOnly())),
            new Scenario("workpool-roundtrip", "sequential work pool round trips (Node: crypto.randomFill of 1 byte)",
                    WorkpoolRoundtrip.class, "workpool-roundtrip.js",
                    List.of("20000", "3", "5"), List.of("5000", "2", "3"),
                    List.of(lower("time_ms"), higher("roundtrips_per_s"))));

    /** The scenario called {@code name}, or null. */
    public static Scenario named(String name) {
        for (Scenario s : ALL) {
            if (s.name().equals(name)) return s;
        }
        return null;
    }
}
