package com.example.service;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.http.Http;
import dev.herd.node.http.IncomingMessage;
import dev.herd.node.http.ServerResponse;
import dev.herd.node.json.Json;
import dev.herd.node.value.SerializationException;
import dev.herd.node.worker_threads.Worker;
import dev.herd.node.worker_threads.WorkerOptions;
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
    /** The largest request body a route reads, in bytes. */
    static final int MAX_BODY = 64 * 1024;

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

        Cluster.on(Cluster.LISTENING, (worker, address) -> {
            if (++listening[0] == workers) System.out.println("listening on port " + address.port());
        });
        // Restart a worker that died, unless it was told to stop (disconnect) or we are stopping.
        Cluster.on(Cluster.EXIT, (worker, code, signal) -> {
            if (stopping[0] || worker.isExitedAfterDisconnect()) return;
            System.out.println("worker " + worker.pid() + " died (" + (signal != null ? signal : "code " + code) + "); starting a new one");
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
        process().on(NodeProcess.SIGINT, signal -> stop.run());
        process().on(NodeProcess.SIGTERM, signal -> stop.run());

        for (int i = 0; i < workers; i++) Cluster.fork();
    }

    private static void worker() {
        Map<String, String> env = process().env();
        int port = Integer.parseInt(env.getOrDefault("PORT", "8080"));
        String host = env.get("HOST");
        // setErrorBoundary: a route that throws answers 500 and the worker lives on (without it,
        // as in Node, an uncaught exception would end the worker and the primary start another).
        Http.createServer(Service::route).setErrorBoundary(true).listen(port, host, () -> System.out.println("worker " + process().pid() + " ready"));
        // Ctrl-C reaches every process of the terminal's process group: the primary stops the
        // workers in order, so a worker ignores SIGINT instead of dying of it.
        process().on(NodeProcess.SIGINT, signal -> { });
    }

    private static void route(IncomingMessage req, ServerResponse res) {
        String path = req.parsedUrl().getPath();
        switch (req.method() + " " + path) {
            case "GET /" -> res.json(200, new Hello("getting-started", process().pid(), Cluster.worker().id()));
            case "GET /primes" -> primes(req.query().getOrDefault("below", List.of("")).getFirst(), res);
            case "GET /kernel" -> kernel(res);
            case "POST /greet" -> readJson(req, res, body -> {
                if (body instanceof Map<?, ?> m && m.get("name") instanceof String name && !name.isBlank()) {
                    res.json(200, Map.of("greeting", "Hello, " + name + "!"));
                } else {
                    res.json(400, new Problem("expected {\"name\": \"...\"}"));
                }
            });
            default -> res.json(404, new Problem("no route for " + req.method() + " " + path));
        }
    }

    /** Counts primes on a worker thread: CPU work there does not hold up the event loop. */
    private static void primes(String below, ServerResponse res) {
        int n;
        try {
            n = Integer.parseInt(below);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > PrimeCounter.MAX) {
            res.json(400, new Problem("below must be an integer from 0 to " + PrimeCounter.MAX));
            return;
        }
        int limit = n;
        // A thread with an event loop of its own (Node's new Worker(file, { workerData })); the
        // cluster's workers are processes (dev.herd.node.cluster.Worker).
        Worker thread = new Worker(PrimeCounter.class, WorkerOptions.builder().workerData(limit).build());
        thread.once(Worker.MESSAGE, count -> res.json(200, new Primes(limit, ((Number) count).intValue())));
        thread.once(Worker.ERROR, err -> res.json(500, new Problem(String.valueOf(err))));
    }

    /** Runs {@code uname -sr} as a child process; the callback runs on the loop when it has exited. */
    private static void kernel(ServerResponse res) {
        ChildProcesses.execFile("uname", List.of("-sr"), (error, stdout, stderr) -> {
            if (error != null) res.json(500, new Problem(error.getMessage()));
            else res.json(200, Map.of("kernel", ((String) stdout).strip()));
        });
    }

    /**
     * Reads the request body (up to {@link #MAX_BODY} bytes: past that readBody has answered 413),
     * parses it as JSON and hands it on; 400 if it is not JSON.
     */
    private static void readJson(IncomingMessage req, ServerResponse res, Consumer<Object> then) {
        req.readBody(MAX_BODY, (error, body) -> {
            if (error != null) return; // too large (answered 413), or the client went away
            Object value;
            try {
                value = Json.parse(new String(body, StandardCharsets.UTF_8));
            } catch (SerializationException e) {
                res.json(400, new Problem(e.getMessage()));
                return;
            }
            then.accept(value);
        });
    }

}
