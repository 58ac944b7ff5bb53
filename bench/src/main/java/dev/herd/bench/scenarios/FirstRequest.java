package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ListeningAddress;
import dev.herd.node.cluster.Worker;
import dev.herd.node.http.Http;
import dev.herd.node.net.Net;
import dev.herd.node.net.Socket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * first-request: how a fresh cluster worker answers. N sequential {@code Cluster.fork()}s, one
 * worker at a time; each worker starts Node's hello-world HTTP server on port 0 of 127.0.0.1
 * through the primary (round-robin). On the worker's 'listening' the primary sends one request on
 * a new connection ({@code Connection: close}, raw bytes over {@code net}, so the client's own
 * warmth does not count), then {@link #LATER_REQUESTS} more one after another, then disconnects
 * the worker; its 'exit' starts the next fork. Metrics: first_request_ms, from 'listening' to the
 * end of the first response; fork_to_answer_ms, from the fork call to the same; later_request_ms,
 * the median of the later requests (what the worker does once it has answered one). Checks: every
 * response is a 200 with the hello body. The Node twin is {@code bench/node/first-request.js}.
 */
public final class FirstRequest {
    /** A fork that has not exited this long after the fork call ends the program (a failed check). */
    static final int FORK_LIMIT_MS = 60_000;
    /** Requests after the first, each on a new connection, whose median is later_request_ms. */
    static final int LATER_REQUESTS = 20;
    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private FirstRequest() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (Cluster.isPrimary()) Rounds.run(argv, FirstRequest::round);
            else Http.createServer((req, res) -> res.end("hello world\n")).listen(0, "127.0.0.1", null);
        });
    }

    /** Sends one request on a new connection and calls {@code done} with the whole response. */
    static void get(int port, java.util.function.Consumer<String> done) {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        Socket s = Net.createConnection(port, "127.0.0.1", null);
        s.on("connect", a -> s.write(REQUEST));
        s.on("data", a -> response.writeBytes((byte[]) a[0]));
        s.on("error", a -> done.accept("error " + a[0]));
        s.on("end", a -> {
            s.end();
            done.accept(response.toString(StandardCharsets.ISO_8859_1));
        });
    }

    static boolean ok(String response) {
        return response.startsWith("HTTP/1.1 200") && response.endsWith("\r\n\r\nhello world\n");
    }

    static void round(int n, Rounds.Sample sample, Runnable done) {
        List<Double> first = new ArrayList<>(n);
        List<Double> forkToAnswer = new ArrayList<>(n);
        List<Double> later = new ArrayList<>();
        int[] forks = {0};
        int[] errors = {0};
        String[] firstError = {null};
        new Object() {
            void error(Worker w, String what) {
                if (errors[0]++ == 0) firstError[0] = "worker " + w.id() + ": " + what;
            }

            void next() {
                forks[0]++;
                long t0 = nowNs();
                Worker w = Cluster.fork();
                Timeout limit = setTimeout(() -> Rounds.abort("exited",
                        "worker " + w.id() + " did not exit within " + FORK_LIMIT_MS + " ms of its fork"), FORK_LIMIT_MS);
                w.on("listening", a -> {
                    long t1 = nowNs();
                    int port = ((ListeningAddress) a[0]).port();
                    get(port, response -> {
                        long t2 = nowNs();
                        first.add((t2 - t1) / 1e6);
                        forkToAnswer.add((t2 - t0) / 1e6);
                        if (!ok(response)) error(w, "first response " + response);
                        laterRequests(w, port, LATER_REQUESTS);
                    });
                });
                w.on("error", a -> error(w, "error " + a[0]));
                w.on("exit", a -> {
                    clearTimeout(limit);
                    if (forks[0] < n) {
                        next();
                        return;
                    }
                    finish();
                });
            }

            void laterRequests(Worker w, int port, int left) {
                if (left == 0) {
                    w.disconnect();
                    return;
                }
                long t = nowNs();
                get(port, response -> {
                    later.add((nowNs() - t) / 1e6);
                    if (!ok(response)) error(w, "later response " + response);
                    laterRequests(w, port, left - 1);
                });
            }

            void finish() {
                sample.metric("first_request_ms", Rounds.median(first));
                sample.metric("fork_to_answer_ms", Rounds.median(forkToAnswer));
                sample.metric("later_request_ms", Rounds.median(later));
                sample.check("answers_200", errors[0] == 0 && first.size() == n,
                        errors[0] + " errors in " + n + " workers, first: " + firstError[0]);
                done.run();
            }
        }.next();
    }
}
