package dev.herd.examples;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.Timeout;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.Worker;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The {@code worker.disconnect()} example of Node's cluster page: the primary asks a worker to
 * shut down, disconnects it, and kills it if it has not disconnected within two seconds. To show
 * what the timeout is for, the primary first opens a connection to the worker's server, which a
 * disconnect has to wait for: on 'shutdown' the worker closes its connections itself, so the
 * disconnect completes — unless {@code --stubborn}, where they never end and the kill comes.
 *
 * <p>Usage: {@code ./herd example cluster-graceful [--port P] [--stubborn]} (default port 0: any).
 */
public final class ClusterGraceful {
    private static final long TIMEOUT_MS = 2000;

    private ClusterGraceful() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            String[] withDefaultPort = argv;
            if (!java.util.Arrays.asList(argv).contains("--port")) {
                withDefaultPort = java.util.stream.Stream.concat(java.util.Arrays.stream(argv), java.util.stream.Stream.of("--port",
                        "0")).toArray(String[]::new);
            }
            ClusterArgs opts = ClusterArgs.parse(withDefaultPort, "cluster-graceful", Set.of("--stubborn"));
            if (Cluster.isPrimary()) primary();
            else worker(opts);
        });
    }

    private static void primary() {
        Worker worker = Cluster.fork();
        Timeout[] timeout = {null};
        worker.on(Worker.LISTENING, address -> {
            int port = address.port();
            System.out.println("primary: worker " + worker.pid() + " listening on port " + port + "; opening a connection");
            Socket client = Net.createConnection(port, "127.0.0.1", () -> {
                System.out.println("primary: connected; sending 'shutdown' and disconnecting the worker");
                worker.send("shutdown");
                worker.disconnect();
                timeout[0] = setTimeout(() -> {
                    System.out.println("primary: no disconnect within " + TIMEOUT_MS + " ms: killing the worker");
                    worker.kill();
                }, TIMEOUT_MS);
            });
            client.on(Socket.ERROR, err -> { });
            client.on(Socket.CLOSE, hadError -> System.out.println("primary: the worker closed our connection"));
        });
        worker.on(Worker.DISCONNECT, () -> {
            clearTimeout(timeout[0]);
            System.out.println("primary: worker disconnected");
        });
        worker.on(Worker.EXIT, (code, signal) -> System.out.println("primary: worker exited (code " + code + ", signal " + signal
                + ", exitedAfterDisconnect " + worker.exitedAfterDisconnect() + ")"));
    }

    private static void worker(ClusterArgs opts) {
        boolean stubborn = opts.flags().contains("--stubborn");
        Set<Socket> connections = new LinkedHashSet<>();
        Server server = Net.createServer(socket -> {
            // Connections never end (unless we end them)
            connections.add(socket);
            socket.on(Socket.CLOSE, hadError -> connections.remove(socket));
        });
        server.listen(opts.port(), opts.host(), 0, null);
        process().on(NodeProcess.MESSAGE, (message, handle) -> {
            if (!"shutdown".equals(message)) return;
            if (stubborn) {
                System.out.println("worker: shutdown requested; keeping " + connections.size() + " connection(s) open");
                return;
            }
            // Initiate graceful close of any connections to server
            System.out.println("worker: shutdown requested; closing " + connections.size() + " connection(s)");
            for (Socket s : connections) s.end();
        });
    }
}
