package dev.herd.node.value;

/**
 * A value that the structured-clone algorithm (and so V8's serializer, advanced IPC mode and
 * worker messages) cannot carry: a function (lambda), a live handle or resource, an object with
 * identity and no data. The message follows V8's ({@code "<what> could not be cloned."});
 * {@link #name()} is {@code DataCloneError}, as on the DOMException Node throws.
 *
 * <p>Thrown synchronously by the encoder; nothing is sent. Any thread.
 */
public final class DataCloneError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error with {@code message}.
     *
     * @param message the message
     */
    public DataCloneError(String message) {
        super(message);
    }

    /**
     * For a value: {@code "<description> could not be cloned."}.
     *
     * @param value the value that could not be cloned
     * @return the error
     */
    public static DataCloneError of(Object value) {
        String what = value == null ? "null" : value.getClass().isSynthetic() || value.getClass().isHidden()
                ? "function" : value.getClass().getName();
        return new DataCloneError(what + " could not be cloned.");
    }

    /** {@return {@code DataCloneError}, the DOMException name} */
    public String name() {
        return "DataCloneError";
    }

    @Override
    public String toString() {
        return "DataCloneError: " + getMessage();
    }
}
