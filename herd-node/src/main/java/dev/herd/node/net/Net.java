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

    /** {@code net.createServer(connectionListener)}. */
    public static Server createServer(Consumer<Socket> connectionListener) {
        return new Server(connectionListener);
    }

    /** {@code net.createServer({ allowHalfOpen }, connectionListener)}. */
    public static Server createServer(boolean allowHalfOpen, Consumer<Socket> connectionListener) {
        return new Server(allowHalfOpen, connectionListener);
    }

    /** {@code net.createConnection(port, host, connectListener)}. */
    public static Socket createConnection(int port, String host, Runnable connectListener) {
        return new Socket().connect(port, host, connectListener);
    }

    /** {@code net.createConnection(path, connectListener)} for a Unix socket. */
    public static Socket createConnection(String path, Runnable connectListener) {
        return new Socket().connect(path, connectListener);
    }

    /** Alias of {@link #createConnection(int, String, Runnable)}. */
    public static Socket connect(int port, String host, Runnable connectListener) {
        return createConnection(port, host, connectListener);
    }

    /** 4 for an IPv4 literal, 6 for IPv6, else 0 (Node's net.isIP). */
    public static int isIP(String input) {
        return SockAddr.isIP(input);
    }

    public static boolean isIPv4(String input) {
        return isIP(input) == 4;
    }

    public static boolean isIPv6(String input) {
        return isIP(input) == 6;
    }
}
