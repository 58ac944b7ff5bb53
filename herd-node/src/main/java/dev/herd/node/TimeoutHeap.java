package dev.herd.node;

import java.util.Arrays;

/** Min-heap of pending Timeouts by (due time, insertion order). */
final class TimeoutHeap {
    private Timeout[] heap = new Timeout[256];
    private int size;

    int size() {
        return size;
    }

    Timeout peek() {
        return size == 0 ? null : heap[0];
    }

    private static boolean less(Timeout a, Timeout b) {
        return a.due < b.due || (a.due == b.due && a.seq < b.seq);
    }

    void add(Timeout t) {
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.heapIndex = size;
        up(size++);
    }

    void remove(Timeout t) {
        int i = t.heapIndex;
        if (i < 0) return;
        t.heapIndex = -1;
        int last = --size;
        if (i != last) {
            Timeout moved = heap[last];
            heap[last] = null;
            heap[i] = moved;
            moved.heapIndex = i;
            down(i);
            if (moved.heapIndex == i) up(i);
        } else {
            heap[last] = null;
        }
    }

    private void up(int i) {
        Timeout t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timeout parent = heap[p];
            if (!less(t, parent)) break;
            heap[i] = parent;
            parent.heapIndex = i;
            i = p;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void down(int i) {
        Timeout t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            Timeout child = heap[c];
            int r = c + 1;
            if (r < size && less(heap[r], child)) {
                c = r;
                child = heap[c];
            }
            if (!less(child, t)) break;
            heap[i] = child;
            child.heapIndex = i;
            i = c;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
