package dev.herd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The balance load of the cluster scenarios: how evenly a cluster spreads new connections over
 * its workers. Runs {@code wrk -t1 -cC -dDs --latency -H 'Connection: close' -s SCRIPT} against a
 * server whose every response names the worker that made it in an {@code X-Worker} header; the
 * Lua script ({@link #SCRIPT}) counts the responses per header value in each wrk thread, and its
 * {@code done()} prints one {@code WORKER <id> <count>} line per worker (responses without the
 * header count under {@code -}). Before it, {@link #PROBES} requests with {@link HttpProbe}, each on
 * a new connection, check the body and give every worker its first request (a fresh JVM worker
 * takes up to a second over its first one on a loaded machine, beyond wrk's 2 s timeout when 64
 * arrive at once), and a W-second run of the same kind warms the server up (its counts are
 * dropped; its errors count).
 *
 * <p>Metrics: max_worker_share_pct, the busiest worker's share of the measured responses in per
 * cent (lower is better; 100/workers is perfect balance), and req_per_s (wrk's Requests/sec).
 * Checks: every response had an {@code X-Worker} header; the script counted every response wrk
 * completed; at most {@code workers} distinct workers answered; and {@link Wrk}'s checks (no
 * status of 400 or more, socket errors within Connection: close's tolerance).
 *
 * <p>Uses the wrk binary {@link Wrk#prepare} finds or installs. Stateless: one instance may serve
 * any number of runs, one at a time per target.
 */
final class WorkerShare implements Load {
    static final String HELP = "D W C: seconds measured, seconds of warm-up before, connections";

    /**
     * The wrk script. Each wrk thread has its own Lua state, so {@code counts} is per thread;
     * {@code setup} (in the main state) keeps every thread, and {@code done} (main state again)
     * copies each thread's table over with {@code thread:get} and prints the sums. Header names
     * arrive as the server spelled them, so the match ignores case.
     */
    static final String SCRIPT = """
            -- herd bench: counts responses per X-Worker header value (see WorkerShare.java)
            counts = {}
            local threads = {}

            function setup(thread)
              table.insert(threads, thread)
            end

            function response(status, headers, body)
              local id = "-"
              for name, value in pairs(headers) do
                if string.lower(name) == "x-worker" then
                  id = value
                  break
                end
              end
              counts[id] = (counts[id] or 0) + 1
            end

            function done(summary, latency, requests)
              local total = {}
              for _, thread in ipairs(threads) do
                for id, n in pairs(thread:get("counts")) do
                  total[id] = (total[id] or 0) + n
                end
              end
              for id, n in pairs(total) do
                io.write(string.format("WORKER %s %d\\n", id, n))
              end
            end
            """;

    /** GET / requests, each on a new connection, that must succeed before wrk runs. */
    static final int PROBES = 20;

    /** The id the script counts responses without an X-Worker header under. */
    static final String NO_HEADER = "-";

    private final Wrk wrk;
    private final int workers;
    private final String expectedBody;

    /**
     * @param workers how many workers the cluster has (more distinct ids than that fail a check)
     * @param expectedBody the body every response must have
     */
    WorkerShare(int workers, String expectedBody) {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        this.wrk = new Wrk(true, expectedBody);
        this.workers = workers;
        this.expectedBody = expectedBody;
    }

    @Override
    public String argsHelp() {
        return HELP + "; every request with Connection: close; responses counted per X-Worker header";
    }

    @Override
    public String prepare() {
        return wrk.prepare();
    }

    @Override
    public Result run(Target target, List<String> args, Duration timeout) {
        int[] a = Load.counts(args, 3, HELP);
        Result result = new Result();
        if (a[0] < 1 || a[2] < 1) return result.fail("wrk needs at least 1 second and 1 connection, got " + args);
        String binary = Wrk.binary();
        if (binary == null) return result.fail("wrk not prepared");
        // Each probe on a new connection, so that every worker (not just the one a keep-alive
        // connection would stick to) has answered once before wrk's 2 s timeout applies.
        String probe = null;
        for (int i = 0; i < PROBES && probe == null; i++) {
            probe = HttpProbe.get(target.port(), 1, expectedBody, Duration.ofSeconds(10));
            if (probe != null) probe = "probe " + (i + 1) + " (new connection): " + probe;
        }
        result.check("response", probe == null, probe);
        if (probe != null) return result;
        Path script;
        try {
            script = Files.createTempFile("herd-bench-worker-share", ".lua");
            Files.writeString(script, SCRIPT);
        } catch (IOException e) {
            return result.fail("cannot write the wrk script: " + e.getMessage());
        }
        try {
            if (a[1] > 0) {
                String out = runWrk(binary, script, target.port(), a[1], a[2], result, "warm-up");
                if (out == null) return result;
                Wrk.Report w = report(out, result, "warm-up");
                if (w == null) return result;
                wrk.checkReport(w, result, "warm-up ");
            }
            String out = runWrk(binary, script, target.port(), a[0], a[2], result, "measured");
            if (out == null) return result;
            Wrk.Report m = report(out, result, "measured");
            if (m == null) return result;
            Map<String, Long> counts;
            try {
                counts = workerCounts(out);
            } catch (IllegalArgumentException e) {
                return result.fail("cannot read the script's counts (" + e.getMessage() + "): " + out.strip());
            }
            long counted = counts.values().stream().mapToLong(Long::longValue).sum();
            System.err.println("    responses per worker: " + counts);
            result.metric("max_worker_share_pct", maxSharePct(counts));
            result.metric("req_per_s", m.requestsPerSecond());
            result.check("x_worker_header", !counts.containsKey(NO_HEADER),
                    counts.getOrDefault(NO_HEADER, 0L) + " of " + counted + " responses had no X-Worker header");
            result.check("all_counted", counted == m.requests(),
                    "the script counted " + counted + " responses, wrk completed " + m.requests());
            long ids = counts.keySet().stream().filter(id -> !id.equals(NO_HEADER)).count();
            result.check("workers", ids <= workers, ids + " distinct X-Worker values from " + workers + " workers: " + counts);
            wrk.checkReport(m, result, "");
            return result;
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    private static Wrk.Report report(String output, Result result, String what) {
        try {
            Wrk.Report r = Wrk.parse(output);
            System.err.printf("    wrk %s: %.0f req/s, p99 %.3f ms, %d requests, errors connect %d read %d write %d"
                            + " timeout %d, status>=400 %d%n", what, r.requestsPerSecond(), r.p99Ms(), r.requests(),
                    r.connectErrors(), r.readErrors(), r.writeErrors(), r.timeouts(), r.non2xx3xx());
            return r;
        } catch (IllegalArgumentException e) {
            result.fail("cannot read wrk's output (" + e.getMessage() + "): " + output.strip());
            return null;
        }
    }

    /** Runs wrk with the script once; its output, or null (with a failure recorded). */
    private static String runWrk(String binary, Path script, int port, int seconds, int connections, Result result,
            String what) {
        List<String> command = List.of(binary, "-t1", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-H", "Connection: close", "-s", script.toString(), "http://127.0.0.1:" + port + "/");
        return Wrk.run(command, seconds, result, what);
    }

    private static final Pattern WORKER_LINE = Pattern.compile("(?m)^WORKER (\\S+) (\\d+)\\s*$");

    /**
     * The script's {@code WORKER <id> <count>} lines in wrk's output, by id in output order.
     *
     * @throws IllegalArgumentException if an id appears twice or a count does not fit a long
     */
    static Map<String, Long> workerCounts(String output) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Matcher m = WORKER_LINE.matcher(output);
        while (m.find()) {
            long n;
            try {
                n = Long.parseLong(m.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("count out of range: " + m.group());
            }
            if (counts.putIfAbsent(m.group(1), n) != null) {
                throw new IllegalArgumentException("worker " + m.group(1) + " counted twice");
            }
        }
        return counts;
    }

    /**
     * The largest count's share of the total in per cent, responses without a worker included in
     * the total; 0 when nothing was counted.
     */
    static double maxSharePct(Map<String, Long> counts) {
        long total = 0;
        long max = 0;
        for (var e : counts.entrySet()) {
            total += e.getValue();
            if (!e.getKey().equals(NO_HEADER)) max = Math.max(max, e.getValue());
        }
        return total == 0 ? 0 : 100.0 * max / total;
    }
}
