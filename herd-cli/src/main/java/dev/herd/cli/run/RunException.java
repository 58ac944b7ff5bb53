package dev.herd.cli.run;

/** A program {@code herd run} cannot run, with the reason for the user (no stack trace). */
public final class RunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure with the message the user sees.
     *
     * @param message what is wrong, and what to do
     */
    public RunException(String message) {
        super(message);
    }
}
