package dev.herd.bench.scenarios;

import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import java.util.function.Consumer;

/**
 * What the IPC scenarios need to know of the N W T arguments before {@link Rounds#run} checks
 * them: how many rounds there are, so the last one can disconnect the child; and the driver the
 * one-child scenarios share. Stateless.
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

    /** One round of a one-child IPC scenario; {@code listen} routes the child's messages to the round. */
    interface ChildRound {
        void start(ChildProcess child, int n, Rounds.Sample sample, Runnable done, Consumer<Consumer<Object>> listen);
    }

    /**
     * Forks {@code childMain} once, waits for its "ready", runs the rounds with {@link Rounds#run}
     * and disconnects the child after the last one. Thread rule: a Herd loop thread.
     */
    static void runWithChild(String[] argv, Class<?> childMain, ChildRound round) {
        ChildProcess child = ChildProcesses.fork(childMain.getName());
        child.on("error", a -> Rounds.abort("no_errors", "child: " + a[0]));
        var state = new Object() {
            Consumer<Object> onMessage;
            int started;
        };
        child.on("message", a -> state.onMessage.accept(a[0]));
        int rounds = rounds(argv);
        state.onMessage = m -> {
            if (!"ready".equals(m)) Rounds.abort("ready", "the child said " + m + " first");
            Rounds.run(argv, (n, sample, done) -> {
                boolean last = ++state.started == rounds;
                round.start(child, n, sample, () -> {
                    if (last) child.disconnect();
                    done.run();
                }, h -> state.onMessage = h);
            });
        };
    }
}
