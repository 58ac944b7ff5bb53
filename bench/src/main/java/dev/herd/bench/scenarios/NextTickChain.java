package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setImmediate;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;

/**
 * nexttick-chain: N process.nextTick callbacks, each queueing the next; the whole chain drains
 * before the loop moves on. Metric: time_ms for the whole chain. Check: the chain finished before
 * an immediate queued ahead of it (ticks run before the loop's next phase). Node twin:
 * {@code bench/node/nexttick-chain.js}.
 */
public final class NextTickChain {
    private NextTickChain() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, NextTickChain::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        NodeProcess process = process();
        class Step implements Runnable {
            long start;
            int count;
            boolean chainOver;

            @Override
            public void run() {
                if (++count < n) {
                    process.nextTick(this);
                    return;
                }
                sample.metric("time_ms", (nowNs() - start) / 1e6);
                sample.check("callbacks", count == n, "ran " + count + " of " + n);
                chainOver = true;
            }
        }
        Step step = new Step();
        setImmediate(() -> {
            sample.check("before_immediate", step.chainOver, "an immediate ran after " + step.count + " of " + n + " ticks");
            done.run();
        });
        step.start = nowNs();
        process.nextTick(step);
    }
}
