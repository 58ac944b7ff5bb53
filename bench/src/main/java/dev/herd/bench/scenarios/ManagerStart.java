package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * manager-start: {@code herd start} of a Node app until it answers, cold (no daemon running: the
 * command starts it) and warm (the daemon runs). Every round N times: {@code herd kill} (untimed),
 * then a timed {@code herd start manager-app.js} until both the command has returned and the app
 * has reported its pid over TCP (cold_start_ms); {@code herd delete} (untimed), then the same
 * start again (warm_start_ms). Metrics: the medians of the round. Checks: every start brought the
 * app's report, from a new process, within {@link #LIMIT_MS}. The Node twin, against pm2, is
 * {@code bench/node/manager-start.js}.
 */
public final class ManagerStart {
    static final int LIMIT_MS = 30_000;

    private ManagerStart() {}

    private static final class State {
        int port;
        int pid;
        Runnable onReport;
        int rounds;
        ManagerDriver.Reports reports;
    }

    /**
     * Runs the program (see the class comment).
     *
     * @param args N W T
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            int totalRounds = Integer.parseInt(argv[1]) + Integer.parseInt(argv[2]);
            ManagerDriver herd = new ManagerDriver();
            State state = new State();
            state.reports = ManagerDriver.reportServer(pid -> {
                state.pid = pid;
                if (state.onReport != null) state.onReport.run();
            }, port -> {
                state.port = port;
                Rounds.run(argv, (n, sample, done) -> round(herd, state, totalRounds, n, sample, done));
            });
        });
    }

    /** Starts the app and calls {@code then} with the time once the command returned and the app reported. */
    private static void timedStart(ManagerDriver herd, State state, Rounds.Sample sample, DoubleConsumer then) {
        int before = state.pid;
        Timeout watchdog = setTimeout(
                () -> Rounds.abort("reported", "the app did not report within " + LIMIT_MS + " ms"), LIMIT_MS);
        long t0 = nowNs();
        state.onReport = () -> {
            double ms = (nowNs() - t0) / 1e6;
            clearTimeout(watchdog);
            state.onReport = null;
            sample.check("new_pid", state.pid != before, "the start reported pid " + before + " again");
            then.accept(ms);
        };
        herd.start("manager-app.js", List.of("--name", "app"), List.of(String.valueOf(state.port)));
    }

    static void round(ManagerDriver herd, State state, int totalRounds, int n, Rounds.Sample sample, Runnable done) {
        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        var step = new Object() {
            void next() {
                if (cold.size() == n) {
                    sample.metric("cold_start_ms", Rounds.median(cold));
                    sample.metric("warm_start_ms", Rounds.median(warm));
                    if (++state.rounds == totalRounds) state.reports.close();
                    done.run();
                    return;
                }
                herd.run("kill");
                timedStart(herd, state, sample, coldMs -> {
                    cold.add(coldMs);
                    herd.run("delete", "app");
                    timedStart(herd, state, sample, warmMs -> {
                        warm.add(warmMs);
                        herd.run("delete", "app");
                        setImmediate(this::next);
                    });
                });
            }
        };
        step.next();
    }
}
