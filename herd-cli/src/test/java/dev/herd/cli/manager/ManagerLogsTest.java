package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager's logs, black-box: where the files go ({@code -o}, {@code -e}, {@code -l},
 * {@code none}), how lines are written ({@code --time}, {@code --log-date-format},
 * {@code --log-type json}, a line split across reads, a partial last line), {@code logs} (last
 * lines, streaming, Ctrl-C), {@code flush}, {@code reloadLogs} after logrotate moved a file, and
 * rotation by size.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PM2_TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d";

    /**
     * Prints half a line with the time (ms) just before, waits, ends it with the time again, then
     * sleeps: the line reaches the keeper in two reads.
     */
    private static final String SPLIT_SH = """
            #!/bin/bash
            printf "first half $(date +%s%3N) "
            sleep 0.5
            echo "second half $(date +%s%3N)"
            echo 'after'
            while true; do sleep 1; done
            """;

    /** Prints a whole line, then a line without its newline, and exits. */
    private static final String PARTIAL_SH = """
            #!/bin/bash
            echo 'whole line'
            printf 'no newline at the end'
            exit 0
            """;

    @TempDir
    Path tmp;

    private Herd herd;
    private final List<Process> followers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        for (Process p : followers) {
            p.destroyForcibly();
            Herd.awaitGone(p.pid(), 5000);
        }
        herd.close();
    }

    private Path ticker() throws IOException {
        return herd.file("ticker.sh", Fixtures.TICKER_SH);
    }

    @Test
    void outputErrorAndCombinedFilesGoWhereTheFlagsSay() throws Exception {
        Path out = tmp.resolve("o/out.txt");
        Path err = tmp.resolve("o/err.txt");
        Path all = tmp.resolve("o/all.txt");
        herd.run("start", ticker().toString(), "-o", out.toString(), "-e", err.toString(), "-l", all.toString()).ok();
        JsonNode p = herd.awaitStatus("ticker", "online");
        JsonNode env = p.get("pm2_env");
        assertThat(env.get("pm_out_log_path").asText()).isEqualTo(out.toString());
        assertThat(env.get("pm_err_log_path").asText()).isEqualTo(err.toString());
        assertThat(env.get("pm_log_path").asText()).isEqualTo(all.toString());
        herd.awaitLine(out, "out 3 pid \\d+");
        herd.awaitLine(err, "err 3");
        herd.awaitLine(all, "out 3 pid \\d+");
        String combined = herd.awaitLine(all, "err 3");
        assertThat(combined).doesNotContain("outerr").doesNotContain("err 3err");
        assertThat(Files.exists(herd.log("ticker-out.log"))).isFalse();
    }

    @Test
    void noneAsTheOutputFileDiscardsStdoutAndKeepsStderr() throws Exception {
        herd.run("start", ticker().toString(), "-o", "none").ok();
        JsonNode p = herd.awaitStatus("ticker", "online");
        assertThat(p.get("pm2_env").get("pm_out_log_path").asText()).isEqualTo("/dev/null");
        herd.awaitLine(herd.log("ticker-error.log"), "err 5");
        assertThat(Files.exists(herd.log("ticker-out.log"))).isFalse();
    }

    @Test
    void timePrefixesEachLineWithPm2sTimestamp() throws Exception {
        herd.run("start", ticker().toString(), "--time").ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        herd.awaitLine(herd.log("ticker-out.log"), PM2_TIME + ": out 3 pid " + pid);
        herd.awaitLine(herd.log("ticker-error.log"), PM2_TIME + ": err 3");
        assertThat(herd.app("ticker").get("pm2_env").get("log_date_format").asText()).isEqualTo("YYYY-MM-DDTHH:mm:ss");
    }

    @Test
    void logDateFormatStampsEachLineInThatDayjsFormat() throws Exception {
        herd.run("start", ticker().toString(), "--log-date-format", "DD/MM/YY HH:mm:ss.SSS [at] Z").ok();
        herd.awaitStatus("ticker", "online");
        herd.awaitLine(herd.log("ticker-out.log"),
                "\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} at [+-]\\d\\d:\\d\\d: out 3 pid \\d+");
    }

    @Test
    void jsonLogTypeWritesOneObjectPerLineWithPm2sKeys() throws Exception {
        herd.run("start", ticker().toString(), "--log-type", "json").ok();
        JsonNode p = herd.awaitStatus("ticker", "online");
        String text = herd.awaitLine(herd.log("ticker-out.log"), "\\{\"message\":\"out 3 pid \\d+\\\\n\".*");
        JsonNode line = JSON.readTree(text.lines().filter(l -> l.contains("out 3 pid")).findFirst().orElseThrow());
        assertThat(line.get("message").asText()).isEqualTo("out 3 pid " + p.get("pid").asLong() + "\n");
        assertThat(line.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(line.get("type").asText()).isEqualTo("out");
        assertThat(line.get("process_id").asInt()).isEqualTo(p.get("pm_id").asInt());
        assertThat(line.get("app_name").asText()).isEqualTo("ticker");
        List<String> fields = new ArrayList<>();
        line.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("message", "timestamp", "type", "process_id", "app_name");
        String err = herd.awaitLine(herd.log("ticker-error.log"), ".*\"err 3\\\\n\".*");
        assertThat(JSON.readTree(err.lines().filter(l -> l.contains("err 3")).findFirst().orElseThrow())
                .get("type").asText()).isEqualTo("err");
    }

    @Test
    void aLineSplitAcrossPipeReadsIsStampedOnce() throws Exception {
        herd.run("start", herd.file("split.sh", SPLIT_SH).toString(), "--log-date-format", "x").ok();
        herd.awaitStatus("split", "online");
        String text = herd.awaitLine(herd.log("split-out.log"), "\\d+: after");
        assertThat(text.lines().toList()).hasSize(2);
        Matcher m = Pattern.compile("(\\d+): first half (\\d+) second half (\\d+)").matcher(text.lines().findFirst().orElseThrow());
        assertThat(m.matches()).as("one stamp for the line: %s", text).isTrue();
        long stamp = Long.parseLong(m.group(1));
        // Stamped when its first part was read: after the first part was printed, before the second.
        assertThat(stamp).isGreaterThanOrEqualTo(Long.parseLong(m.group(2))).isLessThan(Long.parseLong(m.group(3)));
    }

    @Test
    void aPartialLastLineIsWrittenStampedWhenTheProgramExits() throws Exception {
        herd.run("start", herd.file("partial.sh", PARTIAL_SH).toString(), "--time", "--no-autorestart").ok();
        herd.awaitStatus("partial", "one-launch-status");
        String text = herd.awaitLine(herd.log("partial-out.log"), PM2_TIME + ": no newline at the end");
        assertThat(text).matches("(?s)" + PM2_TIME + ": whole line\n" + PM2_TIME + ": no newline at the end\n");
    }

    @Test
    void mergeLogsIsListedAndKeepsOneFilePerApp() throws Exception {
        herd.run("start", ticker().toString(), "--merge-logs").ok();
        JsonNode p = herd.awaitStatus("ticker", "online");
        assertThat(p.get("pm2_env").get("merge_logs").asBoolean()).isTrue();
        assertThat(p.get("pm2_env").get("pm_out_log_path").asText()).isEqualTo(herd.log("ticker-out.log").toString());
        herd.awaitLine(herd.log("ticker-out.log"), "out 2 pid \\d+");
    }

    @Test
    void logsNostreamPrintsTheLastLinesOfEachFilePrefixedAndExits() throws Exception {
        herd.run("start", ticker().toString()).ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        herd.awaitLine(herd.log("ticker-out.log"), "out 12 pid " + pid);
        herd.awaitLine(herd.log("ticker-error.log"), "err 12");
        herd.run("stop", "ticker").ok();
        Herd.Result r = herd.run("logs", "ticker", "--lines", "5", "--nostream").ok();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("[TAILING] Tailing last 5 lines for [ticker] process");
        List<String> outs = lines.stream().filter(l -> l.startsWith("0|ticker   | out ")).toList();
        List<String> errs = lines.stream().filter(l -> l.startsWith("0|ticker   | err ")).toList();
        assertThat(outs).hasSize(5);
        assertThat(errs).hasSize(5);
        int lastOut = number(outs.getLast(), "out (\\d+)");
        assertThat(Files.readString(herd.log("ticker-out.log"))).endsWith("out " + lastOut + " pid " + pid + "\n");
        assertThat(lines.indexOf(errs.getFirst())).as("the error file first, as pm2").isLessThan(lines.indexOf(outs.getFirst()));
    }

    @Test
    void logsWithoutTargetShowsHerdLogToo() throws Exception {
        herd.run("start", ticker().toString()).ok();
        herd.awaitStatus("ticker", "online");
        herd.awaitLine(herd.log("ticker-out.log"), "out 1 pid \\d+");
        Herd.Result r = herd.run("logs", "--nostream").ok();
        assertThat(r.out()).contains("herd.log last 15 lines:").containsPattern("herd +\\| .*App \\[ticker:0\\] online");
    }

    @Test
    void logsFollowsNewLinesLiveAndEndsOnCtrlC() throws Exception {
        herd.run("start", ticker().toString()).ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        herd.awaitLine(herd.log("ticker-out.log"), "out 1 pid " + pid);
        int before = lastNumber(herd.log("ticker-out.log"));
        Process follower = spawnCli("logs", "ticker", "--out", "--lines", "0");
        BlockingQueue<String> lines = readLines(follower);
        // A line written after `logs` began, so it can only have come by following.
        String seen = awaitLine(lines, "0\\|ticker   \\| out (\\d+) pid " + pid, before + 20);
        assertThat(seen).isNotNull();
        new ProcessBuilder("kill", "-INT", Long.toString(follower.pid())).start().waitFor();
        assertThat(follower.waitFor(10, TimeUnit.SECONDS)).as("logs ends on SIGINT").isTrue();
    }

    @Test
    void flushEmptiesTheAppsFilesAndLoggingGoesOn() throws Exception {
        herd.run("start", ticker().toString()).ok();
        long pid = herd.awaitStatus("ticker", "online").get("pid").asLong();
        herd.awaitLine(herd.log("ticker-out.log"), "out 5 pid " + pid);
        herd.run("flush", "ticker").ok();
        // The file may be empty just after the flush: wait for the ticker's next line.
        herd.awaitLine(herd.log("ticker-out.log"), "out \\d+ pid " + pid);
        int after = lastNumber(herd.log("ticker-out.log"));
        String text = herd.awaitLine(herd.log("ticker-out.log"), "out " + (after + 3) + " pid " + pid);
        assertThat(text).doesNotContain("out 0 pid").doesNotContain("out 5 pid " + pid + "\n");
        assertThat(text.lines().allMatch(l -> l.matches("out \\d+ pid " + pid))).as("no NUL or cut line after flush: %s", text)
                .isTrue();
    }

    @Test
    void reloadLogsAfterTheFileWasMovedWritesANewFileAndLosesNoLine() throws Exception {
        herd.run("start", herd.file("counter.sh", Fixtures.COUNTER_SH).toString()).ok();
        herd.awaitStatus("counter", "online");
        Path log = herd.log("counter-out.log");
        herd.awaitLine(log, "n 40");
        Path moved = herd.log("counter-out.log.1");
        Files.move(log, moved);
        herd.run("reloadLogs").ok();
        String fresh = herd.awaitLine(log, "n \\d+");
        int first = number(fresh.lines().findFirst().orElseThrow(), "n (\\d+)");
        herd.awaitLine(log, "n " + (first + 20));
        herd.run("stop", "counter").ok();
        List<Integer> all = new ArrayList<>(numbers(moved));
        all.addAll(numbers(log));
        for (int i = 0; i < all.size(); i++) assertThat(all.get(i)).as("line %d of both files", i).isEqualTo(i);
    }

    @Test
    void maxLogSizeRotatesTheFileAndKeepsLogRetainFilesWithoutLosingALine() throws Exception {
        herd.run("start", herd.file("counter.sh", Fixtures.COUNTER_SH).toString(), "--max-log-size", "2K",
                "--log-retain", "3").ok();
        herd.awaitStatus("counter", "online");
        long deadline = System.currentTimeMillis() + 30_000;
        while (rotated().size() < 4 && System.currentTimeMillis() < deadline) Thread.sleep(50);
        herd.run("stop", "counter").ok();
        List<Path> kept = rotated();
        assertThat(kept).hasSize(3);
        List<Integer> all = new ArrayList<>();
        for (Path p : kept) {
            assertThat(Files.size(p)).isGreaterThanOrEqualTo(2048).isLessThan(2048 + 4096);
            all.addAll(numbers(p));
        }
        all.addAll(numbers(herd.log("counter-out.log")));
        for (int i = 1; i < all.size(); i++) assertThat(all.get(i)).as("line %d of the kept files", i).isEqualTo(all.get(i - 1) + 1);
        assertThat(herd.app("counter").get("pm2_env").get("log_max_size").asLong()).isEqualTo(2048);
    }

    @Test
    void anInvalidLogTypeIsRefusedAndStartsNothing() throws Exception {
        Herd.Result r = herd.run("start", ticker().toString(), "--log-type", "xml");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd start: app 'ticker': 'log_type' must be json or raw, not xml");
        assertThat(herd.jlist()).isEmpty();
        herd.run("ping").ok();
    }

    @Test
    void logsOfAnUnknownAppFailsWithOneLine() throws Exception {
        Herd.Result r = herd.run("logs", "nope", "--nostream");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd logs: process or namespace nope not found");
    }

    // ---------------------------------------------------------------- helpers

    /** Rotated files of counter-out.log, oldest first. */
    private List<Path> rotated() throws IOException {
        try (Stream<Path> s = Files.list(herd.home.resolve("logs"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("counter-out__")).sorted().toList();
        }
    }

    private static List<Integer> numbers(Path file) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) out.add(number(l, "n (\\d+)"));
        return out;
    }

    private static int number(String line, String regex) {
        Matcher m = Pattern.compile(regex).matcher(line);
        assertThat(m.find()).as("%s in %s", regex, line).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int lastNumber(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return lines.isEmpty() ? -1 : number(lines.getLast(), "(\\d+)");
    }

    /** The CLI as a process that keeps running (herd logs), its output readable as it comes. */
    private Process spawnCli(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "dev.herd.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(herd.dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("HERD_"));
        pb.environment().putAll(herd.env);
        Process p = pb.start();
        followers.add(p);
        return p;
    }

    private static BlockingQueue<String> readLines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) q.add(l);
            } catch (IOException e) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return q;
    }

    /** Waits for a line matching {@code regex} whose number is at least {@code atLeast}. */
    private static String awaitLine(BlockingQueue<String> lines, String regex, int atLeast) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.currentTimeMillis() + 30_000;
        List<String> seen = new ArrayList<>();
        while (System.currentTimeMillis() < deadline) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l == null) continue;
            seen.add(l);
            Matcher m = p.matcher(l);
            if (m.matches() && Integer.parseInt(m.group(1)) >= atLeast) return l;
        }
        throw new AssertionError("no line " + regex + " >= " + atLeast + "; saw:\n" + String.join("\n", seen));
    }
}
