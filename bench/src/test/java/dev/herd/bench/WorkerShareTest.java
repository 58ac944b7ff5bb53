package dev.herd.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WorkerShareTest {
    /** wrk 4.1's output with the script's done() lines after the report, as wrk prints them. */
    static final String WITH_COUNTS = """
            Running 3s test @ http://127.0.0.1:18080/
              1 threads and 64 connections
              Latency Distribution
                 50%    1.25ms
                 99%   81.27ms
              30000 requests in 3.00s, 3.69MB read
            Requests/sec:  10000.00
            Transfer/sec:      1.23MB
            WORKER 2 9600
            WORKER 1 20400
            """;

    @Test
    void workerLinesAreReadByIdInOutputOrder() {
        assertThat(WorkerShare.workerCounts(WITH_COUNTS)).containsExactly(entry("2", 9600L), entry("1", 20400L));
    }

    @Test
    void outputWithoutWorkerLinesHasNoCounts() {
        assertThat(WorkerShare.workerCounts(WrkTest.CLEAN)).isEmpty();
    }

    @Test
    void aWorkerCountedTwiceIsRejected() {
        assertThatThrownBy(() -> WorkerShare.workerCounts("WORKER 1 5\nWORKER 2 5\nWORKER 1 3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker 1 counted twice");
    }

    @Test
    void aCountBeyondALongIsRejected() {
        assertThatThrownBy(() -> WorkerShare.workerCounts("WORKER 1 99999999999999999999\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("count out of range");
    }

    @Test
    void linesThatMerelyMentionWorkersAreIgnored() {
        assertThat(WorkerShare.workerCounts("a WORKER 1 5\nWORKER x\nWORKER 1 -3\nWORKER 3 7 extra\n")).isEmpty();
    }

    @Test
    void maxShareIsTheBusiestWorkersPercentOfAllResponses() {
        assertThat(WorkerShare.maxSharePct(WorkerShare.workerCounts(WITH_COUNTS))).isCloseTo(68.0, within(1e-9));
    }

    @Test
    void responsesWithoutAWorkerCountInTheTotalButNeverAsTheBusiest() {
        assertThat(WorkerShare.maxSharePct(Map.of("1", 25L, "2", 25L, WorkerShare.NO_HEADER, 50L)))
                .isCloseTo(25.0, within(1e-9));
    }

    @Test
    void nothingCountedIsAShareOfZero() {
        assertThat(WorkerShare.maxSharePct(Map.of())).isZero();
    }

    @Test
    void aClusterOfOneWorkerIsTheSmallest() {
        assertThatThrownBy(() -> new WorkerShare(0, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    /** An HTTP server in this JVM whose n-th response (from 0) names worker {@code id.apply(n)}. */
    private static HttpServer server(LongFunction<String> id) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        byte[] body = "hello world\n".getBytes(StandardCharsets.UTF_8);
        AtomicLong served = new AtomicLong();
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String worker = id.apply(served.getAndIncrement());
            if (worker != null) exchange.getResponseHeaders().add("X-Worker", worker);
            // Says so, as Node and Herd do: wrk counts a close without it as a read error.
            exchange.getResponseHeaders().add("Connection", "close");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return server;
    }

    private static Load.Result load(HttpServer server) {
        WorkerShare share = new WorkerShare(2, "hello world\n");
        assertThat(share.prepare()).isNull();
        return share.run(new Load.Target(server.getAddress().getPort(), ProcessHandle.current()), List.of("1", "0", "4"),
                Duration.ofSeconds(30));
    }

    @Test
    void wrksScriptCountsResponsesPerWorkerHeader() throws IOException {
        HttpServer server = server(n -> n % 4 == 3 ? "2" : "1"); // worker 1 serves 3 of every 4
        try {
            Load.Result r = load(server);
            assertThat(r.failures()).isEmpty();
            assertThat(r.metrics()).containsOnlyKeys("max_worker_share_pct", "req_per_s");
            assertThat(r.metrics().get("max_worker_share_pct")).isCloseTo(75.0, within(1.0));
            assertThat(r.metrics().get("req_per_s")).isPositive();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void responsesWithoutTheHeaderFailTheCheck() throws IOException {
        HttpServer server = server(n -> n < WorkerShare.PROBES ? "1" : null); // only the probes get one
        try {
            Load.Result r = load(server);
            assertThat(r.failures()).singleElement().asString()
                    .startsWith("CHECK x_worker_header failed: ").endsWith(" responses had no X-Worker header");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void moreWorkersThanTheClusterHasFailTheCheck() throws IOException {
        HttpServer server = server(n -> Long.toString(n % 3 + 1));
        try {
            Load.Result r = load(server);
            assertThat(r.failures()).singleElement().asString()
                    .startsWith("CHECK workers failed: 3 distinct X-Worker values from 2 workers");
        } finally {
            server.stop(0);
        }
    }
}
