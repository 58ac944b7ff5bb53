package dev.herd.cli.manager;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.http.Http;

/** A Herd program for the manager's cluster tests: an HTTP server on the port in its arguments, answering its pid. */
public final class ManagedHttpProgram {
    private ManagedHttpProgram() {}

    /**
     * Listens on {@code args[0]} (every interface), answering each request with this process's pid.
     *
     * @param args the port
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            String pid = Integer.toString(process().pid());
            Http.createServer((req, res) -> res.end(pid)).listen(Integer.parseInt(argv[0]));
        });
    }
}
