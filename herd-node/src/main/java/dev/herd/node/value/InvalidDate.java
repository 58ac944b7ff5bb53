package dev.herd.node.value;

/**
 * A JavaScript {@code Date} whose time value is NaN ({@code new Date('x')}), which no
 * {@link java.time.Instant} can stand for. Decoders produce it, encoders write it back as such a
 * Date; JSON mode writes it as {@code null}, as {@code JSON.stringify} does.
 *
 * <p>Immutable singleton; any thread.
 */
public enum InvalidDate {
    /** The one Invalid Date. */
    INSTANCE;

    @Override
    public String toString() {
        return "Invalid Date";
    }
}
