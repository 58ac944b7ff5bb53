package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildProcesses;
import java.util.ArrayList;
import java.util.List;

/**
 * execfile-echo: N sequential {@code execFile('echo', ['hi'])} calls ('echo' looked up in PATH,
 * output collected as a UTF-8 string), each started from the previous one's callback. Metrics:
 * callback_ms, the median time from the call to its callback; execs_per_s over the round.
 * Checks: every callback got no error and stdout "hi\n". The Node twin is
 * {@code bench/node/execfile-echo.js}.
 */
public final class ExecfileEcho {
    private ExecfileEcho() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, ExecfileEcho::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        List<Double> times = new ArrayList<>(n);
        int[] errors = {0};
        long start = nowNs();
        new Object() {
            void next() {
                long t0 = nowNs();
                ChildProcesses.execFile("echo", List.of("hi"), (err, stdout, stderr) -> {
                    if (err != null || !"hi\n".equals(stdout)) errors[0]++;
                    times.add((nowNs() - t0) / 1e6);
                    if (times.size() < n) {
                        next();
                        return;
                    }
                    long ns = nowNs() - start;
                    sample.metric("callback_ms", Rounds.median(times));
                    sample.metric("execs_per_s", n / (ns / 1e9));
                    sample.check("all_echoed", errors[0] == 0, errors[0] + " of " + n + " calls failed");
                    done.run();
                });
            }
        }.next();
    }
}
