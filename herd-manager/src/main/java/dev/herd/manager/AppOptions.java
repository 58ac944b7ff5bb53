package dev.herd.manager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pm2 app fields that {@code start} carries for a slice that does not act on them yet: the
 * cluster fields ({@code instances}, {@code exec_mode}, {@code increment_var},
 * {@code instance_var}; cluster mode is issue 15), and the user and group an app runs as
 * ({@code uid}, {@code gid}: resolved by {@link RunAs} at each launch). The log options are {@link LogOptions}', the
 * restart triggers and readiness {@link TriggerConfig}'s. Checked on arrival, because any client
 * may speak the protocol; kept in {@link AppConfig#options()} under their pm2 names, written to
 * {@code state.json} and shown in {@code jlist}'s {@code pm2_env}. Stateless.
 */
final class AppOptions {
    private AppOptions() {}

    /** A field's JSON type on the wire. */
    enum Type {
        /** A string. */
        STRING,
        /** A non-negative integer. */
        COUNT,
        /** A user or group: a name, or a non-negative integer (RunAs resolves it). */
        ID,
        /** A list of listen addresses: each PORT or HOST:PORT (socket activation). */
        ADDRESSES,
        /** A health probe's URL: http:// to an IP address or localhost ({@link HealthProbe.Target}). */
        URL,
        /** true or false. */
        BOOLEAN
    }

    /** Every field this class carries, with its type. */
    static final Map<String, Type> TYPES = Map.ofEntries(
            Map.entry("instances", Type.COUNT),
            Map.entry("exec_mode", Type.STRING),
            Map.entry("increment_var", Type.STRING),
            Map.entry("instance_var", Type.STRING),
            Map.entry("uid", Type.ID),
            Map.entry("gid", Type.ID),
            Map.entry("listen", Type.ADDRESSES),
            Map.entry("health_url", Type.URL),
            Map.entry("health_cmd", Type.STRING),
            Map.entry("round_robin", Type.BOOLEAN));

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
            case STRING -> v instanceof String;
            case URL -> v instanceof String u && validUrl(u);
            case BOOLEAN -> v instanceof Boolean;
            case COUNT -> (v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0;
            case ID -> v instanceof String s ? !s.isBlank() && s.indexOf(':') < 0 && s.indexOf('\n') < 0
                    : (v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0
                            && ((Number) v).longValue() <= Integer.MAX_VALUE;
            case ADDRESSES -> v instanceof java.util.List<?> l && l.stream().allMatch(
                    a -> a instanceof String s && s.matches("(.+:)?\\d{1,5}") && Integer.parseInt(s.substring(s.lastIndexOf(':') + 1)) <= 65535);
        };
        if (!ok) {
            throw new IllegalArgumentException("'" + key + "' must be " + switch (type) {
                case STRING -> "a string";
                case COUNT -> "a non-negative integer";
                case ID -> "a name or a non-negative number";
                case ADDRESSES -> "a list of PORT or HOST:PORT";
                case URL -> "an http:// URL to an IP address or localhost (http://127.0.0.1:PORT/PATH)";
                case BOOLEAN -> "true or false";
            });
        }
        return v;
    }

    private static boolean validUrl(String u) {
        try {
            HealthProbe.Target.parse(u);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

}
