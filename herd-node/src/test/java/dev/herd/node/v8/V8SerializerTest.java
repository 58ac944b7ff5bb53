package dev.herd.node.v8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.value.ArrayBuffer;
import dev.herd.node.value.DataCloneError;
import dev.herd.node.value.JsError;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.TypedArray;
import dev.herd.node.value.Undefined;
import dev.herd.node.value.ValueEquality;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the encoder does with Java values beyond the generic form (records, beans, Java dates,
 * primitive arrays, throwables, ByteBuffers) and what it refuses: functions and non-values
 * ({@link DataCloneError}), detached buffers, nesting beyond the limit.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class V8SerializerTest {

    record Order(int id, String status, List<String> tags) {
    }

    /** A bean: its getters are its properties. */
    public static final class Customer {
        public String getName() {
            return "Ada";
        }

        public boolean isVip() {
            return true;
        }
    }

    enum Color { RED }

    /** A million objects of one shape must not hold a String per property name each. */
    @Test
    void propertyNamesOfObjectsOfOneShapeAreOneStringEach() {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", i);
            o.put("name", "item-" + i);
            list.add(o);
        }
        byte[] bytes = new V8Serializer(V8Options.CHILD_PROCESS).serialize(list);
        List<?> back = (List<?>) new V8Deserializer(V8Options.CHILD_PROCESS).deserialize(bytes);
        ValueEquality.assertSame(list, back);
        List<Object> first = new ArrayList<>(((Map<?, ?>) back.get(0)).keySet());
        List<Object> last = new ArrayList<>(((Map<?, ?>) back.get(2)).keySet());
        assertThat(last.get(0)).isSameAs(first.get(0));
        assertThat(last.get(1)).isSameAs(first.get(1));
    }

    @Test
    void aLambdaIsADataCloneError() {
        Supplier<String> f = () -> "x";
        assertThatThrownBy(() -> V8.serialize(Map.of("f", f))).isInstanceOf(DataCloneError.class)
                .hasMessageEndingWith("could not be cloned.");
    }

    @Test
    void anObjectThatIsNotAValueIsADataCloneError() {
        assertThatThrownBy(() -> V8.serialize(List.of(1, new Object()))).isInstanceOf(DataCloneError.class)
                .hasMessage("java.lang.Object could not be cloned.");
        assertThatThrownBy(() -> V8.serialize(Thread.currentThread())).isInstanceOf(DataCloneError.class);
    }

    @Test
    void aDetachedArrayBufferIsADataCloneError() {
        ArrayBuffer b = ArrayBuffer.allocate(4);
        b.transfer();
        assertThatThrownBy(() -> V8.serialize(b)).isInstanceOf(DataCloneError.class)
                .hasMessage("An ArrayBuffer is detached and could not be cloned.");
    }

    @Test
    void aSerializerIsReusableAfterAFailure() {
        V8Serializer s = new V8Serializer();
        assertThatThrownBy(() -> s.serialize(List.of(Map.of("a", 1), new Object()))).isInstanceOf(DataCloneError.class);
        assertThat(Hex.of(s.serialize(List.of(Map.of("a", 1), Map.of("a", 1)))))
                .isEqualTo("ff 0f 41 02 6f 22 01 61 49 02 7b 01 6f 22 01 61 49 02 7b 01 24 00 02");
    }

    @Test
    void nestingBeyondTheLimitIsARangeError() {
        Object deep = "leaf";
        for (int i = 0; i <= V8Options.DEFAULT_MAX_DEPTH; i++) {
            deep = List.of(deep);
        }
        Object tooDeep = deep;
        assertThatThrownBy(() -> V8.serialize(tooDeep)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("Maximum call stack size exceeded")
                .satisfies(e -> assertThat(((SerializationException) e).jsName()).isEqualTo("RangeError"));
    }

    @Test
    void nestingUpToTheLimitIsWrittenEvenOnASmallStack() throws InterruptedException {
        Object deep = "leaf";
        for (int i = 0; i < V8Options.DEFAULT_MAX_DEPTH; i++) {
            deep = List.of(deep);
        }
        Object value = deep;
        AtomicReference<byte[]> out = new AtomicReference<>();
        Thread t = new Thread(null, () -> out.set(V8.serialize(value)), "small-stack", 64 * 1024);
        t.start();
        t.join();
        assertThat(out.get()).hasSize(2 + 5 * V8Options.DEFAULT_MAX_DEPTH + 6);
    }

    @Test
    void aCycleIsABackReferenceNotDepth() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("self", o);
        Object read = V8.deserialize(new V8Serializer(V8Options.DEFAULT.withMaxDepth(1)).serialize(o));
        assertThat(((Map<?, ?>) read).get("self")).isSameAs(read);
    }

    @Test
    void aRecordIsAPlainObjectOfItsComponents() {
        assertThat(Hex.of(V8.serialize(new Order(7, "paid", List.of("a")))))
                .isEqualTo(Hex.of(V8.serialize(object("id", 7, "status", "paid", "tags", List.of("a")))));
    }

    @Test
    void aBeanIsAPlainObjectOfItsProperties() {
        assertThat(Hex.of(V8.serialize(new Customer()))).isEqualTo(Hex.of(V8.serialize(object("name", "Ada", "vip", true))));
    }

    @Test
    void javaDatesAreDates() {
        byte[] epochPlus5 = V8.serialize(Instant.ofEpochMilli(5));
        assertThat(V8.serialize(new Date(5))).isEqualTo(epochPlus5);
        assertThat(V8.serialize(OffsetDateTime.of(1970, 1, 1, 1, 0, 0, 5_000_000, ZoneOffset.ofHours(1)))).isEqualTo(epochPlus5);
    }

    @Test
    void anInstantBeyondAnyJavaScriptDateIsAnInvalidDate() {
        assertThat(Hex.of(V8.serialize(Instant.MAX))).isEqualTo("ff 0f 44 00 00 00 00 00 00 f8 7f");
    }

    @Test
    void numbersOfEveryJavaTypeAreNumbers() {
        assertThat(Hex.of(V8.serialize(List.of((byte) 1, (short) 2, 3L, 4.0f, new java.math.BigDecimal("5")))))
                .isEqualTo("ff 0f 41 05 49 02 49 04 49 06 49 08 49 0a 24 00 05");
        assertThat(Hex.of(V8.serialize(0.5f))).isEqualTo("ff 0f 4e 00 00 00 00 00 00 e0 3f");
    }

    @Test
    void aListOfNumbersWithOneDoubleIsWrittenAllDoubleAsV8Does() {
        assertThat(Hex.of(V8.serialize(List.of(1, 0.5)))).isEqualTo(Hex.of(V8.serialize(new double[] {1, 0.5})))
                .isEqualTo("ff 0f 41 02 4e 00 00 00 00 00 00 f0 3f 4e 00 00 00 00 00 00 e0 3f 24 00 02");
    }

    @Test
    void stringLikeValuesAreStrings() {
        assertThat(V8.deserialize(V8.serialize(List.of(new StringBuilder("sb"), 'c', Color.RED)))).isEqualTo(List.of("sb", "c", "RED"));
    }

    @Test
    void otherCollectionsAndObjectArraysAreArrays() {
        assertThat(V8.deserialize(V8.serialize(new ArrayDeque<>(List.of(1, 2))))).isEqualTo(List.of(1, 2));
        assertThat(V8.deserialize(V8.serialize(new Object[] {"a", 1}))).isEqualTo(List.of("a", 1));
    }

    @Test
    void theSameObjectArrayTwiceIsOneArray() {
        Object[] a = {1};
        List<?> read = (List<?>) V8.deserialize(V8.serialize(List.of(a, a)));
        assertThat(read.get(1)).isSameAs(read.get(0));
    }

    @Test
    void aByteBufferIsAnArrayBufferOfItsRemainingBytes() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        b.position(1);
        assertThat(V8.deserialize(V8.serialize(b))).isEqualTo(ArrayBuffer.wrap(new byte[] {2, 3, 4}));
        assertThat(b.position()).isEqualTo(1);
    }

    @Test
    void aThrowableIsAnErrorWithItsMessageStackAndCause() {
        IllegalStateException t = new IllegalStateException("bad state", new RuntimeException("root"));
        JsError read = (JsError) V8.deserialize(V8.serialize(t));
        assertThat(read.name()).isEqualTo("Error");
        assertThat(read.getMessage()).isEqualTo("bad state");
        assertThat(read.stack()).startsWith("IllegalStateException: bad state\n    at ");
        assertThat(((JsError) read.jsCause()).getMessage()).isEqualTo("root");
    }

    @Test
    void anErrorNamedOutsideV8sListIsAPlainError() {
        JsError read = (JsError) V8.deserialize(V8.serialize(new JsError("AbortError", "stop")));
        assertThat(read.name()).isEqualTo("Error");
        assertThat(read.getMessage()).isEqualTo("stop");
    }

    @Test
    void aViewOnADetachedBufferIsAnEmptyView() {
        ArrayBuffer b = ArrayBuffer.allocate(4);
        TypedArray view = new TypedArray(TypedArray.Kind.UINT8, b, 0, 4);
        b.transfer();
        assertThat(Hex.of(V8.serialize(view, V8Options.CHILD_PROCESS))).isEqualTo("ff 0f 5c 00 01 00");
    }

    @Test
    void aTopLevelBigIntIsWritten() {
        assertThat(V8.deserialize(V8.serialize(BigInteger.TEN.negate()))).isEqualTo(BigInteger.TEN.negate());
    }

    @Test
    void undefinedIsKeptInObjectsAndArrays() {
        Map<String, Object> o = object("u", Undefined.INSTANCE);
        ValueEquality.assertSame(new ArrayList<>(List.of(o, Undefined.INSTANCE)), V8.deserialize(V8.serialize(List.of(o, Undefined.INSTANCE))));
    }

    @Test
    void aFrameIsThePayloadAfterItsBigEndianLength() {
        Object value = object("text", "x".repeat(70_000));
        byte[] payload = V8.serialize(value, V8Options.CHILD_PROCESS);
        byte[] frame = new V8Serializer(V8Options.CHILD_PROCESS).serializeFrame(value);
        assertThat(ByteBuffer.wrap(frame).getInt()).isEqualTo(payload.length);
        assertThat(java.util.Arrays.copyOfRange(frame, 4, frame.length)).isEqualTo(payload);
    }

    @Test
    void aLargeBufferIsCopiedOnceAndAllValuesAfterItStillFit() {
        byte[] big = new byte[1 << 20];
        big[big.length - 1] = 7;
        List<?> read = (List<?>) V8.deserialize(V8.serialize(new ArrayList<>(List.of(big, "after"))));
        assertThat((byte[]) read.get(0)).isEqualTo(big);
        assertThat(read.get(1)).isEqualTo("after");
    }

    /** Node's bytes for a Buffer or typed array of {@code length} bytes: host tag, [sub-tag,] type index, varint length. */
    private static byte[] hostView(boolean childProcess, int typeIndex, byte[] bytes) {
        var out = new java.io.ByteArrayOutputStream();
        out.write(0x5C);
        if (childProcess) {
            out.write(0);
        }
        out.write(typeIndex);
        for (int v = bytes.length; ; v >>>= 7) {
            if ((v & ~0x7F) == 0) {
                out.write(v);
                break;
            }
            out.write((v & 0x7F) | 0x80);
        }
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void aLargeBufferAtTheRootIsWrittenAsNodeWritesIt() {
        byte[] big = pattern((1 << 20) + 3);
        var expected = new java.io.ByteArrayOutputStream();
        expected.writeBytes(new byte[] {(byte) 0xFF, 0x0F});
        expected.writeBytes(hostView(false, 10, big));
        assertThat(V8.serialize(big)).isEqualTo(expected.toByteArray());
    }

    @Test
    void aLargeBufferInAnAdvancedFrameKeepsItsLengthPrefixAndSubTag() {
        byte[] big = pattern(200_000);
        byte[] frame = new V8Serializer(V8Options.CHILD_PROCESS).serializeFrame(big);
        byte[] payload = java.util.Arrays.copyOfRange(frame, 4, frame.length);
        assertThat(ByteBuffer.wrap(frame).getInt()).isEqualTo(payload.length);
        assertThat(java.util.Arrays.copyOfRange(payload, 2, payload.length)).isEqualTo(hostView(true, 10, big));
        assertThat((byte[]) V8.deserialize(payload, 0, payload.length, V8Options.CHILD_PROCESS)).isEqualTo(big);
    }

    @Test
    void largeBuffersAndTypedArraysAfterOtherValuesKeepEverythingWrittenBeforeThem() {
        byte[] first = pattern(70_000);
        TypedArray floats = TypedArray.copyOf(TypedArray.Kind.FLOAT64, pattern(8 * 20_000));
        TypedArray window = new TypedArray(TypedArray.Kind.INT16, ArrayBuffer.wrap(pattern(300_000)), 1000, 2 * 100_000);
        Map<String, Object> value = object("name", "before", "first", first, "floats", floats, "window", window,
                "after", new ArrayList<>(List.of(1, "x")));
        Object read = V8.deserialize(V8.serialize(value));
        // A view is received over a buffer of its own bytes.
        value.put("window", TypedArray.copyOf(TypedArray.Kind.INT16, window.toByteArray()));
        ValueEquality.assertSame(value, read);
    }

    private static Map<String, Object> object(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
