package dev.herd.node.v8;

import static dev.herd.node.v8.Tags.*;

import dev.herd.node.value.ArrayBuffer;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Reads V8's ValueSerializer format (versions 13 to 15; Node 20 writes 15) into the generic form of
 * the value model ({@link Values}): numbers through {@link Values#number(double)}, plain objects as
 * {@code LinkedHashMap<String, Object>}, arrays as ArrayList or, with holes, {@link JsArray}, Maps
 * as {@link JsMap}, Sets as LinkedHashSet, Dates through {@link Values#date(double)}, Buffers as
 * byte[], other views as {@link TypedArray}, ArrayBuffers as {@link ArrayBuffer}, RegExps as
 * {@link JsRegExp}, errors as {@link JsError}, primitive wrappers as their primitive. An array that
 * V8 wrote in its sparse form but that has no holes (a holey array that was filled) is an
 * ArrayList, as it has no hole to keep. Back-references resolve to the same Java object, so
 * shared and circular structures come back shared and circular; every container is registered
 * before its children are read.
 *
 * <p>What is not kept: named (non-index) properties of arrays, which V8 writes after the elements
 * (dropped, as JSON drops them); a resizable ArrayBuffer's maximum length; a host object that is
 * not an ArrayBufferView is its plain-object copy (which is what Node's ChildProcessDeserializer
 * returns too). Bytes after the value are ignored, as V8 ignores them.
 *
 * <p>Bad input fails with a {@link SerializationException} ({@code jsName() "Error"}, message
 * beginning with V8's {@code "Unable to deserialize cloned data"}) and nothing else: a missing or
 * unsupported header, an unknown tag, a truncated value, a declared length beyond the bytes present
 * (checked before anything is allocated, so memory stays proportional to the input; a sparse
 * array's declared length allocates nothing), end counts that disagree with what was read (as V8
 * checks them), a back-reference to an id not yet (or not completely) read, nesting deeper than
 * {@link V8Options#maxDepth()} (iterative: the Java stack is not used for nesting). Java's
 * value-equality collections add one limit of their own: a Map key or Set element that is a
 * container is hashed when inserted, so one that contains itself, or a still-open container, is
 * refused, and the hashing work of a payload is bounded (see {@link #deserialize(byte[], int, int)}).
 *
 * <p>Not thread-safe: one thread uses an instance at a time; it may be reused for any number of
 * payloads and keeps no reference to a payload or its value after returning.
 */
public final class V8Deserializer {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** What {@link #readValue()} returns when it opened a container (its frame is now on top). */
    private static final Object PUSHED = new Object();
    /** The minimum hashing budget of one payload, in visited nodes (see checkHashable). */
    private static final long MIN_HASH_BUDGET = 1 << 20;

    // Per-id states.
    private static final byte DONE = 0;
    /** An error or host object whose contents are being read: V8 registers it only at its end. */
    private static final byte RESERVED = 1;
    /** A container whose contents are being read. */
    private static final byte OPEN = 2;
    /** An open container that a back-reference has already handed out. */
    private static final byte OPEN_REFERENCED = 3;

    private final V8Options options;
    private final boolean childProcessHost;

    private byte[] buf;
    private int start;
    private int pos;
    private int end;
    private int version;

    private Object[] objects = new Object[16];
    private byte[] states = new byte[16];
    private int nextId;

    private Frame[] frames = new Frame[8];
    private int depth;
    private long hashBudget;

    /** A deserializer with {@link V8Options#DEFAULT} (Node's {@code v8.deserialize}). */
    public V8Deserializer() {
        this(V8Options.DEFAULT);
    }

    /**
     * A deserializer with {@code options}.
     *
     * @param options its options
     */
    public V8Deserializer(V8Options options) {
        this.options = options;
        this.childProcessHost = options.hostObjects() == V8Options.HostObjects.CHILD_PROCESS_SERIALIZER;
    }

    /** {@return the deserializer's options} */
    public V8Options options() {
        return options;
    }

    /**
     * The value in a whole array.
     *
     * @param data the payload
     * @return the value
     */
    public Object deserialize(byte[] data) {
        return deserialize(data, 0, data.length);
    }

    /**
     * The value in {@code len} bytes of {@code data} at {@code off}. The bytes are only read, and
     * values never share memory with them.
     *
     * <p>Map keys and Set elements that are containers are hashed by Java's collections: the
     * nodes so hashed may total at most 16 times the payload's length (at least 2^20), so that a
     * payload of shared substructures cannot make hashing take exponential time.
     *
     * @param data the array
     * @param off where the payload starts
     * @param len its length
     * @return the value
     * @throws SerializationException if the bytes are not a value
     */
    public Object deserialize(byte[] data, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        buf = data;
        start = off;
        pos = off;
        end = off + len;
        hashBudget = Math.max(MIN_HASH_BUDGET, 16L * len);
        try {
            readHeader();
            return readRoot();
        } finally {
            reset();
        }
    }

    /**
     * The value in {@code data}'s remaining bytes; its position is not changed.
     *
     * @param data the payload
     * @return the value
     */
    public Object deserialize(ByteBuffer data) {
        if (data.hasArray()) {
            return deserialize(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return deserialize(copy);
    }

    private void reset() {
        buf = null;
        Arrays.fill(objects, 0, Math.min(nextId, objects.length), null);
        nextId = 0;
        if (objects.length > 4096) {
            objects = new Object[16];
            states = new byte[16];
        }
        for (int i = 0; i < depth; i++) {
            frames[i].clear();
        }
        depth = 0;
    }

    private void readHeader() {
        if (pos >= end || (buf[pos] & 0xFF) != VERSION) {
            throw new SerializationException("Error",
                    "Unable to deserialize cloned data due to invalid or unsupported version: no version header (FF)");
        }
        pos++;
        version = readVarint32();
        if (version < OLDEST_READ_VERSION || version > LATEST_VERSION) {
            throw new SerializationException("Error", "Unable to deserialize cloned data due to invalid or unsupported version: "
                    + Integer.toUnsignedString(version) + " (versions " + OLDEST_READ_VERSION + " to " + LATEST_VERSION + " are read)");
        }
    }

    // ---- the walk ----

    /** Reads one value; containers push a frame, whose children are read from this loop. */
    private Object readRoot() {
        Object v;
        for (;;) {
            v = readValue();
            for (;;) {
                if (v != PUSHED) {
                    if (depth == 0) {
                        return v;
                    }
                    accept(frames[depth - 1], v);
                }
                Frame f = frames[depth - 1];
                if (wantsChild(f)) {
                    break;
                }
                v = finish(f);
            }
        }
    }

    private Object readValue() {
        for (;;) {
            int tag = readTag();
            switch (tag) {
                case UNDEFINED:
                    return Undefined.INSTANCE;
                case NULL:
                    return null;
                case TRUE:
                    return Boolean.TRUE;
                case FALSE:
                    return Boolean.FALSE;
                case INT32:
                    return zigzag(readVarint32());
                case UINT32:
                    return Values.number(Integer.toUnsignedLong(readVarint32()));
                case DOUBLE:
                    return Values.number(readDouble());
                case BIGINT:
                    return readBigInt();
                case ONE_BYTE_STRING, TWO_BYTE_STRING, UTF8_STRING:
                    return readStringBody(tag);
                case OBJECT_REFERENCE:
                    return maybeView(readReference());
                case BEGIN_JS_OBJECT: {
                    int id = reserveId();
                    // Small: V8 gives the property count only at the end (see JsonReader.OBJECT_CAPACITY).
                    LinkedHashMap<String, Object> map = new LinkedHashMap<>(4);
                    register(id, map, OPEN);
                    push(Frame.OBJECT, id, map);
                    return PUSHED;
                }
                case BEGIN_DENSE_JS_ARRAY: {
                    long length = readLength("array length", 1);
                    int id = reserveId();
                    // At most a small head start: a declared length only promises one byte per element.
                    ArrayList<Object> list = new ArrayList<>((int) Math.min(length, 1024));
                    register(id, list, OPEN);
                    push(Frame.DENSE, id, list).length = length;
                    return PUSHED;
                }
                case BEGIN_SPARSE_JS_ARRAY: {
                    long length = Integer.toUnsignedLong(readVarint32());
                    if (length > JsArray.MAX_LENGTH) {
                        throw malformed("array length " + length + " is too large");
                    }
                    int id = reserveId();
                    JsArray array = new JsArray(length); // holes take no memory
                    register(id, array, OPEN);
                    push(Frame.SPARSE, id, array).length = length;
                    return PUSHED;
                }
                case BEGIN_JS_MAP: {
                    int id = reserveId();
                    JsMap map = new JsMap();
                    register(id, map, OPEN);
                    push(Frame.MAP, id, map);
                    return PUSHED;
                }
                case BEGIN_JS_SET: {
                    int id = reserveId();
                    LinkedHashSet<Object> set = new LinkedHashSet<>();
                    register(id, set, OPEN);
                    push(Frame.SET, id, set);
                    return PUSHED;
                }
                case DATE: {
                    int id = reserveId();
                    return register(id, Values.date(readDouble()), DONE);
                }
                case TRUE_OBJECT, FALSE_OBJECT: {
                    return register(reserveId(), tag == TRUE_OBJECT, DONE);
                }
                case NUMBER_OBJECT: {
                    int id = reserveId();
                    return register(id, Values.number(readDouble()), DONE);
                }
                case BIGINT_OBJECT: {
                    int id = reserveId();
                    return register(id, readBigInt(), DONE);
                }
                case STRING_OBJECT: {
                    int id = reserveId();
                    return register(id, readString(), DONE);
                }
                case REGEXP: {
                    int id = reserveId();
                    return register(id, readRegExp(), DONE);
                }
                case ARRAY_BUFFER: {
                    int id = reserveId();
                    long length = readLength("ArrayBuffer length", 1);
                    return maybeView(register(id, ArrayBuffer.wrap(readBytes((int) length)), DONE));
                }
                case RESIZABLE_ARRAY_BUFFER: {
                    int id = reserveId();
                    long length = readLength("ArrayBuffer length", 1);
                    long maxLength = Integer.toUnsignedLong(readVarint32());
                    if (length > maxLength) {
                        throw malformed("resizable ArrayBuffer length " + length + " exceeds its maximum " + maxLength);
                    }
                    return maybeView(register(id, ArrayBuffer.wrap(readBytes((int) length)), DONE));
                }
                case ERROR: {
                    int id = reserveId();
                    register(id, null, RESERVED);
                    push(Frame.ERROR, id, null);
                    return PUSHED;
                }
                case HOST_OBJECT: {
                    int id = reserveId();
                    register(id, null, RESERVED);
                    return readHostObject(id);
                }
                case VERIFY_OBJECT_COUNT:
                    readVarint32(); // a count V8 no longer checks; the value follows
                    continue;
                default:
                    pos--;
                    throw malformed("unexpected tag " + describe(tag));
            }
        }
    }

    /** Gives a child value to its container. */
    private void accept(Frame f, Object v) {
        switch (f.type) {
            case Frame.OBJECT -> f.map.put(f.key, v);
            case Frame.DENSE -> {
                if (!f.inProperties) {
                    f.list.add(v);
                } else if (f.propertyIndex >= 0) {
                    f.list.set((int) f.propertyIndex, v);
                    if (f.holes != null) {
                        f.holes.clear((int) f.propertyIndex);
                    }
                }
            }
            case Frame.SPARSE -> {
                if (f.propertyIndex >= 0) {
                    f.array.put(f.propertyIndex, v);
                }
            }
            case Frame.MAP -> {
                if (!f.haveKey) {
                    checkHashable(v);
                    f.mapKey = v;
                    f.haveKey = true;
                } else {
                    f.jsMap.put(f.mapKey, v);
                    f.mapKey = null;
                    f.haveKey = false;
                    f.count += 2;
                }
            }
            case Frame.SET -> {
                checkHashable(v);
                f.set.add(v);
                f.count++;
            }
            case Frame.ERROR -> f.cause = v;
            case Frame.HOST -> {
                f.hostValue = v;
                f.haveKey = true;
            }
            default -> throw new IllegalStateException("frame type " + f.type);
        }
    }

    /**
     * Reads what comes before the frame's next child (a key, holes, error sub-tags) and returns
     * true; or reads the frame's end (checking its counts) and returns false.
     */
    private boolean wantsChild(Frame f) {
        switch (f.type) {
            case Frame.OBJECT -> {
                if (peekTag() == END_JS_OBJECT) {
                    pos++;
                    expectCount("object properties", f.count, readVarint32());
                    return false;
                }
                f.key = keyString(readKey());
                f.count++;
                return true;
            }
            case Frame.DENSE -> {
                while (f.index < f.length) {
                    if (peekTag() == THE_HOLE) {
                        pos++;
                        if (f.holes == null) {
                            f.holes = new BitSet();
                        }
                        f.holes.set((int) f.index);
                        f.list.add(Undefined.INSTANCE);
                        f.index++;
                        continue;
                    }
                    f.index++;
                    return true;
                }
                f.inProperties = true;
                if (peekTag() == END_DENSE_JS_ARRAY) {
                    pos++;
                    expectCount("array properties", f.count, readVarint32());
                    expectCount("array length", f.length, readVarint32());
                    return false;
                }
                long index = elementIndex(readKey());
                f.propertyIndex = index < f.length ? index : -1; // other properties are dropped
                f.count++;
                return true;
            }
            case Frame.SPARSE -> {
                if (peekTag() == END_SPARSE_JS_ARRAY) {
                    pos++;
                    expectCount("array properties", f.count, readVarint32());
                    expectCount("array length", f.length, readVarint32());
                    return false;
                }
                f.propertyIndex = elementIndex(readKey()); // -1 for a named property: dropped
                f.count++;
                return true;
            }
            case Frame.MAP -> {
                if (f.haveKey) {
                    return true;
                }
                if (peekTag() == END_JS_MAP) {
                    pos++;
                    expectCount("Map keys and values", f.count, readVarint32());
                    return false;
                }
                return true;
            }
            case Frame.SET -> {
                if (peekTag() == END_JS_SET) {
                    pos++;
                    expectCount("Set elements", f.count, readVarint32());
                    return false;
                }
                return true;
            }
            case Frame.ERROR -> {
                for (;;) {
                    int tag = readVarint32();
                    switch (tag) {
                        case ERROR_MESSAGE -> f.message = readString();
                        case ERROR_STACK -> f.stack = readString();
                        case ERROR_CAUSE -> {
                            return true;
                        }
                        case ERROR_END -> {
                            return false;
                        }
                        default -> {
                            String name = errorName(tag);
                            if (name == null) {
                                throw malformed("unknown error sub-tag " + describe(tag));
                            }
                            f.name = name;
                        }
                    }
                }
            }
            case Frame.HOST -> {
                return !f.haveKey;
            }
            default -> throw new IllegalStateException("frame type " + f.type);
        }
    }

    /** Pops a finished frame and returns its value, registered under its id. */
    private Object finish(Frame f) {
        depth--;
        int id = f.id;
        boolean referenced = states[id] == OPEN_REFERENCED;
        Object value = f.container;
        switch (f.type) {
            case Frame.DENSE -> {
                // Holes need a JsArray; if a child already holds the list (a cycle), it stays a list
                // whose holes read as undefined.
                if (f.holes != null && !f.holes.isEmpty() && !referenced) {
                    JsArray array = new JsArray(f.length);
                    for (int i = 0; i < f.list.size(); i++) {
                        if (!f.holes.get(i)) {
                            array.put(i, f.list.get(i));
                        }
                    }
                    value = array;
                }
            }
            case Frame.SPARSE -> {
                if (f.array.elements().size() == f.array.length() && !referenced) {
                    value = new ArrayList<>(f.array.elements().values());
                }
            }
            case Frame.ERROR -> value = new JsError(f.name, f.message, f.stack, f.hasCause() ? f.cause : Undefined.INSTANCE);
            case Frame.HOST -> value = f.hostValue;
            default -> {
            }
        }
        objects[id] = value;
        states[id] = DONE;
        f.clear();
        return value;
    }

    private Frame push(int type, int id, Object container) {
        if (depth >= options.maxDepth()) {
            throw new SerializationException("RangeError", "Maximum call stack size exceeded: the value nests deeper than "
                    + options.maxDepth() + " levels (at byte " + (pos - start) + ")");
        }
        if (depth == frames.length) {
            frames = Arrays.copyOf(frames, depth * 2);
        }
        Frame f = frames[depth];
        if (f == null) {
            f = frames[depth] = new Frame();
        }
        depth++;
        f.open(type, id, container);
        return f;
    }

    // ---- ids ----

    private int reserveId() {
        int id = nextId++;
        if (id == objects.length) {
            objects = Arrays.copyOf(objects, id * 2);
            states = Arrays.copyOf(states, id * 2);
        }
        return id;
    }

    private Object register(int id, Object value, byte state) {
        objects[id] = value;
        states[id] = state;
        return value;
    }

    private Object readReference() {
        int at = pos - 1;
        int id = readVarint32();
        if (id < 0 || id >= nextId || states[id] == RESERVED) {
            pos = at;
            throw malformed("back-reference to unknown object id " + Integer.toUnsignedString(id));
        }
        if (states[id] == OPEN) {
            states[id] = OPEN_REFERENCED;
        }
        return objects[id];
    }

    // ---- objects without children ----

    /** An ArrayBuffer may be followed by a V8 ArrayBufferView ('V') on it, which is the value then. */
    private Object maybeView(Object value) {
        if (!(value instanceof ArrayBuffer buffer) || pos >= end || peekTagOrEnd() != ARRAY_BUFFER_VIEW) {
            return value;
        }
        readTag();
        int subTag = readVarint32();
        long offset = Integer.toUnsignedLong(readVarint32());
        long length = Integer.toUnsignedLong(readVarint32());
        if (offset > buffer.byteLength() || length > buffer.byteLength() - offset) {
            throw malformed("view of " + length + " bytes at " + offset + " is outside its ArrayBuffer of " + buffer.byteLength());
        }
        if (version >= 14) {
            readVarint32(); // flags: length-tracking / backed by a resizable buffer, which Herd's buffers are not
        }
        TypedArray.Kind kind = switch (subTag) {
            case 'b' -> TypedArray.Kind.INT8;
            case 'B' -> TypedArray.Kind.UINT8;
            case 'C' -> TypedArray.Kind.UINT8_CLAMPED;
            case 'w' -> TypedArray.Kind.INT16;
            case 'W' -> TypedArray.Kind.UINT16;
            case 'd' -> TypedArray.Kind.INT32;
            case 'D' -> TypedArray.Kind.UINT32;
            case 'f' -> TypedArray.Kind.FLOAT32;
            case 'F' -> TypedArray.Kind.FLOAT64;
            case 'q' -> TypedArray.Kind.BIGINT64;
            case 'Q' -> TypedArray.Kind.BIGUINT64;
            case '?' -> TypedArray.Kind.DATA_VIEW;
            default -> throw malformed("unknown ArrayBufferView type " + describe(subTag));
        };
        int id = reserveId();
        try {
            return register(id, new TypedArray(kind, buffer, (int) offset, (int) length), DONE);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    /**
     * Node's host object: {@code ChildProcessDeserializer} reads a varint sub-tag first (0 = an
     * ArrayBufferView, 1 = a plain-object copy of another native object); {@code
     * DefaultDeserializer} has only views.
     */
    private Object readHostObject(int id) {
        if (childProcessHost) {
            int subTag = readVarint32();
            if (subTag == HOST_NOT_ARRAY_BUFFER_VIEW) {
                push(Frame.HOST, id, null);
                return PUSHED;
            }
            if (subTag != HOST_ARRAY_BUFFER_VIEW) {
                throw malformed("unknown host object sub-tag " + Integer.toUnsignedString(subTag));
            }
        }
        int typeIndex = readVarint32();
        TypedArray.Kind kind = typeIndex == NODE_BUFFER_INDEX ? null : TypedArray.Kind.ofNodeIndex(typeIndex);
        if (typeIndex != NODE_BUFFER_INDEX && kind == null) {
            throw malformed("unknown ArrayBufferView type index " + Integer.toUnsignedString(typeIndex));
        }
        long length = readLength("view length", 1);
        if (kind != null && length % kind.bytesPerElement() != 0) {
            throw malformed(kind.jsName() + " of " + length + " bytes is not a whole number of elements");
        }
        byte[] bytes = readBytes((int) length);
        Object view = kind == null ? bytes : new TypedArray(kind, ArrayBuffer.wrap(bytes), 0, bytes.length);
        return register(id, view, DONE);
    }

    private JsRegExp readRegExp() {
        String source = readString();
        int bits = readVarint32();
        StringBuilder flags = new StringBuilder(4);
        int known = 0;
        for (int i = 0; i < REGEXP_FLAG_BITS.length; i++) {
            if ((bits & REGEXP_FLAG_BITS[i]) != 0) {
                flags.append(REGEXP_FLAG_CHARS.charAt(i));
            }
            known |= REGEXP_FLAG_BITS[i];
        }
        if ((bits & ~known) != 0) {
            throw malformed("unsupported RegExp flags 0x" + Integer.toHexString(bits));
        }
        if (flags.indexOf("u") >= 0 && flags.indexOf("v") >= 0) {
            throw malformed("RegExp flags u and v together");
        }
        return new JsRegExp(source, flags.toString());
    }

    // ---- keys ----

    /** A property key: V8 writes a string, or an array index as a number. */
    private Object readKey() {
        int tag = readTag();
        return switch (tag) {
            case ONE_BYTE_STRING -> {
                int length = (int) readLength("string length", 1);
                int p = pos;
                pos += length;
                yield length <= NAME_MAX ? oneByteName(p, length) : new String(buf, p, length, StandardCharsets.ISO_8859_1);
            }
            case TWO_BYTE_STRING, UTF8_STRING -> readStringBody(tag);
            case INT32 -> zigzag(readVarint32());
            case UINT32 -> Values.number(Integer.toUnsignedLong(readVarint32()));
            case DOUBLE -> Values.number(readDouble());
            default -> {
                pos--;
                throw malformed("a property key must be a string or a number, found tag " + describe(tag));
            }
        };
    }

    /** The property name JavaScript makes of a key. */
    /** Property names up to this many one-byte chars are shared through {@link #names}. */
    private static final int NAME_MAX = 32;
    /**
     * Recent one-byte property names, by a hash of their bytes: a million objects of one shape
     * share their few names instead of holding a String each (as Jackson canonicalizes JSON's).
     * Kept across payloads; a collision replaces the entry.
     */
    private final String[] names = new String[256];

    /** A one-byte property name of {@code length} bytes at {@code p}: the cached String when it is the same. */
    private String oneByteName(int p, int length) {
        int h = length;
        for (int i = 0; i < length; i++) {
            h = 31 * h + buf[p + i];
        }
        int slot = (h ^ (h >>> 8)) & (names.length - 1);
        String cached = names[slot];
        if (cached != null && cached.length() == length) {
            int i = 0;
            while (i < length && cached.charAt(i) == (buf[p + i] & 0xFF)) {
                i++;
            }
            if (i == length) {
                return cached;
            }
        }
        String name = new String(buf, p, length, StandardCharsets.ISO_8859_1);
        names[slot] = name;
        return name;
    }

    private static String keyString(Object key) {
        if (key instanceof String s) {
            return s;
        }
        if (key instanceof Integer || key instanceof Long) {
            return key.toString();
        }
        return Numbers.toJsString((Double) key);
    }

    /** The array index a key stands for, or -1 for a named property. */
    private static long elementIndex(Object key) {
        if (key instanceof String s) {
            return Values.arrayIndex(s);
        }
        double d = ((Number) key).doubleValue();
        return d >= 0 && d < JsArray.MAX_LENGTH && d == Math.floor(d) ? (long) d : -1;
    }

    // ---- primitives ----

    private String readString() {
        int tag = readTag();
        if (tag != ONE_BYTE_STRING && tag != TWO_BYTE_STRING && tag != UTF8_STRING) {
            pos--;
            throw malformed("expected a string, found tag " + describe(tag));
        }
        return readStringBody(tag);
    }

    private String readStringBody(int tag) {
        int length = (int) readLength("string length", 1);
        int p = pos;
        pos += length;
        return switch (tag) {
            case ONE_BYTE_STRING -> new String(buf, p, length, StandardCharsets.ISO_8859_1);
            case UTF8_STRING -> new String(buf, p, length, StandardCharsets.UTF_8);
            default -> {
                if ((length & 1) != 0) {
                    pos = p;
                    throw malformed("two-byte string of odd byte length " + length);
                }
                // By hand: a UTF-16 decoder would replace lone surrogates, which are valid here.
                char[] chars = new char[length >> 1];
                for (int i = 0; i < chars.length; i++, p += 2) {
                    chars[i] = (char) ((buf[p] & 0xFF) | (buf[p + 1] << 8));
                }
                yield new String(chars);
            }
        };
    }

    private BigInteger readBigInt() {
        int bitfield = readVarint32();
        long byteLength = Integer.toUnsignedLong(bitfield) >>> 1;
        if (byteLength > end - pos) {
            throw malformed("BigInt length " + byteLength + " exceeds the " + (end - pos) + " bytes left");
        }
        int n = (int) byteLength;
        byte[] magnitude = new byte[n];
        for (int i = 0; i < n; i++) {
            magnitude[i] = buf[pos + n - 1 - i]; // little-endian digits to big-endian bytes
        }
        pos += n;
        BigInteger b = new BigInteger(1, magnitude);
        return (bitfield & 1) != 0 ? b.negate() : b;
    }

    private double readDouble() {
        if (end - pos < 8) {
            throw truncated("a double");
        }
        double d = Double.longBitsToDouble((long) LONG_LE.get(buf, pos));
        pos += 8;
        return d;
    }

    private byte[] readBytes(int n) {
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /**
     * A uint32 length that announces at least {@code bytesPerUnit} bytes per unit to follow; fails
     * before anything is allocated when the payload is too short for it.
     */
    private long readLength(String what, int bytesPerUnit) {
        long n = Integer.toUnsignedLong(readVarint32());
        if (n * bytesPerUnit > end - pos) {
            throw malformed(what + " " + n + " exceeds the " + (end - pos) + " bytes left");
        }
        return n;
    }

    private static Integer zigzag(int v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** An unsigned LEB128 varint of at most 32 bits, returned in an int's bits. */
    private int readVarint32() {
        int result = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos >= end) {
                throw truncated("a varint");
            }
            int b = buf[pos++];
            if (shift == 28 && (b & 0x70) != 0) {
                throw malformed("varint beyond 32 bits");
            }
            result |= (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
            if (shift == 28) {
                throw malformed("varint longer than 5 bytes");
            }
        }
    }

    /** The next tag, skipping padding. */
    private int readTag() {
        for (;;) {
            if (pos >= end) {
                throw truncated("a tag");
            }
            int tag = buf[pos++] & 0xFF;
            if (tag != PADDING) {
                return tag;
            }
        }
    }

    /** The next tag without reading it, skipping (and consuming) padding; fails at the end. */
    private int peekTag() {
        int tag = peekTagOrEnd();
        if (tag < 0) {
            throw truncated("a tag");
        }
        return tag;
    }

    private int peekTagOrEnd() {
        while (pos < end && buf[pos] == PADDING) {
            pos++;
        }
        return pos < end ? buf[pos] & 0xFF : -1;
    }

    /** V8 checks the counts an end tag declares against what it read; so does Herd. */
    private void expectCount(String what, long counted, int declared) {
        if (counted != Integer.toUnsignedLong(declared)) {
            throw malformed(what + ": the end tag says " + Integer.toUnsignedString(declared) + " but " + counted + " were read");
        }
    }

    private static String describe(int tag) {
        String hex = String.format("0x%02X", tag);
        return tag >= 0x20 && tag < 0x7F ? hex + " '" + (char) tag + "'" : hex;
    }

    private SerializationException malformed(String detail) {
        return new SerializationException("Error", "Unable to deserialize cloned data: " + detail + " (at byte " + (pos - start) + ")");
    }

    private SerializationException truncated(String what) {
        return new SerializationException("Error", "Unable to deserialize cloned data: truncated, expected " + what
                + " at byte " + (pos - start) + " of " + (end - start));
    }

    // ---- Map keys and Set elements ----

    /**
     * Java's collections hash a key by content. A container key that reaches itself, or reaches a
     * container still being read (which will come to contain the key), would hash forever, now or
     * later; and a key made of shared parts hashes each part once per path to it. So container keys
     * are walked first: a cycle or an open container fails, and the nodes hashed across the payload
     * (counted per path, as hashCode visits them) are bounded by {@link #hashBudget}.
     */
    private void checkHashable(Object key) {
        if (key instanceof ArrayBuffer b) {
            spend(b.byteLength() / 8 + 1);
            return;
        }
        if (key instanceof TypedArray t) {
            spend(t.byteLength() / 8 + 1);
            return;
        }
        if (!(key instanceof Map<?, ?>) && !(key instanceof Collection<?>)) {
            return;
        }
        IdentityHashMap<Object, Long> sizes = new IdentityHashMap<>();
        for (int i = 0; i < depth; i++) {
            if (frames[i].container != null) {
                sizes.put(frames[i].container, OPEN_SIZE);
            }
        }
        ArrayDeque<Walk> stack = new ArrayDeque<>();
        long edges = 0;
        stack.push(new Walk(key, children(key)));
        if (sizes.get(key) != null) {
            throw unhashable("a Map key or Set element contains a container that is still being read (a cycle through a key)");
        }
        sizes.put(key, ON_PATH);
        long rootSize = 0;
        while (!stack.isEmpty()) {
            Walk w = stack.peek();
            if (w.children.hasNext()) {
                Object c = w.children.next();
                if (++edges > hashBudget) {
                    throw unhashable("Map keys and Set elements too large to hash");
                }
                long leaf = leafSize(c);
                if (leaf >= 0) {
                    w.size += leaf;
                    continue;
                }
                Long known = sizes.get(c);
                if (known == null) {
                    sizes.put(c, ON_PATH);
                    stack.push(new Walk(c, children(c)));
                } else if (known < 0) {
                    throw unhashable("a Map key or Set element contains itself or a container still being read (a cycle through a key)");
                } else {
                    w.size = Math.min(w.size + known, Long.MAX_VALUE / 4);
                }
            } else {
                stack.pop();
                sizes.put(w.node, w.size);
                if (stack.isEmpty()) {
                    rootSize = w.size;
                } else {
                    Walk parent = stack.peek();
                    parent.size = Math.min(parent.size + w.size, Long.MAX_VALUE / 4);
                }
            }
        }
        spend(rootSize);
    }

    /** Marks in checkHashable's table: a container being read, a container on the walk's path. */
    private static final Long OPEN_SIZE = -1L;
    private static final Long ON_PATH = -2L;

    /** How much hashing a non-container costs, or -1 for a container. */
    private static long leafSize(Object v) {
        if (v instanceof Map<?, ?> || v instanceof Collection<?>) {
            return -1;
        }
        if (v instanceof ArrayBuffer b) {
            return b.byteLength() / 8 + 1;
        }
        if (v instanceof TypedArray t) {
            return t.byteLength() / 8 + 1;
        }
        return 1;
    }

    private static Iterator<?> children(Object container) {
        if (container instanceof JsArray a) {
            return a.elements().values().iterator();
        }
        if (container instanceof Map<?, ?> m) {
            return new Iterator<Object>() {
                private final Iterator<? extends Map.Entry<?, ?>> entries = m.entrySet().iterator();
                private Object value;
                private boolean valueNext;

                @Override
                public boolean hasNext() {
                    return valueNext || entries.hasNext();
                }

                @Override
                public Object next() {
                    if (valueNext) {
                        valueNext = false;
                        return value;
                    }
                    Map.Entry<?, ?> e = entries.next();
                    value = e.getValue();
                    valueNext = true;
                    return e.getKey();
                }
            };
        }
        return ((Collection<?>) container).iterator();
    }

    private void spend(long nodes) {
        hashBudget -= nodes;
        if (hashBudget < 0) {
            throw unhashable("Map keys and Set elements too large to hash");
        }
    }

    private SerializationException unhashable(String detail) {
        return new SerializationException("Error", "Unable to deserialize cloned data into Java collections: " + detail
                + " (at byte " + (pos - start) + ")");
    }

    private static final class Walk {
        final Object node;
        final Iterator<?> children;
        long size = 1;

        Walk(Object node, Iterator<?> children) {
            this.node = node;
            this.children = children;
        }
    }

    /** One open container: where its reading is. */
    private static final class Frame {
        static final int OBJECT = 1;
        static final int DENSE = 2;
        static final int SPARSE = 3;
        static final int MAP = 4;
        static final int SET = 5;
        static final int ERROR = 6;
        static final int HOST = 7;

        int type;
        int id;
        Object container;
        LinkedHashMap<String, Object> map;
        List<Object> list;
        JsArray array;
        JsMap jsMap;
        LinkedHashSet<Object> set;
        long length;
        long index;
        long count;
        String key;
        Object mapKey;
        boolean haveKey;
        boolean inProperties;
        long propertyIndex;
        BitSet holes;
        String name;
        String message;
        String stack;
        Object cause = NO_CAUSE;
        Object hostValue;

        private static final Object NO_CAUSE = new Object();

        @SuppressWarnings("unchecked")
        void open(int type, int id, Object container) {
            clear();
            this.type = type;
            this.id = id;
            this.container = container;
            switch (type) {
                case OBJECT -> map = (LinkedHashMap<String, Object>) container;
                case DENSE -> list = (List<Object>) container;
                case SPARSE -> array = (JsArray) container;
                case MAP -> jsMap = (JsMap) container;
                case SET -> set = (LinkedHashSet<Object>) container;
                case ERROR -> name = "Error";
                default -> {
                }
            }
        }

        boolean hasCause() {
            return cause != NO_CAUSE;
        }

        void clear() {
            container = null;
            map = null;
            list = null;
            array = null;
            jsMap = null;
            set = null;
            length = 0;
            index = 0;
            count = 0;
            key = null;
            mapKey = null;
            haveKey = false;
            inProperties = false;
            propertyIndex = -1;
            holes = null;
            name = null;
            message = null;
            stack = null;
            cause = NO_CAUSE;
            hostValue = null;
        }
    }
}
