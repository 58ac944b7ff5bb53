package dev.herd.node.http;

import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.internal.Environment;
import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.net.NeverReadingClient;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node's http server over real loopback sockets: exact bytes from a raw socket client, and the
 * real Node as a client (test-http-*.js).
 */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerTest {
    private static final String HELLO = "hello world\n";
    private static final RequestListener HELLO_WORLD = (req, res) -> res.end(HELLO);

    /** What the loop thread saw; read by the test after the run. */
    private final List<String> log = new ArrayList<>();

    /**
     * Runs a server with {@code handler} (configured by {@code configure}, may be null) on
     * 127.0.0.1:0, runs {@code client} with the port on a work-pool thread, then closes the
     * server; the program must exit with 0 and everything closed. Returns what the client returned.
     */
    @SuppressWarnings("unchecked")
    private static <T> T exchange(RequestListener handler, Consumer<HttpServer> configure, Function<Integer, T> client) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        int code = Herd.call(new String[0], a -> {
            HttpServer server = Http.createServer(handler);
            if (configure != null) configure.accept(server);
            server.listen(0, "127.0.0.1", () -> {
                int port = server.address().port();
                Environment env = Environment.current();
                env.loop().queueWork(() -> {
                    try {
                        result[0] = client.apply(port);
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                }, err -> env.makeCallback(() -> server.close()));
            });
        });
        if (failure[0] instanceof RuntimeException e) throw e;
        if (failure[0] instanceof Error e) throw e;
        assertThat(code).as("exit code").isZero();
        return (T) result[0];
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    // ---------------------------------------------------------------- responses

    @Test
    void helloWorldHasNodesDefaultHeadersAndBody() {
        RawClient.Response r = exchange(HELLO_WORLD, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.headerNames()).containsExactly("Date", "Connection", "Keep-Alive", "Content-Length");
        assertThat(r.header("Connection")).isEqualTo("keep-alive");
        assertThat(r.header("Keep-Alive")).isEqualTo("timeout=5");
        assertThat(r.header("Content-Length")).isEqualTo("12");
        assertThat(r.body()).isEqualTo(HELLO);
        ZonedDateTime date = ZonedDateTime.parse(r.header("Date"), DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(Math.abs(date.toEpochSecond() - System.currentTimeMillis() / 1000)).isLessThan(60);
        assertThat(r.header("Date")).matches("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT");
    }

    @Test
    void keepAliveServesTwoRequestsOnOneConnection() {
        int[] connections = {0};
        List<String> bodies = exchange((req, res) -> res.end("you asked for " + req.url()),
                s -> s.on("connection", a -> connections[0]++),
                port -> {
                    try (RawClient c = new RawClient(port)) {
                        return List.of(c.send(get("/one")).read().body(), c.send(get("/two")).read().body());
                    }
                });
        assertThat(bodies).containsExactly("you asked for /one", "you asked for /two");
        assertThat(connections[0]).isEqualTo(1);
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() {
        List<String> bodies = exchange((req, res) -> {
            log.add("request " + req.url());
            // The first answer is the slowest: order must still be kept.
            if (req.url().equals("/1")) setTimeout(() -> res.end("first"), 30);
            else res.end(req.url().equals("/2") ? "second" : "third");
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send(get("/1") + get("/2") + get("/3"));
                return List.of(c.read().body(), c.read().body(), c.read().body());
            }
        });
        assertThat(bodies).containsExactly("first", "second", "third");
        assertThat(log).containsExactly("request /1", "request /2", "request /3");
    }

    @Test
    void chunkedResponseFromTwoWritesAndEndDecodes() {
        RawClient.Response r = exchange((req, res) -> {
            res.write("hello ");
            setTimeout(() -> {
                res.write("chunked ");
                res.end("world");
            }, 10);
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.body()).isEqualTo("hello chunked world");
        assertThat(r.raw()).endsWith("\r\n6\r\nhello \r\n8\r\nchunked \r\n5\r\nworld\r\n0\r\n\r\n");
    }

    @Test
    void writesInOneTickGoOutAsOneChunkedResponse() {
        RawClient.Response r = exchange((req, res) -> {
            res.write("ab");
            res.write("cd");
            res.end();
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        // Byte for byte what Node 20 sends, Date aside.
        assertThat(r.raw().replaceFirst("Date: [^\r]*\r\n", "Date: X\r\n")).isEqualTo("HTTP/1.1 200 OK\r\nDate: X\r\n"
                + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n");
    }

    @Test
    void headResponseHasHeadersButNoBody() {
        List<RawClient.Response> rs = exchange(HELLO_WORLD, null, port -> {
            try (RawClient c = new RawClient(port)) {
                RawClient.Response head = c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
                // If any body byte had been sent, this response would not parse.
                RawClient.Response after = c.send(get("/")).read();
                return List.of(head, after);
            }
        });
        assertThat(rs.get(0).statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(rs.get(0).headerNames()).containsExactly("Date", "Connection", "Keep-Alive");
        assertThat(rs.get(0).raw()).endsWith("\r\n\r\n");
        assertThat(rs.get(1).body()).isEqualTo(HELLO);
    }

    @Test
    void noContentResponseHasNoBodyAndKeepsTheConnection() {
        List<RawClient.Response> rs = exchange((req, res) -> {
            if (req.url().equals("/204")) {
                res.setStatusCode(204);
                res.end("dropped");
            } else {
                res.end(HELLO);
            }
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return List.of(c.send(get("/204")).read(), c.send(get("/")).read());
            }
        });
        assertThat(rs.get(0).statusLine()).isEqualTo("HTTP/1.1 204 No Content");
        assertThat(rs.get(0).headerNames()).containsExactly("Date", "Connection", "Keep-Alive");
        assertThat(rs.get(1).body()).isEqualTo(HELLO);
    }

    @Test
    void http10ResponseIsCloseDelimited() {
        String raw = exchange(HELLO_WORLD, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET / HTTP/1.0\r\n\r\n").readAll();
            }
        });
        assertThat(raw.replaceFirst("Date: [^\r]*\r\n", "")).isEqualTo("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + HELLO);
    }

    @Test
    void connectionCloseFromTheClientClosesAfterTheResponse() {
        String raw = exchange(HELLO_WORLD, null, port -> {
            try (RawClient c = new RawClient(port)) {
                // The second request comes after the one that asked to close: it is not answered.
                return c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + get("/ignored")).readAll();
            }
        });
        assertThat(raw.replaceFirst("Date: [^\r]*\r\n", ""))
                .isEqualTo("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 12\r\n\r\n" + HELLO);
    }

    @Test
    void headerMethodsAndWriteHeadMergeAsNodeDoes() {
        RawClient.Response r = exchange((req, res) -> {
            res.setHeader("X-A", "a");
            res.setHeader("Set-Cookie", List.of("a=1", "b=2"));
            res.setHeader("content-type", "text/plain");
            res.setHeader("X-Gone", 42);
            log.add("get " + res.getHeader("X-A") + " " + res.getHeader("x-gone") + " " + res.hasHeader("CONTENT-TYPE"));
            res.removeHeader("x-gone");
            log.add("names " + res.getHeaderNames());
            log.add("headers " + res.getHeaders());
            Map<String, Object> more = new LinkedHashMap<>();
            more.put("X-B", "b");
            more.put("x-a", "override");
            res.writeHead(201, "Made", more);
            log.add("sent " + res.headersSent() + " " + res.statusCode() + " " + res.statusMessage());
            try {
                res.setHeader("X-Late", "1");
            } catch (NodeError e) {
                log.add(e.code());
            }
            res.end("ok");
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(log).containsExactly("get a 42 true",
                "names [x-a, set-cookie, content-type]",
                "headers {x-a=a, set-cookie=[a=1, b=2], content-type=text/plain}",
                "sent true 201 Made",
                "ERR_HTTP_HEADERS_SENT");
        // Node 20's bytes for the same calls, Date aside.
        assertThat(r.raw().replaceFirst("Date: [^\r]*\r\n", "Date: X\r\n")).isEqualTo("HTTP/1.1 201 Made\r\n"
                + "x-a: override\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\ncontent-type: text/plain\r\nX-B: b\r\n"
                + "Date: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n");
    }

    @Test
    void invalidHeadersAreRejectedWithNodesCodes() {
        exchange((req, res) -> {
            for (Runnable bad : List.<Runnable>of(
                    () -> res.setHeader("Bad Name", "x"),
                    () -> res.setHeader("X-Split", "a\r\nInjected: yes"),
                    () -> res.setHeader("X-Null", null),
                    () -> res.writeHead(42))) {
                try {
                    bad.run();
                } catch (NodeError e) {
                    log.add(e.code());
                }
            }
            res.end();
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(log).containsExactly("ERR_INVALID_HTTP_TOKEN", "ERR_INVALID_CHAR", "ERR_HTTP_INVALID_HEADER_VALUE",
                "ERR_HTTP_INVALID_STATUS_CODE");
    }

    @Test
    void statusCodeAndStatusMessageShapeTheStatusLine() {
        List<String> lines = exchange((req, res) -> {
            if (req.url().equals("/teapot")) {
                res.setStatusCode(418);
                res.setStatusMessage("Short And Stout");
                res.end();
            } else {
                res.writeHead(404);
                log.add(res.statusMessage());
                res.end();
            }
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return List.of(c.send(get("/teapot")).read().statusLine(), c.send(get("/missing")).read().statusLine());
            }
        });
        assertThat(lines).containsExactly("HTTP/1.1 418 Short And Stout", "HTTP/1.1 404 Not Found");
        assertThat(log).containsExactly("Not Found");
    }

    @Test
    void endWithoutDataSendsContentLengthZero() {
        RawClient.Response r = exchange((req, res) -> res.end(), null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(r.header("Content-Length")).isEqualTo("0");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void writeReturnsFalseAtTheHighWaterMarkAndDrainFollows() {
        int total = 4 * 1024 * 1024;
        String[] firstFalse = {null};
        Integer got = exchange((req, res) -> {
            byte[] chunk = new byte[64 * 1024];
            int[] sent = {0};
            Runnable pump = new Runnable() {
                @Override
                public void run() {
                    while (sent[0] < total) {
                        sent[0] += chunk.length;
                        if (!res.write(chunk)) {
                            if (firstFalse[0] == null) firstFalse[0] = "false after " + sent[0];
                            res.once("drain", this);
                            return;
                        }
                    }
                    res.end();
                }
            };
            pump.run();
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read().body().length();
            }
        });
        assertThat(got).isEqualTo(total);
        assertThat(firstFalse[0]).isEqualTo("false after " + 64 * 1024);
    }

    @Test
    void finishAndCloseFollowEnd() {
        exchange((req, res) -> {
            res.on("finish", () -> log.add("finish " + res.writableFinished()));
            res.on("close", () -> log.add("close"));
            res.end(HELLO);
            log.add("ended " + res.writableEnded());
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(log).containsExactly("ended true", "finish true", "close");
    }

    // ---------------------------------------------------------------- requests

    @Test
    void requestLineAndHeadersFollowNodesRules() {
        Object[] seen = new Object[4];
        exchange((req, res) -> {
            seen[0] = req.method() + " " + req.url() + " " + req.httpVersion();
            seen[1] = req.headers();
            seen[2] = req.rawHeaders();
            seen[3] = req.headersDistinct().get("set-cookie");
            res.end();
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET /path?q=1 HTTP/1.1\r\nHost: x\r\nX-Foo: 1\r\nx-foo: 2\r\nCookie: a=1\r\nCookie: b=2\r\n"
                        + "Set-Cookie: s1\r\nset-cookie: s2\r\nContent-Type: a\r\nContent-Type: b\r\nAccept: q\r\nAccept: r\r\n\r\n")
                        .read();
            }
        });
        assertThat(seen[0]).isEqualTo("GET /path?q=1 1.1");
        // Node 20 gives the same object, except that its set-cookie is the array ["s1", "s2"].
        assertThat(seen[1]).isEqualTo(Map.of("host", "x", "x-foo", "1, 2", "cookie", "a=1; b=2", "set-cookie", "s1, s2",
                "content-type", "a", "accept", "q, r"));
        // As sent, except that Jetty reports the fields it knows in their standard spelling (Node
        // keeps the second set-cookie in lower case).
        assertThat(seen[2]).isEqualTo(List.of("Host", "x", "X-Foo", "1", "x-foo", "2", "Cookie", "a=1", "Cookie", "b=2",
                "Set-Cookie", "s1", "Set-Cookie", "s2", "Content-Type", "a", "Content-Type", "b", "Accept", "q", "Accept", "r"));
        assertThat(seen[3]).isEqualTo(List.of("s1", "s2"));
    }

    @Test
    void chunkedRequestBodyIsReadFully() {
        String body = exchange((req, res) -> {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            req.on("data", a -> got.writeBytes((byte[]) a[0]));
            req.on("end", () -> res.end("got " + got.size() + ": " + got.toString(StandardCharsets.UTF_8)
                    + " complete=" + req.complete()));
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
                c.send("1\r\n \r\n");
                return c.send("5\r\nworld\r\n0\r\n\r\n").read().body();
            }
        });
        assertThat(body).isEqualTo("got 11: hello world complete=true");
    }

    @Test
    void contentLengthRequestBodyIsDecodedWithSetEncoding() {
        String text = "€uro and ünïcode";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String body = exchange((req, res) -> {
            req.setEncoding("utf8");
            StringBuilder got = new StringBuilder();
            req.on("data", a -> got.append((String) a[0]));
            req.on("end", () -> res.end(got.toString()));
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: " + bytes.length + "\r\n\r\n");
                // Split inside the euro sign's three bytes.
                c.send(java.util.Arrays.copyOfRange(bytes, 0, 2));
                return c.send(java.util.Arrays.copyOfRange(bytes, 2, bytes.length)).read().body();
            }
        });
        assertThat(body).isEqualTo(text);
    }

    @Test
    void aBodyNobodyReadsDoesNotBlockTheNextRequest() {
        byte[] big = new byte[200 * 1024];
        List<String> bodies = exchange((req, res) -> res.end("answered " + req.url()), null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " + big.length + "\r\n\r\n");
                String first = c.read().body(); // answered before the body is even sent
                c.send(big);
                c.send(get("/next"));
                return List.of(first, c.read().body());
            }
        });
        assertThat(bodies).containsExactly("answered /big", "answered /next");
    }

    @Test
    void expectContinueGets100ContinueThenTheResponse() {
        String[] got = new String[2];
        exchange((req, res) -> {
            req.setEncoding("utf8");
            StringBuilder body = new StringBuilder();
            req.on("data", a -> body.append((String) a[0]));
            req.on("end", () -> res.end("got " + body));
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
                got[0] = c.readExactly("HTTP/1.1 100 Continue\r\n\r\n".length());
                got[1] = c.send("body").read().body();
                return null;
            }
        });
        assertThat(got).containsExactly("HTTP/1.1 100 Continue\r\n\r\n", "got body");
    }

    @Test
    void checkContinueListenerDecidesInsteadOfTheServer() {
        RawClient.Response r = exchange((req, res) -> log.add("request?!"), s -> s.on("checkContinue", a -> {
            ServerResponse res = (ServerResponse) a[1];
            log.add("checkContinue " + ((IncomingMessage) a[0]).headers().get("expect"));
            res.writeHead(417);
            res.end();
        }), port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n").read();
            }
        });
        assertThat(log).containsExactly("checkContinue 100-continue");
        // No 100 was sent, so the connection closes: the client may still send its body.
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 417 Expectation Failed");
        assertThat(r.header("Connection")).isEqualTo("close");
    }

    @Test
    void anHttp11RequestWithoutHostGetsNodesBadRequest() {
        String raw = exchange((req, res) -> log.add("request?!"), null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET / HTTP/1.1\r\n\r\n").readAll();
            }
        });
        assertThat(log).isEmpty();
        assertThat(raw.replaceFirst("Date: [^\r]*\r\n", "Date: X\r\n")).isEqualTo(
                "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nDate: X\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void requestIsAbortedWhenTheClientGoesAway() {
        exchange((req, res) -> {
            log.add("request");
            req.on("data", a -> {});
            req.on("aborted", () -> log.add("aborted " + req.complete()));
            req.on("close", () -> log.add("req close"));
            res.on("close", () -> log.add("res close " + res.writableFinished()));
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b");
                return c.closedWithin(200); // nothing comes back; then the client leaves
            }
        });
        assertThat(log).containsExactly("request", "aborted false", "res close false", "req close");
    }

    @Test
    void anUnreadRequestEndsOnceTheResponseHasFinished() {
        exchange((req, res) -> {
            req.on("end", () -> log.add("end " + req.complete()));
            req.on("close", () -> log.add("req close"));
            res.end(HELLO);
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(log).containsExactly("end true", "req close");
    }

    @Test
    void writeAfterEndEmitsErrStreamWriteAfterEnd() {
        exchange((req, res) -> {
            res.on("error", a -> log.add(((NodeError) a[0]).code()));
            res.end(HELLO);
            res.end(); // a second end without data is ignored, as in Node
            log.add("write " + res.write("late"));
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(log).containsExactly("write false", "ERR_STREAM_WRITE_AFTER_END");
    }

    @Test
    void anHttp10KeepAliveRequestStillGetsACloseDelimitedBody() {
        String raw = exchange(HELLO_WORLD, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readAll();
            }
        });
        // Node 20 does the same: without a Content-Length the HTTP/1.0 body must end with the connection.
        assertThat(raw.replaceFirst("Date: [^\r]*\r\n", "")).isEqualTo("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + HELLO);
    }

    @Test
    void maxHeadersCountDropsTheFieldsPastIt() {
        Object[] raw = new Object[1];
        exchange((req, res) -> {
            raw[0] = req.rawHeaders();
            res.end();
        }, s -> s.setMaxHeadersCount(2), port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n").read();
            }
        });
        assertThat(raw[0]).isEqualTo(List.of("Host", "x", "A", "1"));
    }

    @Test
    void withoutRequireHostHeaderAHostlessRequestIsServedAndTheConnectionCloses() {
        String raw = exchange((req, res) -> res.end("served " + req.headers().get("host")),
                s -> s.setRequireHostHeader(false), port -> {
                    try (RawClient c = new RawClient(port)) {
                        return c.send("GET / HTTP/1.1\r\n\r\n").readAll();
                    }
                });
        assertThat(raw.replaceFirst("Date: [^\r]*\r\n", ""))
                .isEqualTo("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 11\r\n\r\nserved null");
    }

    // ---------------------------------------------------------------- errors and limits

    @Test
    void aBadRequestGets400AndTheConnectionCloses() {
        String raw = exchange((req, res) -> log.add("request?!"), null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GARBAGE\r\n\r\n").readAll();
            }
        });
        assertThat(raw).isEqualTo("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        assertThat(log).isEmpty();
    }

    @Test
    void aMalformedChunkedBodyGets400WhileNoResponseIsUnderWay() {
        Object[] err = new Object[1];
        String raw = exchange((req, res) -> {
            log.add("request");
            req.on("data", a -> {});
            req.on("aborted", () -> log.add("aborted"));
        }, s -> s.on("connection", a -> ((dev.herd.node.net.Socket) a[0]).on("error", x -> err[0] = x[0])), port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").readAll();
            }
        });
        assertThat(raw).isEqualTo("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        assertThat(log).containsExactly("request", "aborted");
        assertThat(err[0]).isInstanceOfSatisfying(NodeError.class,
                e -> assertThat(e.code()).isEqualTo("HPE_INVALID_CHUNK_SIZE"));
    }

    @Test
    void clientErrorListenerOwnsTheSocket() {
        Object[] err = new Object[1];
        String raw = exchange(HELLO_WORLD, s -> s.on("clientError", a -> {
            err[0] = a[0];
            ((dev.herd.node.net.Socket) a[1]).end("HTTP/1.1 400 Custom\r\n\r\n");
        }), port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n").readAll();
            }
        });
        assertThat(raw).isEqualTo("HTTP/1.1 400 Custom\r\n\r\n");
        assertThat(err[0]).isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).startsWith("HPE_"));
    }

    @Test
    void anOversizedHeaderGets431() {
        String raw = exchange(HELLO_WORLD, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(Http.MAX_HEADER_SIZE) + "\r\n\r\n").readAll();
            }
        });
        assertThat(raw).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n");
    }

    @Test
    void headersThatDoNotArriveInTimeGet408() {
        String raw = exchange(HELLO_WORLD, s -> s.setHeadersTimeout(100).setConnectionsCheckingInterval(20), port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("GET / HTTP/1.1\r\nHo").readAll();
            }
        });
        assertThat(raw).isEqualTo("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    }

    @Test
    void keepAliveTimeoutClosesAnIdleConnection() {
        long[] idleMillis = {0};
        RawClient.Response r = exchange(HELLO_WORLD, s -> s.setKeepAliveTimeout(1000), port -> {
            try (RawClient c = new RawClient(port)) {
                RawClient.Response first = c.send(get("/")).read();
                long start = System.nanoTime();
                assertThat(c.closedWithin(10_000)).isTrue();
                idleMillis[0] = (System.nanoTime() - start) / 1_000_000;
                return first;
            }
        });
        assertThat(r.header("Keep-Alive")).isEqualTo("timeout=1");
        // Node 20 closes keepAliveTimeout + 1 s after the response.
        assertThat(idleMillis[0]).isBetween(1500L, 5000L);
    }

    @Test
    void maxRequestsPerSocketClosesWithTheLastAllowedResponse() {
        List<RawClient.Response> rs = exchange(HELLO_WORLD, s -> s.setMaxRequestsPerSocket(2), port -> {
            try (RawClient c = new RawClient(port)) {
                return List.of(c.send(get("/")).read(), c.send(get("/")).read(), c.send(get("/")).read());
            }
        });
        assertThat(rs.get(0).header("Keep-Alive")).isEqualTo("timeout=5, max=2");
        assertThat(rs.get(1).header("Connection")).isEqualTo("close");
        assertThat(rs.get(2).statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
    }

    @Test
    void closeEndsIdleKeepAliveConnections() {
        boolean[] closed = {false};
        int code = Herd.call(new String[0], a -> {
            HttpServer server = Http.createServer(HELLO_WORLD);
            server.on("close", () -> log.add("server close"));
            server.listen(0, "127.0.0.1", () -> {
                int port = server.address().port();
                Environment env = Environment.current();
                RawClient[] client = new RawClient[1];
                env.loop().queueWork(() -> client[0] = new RawClient(port).send(get("/")),
                        e1 -> env.makeCallback(() -> setTimeout(() -> {
                            server.close(); // the connection is idle (its answer is out): it is closed now
                            env.loop().queueWork(() -> {
                                client[0].read();
                                closed[0] = client[0].closedWithin(5000);
                                client[0].close();
                            }, e2 -> {});
                        }, 50)));
            });
        });
        assertThat(code).isZero();
        assertThat(closed[0]).isTrue();
        assertThat(log).containsExactly("server close");
    }

    @Test
    void closeAnswersEveryRequestOfAClientSendingBackToBackTheLastWithConnectionCloseThenEndsTheConnection() {
        // Node 20 destroys the connection as soon as its answer is out, resetting the request the
        // client sends next. Herd answers that request with Connection: close and ends after it.
        // The close runs as a signal or a cluster disconnect would: between I/O callbacks, just
        // after an answer was written; the client would go on sending for 2000 more requests.
        int[] sent = {0};
        List<RawClient.Response> answers = new ArrayList<>();
        String[] outcome = {null};
        int code = Herd.call(new String[0], a -> {
            Environment env = Environment.current();
            HttpServer[] server = new HttpServer[1];
            int[] requests = {0};
            server[0] = Http.createServer((req, res) -> {
                res.end(HELLO);
                if (++requests[0] == 100) setImmediate(() -> server[0].close());
            });
            server[0].on("close", () -> log.add("server close"));
            server[0].listen(0, "127.0.0.1", () -> {
                int port = server[0].address().port();
                env.loop().queueWork(() -> {
                    try (RawClient c = new RawClient(port)) {
                        while (sent[0] < 2100) {
                            c.send(get("/"));
                            sent[0]++;
                            RawClient.Response r;
                            try {
                                r = c.read();
                            } catch (RuntimeException noAnswer) {
                                outcome[0] = "request " + sent[0] + " got no answer: " + noAnswer;
                                return;
                            }
                            answers.add(r);
                            if ("close".equals(r.header("Connection"))) {
                                outcome[0] = c.closedWithin(10_000) ? "ended after Connection: close" : "open after Connection: close";
                                return;
                            }
                        }
                        outcome[0] = "the client gave up";
                    }
                }, e -> { });
            });
        });
        assertThat(code).isZero();
        assertThat(outcome[0]).isEqualTo("ended after Connection: close");
        // The 100th answer said keep-alive before close(): the client's next request is answered too.
        assertThat(answers).hasSize(sent[0]).hasSize(101).allSatisfy(r -> assertThat(r.body()).isEqualTo(HELLO));
        assertThat(answers.subList(0, 100)).allSatisfy(r -> assertThat(r.header("Connection")).isEqualTo("keep-alive"));
        assertThat(log).containsExactly("server close");
    }

    @Test
    void closeWhileALargeAnswerIsStillBeingWrittenLetsTheClientReceiveAllOfItThenEndsTheConnection() {
        // The answer is far larger than the kernel's socket buffers: when close() runs, most of
        // it still waits in the process. Node 20 cuts it short (its response has ended).
        String big = "x".repeat(16 << 20);
        String[] outcome = {null};
        int code = Herd.call(new String[0], a -> {
            Environment env = Environment.current();
            HttpServer[] server = new HttpServer[1];
            server[0] = Http.createServer((req, res) -> {
                res.end(big);
                log.add(res.socket().writableLength() > 0 ? "queued at close" : "all with the kernel at close");
                setImmediate(() -> server[0].close());
            });
            server[0].setCloseGracePeriod(100); // the grace after the answer is not what this test is about
            server[0].on("close", () -> log.add("server close"));
            server[0].listen(0, "127.0.0.1", () -> {
                int port = server[0].address().port();
                env.loop().queueWork(() -> {
                    try (RawClient c = new RawClient(port)) {
                        RawClient.Response r;
                        try {
                            r = c.send(get("/")).read();
                        } catch (RuntimeException cut) {
                            outcome[0] = "cut short: " + cut.getMessage();
                            return;
                        }
                        if (!r.body().equals(big)) outcome[0] = "a body of " + r.body().length() + " bytes";
                        else outcome[0] = c.closedWithin(10_000) ? "whole body, then the end" : "whole body, still open";
                    }
                }, e -> { });
            });
        });
        assertThat(code).isZero();
        assertThat(outcome[0]).isEqualTo("whole body, then the end");
        assertThat(log).containsExactly("queued at close", "server close");
    }

    @Test
    void pipelinedRequestsAlreadyReadAreAllAnsweredAfterCloseTheLastWithConnectionClose() {
        List<String> bodies = new ArrayList<>();
        List<String> connection = new ArrayList<>();
        boolean[] closed = {false};
        int code = Herd.call(new String[0], a -> {
            Environment env = Environment.current();
            HttpServer[] server = new HttpServer[1];
            server[0] = Http.createServer((req, res) -> {
                if (req.url().equals("/1")) {
                    // /2 and /3 came with /1 (one write): they are read and wait for /1's answer.
                    setImmediate(() -> {
                        server[0].close();
                        res.end("answer to /1");
                    });
                } else {
                    res.end("answer to " + req.url());
                }
            });
            server[0].setKeepAliveTimeout(0); // only close() can end an idle connection
            server[0].listen(0, "127.0.0.1", () -> {
                int port = server[0].address().port();
                env.loop().queueWork(() -> {
                    try (RawClient c = new RawClient(port)) {
                        c.send(get("/1") + get("/2") + get("/3"));
                        try {
                            for (int i = 0; i < 3; i++) {
                                RawClient.Response r = c.read();
                                bodies.add(r.body());
                                connection.add(r.header("Connection"));
                            }
                        } catch (RuntimeException noAnswer) {
                            bodies.add("no answer: " + noAnswer.getMessage());
                            return;
                        }
                        closed[0] = c.closedWithin(10_000);
                    }
                }, e -> { });
            });
        });
        assertThat(code).isZero();
        assertThat(bodies).as("Connection: %s", connection).containsExactly("answer to /1", "answer to /2", "answer to /3");
        assertThat(connection).containsExactly("keep-alive", "keep-alive", "close");
        assertThat(closed[0]).as("closed by the server").isTrue();
    }

    @Test
    void closeClosesAConnectionIdleForLongerThanTheGracePeriodAtOnce() {
        boolean[] closed = {false};
        int code = Herd.call(new String[0], a -> {
            Environment env = Environment.current();
            Socket[] conn = new Socket[1];
            HttpServer server = Http.createServer(HELLO_WORLD).setCloseGracePeriod(50);
            server.on("connection", x -> conn[0] = (Socket) x[0]);
            server.on("close", () -> log.add("server close"));
            server.listen(0, "127.0.0.1", () -> {
                int port = server.address().port();
                RawClient[] client = new RawClient[1];
                env.loop().queueWork(() -> {
                    RawClient c = new RawClient(port);
                    c.send(get("/")).read();
                    client[0] = c;
                }, e1 -> env.makeCallback(() -> setTimeout(() -> {
                    server.close(); // answered over 100 ms ago, grace 50 ms
                    log.add(conn[0].destroyed() ? "closed by close()" : "left open by close()");
                    env.loop().queueWork(() -> {
                        closed[0] = client[0].closedWithin(10_000);
                        client[0].close();
                    }, e2 -> { });
                }, 100)));
            });
        });
        assertThat(code).isZero();
        assertThat(closed[0]).isTrue();
        assertThat(log).containsExactly("closed by close()", "server close");
    }

    @Test
    void aConnectionAnsweredJustBeforeCloseThatSendsNothingMoreIsClosedWhenTheGracePeriodRunsOut() {
        boolean[] closed = {false};
        int code = Herd.call(new String[0], a -> {
            Environment env = Environment.current();
            HttpServer[] server = new HttpServer[1];
            server[0] = Http.createServer((req, res) -> {
                res.end(HELLO);
                res.socket().on("close", x -> log.add("connection closed"));
                setImmediate(() -> {
                    server[0].close();
                    log.add(res.socket().destroyed() ? "closed by close()" : "left open by close()");
                });
            });
            server[0].setKeepAliveTimeout(0).setCloseGracePeriod(500); // only the grace can end the connection
            server[0].on("close", () -> log.add("server close"));
            server[0].listen(0, "127.0.0.1", () -> {
                int port = server[0].address().port();
                env.loop().queueWork(() -> {
                    try (RawClient c = new RawClient(port)) {
                        c.send(get("/")).read();
                        closed[0] = c.closedWithin(10_000);
                    }
                }, e -> { });
            });
        });
        assertThat(code).isZero();
        assertThat(closed[0]).isTrue();
        assertThat(log).containsExactly("left open by close()", "connection closed", "server close");
    }

    @Test
    void closeIdleConnectionsCalledByTheUserDestroysAConnectionJustAnsweredAtOnceAsInNode() {
        // Only close()'s own path waits out the grace period; the explicit call keeps Node's meaning.
        int code = Herd.call(new String[0], a -> {
            Environment env = Environment.current();
            HttpServer[] server = new HttpServer[1];
            server[0] = Http.createServer((req, res) -> {
                res.end(HELLO);
                setImmediate(() -> {
                    server[0].close();
                    server[0].closeIdleConnections();
                    log.add(res.socket().destroyed() ? "destroyed at once" : "left open");
                });
            });
            server[0].listen(0, "127.0.0.1", () -> {
                int port = server[0].address().port();
                env.loop().queueWork(() -> {
                    try (RawClient c = new RawClient(port)) {
                        c.send(get("/")).read();
                        log.add(c.closedWithin(10_000) ? "client saw the end" : "client still open");
                    }
                }, e -> { });
            });
        });
        assertThat(code).isZero();
        assertThat(log).containsExactlyInAnyOrder("destroyed at once", "client saw the end");
    }

    @Test
    void aClientThatPipelinesAndNeverReadsIsNoLongerReadOnceItsAnswersPileUpWhileOthersAreServed() {
        // Node's parserOnIncoming/socketOnDrain: no new request is parsed while the connection's
        // output is above its high-water mark; the socket stops reading (TCP flow control stops
        // the client) and resumes on 'drain'.
        long unbounded = 1 << 20;
        long[] maxQueued = {0};
        String[] outcome = {null};
        String[] other = {null};
        int code = Herd.call(new String[0], a -> {
            Environment env = Environment.current();
            Socket[] hog = new Socket[1];
            HttpServer server = Http.createServer((req, res) -> {
                res.end(HELLO);
                if (res.socket() == hog[0]) maxQueued[0] = Math.max(maxQueued[0], hog[0].writableLength());
            });
            server.on("connection", x -> {
                if (hog[0] == null) hog[0] = (Socket) x[0];
            });
            server.listen(0, "127.0.0.1", () -> {
                int port = server.address().port();
                NeverReadingClient flood = new NeverReadingClient(port);
                env.loop().queueWork(() -> flood.flood(get("/").repeat(256).getBytes(StandardCharsets.US_ASCII)), e -> { });
                dev.herd.node.Timeout[] poll = new dev.herd.node.Timeout[1];
                Runnable stop = () -> {
                    flood.close();
                    hog[0].destroy();
                    server.close();
                };
                poll[0] = setInterval(() -> {
                    Socket h = hog[0];
                    if (h == null) return;
                    if (maxQueued[0] > unbounded) {
                        outcome[0] = "answers piled up: " + maxQueued[0] + " bytes";
                        clearInterval(poll[0]);
                        stop.run();
                        return;
                    }
                    // Stalled: paused, not reading, and the kernel refuses more answers.
                    if (!h.isPaused() || h.handle().isReading() || h.handle().writeQueueSize() == 0) return;
                    clearInterval(poll[0]);
                    env.loop().queueWork(() -> {
                        try (RawClient c = new RawClient(port)) {
                            other[0] = c.send(get("/other")).read().body();
                        }
                    }, e -> env.makeCallback(() -> {
                        outcome[0] = h.isPaused() && !h.handle().isReading() ? "stalled" : "reading again";
                        stop.run();
                    }));
                }, 5);
            });
        });
        assertThat(code).isZero();
        assertThat(outcome[0]).isEqualTo("stalled");
        assertThat(maxQueued[0]).isLessThan(2 * Socket.HIGH_WATER_MARK);
        assertThat(other[0]).isEqualTo(HELLO);
    }

    @Test
    void pipelinedRequestsWaitingForTheOutputToDrainAreAllAnsweredInOrderOnceTheClientReads() {
        // Each answer fills the socket past its high-water mark, so parsing stops after each one
        // until 'drain': the client, which reads only after sending all its requests, still gets
        // every answer.
        int requests = 100;
        String big = "x".repeat(64 * 1024);
        int[] drains = {0};
        List<String> got = exchange((req, res) -> res.end(req.url() + " " + big),
                s -> s.on("connection", x -> ((Socket) x[0]).on("drain", () -> drains[0]++)),
                port -> {
                    try (RawClient c = new RawClient(port)) {
                        StringBuilder all = new StringBuilder();
                        for (int i = 0; i < requests; i++) all.append(get("/" + i));
                        c.send(all.toString());
                        List<String> urls = new ArrayList<>();
                        for (int i = 0; i < requests; i++) {
                            String body = c.read().body();
                            urls.add(body.endsWith(big) ? body.substring(0, body.indexOf(' ')) : "bad body");
                        }
                        return urls;
                    }
                });
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < requests; i++) expected.add("/" + i);
        assertThat(got).isEqualTo(expected);
        assertThat(drains[0]).isPositive();
    }

    @Test
    void listenOnABusyPortEmitsError() {
        Object[] err = new Object[1];
        int code = Herd.call(new String[0], a -> {
            HttpServer first = Http.createServer(HELLO_WORLD);
            first.listen(0, "127.0.0.1", () -> {
                HttpServer second = Http.createServer(HELLO_WORLD);
                second.on("error", x -> {
                    err[0] = x[0];
                    first.close();
                });
                second.listen(first.address().port(), "127.0.0.1", () -> log.add("listening?!"));
            });
        });
        assertThat(code).isZero();
        assertThat(log).isEmpty();
        assertThat(err[0]).isInstanceOfSatisfying(dev.herd.os.ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("EADDRINUSE"));
    }

    @Test
    void settersRejectNegativeValues() {
        int code = Herd.call(new String[0], a -> {
            HttpServer s = Http.createServer(HELLO_WORLD);
            assertThatThrownBy(() -> s.setKeepAliveTimeout(-1)).isInstanceOfSatisfying(NodeError.class,
                    e -> assertThat(e.code()).isEqualTo("ERR_OUT_OF_RANGE"));
            assertThat(s.keepAliveTimeout()).isEqualTo(5000);
            assertThat(s.headersTimeout()).isEqualTo(60_000);
            assertThat(s.requestTimeout()).isEqualTo(300_000);
            assertThat(s.maxHeadersCount()).isEqualTo(2000);
            assertThat(s.maxRequestsPerSocket()).isZero();
            assertThat(s.maxHeaderSize()).isEqualTo(16 * 1024);
        });
        assertThat(code).isZero();
    }

    // ---------------------------------------------------------------- Node as the client

    @Test
    void aNodeClientGetsTheBodyOverAKeepAliveAgent() {
        String out = exchange((req, res) -> {
            res.setHeader("Content-Type", "text/plain");
            res.end("herd says hi to " + req.headers().get("user-agent") + " at " + req.url());
        }, null, port -> runNode("""
                const http = require('http');
                const agent = new http.Agent({ keepAlive: true });
                const get = (path) => new Promise((resolve, reject) => {
                  http.get({ host: '127.0.0.1', port: %d, path, agent, headers: { 'user-agent': 'node' } }, (res) => {
                    let body = '';
                    res.setEncoding('utf8');
                    res.on('data', (c) => body += c);
                    res.on('end', () => resolve(res.statusCode + ' ' + res.headers['content-type'] + ' ' + body
                        + ' reused=' + res.req.reusedSocket));
                  }).on('error', reject);
                });
                (async () => {
                  const a = await get('/a');
                  const b = await get('/b');
                  process.stdout.write(a + '|' + b);
                  agent.destroy();
                })();
                """.formatted(port)));
        assertThat(out).isEqualTo("200 text/plain herd says hi to node at /a reused=false"
                + "|200 text/plain herd says hi to node at /b reused=true");
    }

    @Test
    void aNodeClientPostsAChunkedBody() {
        String out = exchange((req, res) -> {
            int[] n = {0};
            req.on("data", a -> n[0] += ((byte[]) a[0]).length);
            req.on("end", () -> res.end(req.method() + " " + req.headers().get("transfer-encoding") + " " + n[0]));
        }, null, port -> runNode("""
                const http = require('http');
                const req = http.request({ host: '127.0.0.1', port: %d, method: 'POST', path: '/' }, (res) => {
                  let body = '';
                  res.on('data', (c) => body += c);
                  res.on('end', () => process.stdout.write(body));
                });
                for (let i = 0; i < 100; i++) req.write('x'.repeat(1000));
                req.end();
                """.formatted(port)));
        assertThat(out).isEqualTo("POST chunked 100000");
    }

    @Test
    void aNodeClientReachesAServerOnAUnixSocket(@TempDir Path dir) {
        String path = dir.resolve("http.sock").toString();
        String[] out = {null};
        int code = Herd.call(new String[0], a -> {
            HttpServer server = Http.createServer((req, res) -> res.end("over " + req.url()));
            server.listen(path, () -> {
                Environment env = Environment.current();
                env.loop().queueWork(() -> out[0] = runNode("""
                        require('http').get({ socketPath: %s, path: '/unix' }, (res) => {
                          let body = '';
                          res.on('data', (c) => body += c);
                          res.on('end', () => process.stdout.write(res.statusCode + ' ' + body));
                        });
                        """.formatted("'" + path + "'")), err -> env.makeCallback(() -> server.close()));
            });
        });
        assertThat(code).isZero();
        assertThat(out[0]).isEqualTo("200 over /unix");
    }

    private static String runNode(String js) {
        try {
            Process p = new ProcessBuilder("node", "-e", js).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
