package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;

/**
 * The child {@link ForkFirstMessage} forks: an empty Herd program that sends its pid to its parent
 * as soon as it runs, then ends (with no 'message' listener the channel does not keep it alive).
 * The Node twin is {@code bench/node/fork-first-message-child.js}.
 */
public final class ForkFirstMessageChild {
    private ForkFirstMessageChild() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> process().send(process().pid()));
    }
}
