package dev.herd.node.value;

/**
 * An object that a transfer list moves rather than copies: {@link ArrayBuffer} now, worker_threads'
 * {@code MessagePort} later. Moving gives the receiver an object that owns the resource (the memory,
 * the port's channel) and <em>detaches</em> this one, which can then be neither used, cloned nor
 * transferred again, as in JavaScript.
 *
 * <p>A move happens in two steps so that {@link StructuredClone} can be all-or-nothing: it calls
 * {@link #prepareTransfer()} on every object of the transfer list while it builds the clone (which
 * holds each {@link Transfer#target()}), and {@link Transfer#commit()} on all of them only once the
 * whole value was cloned; if cloning fails nothing is committed and every object stays attached. A
 * prepared target that is not committed must be dropped unused (for an ArrayBuffer it shares memory
 * with the source until then). {@link #transfer()} does both steps at once.
 *
 * <p>Thread rule: an implementation is used by one thread at a time; preparing and committing
 * happen on that thread, and the committed target may then be handed to another thread.
 */
public interface Transferable {
    /**
     * Whether this was moved away (or otherwise made unusable), so it can be neither cloned nor transferred.
     *
     * @return whether it was detached
     */
    boolean isDetached();

    /**
     * The first step of a move: the object that will stand for this one at the receiver. Nothing
     * changes until {@link Transfer#commit()}.
     *
     * @return the pending move
     * @throws IllegalStateException if detached
     */
    Transfer prepareTransfer();

    /**
     * Moves this object: detaches it and returns the object that now owns its resource.
     *
     * @return the object that now owns the resource
     * @throws IllegalStateException if detached
     */
    default Object transfer() {
        Transfer t = prepareTransfer();
        t.commit();
        return t.target();
    }

    /** A prepared move: its target, and the step that detaches the source. */
    interface Transfer {
        /** {@return the object that stands for the source at the receiver} */
        Object target();

        /**
         * Detaches the source, making the move final.
         *
         * @throws IllegalStateException if the source was detached since the move was prepared
         */
        void commit();
    }
}
