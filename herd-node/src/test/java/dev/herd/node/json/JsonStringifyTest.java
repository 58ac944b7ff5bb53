package dev.herd.node.json;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.value.ArrayBuffer;
import dev.herd.node.value.InvalidDate;
import dev.herd.node.value.JsArray;
import dev.herd.node.value.JsError;
import dev.herd.node.value.JsMap;
import dev.herd.node.value.JsRegExp;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.TypedArray;
import dev.herd.node.value.Undefined;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Golden tests for {@link Json#stringify}: each rule of JSON.stringify that a byte-identical writer
 * must copy, with the text Node 20 prints for the same JavaScript value (see
 * {@code shared/spec/ipcspec/t16_json_format.js}; {@link JsonNodeInteropTest} checks the same and
 * more against the real node).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonStringifyTest {


    // ---- numbers ----

    @Test
    void negativeZeroPrintsAsZero() {
        assertThat(Json.stringify(-0.0)).isEqualTo("0");
    }

    @Test
    void largeNumbersUseAnExponentWithAPlusSignFrom1e21() {
        assertThat(Json.stringify(1e21)).isEqualTo("1e+21");
        assertThat(Json.stringify(1e20)).isEqualTo("100000000000000000000");
        assertThat(Json.stringify(-1.5e300)).isEqualTo("-1.5e+300");
        assertThat(Json.stringify(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
    }

    @Test
    void smallNumbersUseAnExponentBelow1e6() {
        assertThat(Json.stringify(1e-7)).isEqualTo("1e-7");
        assertThat(Json.stringify(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(Json.stringify(0.000001)).isEqualTo("0.000001");
        assertThat(Json.stringify(0.00000123)).isEqualTo("0.00000123");
    }

    @Test
    void integralDoublesPrintWithoutAFraction() {
        assertThat(Json.stringify(123.0)).isEqualTo("123");
        assertThat(Json.stringify(Math.pow(2, 60))).isEqualTo("1152921504606847000");
        assertThat(Json.stringify(Math.pow(2, 53) + 2)).isEqualTo("9007199254740994");
    }

    @Test
    void doublesPrintTheirShortestRoundTripDigits() {
        assertThat(Json.stringify(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(Json.stringify(0.1)).isEqualTo("0.1");
        assertThat(Json.stringify(1 / 3.0)).isEqualTo("0.3333333333333333");
    }

    @Test
    void subnormalsPrintOneDigitWhereOneDigitRoundTrips() {
        // Java's Double.toString gives 4.9E-324 and 9.9E-324 here; JavaScript the shortest.
        assertThat(Json.stringify(Double.MIN_VALUE)).isEqualTo("5e-324");
        assertThat(Json.stringify(2 * Double.MIN_VALUE)).isEqualTo("1e-323");
        assertThat(Json.stringify(-3 * Double.MIN_VALUE)).isEqualTo("-1.5e-323");
    }

    @Test
    void nanAndInfinitiesPrintAsNull() {
        assertThat(Json.stringify(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.NaN)))
                .isEqualTo("[null,null,null,null]");
    }

    @Test
    void longsBeyondTwoToThe53PrintAsTheDoubleTheyBecome() {
        assertThat(Json.stringify((1L << 53) + 1)).isEqualTo("9007199254740992");
        assertThat(Json.stringify(Long.MAX_VALUE)).isEqualTo("9223372036854776000");
        assertThat(Json.stringify(Long.MIN_VALUE)).isEqualTo("-9223372036854776000");
        assertThat(Json.stringify((1L << 53) - 1)).isEqualTo("9007199254740991");
    }

    @Test
    void everyJavaNumberTypePrintsAsTheJavaScriptNumber() {
        assertThat(Json.stringify(Arrays.asList((byte) -5, (short) 300, 7, 8L, 0.1f, 2.5, new BigDecimal("0.1"),
                new BigDecimal("1e400")))).isEqualTo("[-5,300,7,8,0.10000000149011612,2.5,0.1,null]");
    }

    // ---- strings ----

    @Test
    void quoteAndBackslashAreEscapedButSlashIsNot() {
        assertThat(Json.stringify("\"\\/")).isEqualTo("\"\\\"\\\\/\"");
    }

    @Test
    void controlCharactersUseShortEscapesOrLowerCaseU00XX() {
        assertThat(Json.stringify("\u0000\u0001\b\t\n\u000b\f\r\u001f"))
                .isEqualTo("\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\"");
    }

    @Test
    void loneSurrogatesAreEscapedInLowerCaseHex() {
        assertThat(Json.stringify("a\uD800b\uDFFFc")).isEqualTo("\"a\\ud800b\\udfffc\"");
        assertThat(Json.stringify("\uDC00\uD800")).isEqualTo("\"\\udc00\\ud800\"");
        assertThat(Json.stringify("\uD83D")).isEqualTo("\"\\ud83d\"");
    }

    @Test
    void nonAsciiIncludingLineSeparatorsIsWrittenRawAsUtf8() {
        byte[] utf8 = Json.stringifyUtf8("\u2028\u2029\u007f\u0085é😀");
        assertThat(utf8).isEqualTo("\"\u2028\u2029\u007f\u0085é😀\"".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void surrogatesAreHandledWhereverLongStringsAreCut() {
        // Strings are encoded in slices of a few hundred chars: a pair may straddle a cut.
        for (int prefix = 0; prefix < 1100; prefix += 1) {
            String x = "x".repeat(prefix);
            assertThat(Json.stringifyUtf8(x + "😀" + x)).isEqualTo(("\"" + x + "😀" + x + "\"").getBytes(StandardCharsets.UTF_8));
            assertThat(Json.stringify(x + "\uD800" + x)).isEqualTo("\"" + x + "\\ud800" + x + "\"");
            assertThat(Json.stringify(x + "\uDC00\uDC00")).isEqualTo("\"" + x + "\\udc00\\udc00\"");
        }
    }

    @Test
    void charactersEnumsAndCharSequencesAreStrings() {
        assertThat(Json.stringify(Arrays.asList('x', TimeUnit.SECONDS, new StringBuilder("sb")))).isEqualTo("[\"x\",\"SECONDS\",\"sb\"]");
    }

    @Test
    void aLongStringIsWrittenWhole() {
        String s = "é".repeat(100_000) + "\n" + "😀".repeat(50_000);
        byte[] expected = ("\"" + "é".repeat(100_000) + "\\n" + "😀".repeat(50_000) + "\"").getBytes(StandardCharsets.UTF_8);
        assertThat(Json.stringifyUtf8(s)).isEqualTo(expected);
    }

    // ---- objects and arrays ----

    @Test
    void integerLikeKeysComeFirstInAscendingOrder() {
        Map<String, Object> m = object("b", 1, "a", 2, "1", "x", "0", "y", "10", "z", "01", "w", "4294967295", "v",
                "4294967294", "u", "-1", "t");
        assertThat(Json.stringify(m))
                .isEqualTo("{\"0\":\"y\",\"1\":\"x\",\"10\":\"z\",\"4294967294\":\"u\",\"b\":1,\"a\":2,\"01\":\"w\","
                        + "\"4294967295\":\"v\",\"-1\":\"t\"}");
    }

    @Test
    void undefinedAndFunctionsAreDroppedFromObjects() {
        Runnable f = () -> { };
        assertThat(Json.stringify(object("u", Undefined.INSTANCE, "a", 1, "f", f, "n", null))).isEqualTo("{\"a\":1,\"n\":null}");
        assertThat(Json.stringify(object("u", Undefined.INSTANCE))).isEqualTo("{}");
    }

    @Test
    void undefinedAndFunctionsAreNullInArrays() {
        Supplier<String> f = () -> "x";
        assertThat(Json.stringify(Arrays.asList(Undefined.INSTANCE, f, 1))).isEqualTo("[null,null,1]");
    }

    @Test
    void undefinedOrAFunctionAtTheTopGivesNoText() {
        Runnable f = () -> { };
        assertThat(Json.stringify(Undefined.INSTANCE)).isNull();
        assertThat(Json.stringify(f)).isNull();
        assertThat(Json.stringifyUtf8(Undefined.INSTANCE)).isNull();
    }

    @Test
    void nullTrueFalseAndEmptyContainers() {
        assertThat(Json.stringify(null)).isEqualTo("null");
        assertThat(Json.stringify(Arrays.asList(true, false, List.of(), Map.of()))).isEqualTo("[true,false,[],{}]");
    }

    @Test
    void holesInASparseArrayAreNull() {
        JsArray a = new JsArray(4);
        a.put(1, "x");
        a.put(2, Undefined.INSTANCE);
        assertThat(Json.stringify(a)).isEqualTo("[null,\"x\",null,null]");
    }

    @Test
    void aHugeSparseArrayIsRefusedAtOnceAsAnInvalidStringLength() {
        JsArray a = new JsArray(JsArray.MAX_LENGTH);
        a.put(7, 1);
        assertThatThrownBy(() -> Json.stringify(a)).isInstanceOfSatisfying(SerializationException.class, e -> {
            assertThat(e.jsName()).isEqualTo("RangeError");
            assertThat(e.getMessage()).isEqualTo("Invalid string length");
        });
    }

    @Test
    void everyJavaArrayAndCollectionShapeIsAnArray() {
        assertThat(Json.stringify(new Object[] {1, "a"})).isEqualTo("[1,\"a\"]");
        assertThat(Json.stringify(new int[] {1, -2})).isEqualTo("[1,-2]");
        assertThat(Json.stringify(new long[] {1L << 60})).isEqualTo("[1152921504606847000]");
        assertThat(Json.stringify(new double[] {-0.0, 0.5})).isEqualTo("[0,0.5]");
        assertThat(Json.stringify(new float[] {0.5f})).isEqualTo("[0.5]");
        assertThat(Json.stringify(new short[] {3})).isEqualTo("[3]");
        assertThat(Json.stringify(new boolean[] {true})).isEqualTo("[true]");
        assertThat(Json.stringify(new char[] {'a', '\uD800'})).isEqualTo("[\"a\",\"\\ud800\"]");
        assertThat(Json.stringify(new LinkedList<>(List.of(1, 2)))).isEqualTo("[1,2]");
        assertThat(Json.stringify(new ArrayDeque<>(List.of(3)))).isEqualTo("[3]");
    }

    record Order(String sku, int qty, Object note) {
    }

    /** A bean: properties through getters, in Jackson's order. */
    public static final class Customer {
        public String getName() {
            return "Ada";
        }

        public boolean isVip() {
            return true;
        }
    }

    @Test
    void recordsAndBeansAreObjectsOfTheirProperties() {
        assertThat(Json.stringify(new Order("A-1", 2, Undefined.INSTANCE))).isEqualTo("{\"sku\":\"A-1\",\"qty\":2}");
        assertThat(Json.stringify(new Customer())).isEqualTo("{\"name\":\"Ada\",\"vip\":true}");
    }

    @Test
    void aSharedObjectIsWrittenInEachPlace() {
        List<Object> shared = List.of(1);
        assertThat(Json.stringify(object("a", shared, "b", List.of(shared, shared)))).isEqualTo("{\"a\":[1],\"b\":[[1],[1]]}");
    }

    // ---- toJSON ----

    @Test
    void toJsonReplacesTheValueAndIsGivenItsKey() {
        ToJson keyEcho = key -> "k=" + key;
        assertThat(Json.stringify(keyEcho)).isEqualTo("\"k=\"");
        assertThat(Json.stringify(object("x", keyEcho))).isEqualTo("{\"x\":\"k=x\"}");
        assertThat(Json.stringify(Arrays.asList(0, keyEcho))).isEqualTo("[0,\"k=1\"]");
    }

    @Test
    void toJsonReturningUndefinedDropsTheProperty() {
        ToJson gone = key -> Undefined.INSTANCE;
        assertThat(Json.stringify(object("a", gone, "b", 1))).isEqualTo("{\"b\":1}");
        assertThat(Json.stringify(Arrays.asList(gone))).isEqualTo("[null]");
        assertThat(Json.stringify(gone)).isNull();
    }

    @Test
    void aToJsonResultIsNotConvertedByItsOwnToJson() {
        ToJson inner = key -> "inner";
        ToJson outer = key -> inner; // a function-valued result: dropped at the top, as in JavaScript
        assertThat(Json.stringify(outer)).isNull();
        ToJson date = key -> Instant.EPOCH; // a Date returned by toJSON has no enumerable properties
        assertThat(Json.stringify(date)).isEqualTo("{}");
        ToJson buffer = key -> new byte[] {104, 105}; // a Buffer returned by toJSON is a Uint8Array
        assertThat(Json.stringify(buffer)).isEqualTo("{\"0\":104,\"1\":105}");
    }

    @Test
    void toJsonResultsAreSerializedDeeply() {
        ToJson nested = key -> object("d", Instant.EPOCH, "in", (ToJson) k -> k);
        assertThat(Json.stringify(nested)).isEqualTo("{\"d\":\"1970-01-01T00:00:00.000Z\",\"in\":\"in\"}");
    }

    // ---- dates ----

    @Test
    void datesAreTheirIsoStringWithMilliseconds() {
        assertThat(Json.stringify(Instant.EPOCH)).isEqualTo("\"1970-01-01T00:00:00.000Z\"");
        assertThat(Json.stringify(Instant.parse("2020-01-02T03:04:05.006Z"))).isEqualTo("\"2020-01-02T03:04:05.006Z\"");
        assertThat(Json.stringify(new Date(-1))).isEqualTo("\"1969-12-31T23:59:59.999Z\"");
        assertThat(Json.stringify(OffsetDateTime.of(2021, 5, 6, 7, 8, 9, 0, ZoneOffset.ofHours(2))))
                .isEqualTo("\"2021-05-06T05:08:09.000Z\"");
    }

    @Test
    void yearsOutside0To9999HaveASignAndSixDigits() {
        assertThat(Json.stringify(Instant.parse("+10000-01-01T00:00:00Z"))).isEqualTo("\"+010000-01-01T00:00:00.000Z\"");
        assertThat(Json.stringify(Instant.parse("-0001-06-01T00:00:00Z"))).isEqualTo("\"-000001-06-01T00:00:00.000Z\"");
        assertThat(Json.stringify(Instant.parse("0000-01-01T00:00:00Z"))).isEqualTo("\"0000-01-01T00:00:00.000Z\"");
        assertThat(Json.stringify(Instant.ofEpochMilli(8_640_000_000_000_000L))).isEqualTo("\"+275760-09-13T00:00:00.000Z\"");
    }

    @Test
    void invalidDatesAndDatesBeyondJavaScriptsRangeAreNull() {
        assertThat(Json.stringify(InvalidDate.INSTANCE)).isEqualTo("null");
        assertThat(Json.stringify(Instant.ofEpochMilli(8_640_000_000_000_001L))).isEqualTo("null");
        assertThat(Json.stringify(Instant.MAX)).isEqualTo("null");
    }

    // ---- binary ----

    @Test
    void aByteArrayIsNodesBufferToJson() {
        assertThat(Json.stringify(new byte[] {104, 105, -1, 0})).isEqualTo("{\"type\":\"Buffer\",\"data\":[104,105,255,0]}");
        assertThat(Json.stringify(new byte[0])).isEqualTo("{\"type\":\"Buffer\",\"data\":[]}");
    }

    @Test
    void aLargeByteArrayWritesEveryByte() {
        byte[] bytes = new byte[70_000];
        StringBuilder expected = new StringBuilder("{\"type\":\"Buffer\",\"data\":[");
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
            expected.append(i == 0 ? "" : ",").append(bytes[i] & 0xFF);
        }
        assertThat(Json.stringify(bytes)).isEqualTo(expected.append("]}").toString());
    }

    @Test
    void typedArraysAreObjectsKeyedByIndex() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.1f).putFloat(-0.0f);
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.FLOAT32, b.array())))
                .isEqualTo("{\"0\":0.10000000149011612,\"1\":0}");
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.UINT8, new byte[] {1, 2}))).isEqualTo("{\"0\":1,\"1\":2}");
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.INT8, new byte[] {-1}))).isEqualTo("{\"0\":-1}");
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.UINT32, new byte[] {-1, -1, -1, -1})))
                .isEqualTo("{\"0\":4294967295}");
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.INT16, new byte[] {-2, -1}))).isEqualTo("{\"0\":-2}");
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.UINT8, new byte[0]))).isEqualTo("{}");
    }

    @Test
    void aDataViewAndBinaryBuffersAreEmptyObjects() {
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.DATA_VIEW, new byte[] {1, 2}))).isEqualTo("{}");
        assertThat(Json.stringify(ArrayBuffer.wrap(new byte[] {1}))).isEqualTo("{}");
        assertThat(Json.stringify(ByteBuffer.wrap(new byte[] {1}))).isEqualTo("{}");
    }

    @Test
    void aBigIntTypedArrayWithElementsIsABigIntError() {
        assertThatThrownBy(() -> Json.stringify(TypedArray.copyOf(TypedArray.Kind.BIGINT64, new byte[8])))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.jsName()).isEqualTo("TypeError"))
                .hasMessage("Do not know how to serialize a BigInt");
        assertThat(Json.stringify(TypedArray.copyOf(TypedArray.Kind.BIGUINT64, new byte[0]))).isEqualTo("{}");
    }

    // ---- objects without enumerable properties ----

    @Test
    void mapsSetsRegExpsAndErrorsAreEmptyObjects() {
        JsMap jsMap = new JsMap();
        jsMap.put("a", 1);
        Map<Object, Object> intKeys = new HashMap<>();
        intKeys.put(1, 2);
        assertThat(Json.stringify(Arrays.asList(jsMap, intKeys, new LinkedHashSet<>(List.of(1)), new JsRegExp("a+", "g"),
                Pattern.compile("x"), new IllegalStateException("boom"), new JsError("TypeError", "bad"))))
                .isEqualTo("[{},{},{},{},{},{},{}]");
    }

    // ---- errors ----

    @Test
    void aBigIntIsATypeError() {
        assertThatThrownBy(() -> Json.stringify(object("n", BigInteger.TEN)))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.jsName()).isEqualTo("TypeError"))
                .hasMessage("Do not know how to serialize a BigInt");
    }

    @Test
    void aCycleIsATypeErrorThatNamesThePathLikeV8() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("self", a);
        assertThatThrownBy(() -> Json.stringify(a))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.jsName()).isEqualTo("TypeError"))
                .hasMessage("Converting circular structure to JSON\n    --> starting at object with constructor 'Object'\n"
                        + "    --- property 'self' closes the circle");
    }

    @Test
    void aLongCycleIsShortenedWithAnEllipsisLikeV8() {
        Map<String, Object> a = new LinkedHashMap<>();
        List<Object> b = new ArrayList<>();
        Map<String, Object> c = new LinkedHashMap<>();
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> e = new LinkedHashMap<>();
        a.put("b", b);
        b.add(c);
        c.put("d", d);
        d.put("e", e);
        e.put("back", a);
        assertThatThrownBy(() -> Json.stringify(object("root", a))).hasMessage("Converting circular structure to JSON\n"
                + "    --> starting at object with constructor 'Object'\n"
                + "    |     property 'b' -> object with constructor 'Array'\n"
                + "    |     index 0 -> object with constructor 'Object'\n"
                + "    |     ...\n"
                + "    |     property 'e' -> object with constructor 'Object'\n"
                + "    --- property 'back' closes the circle");
    }

    /** Identity and no data: not a value. */
    static final class Handle {
    }

    @Test
    void aJavaObjectThatIsNotAValueIsATypeErrorNamingItsClass() {
        assertThatThrownBy(() -> Json.stringify(object("h", new Handle())))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.jsName()).isEqualTo("TypeError"))
                .hasMessageContaining(Handle.class.getName());
        assertThatThrownBy(() -> Json.stringify(List.of(new Object()))).hasMessageContaining("java.lang.Object");
    }

    @Test
    void nestingUpToMaxDepthIsWritten() {
        Object v = 1;
        for (int i = 0; i < Json.MAX_DEPTH; i++) {
            v = i % 2 == 0 ? List.of(v) : Map.of("a", v);
        }
        String text = Json.stringify(v);
        assertThat(text).hasSize(Json.MAX_DEPTH / 2 * ("[".length() + "{\"a\":".length() + "]}".length()) + 1);
    }

    @Test
    void nestingBeyondMaxDepthIsARangeErrorNotAStackOverflow() {
        Object v = new int[] {1};
        for (int i = 0; i < Json.MAX_DEPTH; i++) {
            v = List.of(v);
        }
        Object deep = v;
        assertThatThrownBy(() -> Json.stringify(deep))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.jsName()).isEqualTo("RangeError"))
                .hasMessageStartingWith("Maximum call stack size exceeded");
    }

    // ---- the two forms ----

    @Test
    void theUtf8FormIsTheStringFormsUtf8() {
        Object v = object("s", "é\u2028😀\uD800", "n", List.of(1.5, -0.0), "d", Instant.EPOCH, "b", new byte[] {1});
        assertThat(Json.stringifyUtf8(v)).isEqualTo(Json.stringify(v).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anIpcLineIsTheTextAndANewlineInAnArrayOfItsExactSize() {
        Object value = object("seq", 7, "data", "x".repeat(5000), "s", "é€😀");
        byte[] line = Json.stringifyUtf8Line(value);
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo(Json.stringify(value) + "\n");
        assertThat(Json.stringifyUtf8Line(Undefined.INSTANCE)).isNull();
    }

    @Test
    void aLineWrittenAfterALargerOneHasNoBytesOfIt() {
        // The per-thread scratch is reused: nothing of the earlier, longer text may show through.
        Json.stringifyUtf8Line("y".repeat(10_000));
        assertThat(new String(Json.stringifyUtf8Line("short"), StandardCharsets.UTF_8)).isEqualTo("\"short\"\n");
    }

    @Test
    void aToJsonThatStringifiesOnTheSameThreadDoesNotDisturbTheOuterLine() {
        ToJson nested = key -> new String(Json.stringifyUtf8Line("inner " + "z".repeat(3000)), StandardCharsets.UTF_8).trim();
        Object value = object("a", "before", "b", nested, "c", "after");
        String expected = "{\"a\":\"before\",\"b\":" + Json.stringify(Json.stringify("inner " + "z".repeat(3000)))
                + ",\"c\":\"after\"}\n";
        assertThat(new String(Json.stringifyUtf8Line(value), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void aLongAsciiRunFollowedByCharsThatNeedMoreBytesIsEncodedWhole() {
        // Room is reserved for ASCII first; the worst case only once another char turns up.
        for (int ascii : new int[] {0, 1, 511, 512, 513, 4095, 4096, 9000}) {
            String s = "a".repeat(ascii) + "\u00e9\u20ac\ud83d\ude00\n\u0001\"" + "b".repeat(700) + "\ud800";
            String expected = "\"" + "a".repeat(ascii) + "\u00e9\u20ac\ud83d\ude00\\n\\u0001\\\"" + "b".repeat(700) + "\\ud800\"";
            assertThat(new String(Json.stringifyUtf8Line(s), StandardCharsets.UTF_8)).as("ascii run %d", ascii)
                    .isEqualTo(expected + "\n");
            assertThat(Json.stringify(s)).isEqualTo(expected);
        }
    }
}
