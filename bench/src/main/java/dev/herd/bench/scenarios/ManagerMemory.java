package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * manager-memory: what Herd's manager costs in memory and CPU. Arguments N W T SETTLE_S WINDOW_S.
 * Every round:
 * <ol>
 *   <li>{@code ./herd ping} starts the daemon; at the same time a plain {@code node manager-app.js
 *       PORT} starts outside any manager; after SETTLE_S: daemon_rss_mib, the RSS of the manager's
 *       processes with no app (Herd: the daemon; the keeper starts with the first app), and the
 *       plain app's RSS; the plain app is killed;
 *   <li>N apps start one after another ({@code ./herd start manager-app.js --name idle-I}); once all
 *       have reported and SETTLE_S more have passed: with_apps_rss_mib (the manager's processes
 *       again: daemon and keeper), added_per_app_mib (the mean RSS of the N managed apps minus the
 *       plain app's: what the manager adds to each app) and manager_cost_mib = with_apps_rss_mib
 *       + N x added_per_app_mib (the memory comparison);
 *   <li>cpu_s: utime + stime of the manager's processes, from /proc, over the next WINDOW_S;
 *   <li>{@code ./herd kill}.
 * </ol>
 * Checks: every app reported; the manager's processes lived through the window. The Node twin,
 * against pm2, is {@code bench/node/manager-memory.js}.
 */
public final class ManagerMemory {
    /** A round's time limit besides its waits (2 x SETTLE_S + WINDOW_S): the starts and the CLI's calls. */
    static final int LIMIT_MS = 120_000;

    private ManagerMemory() {}

    private static final class State {
        int port;
        IntConsumer onReport;
        int rounds;
        ManagerDriver.Reports reports;
    }

    /**
     * Runs the program (see the class comment).
     *
     * @param args N W T SETTLE_S WINDOW_S
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (argv.length != 5) Rounds.abort("args", "usage: N W T SETTLE_S WINDOW_S");
            double settleS = Double.parseDouble(argv[3]);
            double windowS = Double.parseDouble(argv[4]);
            // N W T, then this scenario's own: Rounds reads the first three.
            String[] rounds = Arrays.copyOf(argv, 3);
            int totalRounds = Integer.parseInt(argv[1]) + Integer.parseInt(argv[2]);
            ManagerDriver herd = new ManagerDriver();
            State state = new State();
            state.reports = ManagerDriver.reportServer(pid -> {
                if (state.onReport != null) state.onReport.accept(pid);
            }, port -> {
                state.port = port;
                Rounds.run(rounds, (n, sample, done) -> round(herd, state, settleS, windowS, totalRounds, n, sample, done));
            });
        });
    }

    static void round(ManagerDriver herd, State state, double settleS, double windowS, int totalRounds, int n,
            Rounds.Sample sample, Runnable done) {
        double limitMs = LIMIT_MS + (2 * settleS + windowS) * 1000;
        Timeout watchdog = setTimeout(
                () -> Rounds.abort("finished", "a round did not finish within " + limitMs + " ms"), limitMs);
        herd.run("ping");
        ChildProcess plain = ChildProcesses.spawn("node",
                List.of(herd.root().resolve("bench/node/manager-app.js").toString(), String.valueOf(state.port)),
                SpawnOptions.builder().stdio("ignore").build());
        state.onReport = plainPid -> {
            state.onReport = null;
            setTimeout(() -> {
                sample.metric("daemon_rss_mib", ManagerDriver.sum(herd.managerPids(), ManagerDriver::rssMib));
                double plainRss = ManagerDriver.rssMib(plainPid);
                plain.kill("SIGKILL");
                List<Integer> apps = new ArrayList<>();
                state.onReport = pid -> {
                    apps.add(pid);
                    if (apps.size() == n) state.onReport = null;
                };
                for (int i = 1; i <= n; i++) {
                    herd.start("manager-app.js", List.of("--name", "idle-" + i), List.of(String.valueOf(state.port)));
                }
                new Object() {
                    void waitApps() {
                        if (apps.size() < n) {
                            setTimeout(this::waitApps, 50);
                            return;
                        }
                        setTimeout(() -> measure(herd, state, windowS, totalRounds, n, sample, apps, plainRss, () -> {
                            clearTimeout(watchdog);
                            done.run();
                        }), settleS * 1000);
                    }
                }.waitApps();
            }, settleS * 1000);
        };
    }

    static void measure(ManagerDriver herd, State state, double windowS, int totalRounds, int n, Rounds.Sample sample,
            List<Integer> apps, double plainRss, Runnable done) {
        List<Integer> managerPids = herd.managerPids();
        double withApps = ManagerDriver.sum(managerPids, ManagerDriver::rssMib);
        double added = ManagerDriver.sum(apps, ManagerDriver::rssMib) / n - plainRss;
        sample.metric("with_apps_rss_mib", withApps);
        sample.metric("added_per_app_mib", added);
        sample.metric("manager_cost_mib", withApps + n * added);
        double cpu0 = ManagerDriver.sum(managerPids, ManagerDriver::cpuS);
        setTimeout(() -> {
            sample.metric("cpu_s", ManagerDriver.sum(managerPids, ManagerDriver::cpuS) - cpu0);
            long alive = managerPids.stream().filter(pid -> ManagerDriver.rssMib(pid) > 0).count();
            sample.check("manager_alive", alive == managerPids.size(),
                    alive + " of " + managerPids.size() + " manager processes left");
            herd.run("kill");
            if (++state.rounds == totalRounds) state.reports.close();
            done.run();
        }, windowS * 1000);
    }
}
