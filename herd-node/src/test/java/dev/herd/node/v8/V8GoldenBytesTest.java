package dev.herd.node.v8;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.value.ArrayBuffer;
import dev.herd.node.value.InvalidDate;
import dev.herd.node.value.JsArray;
import dev.herd.node.value.JsError;
import dev.herd.node.value.JsMap;
import dev.herd.node.value.JsRegExp;
import dev.herd.node.value.TypedArray;
import dev.herd.node.value.Undefined;
import dev.herd.node.value.ValueEquality;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every V8 tag against bytes that Node 20 wrote: the advanced-mode frames of
 * ../shared/spec/node-ipc-protocol.md §3 (recorded by its probe t5_advanced.py), and
 * {@code v8.serialize} output recorded from node v20.20.2 for the other tags. Herd must write each
 * value to exactly these bytes and read them back to the value; the tags V8 reads but Node never
 * writes are read from bytes made by V8's base Serializer or by hand.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class V8GoldenBytesTest {

    /** The example frames of the spec, §3.1 and appendix A: value, full frame. */
    static Stream<Arguments> specFrames() {
        return Stream.of(
                Arguments.of("'hello'", "hello", "00 00 00 09 ff 0f 22 05 68 65 6c 6c 6f"),
                Arguments.of("'hé€' (two-byte)", "hé€", "00 00 00 0a ff 0f 63 06 68 00 e9 00 ac 20"),
                Arguments.of("{a:1}", object("a", 1), "00 00 00 0a ff 0f 6f 22 01 61 49 02 7b 01"),
                Arguments.of("42", 42, "00 00 00 04 ff 0f 49 54"),
                Arguments.of("-1", -1, "00 00 00 04 ff 0f 49 01"),
                Arguments.of("2**31", 2147483648L, "00 00 00 0b ff 0f 4e 00 00 00 00 00 00 e0 41"),
                Arguments.of("3.5", 3.5, "00 00 00 0b ff 0f 4e 00 00 00 00 00 00 0c 40"),
                Arguments.of("true", true, "00 00 00 03 ff 0f 54"),
                Arguments.of("false", false, "00 00 00 03 ff 0f 46"),
                Arguments.of("null", null, "00 00 00 03 ff 0f 30"),
                Arguments.of("[1,'x']", list(1, "x"), "00 00 00 0c ff 0f 41 02 49 02 22 01 78 24 00 02"),
                Arguments.of("{u:undefined}", object("u", Undefined.INSTANCE), "00 00 00 09 ff 0f 6f 22 01 75 5f 7b 01"),
                Arguments.of("new Map([[1,'one']])", jsMap(1, "one"), "00 00 00 0c ff 0f 3b 49 02 22 03 6f 6e 65 3a 02"),
                Arguments.of("new Set(['s'])", set("s"), "00 00 00 08 ff 0f 27 22 01 73 2c 01"),
                Arguments.of("new Date(0)", Instant.EPOCH, "00 00 00 0b ff 0f 44 00 00 00 00 00 00 00 00"),
                Arguments.of("{big:10n}", object("big", BigInteger.TEN),
                        "00 00 00 14 ff 0f 6f 22 03 62 69 67 5a 10 0a 00 00 00 00 00 00 00 7b 01"),
                Arguments.of("Buffer.from('hi')", "hi".getBytes(), "00 00 00 08 ff 0f 5c 00 0a 02 68 69"),
                Arguments.of("new Uint8Array([1,2,3])", TypedArray.copyOf(TypedArray.Kind.UINT8, new byte[] {1, 2, 3}),
                        "00 00 00 09 ff 0f 5c 00 01 03 01 02 03"),
                Arguments.of("/ab+c/gi", new JsRegExp("ab+c", "gi"), "00 00 00 0a ff 0f 52 22 04 61 62 2b 63 03"),
                Arguments.of("{ab:'€'} (padding)", object("ab", "€"), "00 00 00 0e ff 0f 6f 22 02 61 62 00 63 02 ac 20 7b 01"),
                Arguments.of("{cmd:'NODE_CLUSTER',act:'online',seq:0}",
                        object("cmd", "NODE_CLUSTER", "act", "online", "seq", 0),
                        "00 00 00 2c ff 0f 6f 22 03 63 6d 64 22 0c 4e 4f 44 45 5f 43 4c 55 53 54 45 52"
                                + " 22 03 61 63 74 22 06 6f 6e 6c 69 6e 65 22 03 73 65 71 49 00 7b 03"));
    }

    /** {@code v8.serialize(value)} as node v20.20.2 wrote it: value, payload. */
    static Stream<Arguments> nodeSerialize() {
        Map<String, Object> o = object("k", 1);
        JsArray sparse = new JsArray(101);
        sparse.put(100, "x");
        JsArray holey = new JsArray(3);
        holey.put(0, 1);
        holey.put(2, 3);
        JsArray sparseHigh = new JsArray(0xFFFF_FFFFL);
        sparseHigh.put(0xFFFF_FFFEL, 1);
        Map<String, Object> circular = new LinkedHashMap<>();
        circular.put("self", circular);
        Map<String, Object> key = object("a", 1);
        JsMap objectKey = new JsMap();
        objectKey.put(key, "v");
        byte[] hi = "hi".getBytes();
        Instant d = Instant.ofEpochMilli(5);
        ArrayBuffer shared = ArrayBuffer.allocate(4);
        JsError inner = new JsError("TypeError", "inner", "I", Undefined.INSTANCE);
        JsError sameTwice = new JsError("Error", "z", "S", Undefined.INSTANCE);
        return Stream.of(
                Arguments.of("integer key {1:'a'}", object("1", "a"), "ff 0f 6f 49 02 22 01 61 7b 01"),
                Arguments.of("key 2**30", object("1073741824", "a"), "ff 0f 6f 49 80 80 80 80 08 22 01 61 7b 01"),
                Arguments.of("key 2**31 (a double)", object("2147483648", "a"), "ff 0f 6f 4e 00 00 00 00 00 00 e0 41 22 01 61 7b 01"),
                Arguments.of("key 2**32-2 (a double)", object("4294967294", "a"), "ff 0f 6f 4e 00 00 c0 ff ff ff ef 41 22 01 61 7b 01"),
                Arguments.of("key 2**32-1 (a string)", object("4294967295", "a"),
                        "ff 0f 6f 22 0a 34 32 39 34 39 36 37 32 39 35 22 01 61 7b 01"),
                Arguments.of("index keys first {b:1,1:'x',a:2}", object("1", "x", "b", 1, "a", 2),
                        "ff 0f 6f 49 02 22 01 78 22 01 62 49 02 22 01 61 49 04 7b 03"),
                Arguments.of("numeric-looking string keys", object("4294967294", 4, "01", 1, "-1", 2, "1.5", 3),
                        "ff 0f 6f 4e 00 00 c0 ff ff ff ef 41 49 08 22 02 30 31 49 02 22 02 2d 31 49 04 22 03 31 2e 35 49 06 7b 04"),
                Arguments.of("-0", -0.0, "ff 0f 4e 00 00 00 00 00 00 00 80"),
                Arguments.of("[-0, 'x', 0]", list(-0.0, "x", 0), "ff 0f 41 03 4e 00 00 00 00 00 00 00 80 22 01 78 49 00 24 00 03"),
                Arguments.of("[NaN, 1] (double elements)", list(Double.NaN, 1),
                        "ff 0f 41 02 4e 00 00 00 00 00 00 f8 7f 4e 00 00 00 00 00 00 f0 3f 24 00 02"),
                Arguments.of("[2**31, 1] (double elements)", list(2147483648L, 1),
                        "ff 0f 41 02 4e 00 00 00 00 00 00 e0 41 4e 00 00 00 00 00 00 f0 3f 24 00 02"),
                Arguments.of("[1.5, 'a', 2]", list(1.5, "a", 2), "ff 0f 41 03 4e 00 00 00 00 00 00 f8 3f 22 01 61 49 04 24 00 03"),
                Arguments.of("0n", BigInteger.ZERO, "ff 0f 5a 00"),
                Arguments.of("-1n", BigInteger.ONE.negate(), "ff 0f 5a 11 01 00 00 00 00 00 00 00"),
                Arguments.of("2n**64n", BigInteger.TWO.pow(64), "ff 0f 5a 20 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"),
                Arguments.of("-(2n**64n)", BigInteger.TWO.pow(64).negate(),
                        "ff 0f 5a 21 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"),
                Arguments.of("-(2n**70n)", BigInteger.TWO.pow(70).negate(),
                        "ff 0f 5a 21 00 00 00 00 00 00 00 00 40 00 00 00 00 00 00 00"),
                Arguments.of("'' (empty)", "", "ff 0f 22 00"),
                Arguments.of("'ÿ' (Latin-1 is one-byte)", "ÿ", "ff 0f 22 01 ff"),
                Arguments.of("'€' (two-byte, no padding needed)", "€", "ff 0f 63 02 ac 20"),
                Arguments.of("['a','€'] (padding)", list("a", "€"), "ff 0f 41 02 22 01 61 00 63 02 ac 20 24 00 02"),
                Arguments.of("{'€':1} (padded key)", object("€", 1), "ff 0f 6f 00 63 02 ac 20 49 02 7b 01"),
                Arguments.of("astral and lone surrogate", list("\uD83D\uDE00", "\uD800x"),
                        "ff 0f 41 02 63 04 3d d8 00 de 63 04 00 d8 78 00 24 00 02"),
                Arguments.of("holey [1,,3]", holey, "ff 0f 61 03 49 00 49 02 49 04 49 06 40 02 03"),
                Arguments.of("sparse a[100]='x'", sparse, "ff 0f 61 65 49 c8 01 22 01 78 40 01 65"),
                Arguments.of("sparse a[2**32-2]=1", sparseHigh,
                        "ff 0f 61 ff ff ff ff 0f 4e 00 00 c0 ff ff ff ef 41 49 02 40 01 ff ff ff ff 0f"),
                Arguments.of("[o,o] (back-reference)", list(o, o), "ff 0f 41 02 6f 22 01 6b 49 02 7b 01 5e 01 24 00 02"),
                Arguments.of("o.self = o (cycle)", circular, "ff 0f 6f 22 04 73 65 6c 66 5e 00 7b 01"),
                Arguments.of("Map with an object key", objectKey, "ff 0f 3b 6f 22 01 61 49 02 7b 01 22 01 76 3a 02"),
                Arguments.of("[buf,buf] (Buffers get ids)", list(hi, hi), "ff 0f 41 02 5c 0a 02 68 69 5e 01 24 00 02"),
                Arguments.of("[d,d] (Dates get ids)", list(d, d), "ff 0f 41 02 44 00 00 00 00 00 00 14 40 5e 01 24 00 02"),
                Arguments.of("two Invalid Dates", list(InvalidDate.INSTANCE, InvalidDate.INSTANCE),
                        "ff 0f 41 02 44 00 00 00 00 00 00 f8 7f 44 00 00 00 00 00 00 f8 7f 24 00 02"),
                Arguments.of("new Date(1700000000123)", Instant.ofEpochMilli(1700000000123L), "ff 0f 44 00 b0 87 56 fe bc 78 42"),
                Arguments.of("/a/dgimsuy", new JsRegExp("a", "dgimsuy"), "ff 0f 52 22 01 61 bf 01"),
                Arguments.of("/a/v", new JsRegExp("a", "v"), "ff 0f 52 22 01 61 80 02"),
                Arguments.of("ArrayBuffer [1,2,3]", ArrayBuffer.wrap(new byte[] {1, 2, 3}), "ff 0f 42 03 01 02 03"),
                Arguments.of("[ab, view, ab] (ArrayBuffers get ids)",
                        list(shared, new TypedArray(TypedArray.Kind.UINT8, ArrayBuffer.allocate(2), 0, 2), shared),
                        "ff 0f 41 03 42 04 00 00 00 00 5c 01 02 00 00 5e 01 24 00 03"),
                Arguments.of("DataView(2)", new TypedArray(TypedArray.Kind.DATA_VIEW, ArrayBuffer.allocate(2), 0, 2), "ff 0f 5c 09 02 00 00"),
                Arguments.of("Float32Array [1.5]", TypedArray.copyOf(TypedArray.Kind.FLOAT32, new byte[] {0, 0, (byte) 0xc0, 0x3f}),
                        "ff 0f 5c 07 04 00 00 c0 3f"),
                Arguments.of("BigInt64Array [-1n]", TypedArray.copyOf(TypedArray.Kind.BIGINT64, filled(8, (byte) 0xff)),
                        "ff 0f 5c 0b 08 ff ff ff ff ff ff ff ff"),
                Arguments.of("Float64Array [1.5]", TypedArray.copyOf(TypedArray.Kind.FLOAT64, new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f}),
                        "ff 0f 5c 08 08 00 00 00 00 00 00 f8 3f"),
                Arguments.of("EvalError", new JsError("EvalError", "x", "S", Undefined.INSTANCE), "ff 0f 72 45 6d 22 01 78 73 22 01 53 2e"),
                Arguments.of("RangeError", new JsError("RangeError", "x", "S", Undefined.INSTANCE), "ff 0f 72 52 6d 22 01 78 73 22 01 53 2e"),
                Arguments.of("ReferenceError", new JsError("ReferenceError", "x", "S", Undefined.INSTANCE), "ff 0f 72 46 6d 22 01 78 73 22 01 53 2e"),
                Arguments.of("SyntaxError", new JsError("SyntaxError", "x", "S", Undefined.INSTANCE), "ff 0f 72 53 6d 22 01 78 73 22 01 53 2e"),
                Arguments.of("TypeError", new JsError("TypeError", "x", "S", Undefined.INSTANCE), "ff 0f 72 54 6d 22 01 78 73 22 01 53 2e"),
                Arguments.of("URIError", new JsError("URIError", "x", "S", Undefined.INSTANCE), "ff 0f 72 55 6d 22 01 78 73 22 01 53 2e"),
                Arguments.of("Error without stack", new JsError("Error", "m", null, Undefined.INSTANCE), "ff 0f 72 6d 22 01 6d 2e"),
                Arguments.of("Error with cause (message, cause, stack)", new JsError("Error", "outer", "O", inner),
                        "ff 0f 72 6d 22 05 6f 75 74 65 72 63 72 54 6d 22 05 69 6e 6e 65 72 73 22 01 49 2e 73 22 01 4f 2e"),
                Arguments.of("Error with cause undefined is written without it", new JsError("Error", "m", "S", Undefined.INSTANCE),
                        "ff 0f 72 6d 22 01 6d 73 22 01 53 2e"),
                Arguments.of("[e,e] (errors get ids)", list(sameTwice, sameTwice),
                        "ff 0f 41 02 72 6d 22 01 7a 73 22 01 53 2e 5e 01 24 00 02"));
    }

    /** Tags V8 reads that Node does not write (or Herd reads into another form): bytes, value. */
    static Stream<Arguments> readOnly() {
        JsArray hole = new JsArray(3);
        hole.put(0, 1);
        hole.put(2, 3);
        ArrayBuffer four = ArrayBuffer.wrap(new byte[] {1, 0, 2, 0});
        ArrayBuffer zeros = ArrayBuffer.allocate(4);
        return Stream.of(
                Arguments.of("new Number(3) ('n')", "ff 0f 6e 00 00 00 00 00 00 08 40", 3),
                Arguments.of("[new Boolean(true), new Boolean(false)] ('y', 'x')", "ff 0f 41 02 79 78 24 00 02", list(true, false)),
                Arguments.of("Object(5n) ('z')", "ff 0f 7a 10 05 00 00 00 00 00 00 00", BigInteger.valueOf(5)),
                Arguments.of("[s,s] of new String('s') ('s', '^')", "ff 0f 41 02 73 22 01 73 5e 01 24 00 02", list("s", "s")),
                Arguments.of("uint32 'U'", "ff 0f 55 80 80 80 80 08", 2147483648L),
                Arguments.of("UTF-8 string 'S'", "ff 0f 53 03 e2 82 ac", "€"),
                Arguments.of("a hole '-' in a dense array", "ff 0f 41 03 49 02 2d 49 06 24 00 03", hole),
                Arguments.of("a dense array without holes from a holey one (sparse form, all present)",
                        "ff 0f 61 02 49 00 49 02 49 02 49 04 40 02 02", list(1, 2)),
                Arguments.of("a named property of an array is dropped", "ff 0f 41 01 30 22 01 78 30 24 01 01", list((Object) null)),
                Arguments.of("resizable ArrayBuffer '~'", "ff 0f 7e 04 08 00 00 00 00", zeros),
                Arguments.of("V8 ArrayBufferView 'V' (Uint16Array)", "ff 0f 42 04 01 00 02 00 56 57 00 04 00",
                        new TypedArray(TypedArray.Kind.UINT16, four, 0, 4)),
                Arguments.of("V8 ArrayBufferView 'V' (DataView at 1)", "ff 0f 42 04 00 00 00 00 56 3f 01 02 00",
                        new TypedArray(TypedArray.Kind.DATA_VIEW, zeros, 1, 2)),
                Arguments.of("version 13 view without flags", "ff 0d 42 04 00 00 00 00 56 3f 01 02",
                        new TypedArray(TypedArray.Kind.DATA_VIEW, zeros, 1, 2)),
                Arguments.of("verify-object-count '?'", "ff 0f 3f 02 30", null),
                Arguments.of("padding before a value", "ff 0f 00 00 30", null),
                Arguments.of("bytes after the value are ignored (as V8 does)", "ff 0f 30 30", null),
                Arguments.of("header version 13", "ff 0d 30", null),
                Arguments.of("a BigInt with fewer than 8 bytes", "ff 0f 5a 03 01", BigInteger.ONE.negate()),
                Arguments.of("a BigInt zero written with a digit", "ff 0f 5a 10 00 00 00 00 00 00 00 00", BigInteger.ZERO));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specFrames")
    void specFramesAreWrittenByteForByte(String js, Object value, String frame) {
        assertThat(Hex.of(new V8Serializer(V8Options.CHILD_PROCESS).serializeFrame(value))).isEqualTo(Hex.of(Hex.bytes(frame)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specFrames")
    void specFramesAreReadBackToTheirValue(String js, Object value, String frame) {
        byte[] bytes = Hex.bytes(frame);
        Object read = new V8Deserializer(V8Options.CHILD_PROCESS).deserialize(bytes, 4, bytes.length - 4);
        ValueEquality.assertSame(value, read);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeSerialize")
    void nodeSerializeOutputIsWrittenByteForByte(String js, Object value, String payload) {
        assertThat(Hex.of(V8.serialize(value))).isEqualTo(Hex.of(Hex.bytes(payload)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeSerialize")
    void nodeSerializeOutputIsReadBackToTheValue(String js, Object value, String payload) {
        ValueEquality.assertSame(value, V8.deserialize(Hex.bytes(payload)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readOnly")
    void tagsNodeDoesNotWriteAreRead(String what, String payload, Object value) {
        ValueEquality.assertSame(value, V8.deserialize(Hex.bytes(payload)));
    }

    @Test
    void errorStackAndMessageAreWrittenAsStrings() {
        JsError boom = new JsError("Error", "boom", "Error: boom\n    at x", Undefined.INSTANCE);
        byte[] frame = new V8Serializer(V8Options.CHILD_PROCESS).serializeFrame(boom);
        // Spec: ff 0f 72 6d <string message> 73 <string stack> 2e
        assertThat(Hex.of(frame)).isEqualTo(Hex.of(Hex.bytes(
                "00 00 00 22 ff 0f 72 6d 22 04 62 6f 6f 6d 73 22 14 45 72 72 6f 72 3a 20 62 6f 6f 6d 0a 20 20 20 20 61 74 20 78 2e")));
    }

    @Test
    void hostObjectsHaveNoSubTagInDefaultModeAndTagZeroInChildProcessMode() {
        byte[] hi = "hi".getBytes();
        assertThat(Hex.of(V8.serialize(hi))).isEqualTo("ff 0f 5c 0a 02 68 69");
        assertThat(Hex.of(V8.serialize(hi, V8Options.CHILD_PROCESS))).isEqualTo("ff 0f 5c 00 0a 02 68 69");
    }

    @Test
    void aNonViewHostObjectIsReadAsItsPlainObjectCopy() {
        // ChildProcessSerializer's tag 1: a TCP handle with a property foo = 1, as node wrote it.
        byte[] payload = Hex.bytes("ff 0f 5c 01 6f 22 07 72 65 61 64 69 6e 67 46 22 0c 6f 6e 63 6f 6e 6e 65 63 74 69 6f 6e 30"
                + " 22 03 66 6f 6f 49 02 7b 03");
        Object read = V8.deserialize(payload, 0, payload.length, V8Options.CHILD_PROCESS);
        ValueEquality.assertSame(object("reading", false, "onconnection", null, "foo", 1), read);
    }

    @Test
    void aHostObjectAndItsPlainCopyShareTheirBackReference() {
        // [host, ^0]: the host object has id 1, its copy id 2; both ids are the copy.
        byte[] payload = Hex.bytes("ff 0f 41 03 5c 01 6f 7b 00 5e 01 5e 02 24 00 03");
        List<?> read = (List<?>) V8.deserialize(payload, 0, payload.length, V8Options.CHILD_PROCESS);
        assertThat(read.get(1)).isSameAs(read.get(0));
        assertThat(read.get(2)).isSameAs(read.get(0));
    }

    @Test
    void aViewSharingAnArrayBufferSharesItsMemory() {
        // [new Uint8Array(a), new Int8Array(a, 2)] written by V8's base Serializer ('B' then 'V').
        byte[] payload = Hex.bytes("ff 0f 41 02 42 04 00 00 00 00 56 42 00 04 00 5e 01 56 62 02 02 00 24 00 02");
        List<?> read = (List<?>) V8.deserialize(payload);
        TypedArray a = (TypedArray) read.get(0);
        TypedArray b = (TypedArray) read.get(1);
        assertThat(b.buffer()).isSameAs(a.buffer());
        assertThat(b.byteOffset()).isEqualTo(2);
        assertThat(b.kind()).isEqualTo(TypedArray.Kind.INT8);
    }

    // ---- helpers ----

    static Map<String, Object> object(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Object> list(Object... elements) {
        return new ArrayList<>(Arrays.asList(elements));
    }

    static JsMap jsMap(Object... kv) {
        JsMap m = new JsMap();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static LinkedHashSet<Object> set(Object... elements) {
        return new LinkedHashSet<>(Arrays.asList(elements));
    }

    static byte[] filled(int n, byte b) {
        byte[] out = new byte[n];
        Arrays.fill(out, b);
        return out;
    }
}
