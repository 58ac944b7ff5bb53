package dev.herd.manager;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of an app's configuration that restarts it or decides when it is up (pm2's field
 * names): {@code max_memory_restart} (bytes; pm2's {@code "200M"} form is accepted),
 * {@code watch} (true, or the paths), {@code ignore_watch}, {@code watch_delay},
 * {@code cron_restart}, {@code wait_ready}, {@code listen_timeout} and
 * {@code shutdown_with_message}. Validated on arrival like the rest of {@link AppConfig}: a wrong
 * type or value is an error naming the key. Immutable.
 *
 * @param maxMemoryRestart the RSS of the app's tree above which it is restarted, in bytes; 0 for none
 * @param watch whether file changes restart the app
 * @param watchPaths the paths watched, relative to the app's directory; empty for the directory
 * @param ignoreWatch pm2's {@code ignore_watch}; empty for pm2's default (dot files, node_modules)
 * @param watchDelay from the first change to the restart, in ms
 * @param cronRestart a cron expression (5 or 6 fields) at whose times the app restarts, or null
 * @param waitReady whether the app is online only once it says it is ready
 * @param listenTimeout how long to wait for that before it is online anyway, in ms
 * @param shutdownWithMessage whether a stop sends the IPC message {@code shutdown} instead of the
 *     kill signal
 */
record TriggerConfig(long maxMemoryRestart, boolean watch, List<String> watchPaths, List<String> ignoreWatch,
                     long watchDelay, String cronRestart, boolean waitReady, long listenTimeout,
                     boolean shutdownWithMessage) {
    /** pm2's default listen_timeout (GRACEFUL_LISTEN_TIMEOUT). */
    static final long DEFAULT_LISTEN_TIMEOUT = 3000;
    /** The keys this part takes. */
    static final Set<String> KEYS = Set.of("max_memory_restart", "watch", "ignore_watch", "watch_delay", "cron_restart",
            "wait_ready", "listen_timeout", "shutdown_with_message");
    /** No trigger: the defaults. */
    static final TriggerConfig NONE = new TriggerConfig(0, false, List.of(), List.of(), 0, null, false,
            DEFAULT_LISTEN_TIMEOUT, false);
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMG]?)B?", Pattern.CASE_INSENSITIVE);

    TriggerConfig {
        watchPaths = List.copyOf(watchPaths);
        ignoreWatch = List.copyOf(ignoreWatch);
    }

    /**
     * The trigger fields of an app's configuration {@code m}.
     *
     * @throws IllegalArgumentException naming the key, for a mistyped or invalid value
     */
    static TriggerConfig fromJson(Map<String, Object> m) {
        long memory = m.get("max_memory_restart") == null ? 0 : bytes(m.get("max_memory_restart"));
        boolean watch;
        List<String> paths = new ArrayList<>();
        Object w = m.get("watch");
        if (w == null || w instanceof Boolean) {
            watch = Boolean.TRUE.equals(w);
        } else if (w instanceof String s) {
            paths.addAll(split(s));
            watch = true;
        } else if (w instanceof List<?>) {
            paths.addAll(Fields.strings(m, "watch"));
            watch = true;
        } else {
            throw new IllegalArgumentException("'watch' must be true, false, a path or an array of paths");
        }
        List<String> ignore = m.get("ignore_watch") instanceof String s ? dev.herd.node.fs.IgnorePatterns.split(s)
                : Fields.strings(m, "ignore_watch");
        String cron = Fields.string(m, "cron_restart", null);
        if (cron != null) {
            try {
                CronExpression.parse(cron);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'cron_restart' is not a cron expression (" + e.getMessage() + "): " + cron);
            }
        }
        return new TriggerConfig(memory, watch, paths, ignore, nonNegative(Fields.number(m, "watch_delay", 0), "watch_delay"),
                cron, Fields.bool(m, "wait_ready", false),
                nonNegative(Fields.number(m, "listen_timeout", DEFAULT_LISTEN_TIMEOUT), "listen_timeout"),
                Fields.bool(m, "shutdown_with_message", false));
    }

    /**
     * pm2's {@code toggleWatch} ({@code restart --watch}): watching on, of the app's directory, when
     * it was off; off, and the paths forgotten (pm2 sets {@code watch} to false), when it was on.
     */
    TriggerConfig watchToggled() {
        return new TriggerConfig(maxMemoryRestart, !watch, List.of(), ignoreWatch, watchDelay, cronRestart, waitReady,
                listenTimeout, shutdownWithMessage);
    }

    /** pm2's sizes: a number of bytes, or digits and K, M or G (1024-based; a trailing B allowed). */
    static long bytes(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (n <= 0) throw new IllegalArgumentException("'max_memory_restart' must be positive");
            return n;
        }
        if (v instanceof String s) {
            Matcher x = SIZE.matcher(s.strip());
            if (x.matches()) {
                long n;
                try {
                    n = Long.parseLong(x.group(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'max_memory_restart' is too large: " + s);
                }
                int shift = switch (x.group(2).toUpperCase(Locale.ROOT)) {
                    case "K" -> 10;
                    case "M" -> 20;
                    case "G" -> 30;
                    default -> 0;
                };
                if (n <= 0) throw new IllegalArgumentException("'max_memory_restart' must be positive");
                if (n > (Long.MAX_VALUE >> shift)) throw new IllegalArgumentException("'max_memory_restart' is too large: " + s);
                return n << shift;
            }
        }
        throw new IllegalArgumentException("'max_memory_restart' must be a size such as 200M, 1G or a number of bytes, not "
                + v);
    }

    /** A list of paths in one string: separated by commas or white space. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String p : s.split("[,\\s]+")) if (!p.isEmpty()) out.add(p);
        return out;
    }

    private static long nonNegative(long n, String key) {
        if (n < 0) throw new IllegalArgumentException("'" + key + "' must not be negative");
        return n;
    }

    /** Adds the fields that differ from the defaults to {@code m}, as {@link #fromJson} reads them. */
    void putJson(Map<String, Object> m) {
        if (maxMemoryRestart > 0) m.put("max_memory_restart", maxMemoryRestart);
        if (watch) m.put("watch", watchPaths.isEmpty() ? (Object) true : watchPaths);
        if (!ignoreWatch.isEmpty()) m.put("ignore_watch", ignoreWatch);
        if (watchDelay > 0) m.put("watch_delay", watchDelay);
        if (cronRestart != null) m.put("cron_restart", cronRestart);
        if (waitReady) m.put("wait_ready", true);
        if (listenTimeout != DEFAULT_LISTEN_TIMEOUT) m.put("listen_timeout", listenTimeout);
        if (shutdownWithMessage) m.put("shutdown_with_message", true);
    }

    /** Adds pm2's {@code pm2_env} fields of this part to a jlist entry (every one, defaults too). */
    void putPm2Env(Map<String, Object> env) {
        env.put("max_memory_restart", maxMemoryRestart);
        env.put("watch", watch ? (watchPaths.isEmpty() ? (Object) true : watchPaths) : false);
        env.put("ignore_watch", ignoreWatch);
        env.put("watch_delay", watchDelay);
        env.put("cron_restart", cronRestart);
        env.put("wait_ready", waitReady);
        env.put("listen_timeout", listenTimeout);
        env.put("shutdown_with_message", shutdownWithMessage);
    }
}
