package dev.herd.node.v8;

import static dev.herd.node.v8.Tags.*;

import dev.herd.node.value.ArrayBuffer;
import dev.herd.node.value.DataCloneError;
import dev.herd.node.value.InvalidDate;
import dev.herd.node.value.JsArray;
import dev.herd.node.value.JsError;
import dev.herd.node.value.JsMap;
import dev.herd.node.value.JsRegExp;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.TypedArray;
import dev.herd.node.value.Undefined;
import dev.herd.node.value.Values;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes a value of the value model ({@link Values}) in V8's ValueSerializer format, version 15,
 * byte for byte as Node 20 writes the same JavaScript value: {@code v8.serialize(value)} with
 * {@link V8Options#DEFAULT}, the payload of an {@code 'advanced'} IPC message with
 * {@link V8Options#CHILD_PROCESS}.
 *
 * <p>What V8 decides from a value's internal representation is decided here from the Java value:
 * a number is an {@code I} (int32) when {@link Values#isInt32} says so, else an {@code N} (double),
 * except that a dense array of numbers of which one is not an int32 writes them all as doubles (V8's
 * double-elements arrays); a string is one-byte when every char is at most U+00FF, else two-byte,
 * with a padding byte before the tag when needed so that the UTF-16 data starts at an even offset;
 * a plain object's array-index keys are written as numbers ({@code I} below 2^31, {@code N} above),
 * first and ascending. Every object-like value (objects, arrays, Maps, Sets, Dates, RegExps,
 * errors, ArrayBuffers, Buffers and typed arrays) gets an id in the order it is first written, and a
 * second occurrence of the same Java object (by identity) is written as a back-reference, so shared
 * and circular structures survive. {@link InvalidDate} is a singleton standing for distinct Dates and
 * is never back-referenced.
 *
 * <p>Iterative: nesting is limited by {@link V8Options#maxDepth()}, not by the Java stack.
 * Functions and values that are not values of the model fail with {@link DataCloneError}, a too
 * deep value with a {@link SerializationException} ({@code RangeError}); nothing is returned then.
 *
 * <p>Not thread-safe: one thread uses an instance at a time. An instance may be reused for any
 * number of values (it keeps its buffers, which makes the next value cheaper) and holds no reference
 * to a value once {@link #serialize} returns.
 */
public final class V8Serializer {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Buffers larger than this are not kept between values. */
    private static final int KEEP_BUFFER_MAX = 64 * 1024;
    private static final int INITIAL_BUFFER = 512;
    /** Buffers from this size on that do not fit get an array of their own ({@link #writeLargeHostView}). */
    private static final int LARGE_BLOCK = 64 * 1024;
    /** V8's BigInt::kMaxLengthBits. */
    private static final int MAX_BIGINT_BITS = 1 << 30;
    /** What {@link #next(Frame)} returns when a frame is finished. */
    private static final Object NONE = new Object();

    private final V8Options options;
    private final boolean childProcessHost;
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int pos;
    private final IdentityIds ids = new IdentityIds();
    private int nextId;
    private Frame[] frames = new Frame[8];
    private int depth;

    /** A serializer with {@link V8Options#DEFAULT} (Node's {@code v8.serialize}). */
    public V8Serializer() {
        this(V8Options.DEFAULT);
    }

    /**
     * A serializer with {@code options}.
     *
     * @param options its options
     */
    public V8Serializer(V8Options options) {
        this.options = options;
        this.childProcessHost = options.hostObjects() == V8Options.HostObjects.CHILD_PROCESS_SERIALIZER;
    }

    /** {@return the serializer's options} */
    public V8Options options() {
        return options;
    }

    /**
     * The value as a V8 payload: header {@code FF 0F}, then the value.
     *
     * @param value the value
     * @return the payload
     * @throws DataCloneError if the value holds a function or something that is not a value
     * @throws SerializationException ({@code RangeError}) if it nests deeper than the limit
     */
    public byte[] serialize(Object value) {
        return encode(value, 0);
    }

    /**
     * The value as one {@code 'advanced'} IPC frame: the payload's length as 4 bytes big-endian,
     * then the payload (as Node's {@code writeChannelMessage} writes it, in one array).
     *
     * @param value the value
     * @return the frame
     * @throws DataCloneError if the value holds a function or something that is not a value
     * @throws SerializationException ({@code RangeError}) if it nests deeper than the limit
     */
    public byte[] serializeFrame(Object value) {
        return encode(value, 4);
    }

    /**
     * {@link #serializeFrame} as a buffer over the array it was written into, handed over rather
     * than copied into one of its exact size (this serializer starts a new one).
     *
     * @param value the value
     * @return the frame
     */
    public ByteBuffer serializeFrameBuffer(Object value) {
        try {
            writeAll(value, 4);
            ByteBuffer frame = ByteBuffer.wrap(buf, 0, pos);
            buf = new byte[INITIAL_BUFFER];
            return frame;
        } finally {
            reset();
        }
    }

    /** Writes the header and the value after {@code prefix} bytes, and the frame's length prefix if 4. */
    private void writeAll(Object value, int prefix) {
        pos = prefix; // the prefix is even, so the two-byte strings' alignment is the same either way
        ensure(2);
        buf[pos++] = (byte) VERSION;
        buf[pos++] = LATEST_VERSION;
        writeRoot(value);
        if (prefix == 4) {
            int length = pos - 4;
            buf[0] = (byte) (length >>> 24);
            buf[1] = (byte) (length >>> 16);
            buf[2] = (byte) (length >>> 8);
            buf[3] = (byte) length;
        }
    }

    private byte[] encode(Object value, int prefix) {
        try {
            writeAll(value, prefix);
            if (pos == buf.length) {
                byte[] out = buf;
                buf = new byte[INITIAL_BUFFER];
                return out;
            }
            return Arrays.copyOf(buf, pos);
        } finally {
            reset();
        }
    }

    private void reset() {
        for (int i = 0; i < depth; i++) {
            frames[i].clear();
        }
        depth = 0;
        nextId = 0;
        ids.clear();
        if (buf.length > KEEP_BUFFER_MAX) {
            buf = new byte[INITIAL_BUFFER];
        }
    }

    // ---- the walk ----

    /** Writes {@code root}; containers push a frame, whose children are written from this loop. */
    private void writeRoot(Object root) {
        Object v = root;
        for (;;) {
            writeValue(v);
            do {
                if (depth == 0) {
                    return;
                }
                v = next(frames[depth - 1]);
            } while (v == NONE);
        }
    }

    /** Writes a primitive completely, or a container's opening and pushes its frame. */
    private void writeValue(Object v) {
        // The common classes first, without going through Values.kindOf.
        if (v instanceof String s) {
            writeString(s);
        } else if (v instanceof Integer i) {
            writeInt32(i);
        } else if (v == null) {
            put(NULL);
        } else if (v instanceof Boolean b) {
            put(b ? TRUE : FALSE);
        } else if (v instanceof Double d) {
            writeNumber(d);
        } else if (v instanceof Map<?, ?> m && !(m instanceof JsMap)) {
            beginPlainObjectOrMap(m);
        } else if (v instanceof List<?> l && !(l instanceof JsArray)) {
            if (!reference(l)) {
                beginArray(l);
            }
        } else {
            writeOther(v);
        }
    }

    private void writeOther(Object v) {
        switch (Values.kindOf(v)) {
            case UNDEFINED -> put(UNDEFINED);
            case NULL -> put(NULL);
            case BOOLEAN -> put((Boolean) v ? TRUE : FALSE);
            case NUMBER -> writeNumber(v);
            case BIGINT -> writeBigInt(BIGINT, (BigInteger) v);
            case STRING -> writeString(Values.toStringValue(v));
            case ARRAY -> {
                if (!reference(v)) {
                    if (v instanceof Collection<?> c) {
                        beginArray(Values.elements(c));
                    } else if (v instanceof Object[] a) {
                        beginArray(Arrays.asList(a));
                    } else {
                        writePrimitiveArray(v);
                    }
                }
            }
            case SPARSE_ARRAY -> beginSparseArray((JsArray) v);
            case OBJECT -> {
                if (!reference(v)) {
                    beginObject(Values.properties(v), true);
                }
            }
            case MAP -> {
                if (!reference(v)) {
                    beginMap((Map<?, ?>) v);
                }
            }
            case SET -> {
                if (!reference(v)) {
                    beginSet((Set<?>) v);
                }
            }
            case DATE -> writeDate(v);
            case BUFFER -> {
                if (!reference(v)) {
                    byte[] b = (byte[]) v;
                    writeHostView(NODE_BUFFER_INDEX, b, 0, b.length);
                }
            }
            case ARRAY_BUFFER -> writeArrayBuffer(v);
            case TYPED_ARRAY -> writeTypedArray((TypedArray) v);
            case REGEXP -> writeRegExp(v);
            case ERROR -> beginError(v);
            case FUNCTION, UNSUPPORTED -> throw DataCloneError.of(v);
        }
    }

    /**
     * Writes {@code ^id} and returns true when {@code v} was written before; otherwise gives it the
     * next id and returns false. V8 numbers every JSReceiver it writes, in first-write order.
     */
    private boolean reference(Object v) {
        int id = ids.putIfAbsent(v, nextId);
        if (id >= 0) {
            ensure(6);
            buf[pos++] = OBJECT_REFERENCE;
            writeVarint(id);
            return true;
        }
        nextId++;
        return false;
    }

    /** Gives the next value the next container slot; fails like V8's stack overflow beyond the limit. */
    private Frame push(int kind) {
        if (depth >= options.maxDepth()) {
            throw new SerializationException("RangeError", "Maximum call stack size exceeded: the value nests deeper than "
                    + options.maxDepth() + " levels");
        }
        if (depth == frames.length) {
            frames = Arrays.copyOf(frames, depth * 2);
        }
        Frame f = frames[depth];
        if (f == null) {
            f = frames[depth] = new Frame();
        }
        depth++;
        f.kind = kind;
        f.count = 0;
        f.index = 0;
        f.state = 0;
        return f;
    }

    private void pop(Frame f) {
        f.clear();
        depth--;
    }

    /**
     * Writes whatever comes before the frame's next child and returns that child; or, when the
     * frame has no more children, writes its end and pops it and returns {@link #NONE}.
     */
    private Object next(Frame f) {
        switch (f.kind) {
            case Frame.PLAIN_OBJECT -> {
                if (f.it.hasNext()) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) f.it.next();
                    writeKey((String) e.getKey(), f.indexKeys);
                    f.count++;
                    return e.getValue();
                }
                ensure(6);
                buf[pos++] = END_JS_OBJECT;
                writeVarint(f.count);
                pop(f);
                return NONE;
            }
            case Frame.ARRAY -> {
                List<?> list = f.list;
                if (f.doubles) {
                    // A double-elements array: every element is a number, written as N.
                    for (int i = f.index; i < f.size; i++) {
                        ensure(9);
                        writeDouble(Values.toDouble(list.get(i)));
                    }
                    f.index = f.size;
                } else if (f.index < f.size) {
                    return list.get(f.index++);
                }
                endArray(f.size);
                pop(f);
                return NONE;
            }
            case Frame.ITERATED_ARRAY -> {
                if (f.it.hasNext()) {
                    f.count++;
                    return f.it.next();
                }
                endArray(f.count);
                pop(f);
                return NONE;
            }
            case Frame.SPARSE_ARRAY -> {
                if (f.it.hasNext()) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) f.it.next();
                    writeIndexKey((Long) e.getKey());
                    f.count++;
                    return e.getValue();
                }
                ensure(11);
                buf[pos++] = END_SPARSE_JS_ARRAY;
                writeVarint(f.count);
                writeVarint(f.length);
                pop(f);
                return NONE;
            }
            case Frame.MAP -> {
                if (f.state == 1) {
                    f.state = 0;
                    Object value = f.pending;
                    f.pending = null;
                    return value;
                }
                if (f.it.hasNext()) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) f.it.next();
                    f.pending = e.getValue();
                    f.state = 1;
                    f.count += 2;
                    return e.getKey();
                }
                ensure(6);
                buf[pos++] = END_JS_MAP;
                writeVarint(f.count);
                pop(f);
                return NONE;
            }
            case Frame.SET -> {
                if (f.it.hasNext()) {
                    f.count++;
                    return f.it.next();
                }
                ensure(6);
                buf[pos++] = END_JS_SET;
                writeVarint(f.count);
                pop(f);
                return NONE;
            }
            case Frame.ERROR -> {
                // V8 11.3 writes the prototype, message, cause, stack, in that order.
                JsError e = f.error;
                if (f.state == 0) {
                    f.state = 1;
                    if (e.jsCause() != Undefined.INSTANCE) {
                        put(ERROR_CAUSE);
                        return e.jsCause();
                    }
                }
                if (e.stack() != null) {
                    put(ERROR_STACK);
                    writeString(e.stack());
                }
                put(ERROR_END);
                pop(f);
                return NONE;
            }
            default -> throw new IllegalStateException("frame kind " + f.kind);
        }
    }

    // ---- containers ----

    private void beginPlainObjectOrMap(Map<?, ?> m) {
        if (reference(m)) {
            return;
        }
        // One pass over the keys: all strings makes a plain object, and array-index keys are
        // written first, ascending, as V8 orders an object's properties.
        boolean indexKeys = false;
        for (Object k : m.keySet()) {
            if (!(k instanceof String s)) {
                beginMap(m);
                return;
            }
            if (!indexKeys && maybeIndex(s) && Values.arrayIndex(s) >= 0) {
                indexKeys = true;
            }
        }
        if (indexKeys) {
            beginObject(Values.properties(m), true);
        } else {
            put(BEGIN_JS_OBJECT);
            Frame f = push(Frame.PLAIN_OBJECT);
            f.it = m.entrySet().iterator();
            f.indexKeys = false;
        }
    }

    private void beginObject(List<Map.Entry<String, Object>> properties, boolean indexKeys) {
        put(BEGIN_JS_OBJECT);
        Frame f = push(Frame.PLAIN_OBJECT);
        f.it = properties.iterator();
        f.indexKeys = indexKeys;
    }

    /** A dense array (the caller gave it its id). */
    private void beginArray(List<?> list) {
        int size = list.size();
        ensure(6);
        buf[pos++] = BEGIN_DENSE_JS_ARRAY;
        writeVarint(size);
        if (list instanceof RandomAccess) {
            Frame f = push(Frame.ARRAY);
            f.list = list;
            f.size = size;
            f.doubles = doubleElements(list, size);
        } else {
            Frame f = push(Frame.ITERATED_ARRAY);
            f.it = list.iterator();
        }
    }

    private void endArray(int length) {
        ensure(11);
        buf[pos++] = END_DENSE_JS_ARRAY;
        buf[pos++] = 0; // no named properties
        writeVarint(length);
    }

    /**
     * Whether V8 would hold this array as double elements: all numbers, one of them not an int32
     * (a fraction, -0, NaN, or beyond ±2^31). V8 then writes every element as a double.
     */
    private static boolean doubleElements(List<?> list, int size) {
        boolean someDouble = false;
        for (int i = 0; i < size; i++) {
            Object e = list.get(i);
            if (e instanceof Integer) {
                continue;
            }
            if (e instanceof Double d) {
                someDouble |= !isInt32(d);
            } else if (e != null && Values.kindOf(e) == Values.Kind.NUMBER) {
                someDouble |= !Values.isInt32(e);
            } else {
                return false;
            }
        }
        return someDouble;
    }

    /** int[], long[], double[], float[], short[], char[], boolean[]: elements are primitives, written at once. */
    private void writePrimitiveArray(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        ensure(6);
        buf[pos++] = BEGIN_DENSE_JS_ARRAY;
        writeVarint(n);
        switch (array) {
            case int[] a -> {
                for (int x : a) {
                    writeInt32(x);
                }
            }
            case short[] a -> {
                for (short x : a) {
                    writeInt32(x);
                }
            }
            case long[] a -> {
                boolean doubles = false;
                for (long x : a) {
                    doubles |= x != (int) x;
                }
                for (long x : a) {
                    if (doubles) {
                        writeDouble(x);
                    } else {
                        writeInt32((int) x);
                    }
                }
            }
            case double[] a -> {
                boolean doubles = false;
                for (double x : a) {
                    doubles |= !isInt32(x);
                }
                for (double x : a) {
                    if (doubles) {
                        writeDouble(x);
                    } else {
                        writeInt32((int) x);
                    }
                }
            }
            case float[] a -> {
                boolean doubles = false;
                for (float x : a) {
                    doubles |= !isInt32(x);
                }
                for (float x : a) {
                    if (doubles) {
                        writeDouble(x);
                    } else {
                        writeInt32((int) x);
                    }
                }
            }
            case char[] a -> {
                for (char c : a) {
                    writeString(String.valueOf(c));
                }
            }
            case boolean[] a -> {
                for (boolean b : a) {
                    put(b ? TRUE : FALSE);
                }
            }
            default -> throw DataCloneError.of(array);
        }
        endArray(n);
    }

    private void beginSparseArray(JsArray a) {
        if (reference(a)) {
            return;
        }
        ensure(6);
        buf[pos++] = BEGIN_SPARSE_JS_ARRAY;
        writeVarint(a.length());
        Frame f = push(Frame.SPARSE_ARRAY);
        f.it = a.elements().entrySet().iterator();
        f.length = a.length();
    }

    private void beginMap(Map<?, ?> m) {
        put(BEGIN_JS_MAP);
        Frame f = push(Frame.MAP);
        f.it = m.entrySet().iterator();
    }

    private void beginSet(Set<?> s) {
        put(BEGIN_JS_SET);
        Frame f = push(Frame.SET);
        f.it = s.iterator();
    }

    private void beginError(Object v) {
        if (reference(v)) {
            return;
        }
        JsError e = JsError.of((Throwable) v);
        put(ERROR);
        int prototype = errorPrototypeTag(e.name());
        if (prototype != 0) {
            put(prototype);
        }
        // An error without its own message (new Error()) reads as message "" on this side; "" is
        // not written back, as V8 writes no message for such an error.
        if (!e.getMessage().isEmpty()) {
            put(ERROR_MESSAGE);
            writeString(e.getMessage());
        }
        Frame f = push(Frame.ERROR);
        f.error = e;
    }

    // ---- leaves that are objects ----

    private void writeDate(Object v) {
        if (v instanceof InvalidDate) {
            nextId++; // an id like every Date, but one Java object stands for many Dates
        } else if (reference(v)) {
            return;
        }
        double time;
        try {
            time = Values.dateValue(v);
        } catch (ArithmeticException e) {
            time = Double.NaN; // beyond a long of milliseconds: far outside JavaScript's range
        }
        // JavaScript's TimeClip: a Date holds NaN beyond ±8.64e15 ms, and whole milliseconds.
        time = Math.abs(time) <= 8.64e15 ? (long) time : Double.NaN;
        ensure(9);
        buf[pos++] = DATE;
        LONG_LE.set(buf, pos, Double.doubleToRawLongBits(time));
        pos += 8;
    }

    private void writeArrayBuffer(Object v) {
        if (reference(v)) {
            return;
        }
        ByteBuffer data;
        if (v instanceof ArrayBuffer ab) {
            if (ab.isDetached()) {
                throw new DataCloneError("An ArrayBuffer is detached and could not be cloned.");
            }
            data = ab.data();
        } else {
            data = ((ByteBuffer) v).duplicate();
        }
        int n = data.remaining();
        ensure(6L + n);
        buf[pos++] = ARRAY_BUFFER;
        writeVarint(n);
        data.get(buf, pos, n);
        pos += n;
    }

    private void writeTypedArray(TypedArray t) {
        if (reference(t)) {
            return;
        }
        if (t.buffer().isDetached()) {
            writeHostView(t.kind().nodeIndex(), null, 0, 0);
            return;
        }
        ByteBuffer bytes = t.bytes();
        int n = bytes.remaining();
        if (bytes.hasArray()) {
            writeHostView(t.kind().nodeIndex(), bytes.array(), bytes.arrayOffset() + bytes.position(), n);
            return;
        }
        writeHostViewHeader(t.kind().nodeIndex(), n);
        bytes.get(buf, pos, n);
        pos += n;
    }

    private void writeHostView(int typeIndex, byte[] data, int off, int len) {
        if (len >= LARGE_BLOCK && buf.length - pos < 13L + len) {
            writeLargeHostView(typeIndex, data, off, len);
            return;
        }
        writeHostViewHeader(typeIndex, len);
        if (len > 0) {
            System.arraycopy(data, off, buf, pos, len);
            pos += len;
        }
    }

    /**
     * A large Buffer that does not fit: moved, with what was written before it, to a new array of
     * exactly the size needed so far, whose first fill is the copy of its bytes. HotSpot's C2 skips
     * zeroing the part of a new array that an arraycopy right after the allocation overwrites, and
     * for a 1 MiB Buffer the zeroing that {@link #grow} pays costs as much as the copy. As with
     * {@code grow}'s exact room, a value that ends with the block needs no final copy.
     */
    private void writeLargeHostView(int typeIndex, byte[] data, int off, int len) {
        int header = 1 + (childProcessHost ? 1 : 0) + varintSize(Integer.toUnsignedLong(typeIndex)) + varintSize(len);
        int size = checkedSize((long) pos + header + len);
        byte[] out = new byte[size];
        System.arraycopy(data, off, out, pos + header, len); // first, so that C2 leaves that range unzeroed
        System.arraycopy(buf, 0, out, 0, pos);
        buf = out;
        writeHostViewHeaderBytes(typeIndex, len);
        pos += len;
    }

    /** Node's host-object encoding of an ArrayBufferView, up to its bytes (for which it makes room). */
    private void writeHostViewHeader(int typeIndex, int byteLength) {
        ensure(13L + byteLength);
        writeHostViewHeaderBytes(typeIndex, byteLength);
    }

    /** {@link #writeHostViewHeader} into room already made. */
    private void writeHostViewHeaderBytes(int typeIndex, int byteLength) {
        buf[pos++] = HOST_OBJECT;
        if (childProcessHost) {
            buf[pos++] = HOST_ARRAY_BUFFER_VIEW;
        }
        writeVarint(typeIndex);
        writeVarint(byteLength);
    }

    private void writeRegExp(Object v) {
        if (reference(v)) {
            return;
        }
        JsRegExp r = v instanceof Pattern p ? JsRegExp.of(p) : (JsRegExp) v;
        int flags = 0;
        for (int i = 0; i < REGEXP_FLAG_CHARS.length(); i++) {
            if (r.flags().indexOf(REGEXP_FLAG_CHARS.charAt(i)) >= 0) {
                flags |= REGEXP_FLAG_BITS[i];
            }
        }
        put(REGEXP);
        writeString(r.source());
        ensure(5);
        writeVarint(flags);
    }

    // ---- primitives ----

    private void writeNumber(Object n) {
        if (n instanceof Double d) {
            writeNumber(d.doubleValue());
        } else if (Values.isInt32(n)) {
            writeInt32(((Number) n).intValue());
        } else {
            ensure(9);
            writeDouble(Values.toDouble(n));
        }
    }

    private void writeNumber(double d) {
        if (isInt32(d)) {
            writeInt32((int) d);
        } else {
            ensure(9);
            writeDouble(d);
        }
    }

    private static boolean isInt32(double d) {
        int i = (int) d;
        return i == d && (i != 0 || Double.doubleToRawLongBits(d) == 0);
    }

    private void writeInt32(int i) {
        ensure(6);
        buf[pos++] = INT32;
        writeVarint((i << 1) ^ (i >> 31));
    }

    /** An N tag and the double; the caller made room for 9 bytes. */
    private void writeDouble(double d) {
        buf[pos++] = DOUBLE;
        LONG_LE.set(buf, pos, Double.doubleToRawLongBits(d));
        pos += 8;
    }

    /** V8's BigInt: a bitfield (byte length × 2 | sign), then the magnitude in little-endian 64-bit digits. */
    private void writeBigInt(int tag, BigInteger b) {
        if (b.signum() == 0) {
            ensure(2);
            buf[pos++] = (byte) tag;
            buf[pos++] = 0;
            return;
        }
        BigInteger magnitude = b.abs();
        if (magnitude.bitLength() > MAX_BIGINT_BITS) {
            throw new SerializationException("RangeError", "Maximum BigInt size exceeded");
        }
        int byteLength = (magnitude.bitLength() + 63) / 64 * 8;
        byte[] be = magnitude.toByteArray(); // big-endian, maybe with a leading 0 sign byte
        ensure(6 + byteLength);
        buf[pos++] = (byte) tag;
        writeVarint(((long) byteLength << 1) | (b.signum() < 0 ? 1 : 0));
        int n = Math.min(be.length, byteLength);
        for (int i = 0; i < n; i++) {
            buf[pos + i] = be[be.length - 1 - i];
        }
        Arrays.fill(buf, pos + n, pos + byteLength, (byte) 0);
        pos += byteLength;
    }

    /** A property key: an array index as V8 holds it (a number), anything else as a string. */
    private void writeKey(String key, boolean maybeIndexKeys) {
        if (maybeIndexKeys && maybeIndex(key)) {
            long index = Values.arrayIndex(key);
            if (index >= 0) {
                writeIndexKey(index);
                return;
            }
        }
        writeString(key);
    }

    private void writeIndexKey(long index) {
        if (index <= Integer.MAX_VALUE) {
            writeInt32((int) index);
        } else {
            ensure(9);
            writeDouble(index);
        }
    }

    private static boolean maybeIndex(String key) {
        if (key.isEmpty()) {
            return false;
        }
        char c = key.charAt(0);
        return c >= '0' && c <= '9';
    }

    /**
     * A string: one-byte ({@code "}) when every char fits in Latin-1, else two-byte ({@code c}),
     * preceded by a padding byte when the UTF-16 data would otherwise start at an odd offset.
     */
    private void writeString(String s) {
        int n = s.length();
        ensure(6L + n);
        int start = pos;
        buf[pos++] = ONE_BYTE_STRING;
        writeVarint(n);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                pos = start;
                writeTwoByteString(s);
                return;
            }
            b[p + i] = (byte) c;
        }
        pos = p + n;
    }

    private void writeTwoByteString(String s) {
        int n = s.length();
        long byteLength = 2L * n;
        ensure(7 + byteLength);
        if (((pos + 1 + varintSize(byteLength)) & 1) != 0) {
            buf[pos++] = PADDING;
        }
        buf[pos++] = TWO_BYTE_STRING;
        writeVarint(byteLength);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            b[p++] = (byte) c;
            b[p++] = (byte) (c >>> 8);
        }
        pos = p;
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** An unsigned LEB128 varint of the int's 32 bits; the caller made room (5 bytes). */
    private void writeVarint(int v) {
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7F) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        pos = p;
    }

    /** An unsigned LEB128 varint of a non-negative long; the caller made room (10 bytes at most). */
    private void writeVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private void put(int tag) {
        ensure(1);
        buf[pos++] = (byte) tag;
    }

    private void ensure(long n) {
        if (buf.length - pos < n) {
            grow(n);
        }
    }

    private void grow(long n) {
        long needed = checkedSize(pos + n);
        // Doubling, except that one large block (a big Buffer) is given exactly its room, so that
        // a value that ends with it needs no final copy.
        long doubled = 2L * buf.length;
        long size = n > buf.length ? needed : Math.min(Math.max(doubled, needed), Integer.MAX_VALUE - 16);
        buf = Arrays.copyOf(buf, (int) size);
    }

    /** {@code size} if an array can hold that many bytes. */
    private static int checkedSize(long size) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new SerializationException("RangeError", "Serialized value is larger than the 2 GiB an array can hold");
        }
        return (int) size;
    }

    /** One open container: what is left to write of it. */
    private static final class Frame {
        static final int PLAIN_OBJECT = 1;
        static final int ARRAY = 2;
        static final int ITERATED_ARRAY = 3;
        static final int SPARSE_ARRAY = 4;
        static final int MAP = 5;
        static final int SET = 6;
        static final int ERROR = 7;

        int kind;
        Iterator<?> it;
        List<?> list;
        int index;
        int size;
        int count;
        long length;
        int state;
        boolean doubles;
        boolean indexKeys;
        Object pending;
        JsError error;

        void clear() {
            it = null;
            list = null;
            pending = null;
            error = null;
        }
    }

    /**
     * Object → id by identity, for back-references: open addressing over identity hash codes, no
     * allocation per entry, cleared between values.
     */
    private static final class IdentityIds {
        private Object[] keys;
        private int[] values;
        private int size;

        /** The id of {@code key} if present; otherwise records {@code id} for it and returns -1. */
        int putIfAbsent(Object key, int id) {
            if (keys == null) {
                keys = new Object[32];
                values = new int[32];
            } else if (size * 2 >= keys.length) {
                rehash();
            }
            int mask = keys.length - 1;
            int i = hash(key) & mask;
            for (;;) {
                Object k = keys[i];
                if (k == null) {
                    keys[i] = key;
                    values[i] = id;
                    size++;
                    return -1;
                }
                if (k == key) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
        }

        private static int hash(Object key) {
            int h = System.identityHashCode(key) * 0x9E3779B9;
            return h ^ (h >>> 16);
        }

        private void rehash() {
            Object[] oldKeys = keys;
            int[] oldValues = values;
            keys = new Object[oldKeys.length * 2];
            values = new int[oldKeys.length * 2];
            int mask = keys.length - 1;
            for (int j = 0; j < oldKeys.length; j++) {
                Object k = oldKeys[j];
                if (k != null) {
                    int i = hash(k) & mask;
                    while (keys[i] != null) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = k;
                    values[i] = oldValues[j];
                }
            }
        }

        void clear() {
            if (size == 0) {
                return;
            }
            size = 0;
            if (keys.length > 4096) {
                keys = null;
                values = null;
            } else {
                Arrays.fill(keys, null);
            }
        }
    }
}
