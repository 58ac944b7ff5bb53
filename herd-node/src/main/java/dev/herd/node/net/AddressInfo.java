package dev.herd.node.net;

/**
 * What {@code server.address()} and {@code socket.address()} return for IP sockets: Node's
 * {@code { address, family, port }}.
 */
public record AddressInfo(String address, String family, int port) {}
