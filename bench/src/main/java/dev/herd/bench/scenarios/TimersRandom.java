package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import java.util.Arrays;

/**
 * timers-random: N setTimeout calls with delays of 0..100 ms drawn from xorshift32 (the same
 * 32-bit sequence as the Node twin, {@code bench/node/timers-random.js}), all made in one go.
 * Metrics:
 * <ul>
 *   <li>schedule_ms: time to make the N setTimeout calls;
 *   <li>lateness_p50_ms, lateness_p99_ms: nearest-rank percentiles of fire time - (call time +
 *       delay), where delay 0 counts as 1 ms, the delay both Node and Herd actually use;
 *   <li>overhead_ms: time from the first call until the last timer fired, minus the largest delay.
 * </ul>
 * Call times are read once per {@link #CLOCK_STRIDE} calls, so that reading the clock (about 60 ns
 * in Node, 25 ns in Java) stays out of schedule_ms; a call time is thus early by at most the time
 * of CLOCK_STRIDE - 1 setTimeout calls (some microseconds), which makes lateness that much larger.
 * Lateness may be negative: both runtimes start a timer at the loop's cached "now", which lags the
 * clock while a long callback (this one) runs.
 *
 * <p>Checks: the PRNG matches Marsaglia's reference value and the Node twin's sequence; every
 * timer fired exactly once; timers with equal delays fired in the order they were made (Node's
 * per-duration lists are FIFO).
 */
public final class TimersRandom {
    private static final int MAX_DELAY = 100;
    private static final int CLOCK_STRIDE = 64;
    private static final int SEED = (int) 2463534242L;

    private TimersRandom() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, TimersRandom::round));
    }

    /** Marsaglia's xorshift32 (13, 17, 5); returns the new state. */
    static int xorshift32(int x) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return x;
    }

    static int[] delays(int n) {
        int[] d = new int[n];
        int x = SEED;
        for (int i = 0; i < n; i++) {
            x = xorshift32(x);
            d[i] = Integer.remainderUnsigned(x, MAX_DELAY + 1);
        }
        return d;
    }

    /**
     * Sum of delay[i] * (i + 1) over the first 1000 delays: equal in both twins only if their
     * sequences are bit-identical (about half the states are negative as int32, which tests the
     * unsigned remainder).
     */
    static final long PRNG_FINGERPRINT = 25313533L;

    static long fingerprint() {
        int[] d = delays(1000);
        long sum = 0;
        for (int i = 0; i < d.length; i++) sum += (long) d[i] * (i + 1);
        return sum;
    }

    static double percentile(double[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        sample.check("prng", Integer.toUnsignedLong(xorshift32(SEED)) == 723471715L && fingerprint() == PRNG_FINGERPRINT,
                "xorshift32(" + Integer.toUnsignedString(SEED) + ") = " + Integer.toUnsignedString(xorshift32(SEED))
                        + ", fingerprint " + fingerprint());
        int[] delay = delays(n);
        long[] calledAt = new long[n];
        long[] firedAt = new long[n];
        int[] order = new int[n];
        Arrays.fill(order, -1);

        class Timers {
            int fired;
            int firedTwice;
            long start;
            long scheduleNs;

            void fire(int i) {
                firedAt[i] = nowNs();
                if (order[i] != -1) firedTwice++;
                order[i] = fired++;
                if (fired == n) finish(firedAt[i]);
            }

            void finish(long lastFire) {
                double[] lateness = new double[n];
                int[] lastOrder = new int[MAX_DELAY + 1];
                Arrays.fill(lastOrder, -1);
                int maxDelay = 0;
                int outOfOrder = 0;
                for (int i = 0; i < n; i++) {
                    int effective = Math.max(1, delay[i]);
                    maxDelay = Math.max(maxDelay, effective);
                    lateness[i] = (firedAt[i] - calledAt[i]) / 1e6 - effective;
                    if (order[i] < lastOrder[delay[i]]) outOfOrder++;
                    lastOrder[delay[i]] = order[i];
                }
                Arrays.sort(lateness);
                sample.metric("schedule_ms", scheduleNs / 1e6);
                sample.metric("lateness_p50_ms", percentile(lateness, 0.5));
                sample.metric("lateness_p99_ms", percentile(lateness, 0.99));
                sample.metric("overhead_ms", (lastFire - start) / 1e6 - maxDelay);
                sample.check("fired_once", fired == n && firedTwice == 0,
                        fired + " fired for " + n + " timers, " + firedTwice + " twice");
                sample.check("same_delay_fifo", outOfOrder == 0,
                        outOfOrder + " timers fired before an earlier one of equal delay");
                done.run();
            }
        }
        Timers timers = new Timers();

        long start = nowNs();
        long callTime = start;
        for (int i = 0; i < n; i++) {
            if (i % CLOCK_STRIDE == 0) callTime = nowNs();
            calledAt[i] = callTime;
            int index = i;
            setTimeout(() -> timers.fire(index), delay[i]);
        }
        timers.start = start;
        timers.scheduleNs = nowNs() - start;
    }
}
