package dev.herd.node.json;

import dev.herd.node.value.SerializationException;
import dev.herd.node.value.Values;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * JSON mode of Node's IPC channel: {@code JSON.stringify} and {@code JSON.parse} over the value
 * model ({@link Values}), byte for byte what Node 20 writes and accepts.
 *
 * <h2>stringify</h2>
 * The JSON text JavaScript's {@code JSON.stringify(v)} returns for the JavaScript value the Java
 * object stands for: shortest round-trip numbers laid out as JavaScript prints them ({@code 1e+21},
 * {@code 1e-7}, {@code -0} as {@code 0}, NaN and ±Infinity as {@code null}); strings escaped as
 * well-formed JSON.stringify escapes them (lone surrogates as lower-case <code>&#92;udXXX</code>, control
 * characters as {@code \b \t \n \f \r} or <code>&#92;u00XX</code>, nothing else: {@code /}, U+2028 and all
 * other non-ASCII stay raw); object keys in JavaScript's property order; undefined and functions
 * dropped from objects and {@code null} in arrays; {@code toJSON} honoured ({@link ToJson}, Date's
 * ISO string, Buffer's {@code {"type":"Buffer","data":[…]}}); Map, Set, RegExp, Error,
 * ArrayBuffer, DataView as {@code {}}; typed arrays as objects keyed by index; holes as
 * {@code null}. Errors are those of JavaScript, as {@link SerializationException}s named
 * {@code TypeError} (a BigInt, a cycle — detected on the current path only, so a shared object is
 * simply written twice — or a Java object that is not a value) or {@code RangeError} (nesting deeper
 * than {@link #MAX_DEPTH}, a text longer than V8's maximum string length).
 *
 * <h2>parse</h2>
 * Exactly the texts {@code JSON.parse} accepts (RFC 8259: any top-level value, whitespace around
 * it), read by Jackson's streaming parser into the generic form: {@link Values#number(double)}
 * for every number ({@code 1e400} is Infinity, {@code -0} is -0.0, long integers round as doubles),
 * String (lone surrogates from <code>&#92;ud800</code> escapes kept), Boolean, null, ArrayList, and
 * {@code LinkedHashMap<String, Object>} in JavaScript's property order (integer-like keys first,
 * ascending; a repeated key keeps its first place and its last value; {@code __proto__} is an
 * ordinary key). Anything else is a {@link SerializationException} named {@code SyntaxError} with
 * V8's message ({@code Unexpected token '}', "[1,}" is not valid JSON}); nesting deeper than
 * {@link #MAX_DEPTH} is a {@code RangeError}, never a StackOverflowError.
 *
 * <p>Static and thread-safe.
 */
public final class Json {
    /**
     * The deepest nesting of arrays and objects either direction handles. Node 20's
     * {@code JSON.stringify} overflows V8's stack near depth 4184 on x86_64 (so no Node process
     * sends deeper JSON); its {@code JSON.parse} is iterative and takes any depth. 5000 covers all
     * that Node can send with room to spare while keeping a hostile peer's depth bomb cheap.
     */
    public static final int MAX_DEPTH = 5000;

    private Json() {
    }

    /**
     * {@code JSON.stringify(value)}, or null where it returns undefined ({@link
     * dev.herd.node.value.Undefined}, a function, or a {@link ToJson} returning one of those).
     *
     * @param value the value
     * @return the JSON text, or null
     * @throws SerializationException TypeError or RangeError, as JavaScript would throw
     */
    public static String stringify(Object value) {
        JsonWriter w = JsonWriter.acquire();
        try {
            return w.write(value) ? w.toJavaString() : null;
        } finally {
            w.release();
        }
    }

    /**
     * {@link #stringify(Object)} as UTF-8 bytes, written directly (the IPC channel sends these and a
     * {@code '\n'}); null where JSON.stringify returns undefined.
     *
     * @param value the value
     * @return the JSON text as UTF-8, or null
     * @throws SerializationException TypeError or RangeError, as JavaScript would throw
     */
    public static byte[] stringifyUtf8(Object value) {
        JsonWriter w = JsonWriter.acquire();
        try {
            return w.write(value) ? w.toByteArray() : null;
        } finally {
            w.release();
        }
    }

    /**
     * {@link #stringifyUtf8(Object)} and a {@code '\n'}: the line Node's IPC channel writes for a
     * message in JSON mode, in one array of its exact size; null where JSON.stringify returns
     * undefined. The text is written into a per-thread scratch array first (as every stringify here
     * is), so a message costs one array, not one per doubling of the writer's buffer.
     *
     * @param value the value
     * @return the line as UTF-8, or null
     * @throws SerializationException TypeError or RangeError, as JavaScript would throw
     */
    public static byte[] stringifyUtf8Line(Object value) {
        JsonWriter w = JsonWriter.acquire();
        try {
            return w.write(value) ? w.toLine() : null;
        } finally {
            w.release();
        }
    }

    /**
     * {@link #stringifyUtf8Line(Object)} as a buffer over an array that may be longer than the
     * line: a line over 64 KiB is the array it was written into, not copied into one of its exact
     * size (for a 50 MB message, 50 MB less at the sender's peak). Null where JSON.stringify
     * returns undefined.
     *
     * @param value the value
     * @return the line as UTF-8, or null
     * @throws SerializationException TypeError or RangeError, as JavaScript would throw
     */
    public static ByteBuffer stringifyUtf8LineBuffer(Object value) {
        JsonWriter w = JsonWriter.acquire();
        try {
            return w.write(value) ? w.toLineBuffer() : null;
        } finally {
            w.release();
        }
    }

    /**
     * {@code JSON.parse(text)} into the generic form.
     *
     * @param text the JSON text
     * @return the value, in its generic form
     * @throws SerializationException SyntaxError (V8's message) for a text JSON.parse rejects,
     *     RangeError for nesting deeper than {@link #MAX_DEPTH}
     */
    public static Object parse(String text) {
        Objects.requireNonNull(text, "text");
        return JsonReader.parse(text);
    }

    /**
     * {@code JSON.parse} of bytes as Node's IPC channel reads a line: decoded as UTF-8, each
     * ill-formed sequence replaced by U+FFFD as Node's StringDecoder does, then parsed. Well-formed
     * input (the usual case) goes to Jackson's byte parser without an intermediate String.
     *
     * @param utf8 the bytes
     * @param offset where the text starts
     * @param length its length in bytes
     * @return the value, in its generic form
     * @throws SerializationException as {@link #parse(String)}
     * @throws IndexOutOfBoundsException if the range is outside {@code utf8}
     */
    public static Object parse(byte[] utf8, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, utf8.length);
        if (Utf8.isWellFormed(utf8, offset, length) && !looksLikeOtherEncoding(utf8, offset, length)) {
            return JsonReader.parse(utf8, offset, length);
        }
        return JsonReader.parse(Utf8.decode(utf8, offset, length));
    }

    /**
     * Whether Jackson's byte parser would not read these bytes as plain UTF-8: it skips a UTF-8
     * byte order mark and takes NUL bytes near the start for UTF-16 or UTF-32. JSON.parse refuses
     * both (U+FEFF and U+0000 are not JSON whitespace), which the String parser reports as V8 does.
     */
    private static boolean looksLikeOtherEncoding(byte[] b, int offset, int length) {
        if (length >= 3 && b[offset] == (byte) 0xEF && b[offset + 1] == (byte) 0xBB && b[offset + 2] == (byte) 0xBF) {
            return true;
        }
        for (int i = offset; i < offset + Math.min(length, 4); i++) {
            if (b[i] == 0) {
                return true;
            }
        }
        return false;
    }
}
