package com.example.service;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ListeningAddress;
import dev.herd.node.cluster.Worker;
import dev.herd.node.http.Http;
import dev.herd.node.http.IncomingMessage;
import dev.herd.node.http.ServerResponse;
import dev.herd.node.json.Json;
import dev.herd.node.value.SerializationException;
import dev.herd.node.worker_threads.WorkerOptions;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A small JSON service on Herd: a cluster primary that keeps {@code WORKERS} worker processes
 * running, each serving the same HTTP port.
 *
 * <ul>
 *   <li>{@code GET /} — which worker answered: {@code {"service":"getting-started","pid":...,"worker":...}}
 *   <li>{@code GET /primes?below=N} — counts the primes below N on a worker_threads thread, so the
 *       event loop keeps serving other requests meanwhile: {@code {"below":N,"count":...}}
 *   <li>{@code GET /kernel} — runs {@code uname -sr} with execFile: {@code {"kernel":"Linux 6.1.0"}}
 *   <li>{@code POST /greet} with {@code {"name":"Ada"}} — {@code {"greeting":"Hello, Ada!"}}
 * </ul>
 *
 * <p>A worker that dies is replaced. Ctrl-C (SIGINT) or SIGTERM stops the service gracefully: the
 * primary disconnects every worker (each closes its server and finishes the requests it has) and
 * the process exits with code 0.
 *
 * <p>Environment: {@code PORT} (default 8080; 0 picks a free port), {@code HOST} (default: every
 * address), {@code WORKERS} (default: one per processor).
 */
public final class Service {
    private Service() {}

    /** What {@code GET /} answers. */
    record Hello(String service, long pid, int worker) {}

    /** What {@code GET /primes} answers. */
    record Primes(int below, int count) {}

    /** An error, as every route reports one. */
    record Problem(String error) {}

    /**
     * Runs the service: the primary, or (in a process the primary forked) a worker.
     *
     * @param args not used; the environment configures the service
     */
    public static void main(String[] args) {
        // The same program runs in the primary and in every worker; Cluster.isPrimary() tells them apart.
        Herd.run(args, argv -> {
            if (Cluster.isPrimary()) primary();
            else worker();
        });
    }

    private static void primary() {
        Map<String, String> env = process().env();
        int workers = Integer.parseInt(env.getOrDefault("WORKERS", Integer.toString(Runtime.getRuntime().availableProcessors())));
        boolean[] stopping = {false};
        int[] listening = {0};
        System.out.println("primary " + process().pid() + " starting " + workers + " workers");

        Cluster.on("listening", a -> {
            ListeningAddress address = (ListeningAddress) a[1];
            if (++listening[0] == workers) System.out.println("listening on port " + address.port());
        });
        // Restart a worker that died, unless it was told to stop (disconnect) or we are stopping.
        Cluster.on("exit", a -> {
            Worker w = (Worker) a[0];
            if (stopping[0] || Boolean.TRUE.equals(w.exitedAfterDisconnect())) return;
            System.out.println("worker " + w.pid() + " died (" + (a[2] != null ? a[2] : "code " + a[1]) + "); starting a new one");
            Cluster.fork();
        });
        Runnable stop = () -> {
            if (stopping[0]) return;
            stopping[0] = true;
            System.out.println("stopping");
            // Each worker closes its server, finishes its requests and exits; then the primary's
            // loop has nothing left to do and the process exits with code 0.
            Cluster.disconnect(() -> System.out.println("all workers stopped"));
        };
        process().on("SIGINT", a -> stop.run());
        process().on("SIGTERM", a -> stop.run());

        for (int i = 0; i < workers; i++) Cluster.fork();
    }

    private static void worker() {
        Map<String, String> env = process().env();
        int port = Integer.parseInt(env.getOrDefault("PORT", "8080"));
        String host = env.get("HOST");
        Http.createServer(Service::route).listen(port, host, () -> System.out.println("worker " + process().pid() + " ready"));
        // Ctrl-C reaches every process of the terminal's process group: the primary stops the
        // workers in order, so a worker ignores SIGINT instead of dying of it.
        process().on("SIGINT", a -> { });
    }

    private static void route(IncomingMessage req, ServerResponse res) {
        URI uri = URI.create(req.url());
        String path = uri.getPath();
        switch (req.method() + " " + path) {
            case "GET /" -> send(res, 200, new Hello("getting-started", process().pid(), Cluster.worker().id()));
            case "GET /primes" -> primes(query(uri, "below"), res);
            case "GET /kernel" -> kernel(res);
            case "POST /greet" -> readJson(req, res, body -> {
                if (body instanceof Map<?, ?> m && m.get("name") instanceof String name && !name.isBlank()) {
                    send(res, 200, Map.of("greeting", "Hello, " + name + "!"));
                } else {
                    send(res, 400, new Problem("expected {\"name\": \"...\"}"));
                }
            });
            default -> send(res, 404, new Problem("no route for " + req.method() + " " + path));
        }
    }

    /** Counts primes on a worker thread: CPU work there does not hold up the event loop. */
    private static void primes(String below, ServerResponse res) {
        int n;
        try {
            n = Integer.parseInt(below == null ? "" : below);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > PrimeCounter.MAX) {
            send(res, 400, new Problem("below must be an integer from 0 to " + PrimeCounter.MAX));
            return;
        }
        int limit = n;
        // A thread with an event loop of its own (Node's new Worker(file, { workerData })); the
        // cluster's Worker above is a process, hence the full name here.
        var thread = new dev.herd.node.worker_threads.Worker(PrimeCounter.class, WorkerOptions.builder().workerData(limit).build());
        thread.once("message", m -> send(res, 200, new Primes(limit, ((Number) m[0]).intValue())));
        thread.once("error", e -> send(res, 500, new Problem(String.valueOf(e[0]))));
    }

    /** Runs {@code uname -sr} as a child process; the callback runs on the loop when it has exited. */
    private static void kernel(ServerResponse res) {
        ChildProcesses.execFile("uname", List.of("-sr"), (error, stdout, stderr) -> {
            if (error != null) send(res, 500, new Problem(error.getMessage()));
            else send(res, 200, Map.of("kernel", ((String) stdout).strip()));
        });
    }

    /** Gathers the request body, parses it as JSON and hands it on; 400 if it is not JSON. */
    private static void readJson(IncomingMessage req, ServerResponse res, Consumer<Object> then) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        req.on("data", a -> body.writeBytes((byte[]) a[0]));
        req.on("end", a -> {
            Object value;
            try {
                value = Json.parse(body.toString(StandardCharsets.UTF_8));
            } catch (SerializationException e) {
                send(res, 400, new Problem(e.getMessage()));
                return;
            }
            then.accept(value);
        });
    }

    private static void send(ServerResponse res, int status, Object value) {
        byte[] json = Json.stringifyUtf8(value);
        res.writeHead(status, Map.of("Content-Type", "application/json", "Content-Length", json.length));
        res.end(json);
    }

    private static String query(URI uri, String name) {
        if (uri.getRawQuery() == null) return null;
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return null;
    }
}
