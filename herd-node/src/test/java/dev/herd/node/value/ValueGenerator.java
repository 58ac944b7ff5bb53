package dev.herd.node.value;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Random values of the value model in their generic form (what a decoder produces), for property
 * tests of encoders, decoders and structured clone. Deterministic per seed; sizes are bounded
 * (containers of at most 6 entries, depth at most {@code maxDepth}, strings rarely longer than 12
 * chars and never than 4500, one byte[] in about 2000 of up to 256 KiB, the others of at most 32
 * bytes) so that a thousand values take some tens of milliseconds.
 *
 * <p>Every value is already normalized as a round trip through JavaScript would leave it: numbers
 * come from {@link Values#number(double)}, plain objects have their integer-like keys first in
 * ascending order, {@link JsArray}s always have at least one hole, Map keys and Set elements are never
 * {@code -0} (JavaScript's SameValueZero makes them {@code 0}), RegExp sources have no {@code /} or
 * line terminators (which {@code source} would escape) and are never empty.
 *
 * <p>{@link #withSharing(int)} also reuses containers (a list under two parents, a buffer under two
 * views) and makes cycles (a map containing itself); cycles never pass through a Map key or a Set
 * element, since Java would hash them forever. Not thread-safe: one generator per thread.
 */
public final class ValueGenerator {
    private static final String[] ERROR_NAMES = {
        "Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"
    };
    private static final String[] ORDINARY_KEYS = {
        "a", "b", "name", "id", "", " ", "01", "-1", "1.5", "4294967295", "99999999999", "__proto__", "length",
        "constructor", "é", "日本", "\uD83D\uDE00", "\uD800", "x y", "1e3", "+1", "NaN"
    };
    private static final String[] REGEXP_SOURCES = {
        "a+b", "^\\d{3}$", "(?:x|y)*", "[a-z]+", "\\bword\\b", "caf\u00e9", "\\u{1F600}", ".", "a{2,3}?", "(?<n>x)\\k<n>"
    };
    private static final TypedArray.Kind[] KINDS = TypedArray.Kind.values();

    private final Random random;
    /** Containers that are complete: {@link #withSharing} may put them in a second place. */
    private final List<Object> finished = new ArrayList<>();
    /** Containers under construction, whose children may point back at them (a cycle). */
    private final Deque<Object> open = new ArrayDeque<>();
    private final List<ArrayBuffer> buffers = new ArrayList<>();
    private boolean sharing;

    public ValueGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** Any value of the model, fresh (no container appears twice, no cycle). */
    public Object any(int maxDepth) {
        reset(false);
        return value(maxDepth);
    }

    /** Any value, with some containers and buffers appearing in several places and some cycles. */
    public Object withSharing(int maxDepth) {
        reset(true);
        if (maxDepth > 0 && random.nextInt(4) != 0) {
            return container(maxDepth); // a container at the top, so that there is something to share
        }
        return value(maxDepth);
    }

    /** A value JSON.parse can produce: null, Boolean, finite numbers, strings, ArrayList, LinkedHashMap. */
    public Object jsonValue(int maxDepth) {
        reset(false);
        return json(maxDepth);
    }

    private void reset(boolean sharing) {
        this.sharing = sharing;
        finished.clear();
        open.clear();
        buffers.clear();
    }

    // ---- any ----

    private Object value(int depth) {
        if (sharing) {
            int roll = random.nextInt(100);
            if (roll < 8 && !finished.isEmpty()) {
                return finished.get(random.nextInt(finished.size()));
            }
            if (roll < 12 && !open.isEmpty()) {
                return pick(open);
            }
        }
        if (depth <= 0 || random.nextInt(100) < 55) {
            return leaf(depth);
        }
        return container(depth);
    }

    /** A value for a hashed place (Map key, Set element): fresh, acyclic, never -0. */
    private Object key(int depth) {
        boolean was = sharing;
        sharing = false;
        Deque<Object> saved = new ArrayDeque<>(open);
        open.clear();
        try {
            Object k = depth <= 0 || random.nextInt(100) < 75 ? leaf(0) : container(Math.min(depth, 2));
            return k instanceof Double d && Double.doubleToRawLongBits(d) == Long.MIN_VALUE ? Integer.valueOf(0) : k;
        } finally {
            open.addAll(saved);
            sharing = was;
        }
    }

    private Object leaf(int depth) {
        return switch (random.nextInt(18)) {
            case 0 -> Undefined.INSTANCE;
            case 1 -> null;
            case 2 -> random.nextBoolean();
            case 3, 4, 5 -> number();
            case 6 -> bigInt();
            case 7, 8, 9 -> string();
            case 10 -> date();
            case 11 -> regExp();
            case 12 -> bytes();
            case 13 -> arrayBuffer();
            case 14, 15 -> typedArray();
            case 16 -> error(depth);
            default -> random.nextInt(4) == 0 ? InvalidDate.INSTANCE : Instant.ofEpochMilli(random.nextLong(-100_000_000_000_000L, 100_000_000_000_000L));
        };
    }

    private Object container(int depth) {
        return switch (random.nextInt(10)) {
            case 0, 1, 2 -> list(depth);
            case 3, 4, 5 -> object(depth);
            case 6 -> sparseArray(depth);
            case 7 -> map(depth);
            case 8 -> set(depth);
            default -> error(depth);
        };
    }

    private List<Object> list(int depth) {
        ArrayList<Object> list = new ArrayList<>();
        open.push(list);
        int n = random.nextInt(7);
        for (int i = 0; i < n; i++) {
            list.add(value(depth - 1));
        }
        open.pop();
        return done(list);
    }

    private JsArray sparseArray(int depth) {
        long length = switch (random.nextInt(4)) {
            case 0 -> JsArray.MAX_LENGTH;
            case 1 -> 1 + random.nextLong(1L << 31);
            default -> 1 + random.nextInt(10);
        };
        JsArray array = new JsArray(length);
        open.push(array);
        int n = random.nextInt(5);
        for (int i = 0; i < n && array.elements().size() < length - 1; i++) {
            long index = length <= 10 ? random.nextLong(length) : random.nextInt(3) == 0 ? length - 1 : random.nextLong(Math.min(length, 1000));
            array.put(index, value(depth - 1));
        }
        open.pop();
        if (array.elements().size() >= length) {
            array.delete(array.elements().firstKey()); // at least one hole, or JavaScript would call it dense
        }
        return done(array);
    }

    private Map<String, Object> object(int depth) {
        LinkedHashMap<String, Object> object = new LinkedHashMap<>();
        open.push(object);
        int n = random.nextInt(7);
        TreeSet<Long> indices = new TreeSet<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (random.nextInt(3) == 0) {
                indices.add(random.nextBoolean() ? random.nextLong(20) : random.nextLong(JsArray.MAX_LENGTH));
            } else {
                String name = random.nextInt(3) == 0 ? ORDINARY_KEYS[random.nextInt(ORDINARY_KEYS.length)] : asciiName();
                if (Values.arrayIndex(name) < 0 && !names.contains(name)) {
                    names.add(name);
                }
            }
        }
        for (long index : indices) {
            object.put(Long.toString(index), value(depth - 1));
        }
        for (String name : names) {
            object.put(name, value(depth - 1));
        }
        if (sharing && random.nextInt(20) == 0) {
            object.put("self", object);
        }
        open.pop();
        return done(object);
    }

    private JsMap map(int depth) {
        JsMap map = new JsMap();
        open.push(map);
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            map.put(key(depth - 1), value(depth - 1));
        }
        open.pop();
        return done(map);
    }

    private LinkedHashSet<Object> set(int depth) {
        LinkedHashSet<Object> set = new LinkedHashSet<>();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            set.add(key(depth - 1));
        }
        return done(set);
    }

    private JsError error(int depth) {
        String name = ERROR_NAMES[random.nextInt(ERROR_NAMES.length)];
        String message = random.nextInt(4) == 0 ? "" : string();
        String stack = random.nextInt(3) == 0 ? null : name + (message.isEmpty() ? "" : ": " + message) + "\n    at f (file.js:1:2)";
        Object cause = depth > 0 && random.nextInt(3) == 0 ? value(depth - 1) : Undefined.INSTANCE;
        return done(new JsError(name, message, stack, cause));
    }

    private <T> T done(T container) {
        finished.add(container);
        return container;
    }

    private Object pick(Deque<Object> deque) {
        int i = random.nextInt(deque.size());
        for (Object o : deque) {
            if (i-- == 0) {
                return o;
            }
        }
        throw new AssertionError();
    }

    // ---- leaves ----

    private Object number() {
        return Values.number(switch (random.nextInt(16)) {
            case 0 -> 0.0;
            case 1 -> -0.0;
            case 2 -> Double.NaN;
            case 3 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 4 -> random.nextBoolean() ? Double.MIN_VALUE : Double.longBitsToDouble(random.nextLong(1L, 1L << 52));
            case 5 -> Double.longBitsToDouble(random.nextLong());
            case 6 -> random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            case 7 -> random.nextBoolean() ? Values.MAX_SAFE_INTEGER : -Values.MAX_SAFE_INTEGER;
            case 8 -> (double) random.nextLong(-Values.MAX_SAFE_INTEGER, Values.MAX_SAFE_INTEGER);
            case 9 -> (double) (1L << 53) * (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(1000));
            case 10 -> random.nextDouble() * 1000 - 500;
            case 11 -> random.nextBoolean() ? Double.MAX_VALUE : -Double.MAX_VALUE;
            default -> random.nextInt(1000) - 500;
        });
    }

    private BigInteger bigInt() {
        return switch (random.nextInt(4)) {
            case 0 -> BigInteger.ZERO;
            case 1 -> BigInteger.valueOf(random.nextLong());
            case 2 -> new BigInteger(1 + random.nextInt(2000), random).negate();
            default -> new BigInteger(1 + random.nextInt(128), random);
        };
    }

    private String string() {
        int kind = random.nextInt(20);
        if (kind == 0) {
            return "";
        }
        int length = kind == 1 ? 500 + random.nextInt(4000) : random.nextInt(12);
        StringBuilder s = new StringBuilder(length);
        int alphabet = random.nextInt(5);
        while (s.length() < length) {
            switch (alphabet == 4 ? random.nextInt(4) : alphabet) {
                case 0 -> s.append((char) (32 + random.nextInt(95)));
                case 1 -> s.append((char) (random.nextInt(256)));
                case 2 -> {
                    char c = (char) random.nextInt(0x10000);
                    s.append(Character.isSurrogate(c) ? 'x' : c);
                }
                default -> {
                    if (random.nextBoolean()) {
                        s.appendCodePoint(0x10000 + random.nextInt(0x100000));
                    } else {
                        s.append((char) (0xD800 + random.nextInt(0x800))); // a lone surrogate
                    }
                }
            }
        }
        return s.toString();
    }

    private String asciiName() {
        int n = 1 + random.nextInt(6);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }

    private Object date() {
        return switch (random.nextInt(6)) {
            case 0 -> InvalidDate.INSTANCE;
            case 1 -> Instant.ofEpochMilli(random.nextBoolean() ? 8_640_000_000_000_000L : -8_640_000_000_000_000L);
            case 2 -> Instant.EPOCH;
            default -> Instant.ofEpochMilli(random.nextLong(-8_640_000_000_000_000L, 8_640_000_000_000_000L));
        };
    }

    private JsRegExp regExp() {
        StringBuilder flags = new StringBuilder();
        for (char f : "dgimsy".toCharArray()) {
            if (random.nextInt(3) == 0) {
                flags.append(f);
            }
        }
        int u = random.nextInt(4);
        if (u == 0) {
            flags.append('u');
        } else if (u == 1) {
            flags.append('v');
        }
        return new JsRegExp(REGEXP_SOURCES[random.nextInt(REGEXP_SOURCES.length)], flags.toString());
    }

    private byte[] bytes() {
        int n = random.nextInt(2000) == 0 ? random.nextInt(256 * 1024 + 1) : random.nextInt(33);
        byte[] b = new byte[n];
        random.nextBytes(b);
        return done(b);
    }

    private ArrayBuffer arrayBuffer() {
        byte[] b = new byte[random.nextInt(33)];
        random.nextBytes(b);
        ArrayBuffer buffer = ArrayBuffer.wrap(b);
        buffers.add(buffer);
        return done(buffer);
    }

    private TypedArray typedArray() {
        TypedArray.Kind kind = KINDS[random.nextInt(KINDS.length)];
        int size = kind.bytesPerElement();
        if (sharing && !buffers.isEmpty() && random.nextInt(3) == 0) {
            ArrayBuffer buffer = buffers.get(random.nextInt(buffers.size())); // a second view on a buffer
            int elements = buffer.byteLength() / size;
            int offset = elements == 0 ? 0 : random.nextInt(elements + 1);
            int length = random.nextInt(elements - offset + 1);
            return done(new TypedArray(kind, buffer, offset * size, length * size));
        }
        int offset = random.nextInt(4) == 0 ? random.nextInt(4) * size : 0;
        int length = random.nextInt(9) * size;
        int tail = random.nextInt(4) == 0 ? random.nextInt(5) : 0;
        byte[] b = new byte[offset + length + tail];
        random.nextBytes(b);
        ArrayBuffer buffer = ArrayBuffer.wrap(b);
        buffers.add(buffer);
        return done(new TypedArray(kind, buffer, offset, length));
    }

    // ---- JSON ----

    private Object json(int depth) {
        if (depth <= 0 || random.nextInt(100) < 55) {
            return switch (random.nextInt(6)) {
                case 0 -> null;
                case 1 -> random.nextBoolean();
                case 2, 3 -> jsonNumber();
                default -> string();
            };
        }
        if (random.nextBoolean()) {
            List<Object> list = new ArrayList<>();
            int n = random.nextInt(7);
            for (int i = 0; i < n; i++) {
                list.add(json(depth - 1));
            }
            return list;
        }
        LinkedHashMap<String, Object> object = new LinkedHashMap<>();
        TreeSet<Long> indices = new TreeSet<>();
        List<String> names = new ArrayList<>();
        int n = random.nextInt(7);
        for (int i = 0; i < n; i++) {
            if (random.nextInt(3) == 0) {
                indices.add(random.nextBoolean() ? random.nextLong(20) : random.nextLong(JsArray.MAX_LENGTH));
            } else {
                String name = random.nextInt(3) == 0 ? ORDINARY_KEYS[random.nextInt(ORDINARY_KEYS.length)] : asciiName();
                if (Values.arrayIndex(name) < 0 && !names.contains(name)) {
                    names.add(name);
                }
            }
        }
        for (long index : indices) {
            object.put(Long.toString(index), json(depth - 1));
        }
        for (String name : names) {
            object.put(name, json(depth - 1));
        }
        return object;
    }

    private Object jsonNumber() {
        double d;
        do {
            d = ((Number) number()).doubleValue();
        } while (Double.isNaN(d) || Double.isInfinite(d));
        return Values.number(d);
    }
}
