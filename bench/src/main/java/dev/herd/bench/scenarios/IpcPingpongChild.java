package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;

/**
 * The child {@link IpcPingpong} forks: says "ready", then sends every message straight back; it
 * ends when the parent disconnects. The Node twin is {@code bench/node/ipc-pingpong-child.js}.
 */
public final class IpcPingpongChild {
    private IpcPingpongChild() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            process().on("message", a -> process().send(a[0]));
            process().send("ready");
        });
    }
}
