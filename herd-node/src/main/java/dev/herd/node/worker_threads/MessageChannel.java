package dev.herd.node.worker_threads;

import dev.herd.node.internal.Environment;

/**
 * Node's {@code MessageChannel}: two entangled {@link MessagePort}s; what one posts, the other
 * receives. Transfer one of them to a worker (in a transfer list) and the two threads talk
 * directly, without the parent in between.
 *
 * <p>Thread rule: made on a Herd loop thread; both ports belong to its environment until one is
 * transferred. Lifetime: the ports'.
 */
public final class MessageChannel {
    private final MessagePort port1;
    private final MessagePort port2;

    /** A new channel whose ports belong to the calling thread's environment. */
    public MessageChannel() {
        Environment env = Environment.current();
        env.checkThread();
        PortState[] ends = PortState.pair();
        port1 = new MessagePort(ends[0], env);
        port2 = new MessagePort(ends[1], env);
    }

    /** {@return the first end} */
    public MessagePort port1() {
        return port1;
    }

    /** {@return the second end} */
    public MessagePort port2() {
        return port2;
    }
}
