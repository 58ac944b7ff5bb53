package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.setImmediate;

import dev.herd.node.Herd;

/**
 * immediate-chain: N setImmediate callbacks, each scheduling the next, so one runs per loop
 * iteration (check phase). Metric: time_ms for the whole chain. Node twin:
 * {@code bench/node/immediate-chain.js}.
 */
public final class ImmediateChain {
    private ImmediateChain() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, ImmediateChain::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        long start = nowNs();
        class Step implements Runnable {
            int count;

            @Override
            public void run() {
                if (++count < n) {
                    setImmediate(this);
                    return;
                }
                sample.metric("time_ms", (nowNs() - start) / 1e6);
                sample.check("callbacks", count == n, "ran " + count + " of " + n);
                done.run();
            }
        }
        setImmediate(new Step());
    }
}
