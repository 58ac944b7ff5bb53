package dev.herd.examples;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;

/**
 * Node's hello-world HTTP server, {@code http.createServer((req, res) => res.end('hello
 * world\n')).listen(8000)}, in one process. Stop it with Ctrl-C.
 *
 * <p>Usage: {@code ./herd example http-hello [--port P] [--host H]} (defaults 8000 and every
 * address). Try it with {@code curl localhost:8000}, or load it with
 * {@code wrk -t1 -c64 -d5s http://127.0.0.1:8000/}.
 */
public final class HttpHello {
    private HttpHello() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            ServerArgs opts = ServerArgs.parse(argv, "http-hello", 8000);
            HttpServer server = Http.createServer((req, res) -> res.end("hello world\n"));
            server.on(HttpServer.ERROR, err -> {
                System.err.println("http-hello: " + err.getMessage());
                process().exit(1);
            });
            server.listen(opts.port(), opts.host(), () -> System.out.println(
                    "http-hello listening on " + server.address() + " (pid " + process().pid() + ")"));
            process().on(NodeProcess.SIGINT, signal -> server.close());
        });
    }
}
