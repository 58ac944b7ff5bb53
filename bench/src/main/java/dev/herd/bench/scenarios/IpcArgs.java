package dev.herd.bench.scenarios;

/**
 * What the IPC scenarios need to know of the N W T arguments before {@link Rounds#run} checks
 * them: how many rounds there are, so the last one can disconnect the child. Stateless.
 */
final class IpcArgs {
    private IpcArgs() {}

    /** W + T, or 0 when the arguments are malformed (Rounds.run then reports them). */
    static int rounds(String[] argv) {
        if (argv.length != 3) return 0;
        try {
            return Integer.parseInt(argv[1]) + Integer.parseInt(argv[2]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
