package dev.herd.node.http;

import dev.herd.node.EventEmitter;
import dev.herd.node.NodeError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Node's {@code OutgoingMessage} gives {@link ServerResponse} and {@link ClientRequest}: the
 * header fields (kept in insertion order under their last spelling, validated as Node validates
 * them: ERR_INVALID_HTTP_TOKEN, ERR_HTTP_INVALID_HEADER_VALUE, ERR_INVALID_CHAR,
 * ERR_HTTP_HEADERS_SENT), and the output buffer the head and the body are built in: header lines,
 * chunked coding's framing (chunk-size line, CRLF, last-chunk) and the cork that gathers what is
 * written until it is handed to the socket ({@link #takeOutput}).
 *
 * <p>Package-private: each subclass keeps its own public methods (their return types differ) and
 * calls these.
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: one message.
 */
abstract class OutgoingMessage extends EventEmitter {
    static final byte[] CRLF = {'\r', '\n'};
    static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Chunks above this go to the socket as they are instead of being copied into the buffer. */
    static final int COPY_LIMIT = 16 * 1024;

    /** One header field as set: its spelling, its lower-case name, and its value. */
    record Field(String name, String lower, Object value) {}

    /** setHeader's fields in insertion order; null until the first setHeader. */
    ArrayList<Field> fields;

    // The output: bytes written since the last takeOutput, and any large chunks queued behind
    // them (each big chunk seals what came before it into a segment).
    private byte[] buf;
    private int len;
    private List<byte[]> segments;
    /** Whether a chunk above COPY_LIMIT may be kept as it is (the caller was told to leave it alone). */
    private final boolean keepLargeChunks;

    OutgoingMessage(byte[] buffer, boolean keepLargeChunks) {
        this.buf = buffer;
        this.keepLargeChunks = keepLargeChunks;
    }

    // ---------------------------------------------------------------- header fields

    /** Validates and sets a field, replacing one of the same name (any case) in its place, with the new spelling. */
    final void putField(String name, Object value) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
        if (fields == null) fields = new ArrayList<>(4);
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).lower.equals(lower)) {
                fields.set(i, new Field(name, lower, value));
                return;
            }
        }
        fields.add(new Field(name, lower, value));
    }

    /** The field named {@code name} (any case), or null. */
    final Field findField(String name) {
        if (fields == null) return null;
        for (Field f : fields) {
            if (f.lower.equalsIgnoreCase(name)) return f;
        }
        return null;
    }

    /** Removes the field whose lower-case name is {@code lower}. */
    final void removeField(String lower) {
        if (fields != null) fields.removeIf(f -> f.lower.equals(lower));
    }

    /** {@return the lower-case names of the fields set, in order} */
    final List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        if (fields != null) for (Field f : fields) names.add(f.lower);
        return names;
    }

    /** {@return lower-case names to the values set, in order} */
    final Map<String, Object> fieldMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (fields != null) for (Field f : fields) m.put(f.lower, f.value);
        return m;
    }

    static NodeError headersSentError(String action) {
        return new NodeError("ERR_HTTP_HEADERS_SENT", "Cannot " + action + " headers after they are sent to the client");
    }

    // ---------------------------------------------------------------- building the output

    /** Writes one header line per value (cookie lists joined with "; "); returns the first value as text. */
    final String appendHeader(String name, Object value) {
        if (value instanceof Collection<?> || value instanceof Object[]) {
            List<?> values = value instanceof Collection<?> c ? new ArrayList<>(c) : Arrays.asList((Object[]) value);
            if (values.size() >= 2 && name.equalsIgnoreCase("cookie")) {
                StringBuilder sb = new StringBuilder();
                for (Object v : values) {
                    if (!sb.isEmpty()) sb.append("; ");
                    sb.append(v);
                }
                return appendHeader(name, sb.toString());
            }
            String first = null;
            for (Object v : values) {
                String s = appendHeader(name, v);
                if (first == null) first = s;
            }
            return first == null ? "" : first;
        }
        String s = String.valueOf(value);
        appendLatin1(name);
        append((byte) ':');
        append((byte) ' ');
        appendLatin1(s);
        append(CRLF);
        return s;
    }

    /** Body bytes, framed as a chunk when {@code chunked} (an empty chunk is nothing: it would end the body). */
    final void appendBody(byte[] chunk, boolean chunked) {
        if (chunked) {
            if (chunk.length == 0) return;
            appendLatin1(Integer.toHexString(chunk.length));
            append(CRLF);
            appendChunk(chunk);
            append(CRLF);
        } else {
            appendChunk(chunk);
        }
    }

    /** {@return the bytes written and not yet taken} */
    final int pendingBytes() {
        int n = len;
        if (segments != null) for (byte[] s : segments) n += s.length;
        return n;
    }

    /**
     * {@return what was written since the last call, in order, or null if nothing}: the buffer's
     * bytes as a copy (the buffer is reused), and each large chunk as it is.
     */
    final List<byte[]> takeOutput() {
        if (len == 0 && segments == null) return null;
        if (len > 0) seal();
        List<byte[]> out = segments;
        segments = null;
        return out;
    }

    /** The buffer grew to {@code grown}: a subclass may keep it for the next message. */
    void bufferGrown(byte[] grown) {}

    private void seal() {
        if (segments == null) segments = new ArrayList<>(2);
        segments.add(Arrays.copyOf(buf, len));
        len = 0;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            bufferGrown(buf);
        }
    }

    final void append(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    final void append(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void appendChunk(byte[] chunk) {
        if (keepLargeChunks && chunk.length > COPY_LIMIT) {
            if (len > 0) seal();
            if (segments == null) segments = new ArrayList<>(2);
            segments.add(chunk);
        } else {
            append(chunk);
        }
    }

    /** Node writes header text as latin1: each char's low byte. */
    final void appendLatin1(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) buf[len + i] = (byte) s.charAt(i);
        len += n;
    }

    final void appendLong(long v) {
        if (v >= 0 && v < 10) {
            append((byte) ('0' + v));
            return;
        }
        appendLatin1(Long.toString(v));
    }

    // ---------------------------------------------------------------- validation

    /** Node's tokens: {@code ^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$}. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) TOKEN[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TOKEN[c] = true;
        for (char c = '0'; c <= '9'; c++) TOKEN[c] = true;
        for (char c : "^_`-!#$%&'*+.|~".toCharArray()) TOKEN[c] = true;
    }

    static void validateHeaderName(String name) {
        boolean ok = name != null && !name.isEmpty();
        if (ok) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c >= 128 || !TOKEN[c]) {
                    ok = false;
                    break;
                }
            }
        }
        if (!ok) {
            throw new NodeError("ERR_INVALID_HTTP_TOKEN", "Header name must be a valid HTTP token [\"" + name + "\"]",
                    IllegalArgumentException.class);
        }
    }

    static void validateHeaderValue(String name, Object value) {
        if (value == null) {
            throw new NodeError("ERR_HTTP_INVALID_HEADER_VALUE", "Invalid value \"undefined\" for header \"" + name + "\"",
                    IllegalArgumentException.class);
        }
        Iterable<?> values = value instanceof Collection<?> c ? c
                : value instanceof Object[] a ? Arrays.asList(a) : List.of(value);
        for (Object v : values) {
            if (v == null || checkInvalidHeaderChar(String.valueOf(v))) {
                throw new NodeError("ERR_INVALID_CHAR", "Invalid character in header content [\"" + name + "\"]",
                        IllegalArgumentException.class);
            }
        }
    }

    /** Node's checkInvalidHeaderChar: anything but TAB, 0x20-0x7e and 0x80-0xff. */
    static boolean checkInvalidHeaderChar(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7f || c > 0xff)) return true;
        }
        return false;
    }
}
