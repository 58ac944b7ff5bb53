package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;

/**
 * ipc-handles: one forked child ({@link IpcHandlesChild}, a JVM started as {@code fork()} does by
 * default) and a TCP server on 127.0.0.1 in the parent that sends every connection it accepts to
 * the child as a net.Socket handle ({@code child.send("socket", socket)}: the descriptor travels
 * with SCM_RIGHTS and the parent's copy closes once the child acknowledges it); the child answers
 * "ok\n" on it and ends it. Clients in the parent keep {@link #CONCURRENCY} connections open at a
 * time until N have been answered. Metric: sockets_per_s, N / the whole round. Checks: every
 * client got "ok\n" and no socket errored. The child is forked once, before the first round, and
 * disconnected after the last. The Node twin is {@code bench/node/ipc-handles.js}.
 */
public final class IpcHandles {
    static final double ROUND_LIMIT_MS = 30_000;
    /** Client connections open at a time. */
    static final int CONCURRENCY = 16;

    private IpcHandles() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            ChildProcess child = ChildProcesses.fork(IpcHandlesChild.class.getName());
            child.on("error", a -> Rounds.abort("no_errors", "child: " + a[0]));
            Server server = Net.createServer(socket -> child.send("socket", socket));
            server.on("error", a -> Rounds.abort("no_errors", "server: " + a[0]));
            int rounds = IpcArgs.rounds(argv);
            int[] started = {0};
            child.once("message", a -> {
                if (!"ready".equals(a[0])) Rounds.abort("ready", "the child said " + a[0] + " first");
                server.listen(0, "127.0.0.1", 0, () -> Rounds.run(argv, (n, sample, done) -> {
                    boolean last = ++started[0] == rounds;
                    round(server.address().port(), n, sample, () -> {
                        if (last) {
                            child.disconnect();
                            server.close();
                        }
                        done.run();
                    });
                }));
            });
        });
    }

    static void round(int port, int n, Rounds.Sample sample, Runnable done) {
        Timeout watchdog = setTimeout(
                () -> Rounds.abort("finished", "a round did not finish within " + ROUND_LIMIT_MS + " ms"), ROUND_LIMIT_MS);
        var s = new Object() {
            int opened;
            int answered;
            int finished;
            String bad;
            final long start = nowNs();

            void open() {
                opened++;
                Socket c = Net.connect(port, "127.0.0.1", null);
                StringBuilder got = new StringBuilder();
                c.setEncoding("latin1");
                c.on("data", a -> got.append((String) a[0]));
                c.on("error", a -> {
                    if (bad == null) bad = "client socket: " + a[0];
                });
                c.on("close", a -> {
                    if (got.toString().equals("ok\n")) answered++;
                    else if (bad == null) bad = "a client got \"" + got + "\"";
                    if (++finished == n) {
                        clearTimeout(watchdog);
                        sample.metric("sockets_per_s", n / ((nowNs() - start) / 1e9));
                        sample.check("all_answered", answered == n && bad == null,
                                bad != null ? bad : answered + " of " + n + " answered");
                        done.run();
                        return;
                    }
                    if (opened < n) open();
                });
            }
        };
        for (int i = 0; i < Math.min(CONCURRENCY, n); i++) s.open();
    }
}
