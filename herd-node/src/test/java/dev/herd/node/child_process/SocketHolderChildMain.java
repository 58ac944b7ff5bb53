package dev.herd.node.child_process;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The Herd child of {@link SocketListTest}, the twin of socket-holder-child.js: holds every
 * net.Socket it is sent; {@code "close"} destroys the two oldest it holds and answers
 * {@code "closed"} once they are closed; {@code "ping"} is answered {@code "pong"}. It exits 0 on
 * 'disconnect'.
 */
public final class SocketHolderChildMain {
    private SocketHolderChildMain() {}

    public static void main(String[] args) {
        Herd.run(args, argv -> {
            List<Socket> held = new ArrayList<>();
            process().on("message", a -> {
                Object m = a[0];
                if ("hold".equals(m) && a.length > 1 && a[1] instanceof Socket s) {
                    held.add(s);
                } else if ("ping".equals(m)) {
                    process().send("pong");
                } else if ("close".equals(m)) {
                    List<Socket> two = new ArrayList<>(held.subList(0, Math.min(2, held.size())));
                    held.removeAll(two);
                    int[] left = {two.size()};
                    for (Socket s : two) {
                        s.on("close", x -> {
                            if (--left[0] == 0) process().send("closed");
                        });
                        s.destroy();
                    }
                }
            });
            process().on("disconnect", () -> process().exit(0));
        });
    }
}
