package dev.herd.node.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.Values;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code JSON.parse} on Jackson's streaming parser: tokens in, the generic form out, built with an
 * explicit stack (no recursion, so depth costs heap, not thread stack). Jackson's defaults already
 * are RFC 8259 strict (no comments, trailing commas, single quotes, NaN, leading zeros or raw
 * control characters); its {@link StreamReadConstraints} are widened to what V8 accepts (strings
 * and names up to V8's maximum string length, numbers of any length) except nesting, which is
 * capped at {@link Json#MAX_DEPTH}.
 *
 * <p>Static; the factory is thread-safe and shared.
 */
final class JsonReader {
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Json.MAX_DEPTH)
                    .maxStringLength(JsonWriter.MAX_STRING_LENGTH)
                    .maxNameLength(JsonWriter.MAX_STRING_LENGTH)
                    .maxNumberLength(JsonWriter.MAX_STRING_LENGTH)
                    .maxDocumentLength(-1)
                    .build())
            // Keys come from peers: canonicalized per factory is fine, String.intern() of each is not.
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            // Bytes given to it are UTF-8 (Json.parse sends a BOM or NUL bytes, which JSON.parse
            // refuses, to the String parser): no guessing of UTF-16/32 per text.
            .disable(JsonFactory.Feature.CHARSET_DETECTION)
            // Correctly rounded like Double.parseDouble, several times faster.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    /**
     * Boxed 0..1023, shared: Integer.valueOf caches only up to 127, and a Buffer's JSON
     * ({@code {"type":"Buffer","data":[…]}}) is a million of 0..255.
     */
    private static final Integer[] SMALL_INTS = new Integer[1024];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = i;
        }
    }

    private JsonReader() {
    }

    /**
     * Texts from this size up make their strings without escapes straight from their bytes (see
     * {@link #string}); shorter ones leave every string to Jackson, which is faster there: the
     * extra scan costs more than the copies it saves.
     */
    static final int DIRECT_STRINGS_FROM = 1 << 20;

    /** Parses a UTF-8 text already known to be well-formed. */
    static Object parse(byte[] utf8, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(utf8, offset, length)) {
            return read(p, length, length >= DIRECT_STRINGS_FROM ? utf8 : null, offset);
        } catch (IOException e) {
            return recover(e, () -> new String(utf8, offset, length, StandardCharsets.UTF_8));
        }
    }

    /** Parses a text. */
    static Object parse(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            return read(p, text.length(), null, 0);
        } catch (IOException e) {
            return recover(e, () -> text);
        }
    }

    /** Thrown by {@link #read} when a value is followed by more than whitespace. */
    private static final class TrailingContent extends IOException {
        private static final long serialVersionUID = 1L;

        TrailingContent() {
            super("trailing content", null);
        }
    }

    /**
     * After Jackson refused a text: V8's SyntaxError for it, or, where V8 accepts it after all, the
     * value. The one known case is a lone surrogate escaped in a property name
     * (<code>{"&#92;ud800":1}</code>), which Jackson refuses; the same text with its surrogate escapes
     * written as raw UTF-16 units has the same value, and Jackson's char parser takes raw ones.
     */
    private static Object recover(IOException e, Supplier<String> source) {
        if (e instanceof StreamConstraintsException c) {
            throw constraint(c);
        }
        String text = source.get();
        String message = SyntaxErrors.explain(text);
        if (message != null) {
            throw new SerializationException("SyntaxError", message, e);
        }
        String raw = rawSurrogates(text);
        if (raw != null) {
            try (JsonParser p = FACTORY.createParser(raw)) {
                return read(p, raw.length(), null, 0);
            } catch (StreamConstraintsException c) {
                throw constraint(c);
            } catch (IOException again) {
                e = again;
            }
        }
        // Jackson and V8 disagree, which no known text makes happen: keep Jackson's words.
        String jackson = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        throw new SerializationException("SyntaxError", jackson, e);
    }

    private static SerializationException constraint(StreamConstraintsException c) {
        if (c.getMessage() != null && c.getMessage().contains("nesting depth")) {
            return new SerializationException("RangeError", "Maximum call stack size exceeded (JSON nesting deeper than "
                    + Json.MAX_DEPTH + ")", c);
        }
        return new SerializationException("RangeError", "Invalid string length", c); // beyond V8's longest string
    }

    /**
     * A valid JSON text with every surrogate escape (<code>&#92;uD800</code> to <code>&#92;uDFFF</code>)
     * in its strings replaced by the raw char it stands for — the same JSON value — or null when it
     * has none.
     */
    static String rawSurrogates(String text) {
        StringBuilder out = null;
        boolean inString = false;
        int n = text.length();
        int copied = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                inString = !inString;
            } else if (inString && c == '\\') {
                if (i + 5 < n && text.charAt(i + 1) == 'u') {
                    int unit = Integer.parseInt(text, i + 2, i + 6, 16);
                    if (Character.isSurrogate((char) unit)) {
                        if (out == null) {
                            out = new StringBuilder(n);
                        }
                        out.append(text, copied, i).append((char) unit);
                        copied = i + 6;
                    }
                }
                i++; // the escaped char: never a quote that ends the string
            }
        }
        return out == null ? null : out.append(text, copied, n).toString();
    }

    /**
     * Reads one value and checks nothing but whitespace follows; {@code inputLength} sizes long
     * arrays. {@code utf8} is the parser's input when it reads bytes ({@code inputLength} of them
     * from {@code base}, well-formed UTF-8) and its strings are to be made from them, else null.
     */
    private static Object read(JsonParser p, long inputLength, byte[] utf8, int base) throws IOException {
        // Open containers: the ArrayList or LinkedHashMap, the pending key of a map, and whether
        // the map saw an integer-like key (JavaScript lists those first); for a long array, where
        // its element MARK_AT was and the capacity it was given.
        Object[] open = new Object[16];
        String[] keys = new String[16];
        boolean[] indexKeys = new boolean[16];
        long[] marks = null; // for long arrays only: made when one gets that long
        long[] presized = null;
        int depth = 0;
        p.nextToken();
        while (true) {
            Object value;
            switch (p.currentTokenId()) {
                case JsonTokenId.ID_START_OBJECT, JsonTokenId.ID_START_ARRAY -> {
                    if (depth == open.length) {
                        open = Arrays.copyOf(open, depth * 2);
                        keys = Arrays.copyOf(keys, depth * 2);
                        indexKeys = Arrays.copyOf(indexKeys, depth * 2);
                    }
                    if (marks != null) {
                        if (depth >= marks.length) {
                            marks = Arrays.copyOf(marks, open.length);
                            presized = Arrays.copyOf(presized, open.length);
                        }
                        marks[depth] = 0;
                        presized[depth] = 0;
                    }
                    open[depth] = p.currentTokenId() == JsonTokenId.ID_START_OBJECT ? new LinkedHashMap<String, Object>(OBJECT_CAPACITY)
                            : new ArrayList<>();
                    indexKeys[depth] = false;
                    depth++;
                    p.nextToken();
                    continue;
                }
                case JsonTokenId.ID_FIELD_NAME -> {
                    String key = p.currentName();
                    keys[depth - 1] = key;
                    if (!key.isEmpty() && key.charAt(0) <= '9' && Values.arrayIndex(key) >= 0) {
                        indexKeys[depth - 1] = true;
                    }
                    p.nextToken();
                    continue;
                }
                case JsonTokenId.ID_END_OBJECT -> {
                    depth--;
                    value = indexKeys[depth] ? jsOrder(open[depth]) : open[depth];
                    open[depth] = null;
                    keys[depth] = null;
                }
                case JsonTokenId.ID_END_ARRAY -> {
                    depth--;
                    value = open[depth];
                    open[depth] = null;
                    if (presized != null && presized[depth] > 0 && ((ArrayList<?>) value).size() < presized[depth] * 3 / 4) {
                        ((ArrayList<?>) value).trimToSize(); // the estimate was well off: give the room back
                    }
                }
                case JsonTokenId.ID_STRING, JsonTokenId.ID_NUMBER_INT, JsonTokenId.ID_NUMBER_FLOAT, JsonTokenId.ID_TRUE,
                        JsonTokenId.ID_FALSE, JsonTokenId.ID_NULL -> value = scalar(p, utf8, base, inputLength);
                default -> throw new JsonParseException(p, "Unexpected end-of-input"); // no token: empty input
            }
            if (depth == 0) {
                if (p.nextToken() != null) {
                    throw new TrailingContent();
                }
                return value;
            }
            Object container = open[depth - 1];
            if (container instanceof ArrayList<?>) {
                @SuppressWarnings("unchecked")
                ArrayList<Object> list = (ArrayList<Object>) container;
                list.add(value);
                // A run of scalars (a Buffer's million numbers) in a loop of its own.
                while (p.nextToken().isScalarValue()) {
                    int size = list.size();
                    if (size == MARK_AT) {
                        if (marks == null) {
                            marks = new long[open.length];
                            presized = new long[open.length];
                        }
                        marks[depth - 1] = offset(p);
                    } else if (size == PRESIZE_AT) {
                        presized[depth - 1] = presize(list, marks[depth - 1], offset(p), inputLength);
                    }
                    list.add(scalar(p, utf8, base, inputLength));
                }
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) container;
                // A repeated key: the last value wins and the key keeps its first place, as in JavaScript.
                map.put(keys[depth - 1], value);
                p.nextToken();
            }
        }
    }

    /**
     * A new object's initial capacity: a table of 4 for up to 3 properties, grown as it fills. The
     * default (16) costs a million small objects 46 MB more, and most messages' objects are small.
     */
    static final int OBJECT_CAPACITY = 4;

    /** A long array's elements are measured from this one ... */
    private static final int MARK_AT = 1024;
    /** ... to this one, then it is sized once for the rest of the text. */
    private static final int PRESIZE_AT = 4096;

    private static long offset(JsonParser p) {
        JsonLocation at = p.currentLocation();
        return Math.max(at.getByteOffset(), at.getCharOffset()); // the other is -1
    }

    /**
     * Gives a long array the capacity for as many more elements as the rest of the text holds at
     * the size of those so far (at most one per two bytes left), instead of growing it by half a
     * dozen more copies, each of which for a Buffer's million elements is an array that G1
     * allocates outside the young generation (a fifth of the decoding time). Returns the capacity.
     */
    private static long presize(ArrayList<Object> list, long mark, long now, long inputLength) {
        long left = inputLength - now;
        long span = Math.max(now - mark, 2L * (PRESIZE_AT - MARK_AT)); // bytes (or chars) of the measured elements
        if (mark <= 0 || left <= 0) {
            return 0;
        }
        long capacity = Math.min(PRESIZE_AT + left * (PRESIZE_AT - MARK_AT) / span, Integer.MAX_VALUE - 16);
        list.ensureCapacity((int) capacity);
        return capacity;
    }

    private static Object scalar(JsonParser p, byte[] utf8, int base, long inputLength) throws IOException {
        return switch (p.currentTokenId()) {
            case JsonTokenId.ID_STRING -> utf8 != null ? string(p, utf8, base, (int) inputLength) : p.getText();
            case JsonTokenId.ID_NUMBER_INT -> integer(p);
            case JsonTokenId.ID_NUMBER_FLOAT -> Values.number(p.getDoubleValue());
            case JsonTokenId.ID_TRUE -> Boolean.TRUE;
            case JsonTokenId.ID_FALSE -> Boolean.FALSE;
            default -> null; // ID_NULL
        };
    }

    /**
     * A string token of a long text read from bytes. One without escapes is made straight from
     * its bytes (known to be well-formed UTF-8): Jackson would decode it into char segments and
     * copy those into a builder and then a String, three times the text's size in chars for a
     * long string (a 50 MB message, 150 MB more at its peak). The parser skips the token's bytes
     * on its next token without decoding them.
     */
    private static String string(JsonParser p, byte[] utf8, int base, int length) throws IOException {
        int quote = base + (int) p.currentTokenLocation().getByteOffset();
        // Within the input (an unterminated string is Jackson's to refuse); a longer one may be
        // beyond V8's longest string, also Jackson's to refuse (RangeError).
        int end = (int) Math.min(base + length, quote + 1L + JsonWriter.MAX_STRING_LENGTH);
        for (int i = quote + 1; i < end; i++) {
            byte c = utf8[i];
            if (c == '"') {
                return new String(utf8, quote + 1, i - quote - 1, StandardCharsets.UTF_8);
            }
            if (c == '\\' || (c >= 0 && c < 0x20)) {
                break; // escapes to decode, or a control char for Jackson to refuse
            }
        }
        return p.getText();
    }

    /** An integer token as JavaScript reads it: a double, so -0 stays -0 and long ones round. */
    private static Object integer(JsonParser p) throws IOException {
        int length = p.getTextLength();
        if (length <= 9) {
            int i = p.getIntValue();
            if (i == 0 && p.getTextCharacters()[p.getTextOffset()] == '-') {
                return -0.0;
            }
            return i >= 0 && i < SMALL_INTS.length ? SMALL_INTS[i] : Integer.valueOf(i);
        }
        if (length <= 18) {
            return Values.number((double) p.getLongValue());
        }
        // Any length: Double.parseDouble rounds correctly and is linear, BigInteger would not be.
        return Values.number(Double.parseDouble(p.getText()));
    }

    private static Map<String, Object> jsOrder(Object map) {
        List<Map.Entry<String, Object>> entries = Values.properties(map);
        LinkedHashMap<String, Object> ordered = LinkedHashMap.newLinkedHashMap(entries.size());
        for (Map.Entry<String, Object> e : entries) {
            ordered.put(e.getKey(), e.getValue());
        }
        return ordered;
    }
}
