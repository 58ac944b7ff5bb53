/**
 * herd-node's internal API for the process manager: what a manager needs that Node's API does not
 * give. {@link dev.herd.node.internal.manager.PeerCredentials} (who is on the other end of a
 * Unix-socket connection: the manager's control socket), {@link
 * dev.herd.node.internal.manager.WatchedProcess} (the exit of a process it did not spawn, by
 * pidfd), {@link dev.herd.node.internal.manager.Subreaper} (adopting the orphans of the apps it
 * runs) and {@link dev.herd.node.internal.manager.SocketActivation} (a child started with
 * listening sockets at descriptors 3 and up, as systemd does). The fifth piece, a cluster primary
 * per managed app, is {@code dev.herd.node.internal.cluster.ClusterPrimary}.
 *
 * <p>Exported to {@code dev.herd.manager} alone (docs/ARCHITECTURE.md, "The internal API for the
 * manager"). Everything here runs on the loop thread of the calling environment.
 */
package dev.herd.node.internal.manager;
