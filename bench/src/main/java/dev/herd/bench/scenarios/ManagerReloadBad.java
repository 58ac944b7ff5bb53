package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * manager-reload-bad: a bad deploy. A Node app runs with {@code -i 2}
 * ({@code bench/node/manager-cluster-app.js}, its third argument a marker file) under C clients,
 * a new connection per request; {@link ManagerReload#RELOAD_AT_MS} in, the marker says
 * {@code crash} (the new code exits at start) or {@code noready} (it never listens) and the
 * driver runs {@code reload}; the load goes on until {@link #WINDOW_MS} after the reload's start
 * (pm2 takes the port down 6.5 s in). A client whose request failed waits
 * {@link #FAILURE_PAUSE_MS} before its next (a refused port would otherwise be counted as fast as
 * it refuses). Each round starts the app afresh, once per kind. Metrics per kind:
 * {@code <kind>_failed} (failed requests from the reload's start to the window's end),
 * {@code <kind>_exit_ms} (the reload's call to its exit), {@code <kind>_exit_nonzero} (1 when the
 * reload said it failed: the bad deploy was noticed). Checks: requests were served before the
 * reload. The Node twin, against pm2, is {@code bench/node/manager-reload-bad.js}.
 */
public final class ManagerReloadBad {
    static final int WINDOW_MS = 8000;
    static final int FAILURE_PAUSE_MS = 10;
    static final List<String> KINDS = List.of("crash", "noready");

    private ManagerReloadBad() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args N W T C (N is unused: one bad reload per kind)
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (argv.length != 4) Rounds.abort("args", "usage: N W T C");
            int connections = Integer.parseInt(argv[3]);
            String[] rounds = java.util.Arrays.copyOf(argv, 3);
            ManagerDriver herd = new ManagerDriver();
            Path marker;
            try {
                marker = Files.createTempFile("herd-bench-deploy-", ".marker");
                Files.delete(marker);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Rounds.run(rounds, (n, sample, done) -> kind(herd, marker, 0, connections, sample, done));
        });
    }

    private static void kind(ManagerDriver herd, Path marker, int k, int connections, Rounds.Sample sample, Runnable done) {
        if (k == KINDS.size()) {
            done.run();
            return;
        }
        String kind = KINDS.get(k);
        int port = ManagerDriver.freePort();
        herd.start("manager-cluster-app.js", List.of("--name", "mc", "-i", "2"),
                List.of(String.valueOf(port), "127.0.0.1", marker.toString()));
        ManagerDriver.awaitAnswers(port, 2);
        ManagerReload.Phase p = new ManagerReload.Phase(port, false);
        p.failurePauseMs = FAILURE_PAUSE_MS;
        p.active = connections;
        for (int i = 0; i < connections; i++) p.client();
        setTimeout(() -> {
            sample.check(kind + "_served", p.ok > 0, "no request served before the reload");
            write(marker, kind);
            int failedBefore = p.failed;
            long t0 = nowNs();
            herd.runAsync(code -> {
                sample.metric(kind + "_exit_ms", (nowNs() - t0) / 1e6);
                sample.metric(kind + "_exit_nonzero", code != 0 ? 1 : 0);
            }, "reload", "mc");
            setTimeout(() -> {
                p.whenStopped = () -> {
                    sample.metric(kind + "_failed", p.failed - failedBefore);
                    herd.run("delete", "mc");
                    try {
                        Files.deleteIfExists(marker);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    kind(herd, marker, k + 1, connections, sample, done);
                };
                p.running = false;
            }, WINDOW_MS);
        }, ManagerReload.RELOAD_AT_MS);
    }

    private static void write(Path marker, String kind) {
        try {
            Files.writeString(marker, kind);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
