package dev.herd.node.internal.net;

/**
 * A worker's listen request (the options of Node's {@code cluster._getServer}).
 *
 * @param address the address as given (null: every address), or the Unix socket's path
 * @param port the port, or -1 for a Unix socket
 * @param addressType 4, 6 or -1 (Integer), or "udp4" / "udp6"
 * @param fd a descriptor to listen on, or null
 * @param flags bind flags (IPv6-only, reuseAddr), or null when not given
 * @param backlog the listen backlog, or null for UDP
 */
public record ServerQuery(String address, int port, Object addressType, Integer fd, Integer flags, Integer backlog) {}
