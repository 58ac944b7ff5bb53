package dev.herd.manager;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An app's log options, pm2's ecosystem fields: {@code log_file} (one file for stdout and stderr
 * both, besides the two), {@code merge_logs} (the instances of an app share its files instead of
 * one per instance), {@code time} (prefix each line with pm2's timestamp), {@code log_date_format}
 * (prefix each line with the time in this dayjs format), {@code log_type} ({@code json}: one JSON
 * object per line), and Herd's built-in rotation, which pm2 leaves to its pm2-logrotate module:
 * {@code log_max_size} (bytes, or {@code 10M}, {@code 512K}, {@code 1G}) and {@code log_retain}
 * (how many rotated files to keep). Immutable.
 */
record LogOptions(String logFile, boolean mergeLogs, boolean time, String dateFormat, String type, long maxSize,
                  int retain) {
    /** The keys of the ecosystem schema this record reads. */
    static final Set<String> KEYS = Set.of("log_file", "merge_logs", "time", "log_date_format", "log_type",
            "log_max_size", "log_retain");
    /** pm2-logrotate's default number of rotated files kept. */
    static final int DEFAULT_RETAIN = 30;
    /** The log options when none are given. */
    static final LogOptions NONE = new LogOptions(null, false, false, null, "raw", 0, DEFAULT_RETAIN);

    /** The path that means "no file" ({@code -o /dev/null}, {@code -o none}, pm2's {@code NULL}). */
    static final String DEV_NULL = "/dev/null";

    /**
     * The options in {@code m} (an app's configuration).
     *
     * @throws IllegalArgumentException naming the key, for a mistyped or invalid value
     */
    static LogOptions fromJson(Map<String, Object> m) {
        String type = Fields.string(m, "log_type", "raw");
        if (!type.equals("raw") && !type.equals("json")) {
            throw new IllegalArgumentException("'log_type' must be json or raw, not " + type);
        }
        String dateFormat = Fields.string(m, "log_date_format", null);
        if (dateFormat != null && dateFormat.isEmpty()) dateFormat = null;
        Object size = m.get("log_max_size");
        long maxSize = size == null ? 0 : size instanceof String s ? parseSize(s, "log_max_size") : Fields.number(m, "log_max_size", 0);
        if (maxSize < 0) throw new IllegalArgumentException("'log_max_size' must not be negative");
        int retain = Fields.integer(m, "log_retain", DEFAULT_RETAIN);
        if (retain < 1) throw new IllegalArgumentException("'log_retain' must be at least 1");
        return new LogOptions(Fields.string(m, "log_file", null), Fields.bool(m, "merge_logs", false),
                Fields.bool(m, "time", false), dateFormat, type, maxSize, retain);
    }

    /**
     * A size as pm2 writes them: bytes, or a number with {@code K}, {@code M} or {@code G} (powers
     * of 1024; {@code 10MB} and {@code 10m} too).
     *
     * @throws IllegalArgumentException naming {@code key}, for anything else
     */
    static long parseSize(String text, String key) {
        String s = text.strip().toUpperCase(Locale.ROOT);
        if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> unit = 1024;
                case 'M' -> unit = 1024 * 1024;
                case 'G' -> unit = 1024L * 1024 * 1024;
                default -> unit = 1;
            }
            if (unit > 1) s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s.strip());
            if (n < 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + key + "' must be a size such as 10M, not '" + text + "'");
        }
    }

    /** {@return the dayjs format the lines are stamped with, or null: {@code log_date_format}, else pm2's with {@code time}} */
    String stampFormat() {
        if (dateFormat != null) return dateFormat;
        return time ? DayjsFormat.PM2_TIME : null;
    }

    /** Adds the options that differ from pm2's defaults to {@code m} (an app's configuration). */
    void putJson(Map<String, Object> m) {
        if (logFile != null) m.put("log_file", logFile);
        if (mergeLogs) m.put("merge_logs", true);
        if (time) m.put("time", true);
        if (dateFormat != null) m.put("log_date_format", dateFormat);
        if (!type.equals("raw")) m.put("log_type", type);
        if (maxSize > 0) m.put("log_max_size", maxSize);
        if (retain != DEFAULT_RETAIN) m.put("log_retain", retain);
    }

    /** The keeper's {@code log} object of a spawn: how to write the lines. */
    Map<String, Object> spec(String appName, int appId, String allPath) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", stampFormat());
        m.put("type", type);
        m.put("name", appName);
        m.put("id", appId);
        m.put("all", allPath);
        m.put("max_size", maxSize);
        m.put("retain", retain);
        return m;
    }

    /**
     * A log path as pm2 takes it: {@code none} and {@code NULL} mean {@code /dev/null}.
     *
     * @param path a path, or null
     * @return the path, {@link #DEV_NULL}, or null
     */
    static String normalise(String path) {
        if (path == null) return null;
        return path.equals("none") || path.equals("NULL") ? DEV_NULL : path;
    }

    /**
     * The file of one instance (pm2's rule): an app of several instances whose logs are not merged
     * writes one file per instance, {@code NAME-out-ID.log}; any other app writes {@code path}.
     *
     * @param path the app's file
     * @param id the instance's pm_id
     * @param instances how many instances the app has
     * @return the instance's file
     */
    String perInstance(String path, int id, int instances) {
        if (path == null || path.equals(DEV_NULL) || mergeLogs || instances <= 1) return path;
        return path.endsWith(".log") ? path.substring(0, path.length() - 4) + "-" + id + ".log" : path + "-" + id;
    }
}
