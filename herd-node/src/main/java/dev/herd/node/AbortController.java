package dev.herd.node;

/**
 * Node's (the web's) {@code AbortController}: owns an {@link AbortSignal} and aborts it.
 *
 * <p>Thread rule: the loop thread, as its signal. Lifetime: an ordinary object.
 */
public final class AbortController {
    private final AbortSignal signal = new AbortSignal();

    /** A controller whose signal is not aborted yet. */
    public AbortController() {}

    /** {@return the signal to hand to the operations this controller may cancel} */
    public AbortSignal signal() {
        return signal;
    }

    /** Aborts the signal with the default reason (a {@code ABORT_ERR} NodeError); later calls do nothing. */
    public void abort() {
        signal.signalAbort(null);
    }

    /**
     * Aborts the signal with {@code reason}; later calls do nothing.
     *
     * @param reason why, given to the signal's listeners as {@link AbortSignal#reason()}
     */
    public void abort(Object reason) {
        signal.signalAbort(reason);
    }
}
