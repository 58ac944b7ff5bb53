package dev.herd.node.value;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Values}: the mapping between JavaScript values and Java objects, and binding. */
@Timeout(30)
class ValuesTest {
    record Line(String sku, int qty) {
    }

    record Order(String id, Instant placed, List<Line> lines, byte[] attachment, String note, long total) {
    }

    record Empty() {
    }

    /** A bean with Jackson's annotations. */
    public static final class Bean {
        public String getName() {
            return "n";
        }

        @JsonProperty("alias")
        public int getCount() {
            return 2;
        }

        @JsonIgnore
        public String getSecret() {
            return "s";
        }
    }

    /** No properties and an identity: not a value. */
    static final class Opaque {
    }

    enum Colour { RED }


    // ---- kindOf ----

    @Test
    void kindOfClassifiesEveryPartOfTheModel() {
        Map<Object, Values.Kind> expected = new LinkedHashMap<>();
        expected.put(Undefined.INSTANCE, Values.Kind.UNDEFINED);
        expected.put(true, Values.Kind.BOOLEAN);
        expected.put(1, Values.Kind.NUMBER);
        expected.put(1L, Values.Kind.NUMBER);
        expected.put(1.5f, Values.Kind.NUMBER);
        expected.put((short) 1, Values.Kind.NUMBER);
        expected.put(BigDecimal.ONE, Values.Kind.NUMBER);
        expected.put(BigInteger.ONE, Values.Kind.BIGINT);
        expected.put("s", Values.Kind.STRING);
        expected.put(new StringBuilder("sb"), Values.Kind.STRING);
        expected.put('c', Values.Kind.STRING);
        expected.put(Colour.RED, Values.Kind.STRING);
        expected.put(new JsArray(3), Values.Kind.SPARSE_ARRAY);
        expected.put(new ArrayDeque<>(), Values.Kind.ARRAY);
        expected.put(new int[0], Values.Kind.ARRAY);
        expected.put(new String[0], Values.Kind.ARRAY);
        expected.put(new byte[0], Values.Kind.BUFFER);
        expected.put(new LinkedHashSet<>(), Values.Kind.SET);
        expected.put(InvalidDate.INSTANCE, Values.Kind.DATE);
        expected.put(Instant.EPOCH, Values.Kind.DATE);
        expected.put(new Date(), Values.Kind.DATE);
        expected.put(ArrayBuffer.allocate(1), Values.Kind.ARRAY_BUFFER);
        expected.put(ByteBuffer.allocate(1), Values.Kind.ARRAY_BUFFER);
        expected.put(TypedArray.copyOf(TypedArray.Kind.INT8, new byte[1]), Values.Kind.TYPED_ARRAY);
        expected.put(Pattern.compile("x"), Values.Kind.REGEXP);
        expected.put(new JsRegExp("x", ""), Values.Kind.REGEXP);
        expected.put(new IllegalStateException(), Values.Kind.ERROR);
        expected.put(new Line("a", 1), Values.Kind.OBJECT);
        expected.put(new Empty(), Values.Kind.OBJECT);
        expected.put(new Bean(), Values.Kind.OBJECT);
        expected.put((Function<String, String>) s -> s, Values.Kind.FUNCTION);
        expected.put(new Opaque(), Values.Kind.UNSUPPORTED);
        expected.put(new Object(), Values.Kind.UNSUPPORTED);
        expected.forEach((value, kind) -> assertThat(Values.kindOf(value)).as("%s", value.getClass()).isEqualTo(kind));
        assertThat(Values.kindOf(null)).isEqualTo(Values.Kind.NULL);
    }

    @Test
    void aMapIsAPlainObjectOnlyWhenAllItsKeysAreStrings() {
        Map<Object, Object> mixed = new HashMap<>();
        mixed.put("a", 1);
        mixed.put(2, 2);
        JsMap stringKeyed = new JsMap();
        stringKeyed.put("a", 1);
        assertThat(Values.kindOf(object("a", 1))).isEqualTo(Values.Kind.OBJECT);
        assertThat(Values.kindOf(new HashMap<>())).isEqualTo(Values.Kind.OBJECT);
        assertThat(Values.kindOf(mixed)).isEqualTo(Values.Kind.MAP);
        assertThat(Values.kindOf(stringKeyed)).isEqualTo(Values.Kind.MAP);
    }

    @Test
    void liveResourcesAreNotValues() throws Exception {
        try (Socket socket = new Socket()) {
            assertThat(Values.kindOf(socket)).isEqualTo(Values.Kind.UNSUPPORTED);
        }
        assertThat(Values.kindOf(Thread.currentThread())).isIn(Values.Kind.FUNCTION, Values.Kind.UNSUPPORTED);
    }

    // ---- numbers ----

    @Test
    void numberGivesIntegerForInt32() {
        assertThat(Values.number(0.0)).isEqualTo(0);
        assertThat(Values.number(-1.0)).isEqualTo(-1);
        assertThat(Values.number(Integer.MIN_VALUE)).isEqualTo(Integer.MIN_VALUE);
        assertThat(Values.number(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void numberGivesLongForOtherSafeIntegers() {
        assertThat(Values.number(2147483648.0)).isEqualTo(2147483648L);
        assertThat(Values.number(-2147483649.0)).isEqualTo(-2147483649L);
        assertThat(Values.number(Values.MAX_SAFE_INTEGER)).isEqualTo(Values.MAX_SAFE_INTEGER);
        assertThat(Values.number(-Values.MAX_SAFE_INTEGER)).isEqualTo(-Values.MAX_SAFE_INTEGER);
    }

    @Test
    void numberGivesDoubleForMinusZeroFractionsAndLargeMagnitudes() {
        ValueEquality.assertSame(-0.0, Values.number(-0.0));
        ValueEquality.assertSame(0.5, Values.number(0.5));
        ValueEquality.assertSame(9007199254740992.0, Values.number(9007199254740992.0));
        ValueEquality.assertSame(1e300, Values.number(1e300));
        ValueEquality.assertSame(Double.NaN, Values.number(Double.NaN));
        ValueEquality.assertSame(Double.NEGATIVE_INFINITY, Values.number(Double.NEGATIVE_INFINITY));
        ValueEquality.assertSame(Double.MIN_VALUE, Values.number(Double.MIN_VALUE));
    }

    @Test
    void isInt32IsFalseForMinusZeroAndFractions() {
        assertThat(Values.isInt32(7L)).isTrue();
        assertThat(Values.isInt32(1L << 31)).isFalse();
        assertThat(Values.isInt32(-0.0)).isFalse();
        assertThat(Values.isInt32(2.0)).isTrue();
        assertThat(Values.isInt32(2.5)).isFalse();
    }

    // ---- objects ----

    @Test
    void propertiesPutArrayIndicesFirstInAscendingOrder() {
        Map<String, Object> map = object("b", 1, "10", 2, "a", 3, "2", 4, "4294967295", 5, "01", 6, "4294967294", 7, "-1", 8);
        assertThat(Values.properties(map)).extracting(Map.Entry::getKey)
                .containsExactly("2", "10", "4294967294", "b", "a", "4294967295", "01", "-1");
    }

    @Test
    void propertiesOfARecordFollowItsComponents() {
        assertThat(Values.properties(new Line("apple", 3))).extracting(Map.Entry::getKey, Map.Entry::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sku", "apple"), org.assertj.core.groups.Tuple.tuple("qty", 3));
    }

    @Test
    void propertiesOfABeanFollowJacksonAnnotations() {
        assertThat(Values.properties(new Bean())).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("name", "alias");
    }

    @Test
    void propertiesOfSomethingThatIsNotAPlainObjectFailClearly() {
        assertThatThrownBy(() -> Values.properties(new Opaque()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a plain-object value");
    }

    @Test
    void arrayIndexAcceptsOnlyCanonicalIndicesBelowTheMaximumLength() {
        assertThat(Values.arrayIndex("0")).isZero();
        assertThat(Values.arrayIndex("4294967294")).isEqualTo(4294967294L);
        assertThat(Values.arrayIndex("4294967295")).isEqualTo(-1);
        assertThat(Values.arrayIndex("01")).isEqualTo(-1);
        assertThat(Values.arrayIndex("")).isEqualTo(-1);
        assertThat(Values.arrayIndex("-1")).isEqualTo(-1);
        assertThat(Values.arrayIndex("1e3")).isEqualTo(-1);
        assertThat(Values.arrayIndex("99999999999")).isEqualTo(-1);
    }

    // ---- arrays ----

    @Test
    void elementsReadsListsArraysAndPrimitiveArrays() {
        assertThat(List.copyOf(Values.elements(new int[] {1, 2}))).isEqualTo(List.of(1, 2));
        assertThat(new ArrayList<Object>(Values.elements(new Object[] {"a", null}))).isEqualTo(java.util.Arrays.asList("a", null));
        assertThat(List.copyOf(Values.elements(new ArrayDeque<>(List.of(3, 4))))).isEqualTo(List.of(3, 4));
        List<Object> list = new ArrayList<>(List.of(5));
        assertThat(Values.elements(list)).isSameAs(list);
    }

    // ---- dates ----

    @Test
    void dateValueReadsEveryDateKind() {
        assertThat(Values.dateValue(Instant.ofEpochMilli(-5))).isEqualTo(-5.0);
        assertThat(Values.dateValue(Instant.ofEpochSecond(-1, 999_999_999))).isEqualTo(-1.0); // rounded down
        assertThat(Values.dateValue(new Date(42))).isEqualTo(42.0);
        assertThat(Values.dateValue(OffsetDateTime.of(1970, 1, 1, 1, 0, 0, 0, ZoneOffset.ofHours(1)))).isEqualTo(0.0);
        assertThat(Values.dateValue(InvalidDate.INSTANCE)).isNaN();
    }

    @Test
    void dateValueOfTheLargestInstantsDoesNotOverflow() {
        assertThat(Values.dateValue(Instant.MAX)).isGreaterThan(8.64e15);
        assertThat(Values.dateValue(Instant.MIN)).isLessThan(-8.64e15);
        assertThat(Values.date(Values.dateValue(Instant.MAX))).isEqualTo(InvalidDate.INSTANCE);
    }

    @Test
    void dateKeepsJavaScriptsRangeAndDropsFractions() {
        assertThat(Values.date(8.64e15)).isEqualTo(Instant.ofEpochMilli(8_640_000_000_000_000L));
        assertThat(Values.date(-8.64e15)).isEqualTo(Instant.ofEpochMilli(-8_640_000_000_000_000L));
        assertThat(Values.date(8.64e15 + 1)).isEqualTo(InvalidDate.INSTANCE);
        assertThat(Values.date(Double.NaN)).isEqualTo(InvalidDate.INSTANCE);
        assertThat(Values.date(Double.POSITIVE_INFINITY)).isEqualTo(InvalidDate.INSTANCE);
        assertThat(Values.date(1.9)).isEqualTo(Instant.ofEpochMilli(1));
        assertThat(Values.date(-1.9)).isEqualTo(Instant.ofEpochMilli(-1)); // TimeClip truncates towards zero
    }

    // ---- binding ----

    private static Map<String, Object> receivedOrder() {
        List<Object> lines = new ArrayList<>();
        lines.add(object("sku", "apple", "qty", 3));
        lines.add(object("qty", 1L, "sku", "pear", "colour", "green"));
        return object("id", "o-1", "placed", Instant.ofEpochMilli(1_700_000_000_123L), "lines", lines,
                "attachment", new byte[] {1, 2, 3}, "note", Undefined.INSTANCE, "total", 4, "unknown", object("x", 1));
    }

    @Test
    void messageBindsAReceivedObjectToARecord() {
        Order order = new Message(receivedOrder()).as(Order.class);
        assertThat(order.id()).isEqualTo("o-1");
        assertThat(order.placed()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(order.lines()).containsExactly(new Line("apple", 3), new Line("pear", 1));
        assertThat(order.attachment()).containsExactly(1, 2, 3);
        assertThat(order.note()).isNull();
        assertThat(order.total()).isEqualTo(4L);
    }

    @Test
    void messageBindsToAGenericType() {
        List<Object> received = new ArrayList<>(List.of(object("sku", "a", "qty", 1), object("sku", "b", "qty", 2)));
        List<Line> lines = new Message(received).as(new TypeReference<List<Line>>() { });
        assertThat(lines).containsExactly(new Line("a", 1), new Line("b", 2));
    }

    @Test
    void aValueAlreadyOfTheTypeIsReturnedAsIs() {
        Map<String, Object> value = object("a", 1);
        assertThat(new Message(value).as(Map.class)).isSameAs(value);
    }

    @Test
    void aValueThatDoesNotFitTheTypeFailsWithIllegalArgument() {
        assertThatThrownBy(() -> new Message(List.of(1, 2)).as(Line.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Message(object("qty", "many")).as(Line.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClonedRecordBindsBackToAnEqualRecord() {
        Line line = new Line("apple", 3);
        assertThat(new Message(StructuredClone.clone(line)).as(Line.class)).isEqualTo(line);
    }

    @Test
    void aHugeSparseArrayFailsToBindInsteadOfExhaustingMemory() {
        JsArray huge = new JsArray(JsArray.MAX_LENGTH);
        huge.put(1, "x");
        assertThatThrownBy(() -> Values.convert(object("lines", huge), Order.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4294967295");
    }

    @Test
    void aSmallSparseArrayBindsWithNullsForHoles() {
        JsArray array = new JsArray(3);
        array.put(1, "x");
        List<String> bound = Values.convert(array, new TypeReference<List<String>>() { });
        assertThat(bound).containsExactly(null, "x", null);
    }
}
