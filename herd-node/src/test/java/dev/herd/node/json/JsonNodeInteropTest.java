package dev.herd.node.json;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.value.ArrayBuffer;
import dev.herd.node.value.InvalidDate;
import dev.herd.node.value.JsArray;
import dev.herd.node.value.JsError;
import dev.herd.node.value.JsMap;
import dev.herd.node.value.JsRegExp;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.TypedArray;
import dev.herd.node.value.Undefined;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Herd's JSON against the real node, byte for byte. One node process runs for the whole class:
 * every case of every test is queued as one line of a batch, node answers each line with what
 * JSON.stringify / JSON.parse gave (hex-encoded UTF-8, or the error's name and message), and each
 * test compares its share with what {@link Json} gives for the Java equivalent.
 *
 * <p>Directions covered: Java values → text (expressions, random doubles, random strings with
 * astral characters and lone surrogates); texts → values → text (hand-written texts, texts node
 * writes from random values, texts with ill-formed UTF-8, and mutated texts whose acceptance and
 * SyntaxError message must both match).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonNodeInteropTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Answers each input line: X expr | D double bits | S UTF-16 units | P bytes to parse | J count of random texts. */
    private static final String SCRIPT = """
            'use strict';
            const { StringDecoder } = require('string_decoder');
            const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
            function run(f) {
              try { const s = f(); return s === undefined ? 'U' : 'R ' + hex(s); }
              catch (e) { return 'E ' + hex(e.name + ': ' + e.message); }
            }
            function units(h) {
              let s = '';
              for (let i = 0; i < h.length; i += 4) s += String.fromCharCode(parseInt(h.substr(i, 4), 16));
              return s;
            }
            // As the IPC channel reads a line: a streaming UTF-8 decoder, U+FFFD for bad bytes.
            function decode(h) { const d = new StringDecoder('utf8'); return d.write(Buffer.from(h, 'hex')) + d.end(); }
            function mulberry32(a) {
              return () => {
                a = (a + 0x6D2B79F5) | 0;
                let t = Math.imul(a ^ (a >>> 15), 1 | a);
                t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
                return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
              };
            }
            const KEYS = ['a', 'b', '0', '1', '7', '10', '01', '-1', '1.5', '4294967294', '4294967295', '', ' ',
              'constructor', 'toString', '\\u00e9', '\\u{1F600}', '\\ud800', 'x\\ny', '"q"'];
            function str(r) {
              let s = '';
              const n = Math.floor(r() * 12);
              for (let i = 0; i < n; i++) {
                const k = Math.floor(r() * 6);
                if (k === 0) s += String.fromCharCode(Math.floor(r() * 0x20));
                else if (k === 1) s += String.fromCharCode(0x20 + Math.floor(r() * 0x60));
                else if (k === 2) s += String.fromCharCode(0x80 + Math.floor(r() * 0x780));
                else if (k === 3) s += String.fromCharCode(0x800 + Math.floor(r() * 0xF7FF));
                else if (k === 4) s += String.fromCodePoint(0x10000 + Math.floor(r() * 0x100000));
                else s += String.fromCharCode(0xD800 + Math.floor(r() * 0x800));
              }
              return s;
            }
            function num(r) {
              const k = Math.floor(r() * 4);
              if (k === 0) return Math.floor(r() * 2000) - 1000;
              if (k === 1) return (r() - 0.5) * Math.pow(10, Math.floor(r() * 40) - 20);
              const b = Buffer.alloc(8);
              for (let i = 0; i < 8; i++) b[i] = Math.floor(r() * 256);
              const d = b.readDoubleLE(0);
              return Number.isFinite(d) ? d : -0;
            }
            function value(r, depth) {
              switch (Math.floor(r() * (depth > 0 ? 9 : 5))) {
                case 0: return null;
                case 1: return r() < 0.5;
                case 2: return num(r);
                case 3: case 4: return str(r);
                case 5: case 6: {
                  const a = [];
                  for (let i = Math.floor(r() * 5); i > 0; i--) a.push(value(r, depth - 1));
                  return a;
                }
                default: {
                  const o = {};
                  for (let i = Math.floor(r() * 6); i > 0; i--) {
                    const key = r() < 0.5 ? KEYS[Math.floor(r() * KEYS.length)] : str(r);
                    Object.defineProperty(o, key, { value: value(r, depth - 1), enumerable: true, writable: true, configurable: true });
                  }
                  return o;
                }
              }
            }
            const out = [];
            for (const line of require('fs').readFileSync(0, 'latin1').split('\\n')) {
              if (!line) continue;
              const arg = line.slice(2);
              switch (line[0]) {
                case 'X': out.push(run(() => JSON.stringify(new Function('return (' + Buffer.from(arg, 'hex').toString('utf8') + ')')()))); break;
                case 'D': { const b = Buffer.from(arg, 'hex'); out.push(run(() => JSON.stringify(b.readDoubleBE(0)))); break; }
                case 'S': out.push(run(() => JSON.stringify(units(arg)))); break;
                case 'P': out.push(run(() => JSON.stringify(JSON.parse(decode(arg))))); break;
                case 'J': {
                  const [seed, count] = arg.split(' ').map(Number);
                  const r = mulberry32(seed);
                  const texts = [];
                  for (let i = 0; i < count; i++) texts.push(hex(JSON.stringify(value(r, 4))));
                  out.push('R ' + texts.join(','));
                  break;
                }
                default: out.push('E ' + hex('bad line'));
              }
            }
            process.stdout.write(out.join('\\n') + '\\n');
            """;

    /** A JavaScript expression and the Java value that stands for the same JavaScript value. */
    private record Expression(String js, Supplier<Object> java) {
    }

    private static final List<String> REQUESTS = new ArrayList<>();
    private static List<String> responses;

    private static final List<Expression> EXPRESSIONS = expressions();
    private static int expressionsAt;
    private static final List<Double> DOUBLES = doubles();
    private static int doublesAt;
    private static final List<String> STRINGS = strings();
    private static int stringsAt;
    private static final List<String> VALID_TEXTS = validTexts();
    private static int validTextsAt;
    private static final List<String> INVALID_TEXTS = invalidTexts();
    private static int invalidTextsAt;
    private static final List<String> MUTATED_TEXTS = mutatedTexts();
    private static int mutatedTextsAt;
    private static final List<byte[]> ILL_FORMED = illFormedUtf8();
    private static int illFormedAt;
    private static final int NODE_TEXT_BATCHES = 4;
    private static final int NODE_TEXTS_PER_BATCH = 250;
    private static int nodeTextsAt;

    @BeforeAll
    static void askNode() throws IOException, InterruptedException {
        expressionsAt = REQUESTS.size();
        for (Expression e : EXPRESSIONS) {
            REQUESTS.add("X " + HEX.formatHex(e.js().getBytes(StandardCharsets.UTF_8)));
        }
        doublesAt = REQUESTS.size();
        for (double d : DOUBLES) {
            REQUESTS.add("D " + HEX.toHexDigits(Double.doubleToRawLongBits(d)));
        }
        stringsAt = REQUESTS.size();
        for (String s : STRINGS) {
            StringBuilder units = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                units.append(HEX.toHexDigits(s.charAt(i)));
            }
            REQUESTS.add("S " + units);
        }
        validTextsAt = addTexts(VALID_TEXTS);
        invalidTextsAt = addTexts(INVALID_TEXTS);
        mutatedTextsAt = addTexts(MUTATED_TEXTS);
        illFormedAt = REQUESTS.size();
        for (byte[] b : ILL_FORMED) {
            REQUESTS.add("P " + HEX.formatHex(b));
        }
        nodeTextsAt = REQUESTS.size();
        for (int i = 0; i < NODE_TEXT_BATCHES; i++) {
            REQUESTS.add("J " + (1000 + i) + " " + NODE_TEXTS_PER_BATCH);
        }

        Process node = new ProcessBuilder("node", "-e", SCRIPT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = node.getOutputStream()) {
            in.write((String.join("\n", REQUESTS) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        responses = out.lines().toList();
        assertThat(responses).hasSameSizeAs(REQUESTS);
    }

    private static int addTexts(List<String> texts) {
        int at = REQUESTS.size();
        for (String t : texts) {
            REQUESTS.add("P " + HEX.formatHex(t.getBytes(StandardCharsets.UTF_8)));
        }
        return at;
    }

    // ---- the comparisons ----

    /** Herd's answer in node's form: R hex, U, or E hex of "Name: message". */
    private static String herdStringify(Supplier<Object> value) {
        try {
            byte[] text = Json.stringifyUtf8(value.get());
            return text == null ? "U" : "R " + HEX.formatHex(text);
        } catch (SerializationException e) {
            return "E " + HEX.formatHex(utf8AsNodeEncodes(e.jsName() + ": " + e.getMessage()));
        }
    }

    /** UTF-8 as Buffer.from(s) writes it: a lone surrogate (V8 messages may quote one) as U+FFFD, not Java's '?'. */
    private static byte[] utf8AsNodeEncodes(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String herdReparse(byte[] text) {
        return herdStringify(() -> Json.parse(text, 0, text.length));
    }

    private static String readable(String answer) {
        return answer.length() < 2 ? answer : answer.charAt(0) + " " + new String(HEX.parseHex(answer.substring(2)), StandardCharsets.UTF_8);
    }

    /** Compares case i of a group, collecting a readable line per difference. */
    private static void compare(List<String> differences, String what, int request, String herd) {
        String node = responses.get(request);
        if (!node.equals(herd)) {
            differences.add(what + "\n      node: " + readable(node) + "\n      herd: " + readable(herd));
        }
    }

    @Test
    void valuesStringifyAsNodeStringifiesTheSameJavaScriptValues() {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < EXPRESSIONS.size(); i++) {
            Expression e = EXPRESSIONS.get(i);
            compare(differences, e.js(), expressionsAt + i, herdStringify(e.java()));
        }
        assertThat(differences).as("%d expressions", EXPRESSIONS.size()).isEmpty();
    }

    @Test
    void doublesPrintAsNodePrintsThem() {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < DOUBLES.size(); i++) {
            double d = DOUBLES.get(i);
            compare(differences, Double.toString(d), doublesAt + i, herdStringify(() -> d));
        }
        assertThat(differences).as("%d doubles", DOUBLES.size()).isEmpty();
    }

    @Test
    void stringsAreEscapedAsNodeEscapesThem() {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < STRINGS.size(); i++) {
            String s = STRINGS.get(i);
            compare(differences, "string #" + i, stringsAt + i, herdStringify(() -> s));
        }
        assertThat(differences).as("%d strings", STRINGS.size()).isEmpty();
    }

    @Test
    void handWrittenTextsParseToWhatNodeParses() {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < VALID_TEXTS.size(); i++) {
            compare(differences, VALID_TEXTS.get(i), validTextsAt + i, herdReparse(VALID_TEXTS.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(differences).isEmpty();
        assertThat(responses.subList(validTextsAt, validTextsAt + VALID_TEXTS.size())).allMatch(r -> r.startsWith("R "));
    }

    @Test
    void textsNodeRefusesAreRefusedWithNodesSyntaxError() {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < INVALID_TEXTS.size(); i++) {
            String text = INVALID_TEXTS.get(i);
            compare(differences, text, invalidTextsAt + i, herdReparse(text.getBytes(StandardCharsets.UTF_8)));
            compare(differences, text + " (String form)", invalidTextsAt + i, herdStringify(() -> Json.parse(text)));
        }
        assertThat(differences).isEmpty();
        assertThat(responses.subList(invalidTextsAt, invalidTextsAt + INVALID_TEXTS.size())).allMatch(r -> r.startsWith("E "));
    }

    @Test
    void mutatedTextsAreAcceptedOrRefusedExactlyAsByNode() {
        List<String> differences = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < MUTATED_TEXTS.size(); i++) {
            String text = MUTATED_TEXTS.get(i);
            compare(differences, text, mutatedTextsAt + i, herdReparse(text.getBytes(StandardCharsets.UTF_8)));
            refused += responses.get(mutatedTextsAt + i).startsWith("E ") ? 1 : 0;
        }
        assertThat(differences).as("%d mutated texts", MUTATED_TEXTS.size()).isEmpty();
        assertThat(refused).isBetween(MUTATED_TEXTS.size() / 4, MUTATED_TEXTS.size() - MUTATED_TEXTS.size() / 10);
    }

    @Test
    void illFormedUtf8IsDecodedAsNodesIpcDecodesIt() {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < ILL_FORMED.size(); i++) {
            compare(differences, HEX.formatHex(ILL_FORMED.get(i)), illFormedAt + i, herdReparse(ILL_FORMED.get(i)));
        }
        assertThat(differences).as("%d byte strings", ILL_FORMED.size()).isEmpty();
    }

    @Test
    void textsNodeWritesRoundTripByteForByte() {
        List<String> differences = new ArrayList<>();
        int count = 0;
        for (int b = 0; b < NODE_TEXT_BATCHES; b++) {
            String line = responses.get(nodeTextsAt + b);
            assertThat(line).startsWith("R ");
            for (String hex : line.substring(2).split(",")) {
                byte[] text = HEX.parseHex(hex);
                String herd = herdReparse(text);
                if (!herd.equals("R " + hex)) {
                    differences.add(readable("R " + hex) + "\n      herd: " + readable(herd));
                }
                count++;
            }
        }
        assertThat(count).isEqualTo(NODE_TEXT_BATCHES * NODE_TEXTS_PER_BATCH);
        assertThat(differences).isEmpty();
    }

    // ---- the cases ----

    private static Expression x(String js, Supplier<Object> java) {
        return new Expression(js, java);
    }


    private static TypedArray typed(TypedArray.Kind kind, int capacity, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return TypedArray.copyOf(kind, b.array());
    }

    record Item(String sku, int qty) {
    }

    /** An object whose only property is a toJSON method: JavaScript serializes it as {}. */
    record OnlyToJson() implements ToJson {
        @Override
        public Object toJSON(String key) {
            return 1;
        }
    }

    private static List<Expression> expressions() {
        List<Expression> l = new ArrayList<>();
        // shared/spec/ipcspec/t16_json_format.js, case for case.
        l.add(x("'\\ud800'", () -> "\uD800"));
        l.add(x("'\\u{1F600}'", () -> "\uD83D\uDE00"));
        l.add(x("'\\u2028'", () -> "\u2028"));
        l.add(x("'\\x7f\\x85'", () -> "\u007f\u0085"));
        l.add(x("'\\x00\\x01\\x08\\x09\\x0a\\x0c\\x0d\\x1f'", () -> "\u0000\u0001\b\t\n\f\r\u001f"));
        l.add(x("'\"\\\\/'", () -> "\"\\/"));
        l.add(x("-0", () -> -0.0));
        l.add(x("1e21", () -> 1e21));
        l.add(x("1e-7", () -> 1e-7));
        l.add(x("0.1 + 0.2", () -> 0.1 + 0.2));
        l.add(x("2 ** 53 + 2", () -> Math.pow(2, 53) + 2));
        l.add(x("123.0", () -> 123.0));
        l.add(x("NaN", () -> Double.NaN));
        l.add(x("-Infinity", () -> Double.NEGATIVE_INFINITY));
        l.add(x("new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6))", () -> Instant.parse("2020-01-02T03:04:05.006Z")));
        l.add(x("{ b: 1, a: 2, 1: 'x', 0: 'y' }", () -> object("b", 1, "a", 2, "1", "x", "0", "y")));
        l.add(x("[undefined, () => 1]", () -> Arrays.asList(Undefined.INSTANCE, (Supplier<Integer>) () -> 1)));
        l.add(x("{ toJSON() { return 'custom'; } }", () -> (ToJson) key -> "custom"));
        // numbers
        l.add(x("2 ** 53 + 1", () -> (1L << 53) + 1));
        l.add(x("2 ** 60", () -> 1L << 60));
        l.add(x("-(2 ** 63)", () -> Long.MIN_VALUE));
        l.add(x("[Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, Number.EPSILON, Number.MAX_SAFE_INTEGER]",
                () -> List.of(Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE, Math.ulp(1.0), (1L << 53) - 1)));
        l.add(x("[Math.fround(0.1), 1e300 * 1e10, 2147483647, -2147483648, 0.5, -1.25e-10]",
                () -> List.of(0.1f, Double.POSITIVE_INFINITY, Integer.MAX_VALUE, Integer.MIN_VALUE, 0.5, -1.25e-10)));
        l.add(x("[1, 2, 3].map((x) => x / 3)", () -> List.of(1 / 3.0, 2 / 3.0, 1.0)));
        // objects and arrays
        l.add(x("{ '4294967295': 1, '4294967294': 2, a: 3, '01': 4, '-0': 5, '1.5': 6, 10: 7, 9: 8 }",
                () -> object("4294967295", 1, "4294967294", 2, "a", 3, "01", 4, "-0", 5, "1.5", 6, "10", 7, "9", 8)));
        l.add(x("{ '': 1, ' ': 2, [String.fromCharCode(0xd800)]: 3, 'caf\\u00e9': 4 }",
                () -> object("", 1, " ", 2, "\uD800", 3, "café", 4)));
        l.add(x("{ a: undefined, b: () => 1, c: null, d: [undefined] }",
                () -> object("a", Undefined.INSTANCE, "b", (Runnable) () -> { }, "c", null, "d", Arrays.asList(Undefined.INSTANCE))));
        l.add(x("[[[]], {}, [{}], [[], {}]]", () -> List.of(List.of(List.of()), Map.of(), List.of(Map.of()), List.of(List.of(), Map.of()))));
        l.add(x("[1, , 3]", () -> {
            JsArray a = new JsArray(3);
            a.put(0, 1);
            a.put(2, 3);
            return a;
        }));
        l.add(x("new Array(3)", () -> new JsArray(3)));
        l.add(x("{ sku: 'A-1', qty: 2 }", () -> new Item("A-1", 2)));
        l.add(x("(() => { const s = [1]; return { a: s, b: [s, s] }; })()", () -> {
            List<Object> s = List.of(1);
            return object("a", s, "b", List.of(s, s));
        }));
        // toJSON
        l.add(x("{ x: { toJSON(k) { return k; } } }", () -> object("x", (ToJson) k -> k)));
        l.add(x("[{ toJSON(k) { return k; } }, 5, { toJSON(k) { return k; } }]",
                () -> List.of((ToJson) k -> k, 5, (ToJson) k -> k)));
        l.add(x("{ toJSON(k) { return k; } }", () -> (ToJson) k -> k));
        l.add(x("{ toJSON() { return new Date(0); } }", () -> (ToJson) k -> Instant.EPOCH));
        l.add(x("{ toJSON() { return Buffer.from('hi'); } }", () -> (ToJson) k -> new byte[] {104, 105}));
        l.add(x("{ toJSON() { return undefined; } }", () -> (ToJson) k -> Undefined.INSTANCE));
        l.add(x("{ a: { toJSON() { return undefined; } }, b: 1 }", () -> object("a", (ToJson) k -> Undefined.INSTANCE, "b", 1)));
        l.add(x("{ d: { toJSON() { return { toJSON() { return 1; } }; } } }", () -> object("d", (ToJson) k -> new OnlyToJson())));
        // dates
        l.add(x("[new Date(0), new Date(NaN), new Date(-1)]", () -> List.of(Instant.EPOCH, InvalidDate.INSTANCE, Instant.ofEpochMilli(-1))));
        l.add(x("new Date(Date.UTC(10000, 0, 1))", () -> Instant.parse("+10000-01-01T00:00:00Z")));
        l.add(x("new Date(-62198755200000)", () -> Instant.ofEpochMilli(-62198755200000L)));
        l.add(x("new Date(-62167219200000)", () -> Instant.ofEpochMilli(-62167219200000L)));
        l.add(x("[new Date(8.64e15), new Date(-8.64e15), new Date(8.64e15 + 1)]",
                () -> List.of(Instant.ofEpochMilli(8_640_000_000_000_000L), Instant.ofEpochMilli(-8_640_000_000_000_000L),
                        Instant.ofEpochMilli(8_640_000_000_000_001L))));
        l.add(x("new Date(253402300799999)", () -> new java.util.Date(253402300799999L)));
        // binary
        l.add(x("Buffer.from('hi')", () -> new byte[] {104, 105}));
        l.add(x("Buffer.alloc(0)", () -> new byte[0]));
        l.add(x("Buffer.from([0, 127, 128, 255])", () -> new byte[] {0, 127, (byte) 128, (byte) 255}));
        l.add(x("new Uint8Array([1, 2])", () -> TypedArray.copyOf(TypedArray.Kind.UINT8, new byte[] {1, 2})));
        l.add(x("new Uint8ClampedArray([255, 0])", () -> TypedArray.copyOf(TypedArray.Kind.UINT8_CLAMPED, new byte[] {-1, 0})));
        l.add(x("new Int8Array([-128, 5])", () -> TypedArray.copyOf(TypedArray.Kind.INT8, new byte[] {-128, 5})));
        l.add(x("new Int16Array([-2, 300])", () -> typed(TypedArray.Kind.INT16, 4, b -> b.putShort((short) -2).putShort((short) 300))));
        l.add(x("new Uint16Array([65535])", () -> typed(TypedArray.Kind.UINT16, 2, b -> b.putShort((short) -1))));
        l.add(x("new Int32Array([-1, 2147483647])", () -> typed(TypedArray.Kind.INT32, 8, b -> b.putInt(-1).putInt(Integer.MAX_VALUE))));
        l.add(x("new Uint32Array([4294967295])", () -> typed(TypedArray.Kind.UINT32, 4, b -> b.putInt(-1))));
        l.add(x("new Float32Array([0.1, -0, 1e30, NaN])",
                () -> typed(TypedArray.Kind.FLOAT32, 16, b -> b.putFloat(0.1f).putFloat(-0f).putFloat(1e30f).putFloat(Float.NaN))));
        l.add(x("new Float64Array([0.1, Infinity, 5e-324])",
                () -> typed(TypedArray.Kind.FLOAT64, 24, b -> b.putDouble(0.1).putDouble(Double.POSITIVE_INFINITY).putDouble(Double.MIN_VALUE))));
        l.add(x("new DataView(new ArrayBuffer(4))", () -> TypedArray.copyOf(TypedArray.Kind.DATA_VIEW, new byte[4])));
        l.add(x("new BigInt64Array(1)", () -> TypedArray.copyOf(TypedArray.Kind.BIGINT64, new byte[8])));
        l.add(x("new BigUint64Array(0)", () -> TypedArray.copyOf(TypedArray.Kind.BIGUINT64, new byte[0])));
        l.add(x("[new ArrayBuffer(3), new ArrayBuffer(0)]", () -> List.of(ArrayBuffer.allocate(3), ByteBuffer.allocate(0))));
        // objects without enumerable own properties
        l.add(x("[new Map([[1, 2]]), new Map([['a', 1]]), new Set([1])]", () -> {
            JsMap strings = new JsMap();
            strings.put("a", 1);
            Map<Object, Object> numbers = new LinkedHashMap<>();
            numbers.put(1, 2);
            return List.of(numbers, strings, new LinkedHashSet<>(List.of(1)));
        }));
        l.add(x("[/a+/g, new Error('boom'), new TypeError('bad')]",
                () -> List.of(new JsRegExp("a+", "g"), new IllegalStateException("boom"), new JsError("TypeError", "bad"))));
        // errors
        l.add(x("10n", () -> BigInteger.TEN));
        l.add(x("{ n: [1n] }", () -> object("n", List.of(BigInteger.ONE))));
        l.add(x("(() => { const a = {}; a.self = a; return a; })()", () -> {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("self", a);
            return a;
        }));
        l.add(x("(() => { const a = []; a.push(1, a); return a; })()", () -> {
            List<Object> a = new ArrayList<>();
            a.add(1);
            a.add(a);
            return a;
        }));
        l.add(x("(() => { const a = {}; const b = { a }; a.b = b; return [b]; })()", () -> {
            Map<String, Object> a = new LinkedHashMap<>();
            Map<String, Object> b = object("a", a);
            a.put("b", b);
            return List.of(b);
        }));
        l.add(x("(() => { const a = { b: [{ d: { e: {} } }] }; a.b[0].d.e.back = a; return { root: a }; })()", () -> {
            Map<String, Object> e = new LinkedHashMap<>();
            Map<String, Object> a = object("b", List.of(object("d", object("e", e))));
            e.put("back", a);
            return object("root", a);
        }));
        l.add(x("(() => { const x = {}; const z = [{ x }]; x.z = z; return { p: { q: x } }; })()", () -> {
            Map<String, Object> x = new LinkedHashMap<>();
            List<Object> z = List.of(object("x", x));
            x.put("z", z);
            return object("p", object("q", x));
        }));
        l.add(x("(() => { const a = [[[[[]]]]]; a[0][0][0][0].push(a); return a; })()", () -> {
            List<Object> inner = new ArrayList<>();
            List<Object> a = List.of(List.of(List.of(List.of(inner))));
            inner.add(a);
            return a;
        }));
        return l;
    }

    private static List<Double> doubles() {
        List<Double> l = new ArrayList<>();
        Random r = new Random(16);
        for (int i = 0; i < 2000; i++) {
            double d = Double.longBitsToDouble(r.nextLong());
            l.add(d);
        }
        for (int k = 1; k <= 200; k++) {
            l.add(k * Double.MIN_VALUE); // subnormals with few significant bits
            l.add(Math.scalb((double) k, -1070));
        }
        for (int e = -330; e <= 310; e++) {
            l.add(Double.parseDouble("1e" + e));
            l.add(Double.parseDouble("-4.35e" + e));
        }
        for (int e = -1074; e <= 1023; e += 7) {
            l.add(Math.scalb(1.0, e));
        }
        double[] edges = {0.000001, 0.0000001, 0.0000015, 1.5e-7, 1e21, 999999999999999900000.0, Math.nextDown(1e21), Math.nextUp(1e21),
            9007199254740991.0, 9007199254740992.0, 9007199254740994.0, 0.1, 0.2, 0.3, 1 / 3.0, 2 / 3.0, 100, 1e-6 * 3, 123456789.123,
            Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE, -0.0, 0.0, Double.NaN};
        for (double d : edges) {
            l.add(d);
        }
        for (int i = 0; i < 1000; i++) {
            // Short decimals (prices, measurements): r / 10^k, printed without going through a String.
            double scale = Math.pow(10, 1 + r.nextInt(7));
            l.add(r.nextLong((long) (1e7 * scale)) / scale * (r.nextBoolean() ? 1 : -1));
        }
        for (int i = 0; i < 500; i++) {
            // Full-precision non-integers in [1e-3, 1e7): printed from Double.toString as they are.
            double d = r.nextDouble() * Math.pow(10, r.nextInt(-3, 7));
            l.add(r.nextBoolean() ? d : -d);
        }
        l.add(9.99 + 7); // 16.990000000000002
        for (double d : new double[] {1.005, 2.675, 1234567.891, 9999999.999999, 0.001, 0.0009999, 9.99, 10.99, 987.65, 0.07, 1e7 - 0.5}) {
            l.add(d);
        }
        for (int i = 0; i < 300; i++) {
            l.add(r.nextDouble() * Math.pow(10, r.nextInt(60) - 30) * (r.nextBoolean() ? 1 : -1));
            l.add((double) r.nextFloat()); // floats widened: few significant digits, long expansions
        }
        return l;
    }

    private static List<String> strings() {
        List<String> l = new ArrayList<>();
        for (int c = 0; c < 0x100; c++) {
            l.add(String.valueOf((char) c));
        }
        for (char c : new char[] {'\u2028', '\u2029', '\uFEFF', '\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0800', '\u07FF'}) {
            l.add(String.valueOf(c));
        }
        l.add("\uD83D\uDE00");
        l.add("\uDE00\uD83D");
        l.add("\uD800\uD800\uDC00");
        l.add("\uD800\uDC00\uDC00");
        Random r = new Random(17);
        for (int i = 0; i < 1000; i++) {
            StringBuilder s = new StringBuilder();
            int n = r.nextInt(24);
            for (int j = 0; j < n; j++) {
                switch (r.nextInt(6)) {
                    case 0 -> s.append((char) r.nextInt(0x20));
                    case 1 -> s.append((char) (0x20 + r.nextInt(0x60)));
                    case 2 -> s.append((char) (0x80 + r.nextInt(0x780)));
                    case 3 -> s.append((char) (0x800 + r.nextInt(0xF800)));
                    case 4 -> s.appendCodePoint(0x10000 + r.nextInt(0x100000));
                    default -> s.append((char) (0xD800 + r.nextInt(0x800)));
                }
            }
            l.add(s.toString());
        }
        for (int i = 0; i < 300; i++) {
            // A plain ASCII run of about the length strings are written straight from (64), then
            // one char that is not plain ASCII, then more.
            String special = switch (i % 10) {
                case 0 -> "\"";
                case 1 -> "\\";
                case 2 -> "\n";
                case 3 -> String.valueOf((char) r.nextInt(0x20));
                case 4 -> "\u2028";
                case 5 -> "\u00e9";
                case 6 -> "\uD83D\uDE00";
                case 7 -> "\uD800";
                case 8 -> "\uDC00";
                default -> "\u007f";
            };
            l.add("a".repeat(r.nextInt(56, 72)) + special + "b".repeat(r.nextInt(3)));
        }
        return l;
    }

    private static List<String> validTexts() {
        return List.of("{\"b\":1,\"a\":2,\"1\":3,\"b\":4}", "{\"__proto__\":{\"x\":1},\"a\":1}", "\"\\ud800\"", "\"\\udc00\\ud800\"",
                "\"\\u0041\\/\\b\\f\\n\\r\\t\\\"\\\\\"", " \r\n\t[1 , 2 ]\r\n", "1e400", "-1e400", "1e-400", "-0", "[-0,-0.0,0e5,-0e-5]",
                "123456789012345678901234567890", "0.1e1", "-1.5E-3", "1E+2", "[1.0,100e-2,4.35,0.1,1e-7,5e-324,2.5e-324]",
                "{\"\\u0031\":1,\"a\":2,\"0\":3}", "{\"a\":{\"a\":{\"a\":[]}}}", "[]", "{}", "\"\"", "\"\\u2028\"", "\"\u2028\u2029\"",
                "\"\u007f\u0085\u00e9\uD83D\uDE00\"", "\"\uD800\"", "{\"\":0}", "9007199254740993", "-9223372036854775809",
                "{\"a\":1,\"a\":{\"b\":2},\"a\":3}", "{\"10\":1,\"9\":2,\"a\":3,\"01\":4,\"4294967295\":5,\"4294967294\":6}",
                "[true,false,null]", "true", "null", "\"x\"", "0", "[0.30000000000000004,1e21,1e+21,1E21,100000000000000000000]",
                "{\"constructor\":1,\"toString\":2,\"hasOwnProperty\":3}");
    }

    private static List<String> invalidTexts() {
        return List.of("", " ", "\r\n", "[1,]", "{\"a\":1,}", "{,}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "//c\n1", "/*c*/1", "'a'",
                "NaN", "-Infinity", "Infinity", "undefined", "[object Object]", "01", "-01", "00", "1.", ".5", "+1", "-", "1e", "1e+",
                "--1", "\"\u0001\"", "\"a\nb\"", "\"\\x41\"", "\"\\u12G4\"", "\"abc", "[1", "{\"a\":1", "{\"a\":", "{\"a\"", "[1]x",
                "1 2", "{}{}", "tru", "truex", "trux", "nul", "fals", "\uFEFF1", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,x]",
                "x234567890123456789012345", "123456789012345678901234567890x", "{\"a\":1}}", "]", "}", "[}", "{]", "\"\\u00\"",
                "\"\\", "\"\t\"", "1\u00a0", "[1,,2]", "{\"a\":1,,\"b\":2}", "True", "[-]", "[1e5.5]", "\"\\ud800\"x", "0x10", "1_000",
                "{1:2}", "{\"a\":1,\"b\"}", "[\n1,\n2,\n]", "abc", "{\"a\":1,\"b\" 2}", "{\"a\":1,\"b\"", "[\"a\":1]", "\"\\u\"",
                "tr\"", "t1", "[\"\u20ac\\\u20ac\"]", "\"\\\uD83D\uDE00\"", "{\"a\":[}]}", "0.e1", "1.5e", "1E+x", "-0x", "[,1]",
                "[1]]", "{\"a\":1]", "[1}", "{\"a\"::1}", "{\"a\":1,\"b\":}", "\u0000", "1\u0000", "[\"\u0000\"]", "\u3000[]",
                "x".repeat(30), "[" + "1,".repeat(20) + "x" + ",2".repeat(20) + "]", "{\"" + "k".repeat(40) + "\"x}");
    }

    /** Valid documents with one to three random edits: a mix of texts node accepts and refuses. */
    private static List<String> mutatedTexts() {
        String[] bases = {
            "{\"a\":[1,-2.5e3,\"s\\n\\u00e9\",true,false,null,{}],\"b\":{\"c\":[]}}",
            "[0,1.5,-0,1e21,\"x\\\"y\",{\"k\":\"v\",\"1\":2}]",
            "{\"id\":123456,\"status\":\"paid\",\"tags\":[\"a\",\"b\"],\"total\":987.65,\"vip\":true}",
            "\"plain string with \\u2028 and \\ud800\"",
            " [ { \"x\" : [ ] } , null ] ",
            "-12.5e-3",
        };
        char[] alphabet = " \t\n\r{}[],:\"\\/0123456789.-+eEtrufalsnx'u\u00e9\u2028\u0001\u00a0".toCharArray();
        Random r = new Random(18);
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            StringBuilder s = new StringBuilder(bases[r.nextInt(bases.length)]);
            for (int edits = 1 + r.nextInt(3); edits > 0; edits--) {
                int at = r.nextInt(s.length() + 1);
                char c = alphabet[r.nextInt(alphabet.length)];
                switch (r.nextInt(3)) {
                    case 0 -> s.insert(at, c);
                    case 1 -> {
                        if (at < s.length()) {
                            s.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < s.length()) {
                            s.setCharAt(at, c);
                        }
                    }
                }
            }
            l.add(s.toString());
        }
        return l;
    }

    /** Byte strings with ill-formed UTF-8, inside JSON strings and outside them. */
    private static List<byte[]> illFormedUtf8() {
        int[] edgy = {0x41, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1,
            0xf4, 0xf5, 0xff, 0xfe, 0xbb, 0x5c};
        Random r = new Random(19);
        List<byte[]> l = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            int n = 1 + r.nextInt(8);
            byte[] b = new byte[n + 2];
            for (int j = 1; j <= n; j++) {
                b[j] = (byte) (r.nextInt(5) < 4 ? edgy[r.nextInt(edgy.length)] : r.nextInt(256));
            }
            b[0] = '"';
            b[n + 1] = '"';
            if (i % 10 == 0) {
                b[0] = '[';
                b[n + 1] = ']';
            }
            l.add(b);
        }
        return l;
    }
}
