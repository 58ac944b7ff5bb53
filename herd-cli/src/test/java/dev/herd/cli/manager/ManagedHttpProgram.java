package dev.herd.cli.manager;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;

/**
 * A Herd program for the manager's cluster tests: an HTTP server on the port in its arguments (or
 * on the socket-activated socket {@code NAME} for {@code socket:NAME}), answering its pid; SIGINT
 * closes it gracefully (the requests it has are answered) and it exits.
 */
public final class ManagedHttpProgram {
    private ManagedHttpProgram() {}

    /**
     * Listens on {@code args[0]} (every interface), answering each request with this process's pid.
     *
     * @param args the port, or {@code socket:NAME}
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            String pid = Integer.toString(process().pid());
            HttpServer server = Http.createServer((req, res) -> res.end(pid));
            if (argv[0].startsWith("socket:")) server.listenActivated(argv[0].substring("socket:".length()), null);
            else server.listen(Integer.parseInt(argv[0]));
            process().on("SIGINT", a -> server.close(e -> process().exit(0)));
        });
    }
}
