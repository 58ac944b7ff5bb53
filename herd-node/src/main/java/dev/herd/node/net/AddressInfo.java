package dev.herd.node.net;

/**
 * What {@code server.address()} and {@code socket.address()} return for IP sockets: Node's
 * {@code { address, family, port }}.
 *
 * @param address the address ("127.0.0.1", "::1")
 * @param family "IPv4" or "IPv6"
 * @param port the port
 */
public record AddressInfo(String address, String family, int port) {}
