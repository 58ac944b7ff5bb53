package dev.herd.node.worker_threads;

import dev.herd.node.value.StructuredClone;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a value becomes a message: the transfer list less the objects marked untransferable, the
 * structured clone (which commits the moves), and the ports it moved, which the receiver binds.
 * Also the registry behind {@link WorkerThreads#markAsUntransferable}.
 *
 * <p>Static; the clone runs on the sending thread (the value's owner).
 */
final class Messages {
    private Messages() {}

    /**
     * The envelope for {@code value}: its clone, with {@code transferList}'s objects moved.
     *
     * @throws dev.herd.node.value.DataCloneError as {@link StructuredClone#clone(Object, List)}
     */
    static Envelope envelope(Object value, List<?> transferList) {
        List<?> list = transferable(transferList);
        Object clone = StructuredClone.clone(value, list);
        return Envelope.message(clone, movedPorts(list));
    }

    /** The ports a clone moved: for each MessagePort of the list, the object it became. */
    static MessagePort[] movedPorts(List<?> list) {
        if (list == null || list.isEmpty()) return null;
        List<MessagePort> ports = null;
        for (Object o : list) {
            if (o instanceof MessagePort p && p.transferredTo != null) {
                if (ports == null) ports = new ArrayList<>();
                ports.add(p.transferredTo);
                p.transferredTo = null;
            }
        }
        return ports == null ? null : ports.toArray(MessagePort[]::new);
    }

    /** {@code list} without the objects marked untransferable (Node 20 copies those instead). */
    static List<?> transferable(List<?> list) {
        if (list == null || list.isEmpty() || !anyMarked) return list;
        List<Object> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!isMarked(o)) out.add(o);
        }
        return out;
    }

    // ---------------------------------------------------------------- markAsUntransferable

    /** Marked objects, weakly and by identity (ArrayBuffer's equals compares contents). */
    private static final Set<IdentityRef> UNTRANSFERABLE = new HashSet<>();
    private static final ReferenceQueue<Object> CLEARED = new ReferenceQueue<>();
    /** Whether anything was ever marked: until then postMessage skips the registry's lock. */
    private static volatile boolean anyMarked;

    static void mark(Object o) {
        if (o == null) return;
        synchronized (UNTRANSFERABLE) {
            expunge();
            UNTRANSFERABLE.add(new IdentityRef(o, CLEARED));
            anyMarked = true;
        }
    }

    static boolean isMarked(Object o) {
        if (o == null || !anyMarked) return false;
        synchronized (UNTRANSFERABLE) {
            expunge();
            return !UNTRANSFERABLE.isEmpty() && UNTRANSFERABLE.contains(new IdentityRef(o, null));
        }
    }

    private static void expunge() {
        java.lang.ref.Reference<?> r;
        while ((r = CLEARED.poll()) != null) UNTRANSFERABLE.remove(r);
    }

    /** A weak reference equal to another for the same referent (by identity); cleared ones only to themselves. */
    private static final class IdentityRef extends WeakReference<Object> {
        private final int hash;

        IdentityRef(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof IdentityRef other)) return false;
            Object mine = get();
            return mine != null && mine == other.get();
        }
    }
}
