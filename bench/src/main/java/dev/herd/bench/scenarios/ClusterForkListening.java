package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ListeningAddress;
import dev.herd.node.cluster.Worker;
import dev.herd.node.http.Http;
import java.util.ArrayList;
import java.util.List;

/**
 * cluster-fork-listening: N sequential {@code Cluster.fork()}s, one worker at a time. Each worker
 * (this same program again, in a new JVM with the primary's JVM flags: {@code ClusterSettings}'
 * default execArgv) starts an HTTP server on port 0 of 127.0.0.1 through the primary (round-robin:
 * every worker gets the primary's port); on the worker's 'listening' the primary calls
 * {@code disconnect()}, and the worker's 'exit' starts the next fork. Metrics: listening_ms, the
 * median time from the fork call to the worker's 'listening' in the primary; online_ms, the same
 * to its 'online'. Checks: every worker went online before listening, listened on a port, and
 * exited with code 0 after the disconnect. The Node twin is
 * {@code bench/node/cluster-fork-listening.js}.
 */
public final class ClusterForkListening {
    /** A fork that has not exited this long after the fork call ends the program (a failed check). */
    static final int FORK_LIMIT_MS = 60_000;

    private ClusterForkListening() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (Cluster.isPrimary()) Rounds.run(argv, ClusterForkListening::round);
            else worker();
        });
    }

    private static void worker() {
        Http.createServer((req, res) -> res.end("hello world\n")).listen(0, "127.0.0.1", null);
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        List<Double> online = new ArrayList<>(n);
        List<Double> listening = new ArrayList<>(n);
        int[] forks = {0};
        int[] errors = {0};
        String[] firstError = {null};
        new Object() {
            void error(Worker w, String what) {
                if (errors[0]++ == 0) firstError[0] = "worker " + w.id() + ": " + what;
            }

            void next() {
                forks[0]++;
                long t0 = nowNs();
                Worker w = Cluster.fork();
                Timeout limit = setTimeout(() -> Rounds.abort("exited",
                        "worker " + w.id() + " did not exit within " + FORK_LIMIT_MS + " ms of its fork"), FORK_LIMIT_MS);
                boolean[] wasOnline = {false};
                boolean[] wasListening = {false};
                w.on("online", a -> {
                    wasOnline[0] = true;
                    online.add((nowNs() - t0) / 1e6);
                });
                w.on("listening", a -> {
                    listening.add((nowNs() - t0) / 1e6);
                    wasListening[0] = true;
                    if (!wasOnline[0]) error(w, "'listening' before 'online'");
                    if (!(a[0] instanceof ListeningAddress address) || address.port() <= 0) error(w, "listening on " + a[0]);
                    w.disconnect();
                });
                w.on("error", a -> error(w, "error " + a[0]));
                w.on("exit", a -> {
                    clearTimeout(limit);
                    if (!Integer.valueOf(0).equals(a[0]) || a[1] != null) error(w, "exit code " + a[0] + ", signal " + a[1]);
                    if (!Boolean.TRUE.equals(w.exitedAfterDisconnect())) error(w, "exitedAfterDisconnect " + w.exitedAfterDisconnect());
                    if (!wasListening[0]) error(w, "exited before listening");
                    if (forks[0] < n) {
                        next();
                        return;
                    }
                    finish();
                });
            }

            void finish() {
                sample.metric("listening_ms", listening.isEmpty() ? 0 : Rounds.median(listening));
                sample.metric("online_ms", online.isEmpty() ? 0 : Rounds.median(online));
                sample.check("online_listening_exit_0", errors[0] == 0 && listening.size() == n,
                        errors[0] + " of " + n + " workers failed, first: " + firstError[0]);
                done.run();
            }
        }.next();
    }
}
