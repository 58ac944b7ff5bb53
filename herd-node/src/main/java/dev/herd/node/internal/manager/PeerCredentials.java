package dev.herd.node.internal.manager;

import dev.herd.io.Pipe;
import dev.herd.node.net.Socket;
import dev.herd.os.Net;

/**
 * The credentials of the process on the other end of a Unix-socket connection, as the kernel took
 * them when it connected (SO_PEERCRED): how the manager tells who talks on its control socket. An
 * immutable value.
 *
 * @param pid the peer's process id (0 if it is in a pid namespace this process cannot see)
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 */
public record PeerCredentials(int pid, int uid, int gid) {
    /**
     * The credentials of {@code socket}'s peer.
     *
     * @param socket a connected Unix-socket connection (accepted by a {@code net.Server} listening
     *     on a path, or connected to one)
     * @return the peer's credentials
     * @throws IllegalArgumentException when the socket is not a Unix-socket connection (TCP has
     *     no peer credentials) or has no handle any more
     * @throws dev.herd.os.ErrnoException from getsockopt
     */
    public static PeerCredentials of(Socket socket) {
        if (!(socket.handle() instanceof Pipe pipe)) {
            throw new IllegalArgumentException("peer credentials: not an open Unix-socket connection");
        }
        Net.Ucred c = pipe.getpeercred();
        return new PeerCredentials(c.pid(), c.uid(), c.gid());
    }
}
