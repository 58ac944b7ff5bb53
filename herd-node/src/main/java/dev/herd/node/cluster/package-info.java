/**
 * Node's {@code cluster} module: a primary process forks workers that share server ports, with
 * Node v20's wire protocol (so either side may be Node). {@link dev.herd.node.cluster.Cluster} is
 * the module, {@link dev.herd.node.cluster.Worker} the worker object and {@link
 * dev.herd.node.cluster.ClusterSettings} the primary's settings; the implementation, the map of
 * Node's lib/internal/cluster/ (the primary and child halves, the round-robin and shared handles),
 * is in {@code dev.herd.node.internal.cluster}. See docs/cluster.md.
 */
package dev.herd.node.cluster;
