package dev.herd.node.internal.net;

import dev.herd.node.internal.Environment;

/**
 * Listening through a cluster primary, as net and dgram see it (Node's {@code cluster._getServer},
 * which net's {@code listenInCluster} and dgram's {@code bind} call in a worker). A cluster worker
 * installs one in its environment at start-up; {@code net.Server.listen} and
 * {@code dgram.Socket.bind} ask the environment for it and, when there is one and the listen is
 * not exclusive, get their socket through it. So cluster sits above net and dgram, which never
 * name it: the owner of a listen is described to cluster by a {@link ListenOwner}, as Node's
 * child.js duck-types the server it is given.
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: the environment's.
 */
public interface ClusterListen {
    /**
     * The environment's, or null when the process is not a cluster worker.
     *
     * @param env the environment
     * @return the service, or null
     */
    static ClusterListen of(Environment env) {
        return env.service(ClusterListen.class);
    }

    /**
     * Asks the primary for the socket of {@code owner} and calls back with its answer; once the
     * owner is listening, tells the primary (the 'listening' message).
     *
     * @param owner the server or UDP socket that listens
     * @param query what it listens on
     * @param callback gets the primary's answer
     */
    void getServer(ListenOwner owner, ServerQuery query, GetServerCallback callback);

    /** The primary's answer: {@code errno} 0 and a handle, or a negative libuv errno and null. */
    @FunctionalInterface
    interface GetServerCallback {
        /**
         * Gets the primary's answer.
         *
         * @param errno 0, or a negative libuv errno
         * @param handle the handle when errno is 0, else null
         */
        void done(int errno, WorkerHandle handle);
    }
}
