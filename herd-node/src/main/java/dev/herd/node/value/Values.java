package dev.herd.node.value;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import java.lang.reflect.Array;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The value model: which Java objects stand for which JavaScript values, shared by every encoder
 * (JSON mode, V8 'advanced' mode, structured clone) so that all three agree.
 *
 * <h2>Java → JavaScript (what may be sent)</h2>
 * <table>
 * <caption>Sending</caption>
 * <tr><th>Java</th><th>JavaScript</th></tr>
 * <tr><td>{@code null} / {@link Undefined}</td><td>null / undefined</td></tr>
 * <tr><td>Boolean</td><td>boolean</td></tr>
 * <tr><td>Byte, Short, Integer, Long, Float, Double, BigDecimal</td><td>number (a double: a Long
 * beyond ±2^53 or a BigDecimal loses precision exactly as in JavaScript)</td></tr>
 * <tr><td>BigInteger</td><td>BigInt</td></tr>
 * <tr><td>CharSequence, Character, Enum (its name)</td><td>string (any UTF-16, lone surrogates
 * included)</td></tr>
 * <tr><td>List, other Collection (not Set), Object[], primitive arrays other than byte[]</td>
 * <td>Array; {@link JsArray} → an Array with holes</td></tr>
 * <tr><td>Map whose keys are all strings</td><td>plain object (integer-like keys first, ascending,
 * then insertion order, as JavaScript orders properties)</td></tr>
 * <tr><td>{@link JsMap}, or a Map with a non-string key</td><td>Map</td></tr>
 * <tr><td>Set</td><td>Set</td></tr>
 * <tr><td>Instant, java.util.Date, OffsetDateTime, ZonedDateTime / {@link InvalidDate}</td>
 * <td>Date (millisecond precision) / Invalid Date</td></tr>
 * <tr><td>byte[]</td><td>Buffer</td></tr>
 * <tr><td>{@link ArrayBuffer}, ByteBuffer (its remaining bytes)</td><td>ArrayBuffer</td></tr>
 * <tr><td>{@link TypedArray}</td><td>Int8Array … BigUint64Array, DataView</td></tr>
 * <tr><td>{@link JsRegExp}, Pattern</td><td>RegExp</td></tr>
 * <tr><td>Throwable</td><td>Error ({@link JsError#of(Throwable)})</td></tr>
 * <tr><td>a record, or a bean with properties Jackson can see</td><td>plain object of its
 * properties (Jackson's annotations apply: {@code @JsonProperty}, {@code @JsonIgnore})</td></tr>
 * <tr><td>a lambda or functional object</td><td>a function: dropped by JSON, DataCloneError
 * elsewhere</td></tr>
 * <tr><td>anything else (handles, streams, threads, objects with no properties)</td><td>not a
 * value: every encoder refuses it with a clear error</td></tr>
 * </table>
 *
 * <h2>JavaScript → Java (what is received, the generic form)</h2>
 * undefined → {@link Undefined#INSTANCE}; null → null; boolean → Boolean; number → Integer when it
 * is an int32 (not -0), Long when it is another integer within ±2^53, else Double ({@link
 * #number(double)}); BigInt → BigInteger; string → String; Array → ArrayList, or {@link JsArray}
 * when it has holes; plain object → {@code LinkedHashMap<String, Object>} in JavaScript's property
 * order; Map → {@link JsMap}; Set → LinkedHashSet; Date → Instant or {@link InvalidDate}; Buffer →
 * byte[]; ArrayBuffer → {@link ArrayBuffer}; other views → {@link TypedArray}; RegExp →
 * {@link JsRegExp}; Error → {@link JsError}; primitive wrappers ({@code new String('x')}) → the
 * primitive. {@link #convert(Object, Class)} binds a generic value to a Java type with Jackson.
 *
 * <p>Static and thread-safe.
 */
public final class Values {
    /** What a Java object is as a JavaScript value. */
    public enum Kind {
        /** {@code undefined}: {@link Undefined#INSTANCE}. */
        UNDEFINED,
        /** {@code null}. */
        NULL,
        /** A boolean: Boolean. */
        BOOLEAN,
        /** A number: a Number other than BigInteger. */
        NUMBER,
        /** A BigInt: BigInteger. */
        BIGINT,
        /** A string: CharSequence, Character or Enum. */
        STRING,
        /** An Array: List, other non-Set Collection, Object[] or primitive array other than byte[]. */
        ARRAY,
        /** An Array with holes: {@link JsArray}. */
        SPARSE_ARRAY,
        /** A plain object: a Map with String keys, a record or a bean. */
        OBJECT,
        /** A Map: {@link JsMap}, or a Map with a key that is not a String. */
        MAP,
        /** A Set. */
        SET,
        /** A Date: Instant, java.util.Date, OffsetDateTime, ZonedDateTime or {@link InvalidDate}. */
        DATE,
        /** A Buffer: byte[]. */
        BUFFER,
        /** An ArrayBuffer: {@link ArrayBuffer} or ByteBuffer. */
        ARRAY_BUFFER,
        /** A typed array or DataView: {@link TypedArray}. */
        TYPED_ARRAY,
        /** A RegExp: {@link JsRegExp} or Pattern. */
        REGEXP,
        /** An Error: {@link JsError} or any Throwable. */
        ERROR,
        /** A function: a lambda, which JSON drops and the other encoders refuse. */
        FUNCTION,
        /** Not a value: a live resource, or an object with no properties. */
        UNSUPPORTED
    }

    /** The longest {@link JsArray} that {@link #convert(Object, Class)} binds (holes become nulls). */
    public static final int MAX_BIND_SPARSE_LENGTH = 1 << 24;

    /** 2^53 - 1, JavaScript's Number.MAX_SAFE_INTEGER. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    /** Per class: how to read it as a plain object (records and beans), or null when it is not one. */
    private static final ClassValue<ValuesJackson.Bean> BEANS = new ClassValue<>() {
        @Override
        protected ValuesJackson.Bean computeValue(Class<?> type) {
            return ValuesJackson.Bean.of(type);
        }
    };

    private Values() {
    }

    /**
     * The JavaScript kind of {@code v}.
     *
     * @param v any object
     * @return its kind
     */
    public static Kind kindOf(Object v) {
        return switch (v) {
            case null -> Kind.NULL;
            case Undefined u -> Kind.UNDEFINED;
            case Boolean b -> Kind.BOOLEAN;
            case BigInteger b -> Kind.BIGINT;
            case Integer i -> Kind.NUMBER;
            case Double d -> Kind.NUMBER;
            case Long l -> Kind.NUMBER;
            case Short s -> Kind.NUMBER;
            case Byte b -> Kind.NUMBER;
            case Float f -> Kind.NUMBER;
            case BigDecimal d -> Kind.NUMBER;
            case CharSequence s -> Kind.STRING;
            case Character c -> Kind.STRING;
            case Enum<?> e when !(e instanceof Undefined) && !(e instanceof InvalidDate) -> Kind.STRING;
            case JsArray a -> Kind.SPARSE_ARRAY;
            case JsMap m -> Kind.MAP;
            case Map<?, ?> m -> allStringKeys(m) ? Kind.OBJECT : Kind.MAP;
            case Set<?> s -> Kind.SET;
            case Collection<?> c -> Kind.ARRAY;
            case Object[] a -> Kind.ARRAY;
            case byte[] b -> Kind.BUFFER;
            case Instant t -> Kind.DATE;
            case InvalidDate t -> Kind.DATE;
            case java.util.Date t -> Kind.DATE;
            case OffsetDateTime t -> Kind.DATE;
            case ZonedDateTime t -> Kind.DATE;
            case ArrayBuffer b -> Kind.ARRAY_BUFFER;
            case ByteBuffer b -> Kind.ARRAY_BUFFER;
            case TypedArray t -> Kind.TYPED_ARRAY;
            case JsRegExp r -> Kind.REGEXP;
            case Pattern p -> Kind.REGEXP;
            case Throwable t -> Kind.ERROR;
            default -> kindOfOther(v);
        };
    }

    private static Kind kindOfOther(Object v) {
        Class<?> type = v.getClass();
        if (type.isArray()) {
            return Kind.ARRAY; // primitive arrays other than byte[]
        }
        if (isFunction(type)) {
            return Kind.FUNCTION;
        }
        return BEANS.get(type) != null ? Kind.OBJECT : Kind.UNSUPPORTED;
    }

    private static boolean isFunction(Class<?> type) {
        if (type.isSynthetic() || type.isHidden()) {
            return true; // lambdas and method references
        }
        for (Class<?> i : type.getInterfaces()) {
            if (i.isAnnotationPresent(FunctionalInterface.class) && !i.getName().startsWith("java.lang.Comparable")) {
                return true;
            }
        }
        return false;
    }

    private static boolean allStringKeys(Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A plain object with these keys and values, in this order ({@code object("a", 1, "b", "x")}
     * is JavaScript's {@code {a: 1, b: 'x'}}): a LinkedHashMap, since property order shows in JSON
     * text and in V8 bytes (Map.of has no order).
     *
     * @param keysAndValues keys and values, alternating
     * @return the object
     * @throws IllegalArgumentException for an odd number of arguments or a key that is not a String
     */
    public static Map<String, Object> object(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("keys and values come in pairs");
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!(keysAndValues[i] instanceof String key)) {
                throw new IllegalArgumentException("key " + i / 2 + " is not a String: " + keysAndValues[i]);
            }
            m.put(key, keysAndValues[i + 1]);
        }
        return m;
    }

    // ---- numbers ----

    /**
     * The generic Java form of a JavaScript number: Integer for an int32 other than -0, Long for
     * another integer within ±(2^53 - 1), Double otherwise (fractions, -0, NaN, ±Infinity, larger
     * magnitudes). Every decoder uses this, so a number arrives the same way whatever the mode.
     *
     * @param d the number
     * @return an Integer, a Long or a Double
     */
    public static Object number(double d) {
        int i = (int) d;
        if (i == d && (i != 0 || Double.doubleToRawLongBits(d) == 0)) {
            return i;
        }
        long l = (long) d;
        if (l == d && l != 0 && l >= -MAX_SAFE_INTEGER && l <= MAX_SAFE_INTEGER) { // l == 0 here is -0, which stays a Double
            return l;
        }
        return d;
    }

    /**
     * The JavaScript number value of a NUMBER-kind object.
     *
     * @param number a NUMBER-kind object
     * @return its value
     */
    public static double toDouble(Object number) {
        return ((Number) number).doubleValue();
    }

    /**
     * Whether a NUMBER-kind object is an int32 (what V8 stores as a small integer): not -0, no fraction.
     *
     * @param number a NUMBER-kind object
     * @return whether it is an int32
     */
    public static boolean isInt32(Object number) {
        return switch (number) {
            case Integer i -> true;
            case Short s -> true;
            case Byte b -> true;
            case Long l -> l == (int) (long) l;
            default -> {
                double d = toDouble(number);
                int i = (int) d;
                yield i == d && (i != 0 || Double.doubleToRawLongBits(d) == 0);
            }
        };
    }

    // ---- strings ----

    /**
     * The string of a STRING-kind object.
     *
     * @param v a STRING-kind object
     * @return its string
     */
    public static String toStringValue(Object v) {
        return v instanceof Enum<?> e ? e.name() : v.toString();
    }

    // ---- objects ----

    /**
     * The properties of an OBJECT-kind object, in JavaScript's property order: keys that are array
     * indices (canonical decimal integers below 2^32 - 1) first in ascending order, then the other
     * keys in the map's (or the record's or bean's) order. A Map's entries are returned as they are;
     * a record's or bean's as read through its accessors.
     *
     * @param object an OBJECT-kind object
     * @return its properties
     */
    @SuppressWarnings("unchecked")
    public static List<Map.Entry<String, Object>> properties(Object object) {
        List<Map.Entry<String, Object>> entries;
        if (object instanceof Map<?, ?> map) {
            entries = new ArrayList<>(((Map<String, Object>) map).entrySet());
        } else {
            ValuesJackson.Bean bean = BEANS.get(object.getClass());
            if (bean == null) {
                throw new IllegalArgumentException(object.getClass().getName() + " is not a plain-object value");
            }
            entries = bean.read(object);
        }
        return jsOrder(entries);
    }

    private static List<Map.Entry<String, Object>> jsOrder(List<Map.Entry<String, Object>> entries) {
        boolean anyIndex = false;
        for (Map.Entry<String, Object> e : entries) {
            if (arrayIndex(e.getKey()) >= 0) {
                anyIndex = true;
                break;
            }
        }
        if (!anyIndex) {
            return entries;
        }
        List<Map.Entry<String, Object>> indices = new ArrayList<>();
        List<Map.Entry<String, Object>> others = new ArrayList<>();
        for (Map.Entry<String, Object> e : entries) {
            (arrayIndex(e.getKey()) >= 0 ? indices : others).add(e);
        }
        indices.sort((a, b) -> Long.compare(arrayIndex(a.getKey()), arrayIndex(b.getKey())));
        indices.addAll(others);
        return indices;
    }

    /**
     * The array index a property key stands for (a canonical decimal integer in [0, 2^32 - 2]),
     * or -1 when the key is an ordinary name.
     *
     * @param key a property key
     * @return its array index, or -1
     */
    public static long arrayIndex(String key) {
        int n = key.length();
        if (n == 0 || n > 10 || (n > 1 && key.charAt(0) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v < JsArray.MAX_LENGTH ? v : -1;
    }

    // ---- arrays ----

    /**
     * The elements of an ARRAY-kind object (List, Collection, Object[] or primitive array) as a List.
     *
     * @param array an ARRAY-kind object
     * @return its elements
     */
    public static List<?> elements(Object array) {
        return switch (array) {
            case List<?> l -> l;
            case Collection<?> c -> new ArrayList<>(c);
            case Object[] a -> java.util.Arrays.asList(a);
            default -> new AbstractList<>() {
                private final int size = Array.getLength(array);

                @Override
                public Object get(int index) {
                    return Array.get(array, index);
                }

                @Override
                public int size() {
                    return size;
                }
            };
        };
    }

    // ---- dates ----

    /**
     * The time value (ms since the epoch, NaN for an invalid date) of a DATE-kind object.
     *
     * @param date a DATE-kind object
     * @return its time value
     */
    public static double dateValue(Object date) {
        return switch (date) {
            case Instant t -> epochMilli(t);
            case java.util.Date d -> d.getTime();
            case OffsetDateTime t -> epochMilli(t.toInstant());
            case ZonedDateTime t -> epochMilli(t.toInstant());
            case InvalidDate d -> Double.NaN;
            default -> throw new IllegalArgumentException(date.getClass().getName() + " is not a date");
        };
    }

    /**
     * Milliseconds since the epoch, rounded down like {@link Instant#toEpochMilli()} but without its
     * overflow (Instant.MAX): exact within JavaScript's range, beyond it only needs to stay beyond.
     */
    private static double epochMilli(Instant t) {
        return t.getEpochSecond() * 1000.0 + t.getNano() / 1_000_000;
    }

    /**
     * The generic form of a JavaScript Date's time value: an Instant, or {@link InvalidDate} when
     * the value is NaN or outside JavaScript's range (±8.64e15 ms). Fractions of a millisecond are
     * dropped (JavaScript's TimeClip).
     *
     * @param timeValue milliseconds since the epoch
     * @return an Instant or {@link InvalidDate#INSTANCE}
     */
    public static Object date(double timeValue) {
        if (Double.isNaN(timeValue) || Math.abs(timeValue) > 8.64e15) {
            return InvalidDate.INSTANCE;
        }
        return Instant.ofEpochMilli((long) timeValue);
    }

    // ---- binding ----

    /**
     * Binds a received value (generic form) to {@code type} with Jackson: a plain object fills a
     * record or bean, unknown properties are ignored, numbers widen or narrow as Jackson allows,
     * Dates become Instant / Date / OffsetDateTime fields, a {@link JsArray}'s holes become nulls.
     * A value already of {@code type} is returned as is.
     *
     * @param <T> the type
     * @param value a value in its generic form
     * @param type the type to bind it to
     * @return the bound value
     * @throws IllegalArgumentException when the value does not fit the type, or holds a JsArray
     *     longer than {@link #MAX_BIND_SPARSE_LENGTH}
     */
    public static <T> T convert(Object value, Class<T> type) {
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        return ValuesJackson.MAPPER.convertValue(value, type);
    }

    /**
     * {@link #convert(Object, Class)} to a generic type ({@code new TypeReference<List<Order>>() {}}).
     *
     * @param <T> the type
     * @param value a value in its generic form
     * @param type the type to bind it to
     * @return the bound value
     */
    public static <T> T convert(Object value, TypeReference<T> type) {
        return ValuesJackson.MAPPER.convertValue(value, type);
    }

    /**
     * {@link #convert(Object, Class)} to a reflective type.
     *
     * @param value a value in its generic form
     * @param type the type to bind it to
     * @return the bound value
     */
    public static Object convert(Object value, Type type) {
        JavaType javaType = ValuesJackson.MAPPER.constructType(type);
        if (javaType.getRawClass().isInstance(value) && !javaType.isContainerType()) {
            return value;
        }
        return ValuesJackson.MAPPER.convertValue(value, javaType);
    }
}
