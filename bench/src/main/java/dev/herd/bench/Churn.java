package dev.herd.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cluster-churn load: worker churn under {@code wrk}. The server is a cluster primary whose
 * workers are its child processes and which forks a replacement for a worker that dies. Two
 * measured runs of D seconds each, first with keep-alive connections and then with
 * {@code Connection: close}, during which the runner SIGKILLs the oldest worker every K ms; before
 * each, the runner waits until the primary has as many workers as it had at the start, and a
 * W-second wrk run of the same kind (no kills) warms the servers up.
 *
 * <p>Metrics, per run ({@code keepalive_}, {@code close_}): {@code failed_per_kill}, the requests
 * wrk counted as failed (socket errors: connect, read, write, timeout; and responses of status 400
 * or more) divided by the kills; {@code p99_ms}, wrk's 99th-percentile latency; {@code req_per_s}.
 * Checks: every run completed requests and at least one kill; the replacements came up.
 */
final class Churn implements Load {
    static final String HELP = "D W C K: seconds measured per run, seconds of warm-up, connections, ms between kills";
    /** How long the primary may take to bring its workers back between runs. */
    static final Duration REFILL = Duration.ofSeconds(30);

    private final String expectedBody;

    Churn(String expectedBody) {
        this.expectedBody = expectedBody;
    }

    @Override
    public String argsHelp() {
        return HELP;
    }

    @Override
    public String prepare() {
        return new Wrk(false, expectedBody).prepare();
    }

    @Override
    public Result run(Target target, List<String> args, Duration timeout) {
        int[] a = Load.counts(args, 4, HELP);
        int seconds = a[0];
        int warmup = a[1];
        int connections = a[2];
        int killEveryMs = a[3];
        Result result = new Result();
        if (seconds < 1 || connections < 1 || killEveryMs < 100) {
            return result.fail("churn needs at least 1 second, 1 connection and 100 ms between kills, got " + args);
        }
        String probe = HttpProbe.get(target.port(), 10, expectedBody, Duration.ofSeconds(10));
        result.check("response", probe == null, probe);
        if (probe != null) return result;
        int workers = workers(target.process()).size();
        if (workers < 1) return result.fail("the primary has no worker processes");
        for (boolean close : new boolean[] {false, true}) {
            String prefix = close ? "close_" : "keepalive_";
            if (!refilled(target.process(), workers)) {
                return result.fail("the primary did not bring back its " + workers + " workers within " + REFILL.toSeconds() + " s");
            }
            // Each kind of load warms up its own paths (a new connection per request runs the
            // primary's hand-over, which keep-alive load never does).
            if (warmup > 0 && wrk(target, warmup, connections, close, 0, result, "warm-up") == null) return result;
            int[] kills = {0};
            Wrk.Report r = wrk(target, seconds, connections, close, killEveryMs, result, close ? "Connection: close" : "keep-alive", kills);
            if (r == null) return result;
            long failed = r.connectErrors() + r.readErrors() + r.writeErrors() + r.timeouts() + r.non2xx3xx();
            System.err.printf("    %d kills, %d failed requests%n", kills[0], failed);
            result.check(prefix + "kills", kills[0] > 0, "no worker was killed");
            result.check(prefix + "requests", r.requests() > 0, "wrk completed no request");
            if (kills[0] > 0) result.metric(prefix + "failed_per_kill", (double) failed / kills[0]);
            result.metric(prefix + "p99_ms", r.p99Ms());
            result.metric(prefix + "req_per_s", r.requestsPerSecond());
        }
        return result;
    }

    private Wrk.Report wrk(Target target, int seconds, int connections, boolean close, int killEveryMs, Result result,
            String what) {
        return wrk(target, seconds, connections, close, killEveryMs, result, what, new int[1]);
    }

    /** One wrk run; with {@code killEveryMs > 0}, kills the oldest worker that often meanwhile, counting in {@code kills}. */
    private Wrk.Report wrk(Target target, int seconds, int connections, boolean close, int killEveryMs, Result result,
            String what, int[] kills) {
        List<String> command = new ArrayList<>(List.of(Wrk.binary(), "-t1", "-c" + connections, "-d" + seconds + "s", "--latency"));
        if (close) command.addAll(List.of("-H", "Connection: close"));
        command.add("http://127.0.0.1:" + target.port() + "/");
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> Wrk.run(command, seconds, result, what));
        if (killEveryMs > 0) {
            long end = System.nanoTime() + seconds * 1_000_000_000L - killEveryMs * 1_000_000L / 2;
            long next = System.nanoTime() + killEveryMs * 1_000_000L;
            while (!output.isDone() && next < end) {
                try {
                    output.get(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break; // wrk ended early
                } catch (java.util.concurrent.TimeoutException e) {
                    Optional<ProcessHandle> oldest = workers(target.process()).stream()
                            .min(Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.MAX)));
                    if (oldest.isPresent() && kill(oldest.get())) kills[0]++;
                    next += killEveryMs * 1_000_000L;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result.fail("interrupted");
                    return null;
                } catch (java.util.concurrent.ExecutionException e) {
                    result.fail("wrk failed: " + e.getCause());
                    return null;
                }
            }
        }
        return Wrk.report(output.join(), seconds, result, what);
    }

    /** SIGKILLs a worker; false if it was already gone. */
    private static boolean kill(ProcessHandle worker) {
        return worker.isAlive() && worker.destroyForcibly();
    }

    /** The primary's live child processes: its workers. */
    static List<ProcessHandle> workers(ProcessHandle primary) {
        return primary.children().filter(ProcessHandle::isAlive).toList();
    }

    /** Waits (polling /proc, at most {@link #REFILL}) until the primary has {@code count} live workers. */
    private static boolean refilled(ProcessHandle primary, int count) {
        long deadline = System.nanoTime() + REFILL.toNanos();
        while (System.nanoTime() < deadline) {
            if (workers(primary).size() >= count) return true;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
