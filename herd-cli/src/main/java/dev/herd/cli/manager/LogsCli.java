package dev.herd.cli.manager;

import dev.herd.manager.DayjsFormat;
import dev.herd.manager.HerdHome;
import dev.herd.node.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The log verbs of the command line: {@code logs}, {@code flush}, {@code reloadLogs}, and the log
 * options of {@code start} ({@code -l}, {@code --merge-logs}, {@code --time},
 * {@code --log-date-format}, {@code --log-type}, {@code --max-log-size}, {@code --log-retain}).
 *
 * <p>{@code logs} prints the last lines of each file, then follows the files as {@code tail -F}
 * does: it reads what the keeper appends, and when the path names another file (a rotation, a
 * {@code reloadLogs} after logrotate moved it) it first reads the old file to its end, then the
 * new one from its start, so no line is lost or shown twice; a file emptied ({@code flush}) is
 * read again from its start. Following the files rather than a subscription to the keeper costs
 * the manager nothing per follower, shows exactly what is written (with its stamps), and goes on
 * while no daemon runs.
 *
 * <p>Thread rule: one thread. Lifetime: one command.
 */
final class LogsCli {
    /** The options of {@code start} this class adds that take a value. */
    static final Set<String> START_WITH_VALUE = Set.of("-l", "--log", "--log-date-format", "--log-type", "--max-log-size",
            "--log-max-size", "--log-retain");
    /** The options of {@code start} this class adds that take none. */
    static final Set<String> START_FLAGS = Set.of("--merge-logs", "--time");
    /** How often a followed file is looked at. */
    private static final long POLL_MS = 100;
    private static final String RESET = "\u001b[0m";
    private static final String[] COLOURS = {"\u001b[36m", "\u001b[32m", "\u001b[35m", "\u001b[33m", "\u001b[34m"};

    private LogsCli() {}

    /** A log path as given on the command line: {@code none}/{@code NULL}/{@code /dev/null} as is, else resolved. */
    static String path(Path cwd, String given) {
        if (given.equals("none") || given.equals("NULL")) return "/dev/null";
        return cwd.resolve(given).normalize().toString();
    }

    /** Adds the log options of {@code start} to the app's configuration {@code m}. */
    static void startOptions(Map<String, Object> opts, Map<String, Object> m, Path cwd) {
        String l = (String) opts.getOrDefault("-l", opts.get("--log"));
        if (l != null) m.put("log_file", path(cwd, l));
        if (opts.containsKey("--merge-logs")) m.put("merge_logs", true);
        if (opts.containsKey("--time")) m.put("time", true);
        if (opts.get("--log-date-format") != null) m.put("log_date_format", opts.get("--log-date-format"));
        if (opts.get("--log-type") != null) m.put("log_type", opts.get("--log-type"));
        String size = (String) opts.getOrDefault("--max-log-size", opts.get("--log-max-size"));
        if (size != null) m.put("log_max_size", size);
        if (opts.get("--log-retain") != null) {
            try {
                m.put("log_retain", Integer.parseInt(((String) opts.get("--log-retain")).strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--log-retain needs a number, not '" + opts.get("--log-retain") + "'");
            }
        }
    }

    // ---------------------------------------------------------------- logs

    /** What {@code logs} was asked. */
    private record Request(String target, int lines, boolean stream, boolean out, boolean err, boolean json,
                           DayjsFormat timestamp, boolean raw, String highlight) {}

    private static Request parse(List<String> argv) {
        String target = null;
        int lines = 15;
        boolean stream = true;
        boolean out = true;
        boolean err = true;
        boolean json = false;
        boolean raw = false;
        DayjsFormat timestamp = null;
        String highlight = null;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            boolean hasNext = i + 1 < argv.size() && !argv.get(i + 1).startsWith("-");
            switch (a) {
                case "--lines" -> {
                    if (value == null) {
                        if (i + 1 >= argv.size()) throw new IllegalArgumentException("--lines needs a number");
                        value = argv.get(++i);
                    }
                    try {
                        lines = Integer.parseInt(value.strip());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--lines needs a number, not '" + value + "'");
                    }
                    if (lines < 0) throw new IllegalArgumentException("--lines must not be negative");
                }
                case "--nostream" -> stream = false;
                case "--out" -> err = false;
                case "--err" -> out = false;
                case "--json" -> json = true;
                case "--raw" -> raw = true;
                case "--timestamp" -> {
                    // An optional format: a following word with a date token (pm2's `--timestamp [format]`).
                    if (value == null && hasNext && argv.get(i + 1).matches(".*(YY|HH|mm|ss|DD).*")) value = argv.get(++i);
                    timestamp = DayjsFormat.of(value != null ? value : DayjsFormat.PM2_LOGS_TIMESTAMP);
                }
                case "--highlight" -> {
                    if (value == null && hasNext) value = argv.get(++i);
                    highlight = value != null ? value : "";
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) throw new IllegalArgumentException("unknown option " + a);
                    if (target != null) throw new IllegalArgumentException("takes one target, got " + target + " and " + a);
                    target = a;
                }
            }
        }
        if (!out && !err) throw new IllegalArgumentException("--out and --err together show nothing; give neither for both");
        return new Request(target, lines, stream, out, err, json, timestamp, raw, highlight);
    }

    /** One file shown: an app's out or error file, or herd.log. */
    private static final class Source {
        final Path path;
        final String type;
        final int id;
        final String name;
        final String prefix;
        final String colour;
        FileChannel channel;
        Object fileKey;
        long position;
        byte[] rest = new byte[0];

        Source(Path path, String type, int id, String name, String prefix, String colour) {
            this.path = path;
            this.type = type;
            this.id = id;
            this.name = name;
            this.prefix = prefix;
            this.colour = colour;
        }
    }

    /**
     * {@code logs [TARGET] [--lines N] [--nostream] [--out|--err] [--json] [--timestamp [FMT]]
     * [--raw] [--highlight [WORD]]}: the targets' files (every app's and herd.log without a target).
     *
     * @param argv the verb's arguments
     * @param call answers the jlist entries of a target ({@code describe}), or of every app for null
     */
    static void logs(HerdHome home, List<String> argv, java.util.function.Function<String, Object> call, PrintStream out,
                     boolean tty) throws IOException {
        Request r = parse(argv);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> processes = (List<Map<String, Object>>) (r.target() == null ? call.apply(null)
                : call.apply(r.target()));
        List<Source> sources = new ArrayList<>();
        if (r.target() == null && r.out() && r.err()) {
            sources.add(new Source(home.managerLog(), "herd", -1, "herd", pad("herd", 10) + " | ", "\u001b[90m"));
        }
        for (Map<String, Object> p : processes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> env = (Map<String, Object>) p.get("pm2_env");
            int id = ((Number) p.get("pm_id")).intValue();
            String name = String.valueOf(p.get("name"));
            String prefix = id + "|" + pad(name, 8) + " | "; // pm2's: 0|api      | line
            String colour = COLOURS[id % COLOURS.length];
            if (r.err()) add(sources, (String) env.get("pm_err_log_path"), "err", id, name, prefix, colour);
            if (r.out()) add(sources, (String) env.get("pm_out_log_path"), "out", id, name, prefix, colour);
        }
        boolean plain = r.raw() || r.json();
        if (!plain) {
            out.println("[TAILING] Tailing last " + r.lines() + " lines for [" + (r.target() == null ? "all" : r.target())
                    + "] process" + (r.target() == null ? "es" : "") + " (change the value with --lines option)");
        }
        for (Source s : sources) {
            List<String> last = open(s, r.lines());
            if (!plain && r.lines() > 0) {
                String title = s.path + " last " + r.lines() + " lines:";
                out.println(tty ? "\u001b[90m" + title + RESET : title);
            }
            for (String line : last) print(out, s, line, r, tty, false);
            if (!plain && r.lines() > 0) out.println();
        }
        out.flush();
        if (!r.stream()) {
            for (Source s : sources) close(s);
            return;
        }
        while (true) {
            for (Source s : sources) follow(s, out, r, tty);
            out.flush();
            if (out.checkError()) return; // the reader went away (a pipe into head)
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void add(List<Source> sources, String path, String type, int id, String name, String prefix, String colour) {
        if (path == null || path.equals("/dev/null")) return;
        for (Source s : sources) {
            if (s.path.toString().equals(path)) return; // -o and -e to one file: shown once
        }
        sources.add(new Source(Path.of(path), type, id, name, prefix, colour));
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** Opens the file at its end; {@return its last {@code n} lines} */
    private static List<String> open(Source s, int n) throws IOException {
        try {
            s.channel = FileChannel.open(s.path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        s.fileKey = Files.readAttributes(s.path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        long size = s.channel.size();
        s.position = size;
        if (n == 0 || size == 0) return List.of();
        // Read backwards until n + 1 newlines (the last byte may be one) or the start.
        long from = size;
        int newlines = 0;
        ByteBuffer b = ByteBuffer.allocate(8192);
        while (from > 0 && newlines <= n) {
            int len = (int) Math.min(b.capacity(), from);
            from -= len;
            b.clear().limit(len);
            s.channel.read(b, from);
            for (int i = 0; i < len; i++) if (b.get(i) == '\n') newlines++;
        }
        byte[] tail = new byte[(int) (size - from)];
        s.channel.read(ByteBuffer.wrap(tail), from);
        String text = new String(tail, StandardCharsets.UTF_8);
        if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
        else {
            // A line being written: shown once it ends.
            int cut = text.lastIndexOf('\n');
            s.rest = text.substring(cut + 1).getBytes(StandardCharsets.UTF_8);
            text = cut < 0 ? "" : text.substring(0, cut);
        }
        if (text.isEmpty() && from == 0 && tail.length == s.rest.length) return List.of();
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    /** Prints what was appended; switches to a new file once the old one is read to its end. */
    private static void follow(Source s, PrintStream out, Request r, boolean tty) throws IOException {
        Object key;
        try {
            key = Files.readAttributes(s.path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            key = null;
        }
        if (s.channel != null) {
            if (key != null && key.equals(s.fileKey) && s.channel.size() < s.position) {
                s.position = 0; // emptied (flush): from its start
                s.rest = new byte[0];
            }
            drain(s, out, r, tty);
            if (key != null && !key.equals(s.fileKey)) {
                close(s); // moved away and read to its end: the new file from its start
                s.rest = new byte[0];
            }
        }
        if (s.channel == null && key != null) {
            try {
                s.channel = FileChannel.open(s.path, StandardOpenOption.READ);
                s.fileKey = key;
                s.position = 0;
                drain(s, out, r, tty);
            } catch (NoSuchFileException e) {
                // gone again: next time
            }
        }
    }

    private static void drain(Source s, PrintStream out, Request r, boolean tty) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        while (true) {
            b.clear();
            int n = s.channel.read(b, s.position);
            if (n <= 0) return;
            s.position += n;
            byte[] chunk = new byte[s.rest.length + n];
            System.arraycopy(s.rest, 0, chunk, 0, s.rest.length);
            System.arraycopy(b.array(), 0, chunk, s.rest.length, n);
            int start = 0;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] != '\n') continue;
                print(out, s, new String(chunk, start, i - start, StandardCharsets.UTF_8), r, tty, true);
                start = i + 1;
            }
            s.rest = java.util.Arrays.copyOfRange(chunk, start, chunk.length);
        }
    }

    private static void close(Source s) {
        if (s.channel == null) return;
        try {
            s.channel.close();
        } catch (IOException e) {
            // read-only: nothing lost
        }
        s.channel = null;
    }

    private static void print(PrintStream out, Source s, String line, Request r, boolean tty, boolean live) {
        if (r.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", line);
            m.put("timestamp", java.time.Instant.now().toString());
            m.put("type", s.type);
            m.put("process_id", s.id);
            m.put("app_name", s.name);
            out.println(Json.stringify(m));
            return;
        }
        String shown = line;
        if (tty && r.highlight() != null && !r.highlight().isEmpty()) {
            shown = shown.replace(r.highlight(), "\u001b[7m" + r.highlight() + RESET);
        }
        if (tty && s.type.equals("err")) shown = "\u001b[31m" + shown + RESET;
        if (r.raw()) {
            out.println(shown);
            return;
        }
        String stamp = live && r.timestamp() != null ? r.timestamp().format(System.currentTimeMillis()) + " " : "";
        out.println(stamp + (tty ? s.colour + s.prefix + RESET : s.prefix) + shown);
    }
}
