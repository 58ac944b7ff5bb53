package dev.herd.node.internal;

import dev.herd.node.IpcChannel;
import dev.herd.node.SendCallback;
import dev.herd.node.SendOptions;

/**
 * The IPC channel to the parent as the process object uses it ({@code process.send},
 * {@code process.connected}, {@code process.disconnect}, and keeping the loop alive while someone
 * listens for messages). The IPC channel ({@code dev.herd.node.internal.ipc.Channel}) implements
 * it; the process object does not depend on that package.
 *
 * <p>Thread rule: the environment's loop thread.
 */
public interface ProcessChannel extends IpcChannel {
    /** {@return whether messages can still be sent (Node's {@code connected})} */
    boolean connected();

    /**
     * Node's {@code send(message, handle, options, callback)}.
     *
     * @param message the message: a value of the value model
     * @param handle a handle to send with it, or null
     * @param options send options, or null
     * @param callback runs once the message is written or failed, or null
     * @return false when the channel is closed or backed up
     */
    boolean send(Object message, Object handle, SendOptions options, SendCallback callback);

    /** Closes the channel; 'disconnect' follows. */
    void disconnect();

    /** One more reason to keep the loop alive (a 'message' or 'disconnect' listener). */
    void refCounted();

    /** One reason fewer. */
    void unrefCounted();

    /** A 'message' listener was added: messages held until now are delivered. */
    void messageListenerAdded();
}
