package dev.herd.node.v8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.value.JsArray;
import dev.herd.node.value.SerializationException;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input: every malformed payload fails with a {@link SerializationException} that says what is
 * wrong, quickly, with memory bounded by the bytes present (declared lengths are checked before
 * anything is allocated), and nesting bounded without touching the Java stack.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class V8DecoderLimitsTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void aPayloadWithoutTheVersionHeaderIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("30"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("invalid or unsupported version");
    }

    @Test
    void anEmptyPayloadIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(new byte[0])).isInstanceOf(SerializationException.class)
                .hasMessageContaining("invalid or unsupported version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff 10 30", "ff 0c 30", "ff 01 30", "ff 00 30", "ff ff ff ff ff 0f 30"})
    void versionsOtherThan13To15AreRejected(String payload) {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes(payload))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("invalid or unsupported version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff 0d 54", "ff 0e 54", "ff 0f 54"})
    void versions13To15AreRead(String payload) {
        assertThat(V8.deserialize(Hex.bytes(payload))).isEqualTo(true);
    }

    @Test
    void everyTruncationOfAValidPayloadIsRejected() {
        byte[] whole = V8.serialize(V8NodeInteropTest.order());
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(whole, n);
            assertThatThrownBy(() -> V8.deserialize(cut)).as("first %d bytes", n).isInstanceOf(SerializationException.class);
        }
    }

    @Test
    void aTruncatedPayloadSaysWhereItEnded() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 6f 22 01 61"))).isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("Unable to deserialize cloned data: truncated").hasMessageContaining("at byte 6 of 6");
    }

    @Test
    void everyByteThatIsNotATagIsRejectedAsAnUnknownTag() {
        String tags = "_0TFIUNZS\"c^oaADyxnzsR;'BV~r\\?";
        for (int b = 1; b < 256; b++) {
            if (tags.indexOf(b) >= 0) {
                continue;
            }
            byte[] payload = {(byte) 0xff, 0x0f, (byte) b, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            int tag = b;
            assertThatThrownBy(() -> V8.deserialize(payload)).as("tag 0x%02x", b).isInstanceOf(SerializationException.class)
                    .hasMessageContaining(String.format("unexpected tag 0x%02X", tag));
        }
    }

    @Test
    void aHoleOutsideADenseArrayIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 2d"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("unexpected tag 0x2D '-'");
    }

    /** Payloads that declare more than they hold; none may allocate what it declares. */
    static Stream<Arguments> hugeDeclaredLengths() {
        return Stream.of(
                Arguments.of("one-byte string of 2^32-1", "ff 0f 22 ff ff ff ff 0f 61"),
                Arguments.of("two-byte string of 2^31", "ff 0f 63 80 80 80 80 08 61 00"),
                Arguments.of("UTF-8 string of 2^31-1", "ff 0f 53 ff ff ff ff 07 61"),
                Arguments.of("dense array of 2^32-1", "ff 0f 41 ff ff ff ff 0f 30 30"),
                Arguments.of("ArrayBuffer of 2^31", "ff 0f 42 80 80 80 80 08 00"),
                Arguments.of("resizable ArrayBuffer of 2^31", "ff 0f 7e 80 80 80 80 08 ff ff ff ff 0f 00"),
                Arguments.of("BigInt of 2^31-1 bytes", "ff 0f 5a fe ff ff ff 0f 01"),
                Arguments.of("Buffer view of 2^31", "ff 0f 5c 0a 80 80 80 80 08 00"),
                Arguments.of("a key string of 2^31 in an object", "ff 0f 6f 22 80 80 80 80 08 61"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hugeDeclaredLengths")
    void aDeclaredLengthBeyondTheDataFailsBeforeAllocatingIt(String what, String payload) {
        byte[] bytes = Hex.bytes(payload);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> V8.deserialize(bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("exceeds the");
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - before).isLessThan(256 * 1024);
    }

    @Test
    void aSparseArrayOfTheLargestLengthAllocatesNothingForIt() {
        byte[] bytes = Hex.bytes("ff 0f 61 ff ff ff ff 0f 49 02 54 40 01 ff ff ff ff 0f");
        long before = THREADS.getCurrentThreadAllocatedBytes();
        JsArray array = (JsArray) V8.deserialize(bytes);
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - before).isLessThan(256 * 1024);
        assertThat(array.length()).isEqualTo(JsArray.MAX_LENGTH);
        assertThat(array.elements()).containsExactly(Map.entry(1L, true));
    }

    @Test
    void nestingDeeperThanTheLimitFailsWithARangeError() {
        byte[] bomb = nestedArrays(1_000_000);
        assertThatThrownBy(() -> V8.deserialize(bomb)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("Maximum call stack size exceeded")
                .satisfies(e -> assertThat(((SerializationException) e).jsName()).isEqualTo("RangeError"));
    }

    @Test
    void nestedObjectsDeeperThanTheLimitFailToo() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Hex.bytes("ff 0f"));
        for (int i = 0; i < 100_000; i++) {
            out.writeBytes(Hex.bytes("6f 22 01 61"));
        }
        byte[] bomb = out.toByteArray();
        assertThatThrownBy(() -> V8.deserialize(bomb)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("Maximum call stack size exceeded");
    }

    @Test
    void nestingUpToTheLimitIsReadEvenOnASmallStack() throws InterruptedException {
        byte[] deep = nestedArrays(V8Options.DEFAULT_MAX_DEPTH);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(null, () -> result.set(V8.deserialize(deep)), "small-stack", 64 * 1024);
        t.start();
        t.join();
        Object v = result.get();
        int depth = 0;
        while (v instanceof List<?> l) {
            v = l.getFirst();
            depth++;
        }
        assertThat(depth).isEqualTo(V8Options.DEFAULT_MAX_DEPTH);
        assertThat(v).isNull();
    }

    @Test
    void theDepthLimitIsAnOption() {
        V8Options shallow = V8Options.DEFAULT.withMaxDepth(2);
        byte[] two = nestedArrays(2);
        byte[] three = nestedArrays(3);
        assertThat(V8.deserialize(two, 0, two.length, shallow)).isEqualTo(java.util.Arrays.asList(java.util.Arrays.asList((Object) null)));
        assertThatThrownBy(() -> V8.deserialize(three, 0, three.length, shallow)).isInstanceOf(SerializationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff 0f 5e 00", "ff 0f 41 01 5e 05 24 00 01", "ff 0f 41 01 5e ff ff ff ff 0f 24 00 01"})
    void aBackReferenceToAnUnknownIdIsRejected(String payload) {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes(payload))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("back-reference to unknown object id");
    }

    @Test
    void aBackReferenceToAnErrorStillBeingReadIsRejectedAsV8Does() {
        // new Error with cause = itself: V8 registers an error only once read, so it cannot read this either.
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 72 63 5e 00 2e"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("back-reference to unknown object id 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ff 0f 6f 22 01 61 30 7b 02", // object: 1 property read, 2 declared
        "ff 0f 41 01 30 24 01 01", // dense array: 0 properties read, 1 declared
        "ff 0f 41 01 30 24 00 02", // dense array: length 1, 2 declared
        "ff 0f 61 02 49 00 30 40 01 03", // sparse array: length 2, 3 declared
        "ff 0f 3b 49 02 22 03 6f 6e 65 3a 03", // Map: 2 keys and values read, 3 declared
        "ff 0f 27 30 2c 02" // Set: 1 element read, 2 declared
    })
    void endCountsThatDisagreeWithWhatWasReadAreRejected(String payload) {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes(payload))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("the end tag says");
    }

    @Test
    void aMapKeyAfterWhichTheMapEndsIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 3b 49 02 3a 01"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("unexpected tag 0x3A ':'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff 0f 6f 54 30 7b 01", "ff 0f 6f 5e 00 30 7b 01", "ff 0f 61 01 6f 7b 00 30 40 01 01"})
    void aPropertyKeyThatIsNeitherStringNorNumberIsRejected(String payload) {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes(payload))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("a property key must be a string or a number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff 0f 49 80 80 80 80 80 00", "ff 0f 49 ff ff ff ff 1f", "ff 0f 22 80 80 80 80 80 80 80 80 80 80 01"})
    void varintsBeyond32BitsAreRejected(String payload) {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes(payload))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("varint");
    }

    @Test
    void aTwoByteStringOfOddLengthIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 63 03 61 00 62"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("odd byte length 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff 0f 52 22 01 61 40", "ff 0f 52 22 01 61 80 04", "ff 0f 52 22 01 61 90 02"})
    void regExpFlagsV8WouldRefuseAreRejected(String payload) {
        // 'l' (linear, not enabled in Node), a bit V8 does not define, and u with v.
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes(payload))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("RegExp flags");
    }

    @Test
    void aRegExpWhosePatternIsNotAStringIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 52 49 02 00"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("expected a string");
    }

    @Test
    void anUnknownErrorSubTagIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 72 4d 2e"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown error sub-tag 0x4D 'M'");
    }

    @Test
    void anUnknownViewTypeIndexIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 5c 0d 00"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown ArrayBufferView type index 13");
    }

    @Test
    void aViewThatIsNotAWholeNumberOfElementsIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 5c 08 07 00 00 00 00 00 00 00"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("Float64Array of 7 bytes is not a whole number of elements");
    }

    @Test
    void anUnknownHostObjectSubTagIsRejectedInChildProcessMode() {
        byte[] payload = Hex.bytes("ff 0f 5c 02 30");
        assertThatThrownBy(() -> V8.deserialize(payload, 0, payload.length, V8Options.CHILD_PROCESS))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown host object sub-tag 2");
    }

    @Test
    void aV8ViewOutsideItsBufferIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 42 04 00 00 00 00 56 42 03 02 00")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("outside its ArrayBuffer");
    }

    @Test
    void aV8ViewMisalignedForItsKindIsRejected() {
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 42 04 00 00 00 00 56 57 01 02 00")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("multiple of 2");
    }

    @Test
    void aMapKeyThatIsItsOwnMapIsRejected() {
        // m.set(m, 1): Java would hash the map into itself.
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 3b 5e 00 49 02 3a 02"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("cycle through a key");
    }

    @Test
    void aSetElementThatContainsItselfIsRejected() {
        // new Set([a]) where a = [a]
        assertThatThrownBy(() -> V8.deserialize(Hex.bytes("ff 0f 27 41 01 5e 01 24 00 01 2c 01"))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("cycle through a key");
    }

    @Test
    void keysBuiltOfSharedPartsCannotMakeHashingExplode() {
        // x0 = [], x(i+1) = [x(i), x(i)]: 60 levels are 120 bytes of back-references but 2^60 nodes to hash.
        List<Object> x = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            x = new ArrayList<>(List.of(x, x));
        }
        // Written as [x60] (the list has id 0, as the Set will), then made a Set: 27 … 2c 01.
        byte[] list = V8.serialize(List.of(x));
        byte[] payload = new byte[list.length - 2];
        payload[0] = (byte) 0xff;
        payload[1] = 0x0f;
        payload[2] = 0x27;
        System.arraycopy(list, 4, payload, 3, list.length - 7);
        payload[payload.length - 2] = 0x2c;
        payload[payload.length - 1] = 0x01;
        long start = System.nanoTime();
        assertThatThrownBy(() -> V8.deserialize(payload)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("too large to hash");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aDeserializerIsReusableAfterAFailure() {
        V8Deserializer d = new V8Deserializer();
        assertThatThrownBy(() -> d.deserialize(Hex.bytes("ff 0f 6f 22 01 61 6f 22 01 62"))).isInstanceOf(SerializationException.class);
        assertThat(d.deserialize(Hex.bytes("ff 0f 6f 22 01 61 49 02 7b 01"))).isEqualTo(Map.of("a", 1));
    }

    // ---- helpers ----

    /** {@code n} arrays, each the only element of the one before, around a null. */
    private static byte[] nestedArrays(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(5 * n + 3);
        out.writeBytes(Hex.bytes("ff 0f"));
        for (int i = 0; i < n; i++) {
            out.writeBytes(Hex.bytes("41 01"));
        }
        out.write(0x30);
        for (int i = 0; i < n; i++) {
            out.writeBytes(Hex.bytes("24 00 01"));
        }
        return out.toByteArray();
    }
}
