/**
 * Cluster's implementation, the map of Node's {@code lib/internal/cluster/}: {@link
 * dev.herd.node.internal.cluster.ClusterPrimary} (primary.js, an object here: one per managed
 * app in the process manager, and the default one behind {@code Cluster}), {@code ClusterChild}
 * (child.js, the worker's half, which net and dgram listen through), {@code RoundRobinHandle} and
 * {@code SharedHandle} (plus Herd's {@code ReusePortHandle}), and {@code Utils} (the message
 * envelope with seq/ack callbacks). {@code dev.herd.node.cluster} holds the public module
 * ({@code Cluster}, {@code Worker}, {@code ClusterSettings}). See docs/cluster.md.
 *
 * <p>Exported to {@code dev.herd.manager} alone: it is part of herd-node's internal API for the
 * process manager (docs/ARCHITECTURE.md).
 */
package dev.herd.node.internal.cluster;
