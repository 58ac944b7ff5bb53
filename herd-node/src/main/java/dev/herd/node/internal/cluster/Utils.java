package dev.herd.node.internal.cluster;

import dev.herd.node.EventEmitter;
import dev.herd.node.value.Undefined;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Node's lib/internal/cluster/utils.js: the envelope of every cluster message and its seq/ack
 * bookkeeping. A message is an internal message {@code {"cmd":"NODE_CLUSTER", ...fields, "seq":n}}
 * with one {@code seq} counter per process (a primary shares it across all its workers); a reply
 * carries {@code "ack": <seq of the request>} and is given to the callback registered for that
 * seq, or, without one, dispatched like any message.
 *
 * <p>Unlike Node, a callback can be told that its reply will never come ({@link Reply#lost}):
 * when the worker it was sent to goes away, {@link #dropFor} collects its callbacks, so that a
 * connection handed to a dying worker is not leaked.
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: the primary's or worker's.
 */
final class Utils {
    /** The answer to a message sent with a callback. */
    interface Reply {
        /** The reply came: its fields and the handle that came with it (or null). */
        void reply(Map<String, Object> message, Object handle);

        /** The peer went away before replying; the reply will never come. */
        default void lost() {}
    }

    /** How a message reaches one peer: the worker's ChildProcess, or the worker's own process object. */
    interface Peer {
        boolean connected();

        void send(Map<String, Object> message, Object handle);
    }

    private record Pending(Object owner, Reply reply) {}

    private int seq;
    private final Map<Long, Pending> callbacks = new HashMap<>();

    /**
     * Node's {@code sendHelper}: sends {@code {cmd: 'NODE_CLUSTER', ...message, seq}} with
     * {@code handle}, registering {@code reply} under its seq; returns false, sending nothing, when
     * the peer is not connected. {@code owner} names the peer for {@link #dropFor}.
     */
    boolean send(Peer peer, Object owner, Map<String, Object> message, Object handle, Reply reply) {
        if (!peer.connected()) return false;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", "NODE_CLUSTER");
        m.putAll(message);
        m.put("seq", seq); // last, unless the message had one: JS's {cmd, ...message, seq} keeps its place
        if (reply != null) callbacks.put((long) seq, new Pending(owner, reply));
        seq++;
        peer.send(m, handle);
        return true;
    }

    /**
     * Node's {@code internal(worker, cb)}: an 'internalMessage' listener that ignores everything
     * but NODE_CLUSTER, gives replies to their callbacks and everything else to {@code onMessage}.
     */
    EventEmitter.Listener internal(Reply onMessage) {
        return args -> {
            if (!(args.length > 0 && args[0] instanceof Map<?, ?> raw)) return;
            @SuppressWarnings("unchecked")
            Map<String, Object> message = (Map<String, Object>) raw;
            if (!"NODE_CLUSTER".equals(message.get("cmd"))) return;
            Object handle = args.length > 1 ? args[1] : null;
            Long ack = seqOf(message.get("ack"));
            if (ack != null) {
                Pending p = callbacks.remove(ack);
                if (p != null) {
                    p.reply().reply(message, handle);
                    return;
                }
            }
            onMessage.reply(message, handle);
        };
    }

    /** Removes the callbacks of messages sent to {@code owner}, in the order they were sent. */
    List<Reply> dropFor(Object owner) {
        List<Map.Entry<Long, Pending>> mine = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Pending>> it = callbacks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Pending> e = it.next();
            if (e.getValue().owner() == owner) {
                mine.add(e);
                it.remove();
            }
        }
        mine.sort(Map.Entry.comparingByKey());
        List<Reply> out = new ArrayList<>(mine.size());
        for (Map.Entry<Long, Pending> e : mine) out.add(e.getValue().reply());
        return out;
    }

    /** A seq or ack as a key: integral numbers only (JSON gives Integer/Long, V8 may give Double). */
    static Long seqOf(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) return d.longValue();
        return null;
    }

    /** JavaScript's {@code String(v)} for the values a queryServer field can hold (the key is built from them). */
    static String jsString(Object v) {
        if (v == null) return "null";
        if (v instanceof Undefined) return "undefined";
        if (v instanceof Double d) {
            if (d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e21) return Long.toString(d.longValue());
            if (d.isNaN()) return "NaN";
            if (d.isInfinite()) return d > 0 ? "Infinity" : "-Infinity";
            return d.toString();
        }
        return v.toString();
    }

    /** {@code v} as an int when it is an integral number, else {@code otherwise}. */
    static int intOf(Object v, int otherwise) {
        Long l = seqOf(v);
        return l == null ? otherwise : l.intValue();
    }
}
