package dev.herd.node;

/**
 * Node's usage errors: an exception with Node's {@code ERR_*} code ({@code ERR_INVALID_ARG_TYPE},
 * {@code ERR_IPC_CHANNEL_CLOSED}, ...) and the kind of error Node would throw (TypeError,
 * RangeError, Error), named by the Java exception class it corresponds to.
 * Callers switch on {@link #code()}.
 */
public final class NodeError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Node's {@code err.code}. */
    private final String code;
    /** The Java counterpart of Node's error class. */
    private final Class<? extends RuntimeException> kind;

    /**
     * An error with Node's {@code code}.
     *
     * @param code Node's code ("ERR_...")
     * @param message Node's message
     * @param kind the Java counterpart of Node's error class
     */
    public NodeError(String code, String message, Class<? extends RuntimeException> kind) {
        super(message);
        this.code = code;
        this.kind = kind;
    }

    /**
     * An error with Node's {@code code}, of kind RuntimeException.
     *
     * @param code Node's code ("ERR_...")
     * @param message Node's message
     */
    public NodeError(String code, String message) {
        this(code, message, RuntimeException.class);
    }

    /** {@return Node's {@code err.code}} */
    public String code() {
        return code;
    }

    /**
     * {@return the Java counterpart of Node's error class: IllegalArgumentException for TypeError/RangeError}
     */
    public Class<? extends RuntimeException> kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "NodeError [" + code + "]: " + getMessage();
    }
}
