/**
 * Node's {@code dgram} module: UDP sockets ({@link dev.herd.node.dgram.Dgram}, {@link
 * dev.herd.node.dgram.Socket}) over the io layer's {@code Udp} handle, with Node's events and
 * errors; in a cluster worker {@code bind} shares the socket through the primary.
 */
package dev.herd.node.dgram;
