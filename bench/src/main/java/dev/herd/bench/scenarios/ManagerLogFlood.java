package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * manager-log-flood: a program that prints as fast as it can under the manager. Every round starts
 * an app ({@code bench/node/manager-flood.js}) that writes 100-byte lines to stdout for N seconds,
 * then reports how many it wrote. The driver samples the RSS of the manager's processes every
 * {@link #SAMPLE_MS} from the app's start until the app's out log holds every line, and their CPU
 * time before and after. Metrics: flood_mib_per_s (what the app got written through the manager:
 * lines x 100 B over N s), manager_rss_growth_mib (the highest RSS of the manager's processes
 * during the flood minus before it), manager_cpu_s_per_gib (the manager's CPU time per GiB
 * logged). Checks: the log file holds exactly the lines written (no line lost or doubled), within
 * {@link #LIMIT_MS} of the app's end. The app and its log files are deleted after each round. The
 * Node twin, against pm2, is {@code bench/node/manager-log-flood.js}.
 */
public final class ManagerLogFlood {
    static final int LINE = 100;
    static final int SAMPLE_MS = 100;
    static final int LIMIT_MS = 120_000;

    private ManagerLogFlood() {}

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
            state.reports = ManagerDriver.reportServer(n -> {
                if (state.onReport != null) state.onReport.accept(n);
            }, port -> {
                state.port = port;
                herd.run("ping"); // the daemon runs before the first round measures it (the warm-up round starts the rest)
                Rounds.run(argv, (n, sample, done) -> round(herd, state, totalRounds, n, sample, done));
            });
        });
    }

    private static double managerRss(ManagerDriver herd) {
        return ManagerDriver.sum(herd.managerPids(), ManagerDriver::rssMib);
    }

    private static double managerCpu(ManagerDriver herd) {
        return ManagerDriver.sum(herd.managerPids(), ManagerDriver::cpuS);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    static void round(ManagerDriver herd, State state, int totalRounds, int n, Rounds.Sample sample, Runnable done) {
        String name = "flood-" + ++state.started;
        Path out = herd.home().resolve("logs").resolve(name + "-out.log");
        Path err = herd.home().resolve("logs").resolve(name + "-error.log");
        var s = new Object() {
            double before;
            double cpuBefore;
            double highest;
            Timeout sampler;
        };
        Timeout watchdog = setTimeout(() -> Rounds.abort("logged", name + ": not every line logged within " + LIMIT_MS + " ms"),
                LIMIT_MS + n * 1000L);
        state.onReport = pid -> // the first report is the pid; the second, the number of lines written
            state.onReport = lines -> {
                state.onReport = null;
                long want = (long) lines * LINE;
                var drain = new Object() {
                    void check() {
                        long got = size(out);
                        if (got < want) {
                            setTimeout(this::check, 20);
                            return;
                        }
                        clearInterval(s.sampler);
                        clearTimeout(watchdog);
                        double cpu = managerCpu(herd) - s.cpuBefore;
                        sample.check("every_line_logged_once", got == want, name + ": " + got + " bytes logged, " + want + " written");
                        sample.metric("flood_mib_per_s", want / 1048576.0 / n);
                        sample.metric("manager_rss_growth_mib", Math.max(0, s.highest - s.before));
                        sample.metric("manager_cpu_s_per_gib", cpu / (want / 1073741824.0));
                        herd.run("delete", name);
                        try {
                            Files.deleteIfExists(out);
                            Files.deleteIfExists(err);
                        } catch (IOException e) {
                            Rounds.abort("cleanup", "cannot delete " + out + ": " + e);
                        }
                        done.run();
                        if (++state.rounds == totalRounds) state.reports.close();
                    }
                };
                drain.check();
            };
        herd.run("flush"); // no earlier lines in the files this round reads
        s.before = managerRss(herd);
        s.cpuBefore = managerCpu(herd);
        s.highest = s.before;
        s.sampler = setInterval(() -> s.highest = Math.max(s.highest, managerRss(herd)), SAMPLE_MS);
        herd.start("manager-flood.js", List.of("--name", name), List.of(String.valueOf(state.port), String.valueOf(n)));
    }
}
