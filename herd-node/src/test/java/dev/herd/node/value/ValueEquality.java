package dev.herd.node.value;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deep structural equality of values in the generic form, for tests: exact classes (a
 * {@code LinkedHashMap} plain object is not a {@link JsMap}, an {@code ArrayList} is not a
 * {@link JsArray}, an Integer 1 is not a Long 1), Doubles by their bits (so {@code -0.0 != 0.0})
 * except that every NaN equals every NaN, byte[] and buffers by content, maps and sets in order,
 * errors by name, message, stack and cause. Containers are compared as a graph: where the expected
 * value has one object in two places, the actual one must too, and the other way round (an
 * identity bijection), which also makes cycles terminate. Iterative, so 100k-deep values are fine.
 *
 * <p>{@link #assertSame(Object, Object)} fails with the path to the first difference, as in
 * {@code $.a[3].b: expected Integer 1 but was Long 1}. Static and stateless.
 */
public final class ValueEquality {
    private ValueEquality() {
    }

    /** Whether {@code a} and {@code b} are the same value (see the class comment). */
    public static boolean same(Object a, Object b) {
        return difference(a, b) == null;
    }

    /** Throws an AssertionError naming the first difference when {@code actual} is not {@code expected}. */
    public static void assertSame(Object expected, Object actual) {
        String d = difference(expected, actual);
        if (d != null) {
            throw new AssertionError(d);
        }
    }

    /** The first difference as {@code "<path>: expected … but was …"}, or null when there is none. */
    public static String difference(Object expected, Object actual) {
        IdentityHashMap<Object, Object> forward = new IdentityHashMap<>();
        IdentityHashMap<Object, Object> backward = new IdentityHashMap<>();
        ArrayDeque<Pair> work = new ArrayDeque<>();
        work.push(new Pair(expected, actual, null, "$"));
        while (!work.isEmpty()) {
            Pair p = work.pop();
            String d = compare(p, forward, backward, work);
            if (d != null) {
                return p.path() + ": " + d;
            }
        }
        return null;
    }

    /** Compares one pair; pushes the children to compare; returns what differs, or null. */
    private static String compare(Pair p, IdentityHashMap<Object, Object> forward,
            IdentityHashMap<Object, Object> backward, ArrayDeque<Pair> work) {
        Object a = p.a;
        Object b = p.b;
        if (a == null || b == null) {
            return a == b ? null : mismatch(a, b);
        }
        if (a.getClass() != b.getClass()) {
            return mismatch(a, b);
        }
        if (isLeaf(a)) {
            return leafEquals(a, b) ? null : mismatch(a, b);
        }
        // An object with identity: the same pairing everywhere it appears.
        Object seenB = forward.get(a);
        Object seenA = backward.get(b);
        if (seenB != null || seenA != null) {
            if (seenB == b && seenA == a) {
                return null;
            }
            return seenB == null ? "the actual object appears here and elsewhere, the expected one only here"
                    : seenA == null ? "the expected object appears here and elsewhere, the actual one only here"
                    : "shared structure differs (this object is paired with another one elsewhere)";
        }
        forward.put(a, b);
        backward.put(b, a);
        return switch (a) {
            case byte[] x -> Arrays.equals(x, (byte[]) b) ? null : "expected " + describe(a) + " but was " + describe(b);
            case ArrayBuffer x -> buffersEqual(x, (ArrayBuffer) b) ? null : mismatch(a, b);
            case TypedArray x -> {
                TypedArray y = (TypedArray) b;
                if (x.kind() != y.kind() || x.byteOffset() != y.byteOffset() || x.byteLength() != y.byteLength()) {
                    yield mismatch(a, b) + " (kind, offset or length)";
                }
                work.push(new Pair(x.buffer(), y.buffer(), p, ".buffer"));
                yield null;
            }
            case JsError x -> {
                JsError y = (JsError) b;
                if (!x.name().equals(y.name()) || !x.getMessage().equals(y.getMessage())) {
                    yield mismatch(a, b);
                }
                if (!java.util.Objects.equals(x.stack(), y.stack())) {
                    yield "expected stack " + quote(x.stack()) + " but was " + quote(y.stack());
                }
                work.push(new Pair(x.jsCause(), y.jsCause(), p, ".cause"));
                yield null;
            }
            case JsArray x -> {
                JsArray y = (JsArray) b;
                if (x.length() != y.length()) {
                    yield "expected JsArray of length " + x.length() + " but was of length " + y.length();
                }
                if (!x.elements().keySet().equals(y.elements().keySet())) {
                    yield "expected elements at " + x.elements().keySet() + " but were at " + y.elements().keySet();
                }
                pushAll(work, p, x.elements(), y.elements(), false);
                yield null;
            }
            case List<?> x -> {
                List<?> y = (List<?>) b;
                if (x.size() != y.size()) {
                    yield "expected " + describe(a) + " but was " + describe(b);
                }
                for (int i = x.size() - 1; i >= 0; i--) {
                    work.push(new Pair(x.get(i), y.get(i), p, "[" + i + "]"));
                }
                yield null;
            }
            case Map<?, ?> x -> {
                Map<?, ?> y = (Map<?, ?>) b;
                if (x.size() != y.size()) {
                    yield "expected " + describe(a) + " with keys " + abbreviate(x.keySet()) + " but was " + describe(b)
                            + " with keys " + abbreviate(y.keySet());
                }
                if (!(a instanceof JsMap) && !x.keySet().stream().toList().equals(y.keySet().stream().toList())) {
                    yield "expected keys " + abbreviate(x.keySet()) + " but were " + abbreviate(y.keySet());
                }
                pushAll(work, p, x, y, a instanceof JsMap);
                yield null;
            }
            case Set<?> x -> {
                Set<?> y = (Set<?>) b;
                if (x.size() != y.size()) {
                    yield "expected " + describe(a) + " but was " + describe(b);
                }
                Object[] xs = x.toArray();
                Object[] ys = y.toArray();
                for (int i = xs.length - 1; i >= 0; i--) {
                    work.push(new Pair(xs[i], ys[i], p, "{#" + i + "}"));
                }
                yield null;
            }
            default -> a.equals(b) ? null : mismatch(a, b);
        };
    }

    /** Pushes the entries of two maps pairwise, in order (keys too, for a JsMap whose keys are values). */
    private static void pushAll(ArrayDeque<Pair> work, Pair parent, Map<?, ?> x, Map<?, ?> y, boolean valueKeys) {
        Object[] xe = x.entrySet().toArray();
        Object[] ye = y.entrySet().toArray();
        for (int i = xe.length - 1; i >= 0; i--) {
            Map.Entry<?, ?> ex = (Map.Entry<?, ?>) xe[i];
            Map.Entry<?, ?> ey = (Map.Entry<?, ?>) ye[i];
            String segment = ex.getKey() instanceof String s && !valueKeys ? (isIdentifier(s) ? "." + s : "[" + quote(s) + "]")
                    : ex.getKey() instanceof Long l ? "[" + l + "]" : "{#" + i + "}";
            work.push(new Pair(ex.getValue(), ey.getValue(), parent, segment));
            if (valueKeys) {
                work.push(new Pair(ex.getKey(), ey.getKey(), parent, "{key #" + i + "}"));
            }
        }
    }

    private static boolean buffersEqual(ArrayBuffer x, ArrayBuffer y) {
        if (x.isDetached() || y.isDetached()) {
            return x.isDetached() == y.isDetached();
        }
        return x.data().equals(y.data());
    }

    private static boolean isLeaf(Object v) {
        return v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Double
                || v instanceof Boolean || v instanceof BigInteger || v instanceof Instant || v instanceof Enum<?>
                || v instanceof JsRegExp || v instanceof Number || v instanceof Character;
    }

    private static boolean leafEquals(Object a, Object b) {
        if (a instanceof Double x) {
            double y = (Double) b;
            return Double.isNaN(x) ? Double.isNaN(y) : Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
        }
        if (a instanceof Float x) {
            float y = (Float) b;
            return Float.isNaN(x) ? Float.isNaN(y) : Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y);
        }
        return a.equals(b);
    }

    private static String mismatch(Object a, Object b) {
        return "expected " + describe(a) + " but was " + describe(b);
    }

    /** A short description: the class's simple name and the value, or the size of a container. */
    static String describe(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "String " + quote(s);
            case Double d -> "Double " + (Double.doubleToRawLongBits(d) == Long.MIN_VALUE ? "-0.0" : d.toString());
            case Enum<?> e -> e.getDeclaringClass().getSimpleName() + "." + e.name();
            case byte[] b -> "byte[" + b.length + "]" + (b.length <= 16 ? " " + Arrays.toString(b) : "");
            case JsArray a -> "JsArray(length " + a.length() + ", " + a.elements().size() + " present)";
            case List<?> l -> v.getClass().getSimpleName() + "(size " + l.size() + ")";
            case Map<?, ?> m -> v.getClass().getSimpleName() + "(size " + m.size() + ")";
            case Set<?> s -> v.getClass().getSimpleName() + "(size " + s.size() + ")";
            case JsError e -> "JsError " + e.name() + ": " + quote(e.getMessage());
            default -> {
                String s = String.valueOf(v);
                yield v.getClass().getSimpleName() + " " + (s.length() > 80 ? s.substring(0, 80) + "…" : s);
            }
        };
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        int n = Math.min(s.length(), 60);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c) || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (s.length() > n) {
            out.append("…(").append(s.length()).append(" chars)");
        }
        return out.append('"').toString();
    }

    private static String abbreviate(Set<?> keys) {
        StringBuilder out = new StringBuilder("[");
        Iterator<?> it = keys.iterator();
        for (int i = 0; it.hasNext(); i++) {
            if (i == 12) {
                out.append(", …");
                break;
            }
            Object k = it.next();
            out.append(i == 0 ? "" : ", ").append(k instanceof String s ? quote(s) : describe(k));
        }
        return out.append(']').toString();
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Character.isJavaIdentifierPart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Two values to compare, and how to name where they are (built only on failure). */
    private record Pair(Object a, Object b, Pair parent, String segment) {
        String path() {
            ArrayDeque<String> parts = new ArrayDeque<>();
            for (Pair p = this; p != null; p = p.parent) {
                parts.push(p.segment);
            }
            return String.join("", parts);
        }
    }
}
