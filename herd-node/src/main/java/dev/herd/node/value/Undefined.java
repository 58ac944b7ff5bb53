package dev.herd.node.value;

/**
 * JavaScript's {@code undefined}, as distinct from {@code null} (which stands for JavaScript's
 * {@code null}). Decoders produce it where the sender had {@code undefined} (advanced mode keeps
 * {@code {fd: undefined}} members; JSON mode never produces it); encoders write it back.
 *
 * <p>Immutable singleton; any thread.
 */
public enum Undefined {
    /** The one {@code undefined}. */
    INSTANCE;

    @Override
    public String toString() {
        return "undefined";
    }
}
