package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.util.Arrays;

/**
 * tcp-pingpong: one TCP connection over 127.0.0.1 between an echo server and a client, both in
 * this process on this loop (as in the Node twin, {@code bench/node/tcp-pingpong.js}), with
 * TCP_NODELAY on both ends. The client writes 1 byte, waits for it to come back, and writes the
 * next: N round trips. Metrics: rtt_us_p50 and rtt_us_p99 (nearest-rank percentiles of the N
 * round-trip times, write to echo read) and roundtrips_per_s (N / the whole round).
 *
 * <p>Byte i is {@code i & 0xff}. Check: every 'data' the client got was exactly the 1 byte it
 * last sent, and all N came back. A round that has not finished within {@link #ROUND_LIMIT_MS}
 * fails the program.
 */
public final class TcpPingpong {
    static final double ROUND_LIMIT_MS = 60_000;

    private TcpPingpong() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, TcpPingpong::round));
    }

    /** The nearest-rank percentile {@code p} (0..1) of sorted values, as TimersRandom's. */
    static double percentile(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        long[] rtt = new long[n];
        Server server = Net.createServer(socket -> {
            socket.setNoDelay(true);
            socket.on("data", a -> socket.write((byte[]) a[0]));
            socket.on("end", () -> socket.end());
            socket.on("error", a -> sample.check("no_errors", false, "server socket: " + a[0]));
        });
        server.on("error", a -> Rounds.abort("no_errors", "server: " + a[0]));
        Timeout watchdog = setTimeout(
                () -> Rounds.abort("finished", "a round did not finish within " + ROUND_LIMIT_MS + " ms"), ROUND_LIMIT_MS);
        server.listen(0, "127.0.0.1", 0, () -> {
            var state = new Object() {
                long start;
                long sentAt;
                int count;
                String bad;
            };
            Socket client = Net.createConnection(server.address().port(), "127.0.0.1", null);
            client.on("connect", () -> {
                client.setNoDelay(true);
                state.start = nowNs();
                state.sentAt = state.start;
                client.write(new byte[] {0});
            });
            client.on("data", a -> {
                long now = nowNs();
                byte[] d = (byte[]) a[0];
                if (state.bad == null && (d.length != 1 || d[0] != (byte) state.count)) {
                    state.bad = "round trip " + state.count + ": got " + d.length + " byte(s), first " + d[0];
                }
                rtt[state.count++] = now - state.sentAt;
                if (state.count == n) {
                    sample.metric("roundtrips_per_s", n / ((now - state.start) / 1e9));
                    client.end();
                    return;
                }
                state.sentAt = nowNs();
                client.write(new byte[] {(byte) state.count});
            });
            client.on("error", a -> sample.check("no_errors", false, "client socket: " + a[0]));
            client.on("close", a -> server.close(err -> {
                clearTimeout(watchdog);
                long[] sorted = Arrays.copyOf(rtt, state.count);
                Arrays.sort(sorted);
                if (state.count < n) sample.metric("roundtrips_per_s", 0);
                sample.metric("rtt_us_p50", sorted.length == 0 ? 0 : percentile(sorted, 0.5) / 1e3);
                sample.metric("rtt_us_p99", sorted.length == 0 ? 0 : percentile(sorted, 0.99) / 1e3);
                sample.check("no_errors", true, null);
                sample.check("all_echoed", state.count == n && state.bad == null,
                        state.bad != null ? state.bad : state.count + " of " + n + " round trips");
                done.run();
            }));
        });
    }
}
