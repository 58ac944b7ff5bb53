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
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Herd's V8 format against the real {@code node} (v20), both ways, with Node's own
 * ChildProcessSerializer and ChildProcessDeserializer (see {@link NodePeer}): what Herd writes,
 * Node reads and writes back to the same bytes; what Node writes, Herd reads and writes back to the
 * same bytes. One node process serves the whole class.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class V8NodeInteropTest {
    private static NodePeer node;

    @BeforeAll
    static void startNode() {
        node = new NodePeer();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    record Point(int x, String label) {
    }

    /** Java values: name, value, the generic form Herd reads it back as. */
    static Stream<Arguments> herdValues() {
        List<Arguments> out = new ArrayList<>();
        Map<String, Object> shared = object("k", 1);
        Map<String, Object> cyclic = new LinkedHashMap<>();
        cyclic.put("self", cyclic);
        cyclic.put("list", list(cyclic, shared, shared));
        List<Object> selfList = new ArrayList<>();
        selfList.add(selfList);
        selfList.add("x");
        JsArray holey = new JsArray(5);
        holey.put(1, "one");
        holey.put(3, holey);
        JsArray high = new JsArray(JsArray.MAX_LENGTH);
        high.put(7, true);
        high.put(JsArray.MAX_LENGTH - 1, "last");
        JsMap map = new JsMap();
        map.put(1, "one");
        map.put("k", list(1, 2));
        map.put(object("a", 1), new LinkedHashSet<>(List.of("s")));
        map.put(list("key"), map);
        Map<Integer, String> intKeys = new LinkedHashMap<>();
        intKeys.put(3, "three");
        JsMap intKeysRead = new JsMap();
        intKeysRead.put(3, "three");
        JsError inner = new JsError("RangeError", "inner", "RangeError: inner\n    at y", Undefined.INSTANCE);
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        byte[] bytes = "buffer".getBytes();

        add(out, "strings of every width", list("", "ascii", "é ÿ", "€", "日本語", "\uD83D\uDE00", "\uD800", "a\uDC00b", "x".repeat(300),
                "€".repeat(200)));
        add(out, "numbers", list(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 2147483648L, 9007199254740991L, -9007199254740991L,
                "sep", 1.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, Double.MIN_VALUE));
        add(out, "an array of doubles", list(1.5, 2, 3));
        add(out, "BigInts", list(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate(), BigInteger.TWO.pow(64),
                BigInteger.TWO.pow(64).negate(), BigInteger.TWO.pow(200).add(BigInteger.valueOf(12345)), BigInteger.TWO.pow(63).negate()));
        add(out, "a top-level BigInt", BigInteger.TWO.pow(100).negate());
        add(out, "undefined and null", object("u", Undefined.INSTANCE, "n", null, "a", list(Undefined.INSTANCE, null)));
        out.add(Arguments.of("index keys", object("1", "a", "0", "z", "b", 2, "4294967294", "high", "4294967295", "not an index", "01", "s"),
                object("0", "z", "1", "a", "4294967294", "high", "b", 2, "4294967295", "not an index", "01", "s")));
        add(out, "a shared object", list(shared, shared, object("again", shared)));
        add(out, "an object containing itself", cyclic);
        add(out, "a list containing itself", selfList);
        add(out, "a holey array containing itself", holey);
        add(out, "a sparse array of length 2^32-1", high);
        add(out, "a Map with object keys and itself as a value", map);
        out.add(Arguments.of("a Map with integer keys", intKeys, intKeysRead));
        add(out, "a Set", new LinkedHashSet<>(List.of(1, "a", list(3))));
        add(out, "Dates", list(Instant.EPOCH, Instant.ofEpochMilli(1700000000123L), Instant.ofEpochMilli(-1), InvalidDate.INSTANCE,
                Instant.ofEpochMilli(8_640_000_000_000_000L)));
        add(out, "RegExps", list(new JsRegExp("ab+c", "gi"), new JsRegExp("a", "dgimsuy"), new JsRegExp("a", "v"),
                new JsRegExp("€+", "u"), new JsRegExp("\\/", "")));
        out.add(Arguments.of("a Pattern", Pattern.compile("a.b", Pattern.CASE_INSENSITIVE | Pattern.DOTALL), new JsRegExp("a.b", "is")));
        add(out, "errors of every kind", list(
                new JsError("Error", "plain", "Error: plain\n    at x", Undefined.INSTANCE),
                new JsError("EvalError", "e", null, Undefined.INSTANCE),
                new JsError("RangeError", "r", "s", Undefined.INSTANCE),
                new JsError("ReferenceError", "f", "s", Undefined.INSTANCE),
                new JsError("SyntaxError", "s", "s", Undefined.INSTANCE),
                new JsError("TypeError", "t", "s", Undefined.INSTANCE),
                new JsError("URIError", "u", "s", Undefined.INSTANCE),
                new JsError("Error", "", null, Undefined.INSTANCE)));
        add(out, "errors with causes", list(new JsError("TypeError", "outer €", "TypeError: outer €\n    at z", inner),
                new JsError("Error", "with a value", null, object("code", 42))));
        add(out, "typed arrays of every kind", list(
                TypedArray.copyOf(TypedArray.Kind.INT8, new byte[] {-1}),
                TypedArray.copyOf(TypedArray.Kind.UINT8, new byte[] {1, 2}),
                TypedArray.copyOf(TypedArray.Kind.UINT8_CLAMPED, new byte[] {(byte) 255}),
                TypedArray.copyOf(TypedArray.Kind.INT16, new byte[] {1, 2}),
                TypedArray.copyOf(TypedArray.Kind.UINT16, new byte[] {1, 2, 3, 4}),
                TypedArray.copyOf(TypedArray.Kind.INT32, new byte[] {1, 2, 3, 4}),
                TypedArray.copyOf(TypedArray.Kind.UINT32, new byte[] {1, 2, 3, 4}),
                TypedArray.copyOf(TypedArray.Kind.FLOAT32, new byte[] {0, 0, (byte) 0xc0, 0x3f}),
                TypedArray.copyOf(TypedArray.Kind.FLOAT64, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                TypedArray.copyOf(TypedArray.Kind.BIGINT64, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                TypedArray.copyOf(TypedArray.Kind.BIGUINT64, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                TypedArray.copyOf(TypedArray.Kind.DATA_VIEW, new byte[] {1, 2, 3})));
        // A view is sent as its own bytes: it arrives on a buffer of its own.
        out.add(Arguments.of("a view into a larger buffer", new TypedArray(TypedArray.Kind.UINT16, buffer, 2, 4),
                TypedArray.copyOf(TypedArray.Kind.UINT16, new byte[] {3, 4, 5, 6})));
        add(out, "Buffers and ArrayBuffers", list(bytes, bytes, new byte[0], buffer, buffer, ArrayBuffer.allocate(0)));
        out.add(Arguments.of("a record", new Point(3, "p"), object("x", 3, "label", "p")));
        out.add(Arguments.of("primitive arrays", new Object[] {new int[] {1, -2}, new double[] {0.5, 2}, new long[] {1L << 40, 1},
                new boolean[] {true}, new char[] {'c', '€'}},
                list(list(1, -2), list(0.5, 2), list(1L << 40, 1), list(true), list("c", "€"))));
        add(out, "an order message", order());
        return out.stream();
    }

    /** JavaScript expressions whose values Herd must read and write back to Node's very bytes. */
    static Stream<String> nodeValues() {
        return Stream.of(
                "'hello'", "''", "'é'", "'€'", "'日本語'", "'😀'", "'\\ud800'", "'a\\udc00b'", "'x'.repeat(300)", "'€'.repeat(200)",
                "['a', '€', 'bb', '€€']", "({ab: '€', c: 'é€'})", "({'€': 1, 'é': 2})",
                "0", "-0", "1", "-1", "2**31-1", "-(2**31)", "2**31", "2**53-1", "-(2**53)", "1.5", "NaN", "Infinity", "-Infinity",
                "5e-324", "1e300", "[1.5, 2, 3]", "[-0, 'x', 0]", "[NaN, 1]", "[2**31, 1]",
                "0n", "1n", "-1n", "2n**64n", "-(2n**64n)", "2n**1000n + 7n", "-(2n**63n)", "({big: -(2n**70n)})",
                "true", "false", "null", "undefined", "[undefined, null]", "({u: undefined, n: null})",
                "({a: 1, b: 'x', c: [1, 2, 3], d: {e: null}})", "({1: 'a', b: 2, 0: 'z'})",
                "({[2**30]: 1, [2**31]: 2, [2**32 - 2]: 3, [2**32 - 1]: 4})",
                "(() => { const a = []; a[5] = 'x'; return a; })()", "[1, , 3]", "(() => { const a = []; a[2**32 - 2] = 1; return a; })()",
                "(() => { const o = {}; o.self = o; return o; })()", "(() => { const o = {k: 1}; return [o, o, {o}]; })()",
                "(() => { const a = []; a.push(a, a); return a; })()", "(() => { const a = [1, , 3]; a[1] = a; a.length = 10; return a; })()",
                "(() => { const m = new Map(); m.set('me', m); return m; })()",
                "new Map([[1, 'one'], ['k', {x: 1}], [{a: 1}, 'object key'], [[1, 2], 'array key'], [-5n, 'bigint key']])",
                "(() => { const k = {shared: true}; return [new Map([[k, 1]]), k]; })()",
                "new Set([1, 'a', {b: 2}, [3], 2n])",
                "new Date(0)", "new Date(1700000000123)", "new Date(-1)", "new Date(NaN)", "new Date(8.64e15)",
                "(() => { const d = new Date(5); return [d, d]; })()", "[new Date(NaN), new Date(NaN)]",
                "/ab+c/gi", "/a/dgimsuy", "new RegExp('a', 'v')", "/€+/u", "new RegExp('')", "/\\//", "new RegExp('a', 'vy')",
                "new Error('boom')", "new EvalError('e')", "new RangeError('r')", "new ReferenceError('f')", "new SyntaxError('s')",
                "new TypeError('t')", "new URIError('u')", "new Error()",
                "new TypeError('t', {cause: new RangeError('r', {cause: 'deepest'})})", "new Error('c', {cause: 42})",
                "new Error('c', {cause: {a: [1]}})", "Object.assign(new Error('x'), {name: 'SyntaxError'})",
                "(() => { const e = new Error('z'); return [e, {e}]; })()", "(() => { const e = new Error('m'); e.stack = 'custom €'; return e; })()",
                "Buffer.from('hi')", "Buffer.alloc(0)", "new Uint8Array([1, 2, 3])", "new Int8Array([-1])", "new Uint8ClampedArray([255])",
                "new Int16Array([-2])", "new Uint16Array([65535])", "new Int32Array([-3])", "new Uint32Array([4e9])",
                "new Float32Array([1.5])", "new Float64Array([Math.PI])", "new BigInt64Array([-5n])", "new BigUint64Array([2n**64n - 1n])",
                "new DataView(new ArrayBuffer(3))", "new Uint8Array([1, 2, 3, 4]).subarray(1, 3)", "new Uint8Array([9, 8, 7]).buffer",
                "(() => { const b = Buffer.from('x'); return {a: b, b: b}; })()",
                "(() => { const ab = new ArrayBuffer(4); return [ab, new Uint8Array(ab, 1, 2), ab]; })()",
                "{id: 123456, status: 'paid', customer: {name: 'Ada Lovelace', vip: true, since: 1843},"
                        + " items: [{sku: 'SKU-1000', qty: 1, price: 9.99, taxable: true}], tags: ['priority', 'gift'], total: 987.65}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("herdValues")
    void whatHerdWritesNodeReadsAndWritesBackIdentically(String name, Object value, Object generic) {
        byte[] frame = new V8Serializer(V8Options.CHILD_PROCESS).serializeFrame(value);
        byte[] echoed = node.echoFrame(frame);
        assertThat(Hex.of(echoed)).isEqualTo(Hex.of(frame));
        ValueEquality.assertSame(generic, new V8Deserializer(V8Options.CHILD_PROCESS).deserialize(echoed, 4, echoed.length - 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeValues")
    void whatNodeWritesOnAChannelHerdReadsAndWritesBackIdentically(String expression) {
        byte[] frame = node.frameOf(expression);
        Object value = new V8Deserializer(V8Options.CHILD_PROCESS).deserialize(frame, 4, frame.length - 4);
        assertThat(Hex.of(new V8Serializer(V8Options.CHILD_PROCESS).serializeFrame(value))).isEqualTo(Hex.of(frame));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeValues")
    void whatV8SerializeWritesHerdReadsAndWritesBackIdentically(String expression) {
        byte[] payload = node.serializeOf(expression);
        assertThat(Hex.of(V8.serialize(V8.deserialize(payload)))).isEqualTo(Hex.of(payload));
    }

    @Test
    void nodeReadsHerdValuesAsTheJavaScriptValuesTheyStandFor() {
        assertThat(node.compare("2**31", V8.serialize(2147483648L))).isEqualTo("equal");
        assertThat(node.compare("-0", V8.serialize(-0.0))).isEqualTo("equal");
        assertThat(node.compare("[1.5, 2]", V8.serialize(list(1.5, 2)))).isEqualTo("equal");
        assertThat(node.compare("-(2n**100n)", V8.serialize(BigInteger.TWO.pow(100).negate()))).isEqualTo("equal");
        assertThat(node.compare("'a\\ud800€'", V8.serialize("a\uD800€"))).isEqualTo("equal");
        assertThat(node.compare("new Date(1700000000123)", V8.serialize(Instant.ofEpochMilli(1700000000123L)))).isEqualTo("equal");
        assertThat(node.compare("(v) => v instanceof Date && Number.isNaN(v.getTime())", V8.serialize(InvalidDate.INSTANCE)))
                .isEqualTo("equal");
        assertThat(node.compare("/x/gimsuy", V8.serialize(new JsRegExp("x", "gimsuy")))).isEqualTo("equal");
        assertThat(node.compare("new Map([[{a: 1}, new Set([1])]])", V8.serialize(mapOf(object("a", 1), new LinkedHashSet<>(List.of(1))))))
                .isEqualTo("equal");
        assertThat(node.compare("Buffer.from([1, 2])", V8.serialize(new byte[] {1, 2}))).isEqualTo("equal");
        assertThat(node.compare("new BigUint64Array([1n])", V8.serialize(TypedArray.copyOf(TypedArray.Kind.BIGUINT64,
                new byte[] {1, 0, 0, 0, 0, 0, 0, 0})))).isEqualTo("equal");
        assertThat(node.compare("{1: 'a', x: undefined}", V8.serialize(object("x", Undefined.INSTANCE, "1", "a")))).isEqualTo("equal");
        assertThat(node.compare("(() => { const a = []; a[3] = 'x'; return a; })()", V8.serialize(sparse(4, 3, "x")))).isEqualTo("equal");
    }

    @Test
    void nodeValuesAreReadIntoTheirJavaForm() {
        ValueEquality.assertSame("\uD800", read("'\\ud800'"));
        ValueEquality.assertSame("\uD83D\uDE00", read("'😀'"));
        ValueEquality.assertSame(BigInteger.TWO.pow(1000).add(BigInteger.valueOf(7)), read("2n**1000n + 7n"));
        ValueEquality.assertSame(-0.0, read("-0"));
        ValueEquality.assertSame(9007199254740991L, read("2**53-1"));
        ValueEquality.assertSame(9007199254740992.0, read("2**53"));
        ValueEquality.assertSame(sparse(6, 5, "x"), read("(() => { const a = []; a[5] = 'x'; return a; })()"));
        ValueEquality.assertSame(list(0, 0, 0), read("new Array(3).fill(0)"));
        ValueEquality.assertSame("s", read("new String('s')"));
        ValueEquality.assertSame(new JsRegExp("a", "vy"), read("new RegExp('a', 'yv')"));
        ValueEquality.assertSame(new JsError("TypeError", "t", "S", 42), read("Object.assign(new TypeError('t', {cause: 42}), {stack: 'S'})"));
        ValueEquality.assertSame(new JsError("Error", "", "S", Undefined.INSTANCE), read("Object.assign(new Error(), {stack: 'S'})"));
        ValueEquality.assertSame(list(1), read("Object.assign([1], {named: 'dropped'})"));
    }

    @Test
    void nodeReadsHerdValuesNestedAsDeepAsTheLimit() {
        Object deep = "leaf";
        for (int i = 0; i < V8Options.DEFAULT_MAX_DEPTH; i++) {
            deep = list(deep);
        }
        String depthIs = "(v) => { let d = 0; while (Array.isArray(v)) { v = v[0]; d++; } return v === 'leaf' && d === "
                + V8Options.DEFAULT_MAX_DEPTH + "; }";
        assertThat(node.compare(depthIs, V8.serialize(deep))).isEqualTo("equal");
    }

    @Test
    void numericPropertyKeysAreNamedAsJavaScriptNamesThem() {
        // V8 writes only array indices as number keys, but a key may be any number: its name is String(key).
        double[] keys = {1.5, -1, 0.1, 1e21, 1e-7, 1.5e-7, 123456789012345680000.0, 4294967295.0, -0.0, Double.NaN,
                Double.POSITIVE_INFINITY, 5e-324, 1.7976931348623157e308, 0.000001, 1e20, 2.5e-6};
        // Subnormals with few bits, where Java's digits are not JavaScript's (4.9E-324 vs 5e-324).
        double[] tiny = new double[40];
        for (int i = 0; i < tiny.length; i++) {
            tiny[i] = Double.MIN_VALUE * (i + 1) * (i % 2 == 0 ? 1 : 1000);
        }
        for (double key : java.util.stream.DoubleStream.concat(java.util.Arrays.stream(keys), java.util.Arrays.stream(tiny)).toArray()) {
            byte[] payload = new byte[15];
            java.nio.ByteBuffer.wrap(payload).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .put((byte) 0xff).put((byte) 0x0f).put((byte) 'o').put((byte) 'N').putDouble(key).put((byte) 'T').put((byte) '{').put((byte) 1);
            String name = (String) ((Map<?, ?>) V8.deserialize(payload)).keySet().iterator().next();
            assertThat(node.compare("(v) => Object.keys(v)[0] === " + jsString(name), payload)).as("key %s named %s", key, name)
                    .isEqualTo("equal");
        }
    }

    private static String jsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static Object read(String expression) {
        return V8.deserialize(node.serializeOf(expression));
    }

    // ---- helpers ----

    private static void add(List<Arguments> out, String name, Object value) {
        out.add(Arguments.of(name, value, value));
    }

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

    static JsMap mapOf(Object key, Object value) {
        JsMap m = new JsMap();
        m.put(key, value);
        return m;
    }

    static JsArray sparse(long length, long index, Object value) {
        JsArray a = new JsArray(length);
        a.put(index, value);
        return a;
    }

    /** The ~1 KiB message of the serialize benchmark. */
    static Map<String, Object> order() {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            items.add(object("sku", "SKU-" + (1000 + i), "title", "Item number " + i, "qty", i + 1, "price", 9.99 + i,
                    "taxable", i % 2 == 0));
        }
        return object("id", 123456, "status", "paid",
                "customer", object("name", "Ada Lovelace", "email", "ada@example.com", "vip", true, "since", 1843),
                "items", items, "tags", list("priority", "gift", "export"), "total", 987.65,
                "createdAt", "2026-12-03T06:00:00.000Z", "note", "Leave at the door; ring twice. Fragile contents inside.");
    }
}
