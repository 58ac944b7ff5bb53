package dev.herd.node.value;

/**
 * Bytes that are not a value of the expected format: a JSON text that JSON.parse would reject
 * (Node throws SyntaxError), a V8 payload with a wrong header, an unknown tag, a truncated value,
 * a declared length beyond the data or the limits, nesting deeper than the limit; or a value that
 * JSON cannot express (a BigInt, a cycle — Node throws TypeError). {@link #jsName()} is the name
 * of the error Node would throw.
 *
 * <p>Thrown synchronously by encoders and decoders, which keep no state from the failed value.
 */
public final class SerializationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The JavaScript error's name. */
    private final String jsName;

    /**
     * An error named {@code jsName}.
     *
     * @param jsName the JavaScript error's name
     * @param message the message
     */
    public SerializationException(String jsName, String message) {
        super(message);
        this.jsName = jsName;
    }

    /**
     * An error named {@code jsName}, with a cause.
     *
     * @param jsName the JavaScript error's name
     * @param message the message
     * @param cause the cause
     */
    public SerializationException(String jsName, String message, Throwable cause) {
        super(message, cause);
        this.jsName = jsName;
    }

    /**
     * {@return the JavaScript error Node would throw here: {@code SyntaxError}, {@code TypeError} or {@code Error}}
     */
    public String jsName() {
        return jsName;
    }

    @Override
    public String toString() {
        return jsName + ": " + getMessage();
    }
}
