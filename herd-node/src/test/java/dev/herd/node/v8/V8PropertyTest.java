package dev.herd.node.v8;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.value.JsArray;
import dev.herd.node.value.JsError;
import dev.herd.node.value.JsMap;
import dev.herd.node.value.TypedArray;
import dev.herd.node.value.ValueEquality;
import dev.herd.node.value.ValueGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random values of the whole value model (ValueGenerator, including shared and circular ones)
 * survive Herd's V8 format: read back they are the same value, and written again they are the
 * same bytes. A few thousand values, well under a second each way.
 *
 * <p>"The same value" as Node's host-object encoding of views defines it: a typed array or
 * DataView is sent as its own bytes, so it arrives at offset 0 of a buffer of its own (two views
 * that shared a buffer no longer do); everything else, sharing and cycles included, is kept.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class V8PropertyTest {
    private static final int VALUES = 3000;

    @Test
    void freshValuesReadBackEqualAndWriteBackToTheSameBytes() {
        ValueGenerator generator = new ValueGenerator(20261203L);
        V8Serializer serializer = new V8Serializer(V8Options.CHILD_PROCESS);
        V8Deserializer deserializer = new V8Deserializer(V8Options.CHILD_PROCESS);
        for (int i = 0; i < VALUES; i++) {
            roundTrip(i, generator.any(4), serializer, deserializer);
        }
    }

    @Test
    void sharedAndCircularValuesReadBackEqualAndWriteBackToTheSameBytes() {
        ValueGenerator generator = new ValueGenerator(42L);
        V8Serializer serializer = new V8Serializer(V8Options.DEFAULT);
        V8Deserializer deserializer = new V8Deserializer(V8Options.DEFAULT);
        for (int i = 0; i < VALUES; i++) {
            roundTrip(i, generator.withSharing(5), serializer, deserializer);
        }
    }

    private static void roundTrip(int i, Object value, V8Serializer serializer, V8Deserializer deserializer) {
        byte[] bytes = serializer.serialize(value);
        Object read = deserializer.deserialize(bytes);
        String difference = ValueEquality.difference(viewsOnOwnBuffers(value, new IdentityHashMap<>()), read);
        assertThat(difference).as("value #%d", i).isNull();
        byte[] again = serializer.serialize(read);
        assertThat(Arrays.equals(again, bytes)).as("value #%d written again: %s%nfirst:  %s", i, Hex.of(again), Hex.of(bytes)).isTrue();
    }

    /** A copy of {@code v} in which every view is a copy of its bytes on a buffer of its own. */
    @SuppressWarnings("unchecked")
    private static Object viewsOnOwnBuffers(Object v, IdentityHashMap<Object, Object> copies) {
        Object done = copies.get(v);
        if (done != null) {
            return done;
        }
        switch (v) {
            case TypedArray t -> {
                TypedArray copy = TypedArray.copyOf(t.kind(), t.toByteArray());
                copies.put(v, copy);
                return copy;
            }
            case JsArray a -> {
                JsArray copy = new JsArray(a.length());
                copies.put(v, copy);
                a.elements().forEach((i, e) -> copy.put(i, viewsOnOwnBuffers(e, copies)));
                return copy;
            }
            case List<?> l -> {
                List<Object> copy = new ArrayList<>();
                copies.put(v, copy);
                for (Object e : l) {
                    copy.add(viewsOnOwnBuffers(e, copies));
                }
                return copy;
            }
            case JsMap m -> {
                JsMap copy = new JsMap();
                copies.put(v, copy);
                m.forEach((k, e) -> copy.put(viewsOnOwnBuffers(k, copies), viewsOnOwnBuffers(e, copies)));
                return copy;
            }
            case Map<?, ?> m -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                copies.put(v, copy);
                ((Map<String, Object>) m).forEach((k, e) -> copy.put(k, viewsOnOwnBuffers(e, copies)));
                return copy;
            }
            case LinkedHashSet<?> s -> {
                LinkedHashSet<Object> copy = new LinkedHashSet<>();
                copies.put(v, copy);
                for (Object e : s) {
                    copy.add(viewsOnOwnBuffers(e, copies));
                }
                return copy;
            }
            case JsError e -> {
                JsError copy = new JsError(e.name(), e.getMessage(), e.stack(), viewsOnOwnBuffers(e.jsCause(), copies));
                copies.put(v, copy);
                return copy;
            }
            case null, default -> {
                return v;
            }
        }
    }
}
