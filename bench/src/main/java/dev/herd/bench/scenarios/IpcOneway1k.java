package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildProcess;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * ipc-oneway-1k: one forked child ({@link IpcOneway1kChild}, a JVM started as {@code fork()} does
 * by default) and N one-way messages parent → child over the IPC channel (JSON mode), each an
 * object {seq, data} whose JSON line is 1 KiB (data: a string of 'x'), then {end: N}, which the
 * child answers with the count it got. The parent sends as fast as the channel takes them: it
 * sends until send() returns false (more than 128 KiB queued) and goes on from that message's
 * callback (written to the socket). Metric: msgs_per_s, N / (first send to the child's answer).
 * Checks: the child got all N, in order. The child is forked once, before the first round, and
 * disconnected after the last. The Node twin is {@code bench/node/ipc-oneway-1k.js}.
 */
public final class IpcOneway1k {
    static final double ROUND_LIMIT_MS = 30_000;
    static final int LINE_BYTES = 1024;
    /** {"seq":S,"data":"x…x"}\n is 1 KiB for a 7-digit S; shorter S give lines a few bytes shorter. */
    static final String DATA = "x".repeat(LINE_BYTES - "{\"seq\":1234567,\"data\":\"\"}\n".length());

    private IpcOneway1k() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> IpcArgs.runWithChild(argv, IpcOneway1kChild.class, IpcOneway1k::round));
    }

    static void round(ChildProcess child, int n, Rounds.Sample sample, Runnable done, Consumer<Consumer<Object>> listen) {
        var s = new Object() {
            int seq;
            int writeErrors;
            final long start = nowNs();

            void sendSome() {
                while (seq < n) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("seq", seq++);
                    m.put("data", DATA);
                    boolean[] full = {false};
                    boolean ok = child.send(m, err -> {
                        if (err != null) writeErrors++;
                        if (full[0]) sendSome();
                    });
                    if (!ok) {
                        full[0] = true;
                        return;
                    }
                }
                child.send(Map.of("end", n));
            }
        };
        // The detail tells a lost send callback (all sent, waiting) from a lost answer.
        Timeout watchdog = setTimeout(() -> Rounds.abort("finished", "a round did not finish within " + ROUND_LIMIT_MS
                + " ms (sent " + s.seq + " of " + n + ")"), ROUND_LIMIT_MS);
        listen.accept(answer -> {
            long ns = nowNs() - s.start;
            clearTimeout(watchdog);
            Map<?, ?> m = (Map<?, ?>) answer;
            sample.metric("msgs_per_s", n / (ns / 1e9));
            sample.check("all_arrived_in_order",
                    Integer.valueOf(n).equals(m.get("count")) && Boolean.TRUE.equals(m.get("inOrder")) && s.writeErrors == 0,
                    "the child got " + m.get("count") + " of " + n + ", in order: " + m.get("inOrder") + ", write errors: "
                            + s.writeErrors);
            done.run();
        });
        s.sendSome();
    }
}
