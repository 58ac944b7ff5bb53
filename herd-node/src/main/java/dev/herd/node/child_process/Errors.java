package dev.herd.node.child_process;

import dev.herd.node.NodeError;
import java.util.List;

/**
 * The usage errors child_process throws, with Node's codes and message formats
 * ({@code lib/internal/errors.js}); and the small part of {@code util.inspect} those messages
 * use. Stateless.
 */
final class Errors {
    private Errors() {}

    /** Node's ERR_INVALID_ARG_TYPE (TypeError): 'The "file" argument must be of type string. Received null'. */
    static NodeError invalidArgType(String name, List<String> types, Object actual) {
        String kind = name.contains(".") ? "property" : "argument";
        String expected = types.size() == 1 ? "of type " + types.getFirst()
                : types.size() == 2 ? "one of type " + types.get(0) + " or " + types.get(1)
                : "one of type " + String.join(", ", types.subList(0, types.size() - 1)) + ", or " + types.getLast();
        return new NodeError("ERR_INVALID_ARG_TYPE",
                "The \"" + name + "\" " + kind + " must be " + expected + ". Received " + describe(actual),
                IllegalArgumentException.class);
    }

    /** Node's ERR_INVALID_ARG_VALUE (TypeError): "The argument 'stdio' is invalid. Received 'foo'". */
    static NodeError invalidArgValue(String name, Object value, String reason) {
        String kind = name.contains(".") ? "property" : "argument";
        return new NodeError("ERR_INVALID_ARG_VALUE",
                "The " + kind + " '" + name + "' " + reason + ". Received " + inspect(value),
                IllegalArgumentException.class);
    }

    static NodeError invalidArgValue(String name, Object value) {
        return invalidArgValue(name, value, "is invalid");
    }

    /** Node's ERR_OUT_OF_RANGE (RangeError): 'The value of "timeout" is out of range. It must be ... Received -1'. */
    static NodeError outOfRange(String name, String range, Object value) {
        return new NodeError("ERR_OUT_OF_RANGE",
                "The value of \"" + name + "\" is out of range. It must be " + range + ". Received " + inspect(value),
                IllegalArgumentException.class);
    }

    /** Node's ERR_UNKNOWN_SIGNAL (TypeError): "Unknown signal: SIGFOO". */
    static NodeError unknownSignal(Object signal) {
        return new NodeError("ERR_UNKNOWN_SIGNAL", "Unknown signal: " + signal, IllegalArgumentException.class);
    }

    /** Node's ERR_CHILD_PROCESS_STDIO_MAXBUFFER (RangeError): "stdout maxBuffer length exceeded". */
    static NodeError maxBuffer(String stream) {
        return new NodeError("ERR_CHILD_PROCESS_STDIO_MAXBUFFER", stream + " maxBuffer length exceeded",
                IllegalArgumentException.class);
    }

    /** A NUL inside a string that becomes a C string (Node's validateArgumentNullCheck). */
    static void checkNoNul(String value, String name) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw invalidArgValue(name, value, "must be a string without null bytes");
        }
    }

    /** A NUL inside a path (Node's nullCheck in getValidatedPath: cwd, fork's modulePath). */
    static void checkNoNulInPath(String path, String name) {
        if (path != null && path.indexOf('\0') >= 0) {
            throw invalidArgValue(name, path, "must be a string, Uint8Array, or URL without null bytes");
        }
    }

    /** How ERR_INVALID_ARG_TYPE shows the value it got. */
    static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            String type = v instanceof String ? "string" : v instanceof Boolean ? "boolean" : "number";
            String shown = inspect(v);
            if (shown.length() > 28) shown = shown.substring(0, 25) + "...";
            return "type " + type + " (" + shown + ")";
        }
        return "an instance of " + v.getClass().getSimpleName();
    }

    /** util.inspect for the values these messages show: quoted, escaped strings; JS number text. */
    static String inspect(Object v) {
        if (v == null) return "null";
        if (v instanceof String s) return quote(s);
        if (v instanceof Double d) {
            if (d.isNaN()) return "NaN";
            if (d.isInfinite()) return d > 0 ? "Infinity" : "-Infinity";
            if (d == Math.rint(d) && Math.abs(d) < 1e21) return d == 0 && 1 / d < 0 ? "-0" : Long.toString(d.longValue());
            return d.toString();
        }
        if (v instanceof Float f) return inspect(f.doubleValue());
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[ ");
            for (int i = 0; i < list.size(); i++) sb.append(i > 0 ? ", " : "").append(inspect(list.get(i)));
            return list.isEmpty() ? "[]" : sb.append(" ]").toString();
        }
        return v.getClass().getSimpleName() + " {}";
    }

    private static String quote(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case 0x0b -> sb.append("\\v");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c == q) sb.append('\\').append(c);
                    else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02X", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append(q).toString();
    }
}
