package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;

import dev.herd.node.Herd;
import dev.herd.node.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * manager-cli: Herd's manager command line against a daemon with N apps. Before the rounds, N idle
 * apps ({@code bench/node/manager-app.js}) are started one after another ({@code ./herd start ...
 * --name app-I}) and each has reported; every round then runs K sequential {@code ./herd jlist}
 * and K {@code ./herd list} calls and times each from the call to the CLI's exit. Metrics:
 * jlist_ms and list_ms, the median call of the round. Checks: every call exits 0; jlist is a JSON
 * array of the N apps, all online; list names every app. The Node twin, against pm2, is
 * {@code bench/node/manager-cli.js}.
 */
public final class ManagerCli {
    /** Calls of each verb per round. */
    static final int K = 5;

    private ManagerCli() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args N W T
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            int n = Integer.parseInt(argv[0]);
            ManagerDriver herd = new ManagerDriver();
            Set<Integer> reported = new HashSet<>();
            ManagerDriver.Reports[] reports = {null};
            reports[0] = ManagerDriver.reportServer(pid -> {
                reported.add(pid);
                if (reported.size() == n) {
                    reports[0].close();
                    Rounds.run(argv, (size, sample, done) -> round(herd, size, sample, done));
                }
            }, port -> {
                for (int i = 1; i <= n; i++) {
                    herd.start("manager-app.js", List.of("--name", "app-" + i), List.of(String.valueOf(port)));
                }
            });
        });
    }

    private record Timed(double ms, String out) {}

    private static Timed timed(ManagerDriver herd, String verb) {
        long t0 = nowNs();
        String out = herd.run(verb);
        return new Timed((nowNs() - t0) / 1e6, out);
    }

    @SuppressWarnings("unchecked")
    static void round(ManagerDriver herd, int n, Rounds.Sample sample, Runnable done) {
        List<Double> jlist = new ArrayList<>();
        List<Double> list = new ArrayList<>();
        for (int i = 0; i < K; i++) {
            Timed j = timed(herd, "jlist");
            jlist.add(j.ms());
            List<Object> apps = List.of();
            try {
                apps = (List<Object>) Json.parse(j.out());
            } catch (RuntimeException e) {
                sample.check("jlist_is_json", false, String.valueOf(e));
            }
            long online = apps.stream()
                    .filter(a -> "online".equals(((Map<String, Object>) ((Map<String, Object>) a).get("pm2_env")).get("status")))
                    .count();
            sample.check("jlist_all_online", apps.size() == n && online == n,
                    apps.size() + " apps, " + online + " online, of " + n);
            Timed l = timed(herd, "list");
            list.add(l.ms());
            List<String> missing = new ArrayList<>();
            for (int a = 1; a <= n; a++) {
                if (!l.out().contains("app-" + a + " ")) missing.add("app-" + a);
            }
            sample.check("list_names_every_app", missing.isEmpty(), "missing " + String.join(" ", missing));
        }
        sample.metric("jlist_ms", Rounds.median(jlist));
        sample.metric("list_ms", Rounds.median(list));
        done.run();
    }
}
