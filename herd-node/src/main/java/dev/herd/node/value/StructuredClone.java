package dev.herd.node.value;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The HTML structured-clone algorithm over the value model, as worker_threads' {@code postMessage}
 * and {@code structuredClone()} use it: a deep copy that keeps shared and circular structure, in
 * the generic form, exactly what a V8 serialize → deserialize round trip would give (see
 * {@link Values}): records and beans become {@code LinkedHashMap} plain objects in JavaScript's
 * property order, numbers are normalized with {@link Values#number(double)}, other Collections,
 * Object[] and primitive arrays become ArrayList, Maps with a non-string key become {@link JsMap},
 * Sets LinkedHashSet, dates Instant (millisecond precision) or {@link InvalidDate}, ByteBuffer an
 * {@link ArrayBuffer} copy, Pattern a {@link JsRegExp}, any Throwable a {@link JsError}, other
 * CharSequences and Enums strings. Map keys and Set elements equal to {@code -0} become {@code 0}
 * and keys that become equal merge, as in a JavaScript Map.
 *
 * <p>Immutable leaves (String, Integer, Long, Double, Boolean, BigInteger, Instant, Undefined,
 * InvalidDate, JsRegExp) and {@link Shared} objects (a SharedArrayBuffer) are shared with the
 * source; every container, byte[], ArrayBuffer, TypedArray and JsError is new. Views that shared
 * one buffer share its copy.
 *
 * <p>Transfer: the objects of the transfer list ({@link Transferable}s: ArrayBuffers, later
 * MessagePorts) are moved, not copied: a transferred ArrayBuffer's clone is a new ArrayBuffer over
 * the same memory, TypedArrays over it are rebuilt over the moved buffer, and the source is
 * detached (byteLength 0) — also when the value does not contain it, as in JavaScript. A byte[]
 * cannot be transferred (wrap it in an ArrayBuffer).
 *
 * <p>Errors are {@link DataCloneError}s, with V8's or Node's messages: a function or another value
 * with no JavaScript counterpart ({@code "… could not be cloned."}); a detached ArrayBuffer in the
 * value or the transfer list; the same object twice in the transfer list; an object that is not
 * {@link Transferable} in the transfer list (Node throws a TypeError {@code
 * ERR_INVALID_TRANSFER_OBJECT} there, with the same message). A call that fails changes nothing:
 * the transfer list is checked first, the value is cloned, and only then are the moves committed.
 *
 * <p>Nesting depth is bounded only by memory: the walk uses an explicit stack, not recursion.
 * Static and thread-safe; the source must not change during the call (the thread rules of its
 * objects apply).
 */
public final class StructuredClone {
    private StructuredClone() {
    }

    /**
     * A structured clone of {@code value}.
     *
     * @param value the value
     * @return its clone, in the generic form
     */
    public static Object clone(Object value) {
        Object leaf = leaf(value);
        if (leaf != NOT_A_LEAF) {
            return leaf;
        }
        return new Cloner(null).run(value);
    }

    /**
     * A structured clone of {@code value} that moves the objects of {@code transferList} to it.
     *
     * @param value the value
     * @param transferList the objects to move
     * @return its clone, in the generic form
     * @throws DataCloneError if the value cannot be cloned or the list cannot be transferred; then
     *     nothing was detached
     */
    public static Object clone(Object value, List<?> transferList) {
        if (transferList == null || transferList.isEmpty()) {
            return clone(value);
        }
        Cloner cloner = new Cloner(transferList);
        Object result = cloner.run(value);
        for (Transferable.Transfer t : cloner.transfers) {
            t.commit();
        }
        return result;
    }

    // ---- leaves ----

    private static final Object NOT_A_LEAF = new Object();
    private static final double MAX_TIME = 8.64e15;

    /** The clone of an immutable value, or NOT_A_LEAF for anything with identity (or refused). */
    private static Object leaf(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Integer i -> i;
            case Boolean b -> b;
            case Double d -> number(d);
            case Long l -> l == (int) (long) l ? Integer.valueOf((int) (long) l)
                    : Math.abs(l) <= Values.MAX_SAFE_INTEGER ? l : Values.number(l);
            case Undefined u -> u;
            case InvalidDate d -> d;
            case BigInteger b -> b;
            case JsRegExp r -> r;
            case Instant t -> instant(t);
            case Shared s -> s;
            default -> NOT_A_LEAF;
        };
    }

    /** A Double as a decoder would give it: integral values become Integer or Long, others stay as they are. */
    private static Object number(Double d) {
        double x = d;
        if (x == (long) x && Math.abs(x) <= Values.MAX_SAFE_INTEGER && Double.doubleToRawLongBits(x) != Long.MIN_VALUE) {
            return Values.number(x);
        }
        return d;
    }

    private static Object instant(Instant t) {
        double ms = Values.dateValue(t);
        if (t.getNano() % 1_000_000 == 0 && Math.abs(ms) <= MAX_TIME) {
            return t;
        }
        return Values.date(ms);
    }

    /** Leaves of the other classes that stand for JavaScript primitives (by {@link Values#kindOf}). */
    private static Object otherLeaf(Object v, Values.Kind kind) {
        return switch (kind) {
            case NUMBER -> Values.number(Values.toDouble(v));
            case STRING -> Values.toStringValue(v);
            case DATE -> Values.date(Values.dateValue(v));
            case REGEXP -> v instanceof Pattern p ? JsRegExp.of(p) : v;
            default -> NOT_A_LEAF;
        };
    }

    /** Map keys and Set elements: JavaScript's SameValueZero makes -0 into 0. */
    private static Object zeroKey(Object k) {
        return k instanceof Double d && d == 0 ? Integer.valueOf(0) : k;
    }

    // ---- the walk ----

    /**
     * One clone: the identity map (source object → its clone), and the depth-first walk. A container
     * is created empty when first met, recorded, and filled by a frame on the stack; a frame stops as
     * soon as it pushes a child's frame, so the stack is always the path from the root and a
     * container is finished only after everything it reaches (but its ancestors). That order lets
     * Maps and Sets insert their keys only once the keys are complete, since Java hashes them.
     */
    private static final class Cloner {
        private final ArrayDeque<Frame> stack = new ArrayDeque<>();
        private final List<Transferable.Transfer> transfers = new ArrayList<>();
        private IdentityHashMap<Object, Object> seen;
        /** Set by {@link #copy} when it pushed a frame: the current frame must let it run first. */
        private boolean pushed;

        Cloner(List<?> transferList) {
            if (transferList != null) {
                prepare(transferList);
            }
        }

        /** Checks the whole transfer list, then prepares each move (nothing is detached yet). */
        private void prepare(List<?> transferList) {
            IdentityHashMap<Object, Object> listed = new IdentityHashMap<>();
            for (Object o : transferList) {
                if (!(o instanceof Transferable t)) {
                    throw new DataCloneError("Found invalid object in transferList"
                            + (o instanceof byte[] ? " (a byte[] cannot be transferred: use an ArrayBuffer)" : ""));
                }
                if (listed.put(t, t) != null) {
                    throw new DataCloneError("Transfer list contains duplicate " + o.getClass().getSimpleName());
                }
                if (t.isDetached()) {
                    throw new DataCloneError(t instanceof ArrayBuffer ? "An ArrayBuffer is detached and could not be cloned."
                            : "A detached " + o.getClass().getSimpleName() + " could not be transferred.");
                }
            }
            seen = new IdentityHashMap<>();
            for (Object o : transferList) {
                Transferable.Transfer t = ((Transferable) o).prepareTransfer();
                transfers.add(t);
                seen.put(o, t.target());
            }
        }

        Object run(Object root) {
            Object result = copy(root);
            while (!stack.isEmpty()) {
                pushed = false;
                Frame f = stack.peek();
                if (f.fill(this)) {
                    stack.pop();
                    f.finish();
                }
            }
            return result;
        }

        /** The clone of {@code v}: a leaf, a clone made before, or a new one (whose frame is pushed). */
        Object copy(Object v) {
            Object leaf = leaf(v);
            if (leaf != NOT_A_LEAF) {
                return leaf;
            }
            if (seen == null) {
                seen = new IdentityHashMap<>();
            } else {
                Object c = seen.get(v);
                if (c != null) {
                    return c;
                }
            }
            if (v instanceof Transferable && !(v instanceof ArrayBuffer)) {
                throw new DataCloneError("Object that needs transfer was found in message but not listed in transferList");
            }
            Values.Kind kind = Values.kindOf(v);
            return switch (kind) {
                case ARRAY -> {
                    List<?> elements = Values.elements(v);
                    ArrayList<Object> c = new ArrayList<>(elements.size());
                    yield push(v, c, new ListFrame(elements.iterator(), c));
                }
                case SPARSE_ARRAY -> {
                    JsArray source = (JsArray) v;
                    JsArray c = new JsArray(source.length());
                    yield push(v, c, new SparseFrame(source.elements().entrySet().iterator(), c));
                }
                case OBJECT -> {
                    List<Map.Entry<String, Object>> properties = Values.properties(v);
                    LinkedHashMap<String, Object> c = new LinkedHashMap<>(capacity(properties.size()));
                    yield push(v, c, new ObjectFrame(properties.iterator(), c));
                }
                case MAP -> {
                    Map<?, ?> source = (Map<?, ?>) v;
                    Object[] flat = new Object[2 * source.size()];
                    int i = 0;
                    for (Map.Entry<?, ?> e : source.entrySet()) {
                        flat[i++] = e.getKey();
                        flat[i++] = e.getValue();
                    }
                    JsMap c = new JsMap();
                    yield push(v, c, new MapFrame(flat, c));
                }
                case SET -> {
                    Collection<?> source = (Collection<?>) v;
                    LinkedHashSet<Object> c = new LinkedHashSet<>(capacity(source.size()));
                    yield push(v, c, new SetFrame(source.toArray(), c));
                }
                case BUFFER -> record(v, ((byte[]) v).clone());
                case ARRAY_BUFFER -> record(v, v instanceof ByteBuffer b ? ArrayBuffer.copyOf(b) : copyBuffer((ArrayBuffer) v));
                case TYPED_ARRAY -> {
                    TypedArray t = (TypedArray) v;
                    ArrayBuffer buffer = (ArrayBuffer) copy(t.buffer()); // a leaf-like copy: never pushes
                    yield record(v, new TypedArray(t.kind(), buffer, t.byteOffset(), t.byteLength()));
                }
                case ERROR -> copyError(v);
                case FUNCTION, UNSUPPORTED -> throw DataCloneError.of(v);
                default -> {
                    Object other = otherLeaf(v, kind);
                    if (other == NOT_A_LEAF) {
                        throw DataCloneError.of(v);
                    }
                    yield other;
                }
            };
        }

        private Object push(Object source, Object clone, Frame frame) {
            seen.put(source, clone);
            stack.push(frame);
            pushed = true;
            return clone;
        }

        private Object record(Object source, Object clone) {
            seen.put(source, clone);
            return clone;
        }

        private static ArrayBuffer copyBuffer(ArrayBuffer source) {
            if (source.isDetached()) {
                throw new DataCloneError("An ArrayBuffer is detached and could not be cloned.");
            }
            return ArrayBuffer.wrap(source.toByteArray());
        }

        /**
         * An error and its chain of causes, iteratively (a chain may be long): the innermost cause
         * that is not an unseen error is copied first, then each error is rebuilt around it.
         */
        private Object copyError(Object v) {
            ArrayList<Object> sources = new ArrayList<>();
            ArrayList<JsError> errors = new ArrayList<>();
            Object cause = v;
            while (cause instanceof Throwable t && !seen.containsKey(t)) {
                JsError js = JsError.of(t);
                sources.add(t);
                errors.add(js);
                cause = js.jsCause();
            }
            Object clone = copy(cause);
            for (int i = errors.size() - 1; i >= 0; i--) {
                JsError e = errors.get(i);
                clone = new JsError(e.name(), e.getMessage(), e.stack(), clone);
                seen.put(sources.get(i), clone);
            }
            return clone;
        }

        private static int capacity(int size) {
            return Math.max(16, (int) (size / 0.75f) + 1);
        }
    }

    // ---- frames: one per container being filled ----

    private abstract static class Frame {
        /** Copies children until one pushes a frame (false) or all are done (true). */
        abstract boolean fill(Cloner c);

        /** Runs once every child is complete. */
        void finish() {
        }
    }

    private static final class ListFrame extends Frame {
        private final Iterator<?> source;
        private final ArrayList<Object> target;

        ListFrame(Iterator<?> source, ArrayList<Object> target) {
            this.source = source;
            this.target = target;
        }

        @Override
        boolean fill(Cloner c) {
            while (source.hasNext()) {
                target.add(c.copy(source.next()));
                if (c.pushed) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class SparseFrame extends Frame {
        private final Iterator<Map.Entry<Long, Object>> source;
        private final JsArray target;

        SparseFrame(Iterator<Map.Entry<Long, Object>> source, JsArray target) {
            this.source = source;
            this.target = target;
        }

        @Override
        boolean fill(Cloner c) {
            while (source.hasNext()) {
                Map.Entry<Long, Object> e = source.next();
                target.put(e.getKey(), c.copy(e.getValue()));
                if (c.pushed) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class ObjectFrame extends Frame {
        private final Iterator<Map.Entry<String, Object>> source;
        private final LinkedHashMap<String, Object> target;

        ObjectFrame(Iterator<Map.Entry<String, Object>> source, LinkedHashMap<String, Object> target) {
            this.source = source;
            this.target = target;
        }

        @Override
        boolean fill(Cloner c) {
            while (source.hasNext()) {
                Map.Entry<String, Object> e = source.next();
                target.put(e.getKey(), c.copy(e.getValue()));
                if (c.pushed) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A Map: keys and values (flattened) are copied first, inserted once they are complete. */
    private static final class MapFrame extends Frame {
        private final Object[] items;
        private final JsMap target;
        private int next;

        MapFrame(Object[] items, JsMap target) {
            this.items = items;
            this.target = target;
        }

        @Override
        boolean fill(Cloner c) {
            while (next < items.length) {
                Object item = items[next];
                items[next++] = c.copy(item); // the source array is this frame's own snapshot
                if (c.pushed) {
                    return false;
                }
            }
            return true;
        }

        @Override
        void finish() {
            for (int i = 0; i < items.length; i += 2) {
                target.put(zeroKey(items[i]), items[i + 1]);
            }
        }
    }

    /** A Set: elements are copied first, added once they are complete. */
    private static final class SetFrame extends Frame {
        private final Object[] items;
        private final LinkedHashSet<Object> target;
        private int next;

        SetFrame(Object[] items, LinkedHashSet<Object> target) {
            this.items = items;
            this.target = target;
        }

        @Override
        boolean fill(Cloner c) {
            while (next < items.length) {
                Object item = items[next];
                items[next++] = c.copy(item);
                if (c.pushed) {
                    return false;
                }
            }
            return true;
        }

        @Override
        void finish() {
            for (Object item : items) {
                target.add(zeroKey(item));
            }
        }
    }
}
