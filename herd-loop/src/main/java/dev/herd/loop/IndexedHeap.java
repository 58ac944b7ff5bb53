package dev.herd.loop;

import java.util.Arrays;

/**
 * A binary min-heap whose entries remember their own position, so removal is O(log n): the
 * structure behind the loop's timers and the Node layer's timeouts. A subclass says how two
 * entries compare and where an entry keeps its index (-1 when not in the heap).
 *
 * <p>Thread rule: none (not thread-safe); owned by one loop thread. Lifetime: an ordinary object.
 *
 * @param <T> the entry type
 */
public abstract class IndexedHeap<T> {
    private Object[] heap = new Object[64];
    private int size;

    /** An empty heap. */
    protected IndexedHeap() {}

    /**
     * Whether {@code a} comes before {@code b}.
     *
     * @param a an entry
     * @param b another entry
     * @return whether {@code a} comes before {@code b}
     */
    protected abstract boolean less(T a, T b);

    /**
     * The index stored in {@code t}, -1 if it is not in the heap.
     *
     * @param t an entry
     * @return the index stored in {@code t}, -1 if it is not in the heap
     */
    protected abstract int indexOf(T t);

    /**
     * Stores {@code index} in {@code t}.
     *
     * @param t an entry
     * @param index its index in the heap, or -1 when it leaves the heap
     */
    protected abstract void setIndex(T t, int index);

    /** {@return the number of entries} */
    public final int size() {
        return size;
    }

    /** {@return the first entry, or null} */
    @SuppressWarnings("unchecked")
    public final T peek() {
        return size == 0 ? null : (T) heap[0];
    }

    /**
     * Adds {@code t}, which must not be in the heap.
     *
     * @param t the entry to add
     */
    public final void add(T t) {
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        setIndex(t, size);
        siftUp(size++);
    }

    /**
     * Removes {@code t}; does nothing if it is not in the heap.
     *
     * @param t the entry to remove
     */
    @SuppressWarnings("unchecked")
    public final void remove(T t) {
        int i = indexOf(t);
        if (i < 0) return;
        setIndex(t, -1);
        int last = --size;
        T moved = (T) heap[last];
        heap[last] = null;
        if (i != last) {
            heap[i] = moved;
            setIndex(moved, i);
            siftDown(i);
            if (indexOf(moved) == i) siftUp(i);
        }
    }

    @SuppressWarnings("unchecked")
    private void siftUp(int i) {
        T t = (T) heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            T parent = (T) heap[p];
            if (!less(t, parent)) break;
            heap[i] = parent;
            setIndex(parent, i);
            i = p;
        }
        heap[i] = t;
        setIndex(t, i);
    }

    @SuppressWarnings("unchecked")
    private void siftDown(int i) {
        T t = (T) heap[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            T child = (T) heap[c];
            int r = c + 1;
            if (r < size && less((T) heap[r], child)) {
                c = r;
                child = (T) heap[c];
            }
            if (!less(child, t)) break;
            heap[i] = child;
            setIndex(child, i);
            i = c;
        }
        heap[i] = t;
        setIndex(t, i);
    }
}
