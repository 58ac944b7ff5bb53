package dev.herd.node.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.value.SerializationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's and reader's shortcuts give what the general paths give: short strings written
 * straight from the String, property names kept encoded in a shared table, a writer reused per
 * thread, non-integers in [1e-3, 1e7) printed from {@link Double#toString(double)}, and the
 * reader's stacks for long arrays made on demand. Expected texts come from {@link #quote}, a
 * char-by-char transcription of well-formed JSON.stringify's QuoteJSONString, and from {@link
 * JsNumbers}; {@link JsonNodeInteropTest} checks the same kinds of values against the real node.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonFastPathTest {
    /** Chars that end the plain-ASCII fast path, each a different way. */
    private static final String[] SPECIALS = {"\"", "\\", "\n", "\u0001", "\u001f", "\u007f", "\u00e9", "\u2028", "\u2029",
        "\uD83D\uDE00", "\uD800", "\uDC00", "\uDBFF\uDBFF", "\uFFFF"};

    @Test
    void aCharThatIsNotPlainAsciiIsEncodedWhereverItFollowsAnAsciiRun() {
        for (int run = 0; run <= 70; run++) {
            for (String special : SPECIALS) {
                for (String tail : new String[] {"", "z", "zz" + special}) {
                    String s = "a".repeat(run) + special + tail;
                    assertThat(Json.stringify(s)).as("run %d, special %s", run, escaped(special)).isEqualTo(quote(s));
                    assertThat(Json.stringifyUtf8(s)).isEqualTo(quote(s).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void aSurrogatePairIsKeptWholeWhenItStartsTheSlowPath() {
        for (int run = 60; run <= 70; run++) {
            String s = "x".repeat(run) + "\uD83D\uDE00" + "x".repeat(600) + "\uD83D\uDE00";
            assertThat(Json.stringifyUtf8(s)).isEqualTo(("\"" + s + "\"").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void propertyNamesAreWrittenTheSameEveryTimeWhateverTheirChars() {
        List<String> names = new ArrayList<>();
        for (String special : SPECIALS) {
            names.add("k" + special);
            names.add(special + "k".repeat(40)); // too long to be kept encoded
        }
        names.add("");
        names.add("plain");
        for (int round = 0; round < 3; round++) {
            Map<String, Object> o = new LinkedHashMap<>();
            StringBuilder expected = new StringBuilder("{");
            for (String name : names) {
                // A new String each round: equal names, other instances.
                String key = new String(name.toCharArray());
                o.put(key, round);
                expected.append(expected.length() > 1 ? "," : "").append(quote(key)).append(':').append(round);
            }
            String text = expected.append('}').toString();
            assertThat(Json.stringify(o)).isEqualTo(text);
            assertThat(Json.stringifyUtf8(o)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void namesSharingATableSlotAreNeverMistakenForEachOther() {
        // Far more distinct names than the table has slots, each written twice.
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < 5000; i++) {
            o.put("n" + i, i);
        }
        StringBuilder expected = new StringBuilder("{");
        for (int i = 0; i < 5000; i++) {
            expected.append(i == 0 ? "" : ",").append("\"n").append(i).append("\":").append(i);
        }
        String text = expected.append('}').toString();
        assertThat(Json.stringify(o)).isEqualTo(text);
        assertThat(Json.stringify(o)).isEqualTo(text);
    }

    @Test
    void aNameWithMultiByteCharsReadsBackFromTheTableAsItWasWritten() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("\u00e9\u20ac", 1);
        String once = Json.stringify(o);
        assertThat(Json.stringify(o)).isEqualTo(once).isEqualTo("{\"\u00e9\u20ac\":1}");
        assertThat(Json.parse(Json.stringifyUtf8(o), 0, Json.stringifyUtf8(o).length)).isEqualTo(o);
    }

    @Test
    void theReusedWriterStartsCleanAfterAThrow() {
        Map<String, Object> cyclic = new LinkedHashMap<>();
        cyclic.put("pad", "p".repeat(5000));
        cyclic.put("self", cyclic);
        assertThatThrownBy(() -> Json.stringifyUtf8(cyclic)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("circular structure");
        assertThat(new String(Json.stringifyUtf8(List.of("ok")), StandardCharsets.UTF_8)).isEqualTo("[\"ok\"]");
        assertThat(Json.stringify(Map.of("a", 1))).isEqualTo("{\"a\":1}");
    }

    @Test
    void theReusedWriterShowsNothingOfALargerEarlierText() {
        String big = Json.stringify(List.of("y".repeat(200_000)));
        assertThat(big).hasSize(200_004);
        assertThat(Json.stringify("short")).isEqualTo("\"short\"");
        assertThat(Json.stringifyUtf8(7)).isEqualTo("7".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aToJsonThatStringifiesGetsAWriterOfItsOwn() {
        ToJson nested = key -> Json.stringify(List.of(key, "x".repeat(5000)));
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("a", "before");
        o.put("b", nested);
        o.put("c", "after");
        String inner = "[\"b\",\"" + "x".repeat(5000) + "\"]";
        assertThat(Json.stringify(o)).isEqualTo("{\"a\":\"before\",\"b\":" + quote(inner) + ",\"c\":\"after\"}");
    }

    @Test
    void nonIntegersBetweenAThousandthAndTenMillionPrintAsTheGeneralLayoutPrintsThem() {
        Random r = new Random(25);
        for (int i = 0; i < 20_000; i++) {
            double d = r.nextDouble() * Math.pow(10, r.nextInt(-3, 7));
            if (d < 1e-3 || d == Math.rint(d)) {
                continue;
            }
            assertThat(Json.stringify(d)).as("%s", d).isEqualTo(JsNumbers.toString(d));
            assertThat(Json.stringify(-d)).isEqualTo(JsNumbers.toString(-d));
        }
        assertThat(Json.stringify(9.99 + 7)).isEqualTo("16.990000000000002");
        assertThat(Json.stringify(Math.nextDown(1e7))).isEqualTo(JsNumbers.toString(Math.nextDown(1e7)));
        assertThat(Json.stringify(Math.nextDown(1e-3))).isEqualTo(JsNumbers.toString(Math.nextDown(1e-3)));
    }

    @Test
    void aLongArrayDeeperThanTheReadersFirstStackParsesWhole() {
        // The reader's stacks for sizing long arrays are made when an array first gets long.
        StringBuilder text = new StringBuilder();
        int depth = 40;
        text.append("[".repeat(depth));
        for (int i = 0; i < 6000; i++) {
            text.append(i == 0 ? "" : ",").append(i % 256);
        }
        text.append(",").append("[".repeat(30)).append("[1,2]").append("]".repeat(30));
        text.append("]".repeat(depth));
        String s = text.toString();
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        Object v = Json.parse(utf8, 0, utf8.length);
        assertThat(Json.stringify(v)).isEqualTo(s);
        Object inner = v;
        for (int i = 1; i < depth; i++) {
            inner = ((List<?>) inner).get(0);
        }
        assertThat((List<?>) inner).hasSize(6001);
    }

    /** Well-formed JSON.stringify's QuoteJSONString, one char at a time. */
    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                    if (c < 0x20 || (Character.isSurrogate(c) && !paired)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (paired) {
                        out.append(c).append(s.charAt(++i));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String escaped(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(String.format("U+%04X ", c)));
        return out.toString().trim();
    }
}
