package dev.herd.node.internal.cluster;

import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.cluster.Cluster;

/**
 * The emitter a cluster side stands behind (Node's {@code cluster} object is an EventEmitter): it
 * takes the typed keys of {@link Cluster} ({@code Cluster.EXIT}, ...) besides 'error'.
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: its side's.
 */
final class ClusterEvents extends EventEmitter {
    @Override
    protected boolean accepts(Event<?> event) {
        return event.owner() == Cluster.class || super.accepts(event);
    }
}
