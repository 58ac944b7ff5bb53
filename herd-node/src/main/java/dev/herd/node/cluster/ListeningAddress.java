package dev.herd.node.cluster;

/**
 * What the 'listening' events of {@link Cluster} and {@link Worker} carry (Node's
 * {@code {addressType, address, port, fd}}).
 *
 * @param addressType 4 (TCPv4), 6 (TCPv6), -1 (Unix socket) as an Integer, or "udp4" / "udp6"
 * @param address the address the worker listened on, as it gave it (null: every address), or the
 *     socket's path
 * @param port the port actually listened on (-1 for a Unix socket)
 * @param fd the descriptor the worker listened on, or null
 */
public record ListeningAddress(Object addressType, String address, int port, Integer fd) {}
