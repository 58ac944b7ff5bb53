package dev.herd.node.net;

import dev.herd.os.SockAddr;
import java.util.function.Consumer;

/**
 * Node's {@code net} module functions: {@code import static dev.herd.node.net.Net.*;}.
 *
 * <p>Thread rule: a Herd loop thread.
 */
public final class Net {
    private Net() {}

    /**
     * {@code net.createServer(connectionListener)}.
     *
     * @param connectionListener gets each accepted socket, or null
     * @return the server, not yet listening
     */
    public static Server createServer(Consumer<Socket> connectionListener) {
        return new Server(connectionListener);
    }

    /**
     * {@code net.createServer({ allowHalfOpen }, connectionListener)}.
     *
     * @param allowHalfOpen whether a socket stays writable after the peer ends
     * @param connectionListener gets each accepted socket, or null
     * @return the server, not yet listening
     */
    public static Server createServer(boolean allowHalfOpen, Consumer<Socket> connectionListener) {
        return new Server(allowHalfOpen, connectionListener);
    }

    /**
     * {@code net.createConnection(port, host, connectListener)}.
     *
     * @param port the port
     * @param host the host, or null for localhost
     * @param connectListener runs once connected, or null
     * @return the socket, connecting
     */
    public static Socket createConnection(int port, String host, Runnable connectListener) {
        return new Socket().connect(port, host, connectListener);
    }

    /**
     * {@code net.createConnection(path, connectListener)} for a Unix socket.
     *
     * @param path the socket's path
     * @param connectListener runs once connected, or null
     * @return the socket, connecting
     */
    public static Socket createConnection(String path, Runnable connectListener) {
        return new Socket().connect(path, connectListener);
    }

    /**
     * Alias of {@link #createConnection(int, String, Runnable)}.
     *
     * @param port the port
     * @param host the host, or null for localhost
     * @param connectListener runs once connected, or null
     * @return the socket, connecting
     */
    public static Socket connect(int port, String host, Runnable connectListener) {
        return createConnection(port, host, connectListener);
    }

    /**
     * 4 for an IPv4 literal, 6 for IPv6, else 0 (Node's net.isIP).
     *
     * @param input any string
     * @return 4, 6 or 0
     */
    public static int isIP(String input) {
        return SockAddr.isIP(input);
    }

    /**
     * Node's net.isIPv4.
     *
     * @param input any string
     * @return whether it is an IPv4 literal
     */
    public static boolean isIPv4(String input) {
        return isIP(input) == 4;
    }

    /**
     * Node's net.isIPv6.
     *
     * @param input any string
     * @return whether it is an IPv6 literal
     */
    public static boolean isIPv6(String input) {
        return isIP(input) == 6;
    }
}
