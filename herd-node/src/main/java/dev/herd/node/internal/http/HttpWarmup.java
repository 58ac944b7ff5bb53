package dev.herd.node.internal.http;

import dev.herd.loop.Async;
import dev.herd.node.Globals;
import dev.herd.node.Timeout;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import dev.herd.node.http.IncomingMessage;
import dev.herd.node.internal.Environment;
import dev.herd.node.net.Net;
import dev.herd.node.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Warms a new process's HTTP request path on a background thread while the process starts, so
 * that a cluster worker answers its first request as fast as its later ones. A JVM otherwise pays
 * for the request path on its first request: Jetty's parser initialises its tables (header and
 * method tries, MIME types built from the JDK's list of every locale, a date generator with a
 * time zone and a calendar) and Herd's connection, response and write paths run for the first
 * time — about 110 ms on a 2-core machine, against about 5 ms for Node's first request
 * (docs/studies/2026-12-07-robustness.md; the first-request row of docs/benchmarks.md).
 *
 * <p>What it does: initialises Jetty's parser, then runs one HTTP exchange (a keep-alive GET and a
 * pipelined, chunked POST) over loopback TCP through a private {@link HttpServer} in an
 * environment of its own. It never touches the program's environment: the program's servers see no
 * connection, nothing is printed, and its errors are dropped (a failed warm-up only means a cold
 * first request). An {@link HttpServer} of the program that is asked to listen while the warm-up
 * runs listens once it is over ({@link #listenWhenWarm}), so 'listening' means "answers at full
 * speed": a cluster primary (or the process manager) sends it no traffic before.
 *
 * <p>When: once per JVM, from the start of a cluster worker ({@code NODE_UNIQUE_ID} in the JVM's
 * environment: Node's own test for a worker; cluster exists to share server ports), unless
 * {@code HERD_HTTP_WARMUP=0}, and of any program with {@code HERD_HTTP_WARMUP=1}. Not by default in
 * other programs: it moves what the first request would load (a few MiB) to start-up, which an idle
 * single server need not pay.
 *
 * <p>Thread rule: any thread, except {@link #listenWhenWarm} (the caller's loop thread). Lifetime:
 * the warm-up thread ends after its one exchange, or after {@link #LIMIT_MS}.
 */
public final class HttpWarmup {
    /** The environment variable that forces the warm-up on (1) or off (0). */
    public static final String ENV = "HERD_HTTP_WARMUP";
    /** A warm-up that has not finished in this long closes what it opened and ends. */
    static final long LIMIT_MS = 10_000;
    /** Jetty's parser, whose static initialisation builds the tables a first request would wait for. */
    private static final String PARSER = "org.eclipse.jetty.http.HttpParser";

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CompletableFuture<Void> DONE = new CompletableFuture<>();
    /** The warm-up's own environment, whose server must not wait for the warm-up. */
    private static volatile Environment own;

    private static final byte[] EXCHANGE = ("GET /warm-up?a=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: herd\r\n"
            + "Accept: */*\r\n\r\n"
            + "POST /warm-up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);

    private HttpWarmup() {}

    /**
     * At a program's start, before its loop exists: starts the warm-up in a cluster worker unless
     * {@code HERD_HTTP_WARMUP=0}, and in any program with {@code HERD_HTTP_WARMUP=1}. Once per JVM.
     * Its first and largest part needs no native call, so it runs while the program's thread links
     * its own.
     */
    public static void atStart() {
        String forced = System.getenv(ENV);
        boolean wanted = System.getenv("NODE_UNIQUE_ID") != null ? !"0".equals(forced) : "1".equals(forced);
        if (wanted && STARTED.compareAndSet(false, true)) {
            Thread.ofPlatform().name("herd-http-warmup").daemon().start(HttpWarmup::run);
        }
    }

    /**
     * Completes once the warm-up has run (normally, even if it failed); already complete in a JVM
     * that has not started one.
     *
     * @return the warm-up's completion
     */
    public static CompletableFuture<Void> completion() {
        return STARTED.get() ? DONE : CompletableFuture.completedFuture(null);
    }

    /**
     * Whether this JVM has started its warm-up.
     *
     * @return true once {@link #atStart} has started it
     */
    public static boolean started() {
        return STARTED.get();
    }

    /**
     * Runs {@code listen} now, or, while the warm-up runs, on {@code env}'s loop once it is over
     * (inside a callback scope, as I/O callbacks run): how an {@link HttpServer} listens.
     *
     * @param env the server's environment
     * @param listen the server's listen
     */
    public static void listenWhenWarm(Environment env, Runnable listen) {
        if (DONE.isDone() || !STARTED.get() || env == own) {
            listen.run();
            return;
        }
        // The Async keeps the loop alive meanwhile, and wakes it from the warm-up's thread.
        Async[] wake = new Async[1];
        wake[0] = new Async(env.loop(), () -> {
            wake[0].close();
            env.makeCallback(listen);
        });
        DONE.whenComplete((v, e) -> wake[0].send());
    }

    private static void run() {
        try {
            // Jetty's tables first: most of the cost, and plain Java.
            Class.forName(PARSER, true, HttpWarmup.class.getClassLoader());
            Environment.run(new String[0], argv -> exchange(), new Environment.Embedder() {
                @Override
                public Map<String, String> env() {
                    return Map.of();
                }

                @Override
                public void started(Environment environment) {
                    own = environment;
                }

                @Override
                public void uncaught(Throwable error) {
                    // A failed warm-up costs the program nothing but a cold first request.
                }
            });
        } catch (Throwable ignored) {
            // as above
        } finally {
            DONE.complete(null);
        }
    }

    /** The exchange, on the warm-up environment's loop. */
    private static void exchange() {
        HttpServer server = Http.createServer((req, res) -> {
            req.on(IncomingMessage.DATA, chunk -> { });
            req.on(IncomingMessage.END, () -> {
                res.setHeader("Content-Type", "text/plain");
                if (req.method().equals("GET")) {
                    res.end("hello world\n");
                } else {
                    res.write("hello ");
                    res.end("world\n");
                }
            });
        });
        Timeout limit = Globals.setTimeout(() -> {
            server.closeAllConnections();
            server.close();
        }, LIMIT_MS);
        server.on(HttpServer.ERROR, err -> {
            Globals.clearTimeout(limit);
            server.close();
        });
        server.listen(0, "127.0.0.1", () -> {
            Socket client = Net.createConnection(server.address().port(), "127.0.0.1", null);
            client.on(Socket.CONNECT, () -> client.write(EXCHANGE));
            client.on(Socket.DATA, chunk -> { });
            client.on(Socket.ERROR, err -> client.destroy());
            client.on(Socket.END, () -> client.end());
            client.on(Socket.CLOSE, hadError -> {
                Globals.clearTimeout(limit);
                server.close();
            });
        });
    }
}
