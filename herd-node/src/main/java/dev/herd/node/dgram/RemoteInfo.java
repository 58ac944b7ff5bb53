package dev.herd.node.dgram;

/** The sender of a datagram, as Node's 'message' event gives it: {@code rinfo}. */
public record RemoteInfo(String address, String family, int port, int size) {}
