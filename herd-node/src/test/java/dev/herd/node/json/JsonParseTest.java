package dev.herd.node.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.value.SerializationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden tests for {@link Json#parse}: the generic form it builds, what it accepts (exactly
 * JSON.parse's language) and how it refuses the rest — SyntaxError with V8's message, a RangeError
 * for a depth bomb, never a crash. {@link JsonNodeInteropTest} compares acceptance and messages
 * with the real node on many more texts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonParseTest {

    private static Object parseBytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return Json.parse(b, 0, b.length);
    }

    private static SerializationException syntaxError(String text) {
        SerializationException fromString = catchSerialization(() -> Json.parse(text));
        SerializationException fromBytes = catchSerialization(() -> parseBytes(text));
        assertThat(fromString.jsName()).as("jsName for %s", text).isEqualTo("SyntaxError");
        assertThat(fromBytes.getMessage()).as("byte form of %s", text).isEqualTo(fromString.getMessage());
        return fromString;
    }

    private static List<Object> keys(Object map) {
        return new ArrayList<>(((Map<?, ?>) map).keySet());
    }

    private static SerializationException catchSerialization(Runnable r) {
        try {
            r.run();
        } catch (SerializationException e) {
            return e;
        }
        throw new AssertionError("no SerializationException");
    }

    // ---- the generic form ----

    @Test
    void numbersBecomeIntegerLongOrDoubleByValue() {
        assertThat(Json.parse("[1, -7, 1.0, 1e2, 2147483648, 9007199254740991, 9007199254740992, 0.5, 1E-2]"))
                .isEqualTo(List.of(1, -7, 1, 100, 2147483648L, 9007199254740991L, 9007199254740992.0, 0.5, 0.01));
        assertThat((List<?>) Json.parse("[1, 1.0]")).allSatisfy(n -> assertThat(n).isInstanceOf(Integer.class));
    }

    @Test
    void negativeZeroStaysNegativeZero() {
        for (String text : List.of("-0", "-0.0", "-0e5")) {
            assertThat(Json.parse(text)).isInstanceOf(Double.class);
            assertThat(Double.doubleToRawLongBits((Double) Json.parse(text))).isEqualTo(Long.MIN_VALUE);
        }
        assertThat(Json.parse("0")).isEqualTo(0);
    }

    @Test
    void numbersBeyondDoubleRangeAreInfinityOrZero() {
        assertThat(Json.parse("1e400")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Json.parse("-1e400")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Json.parse("1e-400")).isEqualTo(0);
        assertThat(Json.parse("1" + "0".repeat(400))).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void longIntegersRoundToTheNearestDouble() {
        assertThat(Json.parse("123456789012345678901234567890")).isEqualTo(1.2345678901234568E29);
        assertThat(Json.parse("9007199254740993")).isEqualTo(9007199254740992.0);
        assertThat(Json.parse("-9223372036854775809")).isEqualTo(-9.223372036854776E18);
    }

    @Test
    void hugeNumbersParseInLinearTime() {
        String digits = "7".repeat(1_000_000);
        assertThat(Json.parse(digits)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Json.parse("0." + "0".repeat(1_000_000) + "1")).isEqualTo(0);
        assertThat(Json.parse("1." + "5".repeat(1_000_000) + "e-3")).isEqualTo(0.00155555555555555555555555555555);
    }

    @Test
    void objectsAreLinkedHashMapsInJavaScriptPropertyOrder() {
        Object v = Json.parse("{\"b\":1,\"a\":2,\"10\":3,\"2\":4,\"01\":5,\"4294967295\":6,\"4294967294\":7}");
        assertThat(v).isInstanceOf(LinkedHashMap.class);
        assertThat(keys(v)).containsExactly("2", "10", "4294967294", "b", "a", "01", "4294967295");
    }

    @Test
    void aRepeatedKeyKeepsItsFirstPlaceAndItsLastValue() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"a\":1,\"b\":2,\"a\":3,\"1\":4,\"1\":5}");
        assertThat(keys(m)).containsExactly("1", "a", "b");
        assertThat(m.get("a")).isEqualTo(3);
        assertThat(m.get("1")).isEqualTo(5);
    }

    @Test
    void protoIsAnOrdinaryKey() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"__proto__\":{\"x\":1},\"constructor\":2}");
        assertThat(keys(m)).containsExactly("__proto__", "constructor");
        assertThat(m.get("__proto__")).isEqualTo(Map.of("x", 1));
    }

    @Test
    void arraysAreArrayLists() {
        Object v = Json.parse("[[],{},[null,true,false,\"s\"]]");
        assertThat(v).isInstanceOf(ArrayList.class);
        List<?> l = (List<?>) v;
        assertThat(l.get(0)).isInstanceOf(ArrayList.class);
        assertThat(l.get(1)).isEqualTo(Map.of());
        assertThat(l.get(2)).isEqualTo(java.util.Arrays.asList(null, true, false, "s"));
    }

    @Test
    void escapesDecodeIncludingLoneSurrogates() {
        assertThat(Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\"")).isEqualTo("\"\\/\b\f\n\r\tAé");
        assertThat(Json.parse("\"\\ud800\"")).isEqualTo("\uD800");
        assertThat(Json.parse("\"\\uDFFF\\uD800x\"")).isEqualTo("\uDFFF\uD800x");
        assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("😀");
        assertThat(parseBytes("\"\\ud800\"")).isEqualTo("\uD800");
    }

    @Test
    void loneSurrogatesEscapedInKeysAreAcceptedAsJsonParseAcceptsThem() {
        String text = "{\"\\udc01x\":1,\"a\\ud800\":{\"\\ud83d\\ude00\":\"\\udfff\"}}";
        Map<?, ?> fromString = (Map<?, ?>) Json.parse(text);
        assertThat(keys(fromString)).containsExactly("\uDC01x", "a\uD800");
        assertThat(fromString.get("a\uD800")).isEqualTo(Map.of("\uD83D\uDE00", "\uDFFF"));
        assertThat(parseBytes(text)).isEqualTo(fromString);
    }

    @Test
    void rawNonAsciiAndLineSeparatorsAreAcceptedInStrings() {
        String s = "\"\u2028\u2029\u007f\u0085é😀\"";
        assertThat(Json.parse(s)).isEqualTo(s.substring(1, s.length() - 1));
        assertThat(parseBytes(s)).isEqualTo(s.substring(1, s.length() - 1));
        assertThat(Json.parse("\"\uD800\"")).isEqualTo("\uD800"); // JavaScript strings may hold lone surrogates raw
    }

    @Test
    void anyTopLevelValueWithSurroundingWhitespaceIsAccepted() {
        assertThat(Json.parse(" \t\r\n42\r\n")).isEqualTo(42);
        assertThat(Json.parse("\"str\"")).isEqualTo("str");
        assertThat(Json.parse("null")).isNull();
        assertThat(Json.parse("true")).isEqualTo(true);
        assertThat(parseBytes("[1]\r")).isEqualTo(List.of(1));
    }

    @Test
    void aRangeOfABiggerArrayIsParsedAlone() {
        byte[] b = "xx[1,2]yy".getBytes(StandardCharsets.US_ASCII);
        assertThat(Json.parse(b, 2, 5)).isEqualTo(List.of(1, 2));
        assertThatThrownBy(() -> Json.parse(b, 5, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * In a long text, strings without escapes are made from their bytes: never from bytes past
     * the range's end, and a raw control char or an escape still goes to Jackson.
     */
    @Test
    void aLongTextsStringsAreReadOnlyWithinItsRange() {
        String pad = " ".repeat(JsonReader.DIRECT_STRINGS_FROM);
        byte[] b = (pad + "[\"ab\"]").getBytes(StandardCharsets.US_ASCII);
        assertThat(catchSerialization(() -> Json.parse(b, 0, b.length - 2)).jsName()).isEqualTo("SyntaxError");
        assertThat(Json.parse(b, 0, b.length)).isEqualTo(List.of("ab"));
        byte[] control = (pad + "[\"a\tb\"]").getBytes(StandardCharsets.US_ASCII);
        assertThat(catchSerialization(() -> Json.parse(control, 0, control.length)).jsName()).isEqualTo("SyntaxError");
        assertThat(parseBytes(pad + "[\"é€😀\", \"a\\\"b\", \"\", \"\\ud800\"]")).isEqualTo(List.of("é€😀", "a\"b", "", "\ud800"));
    }

    @Test
    void stringsLongerThanJacksonsDefaultLimitAreAccepted() {
        String s = "x".repeat(20_000_001); // Jackson's default limit is 20,000,000
        Object v = parseBytes("[\"" + s + "\"]");
        assertThat(((List<?>) v).get(0)).isEqualTo(s);
    }

    @Test
    void longArraysAmongOtherValuesParseWhole() {
        // Long arrays are sized from the text still to come: right for a Buffer's data, too much here.
        StringBuilder text = new StringBuilder("{\"a\":[");
        for (int i = 0; i < 10_000; i++) {
            text.append(i == 0 ? "" : ",").append(i % 1000 == 999 ? "{\"k\":[1,2]}" : Integer.toString(i % 300));
        }
        text.append("],\"b\":[[");
        for (int i = 0; i < 5000; i++) {
            text.append(i == 0 ? "" : ",").append(i);
        }
        text.append("],[\"s\"]],\"c\":\"").append("x".repeat(300_000)).append("\"}");
        String s = text.toString();
        Map<?, ?> v = (Map<?, ?>) parseBytes(s);
        assertThat((List<?>) v.get("a")).hasSize(10_000);
        assertThat(((List<?>) ((List<?>) v.get("b")).get(0)).get(4999)).isEqualTo(4999);
        assertThat(Json.stringify(v)).isEqualTo(s);
        assertThat(Json.stringify(Json.parse(s))).isEqualTo(s);
    }

    @Test
    void longKeysAreAccepted() {
        String key = "k".repeat(100_000);
        assertThat(keys(Json.parse("{\"" + key + "\":1}"))).containsExactly(key);
    }

    // ---- ill-formed UTF-8, as Node's IPC decodes it ----

    @Test
    void illFormedUtf8BecomesReplacementCharactersAsInNode() {
        byte[] b = HexFormat.of().parseHex("22" + "ff" + "c3" + "eda080" + "f09f98" + "41" + "22");
        // ff: one U+FFFD; c3 then 'ed': one; ed a0: two (a0 is no valid second byte after ed); 80: one;
        // f0 9f 98 then 'A': one.
        assertThat(Json.parse(b, 0, b.length)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA");
    }

    @Test
    void aByteOrderMarkIsRefusedAsJsonParseRefusesU_FEFF() {
        SerializationException e = syntaxError("\uFEFF1");
        assertThat(e.getMessage()).isEqualTo("Unexpected token '\uFEFF', \"\uFEFF1\" is not valid JSON");
    }

    @Test
    void utf16TextIsRefusedNotDetected() {
        byte[] utf16 = "[1]".getBytes(StandardCharsets.UTF_16BE);
        assertThatThrownBy(() -> Json.parse(utf16, 0, utf16.length))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.jsName()).isEqualTo("SyntaxError"));
        byte[] utf16le = "[1]".getBytes(StandardCharsets.UTF_16LE);
        assertThatThrownBy(() -> Json.parse(utf16le, 0, utf16le.length)).isInstanceOf(SerializationException.class);
    }

    // ---- refused texts ----

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\r\n", "[1,]", "{\"a\":1,}", "// c\n1", "/* c */1", "'a'", "{'a':1}", "NaN", "Infinity",
        "-Infinity", "undefined", "01", "-01", "1.", ".5", "+1", "-", "1e", "0x10", "\"\u0001\"", "\"a\nb\"", "\"\t\"",
        "\"\\x\"", "\"\\u12G4\"", "\"\\'\"", "\"abc", "[1", "{\"a\":1", "{\"a\":", "[1]x", "1 2", "{}{}", "tru", "truex",
        "True", "nul", "[1,,2]", "{\"a\"}", "{1:2}", "\u00a01", "1\u00a0", "[\n1,\n]", "\u00001", "1\u0000"})
    void textsJsonParseRefusesAreSyntaxErrors(String text) {
        SerializationException e = syntaxError(text);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void messagesAreV8s() {
        assertThat(syntaxError("").getMessage()).isEqualTo("Unexpected end of JSON input");
        assertThat(syntaxError("[1,]").getMessage()).isEqualTo("Unexpected token ']', \"[1,]\" is not valid JSON");
        assertThat(syntaxError("{\"a\":1,}").getMessage()).isEqualTo("Expected double-quoted property name in JSON at position 7");
        assertThat(syntaxError("NaN").getMessage()).isEqualTo("\"NaN\" is not valid JSON");
        assertThat(syntaxError("01").getMessage()).isEqualTo("Unexpected number in JSON at position 1");
        assertThat(syntaxError("[1]x").getMessage()).isEqualTo("Unexpected non-whitespace character after JSON at position 3");
        assertThat(syntaxError("\"abc").getMessage()).isEqualTo("Unterminated string in JSON at position 4");
        assertThat(syntaxError("\"a\u0001\"").getMessage()).isEqualTo("Bad control character in string literal in JSON at position 2");
        assertThat(syntaxError("x234567890123456789012345").getMessage())
                .isEqualTo("Unexpected token 'x', \"x234567890\"... is not valid JSON");
        assertThat(syntaxError("[1,2,3,4,5,6,7,8,9,10,11,12,x,13,14,15,16,17,18]").getMessage())
                .isEqualTo("Unexpected token 'x', ...\",10,11,12,x,13,14,15\"... is not valid JSON");
    }

    @Test
    void positionsCountUtf16UnitsAsInJavaScript() {
        // 😀 is two UTF-16 units and four UTF-8 bytes: the byte form reports the same position.
        assertThat(syntaxError("[\"😀é\",]").getMessage()).isEqualTo("Unexpected token ']', \"[\"😀é\",]\" is not valid JSON");
        assertThat(syntaxError("[\"😀é\" 1]").getMessage()).isEqualTo("Expected ',' or ']' after array element in JSON at position 7");
    }

    @Test
    void everyProperPrefixOfADocumentIsRefused() {
        String doc = "{\"a\":[1,-2.5e3,\"s\\n\\u00e9\",true,false,null,{}],\"b\":{\"c\":[]}}";
        for (int i = 0; i < doc.length(); i++) {
            String prefix = doc.substring(0, i);
            assertThat(syntaxError(prefix).getMessage()).as(prefix).isNotBlank();
        }
        assertThat(Json.parse(doc)).isInstanceOf(Map.class);
    }

    @Test
    void nestingUpToMaxDepthIsAccepted() {
        String text = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Object v = Json.parse(text);
        int depth = 0;
        while (v instanceof List<?> l && !l.isEmpty()) {
            v = l.get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(Json.MAX_DEPTH - 1);
    }

    @Test
    void aDepthBombIsARangeErrorNotAStackOverflow() {
        for (String open : List.of("[", "{\"a\":")) {
            String bomb = open.repeat(1_000_000);
            assertThatThrownBy(() -> Json.parse(bomb))
                    .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.jsName()).isEqualTo("RangeError"))
                    .hasMessageContaining(Integer.toString(Json.MAX_DEPTH));
            assertThatThrownBy(() -> parseBytes(bomb)).isInstanceOf(SerializationException.class);
        }
    }
}
