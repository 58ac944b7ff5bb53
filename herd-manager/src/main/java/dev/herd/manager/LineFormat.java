package dev.herd.manager;

import dev.herd.node.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * How the keeper writes one app stream's lines (pm2's formats): as they came ({@code raw}), each
 * prefixed with its time and {@code ": "} ({@code time} or {@code log_date_format}:
 * {@code 2026-12-07T07:58:45: out line 1}), or as one JSON object per line ({@code log_type json}:
 * {@code {"message":"out line 1\n","timestamp":"2026-12-07T07:58:45.199Z","type":"out",
 * "process_id":2,"app_name":"api"}}, the timestamp in {@code log_date_format} when one is given,
 * else ISO 8601 in UTC with milliseconds). The time is the one the {@link Pump} read the line's
 * first bytes at. The last time formatted is kept, so a burst of lines formats it once.
 *
 * <p>Thread rule: the keeper's loop thread. Lifetime: one pump.
 */
final class LineFormat {
    /** Lines written as they came. */
    static final LineFormat RAW = new LineFormat(null, false, "out", 0, "");

    private final DayjsFormat stamp;
    private final boolean json;
    private final String type;
    private final int id;
    private final String name;
    private long lastAt = Long.MIN_VALUE;
    private byte[] lastStamp;

    private LineFormat(DayjsFormat stamp, boolean json, String type, int id, String name) {
        this.stamp = stamp;
        this.json = json;
        this.type = type;
        this.id = id;
        this.name = name;
    }

    /**
     * The format a spawn's {@code log} object asks for, for the stream {@code type}.
     *
     * @param log the spawn's {@code log} object, or null for raw lines
     * @param type {@code out} or {@code err}
     */
    static LineFormat of(Map<String, Object> log, String type) {
        if (log == null) return RAW;
        String format = Fields.string(log, "format", null);
        boolean json = "json".equals(Fields.string(log, "type", "raw"));
        if (format == null && !json) return RAW;
        return new LineFormat(format == null ? null : DayjsFormat.of(format), json, type, Fields.integer(log, "id", 0),
                Fields.string(log, "name", ""));
    }

    /** Whether lines are written as they came. */
    boolean raw() {
        return stamp == null && !json;
    }

    /**
     * Appends one line, formatted, with its {@code '\n'}.
     *
     * @param to where
     * @param b the line's bytes, without its {@code '\n'}
     * @param at when its first bytes were read (ms since the epoch)
     */
    void line(ByteArrayOutputStream to, byte[] b, int off, int len, long at) {
        if (json) {
            to.writeBytes(("{\"message\":" + Json.stringify(new String(b, off, len, StandardCharsets.UTF_8) + "\n")
                    + ",\"timestamp\":").getBytes(StandardCharsets.UTF_8));
            to.write('"');
            to.writeBytes(stampOf(at));
            to.writeBytes(("\",\"type\":\"" + type + "\",\"process_id\":" + id + ",\"app_name\":" + Json.stringify(name)
                    + "}\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        to.writeBytes(stampOf(at));
        to.write(':');
        to.write(' ');
        to.write(b, off, len);
        to.write('\n');
    }

    private byte[] stampOf(long at) {
        if (at == lastAt) return lastStamp;
        String s = stamp != null ? stamp.format(at) : Instant.ofEpochMilli(at).toString();
        if (stamp == null && at % 1000 == 0) s = s.substring(0, s.length() - 1) + ".000Z"; // Instant drops zero millis
        String text = json ? Json.stringify(s) : s;
        if (json) text = text.substring(1, text.length() - 1); // the quotes are the caller's
        lastAt = at;
        lastStamp = text.getBytes(StandardCharsets.UTF_8);
        return lastStamp;
    }
}
