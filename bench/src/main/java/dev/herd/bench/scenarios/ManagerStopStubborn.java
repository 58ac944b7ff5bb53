package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * manager-stop-stubborn: {@code herd stop} of a program that ignores SIGINT
 * ({@code bench/node/manager-app.js PORT stubborn}), started with {@code --kill-timeout}
 * {@link #KILL_TIMEOUT_MS}: the manager sends SIGINT, waits the kill timeout, then SIGKILL. Every
 * round starts such an app N times ({@code ./herd start ... --name stubborn-I}), waits for its
 * report (its SIGINT handler is in place by then), times {@code ./herd stop stubborn-I} from the
 * call to the CLI's exit, and deletes it. Metric: stop_extra_ms, the median stop time of the round
 * minus the kill timeout (the CLI's own cost plus the manager's reaction). Checks: the app's
 * process is gone once stop returns, and stop did not return before the kill timeout. The Node
 * twin, against pm2, is {@code bench/node/manager-stop-stubborn.js}.
 */
public final class ManagerStopStubborn {
    static final int KILL_TIMEOUT_MS = 1000;
    static final int LIMIT_MS = 30_000;

    private ManagerStopStubborn() {}

    private static final class State {
        int port;
        IntConsumer onReport;
        int rounds;
        int started;
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
                if (state.onReport != null) state.onReport.accept(pid);
            }, port -> {
                state.port = port;
                Rounds.run(argv, (n, sample, done) -> round(herd, state, totalRounds, n, sample, done));
            });
        });
    }


    static void round(ManagerDriver herd, State state, int totalRounds, int n, Rounds.Sample sample, Runnable done) {
        List<Double> times = new ArrayList<>();
        new Object() {
            void next() {
                if (times.size() == n) {
                    sample.metric("stop_extra_ms", Rounds.median(times) - KILL_TIMEOUT_MS);
                    if (++state.rounds == totalRounds) state.reports.close();
                    done.run();
                    return;
                }
                String name = "stubborn-" + ++state.started;
                Timeout watchdog = setTimeout(
                        () -> Rounds.abort("reported", name + " did not report within " + LIMIT_MS + " ms"), LIMIT_MS);
                state.onReport = pid -> {
                    clearTimeout(watchdog);
                    state.onReport = null;
                    long t0 = nowNs();
                    herd.run("stop", name);
                    double ms = (nowNs() - t0) / 1e6;
                    times.add(ms);
                    sample.check("app_gone_after_stop", ManagerDriver.gone(pid), name + " (pid " + pid + ") still runs");
                    sample.check("waited_kill_timeout", ms >= KILL_TIMEOUT_MS, "stop took " + ms + " ms");
                    herd.run("delete", name);
                    setImmediate(this::next);
                };
                herd.start("manager-app.js", List.of("--name", name, "--kill-timeout", String.valueOf(KILL_TIMEOUT_MS)),
                        List.of(String.valueOf(state.port), "stubborn"));
            }
        }.next();
    }
}
