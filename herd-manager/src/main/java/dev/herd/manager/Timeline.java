package dev.herd.manager;

import dev.herd.node.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every app's lifecycle events (issue 16): start, ready, exit (code or signal, and the last log
 * lines before a crash), restart with its cause, errored, stop, delete, reload outcomes, adoption by
 * a new daemon. Kept in memory and in {@code HERD_HOME/timeline.jsonl} (one JSON object a line,
 * appended as it happens), so that it survives the daemon's restart; bounded: the newest
 * {@link #KEEP} events, the file rewritten with them once it holds twice as many.
 *
 * <p>An event is {@code {"at": ms, "id", "name", "namespace", "instance", "pid", "event", ...}}
 * with the event's own fields.
 *
 * <p>Thread rule: the daemon's loop thread. Lifetime: the daemon's.
 */
final class Timeline {
    /** How many events are kept. */
    static final int KEEP = 10_000;
    /** How many lines before a crash an exit event carries. */
    static final int LAST_LINES = 20;

    private final Path file;
    private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();
    private int linesInFile;

    Timeline(Path file) {
        this.file = file;
        load();
    }

    private void load() {
        if (!Files.exists(file)) return;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                linesInFile++;
                if (line.isBlank()) continue;
                try {
                    events.add(Fields.object(Json.parse(line), "an event"));
                } catch (RuntimeException e) {
                    // a line cut by a crash mid-write: the others stand
                }
                if (events.size() > KEEP) events.removeFirst();
            }
        } catch (IOException e) {
            Log.info("daemon", "cannot read " + file + " (the timeline starts empty): " + e.getMessage());
        }
    }

    /**
     * Records {@code event} of {@code a}.
     *
     * @param fields the event's own fields (may be empty)
     */
    void record(App a, String event, Map<String, Object> fields) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("at", System.currentTimeMillis());
        e.put("id", a.id);
        e.put("name", a.config.name());
        e.put("namespace", a.config.namespace());
        e.put("instance", a.instance);
        e.put("pid", a.pid);
        e.put("event", event);
        e.putAll(fields);
        events.add(e);
        if (events.size() > KEEP) events.removeFirst();
        try {
            Files.write(file, Json.stringifyUtf8Line(e), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (++linesInFile >= 2 * KEEP) compact();
        } catch (IOException x) {
            Log.info("daemon", "cannot write " + file + ": " + x.getMessage());
        }
    }

    /** Rewrites the file with the events kept (a temporary file renamed over it). */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> e : events) b.append(Json.stringify(e)).append('\n');
        Files.writeString(tmp, b);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        linesInFile = events.size();
    }

    /**
     * {@return the events that {@code which} takes, at or after {@code since} (ms), oldest first by
     * their time} (an exit is recorded a moment after it happened, with its last log lines)
     */
    List<Map<String, Object>> query(Predicate<Map<String, Object>> which, long since) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> e : events) {
            if (Fields.number(e, "at", 0) >= since && which.test(e)) out.add(e);
        }
        out.sort(java.util.Comparator.comparingLong(e -> Fields.number(e, "at", 0)));
        return out;
    }

    /**
     * The last {@link #LAST_LINES} lines of {@code a}'s logs (its error log's, else its output
     * log's), read from the end of the files: what it said before it died.
     */
    static List<String> lastLines(App a) {
        List<String> lines = new ArrayList<>();
        for (String path : new String[] {a.errLog, a.outLog}) {
            if (path == null) continue;
            lines.addAll(tail(Path.of(path)));
            if (!lines.isEmpty()) break;
        }
        return lines;
    }

    private static List<String> tail(Path file) {
        return tail(file.toString(), LAST_LINES);
    }

    /** The last {@code n} lines of the file at {@code path} (none if it cannot be read). */
    static List<String> tail(String path, int n) {
        if (path == null || n <= 0) return List.of();
        Path file = Path.of(path);
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int len = (int) Math.min(size, Math.max(16 * 1024, n * 512L));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(len);
            ch.read(buf, size - len);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>(List.of(text.split("\n")));
            if (len < size && !all.isEmpty()) all.removeFirst(); // a line cut by the window
            all.removeIf(String::isEmpty);
            return new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
        } catch (IOException e) {
            return List.of();
        }
    }
}
