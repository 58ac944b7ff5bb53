package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.net.Socket;

/**
 * The child {@link IpcHandles} forks: says "ready", then answers every net.Socket it is sent with
 * "ok\n" and ends it, reading it to its end ({@code resume}) so that it closes once the client has
 * closed its side too. (Node closes a socket that was never read as well; Herd's net.Socket emits
 * 'end', and so closes, only while flowing, so without the resume every socket would stay open.)
 * It ends when the parent disconnects. The Node twin is
 * {@code bench/node/ipc-handles-child.js}.
 */
public final class IpcHandlesChild {
    private IpcHandlesChild() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            process().on("message", a -> {
                if (a.length > 1 && a[1] instanceof Socket socket) socket.resume().end("ok\n");
            });
            process().send("ready");
        });
    }
}
