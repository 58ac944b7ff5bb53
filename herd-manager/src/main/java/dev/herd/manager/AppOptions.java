package dev.herd.manager;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pm2 app fields that {@code start} carries beyond the ones {@link AppConfig} acts on itself:
 * log options ({@code log_file}, {@code time}, {@code merge_logs}, {@code log_date_format},
 * {@code log_type}), watch ({@code watch}, {@code ignore_watch}, {@code watch_delay}), the memory
 * limit ({@code max_memory_restart}, in bytes), {@code cron_restart}, readiness ({@code wait_ready},
 * {@code listen_timeout}), {@code shutdown_with_message} and the cluster fields ({@code instances},
 * {@code exec_mode}, {@code increment_var}, {@code instance_var}). The command line (a config
 * file or a flag) has already turned pm2's spellings into these types ("200M" into bytes, "10s"
 * into ms); here they are checked again, because any client may speak the protocol. They are
 * kept in {@link AppConfig#options()} under their pm2 names, written to {@code state.json} and
 * shown in {@code jlist}'s {@code pm2_env}, for the slices that act on them to read. Stateless.
 */
final class AppOptions {
    private AppOptions() {}

    /** A field's JSON type on the wire. */
    enum Type {
        /** true or false. */
        BOOLEAN,
        /** A string. */
        STRING,
        /** A non-negative integer. */
        COUNT,
        /** An array of strings. */
        STRINGS,
        /** true, false or an array of strings ({@code watch}). */
        BOOLEAN_OR_STRINGS,
        /** true, false or a string ({@code log_file}: a path). */
        BOOLEAN_OR_STRING
    }

    /** Every field this class carries, with its type. */
    static final Map<String, Type> TYPES = Map.ofEntries(
            Map.entry("log_file", Type.BOOLEAN_OR_STRING),
            Map.entry("time", Type.BOOLEAN),
            Map.entry("merge_logs", Type.BOOLEAN),
            Map.entry("log_date_format", Type.STRING),
            Map.entry("log_type", Type.STRING),
            Map.entry("watch", Type.BOOLEAN_OR_STRINGS),
            Map.entry("ignore_watch", Type.STRINGS),
            Map.entry("watch_delay", Type.COUNT),
            Map.entry("max_memory_restart", Type.COUNT),
            Map.entry("cron_restart", Type.STRING),
            Map.entry("wait_ready", Type.BOOLEAN),
            Map.entry("listen_timeout", Type.COUNT),
            Map.entry("shutdown_with_message", Type.BOOLEAN),
            Map.entry("instances", Type.COUNT),
            Map.entry("exec_mode", Type.STRING),
            Map.entry("increment_var", Type.STRING),
            Map.entry("instance_var", Type.STRING));

    /**
     * The fields of {@link #TYPES} present in {@code m}, checked, in a new map.
     *
     * @throws IllegalArgumentException naming the key of a value of the wrong type
     */
    static Map<String, Object> of(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Type type = TYPES.get(e.getKey());
            if (type == null || e.getValue() == null) continue;
            out.put(e.getKey(), check(e.getKey(), e.getValue(), type));
        }
        return out;
    }

    private static Object check(String key, Object v, Type type) {
        boolean ok = switch (type) {
            case BOOLEAN -> v instanceof Boolean;
            case STRING -> v instanceof String;
            case COUNT -> (v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0;
            case STRINGS -> strings(v);
            case BOOLEAN_OR_STRINGS -> v instanceof Boolean || strings(v);
            case BOOLEAN_OR_STRING -> v instanceof Boolean || v instanceof String;
        };
        if (!ok) {
            throw new IllegalArgumentException("'" + key + "' must be " + switch (type) {
                case BOOLEAN -> "true or false";
                case STRING -> "a string";
                case COUNT -> "a non-negative integer";
                case STRINGS -> "an array of strings";
                case BOOLEAN_OR_STRINGS -> "true, false or an array of strings";
                case BOOLEAN_OR_STRING -> "true, false or a string";
            });
        }
        return v instanceof List<?> list ? List.copyOf(list) : v;
    }

    private static boolean strings(Object v) {
        return v instanceof List<?> list && list.stream().allMatch(o -> o instanceof String);
    }
}
