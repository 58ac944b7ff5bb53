package dev.herd.node.worker_threads;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One end of a message channel, apart from the object that currently uses it: its inbox, its link
 * to the peer end, and who drains it. A {@link MessagePort} owns one; transferring the port moves
 * the state (queued messages included) to the port object made for the receiver, so a message is
 * never lost in transit: senders keep appending while the state has no {@link #owner}, and the
 * new owner drains what it finds when it binds. A Worker's parent side and a BroadcastChannel are
 * owners too.
 *
 * <p>The inbox is a multi-producer, single-consumer linked queue (Vyukov's): {@link #deliver} is
 * safe on any thread and never blocks, {@link #poll} runs on the owner's loop thread only. Once
 * the state is {@link #closed} it has no consumer, and what still arrives is dropped under the
 * state's lock (the only other way to consume).
 *
 * <p>Memory visibility: everything the sender wrote before {@link #deliver} (the clone, the moved
 * ports) is visible to the thread that polls the envelope, through the volatile link. The link is
 * written with a volatile store (not a release) because the sender then reads the owner's
 * 'scheduled' flag while the owner clears that flag and then reads the link: only sequentially
 * consistent accesses on both sides guarantee that one of them sees the other.
 */
final class PortState {
    /** Who drains an inbox: wakes its loop so that it polls. */
    interface Receiver {
        /** Makes the receiver poll soon. Safe on any thread; cheap when already pending. */
        void schedule();
    }

    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Envelope.class, "next", Envelope.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The consumer's end: a stub whose {@code next} is the oldest envelope. */
    private Envelope head;
    /** The producers' end. */
    private final AtomicReference<Envelope> tail;

    /** The entangled end, or null once either end closed. */
    final AtomicReference<PortState> peer = new AtomicReference<>();
    /** Who drains this inbox now; null in transit (or once closed). */
    volatile Receiver owner;
    /** No consumer any more: what arrives is dropped. */
    volatile boolean closed;

    PortState() {
        Envelope stub = Envelope.control(Envelope.CLOSE);
        head = stub;
        tail = new AtomicReference<>(stub);
    }

    /** Two entangled ends (a MessageChannel's). */
    static PortState[] pair() {
        PortState a = new PortState();
        PortState b = new PortState();
        a.peer.set(b);
        b.peer.set(a);
        return new PortState[] {a, b};
    }

    /**
     * Sends {@code e} to the peer; false (and nothing delivered) when this end is no longer
     * entangled. Any thread.
     */
    boolean post(Envelope e) {
        PortState p = peer.get();
        if (p == null) return false;
        p.deliver(e);
        return true;
    }

    /** Appends {@code e} to this inbox and wakes the owner. Any thread. */
    void deliver(Envelope e) {
        Envelope prev = tail.getAndSet(e);
        // A volatile store, not a release: it must not be reordered with the volatile reads of
        // 'closed' and the owner's 'scheduled' flag below. The consumer writes those flags and then
        // reads this link (Dekker's pattern); with a release store a message could land unseen
        // by a drain that had just finished while the sender still saw the drain as pending.
        NEXT.setVolatile(prev, e);
        if (closed) {
            dropAll(); // the receiver is gone: nobody will poll this
            return;
        }
        Receiver r = owner;
        if (r != null) r.schedule();
    }

    /** The oldest envelope, or null. The owner's loop thread only (the single consumer). */
    Envelope poll() {
        Envelope next = (Envelope) NEXT.getVolatile(head);
        if (next == null) return null;
        head = next; // the polled envelope becomes the stub; its fields stay readable
        return next;
    }

    /** Whether the inbox looks empty (a concurrent deliver may be halfway). Any thread. */
    boolean isEmpty() {
        return NEXT.getVolatile(head) == null;
    }

    /**
     * Ends this state's link: the peer is told (a CLOSE after the messages already sent to it) and
     * its own posts are dropped from now on. Idempotent; any thread.
     */
    void disentangle() {
        PortState p = peer.getAndSet(null);
        if (p != null) {
            p.peer.compareAndSet(this, null);
            p.deliver(Envelope.control(Envelope.CLOSE));
        }
    }

    /**
     * Marks the state as having no consumer and drops its inbox. The owner's thread (after its
     * last poll), or any thread for a state that was never bound.
     */
    void close() {
        closed = true;
        owner = null;
        disentangle();
        dropAll();
    }

    /** {@link #close()} for the state of a port that was moved but never reached a receiver. */
    void closeOrphan() {
        close();
    }

    /** Drops every queued envelope, closing the ports they carried. */
    private void dropAll() {
        // Dropped envelopes may carry ports whose inboxes hold more ports: a worklist, not recursion.
        java.util.ArrayDeque<PortState> work = null;
        synchronized (this) {
            Envelope e;
            while ((e = poll()) != null) {
                for (MessagePort p : e.ports) {
                    if (work == null) work = new java.util.ArrayDeque<>();
                    work.add(p.state);
                }
            }
        }
        if (work == null) return;
        PortState s;
        while ((s = work.poll()) != null) {
            if (s.closed) continue;
            s.closed = true;
            s.owner = null;
            s.disentangle();
            synchronized (s) {
                Envelope e;
                while ((e = s.poll()) != null) {
                    for (MessagePort p : e.ports) work.add(p.state);
                }
            }
        }
    }
}
