package dev.herd.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code wrk} load: {@code wrk -t1 -cC -dDs --latency http://127.0.0.1:PORT/}, with
 * {@code -H 'Connection: close'} for a new connection per request. Before it, a W-second wrk run
 * of the same kind warms the server up (its figures are dropped; its errors count), and
 * {@link HttpProbe} checks that the server answers GET / with 200 and the expected body.
 *
 * <p>Metrics: req_per_s (wrk's Requests/sec) and latency_p99_ms (its --latency 99th percentile).
 * Checks: wrk completed requests; no responses with status 400 or more (wrk's "Non-2xx or 3xx
 * responses"); no socket errors (connect, read, write, timeout). With {@code Connection: close}
 * read errors up to {@link #CLOSE_READ_ERROR_SHARE} of the requests are tolerated: wrk counts one
 * when a connection ends before a complete response, which a close can race into; more than that
 * means the server closes connections it should not (or without saying {@code Connection: close},
 * so that wrk sends the next request into a closing socket).
 *
 * <p>{@link #prepare} installs wrk with {@code apt-get install -y wrk} when it is not on the PATH,
 * saying so on stderr; if that fails the scenario fails with the reason.
 */
final class Wrk implements Load {
    static final String HELP = "D W C: seconds measured, seconds of warm-up before, connections";
    /** With Connection: close, read errors up to this share of the requests are tolerated. */
    static final double CLOSE_READ_ERROR_SHARE = 0.001;
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static String wrk; // the binary, once found or installed

    private final boolean connectionClose;
    private final String expectedBody;
    /** Whether to report server_cpu_us_per_req: the server process's own CPU time (not its children's) per request. */
    private final boolean serverCpu;

    /**
     * @param connectionClose whether every request says {@code Connection: close}
     * @param expectedBody the body every response must have
     */
    Wrk(boolean connectionClose, String expectedBody) {
        this(connectionClose, expectedBody, false);
    }

    /**
     * @param serverCpu whether to report {@code server_cpu_us_per_req}: the CPU time (user +
     *     system) the server process itself used during the measured run, per request; for a
     *     cluster primary with round-robin, its cost of handing one connection over
     */
    Wrk(boolean connectionClose, String expectedBody, boolean serverCpu) {
        this.connectionClose = connectionClose;
        this.expectedBody = expectedBody;
        this.serverCpu = serverCpu;
    }

    @Override
    public String argsHelp() {
        return HELP + (connectionClose ? "; every request with Connection: close" : "; keep-alive");
    }

    @Override
    public String prepare() {
        synchronized (Wrk.class) {
            if (wrk != null) return null;
            String found = onPath("wrk");
            if (found == null) {
                System.err.println("herd bench: wrk is not on the PATH; installing it: apt-get install -y wrk");
                String problem = install();
                found = onPath("wrk");
                if (found == null) {
                    return "wrk is not on the PATH and could not be installed (" + (problem != null ? problem
                            : "apt-get install -y wrk succeeded but no wrk on the PATH") + "): install wrk and rerun";
                }
                System.err.println("herd bench: installed " + found);
            }
            wrk = found;
            return null;
        }
    }

    /** The wrk binary {@link #prepare} found or installed; null before a successful prepare. */
    static synchronized String binary() {
        return wrk;
    }

    /** apt-get install -y wrk, after an apt-get update if the first try fails; null on success. */
    private static String install() {
        String problem = runQuietly(List.of("apt-get", "install", "-y", "wrk"));
        if (problem == null) return null;
        System.err.println("herd bench: " + problem + "; trying apt-get update first");
        String update = runQuietly(List.of("apt-get", "update"));
        if (update != null) return update;
        return runQuietly(List.of("apt-get", "install", "-y", "wrk"));
    }

    /** Runs a command with its output going to our stderr; null on exit code 0, else why not. */
    private static String runQuietly(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            Thread copy = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(System.err);
                } catch (IOException ignored) {
                    // the process is gone
                }
            });
            if (!p.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " took over " + INSTALL_TIMEOUT.toMinutes() + " minutes";
            }
            copy.join(Duration.ofSeconds(5));
            return p.exitValue() == 0 ? null : String.join(" ", command) + " exited with " + p.exitValue();
        } catch (IOException e) {
            return "cannot run " + command.getFirst() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    @Override
    public Result run(Target target, List<String> args, Duration timeout) {
        int[] a = Load.counts(args, 3, HELP);
        int seconds = a[0];
        int warmup = a[1];
        int connections = a[2];
        Result result = new Result();
        if (seconds < 1 || connections < 1) return result.fail("wrk needs at least 1 second and 1 connection, got " + args);
        if (wrk == null) return result.fail("wrk not prepared");
        String probe = HttpProbe.get(target.port(), 10, expectedBody, Duration.ofSeconds(10));
        result.check("response", probe == null, probe);
        if (probe != null) return result;
        if (warmup > 0) {
            Report w = wrk(target.port(), warmup, connections, result, "warm-up");
            if (w == null) return result;
            checkReport(w, result, "warm-up ");
        }
        long cpuBefore = serverCpu ? cpuNanos(target.process()) : -1;
        Report m = wrk(target.port(), seconds, connections, result, "measured");
        if (m == null) return result;
        long cpuAfter = serverCpu ? cpuNanos(target.process()) : -1;
        result.metric("req_per_s", m.requestsPerSecond());
        if (!Double.isNaN(m.p99Ms())) result.metric("latency_p99_ms", m.p99Ms());
        if (serverCpu) {
            if (cpuBefore < 0 || cpuAfter < 0) result.fail("cannot read the server's CPU time");
            else if (m.requests() > 0) result.metric("server_cpu_us_per_req", (cpuAfter - cpuBefore) / 1e3 / m.requests());
        }
        checkReport(m, result, "");
        return result;
    }

    /**
     * Runs one wrk {@code command} of {@code seconds} (killed 30 s past that) and gives its output,
     * or null with the failure recorded in {@code result} ({@code what} names the run).
     */
    static String run(List<String> command, int seconds, Result result, String what) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    out[0] = in.readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            long limit = seconds + 30L;
            if (!p.waitFor(limit, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                result.fail("wrk (" + what + ") still running after " + limit + " s (killed)");
                return null;
            }
            reader.join(Duration.ofSeconds(10));
            String output = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                result.fail("wrk (" + what + ") exited with " + p.exitValue() + ": " + output.strip());
                return null;
            }
            return output;
        } catch (IOException e) {
            result.fail("cannot run wrk: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.fail("interrupted");
            return null;
        }
    }

    /** The process's CPU time so far (user + system, from /proc), or -1. */
    static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    void checkReport(Report r, Result result, String prefix) {
        result.check(prefix + "requests", r.requests() > 0, "wrk completed no request");
        result.check(prefix + "status", r.non2xx3xx() == 0,
                r.non2xx3xx() + " of " + r.requests() + " responses had a status of 400 or more");
        long tolerated = connectionClose ? (long) Math.floor(r.requests() * CLOSE_READ_ERROR_SHARE) : 0;
        boolean ok = r.connectErrors() == 0 && r.writeErrors() == 0 && r.timeouts() == 0 && r.readErrors() <= tolerated;
        result.check(prefix + "socket_errors", ok, "connect " + r.connectErrors() + ", read " + r.readErrors()
                + (connectionClose ? " (at most " + tolerated + " tolerated)" : "") + ", write " + r.writeErrors()
                + ", timeout " + r.timeouts() + " in " + r.requests() + " requests");
    }

    /** Runs wrk once; null (with a failure recorded) if it did not run to completion. */
    private Report wrk(int port, int seconds, int connections, Result result, String what) {
        List<String> command = new ArrayList<>(List.of(wrk, "-t1", "-c" + connections, "-d" + seconds + "s", "--latency"));
        if (connectionClose) command.addAll(List.of("-H", "Connection: close"));
        command.add("http://127.0.0.1:" + port + "/");
        return report(run(command, seconds, result, what), seconds, result, what);
    }

    /**
     * Parses and logs (to stderr) the output of one wrk run of {@code seconds}; null (with the
     * failure recorded in {@code result}) if there is none or it cannot be read.
     */
    static Report report(String output, int seconds, Result result, String what) {
        if (output == null) return null;
        try {
            Report r = parse(output);
            System.err.printf("    wrk %s %d s: %.0f req/s, p50 %.3f ms, p99 %.3f ms, %d requests, errors connect %d read %d"
                            + " write %d timeout %d, status>=400 %d%n", what, seconds, r.requestsPerSecond(), r.p50Ms(),
                    r.p99Ms(), r.requests(), r.connectErrors(), r.readErrors(), r.writeErrors(), r.timeouts(),
                    r.non2xx3xx());
            return r;
        } catch (IllegalArgumentException e) {
            result.fail("cannot read wrk's output (" + e.getMessage() + "): " + output.strip());
            return null;
        }
    }

    /** What one wrk run printed. Latencies in milliseconds (NaN when wrk printed none). */
    record Report(long requests, double requestsPerSecond, double p50Ms, double p99Ms, long connectErrors,
            long readErrors, long writeErrors, long timeouts, long non2xx3xx) {}

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ");
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s*(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s|m|h)\\s*$");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Parses wrk 4's output (with --latency). */
    static Report parse(String output) {
        Matcher m = REQUESTS.matcher(output);
        if (!m.find()) throw new IllegalArgumentException("no 'N requests in' line");
        long requests = Long.parseLong(m.group(1));
        m = RPS.matcher(output);
        if (!m.find()) throw new IllegalArgumentException("no Requests/sec line");
        double rps = Double.parseDouble(m.group(1));
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        m = PERCENTILE.matcher(output);
        while (m.find()) {
            double ms = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 1e-3;
                case "ms" -> 1;
                case "s" -> 1e3;
                case "m" -> 60e3;
                default -> 3600e3;
            };
            if (m.group(1).equals("50")) p50 = ms;
            else p99 = ms;
        }
        if (requests > 0 && Double.isNaN(p99)) throw new IllegalArgumentException("no 99% latency line (--latency)");
        long connect = 0;
        long read = 0;
        long write = 0;
        long timeout = 0;
        m = SOCKET_ERRORS.matcher(output);
        if (m.find()) {
            connect = Long.parseLong(m.group(1));
            read = Long.parseLong(m.group(2));
            write = Long.parseLong(m.group(3));
            timeout = Long.parseLong(m.group(4));
        }
        m = NON_2XX.matcher(output);
        long non2xx = m.find() ? Long.parseLong(m.group(1)) : 0;
        return new Report(requests, rps, p50, p99, connect, read, write, timeout, non2xx);
    }
}
