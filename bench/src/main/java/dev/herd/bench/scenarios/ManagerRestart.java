package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import java.util.ArrayList;
import java.util.List;

/**
 * manager-restart: how soon Herd's manager brings a crashed app back. One app
 * ({@code bench/node/manager-app.js}) runs under the manager with {@code --max-restarts 1000} (so
 * that a streak of quick crashes never makes it errored; both managers' restart delay is 0 by
 * default). Every round kills it N times: the driver sends SIGKILL to the pid the app reported and
 * times until the replacement has started and reported its own pid over TCP (its first "answer");
 * it waits {@link #SETTLE_MS} before the next kill. Metric: restart_ms, the median of the round.
 * Checks: every kill brought a new pid, each within {@link #LIMIT_MS}. The Node twin, against pm2,
 * is {@code bench/node/manager-restart.js}.
 */
public final class ManagerRestart {
    /** After a report, before the next kill: the manager's own after-start work. */
    static final int SETTLE_MS = 300;
    static final int LIMIT_MS = 30_000;

    private ManagerRestart() {}

    /** The app's pid, and who waits for the next one. */
    private static final class State {
        int pid;
        Report onReport;
        int rounds;
        ManagerDriver.Reports reports;
    }

    @FunctionalInterface
    private interface Report {
        void reported(int pid, int previous);
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
                int previous = state.pid;
                state.pid = pid;
                if (previous == 0) {
                    Rounds.run(argv, (n, sample, done) -> round(state, totalRounds, n, sample, done));
                } else if (state.onReport != null) {
                    state.onReport.reported(pid, previous);
                }
            }, port -> herd.start("manager-app.js", List.of("--name", "crash", "--max-restarts", "1000"),
                    List.of(String.valueOf(port))));
        });
    }

    static void round(State state, int totalRounds, int n, Rounds.Sample sample, Runnable done) {
        List<Double> times = new ArrayList<>();
        var step = new Object() {
            void next() {
                if (times.size() == n) {
                    sample.metric("restart_ms", Rounds.median(times));
                    // After the last round the reports' connections would keep this program alive.
                    if (++state.rounds == totalRounds) state.reports.close();
                    done.run();
                    return;
                }
                Timeout watchdog = setTimeout(
                        () -> Rounds.abort("restarted", "no new pid within " + LIMIT_MS + " ms of kill -9"), LIMIT_MS);
                long t0 = nowNs();
                state.onReport = (pid, previous) -> {
                    times.add((nowNs() - t0) / 1e6);
                    clearTimeout(watchdog);
                    state.onReport = null;
                    sample.check("new_pid", pid != previous, "pid " + pid + " reported again");
                    setTimeout(this::next, SETTLE_MS);
                };
                process().kill(state.pid, "SIGKILL");
            }
        };
        setTimeout(step::next, SETTLE_MS);
    }
}
