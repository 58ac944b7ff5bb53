package dev.herd.loop;

/**
 * An intrusive doubly-linked list of started idle, prepare or check handles, run the way libuv runs
 * them: the list is moved aside at the start of the phase and each handle is moved back before its
 * callback runs, so handles started during the phase wait for the next one and handles stopped
 * during it are skipped.
 */
final class HandleQueue {
    private QueuedHandle head;
    private QueuedHandle tail;
    /** The list a phase runs from, kept for reuse; null while a phase is running (phases may nest). */
    private HandleQueue spare;

    boolean isEmpty() {
        return head == null;
    }

    void addLast(QueuedHandle h) {
        h.queue = this;
        h.prev = tail;
        h.next = null;
        if (tail == null) head = h;
        else tail.next = h;
        tail = h;
    }

    void remove(QueuedHandle h) {
        if (h.queue != this) return;
        if (h.prev == null) head = h.next;
        else h.prev.next = h.next;
        if (h.next == null) tail = h.prev;
        else h.next.prev = h.prev;
        h.prev = h.next = null;
        h.queue = null;
    }

    /** Runs one phase over this list (libuv's uv__run_idle/prepare/check). */
    void runPhase(Loop loop) {
        if (head == null) return;
        HandleQueue pass = spare != null ? spare : new HandleQueue();
        spare = null;
        pass.head = head;
        pass.tail = tail;
        for (QueuedHandle h = head; h != null; h = h.next) h.queue = pass;
        head = tail = null;
        try {
            while (pass.head != null) {
                QueuedHandle h = pass.head;
                pass.remove(h);
                addLast(h);
                try {
                    h.callback.run();
                } catch (Throwable e) {
                    loop.uncaught(e);
                }
            }
        } finally {
            // After an escaping exception the handles not yet run go back to the front, in order.
            while (pass.tail != null) {
                QueuedHandle h = pass.tail;
                pass.remove(h);
                addFirst(h);
            }
            spare = pass;
        }
    }

    private void addFirst(QueuedHandle h) {
        h.queue = this;
        h.next = head;
        h.prev = null;
        if (head == null) tail = h;
        else head.prev = h;
        head = h;
    }

    /** A handle that lives in a {@link HandleQueue} while started. */
    abstract static class QueuedHandle extends Handle {
        HandleQueue queue;
        QueuedHandle prev;
        QueuedHandle next;
        Runnable callback;

        QueuedHandle(Loop loop) {
            super(loop);
        }

        abstract HandleQueue list();

        /**
         * Starts the handle: {@code callback} runs once per loop iteration in this handle's phase.
         *
         * @param callback runs once per iteration while the handle is started
         */
        public void start(Runnable callback) {
            checkOpen();
            if (callback == null) throw new NullPointerException("callback");
            if (isActive()) return; // libuv: starting an active handle is a no-op
            this.callback = callback;
            list().addLast(this);
            activate();
        }

        /** Stops the handle. Idempotent. */
        public void stop() {
            loop.checkThread();
            if (!isActive()) return;
            if (queue != null) queue.remove(this);
            deactivate();
        }

        @Override
        protected void doClose() {
            stop();
        }
    }
}
