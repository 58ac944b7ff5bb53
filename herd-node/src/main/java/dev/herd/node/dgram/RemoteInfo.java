package dev.herd.node.dgram;

/**
 * The sender of a datagram, as Node's 'message' event gives it: {@code rinfo}.
 *
 * @param address the sender's address
 * @param family "IPv4" or "IPv6"
 * @param port the sender's port
 * @param size the datagram's size in bytes
 */
public record RemoteInfo(String address, String family, int port, int size) {}
