package dev.herd.loop;

import java.util.Arrays;

/** Binary min-heap of active timers ordered by (due time, start order), with O(log n) removal. */
final class TimerHeap {
    private Timer[] heap = new Timer[64];
    private int size;

    int size() {
        return size;
    }

    Timer peek() {
        return size == 0 ? null : heap[0];
    }

    private static boolean less(Timer a, Timer b) {
        return a.timeout < b.timeout || (a.timeout == b.timeout && a.startId < b.startId);
    }

    void add(Timer t) {
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.heapIndex = size;
        siftUp(size++);
    }

    void remove(Timer t) {
        int i = t.heapIndex;
        if (i < 0) return;
        t.heapIndex = -1;
        int last = --size;
        if (i != last) {
            Timer moved = heap[last];
            heap[i] = moved;
            moved.heapIndex = i;
            heap[last] = null;
            siftDown(i);
            if (moved.heapIndex == i) siftUp(i);
        } else {
            heap[last] = null;
        }
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timer parent = heap[p];
            if (!less(t, parent)) break;
            heap[i] = parent;
            parent.heapIndex = i;
            i = p;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            Timer child = heap[c];
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
