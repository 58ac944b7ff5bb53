package dev.herd.node.internal.net;

import dev.herd.io.Stream;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.lang.invoke.MethodHandles;

/**
 * What the packages above net do to its objects beyond Node's public API: the IPC channel uses
 * Node's underscore members ({@code server._setupWorker}, {@code server._connectionKey}, letting
 * go of a socket's {@code _handle} to send it), and http's server, which Node builds as a
 * net.Server subclass, hooks the net server's close. net registers the implementation when {@code Server} initialises
 * (the JDK's SharedSecrets pattern), so these stay out of net's public API.
 *
 * <p>Thread rule: the loop thread of the objects' environment.
 */
public abstract class NetAccess {
    private static volatile NetAccess impl;

    /** For net's implementation. */
    protected NetAccess() {}

    /**
     * Registers net's implementation; {@code Server} does, once.
     *
     * @param access the implementation
     */
    public static void register(NetAccess access) {
        if (impl != null) throw new IllegalStateException("NetAccess is registered already");
        impl = access;
    }

    /** {@return net's implementation} */
    public static NetAccess get() {
        NetAccess a = impl;
        if (a != null) return a;
        try {
            MethodHandles.lookup().ensureInitialized(Server.class); // registers it
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return impl;
    }

    /**
     * Node's {@code server._setupWorker}: connections of {@code server} were sent to another
     * process, whose count its getConnections and close now include.
     *
     * @param server the server
     * @param worker the other process's connections
     */
    public abstract void setupWorker(Server server, RemoteSockets worker);

    /**
     * The other process is gone (Node: its 'exit'): {@code server} no longer asks it.
     *
     * @param server the server
     * @param worker the other process's connections
     */
    public abstract void removeWorker(Server server, RemoteSockets worker);

    /**
     * Node's {@code _connectionKey}: what a net.Socket of {@code server} sent over an IPC channel
     * carries as {@code key} ({@code "4:127.0.0.1:0"}, {@code "6::::8000"}, {@code "-1:/path:-1"}:
     * address type, address and port as given to listen), or null before listen.
     *
     * @param server the server
     * @return the key, or null
     */
    public abstract String connectionKey(Server server);

    /**
     * Lets go of {@code socket}'s stream without closing it, for sending it to another process
     * (what Node's child_process does to a net.Socket sent without keepOpen): reading and the idle
     * timeout stop, and the socket is done — no more events, writes fail as on a destroyed
     * socket. The caller owns the stream. Returns null if there is none.
     *
     * @param socket the socket
     * @return the stream, or null
     */
    public abstract Stream detachHandle(Socket socket);

    /**
     * For a layer built on {@code server} (Node's http.Server is a net.Server subclass):
     * {@code hook} runs at the start of every close that stops the listening server, whoever calls
     * it — a cluster worker's disconnect closes its servers that way. One hook; null removes it.
     *
     * @param server the server
     * @param hook runs when a close stops the server, or null
     */
    public abstract void beforeClose(Server server, Runnable hook);
}
