package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import java.util.ArrayList;
import java.util.List;

/**
 * spawn-true: N sequential {@code spawn('/bin/true')} calls with the default stdio (three pipes),
 * each started from the previous child's 'exit'. Metrics: exit_ms, the median time from the spawn
 * call to the child's 'exit' event; spawns_per_s over the round. Checks: every child started
 * ('spawn', no 'error') and exited with code 0. The Node twin is {@code bench/node/spawn-true.js}.
 */
public final class SpawnTrue {
    private SpawnTrue() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, SpawnTrue::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        List<Double> times = new ArrayList<>(n);
        int[] errors = {0};
        long start = nowNs();
        new Object() {
            void next() {
                long t0 = nowNs();
                ChildProcess c = ChildProcesses.spawn("/bin/true");
                c.on("error", a -> errors[0]++);
                c.on("exit", a -> {
                    if (!Integer.valueOf(0).equals(a[0])) errors[0]++;
                    times.add((nowNs() - t0) / 1e6);
                    if (times.size() < n) {
                        next();
                        return;
                    }
                    long ns = nowNs() - start;
                    sample.metric("exit_ms", Rounds.median(times));
                    sample.metric("spawns_per_s", n / (ns / 1e9));
                    sample.check("all_exited_0", errors[0] == 0, errors[0] + " of " + n + " children failed");
                    done.run();
                });
            }
        }.next();
    }
}
