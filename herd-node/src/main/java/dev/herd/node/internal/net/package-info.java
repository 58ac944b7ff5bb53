/**
 * What net and dgram need from the packages above them, without naming them: {@link
 * dev.herd.node.internal.net.ClusterListen} (listening through a cluster primary, installed by a
 * cluster worker at start-up) with what it trades in, and {@link
 * dev.herd.node.internal.net.NetAccess}, net's non-public members for the IPC channel. Not
 * exported.
 */
package dev.herd.node.internal.net;
