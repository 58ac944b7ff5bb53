package dev.herd.node.net;

import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import dev.herd.os.ErrnoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The socket-activated program of {@link SocketActivationTest}, started with listening sockets at
 * fds 3.. and the {@code LISTEN_*} variables. What it does, by its first argument; it prints one
 * fact per line on stdout, and exits 0 once done:
 *
 * <ul>
 *   <li>{@code http NAME}: an http.Server on the socket NAME answers one request with
 *       {@code "NAME on port P"} (P: the socket's own port) and closes;
 *   <li>{@code net NAME}: the same with a net.Server, which writes that line to one connection;
 *   <li>{@code twice NAME}: two net.Servers listen on NAME; the first prints {@code listening},
 *       the second its error; then both close;
 *   <li>{@code list}: prints {@code cloexec-before}, {@code sockets} (the passed sockets as
 *       {@code name=fd}, or the error) and {@code cloexec-after}, fd 3's close-on-exec flag before
 *       and after reading them.
 * </ul>
 *
 * A server prints {@code listening} once it listens, or {@code error CODE MESSAGE} for a failed listen.
 */
public final class ActivatedServerMain {
    private ActivatedServerMain() {}

    public static void main(String[] args) {
        Herd.run(args, argv -> {
            switch (argv[0]) {
                case "http" -> http(argv[1]);
                case "net" -> net(argv[1]);
                case "list" -> list();
                case "twice" -> twice(argv[1]);
                default -> throw new IllegalArgumentException(argv[0]);
            }
        });
    }

    private static void http(String name) {
        HttpServer[] server = new HttpServer[1];
        server[0] = Http.createServer((req, res) -> {
            res.end(name + " on port " + server[0].address().port());
            server[0].close();
        });
        server[0].on(HttpServer.LISTENING, () -> System.out.println("listening"));
        server[0].on("error", a -> printError((Throwable) a[0]));
        server[0].listenActivated(name, null);
    }

    private static void net(String name) {
        Server[] server = new Server[1];
        server[0] = Net.createServer(c -> {
            c.end(name + " on port " + server[0].address().port());
            server[0].close();
        });
        server[0].on("error", a -> printError((Throwable) a[0]));
        server[0].listenActivated(name, () -> System.out.println("listening"));
    }

    private static void twice(String name) {
        Server first = Net.createServer(null);
        Server second = Net.createServer(null);
        second.on("error", a -> {
            printError((Throwable) a[0]);
            first.close();
        });
        first.listenActivated(name, () -> {
            System.out.println("listening");
            second.listenActivated(name, null);
        });
    }

    private static void list() {
        System.out.println("cloexec-before " + cloexec(3));
        String sockets;
        try {
            sockets = SocketActivation.listenFds().stream().map(l -> l.name() + "=" + l.fd())
                    .collect(Collectors.joining(" ", "[", "]"));
        } catch (ErrnoException e) {
            sockets = "error " + e.code() + " " + e.getMessage();
        }
        System.out.println("sockets " + sockets);
        System.out.println("cloexec-after " + cloexec(3));
    }

    private static void printError(Throwable e) {
        String code = e instanceof NodeError n ? n.code() : e instanceof ErrnoException x ? x.code() : e.getClass().getName();
        System.out.println("error " + code + " " + e.getMessage());
    }

    /** Whether {@code fd} is close-on-exec, as the kernel reports it: O_CLOEXEC (02000000) in the octal flags of fdinfo. */
    private static boolean cloexec(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("flags:")) return (Long.parseLong(line.substring(6).trim(), 8) & 02000000) != 0;
            }
        } catch (IOException e) {
            throw new IllegalStateException("fd " + fd + " is not open", e);
        }
        throw new IllegalStateException("no flags in fdinfo of " + fd);
    }
}
