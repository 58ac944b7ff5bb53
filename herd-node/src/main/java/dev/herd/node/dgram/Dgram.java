package dev.herd.node.dgram;

import java.util.function.BiConsumer;

/**
 * Node's {@code dgram} module: {@code Dgram.createSocket("udp4", (msg, rinfo) -> ...)}.
 *
 * <p>Thread rule: a Herd loop thread.
 */
public final class Dgram {
    private Dgram() {}

    /**
     * {@code dgram.createSocket(type, messageListener)}; type is "udp4" or "udp6".
     *
     * @param type "udp4" or "udp6"
     * @param messageListener gets each datagram and its sender, or null
     * @return the socket, not yet bound
     */
    public static Socket createSocket(String type, BiConsumer<byte[], RemoteInfo> messageListener) {
        return new Socket(type, false, false, messageListener);
    }

    /**
     * {@code dgram.createSocket({ type, reuseAddr, ipv6Only }, messageListener)}.
     *
     * @param type "udp4" or "udp6"
     * @param reuseAddr whether to bind with SO_REUSEADDR
     * @param ipv6Only whether a udp6 socket takes IPv6 only
     * @param messageListener gets each datagram and its sender, or null
     * @return the socket, not yet bound
     */
    public static Socket createSocket(String type, boolean reuseAddr, boolean ipv6Only,
                                      BiConsumer<byte[], RemoteInfo> messageListener) {
        return new Socket(type, reuseAddr, ipv6Only, messageListener);
    }

    /**
     * {@code dgram.createSocket(type)}.
     *
     * @param type "udp4" or "udp6"
     * @return the socket, not yet bound
     */
    public static Socket createSocket(String type) {
        return createSocket(type, null);
    }
}
