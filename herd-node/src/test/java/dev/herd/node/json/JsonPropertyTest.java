package dev.herd.node.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.value.JsArray;
import dev.herd.node.value.JsMap;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.ValueEquality;
import dev.herd.node.value.ValueGenerator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Round trips over random values from {@link ValueGenerator}: a value JSON can express comes back
 * from parse(stringify(v)) as itself, a text stringify wrote comes back from stringify(parse(s))
 * byte for byte, and any value of the model either stringifies to a text that parses or fails with
 * JavaScript's error — never anything else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonPropertyTest {
    private static final int VALUES = 2000;

    /** What JSON does to a JSON-parse-shaped value: -0 is written "0" and read back as 0. */
    private static Object afterJson(Object v) {
        return switch (v) {
            case Double d when Double.doubleToRawLongBits(d) == Long.MIN_VALUE -> 0;
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                l.forEach(e -> out.add(afterJson(e)));
                yield out;
            }
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, e) -> out.put((String) k, afterJson(e)));
                yield out;
            }
            case null, default -> v;
        };
    }

    /** Whether JSON would descend to a JsArray longer than a million (through arrays and plain objects). */
    private static boolean hasLongSparseArray(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> work = new ArrayDeque<>();
        if (root != null) {
            work.push(root);
        }
        while (!work.isEmpty()) {
            Object v = work.pop();
            if (v instanceof JsArray a && a.length() > 1_000_000) {
                return true;
            }
            if (v instanceof JsArray a && seen.add(v)) {
                work.addAll(a.elements().values().stream().filter(e -> e != null).toList());
            } else if (v instanceof List<?> l && seen.add(v)) {
                l.forEach(e -> {
                    if (e != null) {
                        work.push(e);
                    }
                });
            } else if (v instanceof Map<?, ?> m && !(v instanceof JsMap) && seen.add(v)) {
                m.values().forEach(e -> {
                    if (e != null) {
                        work.push(e);
                    }
                });
            }
        }
        return false;
    }

    @Test
    void aJsonValueSurvivesStringifyThenParse() {
        ValueGenerator g = new ValueGenerator(41);
        for (int i = 0; i < VALUES; i++) {
            Object v = g.jsonValue(5);
            String text = Json.stringify(v);
            ValueEquality.assertSame(afterJson(v), Json.parse(text));
            byte[] utf8 = Json.stringifyUtf8(v);
            ValueEquality.assertSame(afterJson(v), Json.parse(utf8, 0, utf8.length));
        }
    }

    @Test
    void aTextStringifyWroteSurvivesParseThenStringifyByteForByte() {
        ValueGenerator g = new ValueGenerator(42);
        for (int i = 0; i < VALUES; i++) {
            byte[] text = Json.stringifyUtf8(g.jsonValue(5));
            assertThat(Json.stringifyUtf8(Json.parse(text, 0, text.length))).isEqualTo(text);
            String s = new String(text, StandardCharsets.UTF_8);
            assertThat(Json.stringify(Json.parse(s))).isEqualTo(s);
        }
    }

    @Test
    void anyValueStringifiesToAParsableTextOrFailsAsJavaScriptWould() {
        ValueGenerator g = new ValueGenerator(43);
        int texts = 0;
        int errors = 0;
        for (int i = 0; i < VALUES; i++) {
            Object v = i % 2 == 0 ? g.any(5) : g.withSharing(5);
            if (hasLongSparseArray(v)) {
                continue; // JSON writes each hole as null: up to gigabytes of them, correct but slow
            }
            String text;
            try {
                text = Json.stringify(v);
            } catch (SerializationException e) {
                // A BigInt (alone or in a BigInt64Array) or a cycle: JSON.stringify's TypeErrors; a
                // sparse array too long for any string: its RangeError.
                assertThat(e.jsName() + ": " + e.getMessage()).matches("(?s)TypeError: Do not know how to serialize a BigInt"
                        + "|TypeError: Converting circular structure to JSON\n.*|RangeError: Invalid string length");
                errors++;
                continue;
            }
            if (text == null) {
                continue; // undefined at the top
            }
            assertThat(Json.stringify(Json.parse(text))).isEqualTo(text);
            texts++;
        }
        assertThat(texts).isGreaterThan(VALUES / 3);
        assertThat(errors).isPositive();
    }
}
