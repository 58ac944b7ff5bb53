package dev.herd.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of one benchmark program (a Herd JVM or a Node process) and what it printed: its
 * {@code METRIC <name> <value>} lines, and every reason to reject the run -- a {@code CHECK ...
 * fail} line, a non-zero exit, no CHECK line at all, a malformed line, a timeout. The program's
 * stderr goes straight to ours; stdout lines that are neither METRIC nor CHECK are echoed to
 * stderr with the program's label.
 *
 * @param metrics the metrics in output order
 * @param failures why the run is not to be trusted; empty for a good run
 * @param wall the run's wall-clock time, process start to exit
 */
record ProgramRun(Map<String, Double> metrics, List<String> failures, Duration wall) {

    boolean ok() {
        return failures.isEmpty();
    }

    /** Runs {@code command} in {@code directory} and waits at most {@code timeout} for it. */
    static ProgramRun run(String label, List<String> command, Path directory, Duration timeout) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        long started = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            failures.add("cannot start " + command.getFirst() + ": " + e.getMessage());
            return new ProgramRun(metrics, failures, Duration.ZERO);
        }
        try {
            process.getOutputStream().close(); // the programs read nothing
        } catch (IOException ignored) {
            // already gone: its exit status will tell
        }
        Thread reader = Thread.ofVirtual().name("bench-stdout-" + label).start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        boolean killed = false;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                killed = true;
                failures.add("timed out after " + timeout.toSeconds() + " s (killed)");
            }
            // A grandchild still holding stdout must not hang the runner.
            if (!reader.join(Duration.ofSeconds(10))) failures.add("stdout still open 10 s after exit");
        } catch (InterruptedException e) {
            kill(process);
            killed = true;
            Thread.currentThread().interrupt();
            failures.add("interrupted");
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);

        int checks = 0;
        synchronized (lines) {
            for (String line : lines) {
                String[] f = line.trim().split("\\s+", 4);
                if (f[0].equals("METRIC")) {
                    Double value = f.length == 3 ? parse(f[2]) : null;
                    if (value == null) failures.add("malformed line: " + line);
                    else if (metrics.putIfAbsent(f[1], value) != null) failures.add("metric " + f[1] + " printed twice");
                } else if (f[0].equals("CHECK")) {
                    checks++;
                    if (f.length < 3 || !(f[2].equals("ok") || f[2].equals("fail"))) failures.add("malformed line: " + line);
                    else if (f[2].equals("fail")) failures.add("CHECK " + f[1] + " failed: " + (f.length == 4 ? f[3] : "(no detail)"));
                } else {
                    System.err.println("  [" + label + "] " + line);
                }
            }
        }
        if (!killed && process.exitValue() != 0) failures.add("exit code " + process.exitValue());
        if (checks == 0) failures.add("printed no CHECK line");
        return new ProgramRun(metrics, failures, wall);
    }

    /** Kills the program and whatever it started (they are ours: we started the program). */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Double parse(String s) {
        try {
            double v = Double.parseDouble(s);
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
