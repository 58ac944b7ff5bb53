package dev.herd.node.value;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link StructuredClone}: the HTML structured-clone rules over the value model, and transfer. */
@Timeout(30)
class StructuredCloneTest {
    record Line(String sku, int qty) {
    }

    record Order(String id, List<Line> lines, Instant at) {
    }

    enum Colour { RED }

    /** A resource that is moved by transfer (as a MessagePort will be): counts its commits. */
    static final class Port implements Transferable {
        private boolean detached;
        int commits;

        @Override
        public boolean isDetached() {
            return detached;
        }

        @Override
        public Transfer prepareTransfer() {
            if (detached) {
                throw new IllegalStateException("detached");
            }
            Port target = new Port();
            return new Transfer() {
                @Override
                public Object target() {
                    return target;
                }

                @Override
                public void commit() {
                    detached = true;
                    commits++;
                }
            };
        }
    }

    /** An object with data and a life: refused like a handle. */
    static final class Connection implements AutoCloseable {
        public String getHost() {
            return "localhost";
        }

        @Override
        public void close() {
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cloneOf(Object value) {
        return (T) StructuredClone.clone(value);
    }


    // ---- copies ----

    @Test
    void containersAreCopiedNotAliased() {
        List<Object> list = new ArrayList<>(List.of(1, 2));
        Map<String, Object> map = object("list", list);
        Map<String, Object> clone = cloneOf(map);
        list.add(3);
        map.put("late", true);
        assertThat(clone).isNotSameAs(map).containsOnlyKeys("list");
        assertThat(clone.get("list")).isNotSameAs(list).isEqualTo(List.of(1, 2));
    }

    @Test
    void byteArrayIsCopiedIntoANewArray() {
        byte[] bytes = {1, 2, 3};
        byte[] clone = cloneOf(bytes);
        bytes[0] = 9;
        assertThat(clone).isNotSameAs(bytes).containsExactly(1, 2, 3);
    }

    @Test
    void arrayBufferIsCopiedIntoNewMemory() {
        byte[] memory = {1, 2, 3, 4};
        ArrayBuffer source = ArrayBuffer.wrap(memory);
        ArrayBuffer clone = cloneOf(source);
        memory[0] = 9;
        assertThat(clone.toByteArray()).containsExactly(1, 2, 3, 4);
        assertThat(source.isDetached()).isFalse();
    }

    @Test
    void aContainerSharedByTwoParentsIsOneObjectInTheClone() {
        List<Object> shared = new ArrayList<>(List.of("x"));
        List<Object> value = List.of(object("a", shared), object("b", shared));
        List<Map<String, Object>> clone = cloneOf(value);
        Object a = clone.get(0).get("a");
        assertThat(a).isSameAs(clone.get(1).get("b")).isNotSameAs(shared).isEqualTo(List.of("x"));
    }

    @Test
    void aMapContainingItselfClonesToAMapContainingItself() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "loop");
        map.put("self", map);
        Map<String, Object> clone = cloneOf(map);
        assertThat(clone).isNotSameAs(map);
        assertThat(clone.get("self")).isSameAs(clone);
        assertThat(clone.get("name")).isEqualTo("loop");
    }

    @Test
    void aCycleThroughAnErrorCauseIsKept() {
        List<Object> list = new ArrayList<>();
        JsError error = new JsError("TypeError", "bad", "TypeError: bad\n    at x", list);
        list.add(error);
        List<Object> clone = cloneOf(list);
        JsError copied = (JsError) clone.get(0);
        assertThat(copied).isNotSameAs(error);
        assertThat(copied.jsCause()).isSameAs(clone);
        assertThat(copied.name()).isEqualTo("TypeError");
        assertThat(copied.stack()).isEqualTo("TypeError: bad\n    at x");
    }

    @Test
    void immutableLeavesAreSharedNotCopied() {
        String s = new String("text");
        BigInteger big = BigInteger.TWO.pow(100);
        Instant at = Instant.ofEpochMilli(1_700_000_000_123L);
        JsRegExp re = new JsRegExp("a+", "gi");
        List<Object> clone = cloneOf(List.of(s, big, at, re, Undefined.INSTANCE, InvalidDate.INSTANCE));
        assertThat(clone.get(0)).isSameAs(s);
        assertThat(clone.get(1)).isSameAs(big);
        assertThat(clone.get(2)).isSameAs(at);
        assertThat(clone.get(3)).isSameAs(re);
        assertThat(clone.subList(4, 6)).containsExactly(Undefined.INSTANCE, InvalidDate.INSTANCE);
    }

    @Test
    void nullAndUndefinedStayDistinct() {
        List<Object> value = new ArrayList<>();
        value.add(null);
        value.add(Undefined.INSTANCE);
        List<Object> clone = cloneOf(value);
        assertThat(clone).containsExactly(null, Undefined.INSTANCE);
    }

    // ---- the generic form ----

    @Test
    void recordsBecomePlainObjectsOfTheirProperties() {
        Order order = new Order("o-1", List.of(new Line("apple", 3)), Instant.ofEpochMilli(5));
        Object clone = StructuredClone.clone(order);
        Map<String, Object> line = object("sku", "apple", "qty", 3);
        ValueEquality.assertSame(object("id", "o-1", "lines", new ArrayList<>(List.of(line)), "at", Instant.ofEpochMilli(5)),
                clone);
    }

    @Test
    void plainObjectKeysFollowJavaScriptPropertyOrder() {
        Map<String, Object> value = new HashMap<>();
        for (String k : List.of("b", "10", "a", "2", "4294967295", "01")) {
            value.put(k, k);
        }
        Map<String, Object> clone = cloneOf(value);
        assertThat(clone).isInstanceOf(LinkedHashMap.class);
        List<String> keys = List.copyOf(clone.keySet());
        assertThat(keys.subList(0, 2)).containsExactly("2", "10");
        assertThat(keys.subList(2, 6)).containsExactlyInAnyOrder("b", "a", "4294967295", "01");
    }

    @Test
    void insertionOrderOfOrdinaryKeysIsKept() {
        Map<String, Object> value = new TreeMap<>(java.util.Comparator.reverseOrder());
        value.put("a", 1);
        value.put("c", 2);
        value.put("b", 3);
        Map<String, Object> clone = cloneOf(value);
        assertThat(clone.keySet()).containsExactly("c", "b", "a");
    }

    @Test
    void numbersAreNormalizedAsADecoderWouldGiveThem() {
        List<Object> value = List.of(5L, 2.0, (double) (1L << 40), 1L << 60, 1.5f, (short) 7, (byte) -1,
                new BigDecimal("0.25"), -0.0, Double.NaN, 1L << 40);
        ValueEquality.assertSame(
                new ArrayList<>(List.of(5, 2, 1L << 40, (double) (1L << 60), 1.5, 7, -1, 0.25, -0.0, Double.NaN, 1L << 40)),
                StructuredClone.clone(value));
    }

    @Test
    void collectionsAndArraysBecomeArrayLists() {
        List<Object> value = List.of(new ArrayDeque<>(List.of(1, 2)), new Object[] {"a", 1L}, new int[] {3, 4},
                new char[] {'h', 'i'}, new double[] {0.5});
        ValueEquality.assertSame(new ArrayList<>(List.of(new ArrayList<>(List.of(1, 2)), new ArrayList<>(List.of("a", 1)),
                new ArrayList<>(List.of(3, 4)), new ArrayList<>(List.of("h", "i")), new ArrayList<>(List.of(0.5)))),
                StructuredClone.clone(value));
    }

    @Test
    void mapsWithNonStringKeysBecomeJsMapsAndSetsLinkedHashSets() {
        Map<Object, Object> map = new TreeMap<>();
        map.put(2L, "two");
        map.put(1L, "one");
        Object clone = StructuredClone.clone(List.of(map, new TreeSet<>(List.of(3L, 1L))));
        JsMap expectedMap = new JsMap();
        expectedMap.put(1, "one");
        expectedMap.put(2, "two");
        ValueEquality.assertSame(new ArrayList<>(List.of(expectedMap, new LinkedHashSet<>(List.of(1, 3)))), clone);
    }

    @Test
    void aJsMapWithStringKeysStaysAJsMap() {
        JsMap map = new JsMap();
        map.put("k", "v");
        assertThat((Object) cloneOf(map)).isInstanceOf(JsMap.class).isEqualTo(map).isNotSameAs(map);
    }

    @Test
    void mapKeysAndSetElementsMergeAsInJavaScript() {
        JsMap map = new JsMap();
        map.put(-0.0, "minus zero");
        map.put(1L, "long one");
        map.put(1, "int one");
        LinkedHashSet<Object> set = new LinkedHashSet<>(List.of(-0.0, 0));
        JsMap expected = new JsMap();
        expected.put(0, "minus zero");
        expected.put(1, "int one");
        ValueEquality.assertSame(new ArrayList<>(List.of(expected, new LinkedHashSet<>(List.of(0)))),
                StructuredClone.clone(List.of(map, set)));
    }

    @Test
    void containerKeysOfAMapAreCompleteWhenInserted() {
        JsMap map = new JsMap();
        map.put(new ArrayList<>(List.of(1)), "one");
        map.put(new ArrayList<>(List.of(2)), "two");
        map.put(new LinkedHashSet<>(List.of(new ArrayList<>(List.of(3)))), "set");
        JsMap clone = cloneOf(map);
        assertThat(clone).hasSize(3);
        assertThat(clone.get(List.of(2))).isEqualTo("two");
        assertThat(clone.get(java.util.Set.of(List.of(3)))).isEqualTo("set");
    }

    @Test
    void aKeySharedWithAnEarlierSiblingIsCompleteWhenInserted() {
        List<Object> key = new ArrayList<>(List.of("k"));
        JsMap map = new JsMap();
        map.put(key, "found");
        Object[] clone = ((List<?>) StructuredClone.clone(List.of(key, map))).toArray();
        JsMap copied = (JsMap) clone[1];
        assertThat(copied.keySet().iterator().next()).isSameAs(clone[0]);
        assertThat(copied.get(List.of("k"))).isEqualTo("found");
    }

    @Test
    void datesBecomeMillisecondInstantsOrInvalidDate() {
        Instant precise = Instant.ofEpochSecond(10, 123_456_789);
        List<Object> value = List.of(new Date(42), OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)),
                precise, Instant.MAX, InvalidDate.INSTANCE, Instant.ofEpochMilli(8_640_000_000_000_000L));
        ValueEquality.assertSame(new ArrayList<>(List.of(Instant.ofEpochMilli(42), Instant.parse("2024-01-02T01:04:05Z"),
                Instant.ofEpochMilli(10_123), InvalidDate.INSTANCE, InvalidDate.INSTANCE,
                Instant.ofEpochMilli(8_640_000_000_000_000L))), StructuredClone.clone(value));
    }

    @Test
    void byteBufferBecomesAnArrayBufferCopyOfItsRemainingBytes() {
        ByteBuffer source = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        source.position(1);
        ArrayBuffer clone = cloneOf(source);
        source.put(1, (byte) 9);
        assertThat(clone.toByteArray()).containsExactly(2, 3, 4);
        assertThat(source.position()).isEqualTo(1);
    }

    @Test
    void patternBecomesAJsRegExp() {
        Object clone = StructuredClone.clone(Pattern.compile("^a.b$", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE));
        assertThat(clone).isEqualTo(new JsRegExp("^a.b$", "im"));
    }

    @Test
    void throwableBecomesAJsErrorWithItsCauseChain() {
        IOException io = new IOException("disk", new IllegalStateException("inner"));
        JsError clone = cloneOf(io);
        assertThat(clone.name()).isEqualTo("Error");
        assertThat(clone.getMessage()).isEqualTo("disk");
        assertThat(clone.stack()).startsWith("IOException: disk\n    at ");
        assertThat(clone.jsCause()).isInstanceOfSatisfying(JsError.class, c -> assertThat(c.getMessage()).isEqualTo("inner"));
    }

    /** A throwable without a Java stack trace, cheap to make by the thousand. */
    static final class Light extends RuntimeException {
        Light(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** A throwable whose cause can be set afterwards, making a cycle. */
    static final class Linked extends RuntimeException {
        Throwable next;

        Linked(String message) {
            super(message, null, false, false);
        }

        @Override
        public synchronized Throwable getCause() {
            return next;
        }
    }

    @Test
    void aCyclicThrowableCauseChainEndsWhereItRepeats() {
        Linked a = new Linked("a");
        Linked b = new Linked("b");
        a.next = b;
        b.next = a;
        JsError clone = cloneOf(a);
        JsError cause = (JsError) clone.jsCause();
        assertThat(cause.getMessage()).isEqualTo("b");
        assertThat(cause.jsCause()).isEqualTo(Undefined.INSTANCE);
    }

    @Test
    void aHundredThousandLongThrowableCauseChainClonesWithoutOverflowingTheStack() {
        Throwable t = null;
        for (int i = 0; i < 100_000; i++) {
            t = new Light(Integer.toString(i), t);
        }
        Object e = StructuredClone.clone(t);
        int length = 0;
        for (; e instanceof JsError js; e = js.jsCause()) {
            length++;
        }
        assertThat(length).isEqualTo(100_000);
    }

    @Test
    void jsErrorIsCopiedWithACopiedCause() {
        Map<String, Object> cause = object("code", 7);
        JsError error = new JsError("RangeError", "out of range", null, cause);
        JsError clone = cloneOf(error);
        assertThat(clone).isNotSameAs(error);
        assertThat(clone.jsCause()).isNotSameAs(cause).isEqualTo(cause);
        ValueEquality.assertSame(error, clone);
    }

    @Test
    void charSequencesCharactersAndEnumsBecomeStrings() {
        List<Object> clone = cloneOf(List.of(new StringBuilder("sb"), 'c', Colour.RED));
        ValueEquality.assertSame(new ArrayList<>(List.of("sb", "c", "RED")), clone);
    }

    @Test
    void sparseArrayKeepsItsLengthAndHoles() {
        JsArray array = new JsArray(JsArray.MAX_LENGTH);
        array.put(3, Undefined.INSTANCE);
        array.put(JsArray.MAX_LENGTH - 1, new ArrayList<>(List.of("last")));
        JsArray clone = cloneOf(array);
        assertThat(clone.length()).isEqualTo(JsArray.MAX_LENGTH);
        assertThat(clone.has(3)).isTrue();
        assertThat(clone.has(2)).isFalse();
        assertThat(clone.elements().get(JsArray.MAX_LENGTH - 1)).isEqualTo(List.of("last"));
        ValueEquality.assertSame(array, clone);
    }

    @Test
    void typedArrayCloneCopiesTheWholeBufferAndKeepsTheWindow() {
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[16]);
        TypedArray view = new TypedArray(TypedArray.Kind.INT32, buffer, 4, 8);
        TypedArray clone = cloneOf(view);
        assertThat(clone.buffer()).isNotSameAs(buffer);
        assertThat(clone.buffer().byteLength()).isEqualTo(16);
        assertThat(clone.byteOffset()).isEqualTo(4);
        assertThat(clone.length()).isEqualTo(2);
    }

    @Test
    void viewsThatShareABufferShareItsCopy() {
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[8]);
        TypedArray bytes = new TypedArray(TypedArray.Kind.UINT8, buffer, 0, 8);
        TypedArray words = new TypedArray(TypedArray.Kind.UINT16, buffer, 2, 4);
        List<TypedArray> clone = cloneOf(List.of(bytes, words, buffer));
        assertThat(clone.get(0).buffer()).isSameAs(clone.get(1).buffer()).isSameAs(clone.get(2)).isNotSameAs(buffer);
        clone.get(1).bytes().putShort(0, (short) 0x0201);
        assertThat(clone.get(0).toByteArray()).containsExactly(0, 0, 1, 2, 0, 0, 0, 0);
        assertThat(bytes.toByteArray()).containsOnly(0);
    }

    // ---- refused values ----

    @Test
    void aLambdaCannotBeCloned() {
        Supplier<String> f = () -> "x";
        assertThatThrownBy(() -> StructuredClone.clone(object("f", f)))
                .isInstanceOf(DataCloneError.class).hasMessage("function could not be cloned.");
    }

    @Test
    void aThreadCannotBeCloned() {
        assertThatThrownBy(() -> StructuredClone.clone(List.of(Thread.currentThread())))
                .isInstanceOf(DataCloneError.class).hasMessageEndingWith("could not be cloned.");
    }

    @Test
    void aSocketCannotBeCloned() throws IOException {
        try (Socket socket = new Socket()) {
            assertThatThrownBy(() -> StructuredClone.clone(object("socket", socket)))
                    .isInstanceOf(DataCloneError.class).hasMessage("java.net.Socket could not be cloned.");
        }
    }

    @Test
    void anAutoCloseableWithPropertiesCannotBeCloned() {
        try (Connection c = new Connection()) {
            assertThatThrownBy(() -> StructuredClone.clone(List.of(1, List.of(c))))
                    .isInstanceOf(DataCloneError.class).hasMessageContaining("Connection could not be cloned.");
        }
    }

    @Test
    void aDetachedArrayBufferCannotBeCloned() {
        ArrayBuffer buffer = ArrayBuffer.allocate(4);
        buffer.transfer();
        assertThatThrownBy(() -> StructuredClone.clone(List.of(buffer)))
                .isInstanceOf(DataCloneError.class).hasMessage("An ArrayBuffer is detached and could not be cloned.");
    }

    @Test
    void aViewOfADetachedBufferCannotBeCloned() {
        ArrayBuffer buffer = ArrayBuffer.allocate(4);
        TypedArray view = new TypedArray(TypedArray.Kind.UINT8, buffer, 0, 4);
        buffer.transfer();
        assertThatThrownBy(() -> StructuredClone.clone(view))
                .isInstanceOf(DataCloneError.class).hasMessage("An ArrayBuffer is detached and could not be cloned.");
    }

    @Test
    void aTransferableThatIsNotListedCannotBeCloned() {
        Port port = new Port();
        assertThatThrownBy(() -> StructuredClone.clone(object("port", port)))
                .isInstanceOf(DataCloneError.class)
                .hasMessage("Object that needs transfer was found in message but not listed in transferList");
        assertThat(port.isDetached()).isFalse();
    }

    // ---- transfer ----

    @Test
    void transferMovesTheMemoryAndDetachesTheSource() {
        byte[] memory = {1, 2, 3, 4};
        ArrayBuffer source = ArrayBuffer.wrap(memory);
        ArrayBuffer moved = (ArrayBuffer) StructuredClone.clone(source, List.of(source));
        moved.data().put(0, (byte) 42);
        assertThat(memory[0]).isEqualTo((byte) 42); // the same memory, not a copy
        assertThat(source.isDetached()).isTrue();
        assertThat(source.byteLength()).isZero();
        assertThat(moved.byteLength()).isEqualTo(4);
    }

    @Test
    void viewsOfATransferredBufferAreRebuiltOverTheMovedBuffer() {
        ArrayBuffer source = ArrayBuffer.wrap(new byte[8]);
        TypedArray view = new TypedArray(TypedArray.Kind.FLOAT64, source, 0, 8);
        Map<String, Object> clone = cast(StructuredClone.clone(object("view", view, "buffer", source), List.of(source)));
        TypedArray movedView = (TypedArray) clone.get("view");
        assertThat(movedView.buffer()).isSameAs(clone.get("buffer"));
        movedView.bytes().putDouble(0, 1.5);
        assertThat(((ArrayBuffer) clone.get("buffer")).data().getDouble(0)).isEqualTo(1.5);
        assertThat(view.byteLength()).isZero();
    }

    @Test
    void aListedBufferThatTheValueDoesNotContainIsStillDetached() {
        ArrayBuffer buffer = ArrayBuffer.allocate(4);
        assertThat(StructuredClone.clone("hello", List.of(buffer))).isEqualTo("hello");
        assertThat(buffer.isDetached()).isTrue();
    }

    @Test
    void aListedTransferableIsMovedToTheClone() {
        Port port = new Port();
        Map<String, Object> clone = cast(StructuredClone.clone(object("port", port, "again", port), List.of(port)));
        assertThat(clone.get("port")).isInstanceOf(Port.class).isNotSameAs(port).isSameAs(clone.get("again"));
        assertThat(port.isDetached()).isTrue();
        assertThat(port.commits).isEqualTo(1);
    }

    @Test
    void transferOfOneTransferableMovesIt() {
        Port port = new Port();
        Object target = port.transfer();
        assertThat(target).isInstanceOf(Port.class).isNotSameAs(port);
        assertThat(port.isDetached()).isTrue();
    }

    @Test
    void theSameBufferTwiceInTheTransferListFailsAndDetachesNothing() {
        ArrayBuffer a = ArrayBuffer.allocate(4);
        ArrayBuffer b = ArrayBuffer.allocate(4);
        assertThatThrownBy(() -> StructuredClone.clone(a, List.of(b, a, a)))
                .isInstanceOf(DataCloneError.class).hasMessage("Transfer list contains duplicate ArrayBuffer");
        assertThat(a.isDetached()).isFalse();
        assertThat(b.isDetached()).isFalse();
    }

    @Test
    void equalButDistinctBuffersAreNotDuplicates() {
        ArrayBuffer a = ArrayBuffer.allocate(4);
        ArrayBuffer b = ArrayBuffer.allocate(4);
        assertThat(a).isEqualTo(b); // equal by content, distinct by identity
        StructuredClone.clone(null, List.of(a, b));
        assertThat(a.isDetached()).isTrue();
        assertThat(b.isDetached()).isTrue();
    }

    @Test
    void aDetachedBufferInTheTransferListFails() {
        ArrayBuffer detached = ArrayBuffer.allocate(4);
        detached.transfer();
        ArrayBuffer other = ArrayBuffer.allocate(4);
        assertThatThrownBy(() -> StructuredClone.clone(other, List.of(other, detached)))
                .isInstanceOf(DataCloneError.class).hasMessage("An ArrayBuffer is detached and could not be cloned.");
        assertThat(other.isDetached()).isFalse();
    }

    @Test
    void aByteArrayInTheTransferListFailsWithAHint() {
        ArrayBuffer buffer = ArrayBuffer.allocate(4);
        byte[] bytes = new byte[4];
        assertThatThrownBy(() -> StructuredClone.clone(bytes, List.of(buffer, bytes)))
                .isInstanceOf(DataCloneError.class)
                .hasMessage("Found invalid object in transferList (a byte[] cannot be transferred: use an ArrayBuffer)");
        assertThat(buffer.isDetached()).isFalse();
    }

    @Test
    void aViewOrAnyOtherObjectInTheTransferListFails() {
        ArrayBuffer buffer = ArrayBuffer.allocate(4);
        TypedArray view = new TypedArray(TypedArray.Kind.UINT8, buffer, 0, 4);
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        for (List<?> list : List.of(List.of(view), List.of("text"), withNull)) {
            assertThatThrownBy(() -> StructuredClone.clone(view, list))
                    .isInstanceOf(DataCloneError.class).hasMessage("Found invalid object in transferList");
        }
        assertThat(buffer.isDetached()).isFalse();
    }

    @Test
    void aValueThatCannotBeClonedLeavesTheTransferListAttached() {
        ArrayBuffer inValue = ArrayBuffer.allocate(4);
        ArrayBuffer notInValue = ArrayBuffer.allocate(4);
        Port port = new Port();
        Runnable f = () -> { };
        List<Object> value = List.of(inValue, port, object("f", f));
        assertThatThrownBy(() -> StructuredClone.clone(value, List.of(inValue, notInValue, port)))
                .isInstanceOf(DataCloneError.class).hasMessage("function could not be cloned.");
        assertThat(inValue.isDetached()).isFalse();
        assertThat(notInValue.isDetached()).isFalse();
        assertThat(port.isDetached()).isFalse();
        assertThat(port.commits).isZero();
        assertThat(inValue.byteLength()).isEqualTo(4);
    }

    // ---- parity ----

    /** What Node's structuredClone throws in each failure case, as "Name: message". */
    private static Map<String, String> nodeErrors() throws Exception {
        String script = """
                const { MessageChannel } = require('worker_threads');
                const out = {};
                const t = (k, f) => { try { f(); out[k] = 'ok'; } catch (e) { out[k] = e.name + ': ' + e.message; } };
                const ab = new ArrayBuffer(4);
                t('duplicate', () => structuredClone(ab, { transfer: [ab, ab] }));
                const d = new ArrayBuffer(4);
                structuredClone(d, { transfer: [d] });
                t('detached', () => structuredClone([d]));
                t('invalid', () => structuredClone(1, { transfer: [new Uint8Array(1)] }));
                const { port1 } = new MessageChannel();
                t('notListed', () => structuredClone({ p: port1 }));
                port1.close();
                process.stdout.write(JSON.stringify(out));
                """;
        Process node = new ProcessBuilder("node", "-e", script).redirectErrorStream(true).start();
        byte[] out = node.getInputStream().readAllBytes();
        assertThat(node.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(new String(out, java.nio.charset.StandardCharsets.UTF_8)).isZero();
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(out,
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
    }

    private static String thrown(Runnable r) {
        try {
            r.run();
            return "ok";
        } catch (DataCloneError e) {
            return e.name() + ": " + e.getMessage();
        }
    }

    @Test
    void failureMessagesAreNodes() throws Exception {
        Map<String, String> node = nodeErrors();
        ArrayBuffer ab = ArrayBuffer.allocate(4);
        ArrayBuffer detached = ArrayBuffer.allocate(4);
        detached.transfer();
        TypedArray view = TypedArray.copyOf(TypedArray.Kind.UINT8, new byte[1]);
        assertThat(thrown(() -> StructuredClone.clone(ab, List.of(ab, ab)))).isEqualTo(node.get("duplicate"));
        assertThat(thrown(() -> StructuredClone.clone(List.of(detached)))).isEqualTo(node.get("detached"));
        // Node throws these two as TypeErrors (ERR_INVALID_TRANSFER_OBJECT and the missing-transferable
        // error); Herd keeps one exception type for every clone failure, with Node's message.
        assertThat(node.get("invalid")).startsWith("TypeError: ");
        assertThat(thrown(() -> StructuredClone.clone(1, List.of(view)))).isEqualTo(node.get("invalid").replace("TypeError", "DataCloneError"));
        assertThat(thrown(() -> StructuredClone.clone(object("p", new Port()))))
                .isEqualTo(node.get("notListed").replace("TypeError", "DataCloneError"));
    }

    // ---- depth ----

    @Test
    void hundredThousandNestedListsCloneWithoutOverflowingTheStack() {
        int depth = 100_000;
        List<Object> root = new ArrayList<>();
        List<Object> inner = root;
        for (int i = 0; i < depth; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(i);
            inner.add(next);
            inner = next;
        }
        Object clone = StructuredClone.clone(root);
        int seen = 0;
        for (Object o = clone; o instanceof List<?> l && !l.isEmpty(); o = l.get(1)) {
            assertThat(l.get(0)).isEqualTo(seen);
            seen++;
        }
        assertThat(seen).isEqualTo(depth);
        assertThat(ValueEquality.same(root, clone)).isTrue();
    }

    @Test
    void hundredThousandNestedObjectsMapsAndErrorsCloneWithoutOverflowingTheStack() {
        int depth = 100_000;
        Object value = "bottom";
        for (int i = 0; i < depth; i++) {
            value = switch (i % 4) {
                case 0 -> object("next", value);
                case 1 -> {
                    JsMap m = new JsMap();
                    m.put(i, value);
                    yield m;
                }
                case 2 -> new JsError("Error", "level " + i, null, value);
                default -> {
                    JsArray a = new JsArray(10);
                    a.put(5, value);
                    yield a;
                }
            };
        }
        Object clone = StructuredClone.clone(value);
        assertThat(ValueEquality.same(value, clone)).isTrue();
    }

    @Test
    void aHundredThousandLongErrorCauseChainClonesWithoutOverflowingTheStack() {
        Object value = Undefined.INSTANCE;
        for (int i = 0; i < 100_000; i++) {
            value = new JsError("Error", Integer.toString(i), null, value);
        }
        JsError clone = cloneOf(value);
        assertThat(clone.getMessage()).isEqualTo("99999");
        assertThat(ValueEquality.same(value, clone)).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }
}
