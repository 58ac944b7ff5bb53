package dev.herd.manager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a JSON object in the generic form ({@code Json.parse}: LinkedHashMap, ArrayList,
 * String, Integer, Long, Double, Boolean, null). A missing key or null gives the default; a value of
 * the wrong type is an {@link IllegalArgumentException} naming the key, which the protocols answer
 * as {@code EINVAL}. Stateless.
 */
final class Fields {
    private Fields() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String what) {
        if (value instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException(what + " must be a JSON object");
    }

    static String string(Map<String, Object> m, String key, String otherwise) {
        Object v = m.get(key);
        if (v == null) return otherwise;
        if (v instanceof String s) return s;
        throw new IllegalArgumentException("'" + key + "' must be a string");
    }

    static String required(Map<String, Object> m, String key) {
        String s = string(m, key, null);
        if (s == null) throw new IllegalArgumentException("'" + key + "' is missing");
        return s;
    }

    static long number(Map<String, Object> m, String key, long otherwise) {
        Object v = m.get(key);
        if (v == null) return otherwise;
        if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return d.longValue();
        throw new IllegalArgumentException("'" + key + "' must be an integer");
    }

    static int integer(Map<String, Object> m, String key, int otherwise) {
        long n = number(m, key, otherwise);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) throw new IllegalArgumentException("'" + key + "' is out of range");
        return (int) n;
    }

    static boolean bool(Map<String, Object> m, String key, boolean otherwise) {
        Object v = m.get(key);
        if (v == null) return otherwise;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("'" + key + "' must be true or false");
    }

    static List<String> strings(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) return List.of();
        if (!(v instanceof List<?> list)) throw new IllegalArgumentException("'" + key + "' must be an array of strings");
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) throw new IllegalArgumentException("'" + key + "' must be an array of strings");
            out.add(s);
        }
        return out;
    }

    static List<Integer> integers(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) return List.of();
        if (!(v instanceof List<?> list)) throw new IllegalArgumentException("'" + key + "' must be an array of integers");
        List<Integer> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof Integer i)) throw new IllegalArgumentException("'" + key + "' must be an array of integers");
            out.add(i);
        }
        return out;
    }

    static Map<String, String> stringMap(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) return new LinkedHashMap<>();
        if (!(v instanceof Map<?, ?> map)) throw new IllegalArgumentException("'" + key + "' must be an object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) throw new IllegalArgumentException("'" + key + "." + e.getKey() + "' must be a string");
            out.put((String) e.getKey(), s);
        }
        return out;
    }
}
