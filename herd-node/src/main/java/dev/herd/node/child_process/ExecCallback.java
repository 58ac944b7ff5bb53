package dev.herd.node.child_process;

/**
 * The callback of {@link ChildProcesses#exec} and {@link ChildProcesses#execFile}: runs once, on
 * the loop thread, after the child has exited and its output has ended.
 */
@FunctionalInterface
public interface ExecCallback {
    /**
     * Receives a finished child's outcome.
     *
     * @param error null when the child exited with 0, otherwise what went wrong
     * @param stdout everything the child wrote to stdout (up to maxBuffer): a String decoded with
     *     the {@code encoding} option (UTF-8 by default), or byte[] with {@code "buffer"}
     * @param stderr the same for stderr
     */
    void done(ExecError error, Object stdout, Object stderr);
}
