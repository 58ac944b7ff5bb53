package dev.herd.node.value;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test helpers {@link ValueEquality} and {@link ValueGenerator}, which the property tests rely on. */
@Timeout(30)
class ValueEqualityTest {

    @Test
    void aDifferenceIsReportedWithItsPath() {
        Object expected = object("a", new ArrayList<>(List.of(0, 1, 2, object("b", 1))));
        Object actual = object("a", new ArrayList<>(List.of(0, 1, 2, object("b", 1L))));
        assertThatThrownBy(() -> ValueEquality.assertSame(expected, actual))
                .isInstanceOf(AssertionError.class).hasMessage("$.a[3].b: expected Integer 1 but was Long 1");
    }

    @Test
    void classesMustMatchExactly() {
        JsMap map = new JsMap();
        map.put("a", 1);
        assertThat(ValueEquality.same(object("a", 1), map)).isFalse();
        JsArray sparse = new JsArray(1);
        sparse.put(0, 1);
        assertThat(ValueEquality.same(new ArrayList<>(List.of(1)), sparse)).isFalse();
    }

    @Test
    void keyOrderMatters() {
        assertThat(ValueEquality.difference(object("a", 1, "b", 2), object("b", 2, "a", 1)))
                .isEqualTo("$: expected keys [\"a\", \"b\"] but were [\"b\", \"a\"]");
    }

    @Test
    void doublesCompareByBitsExceptNaN() {
        assertThat(ValueEquality.same(Double.NaN, Double.longBitsToDouble(0x7ff8_0000_0000_0001L))).isTrue();
        assertThat(ValueEquality.same(-0.0, 0.0)).isFalse();
    }

    @Test
    void buffersCompareByContent() {
        assertThat(ValueEquality.same(new byte[] {1}, new byte[] {1})).isTrue();
        assertThat(ValueEquality.same(ArrayBuffer.wrap(new byte[] {1}), ArrayBuffer.wrap(new byte[] {2}))).isFalse();
        assertThat(ValueEquality.same(TypedArray.copyOf(TypedArray.Kind.INT8, new byte[2]),
                TypedArray.copyOf(TypedArray.Kind.UINT8, new byte[2]))).isFalse();
    }

    @Test
    void sharingMustBeTheSameOnBothSides() {
        List<Object> x = new ArrayList<>(List.of(1));
        List<Object> shared = new ArrayList<>(List.of(x, x));
        List<Object> separate = new ArrayList<>(List.of(x, new ArrayList<>(List.of(1))));
        assertThat(ValueEquality.difference(shared, separate))
                .isEqualTo("$[1]: the expected object appears here and elsewhere, the actual one only here");
        assertThat(ValueEquality.same(separate, shared)).isFalse();
    }

    @Test
    void cyclesCompareAndTerminate() {
        Map<String, Object> a = object("n", 1);
        a.put("self", a);
        Map<String, Object> b = object("n", 1);
        b.put("self", b);
        Map<String, Object> c = object("n", 1);
        c.put("self", b);
        assertThat(ValueEquality.same(a, b)).isTrue();
        assertThat(ValueEquality.same(a, c)).isFalse();
    }

    @Test
    void errorsCompareByNameMessageStackAndCause() {
        assertThat(ValueEquality.same(new JsError("TypeError", "m", "s", 1), new JsError("TypeError", "m", "s", 1))).isTrue();
        assertThat(ValueEquality.difference(new JsError("TypeError", "m", "s", 1), new JsError("TypeError", "m", "s", 2)))
                .isEqualTo("$.cause: expected Integer 1 but was Integer 2");
    }

    @Test
    void theGeneratorIsDeterministicPerSeed() {
        ValueGenerator a = new ValueGenerator(5);
        ValueGenerator b = new ValueGenerator(5);
        ValueGenerator other = new ValueGenerator(6);
        int differ = 0;
        for (int i = 0; i < 200; i++) {
            Object x = a.withSharing(4);
            ValueEquality.assertSame(x, b.withSharing(4));
            if (!ValueEquality.same(x, other.withSharing(4))) {
                differ++;
            }
        }
        assertThat(differ).isGreaterThan(150);
    }

    @Test
    void generatedPlainObjectsAreInJavaScriptOrderAndSparseArraysHaveHoles() {
        ValueGenerator generator = new ValueGenerator(11);
        int objects = 0;
        int sparse = 0;
        for (int i = 0; i < 300; i++) {
            ArrayDeque<Object> work = new ArrayDeque<>();
            Object root = generator.any(5);
            if (root != null) {
                work.push(root);
            }
            while (!work.isEmpty()) {
                switch (work.pop()) {
                    case JsArray a -> {
                        assertThat(a.elements().size()).isLessThan((int) Math.min(a.length(), Integer.MAX_VALUE));
                        a.elements().values().stream().filter(v -> v != null).forEach(work::push);
                        sparse++;
                    }
                    case JsMap m -> m.values().stream().filter(v -> v != null).forEach(work::push);
                    case LinkedHashMap<?, ?> m -> {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> o = (Map<String, Object>) m;
                        assertThat(Values.properties(o)).extracting(Map.Entry::getKey).containsExactlyElementsOf(o.keySet());
                        o.values().stream().filter(v -> v != null).forEach(work::push);
                        objects++;
                    }
                    case List<?> l -> l.stream().filter(v -> v != null).forEach(work::push);
                    default -> {
                    }
                }
            }
        }
        assertThat(objects).isGreaterThan(50);
        assertThat(sparse).isGreaterThan(10);
    }

    @Test
    void aThousandValuesGenerateQuickly() {
        ValueGenerator generator = new ValueGenerator(1);
        for (int i = 0; i < 200; i++) {
            generator.withSharing(5); // warm up
        }
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            generator.withSharing(5);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
    }
}
