package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildProcess;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * ipc-pingpong: one forked child ({@link IpcPingpongChild}, a JVM started with this JVM's options
 * and class path, as {@code fork()} does by default; it echoes every message) and N sequential
 * round trips of a small message over the IPC channel (JSON mode): the parent sends the number i,
 * waits for it to come back, and sends i + 1. Metrics: roundtrips_per_s (N / the whole round) and
 * rtt_us_p50 (the median round-trip time, send to 'message'). Checks: every echo was the number
 * last sent, all N came back. The child is forked once, before the first round, and disconnected
 * after the last; a round that has not finished within {@link #ROUND_LIMIT_MS} fails the program.
 * CPU placement is the caller's: run the whole command under {@code taskset -c 0} to put both
 * processes on one CPU. The Node twin is {@code bench/node/ipc-pingpong.js}.
 */
public final class IpcPingpong {
    static final double ROUND_LIMIT_MS = 30_000;

    private IpcPingpong() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> IpcArgs.runWithChild(argv, IpcPingpongChild.class, IpcPingpong::round));
    }

    static void round(ChildProcess child, int n, Rounds.Sample sample, Runnable done, Consumer<Consumer<Object>> listen) {
        long[] rtt = new long[n];
        Timeout watchdog = setTimeout(
                () -> Rounds.abort("finished", "a round did not finish within " + ROUND_LIMIT_MS + " ms"), ROUND_LIMIT_MS);
        var s = new Object() {
            int count;
            String bad;
            long start = nowNs();
            long sentAt = start;
        };
        listen.accept(m -> {
            long now = nowNs();
            if (s.bad == null && !Integer.valueOf(s.count).equals(m)) s.bad = "round trip " + s.count + ": got " + m;
            rtt[s.count++] = now - s.sentAt;
            if (s.count < n) {
                s.sentAt = nowNs();
                child.send(s.count);
                return;
            }
            clearTimeout(watchdog);
            long[] sorted = rtt.clone();
            Arrays.sort(sorted);
            sample.metric("roundtrips_per_s", n / ((now - s.start) / 1e9));
            sample.metric("rtt_us_p50", median(sorted) / 1e3);
            sample.check("all_echoed", s.bad == null, s.bad);
            done.run();
        });
        child.send(0);
    }

    /** The median of sorted values; the mean of the middle two for an even count (as rounds.js's). */
    static double median(long[] sorted) {
        int mid = sorted.length >> 1;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }
}
