package dev.herd.node.child_process;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Herd child of {@link ForkTest}: started by {@code fork()}, it answers on the IPC channel.
 * Every message comes back as {@code {echo, pid}}; {@code "disconnect-me"} makes it disconnect
 * itself and exit 3 a little later; {@code "send-server"} makes it send a listening net.Server to
 * the parent; {@code "send-then-exit"} makes it send a message, then call process.exit(5) with
 * an 'exit' listener that sends another; a received net.Server or net.Socket is answered with
 * {@code hello from herd <pid>}.
 * It exits 0 on 'disconnect'.
 */
public final class ForkChildMain {
    private ForkChildMain() {}

    public static void main(String[] args) {
        Herd.run(args, argv -> {
            int pid = process().pid();
            process().on("message", a -> {
                Object message = a[0];
                Object handle = a.length > 1 ? a[1] : null;
                if (handle instanceof Server server) server.on("connection", c -> ((Socket) c[0]).end("hello from herd " + pid + "\n"));
                if (handle instanceof Socket socket) socket.end("hello from herd " + pid + "\n");
                if ("disconnect-me".equals(message)) {
                    process().removeAllListeners("disconnect");
                    process().disconnect();
                    dev.herd.node.Globals.setTimeout(() -> process().exit(3), 200);
                    return;
                }
                if ("send-server".equals(message)) {
                    Server server = Net.createServer(s -> s.end("served by the child's server\n"));
                    server.listen(0, "127.0.0.1", 0, () -> process().send("here is a server", server, null, e -> server.close()));
                    return;
                }
                if ("send-then-exit".equals(message)) {
                    // Node writes each send at once; Herd's corked sends must not be lost to exit().
                    process().on("exit", x -> process().send("sent from 'exit'"));
                    process().send("sent before exit");
                    process().exit(5);
                    return;
                }
                if ("args".equals(message)) {
                    process().send(List.of(argv));
                    return;
                }
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("echo", message);
                reply.put("pid", pid);
                process().send(reply);
            });
            process().on("disconnect", () -> process().exit(0));
        });
    }
}
