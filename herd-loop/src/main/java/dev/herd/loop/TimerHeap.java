package dev.herd.loop;

/** The loop's active timers, ordered by (due time, start order): libuv's timer heap. */
final class TimerHeap extends IndexedHeap<Timer> {
    @Override
    protected boolean less(Timer a, Timer b) {
        return a.timeout < b.timeout || (a.timeout == b.timeout && a.startId < b.startId);
    }

    @Override
    protected int indexOf(Timer t) {
        return t.heapIndex;
    }

    @Override
    protected void setIndex(Timer t, int index) {
        t.heapIndex = index;
    }
}
