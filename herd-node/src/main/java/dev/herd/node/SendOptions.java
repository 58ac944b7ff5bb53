package dev.herd.node;

/**
 * The options of an IPC {@code send} (Node's {@code options} argument of {@code process.send},
 * {@code subprocess.send} and {@code worker.send}).
 *
 * @param keepOpen whether a sent {@code net.Socket} stays usable in the sender (Node's
 *     {@code keepOpen}); without it the socket is closed here once the other side has it
 */
public record SendOptions(boolean keepOpen) {
    /** Node's defaults: {@code keepOpen} false. */
    public static final SendOptions DEFAULT = new SendOptions(false);
}
