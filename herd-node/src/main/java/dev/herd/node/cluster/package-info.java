/**
 * Node's {@code cluster} module: a primary process forks workers that share server ports, with
 * Node v20's wire protocol (so either side may be Node). The files follow Node's
 * lib/internal/cluster/: {@link dev.herd.node.cluster.Cluster} is the module, {@code Primary} and
 * {@code Child} its two halves, {@link dev.herd.node.cluster.Worker} the worker object,
 * {@code RoundRobinHandle} and {@code SharedHandle} the primary's per-server handles (plus Herd's
 * {@code ReusePortHandle}), {@code Utils} the message envelope with seq/ack callbacks.
 * See docs/cluster.md.
 */
package dev.herd.node.cluster;
