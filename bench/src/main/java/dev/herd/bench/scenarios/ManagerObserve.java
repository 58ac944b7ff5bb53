package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * manager-observe: what watching costs the manager (issue 16). APPS idle Node apps
 * ({@code bench/node/manager-idle.js}) run under the manager; {@code herd dashboard} is open and
 * a client holds the page's live list ({@code /api/events}: the list every second) for WINDOW_S.
 * Metrics: watch_cpu_pct (the daemon's CPU over the window, % of a core), metrics_ms (the median
 * of 50 {@code /metrics} scrapes, one after another), daemon_rss_mib (the daemon's RSS, the
 * endpoint served). Checks: the client got the list. The Node twin, against pm2 (which has no
 * such endpoint), does what a dashboard on pm2 does: pm2's API {@code list()} every second over
 * the window, and 50 {@code list()} calls timed ({@code bench/node/manager-observe.js}).
 */
public final class ManagerObserve {
    private static final Pattern URL = Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:\\d+)/\\?token=([0-9a-f]{64})");
    private static final Pattern ONLINE = Pattern.compile("\"status\":\"online\"");

    private ManagerObserve() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args N W T APPS WINDOW_S
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (argv.length != 5) Rounds.abort("args", "usage: N W T APPS WINDOW_S");
            int apps = Integer.parseInt(argv[3]);
            int windowS = Integer.parseInt(argv[4]);
            ManagerDriver herd = new ManagerDriver();
            for (int i = 1; i <= apps; i++) herd.start("manager-idle.js", List.of("--name", "idle-" + i), List.of("idle"));
            long deadline = System.currentTimeMillis() + 120_000;
            while (count(ONLINE, herd.run("jlist")) < apps) {
                if (System.currentTimeMillis() > deadline) Rounds.abort("online", "the apps did not all come online");
            }
            Matcher m = URL.matcher(herd.run("dashboard", "--port", "0"));
            if (!m.find()) Rounds.abort("dashboard", "herd dashboard printed no URL");
            String base = m.group(1);
            String auth = "Bearer " + m.group(2);
            HttpClient client = HttpClient.newHttpClient();
            Rounds.run(java.util.Arrays.copyOf(argv, 3), (n, sample, done) -> {
                int daemon = herd.managerPids().getFirst();
                AtomicInteger events = new AtomicInteger();
                AtomicReference<Stream<String>> stream = new AtomicReference<>();
                client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/events")).header("Authorization", auth).build(),
                        HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
                            stream.set(r.body());
                            try {
                                r.body().forEach(l -> {
                                    if (l.startsWith("data:")) events.incrementAndGet();
                                });
                            } catch (RuntimeException closed) {
                                // the window is over
                            }
                        });
                double cpu0 = ManagerDriver.cpuS(daemon);
                setTimeout(() -> {
                    double cpu = ManagerDriver.cpuS(daemon) - cpu0;
                    if (stream.get() != null) stream.get().close();
                    sample.check("events_seen", events.get() >= windowS / 2, events.get() + " lists in " + windowS + " s");
                    sample.metric("watch_cpu_pct", cpu / windowS * 100);
                    List<Double> ms = new ArrayList<>();
                    HttpRequest scrape = HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", auth).build();
                    try {
                        for (int i = 0; i < 50; i++) {
                            long t0 = System.nanoTime();
                            HttpResponse<String> r = client.send(scrape, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) Rounds.abort("metrics_ok", "/metrics answered " + r.statusCode());
                            ms.add((System.nanoTime() - t0) / 1e6);
                        }
                    } catch (IOException | InterruptedException e) {
                        Rounds.abort("metrics_ok", "/metrics: " + e);
                    }
                    sample.metric("metrics_ms", Rounds.median(ms));
                    sample.metric("daemon_rss_mib", ManagerDriver.rssMib(daemon));
                    done.run();
                }, windowS * 1000L);
            });
        });
    }

    private static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
