package dev.herd.node.json;

import dev.herd.node.value.JsArray;
import dev.herd.node.value.JsMap;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.TypedArray;
import dev.herd.node.value.Values;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * One {@code JSON.stringify} run: writes the UTF-8 of a value's JSON text into a growing byte
 * array. Containers are walked with an explicit stack of {@link Frame}s, never by recursion, so
 * nesting depth is bounded by {@link Json#MAX_DEPTH} and not by the thread's stack; the same stack
 * is the path that cycle detection and V8's "circular structure" message are made from.
 *
 * <p>The steps follow ECMAScript's SerializeJSONProperty: {@code toJSON} first ({@link ToJson},
 * Date's, Buffer's), then the value by kind. A property whose value is undefined or a function is
 * written speculatively and rolled back, which saves classifying every value twice.
 *
 * <p>One thread at a time: {@link #acquire} lends a thread its reused writer, {@link #release}
 * takes it back; the table of encoded property names is shared by all threads.
 */
final class JsonWriter {
    /** V8's String::kMaxLength (2^29 - 24 UTF-16 units): JSON.stringify throws beyond it. */
    static final int MAX_STRING_LENGTH = (1 << 29) - 24;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    private static final long MAX_SAFE = Values.MAX_SAFE_INTEGER;
    private static final double MAX_TIME = 8.64e15;

    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Per ASCII char: 0 = as is, else the letter of its short escape, or 'u' for \\u00XX. */
    private static final byte[] ESCAPE = new byte[128];
    /** Per byte value 0..255: its decimal digits and a comma, little-endian in an int; and how many bytes. */
    private static final int[] BYTE_TEXT = new int[256];
    private static final byte[] BYTE_TEXT_LENGTH = new byte[256];
    private static final byte[] BUFFER_HEAD = "{\"type\":\"Buffer\",\"data\":[".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPE[c] = 'u';
        }
        ESCAPE['\b'] = 'b';
        ESCAPE['\t'] = 't';
        ESCAPE['\n'] = 'n';
        ESCAPE['\f'] = 'f';
        ESCAPE['\r'] = 'r';
        ESCAPE['"'] = '"';
        ESCAPE['\\'] = '\\';
        for (int b = 0; b < 256; b++) {
            byte[] text = (b + ",").getBytes(StandardCharsets.US_ASCII);
            int packed = 0;
            for (int i = text.length - 1; i >= 0; i--) {
                packed = (packed << 8) | text[i];
            }
            BYTE_TEXT[b] = packed;
            BYTE_TEXT_LENGTH[b] = (byte) text.length;
        }
    }

    /** Chars of a string are encoded this many at a time, through {@link #chars}. */
    private static final int CHUNK = 512;

    private byte[] buf;
    private int pos;
    private final char[] chars = new char[CHUNK];
    /** The low surrogate starting the next chunk was already written, paired with the last chunk's high one. */
    private boolean pendingLow;
    /** Output bytes minus output UTF-16 units so far: V8's length limit counts units. */
    private long extraBytes;
    private Frame[] frames = new Frame[8];
    private int depth;

    JsonWriter(int capacity) {
        buf = new byte[capacity];
    }

    /** Each thread's idle writer, kept between calls with its buffer (see {@link #acquire}). */
    private static final ThreadLocal<JsonWriter[]> IDLE = ThreadLocal.withInitial(() -> new JsonWriter[1]);
    /** A reused writer starts with this much room ... */
    private static final int REUSED_CAPACITY = 4096;
    /** ... and keeps a buffer it grew into while it is at most this large. */
    private static final int REUSED_MAX = 64 * 1024;

    /**
     * This thread's idle writer, or a new one when it has none: a writer is taken out while in use,
     * so a toJSON that stringifies on the same thread gets a writer of its own. Give it back with
     * {@link #release}. A 1 KiB message then costs one array (its result), not a buffer grown
     * three times and a char chunk.
     */
    static JsonWriter acquire() {
        JsonWriter[] idle = IDLE.get();
        JsonWriter w = idle[0];
        if (w == null) {
            return new JsonWriter(REUSED_CAPACITY);
        }
        idle[0] = null;
        return w;
    }

    /** Resets this writer (after success or a throw) and makes it this thread's idle one. */
    void release() {
        if (buf.length > REUSED_MAX) {
            buf = new byte[REUSED_CAPACITY];
        }
        pos = 0;
        extraBytes = 0;
        pendingLow = false;
        Arrays.fill(frames, 0, depth, null); // after a throw: no references to the caller's objects
        depth = 0;
        IDLE.get()[0] = this;
    }

    /**
     * The text and a {@code '\n'}: in one new array, or for a line over {@link #REUSED_MAX} (whose
     * buffer {@link #release} would drop anyway) in this writer's buffer, handed over.
     */
    ByteBuffer toLineBuffer() {
        if (pos + 1 <= REUSED_MAX || pos + 1 > buf.length) {
            return ByteBuffer.wrap(toLine());
        }
        buf[pos] = '\n';
        ByteBuffer line = ByteBuffer.wrap(buf, 0, pos + 1);
        buf = new byte[REUSED_CAPACITY];
        return line;
    }

    /** The text and a {@code '\n'} in one new array: a line of Node's IPC channel. */
    byte[] toLine() {
        byte[] line = Arrays.copyOf(buf, pos + 1);
        line[pos] = '\n';
        return line;
    }

    /** Writes {@code value}'s JSON text; false when JSON.stringify would return undefined. */
    boolean write(Object value) {
        boolean written = value instanceof ToJson t ? writeValue(t.toJSON(""), true, "") : writeValue(value, false, "");
        if (!written) {
            return false;
        }
        while (depth > 0) {
            if (!frames[depth - 1].next(this)) {
                frames[--depth] = null;
            }
        }
        checkLength();
        return true;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    String toJavaString() {
        return new String(buf, 0, pos, StandardCharsets.UTF_8);
    }

    // ---- values ----

    /** An array element: toJSON(index), then the value, null for undefined and functions. */
    private void writeElement(Object v, int index) {
        boolean written = v instanceof ToJson t ? writeValue(t.toJSON(Integer.toString(index)), true, index)
                : writeValue(v, false, index);
        if (!written) {
            writeAscii("null");
        }
    }

    /** An object member {@code "key":value}, with a leading comma unless first; dropped (false) for undefined and functions. */
    private boolean writeMember(String key, Object v, boolean first) {
        int mark = pos;
        long markExtra = extraBytes;
        if (!first) {
            writeByte(',');
        }
        writeKey(key);
        boolean written = v instanceof ToJson t ? writeValue(t.toJSON(key), true, key) : writeValue(v, false, key);
        if (!written) {
            pos = mark;
            extraBytes = markExtra;
        }
        return written;
    }

    /**
     * Writes one value (a container is opened and its frame pushed); false, writing nothing, for
     * undefined and functions. {@code afterToJson}: the value is a toJSON result, whose own toJSON
     * (a Date's, a Buffer's) JavaScript does not call again. {@code key} is where it was found.
     */
    private boolean writeValue(Object v, boolean afterToJson, Object key) {
        // The common generic-form classes first, before the full classification.
        if (v == null) {
            writeAscii("null");
        } else if (v instanceof String s) {
            writeString(s);
        } else if (v instanceof Integer i) {
            writeLong(i);
        } else if (v instanceof Boolean b) {
            writeAscii(b ? "true" : "false");
        } else if (v instanceof Double d) {
            writeDouble(d);
        } else if (v instanceof Long l) {
            writeLongNumber(l);
        } else if (v instanceof Map<?, ?> m && !(v instanceof JsMap)) {
            openMap(m, key);
        } else if (v instanceof List<?> l && !(v instanceof JsArray)) {
            openList(l, key);
        } else {
            return writeOther(v, afterToJson, key);
        }
        return true;
    }

    private boolean writeOther(Object v, boolean afterToJson, Object key) {
        switch (Values.kindOf(v)) {
            case UNDEFINED, FUNCTION -> {
                return false;
            }
            case NULL -> writeAscii("null");
            case BOOLEAN -> writeAscii((Boolean) v ? "true" : "false");
            case NUMBER -> writeNumber(v);
            case BIGINT -> throw new SerializationException("TypeError", "Do not know how to serialize a BigInt");
            case STRING -> writeString(Values.toStringValue(v));
            case ARRAY -> openArray(v, key);
            case SPARSE_ARRAY -> openSparse((JsArray) v, key);
            case OBJECT -> openEntries(v, Values.properties(v), key);
            case DATE -> {
                if (afterToJson) {
                    writeAscii("{}"); // a Date object itself has no enumerable own properties
                } else {
                    writeDate(v);
                }
            }
            case BUFFER -> {
                if (afterToJson) {
                    writeIndexed(TypedArray.copyOf(TypedArray.Kind.UINT8, (byte[]) v)); // a Uint8Array, not its toJSON
                } else {
                    writeBuffer((byte[]) v);
                }
            }
            case TYPED_ARRAY -> writeIndexed((TypedArray) v);
            // No enumerable own properties: Map, Set, ArrayBuffer, RegExp, Error.
            case MAP, SET, ARRAY_BUFFER, REGEXP, ERROR -> writeAscii("{}");
            case UNSUPPORTED -> throw new SerializationException("TypeError", "Do not know how to serialize a "
                    + v.getClass().getName() + ": it is not a value (see dev.herd.node.value.Values)");
        }
        return true;
    }

    private void writeNumber(Object n) {
        switch (n) {
            case Integer i -> writeLong(i);
            case Long l -> writeLongNumber(l);
            case Short s -> writeLong(s);
            case Byte b -> writeLong(b);
            case BigDecimal d -> writeDouble(d.doubleValue());
            default -> writeDouble(((Number) n).doubleValue());
        }
    }

    private void writeLongNumber(long l) {
        if (l >= -MAX_SAFE && l <= MAX_SAFE) {
            writeLong(l);
        } else {
            writeDouble((double) l); // a JavaScript number is a double, whatever Java held
        }
    }

    private void writeDouble(double d) {
        long l = (long) d;
        if (l == d && l >= -MAX_SAFE && l <= MAX_SAFE) {
            writeLong(l); // -0 too: (long) -0.0 is 0, as JavaScript prints it
        } else if (Double.isNaN(d) || Double.isInfinite(d)) {
            writeAscii("null");
        } else if (!writeShortDecimal(d)) {
            double abs = Math.abs(d);
            // In [1e-3, 1e7) Java prints a non-integer's shortest digits without exponent, as
            // JavaScript does (16.990000000000002): no re-layout needed.
            writeAscii(abs >= 1e-3 && abs < 1e7 ? Double.toString(d) : JsNumbers.toString(d));
        }
    }

    private static final double[] POWERS_OF_TEN = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};

    /**
     * The common case of money and measurements ({@code 9.99}, {@code 0.25}) without going through
     * a String: d in [1e-3, 1e7) — printed without exponent by both Java and JavaScript — that is
     * exactly r / 10^k (the correctly rounded quotient) for some k ≤ 6. The smallest such k gives
     * the shortest digits, and the only ones: the gap 10^-k dwarfs the doubles' spacing here, so no
     * other k-digit decimal rounds to d. False when d is not such a number.
     */
    private boolean writeShortDecimal(double d) {
        double abs = Math.abs(d);
        if (!(abs >= 1e-3 && abs < 1e7)) {
            return false;
        }
        for (int k = 1; k < POWERS_OF_TEN.length; k++) {
            double r = Math.rint(abs * POWERS_OF_TEN[k]);
            if (r / POWERS_OF_TEN[k] == abs) {
                long digits = (long) r;
                long scale = (long) POWERS_OF_TEN[k];
                ensure(24);
                if (d < 0) {
                    buf[pos++] = '-';
                }
                writeLong(digits / scale);
                buf[pos++] = '.';
                long fraction = digits % scale; // exactly k digits, leading zeros kept, no trailing zero (k is minimal)
                for (long unit = scale / 10; unit > 0; unit /= 10) {
                    buf[pos++] = (byte) ('0' + fraction / unit % 10);
                }
                return true;
            }
        }
        return false;
    }

    private void writeDate(Object date) {
        double time = Values.dateValue(date);
        if (Double.isNaN(time) || Math.abs(time) > MAX_TIME) {
            writeAscii("null"); // Date.prototype.toJSON of an invalid date (or an Instant no Date can hold)
            return;
        }
        long ms = (long) time;
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000), 0, ZoneOffset.UTC);
        int year = t.getYear();
        StringBuilder s = new StringBuilder(30).append('"');
        if (year >= 0 && year <= 9999) {
            pad(s, year, 4);
        } else {
            s.append(year < 0 ? '-' : '+');
            pad(s, Math.abs(year), 6);
        }
        s.append('-');
        pad(s, t.getMonthValue(), 2);
        s.append('-');
        pad(s, t.getDayOfMonth(), 2);
        s.append('T');
        pad(s, t.getHour(), 2);
        s.append(':');
        pad(s, t.getMinute(), 2);
        s.append(':');
        pad(s, t.getSecond(), 2);
        s.append('.');
        pad(s, Math.floorMod(ms, 1000), 3);
        s.append("Z\"");
        writeAscii(s.toString());
    }

    private static void pad(StringBuilder s, int v, int width) {
        String digits = Integer.toString(v);
        s.repeat('0', width - digits.length()).append(digits);
    }

    /** Node's Buffer.prototype.toJSON: {"type":"Buffer","data":[bytes]}. */
    private void writeBuffer(byte[] bytes) {
        checkDepth();
        int n = bytes.length;
        ensure(BUFFER_HEAD.length + 4L * n + 2);
        byte[] b = buf;
        int p = pos;
        System.arraycopy(BUFFER_HEAD, 0, b, p, BUFFER_HEAD.length);
        p += BUFFER_HEAD.length;
        for (int i = 0; i < n; i++) {
            int v = bytes[i] & 0xFF;
            INTS.set(b, p, BYTE_TEXT[v]); // digits and a comma in one store
            p += BYTE_TEXT_LENGTH[v];
        }
        if (n > 0) {
            p--; // the last comma
        }
        b[p++] = ']';
        b[p++] = '}';
        pos = p;
    }

    /** A typed array as JSON.stringify sees it: an object whose keys are the indices ({@code {"0":1,"1":2}}). */
    private void writeIndexed(TypedArray a) {
        TypedArray.Kind kind = a.kind();
        int n = kind == TypedArray.Kind.DATA_VIEW ? 0 : a.length(); // a DataView has no index properties
        if (n == 0) {
            writeAscii("{}");
            return;
        }
        if (kind == TypedArray.Kind.BIGINT64 || kind == TypedArray.Kind.BIGUINT64) {
            throw new SerializationException("TypeError", "Do not know how to serialize a BigInt");
        }
        checkDepth();
        ByteBuffer bytes = a.bytes();
        writeByte('{');
        for (int i = 0; i < n; i++) {
            ensure(16);
            if (i > 0) {
                buf[pos++] = ',';
            }
            buf[pos++] = '"';
            writeLong(i);
            buf[pos++] = '"';
            buf[pos++] = ':';
            switch (kind) {
                case INT8 -> writeLong(bytes.get(i));
                case UINT8, UINT8_CLAMPED -> writeLong(bytes.get(i) & 0xFF);
                case INT16 -> writeLong(bytes.getShort(2 * i));
                case UINT16 -> writeLong(bytes.getShort(2 * i) & 0xFFFF);
                case INT32 -> writeLong(bytes.getInt(4 * i));
                case UINT32 -> writeLong(bytes.getInt(4 * i) & 0xFFFF_FFFFL);
                case FLOAT32 -> writeDouble(bytes.getFloat(4 * i));
                case FLOAT64 -> writeDouble(bytes.getDouble(8 * i));
                default -> throw new AssertionError(kind);
            }
        }
        writeByte('}');
    }

    // ---- containers ----

    private void openMap(Map<?, ?> m, Object key) {
        checkDepth();
        if (m.isEmpty()) {
            writeAscii("{}");
            return;
        }
        boolean anyIndex = false;
        for (Object k : m.keySet()) {
            if (!(k instanceof String s)) {
                writeAscii("{}"); // a non-string key makes it a JavaScript Map: no enumerable own properties
                return;
            }
            if (!anyIndex && !s.isEmpty() && s.charAt(0) <= '9' && Values.arrayIndex(s) >= 0) {
                anyIndex = true;
            }
        }
        if (anyIndex) {
            openEntries(m, Values.properties(m), key); // integer-like keys first, ascending
        } else {
            @SuppressWarnings("unchecked")
            Iterator<Map.Entry<String, Object>> it = ((Map<String, Object>) m).entrySet().iterator();
            push(new MapFrame(m, key, it));
            writeByte('{');
        }
    }

    private void openEntries(Object object, List<Map.Entry<String, Object>> entries, Object key) {
        checkDepth();
        if (entries.isEmpty()) {
            writeAscii("{}");
            return;
        }
        push(new EntriesFrame(object, key, entries));
        writeByte('{');
    }

    private void openList(List<?> l, Object key) {
        if (l instanceof RandomAccess) {
            push(new ListFrame(l, key, l.size()));
        } else {
            push(new IteratorFrame(l, key, l.iterator()));
        }
        writeByte('[');
    }

    private void openArray(Object array, Object key) {
        switch (array) {
            case List<?> l -> openList(l, key);
            case Collection<?> c -> {
                push(new IteratorFrame(c, key, c.iterator()));
                writeByte('[');
            }
            case Object[] a -> {
                push(new ListFrame(array, key, Arrays.asList(a), a.length));
                writeByte('[');
            }
            default -> writePrimitiveArray(array);
        }
    }

    private void openSparse(JsArray a, Object key) {
        long length = a.length();
        long present = a.elements().size();
        // Each hole is "null", each element at least one char, with commas between: refuse early
        // what could never fit, rather than writing gigabytes of nulls first.
        if (4 * (length - present) + present + length + 1 > MAX_STRING_LENGTH) {
            throw invalidStringLength();
        }
        push(new SparseFrame(a, key, (int) length));
        writeByte('[');
    }

    private void writePrimitiveArray(Object array) {
        checkDepth();
        writeByte('[');
        switch (array) {
            case int[] a -> {
                for (int i = 0; i < a.length; i++) {
                    comma(i);
                    writeLong(a[i]);
                }
            }
            case long[] a -> {
                for (int i = 0; i < a.length; i++) {
                    comma(i);
                    writeLongNumber(a[i]);
                }
            }
            case double[] a -> {
                for (int i = 0; i < a.length; i++) {
                    comma(i);
                    writeDouble(a[i]);
                }
            }
            case float[] a -> {
                for (int i = 0; i < a.length; i++) {
                    comma(i);
                    writeDouble(a[i]);
                }
            }
            case short[] a -> {
                for (int i = 0; i < a.length; i++) {
                    comma(i);
                    writeLong(a[i]);
                }
            }
            case boolean[] a -> {
                for (int i = 0; i < a.length; i++) {
                    comma(i);
                    writeAscii(a[i] ? "true" : "false");
                }
            }
            case char[] a -> {
                for (int i = 0; i < a.length; i++) {
                    comma(i);
                    writeString(String.valueOf(a[i]));
                }
            }
            default -> throw new AssertionError(array.getClass());
        }
        writeByte(']');
    }

    private void comma(int i) {
        if (i > 0) {
            writeByte(',');
        }
    }

    private void push(Frame f) {
        checkDepth();
        Object container = f.container;
        for (int i = 0; i < depth; i++) {
            if (frames[i].container == container) {
                throw circular(i, f.key);
            }
        }
        if (depth == frames.length) {
            frames = Arrays.copyOf(frames, depth * 2);
        }
        frames[depth++] = f;
    }

    private void checkDepth() {
        if (depth >= Json.MAX_DEPTH) {
            // V8 runs out of stack here (near depth 4200 with Node's default stack).
            throw new SerializationException("RangeError", "Maximum call stack size exceeded (JSON nesting deeper than "
                    + Json.MAX_DEPTH + ")");
        }
    }

    /** V8's message: the path from the first occurrence of the object back to where it recurs. */
    private SerializationException circular(int start, Object closingKey) {
        StringBuilder m = new StringBuilder("Converting circular structure to JSON");
        m.append("\n    --> starting at object with constructor '").append(frames[start].constructorName()).append('\'');
        int index = start + 1;
        int prefixEnd = Math.min(depth, index + 2);
        for (; index < prefixEnd; index++) {
            normalLine(m, frames[index]);
        }
        if (depth > index + 1) {
            m.append("\n    |     ...");
        }
        for (index = Math.max(index, depth - 1); index < depth; index++) {
            normalLine(m, frames[index]);
        }
        m.append("\n    --- ");
        appendKey(m, closingKey);
        m.append(" closes the circle");
        return new SerializationException("TypeError", m.toString());
    }

    private static void normalLine(StringBuilder m, Frame f) {
        m.append("\n    |     ");
        appendKey(m, f.key);
        m.append(" -> object with constructor '").append(f.constructorName()).append('\'');
    }

    private static void appendKey(StringBuilder m, Object key) {
        if (key instanceof Integer i) {
            m.append("index ").append(i);
        } else if (key instanceof String s && s.isEmpty()) {
            m.append("<anonymous>");
        } else {
            m.append("property '").append(key).append('\'');
        }
    }

    // ---- bytes ----

    // The hot helpers stay under HotSpot's 35-byte inlining limit for calls it sees rarely.

    private void writeByte(int b) {
        if (pos == buf.length) {
            grow(1);
        }
        buf[pos++] = (byte) b;
    }

    private void writeAscii(String s) {
        int n = s.length();
        ensure(n);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            b[p++] = (byte) s.charAt(i); // ASCII only
        }
        pos = p;
    }

    private void writeLong(long v) {
        if (v >= 0 && v < 10) {
            writeByte('0' + (int) v);
        } else {
            writeDigits(v);
        }
    }

    private void writeDigits(long v) {
        ensure(20);
        if (v < 0) {
            buf[pos++] = '-';
            if (v == Long.MIN_VALUE) {
                writeAscii("9223372036854775808");
                return;
            }
            v = -v;
        }
        int p = pos + digitCount(v);
        pos = p;
        do {
            buf[--p] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
    }

    private static int digitCount(long v) {
        int len = 1;
        for (long limit = 10; len < 19 && v >= limit; limit *= 10) {
            len++;
        }
        return len;
    }

    /**
     * A property name and its colon. Names repeat (every message of a kind, every element of an
     * array of like objects), so short ones are kept encoded ({@code "name":}) in a small table
     * shared by all threads; a hit is one copy. A slot holds an immutable {@link KeyText}, so a
     * racing write only replaces one entry with another, both correct.
     */
    private void writeKey(String key) {
        int h = key.hashCode();
        int slot = (h ^ (h >>> 16)) & (KEY_TEXT.length - 1);
        KeyText cached = KEY_TEXT[slot];
        if (cached != null && (cached.key == key || cached.key.equals(key))) {
            byte[] text = cached.text;
            int n = text.length;
            ensure(n);
            System.arraycopy(text, 0, buf, pos, n);
            pos += n;
            extraBytes += cached.extraBytes;
            return;
        }
        int start = pos;
        long startExtra = extraBytes;
        writeString(key);
        writeByte(':');
        if (key.length() <= MAX_CACHED_KEY) {
            KEY_TEXT[slot] = new KeyText(key, Arrays.copyOfRange(buf, start, pos), (int) (extraBytes - startExtra));
        }
    }

    /** A property name's JSON text with its colon, and its bytes beyond its UTF-16 units. */
    private record KeyText(String key, byte[] text, int extraBytes) {}

    /** Encoded property names by hash; a power of two. A few hundred distinct names stay put. */
    private static final KeyText[] KEY_TEXT = new KeyText[1024];
    /** Longer names are rarely repeated names: not worth an entry. */
    private static final int MAX_CACHED_KEY = 32;
    /** Strings up to this long skip the char chunk: the copy into it costs more than it saves. */
    private static final int SHORT_STRING = 64;

    /** A JSON string: well-formed JSON.stringify's escaping, everything else as raw UTF-8. */
    private void writeString(String s) {
        int n = s.length();
        int from = 0;
        if (n <= SHORT_STRING) {
            // Plain ASCII straight from the String into the output, the common case whole.
            ensure(n + 2L);
            byte[] b = buf;
            int p = pos;
            b[p++] = '"';
            for (char c; from < n && (c = s.charAt(from)) < 0x80 && ESCAPE[c] == 0; from++) {
                b[p++] = (byte) c;
            }
            if (from == n) {
                b[p++] = '"';
                pos = p;
                return;
            }
            pos = p; // the rest from the first char that is not plain ASCII, which never is a low surrogate
        } else {
            // Room for it as ASCII at once (with its quotes, and a line's newline after it): a long
            // string grows the buffer once, not by doubling through copies of itself.
            ensure(n + 3L);
            buf[pos++] = '"';
        }
        for (; from < n; from += CHUNK) {
            int count = Math.min(n - from, CHUNK);
            // Chars in bulk into a scratch array (an intrinsic copy), then a tight loop over them,
            // with room for them as ASCII; writeChars reserves the worst case (6 bytes per char)
            // only when it meets a char that is not plain ASCII.
            s.getChars(from, from + count, chars, 0);
            ensure(count + 1L);
            writeChars(count, from + count < n ? s.charAt(from + count) : 0);
        }
        writeByte('"');
    }

    /** Encodes chars[0, count); {@code following} is the char after them (0 at the string's end), to pair a surrogate split at the chunk edge. */
    private void writeChars(int count, char following) {
        char[] cs = chars;
        byte[] b = buf;
        int p = pos;
        int i = 0;
        // ASCII that needs no escape, the bulk of most strings, in a tight loop of its own.
        for (char c; i < count && (c = cs[i]) < 0x80 && ESCAPE[c] == 0; i++) {
            b[p++] = (byte) c;
        }
        if (i < count) {
            pos = p;
            ensure((count - i) * 6L + 1);
            b = buf;
            p = pos;
        }
        for (; i < count; i++) {
            char c = cs[i];
            if (c < 0x80) {
                byte e = ESCAPE[c];
                if (e == 0) {
                    b[p++] = (byte) c;
                } else if (e == 'u') {
                    b[p++] = '\\';
                    b[p++] = 'u';
                    b[p++] = '0';
                    b[p++] = '0';
                    b[p++] = HEX[c >> 4];
                    b[p++] = HEX[c & 0xF];
                } else {
                    b[p++] = '\\';
                    b[p++] = e;
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
                extraBytes += 1;
            } else if (!Character.isSurrogate(c)) {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
                extraBytes += 2;
            } else if (Character.isHighSurrogate(c) && Character.isLowSurrogate(i + 1 < count ? cs[i + 1] : following)) {
                int cp = Character.toCodePoint(c, i + 1 < count ? cs[i + 1] : following);
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
                extraBytes += 2;
                if (i + 1 < count) {
                    i++;
                } else {
                    pendingLow = true; // the low half opens the next chunk: skip it there
                }
            } else if (pendingLow) {
                pendingLow = false; // written with its high half
            } else {
                // A lone surrogate: well-formed JSON.stringify escapes it, lower-case hex.
                b[p++] = '\\';
                b[p++] = 'u';
                b[p++] = HEX[c >> 12];
                b[p++] = HEX[(c >> 8) & 0xF];
                b[p++] = HEX[(c >> 4) & 0xF];
                b[p++] = HEX[c & 0xF];
            }
        }
        pos = p;
    }

    private void ensure(long n) {
        if (pos + n > buf.length) {
            grow(n);
        }
    }

    private void grow(long n) {
        checkLength();
        long want = Math.max(pos + n, 2L * buf.length);
        if (want > MAX_ARRAY) {
            if (pos + n > MAX_ARRAY) {
                throw invalidStringLength();
            }
            want = MAX_ARRAY;
        }
        buf = Arrays.copyOf(buf, (int) want);
    }

    private void checkLength() {
        if (pos - extraBytes > MAX_STRING_LENGTH) {
            throw invalidStringLength();
        }
    }

    private static SerializationException invalidStringLength() {
        return new SerializationException("RangeError", "Invalid string length");
    }

    // ---- frames: one per open container ----

    /** An open array or object: writes its next member (or its closing bracket) per call. */
    private abstract static class Frame {
        /** The object being serialized, by identity: on the path means a cycle. */
        final Object container;
        /** Where it was found: a property name or an Integer index ("" at the top). */
        final Object key;

        Frame(Object container, Object key) {
            this.container = container;
            this.key = key;
        }

        /**
         * Writes members until one opens a container (true: the new frame is on top and runs
         * first) or none are left (false, after the closing bracket).
         */
        abstract boolean next(JsonWriter w);

        String constructorName() {
            return "Object";
        }
    }

    private static final class ListFrame extends Frame {
        private final List<?> list;
        private final int size;
        private int index;

        ListFrame(List<?> list, Object key, int size) {
            this(list, key, list, size);
        }

        ListFrame(Object container, Object key, List<?> list, int size) {
            super(container, key);
            this.list = list;
            this.size = size;
        }

        @Override
        boolean next(JsonWriter w) {
            int depth = w.depth;
            while (index < size) {
                int i = index++;
                if (i > 0) {
                    w.writeByte(',');
                }
                w.writeElement(list.get(i), i);
                if (w.depth != depth) {
                    return true; // a container opened: its members come first
                }
            }
            w.writeByte(']');
            return false;
        }

        @Override
        String constructorName() {
            return "Array";
        }
    }

    private static final class IteratorFrame extends Frame {
        private final Iterator<?> it;
        private int index;

        IteratorFrame(Object container, Object key, Iterator<?> it) {
            super(container, key);
            this.it = it;
        }

        @Override
        boolean next(JsonWriter w) {
            int depth = w.depth;
            while (it.hasNext()) {
                int i = index++;
                if (i > 0) {
                    w.writeByte(',');
                }
                w.writeElement(it.next(), i);
                if (w.depth != depth) {
                    return true;
                }
            }
            w.writeByte(']');
            return false;
        }

        @Override
        String constructorName() {
            return "Array";
        }
    }

    private static final class SparseFrame extends Frame {
        private final JsArray array;
        private final int length;
        private int index;

        SparseFrame(JsArray array, Object key, int length) {
            super(array, key);
            this.array = array;
            this.length = length;
        }

        @Override
        boolean next(JsonWriter w) {
            int depth = w.depth;
            while (index < length) {
                int i = index++;
                if (i > 0) {
                    w.writeByte(',');
                }
                if (array.has(i)) {
                    w.writeElement(array.get(i), i);
                    if (w.depth != depth) {
                        return true;
                    }
                } else {
                    w.writeAscii("null"); // a hole reads as undefined
                }
            }
            w.writeByte(']');
            return false;
        }

        @Override
        String constructorName() {
            return "Array";
        }
    }

    private static final class MapFrame extends Frame {
        private final Iterator<Map.Entry<String, Object>> it;
        private boolean any;

        MapFrame(Object map, Object key, Iterator<Map.Entry<String, Object>> it) {
            super(map, key);
            this.it = it;
        }

        @Override
        boolean next(JsonWriter w) {
            int depth = w.depth;
            while (it.hasNext()) {
                Map.Entry<String, Object> e = it.next();
                if (w.writeMember(e.getKey(), e.getValue(), !any)) {
                    any = true;
                    if (w.depth != depth) {
                        return true;
                    }
                }
            }
            w.writeByte('}');
            return false;
        }
    }

    private static final class EntriesFrame extends Frame {
        private final List<Map.Entry<String, Object>> entries;
        private int index;
        private boolean any;

        EntriesFrame(Object object, Object key, List<Map.Entry<String, Object>> entries) {
            super(object, key);
            this.entries = entries;
        }

        @Override
        boolean next(JsonWriter w) {
            int depth = w.depth;
            while (index < entries.size()) {
                Map.Entry<String, Object> e = entries.get(index++);
                if (w.writeMember(e.getKey(), e.getValue(), !any)) {
                    any = true;
                    if (w.depth != depth) {
                        return true;
                    }
                }
            }
            w.writeByte('}');
            return false;
        }
    }
}
