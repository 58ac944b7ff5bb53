package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.process;

import dev.herd.loop.Loop;
import dev.herd.loop.WorkRequest;
import dev.herd.node.Herd;
import java.util.concurrent.ThreadLocalRandom;

/**
 * workpool-roundtrip: N sequential round trips through the work pool ({@link Loop#queueWork}),
 * each done callback queueing the next. The work writes one random byte into a 1-byte buffer, as
 * the Node twin's {@code crypto.randomFill} does on libuv's threadpool (see
 * {@code bench/node/workpool-roundtrip.js} for why that is Node's comparable round trip).
 * Metrics: time_ms, roundtrips_per_s.
 */
public final class WorkpoolRoundtrip {
    private WorkpoolRoundtrip() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, WorkpoolRoundtrip::round));
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        Loop loop = process().loop();
        byte[] buffer = new byte[1];
        Runnable randomFill = () -> buffer[0] = (byte) ThreadLocalRandom.current().nextInt();
        long start = nowNs();
        class Step implements WorkRequest.Done {
            int count;
            int errors;

            @Override
            public void done(Throwable error) {
                if (error != null) errors++;
                if (++count < n) {
                    loop.queueWork(randomFill, this);
                    return;
                }
                long ns = nowNs() - start;
                sample.metric("time_ms", ns / 1e6);
                sample.metric("roundtrips_per_s", n / (ns / 1e9));
                sample.check("no_errors", errors == 0, errors + " of " + n + " round trips failed");
                done.run();
            }
        }
        loop.queueWork(randomFill, new Step());
    }
}
