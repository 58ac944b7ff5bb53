package dev.herd.examples;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;

/**
 * A TCP echo server, Node's {@code net.createServer(s => s.pipe(s))}: every byte a client sends
 * comes back, and the connection ends when the client ends. Stop it with Ctrl-C.
 *
 * <p>Usage: {@code ./herd example tcp-echo [--port P] [--host H]} (defaults 7000 and every
 * address). Try it with {@code nc localhost 7000}.
 */
public final class TcpEcho {
    private TcpEcho() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            ServerArgs opts = ServerArgs.parse(argv, "tcp-echo", 7000);
            Server server = Net.createServer(socket -> {
                socket.on(Socket.DATA, chunk -> {
                    // Backpressure as Node's pipe() does it: stop reading while the peer is slow.
                    if (!socket.write(chunk)) socket.pause();
                });
                socket.on(Socket.DRAIN, socket::resume);
                socket.on(Socket.END, () -> socket.end());
                socket.on(Socket.ERROR, err -> System.err.println("connection error: " + err));
            });
            server.on(Server.ERROR, err -> {
                System.err.println("tcp-echo: " + err.getMessage());
                process().exit(1);
            });
            server.listen(opts.port(), opts.host(), 0, () -> System.out.println(
                    "tcp-echo listening on " + server.address() + " (pid " + process().pid() + ")"));
            process().on(NodeProcess.SIGINT, signal -> server.close());
        });
    }
}
