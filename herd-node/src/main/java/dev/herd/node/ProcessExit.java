package dev.herd.node;

/**
 * Thrown by {@code process.exit()} to unwind the loop thread back to {@link Herd}; not an error.
 * Code that catches Throwable on a loop thread must let it through.
 */
public final class ProcessExit extends Error {
    private static final long serialVersionUID = 1L;
    /** The exit code. */
    private final int code;

    ProcessExit(int code) {
        super("process.exit(" + code + ")", null, false, false);
        this.code = code;
    }

    /** {@return the exit code} */
    public int code() {
        return code;
    }
}
