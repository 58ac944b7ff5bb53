package dev.herd.node;

/**
 * The callback of an IPC {@code send}: runs once, on the loop thread, when the message has been
 * written (with null) or could not be (with the error, e.g. {@code ERR_IPC_CHANNEL_CLOSED}).
 */
@FunctionalInterface
public interface SendCallback {
    /**
     * Reports the send's outcome.
     *
     * @param error null once written, otherwise the failure
     */
    void done(Throwable error);
}
