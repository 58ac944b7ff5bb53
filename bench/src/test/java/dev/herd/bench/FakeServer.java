package dev.herd.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in server for {@link ServerRunTest}, run as its own JVM: {@code FakeServer MODE --port P}.
 * Modes: "hello" answers every request with "hello world\n" and prints a listening line; "silent"
 * listens but prints nothing; "crash" exits with 3 at once; "dies" prints the listening line and
 * exits with 4 half a second later.
 */
public final class FakeServer {
    private FakeServer() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        String mode = args[0];
        int port = Integer.parseInt(args[2]); // MODE --port P --host 127.0.0.1
        if (mode.equals("crash")) System.exit(3);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        byte[] body = "hello world\n".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        if (!mode.equals("silent")) System.out.println("fake " + mode + " server listening on " + port);
        System.out.println("another line");
        if (mode.equals("dies")) {
            Thread.sleep(500);
            System.exit(4);
        }
    }
}
