package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * manager-memory-limit: how soon the manager acts on {@code --max-memory-restart}. One app
 * ({@code bench/node/manager-grow.js}) runs under the manager with {@code --max-memory-restart}
 * {@link #LIMIT_MIB}M and grows its resident memory by {@link #GROW_MIB_PER_S} (up to
 * {@link #CAP_MIB} more, then holds). The driver reads the app's VmRSS every {@link #SAMPLE_MS}
 * from /proc; per crossing it times from the first sample above the limit to the first sample in
 * which that process is gone (the manager killed it to restart it). Every round waits for N such
 * crossings (the restarted app grows again). Metrics: act_ms (the median time from crossing to the
 * kill) and rss_at_act_mib (the median of the last VmRSS seen before it). Checks: every crossing
 * is acted on, and a new pid reports after each. The Node twin, against pm2, is
 * {@code bench/node/manager-memory-limit.js}.
 */
public final class ManagerMemoryLimit {
    static final int LIMIT_MIB = 80;
    static final int GROW_MIB_PER_S = 5;
    static final int CAP_MIB = 250;
    static final int SAMPLE_MS = 10;
    static final int LIMIT_MS = 60_000;

    private ManagerMemoryLimit() {}

    private static final class State {
        int pid;
        IntConsumer onReport;
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
                boolean first = state.pid == 0;
                state.pid = pid;
                if (first) {
                    Rounds.run(argv, (n, sample, done) -> round(state, totalRounds, n, sample, done));
                } else if (state.onReport != null) {
                    state.onReport.accept(pid);
                }
            }, port -> herd.start("manager-grow.js",
                    List.of("--name", "grow", "--max-memory-restart", LIMIT_MIB + "M"),
                    List.of(String.valueOf(port), String.valueOf(GROW_MIB_PER_S), String.valueOf(CAP_MIB))));
        });
    }


    /** What a crossing measured. */
    private interface Acted {
        void acted(double actMs, double lastMib);
    }

    /** Waits for process {@code pid} to cross the limit and be killed. */
    private static void crossing(int pid, Acted then) {
        var s = new Object() {
            long crossedAt;
            double last;
            Timeout watchdog;
            Timeout sampler;
        };
        s.watchdog = setTimeout(
                () -> Rounds.abort("acted", "pid " + pid + " not killed within " + 2 * LIMIT_MS + " ms"), 2 * LIMIT_MS);
        s.sampler = setInterval(() -> {
            long now = nowNs();
            if (ManagerDriver.gone(pid)) {
                clearInterval(s.sampler);
                clearTimeout(s.watchdog);
                if (s.crossedAt == 0) {
                    Rounds.abort("crossed", "pid " + pid + " ended before it crossed " + LIMIT_MIB + " MiB (last " + s.last + " MiB)");
                }
                then.acted((now - s.crossedAt) / 1e6, s.last);
                return;
            }
            s.last = ManagerDriver.rssMib(pid);
            if (s.crossedAt == 0 && s.last > LIMIT_MIB) s.crossedAt = now;
        }, SAMPLE_MS);
    }

    static void round(State state, int totalRounds, int n, Rounds.Sample sample, Runnable done) {
        List<Double> acts = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        var step = new Object() {
            int restarted;

            void next() {
                if (acts.size() == n) {
                    sample.metric("act_ms", Rounds.median(acts));
                    sample.metric("rss_at_act_mib", Rounds.median(rss));
                    if (++state.rounds == totalRounds) state.reports.close();
                    done.run();
                    return;
                }
                int pid = state.pid;
                Runnable again = this::next;
                restarted = 0;
                state.onReport = newPid -> {
                    state.onReport = null;
                    restarted = newPid;
                };
                crossing(pid, (actMs, lastMib) -> {
                    acts.add(actMs);
                    rss.add(lastMib);
                    long deadline = System.nanoTime() + LIMIT_MS * 1_000_000L;
                    var wait = new Object() {
                        void check() {
                            if (restarted == 0) {
                                if (System.nanoTime() > deadline) {
                                    Rounds.abort("restarted", "no new pid within " + LIMIT_MS + " ms of the kill of " + pid);
                                }
                                setTimeout(this::check, SAMPLE_MS);
                                return;
                            }
                            sample.check("new_pid", restarted != pid, "pid " + pid + " reported again");
                            setImmediate(again);
                        }
                    };
                    wait.check();
                });
            }
        };
        step.next();
    }
}
