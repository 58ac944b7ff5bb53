package dev.herd.node;

import dev.herd.loop.IndexedHeap;

/** Pending Timeouts by (due time, insertion order). */
final class TimeoutHeap extends IndexedHeap<Timeout> {
    @Override
    protected boolean less(Timeout a, Timeout b) {
        return a.due < b.due || (a.due == b.due && a.seq < b.seq);
    }

    @Override
    protected int indexOf(Timeout t) {
        return t.heapIndex;
    }

    @Override
    protected void setIndex(Timeout t, int index) {
        t.heapIndex = index;
    }
}
