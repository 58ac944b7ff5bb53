package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.net.Net;
import dev.herd.node.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * manager-reload: {@code herd reload} of a Node app running with {@code -i 2}
 * ({@code bench/node/manager-cluster-app.js}) under load. Every round runs two phases: C
 * connections' worth of clients sending one request after another, first each on a new connection
 * ({@code Connection: close}), then on keep-alive connections; {@link #RELOAD_AT_MS} into the
 * phase the driver runs {@code reload} (as a separate process, so that the load goes on), and
 * the phase ends {@link #AFTER_MS} after the reload returned. A request fails when its
 * connection is refused, reset or closed before the whole response came, or it is unanswered
 * for {@link #TIMEOUT_MS}. Metrics:
 * close_failed and keepalive_failed (the failed requests of each phase), close_p99_ms and
 * keepalive_p99_ms (the nearest-rank p99 latency of the requests started while the reload ran,
 * from the connect or the request's write to the whole response), reload_ms (the two reloads'
 * mean, the call to its exit). Checks: each reload exited 0 and requests were served.
 * The Node twin, against pm2, is {@code bench/node/manager-reload.js}.
 */
public final class ManagerReload {
    static final int RELOAD_AT_MS = 1000;
    static final int AFTER_MS = 1000;
    /** A connection idle this long (a request unanswered) is destroyed: the request failed. */
    static final int TIMEOUT_MS = 5000;
    private static final Pattern LENGTH = Pattern.compile("(?i)content-length:\\s*(\\d+)");
    private static final Pattern CLOSE = Pattern.compile("(?i)connection:\\s*close");

    private ManagerReload() {}

    /** One phase's clients and counts. */
    static final class Phase {
        final int port;
        final boolean keepAlive;
        boolean running = true;
        int ok;
        int failed;
        int active;
        Runnable whenStopped;
        /** Requests started in [windowStart, windowEnd] (nowNs) have their latency kept. */
        long windowStart = Long.MAX_VALUE;
        long windowEnd = Long.MAX_VALUE;
        final List<Long> latencies = new java.util.ArrayList<>();
        /** After a failed request, a client waits this long before its next (0: at once). */
        int failurePauseMs;

        Phase(int port, boolean keepAlive) {
            this.port = port;
            this.keepAlive = keepAlive;
        }

        void client() {
            if (!running) {
                if (--active == 0 && whenStopped != null) whenStopped.run();
                return;
            }
            long[] started = {nowNs()};
            Socket s = Net.createConnection(port, "127.0.0.1", null);
            StringBuilder in = new StringBuilder();
            boolean[] done = {false};
            Runnable request = () -> {
                if (keepAlive) started[0] = nowNs();
                s.write(keepAlive ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n" : "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            };
            s.setTimeout(TIMEOUT_MS, s::destroy); // a request left unanswered fails
            s.on("connect", a -> request.run());
            s.on("data", a -> {
                in.append(new String((byte[]) a[0], StandardCharsets.ISO_8859_1));
                int head = in.indexOf("\r\n\r\n");
                if (head < 0) return;
                String headers = in.substring(0, head);
                Matcher m = LENGTH.matcher(headers);
                if (!m.find() || in.length() < head + 4 + Integer.parseInt(m.group(1))) return;
                in.setLength(0);
                ok++;
                if (started[0] >= windowStart && started[0] <= windowEnd) latencies.add(nowNs() - started[0]);
                if (!keepAlive || CLOSE.matcher(headers).find()) { // as HTTP clients do: no request after Connection: close
                    done[0] = true;
                    return; // the server closes; 'close' starts the next connection
                }
                if (running) request.run();
                else {
                    done[0] = true;
                    s.destroy();
                }
            });
            s.on("error", a -> { });
            s.on("close", a -> {
                if (done[0]) {
                    client();
                    return;
                }
                failed++;
                if (failurePauseMs > 0) setTimeout(this::client, failurePauseMs);
                else client();
            });
        }
    }

    /**
     * Runs the program (see the class comment).
     *
     * @param args N W T C (N is unused: one reload per phase)
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (argv.length != 4) Rounds.abort("args", "usage: N W T C");
            int connections = Integer.parseInt(argv[3]);
            String[] rounds = java.util.Arrays.copyOf(argv, 3); // N W T, then this scenario's own: Rounds reads the first three
            int port = ManagerDriver.freePort();
            ManagerDriver herd = new ManagerDriver();
            herd.start("manager-cluster-app.js", List.of("--name", "mc", "-i", "2"), List.of(String.valueOf(port), "127.0.0.1"));
            ManagerDriver.awaitAnswers(port, 2);
            Rounds.run(rounds, (n, sample, done) -> phase(herd, port, false, connections, sample, closeMs ->
                    phase(herd, port, true, connections, sample, keepMs -> {
                        sample.metric("reload_ms", (closeMs + keepMs) / 2);
                        done.run();
                    })));
        });
    }

    /** The nearest-rank p99 of {@code ns} in ms (0 for none). */
    static double p99Ms(List<Long> ns) {
        if (ns.isEmpty()) return 0;
        long[] sorted = ns.stream().mapToLong(Long::longValue).sorted().toArray();
        return TcpPingpong.percentile(sorted, 0.99) / 1e6;
    }

    private static void phase(ManagerDriver herd, int port, boolean keepAlive, int connections, Rounds.Sample sample,
            java.util.function.DoubleConsumer then) {
        Phase p = new Phase(port, keepAlive);
        p.active = connections;
        for (int i = 0; i < connections; i++) p.client();
        String name = keepAlive ? "keepalive" : "close";
        setTimeout(() -> {
            long t0 = nowNs();
            p.windowStart = t0;
            herd.runAsync(code -> {
                p.windowEnd = nowNs();
                double ms = (nowNs() - t0) / 1e6;
                sample.check(name + "_reload_ok", code == 0, "reload exited with " + code);
                setTimeout(() -> {
                    p.whenStopped = () -> {
                        sample.check(name + "_served", p.ok > 0, "no request served");
                        sample.metric(name + "_failed", p.failed);
                        sample.metric(name + "_p99_ms", p99Ms(p.latencies));
                        then.accept(ms);
                    };
                    p.running = false;
                }, AFTER_MS);
            }, "reload", "mc");
        }, RELOAD_AT_MS);
    }
}
