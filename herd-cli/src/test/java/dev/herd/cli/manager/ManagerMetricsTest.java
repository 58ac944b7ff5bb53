package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd dashboard}'s endpoint (issue 16): {@code /metrics} in Prometheus's text format, read
 * by the Prometheus Python client's own parser, and the token that guards every route.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL = Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:(\\d+))/\\?token=([0-9a-f]{64})");
    /** Prints the parsed families as JSON: [{name, samples: [{name, labels, value}]}]. */
    private static final String PARSE_PY = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for f in text_string_to_metric_families(sys.stdin.read()):
                out.append({"name": f.name, "type": f.type, "samples": [
                    {"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
            print(json.dumps(out))
            """;

    @TempDir
    Path tmp;

    private Herd herd;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;
    private String token;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    private void open(String... options) {
        List<String> args = new ArrayList<>(List.of("dashboard", "--port", "0"));
        args.addAll(List.of(options));
        String out = herd.run(args.toArray(String[]::new)).ok().out();
        Matcher m = URL.matcher(out);
        assertThat(m.find()).as("a URL with a token in: %s", out).isTrue();
        base = m.group(1);
        token = m.group(3);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The scrape, parsed by prometheus_client's parser. */
    private JsonNode parse(String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", PARSE_PY).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("the parser: %s", err).isZero();
        return JSON.readTree(out);
    }

    private static List<JsonNode> samples(JsonNode families, String sample) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode f : families) for (JsonNode s : f.get("samples")) if (s.get("name").asText().equals(sample)) out.add(s);
        return out;
    }

    @Test
    void everyRouteRefusesARequestWithoutTheToken() throws Exception {
        open();
        for (String path : List.of("/metrics", "/api/processes", "/api/timeline", "/")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "Authorization", "Bearer " + "0".repeat(64)).statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void metricsHasEverySeriesOfEachInstanceAsPrometheusOwnParserReadsIt() throws Exception {
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString(), "--name", "idle", "-i", "2").ok();
        herd.await("idle", "online twice", p -> herd.jlist().stream().filter(q -> Herd.status(q).equals("online")).count() == 2);
        herd.run("restart", "0").ok();
        herd.await("idle", "sampled", p -> herd.jlist().stream().allMatch(q -> q.get("monit").get("memory").asLong() > 0));
        open();
        HttpResponse<String> r = get("/metrics", "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        JsonNode families = parse(r.body());
        for (String series : List.of("herd_app_up", "herd_app_status", "herd_app_cpu_seconds_total", "herd_app_memory_rss_bytes",
                "herd_app_memory_pss_bytes", "herd_app_uptime_seconds")) {
            List<JsonNode> s = samples(families, series);
            assertThat(s).as(series).hasSize(2);
            for (JsonNode x : s) assertThat(x.get("labels").get("name").asText()).isEqualTo("idle");
        }
        for (JsonNode x : samples(families, "herd_app_up")) assertThat(x.get("value").asDouble()).isEqualTo(1);
        for (JsonNode x : samples(families, "herd_app_memory_rss_bytes")) assertThat(x.get("value").asDouble()).isPositive();
        for (JsonNode x : samples(families, "herd_app_memory_pss_bytes")) assertThat(x.get("value").asDouble()).isPositive();
        List<JsonNode> restarts = samples(families, "herd_app_restarts_total");
        assertThat(restarts).hasSize(1);
        assertThat(restarts.getFirst().get("labels").get("cause").asText()).isEqualTo("manual");
        assertThat(restarts.getFirst().get("labels").get("id").asText()).isEqualTo("0");
        assertThat(restarts.getFirst().get("value").asDouble()).isEqualTo(1);
        assertThat(samples(families, "herd_app_status").getFirst().get("labels").get("status").asText()).isEqualTo("online");
        for (String series : List.of("herd_daemon_apps", "herd_daemon_memory_rss_bytes", "herd_daemon_cpu_seconds_total")) {
            assertThat(samples(families, series)).as(series).hasSize(1);
        }
        assertThat(samples(families, "herd_daemon_apps").getFirst().get("value").asDouble()).isEqualTo(2);
    }

    @Test
    void aHerdProgramReportsItsLoopHeapAndGcWithNoCodeOfItsOwnAndTheyChangeUnderLoad() throws Exception {
        int port = Requests.freePort();
        Path jar = ManagerStartTest.jar(herd.dir.resolve("web.jar"), ManagedHttpProgram.class, ManagerClusterTest.herdClassPath());
        herd.run("start", jar.toString(), "--name", "web", "--", Integer.toString(port)).ok();
        herd.await("web", "reporting", p -> p.get("herd").get("runtime") != null && !p.get("herd").get("runtime").isNull());
        Requests.answeringPids(port, 1, 50);
        open();
        JsonNode first = runtime();
        Requests.Load load = new Requests.Load(port);
        JsonNode later;
        try {
            load.awaitMore(300);
            long deadline = System.currentTimeMillis() + 30_000;
            do {
                later = runtime();
            } while (later.equals(first) && System.currentTimeMillis() < deadline);
        } finally {
            load.stop();
        }
        assertThat(later).isNotEqualTo(first);
        for (JsonNode r : List.of(first, later)) {
            assertThat(r.get("herd_runtime_heap_used_bytes").asDouble()).isPositive();
            assertThat(r.get("herd_runtime_heap_committed_bytes").asDouble()).isPositive();
            assertThat(r.get("herd_runtime_loop_utilization").asDouble()).isBetween(0.0, 1.0);
            assertThat(r.get("herd_runtime_loop_lag_seconds").asDouble()).isNotNegative();
            assertThat(r.get("herd_runtime_gc_total").asDouble()).isNotNegative();
            assertThat(r.get("herd_runtime_gc_seconds_total").asDouble()).isNotNegative();
            assertThat(r.get("herd_runtime_active_handles").asDouble()).isGreaterThanOrEqualTo(1); // the server
        }
    }

    /** The herd_runtime_* samples of the one app, by name, from a scrape read by prometheus_client. */
    private JsonNode runtime() throws Exception {
        JsonNode families = parse(get("/metrics", "Authorization", "Bearer " + token).body());
        com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
        for (JsonNode f : families) {
            for (JsonNode s : f.get("samples")) {
                if (s.get("name").asText().startsWith("herd_runtime_")) out.set(s.get("name").asText(), s.get("value"));
            }
        }
        assertThat(out.size()).as("herd_runtime_* series in %s", families).isEqualTo(7);
        return out;
    }

    @Test
    void theTokenInTheUrlSetsACookieThatOpensTheApi() throws Exception {
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString(), "--name", "idle").ok();
        herd.awaitStatus("idle", "online");
        open();
        HttpResponse<String> first = get("/api/processes?token=" + token);
        assertThat(first.statusCode()).isEqualTo(200);
        String cookie = first.headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie).startsWith("herd_token=" + token).contains("HttpOnly");
        HttpResponse<String> again = get("/api/processes", "Cookie", cookie.substring(0, cookie.indexOf(';')));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get(0).get("name").asText()).isEqualTo("idle");
        HttpResponse<String> events = get("/api/timeline?since=0", "Authorization", "Bearer " + token);
        assertThat(JSON.readTree(events.body()).get(0).get("event").asText()).isEqualTo("start");
        assertThat(get("/api/timeline?since=soon", "Authorization", "Bearer " + token).statusCode()).isEqualTo(400);
    }

    @Test
    void metricsPublicOpensMetricsAloneToARequestWithoutTheToken() throws Exception {
        open("--metrics-public");
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
        assertThat(get("/api/processes").statusCode()).isEqualTo(401);
    }

    @Test
    void anAddressOtherThanLoopbackIsRefusedWithoutAllowRemote() {
        Herd.Result r = herd.run("dashboard", "--host", "0.0.0.0", "--port", "0");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("not a loopback address").contains("--allow-remote");
    }
}
