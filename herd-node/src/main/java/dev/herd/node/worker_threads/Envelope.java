package dev.herd.node.worker_threads;

/**
 * One item of a {@link PortState}'s inbox: a message (its clone and the ports that came with it),
 * or a control item — the peer closed its end, or, for a Worker's inbox only, the worker came
 * online, failed, or exited. Also the inbox's queue node: {@link #next} links it, so a message
 * costs one allocation beyond its clone.
 *
 * <p>Made on the sending thread and read, after the inbox handed it over, on the receiving one.
 */
final class Envelope {
    static final int MESSAGE = 0;
    /** The peer closed (or was dropped): deliver what came before, then close. */
    static final int CLOSE = 1;
    /** Worker inbox only: the worker's environment is up and its entry is about to run. */
    static final int ONLINE = 2;
    /** Worker inbox only: an uncaught exception ended the worker ({@link #value} is the Throwable). */
    static final int ERROR = 3;
    /** Worker inbox only: the worker's thread is done ({@link #code} is its exit code). */
    static final int EXIT = 4;

    private static final MessagePort[] NO_PORTS = {};

    final int kind;
    final Object value;
    /** Ports moved by this message, not yet bound to a loop; bound when it is delivered. */
    final MessagePort[] ports;
    final int code;

    /** The inbox link; written by {@link PortState} only. */
    volatile Envelope next;

    private Envelope(int kind, Object value, MessagePort[] ports, int code) {
        this.kind = kind;
        this.value = value;
        this.ports = ports;
        this.code = code;
    }

    static Envelope message(Object value, MessagePort[] ports) {
        return new Envelope(MESSAGE, value, ports == null || ports.length == 0 ? NO_PORTS : ports, 0);
    }

    static Envelope control(int kind) {
        return new Envelope(kind, null, NO_PORTS, 0);
    }

    static Envelope error(Throwable error) {
        return new Envelope(ERROR, error, NO_PORTS, 0);
    }

    static Envelope exit(int code) {
        return new Envelope(EXIT, null, NO_PORTS, code);
    }

    /**
     * Drops an undelivered message: the ports it carried were never bound, so nobody else will
     * close them; closing them lets their peers see 'close' instead of waiting forever.
     */
    void discard() {
        for (MessagePort p : ports) p.state.closeOrphan();
    }
}
