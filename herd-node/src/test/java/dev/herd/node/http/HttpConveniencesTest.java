package dev.herd.node.http;

import static dev.herd.node.Globals.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.NodeProcess;
import dev.herd.node.internal.Environment;
import dev.herd.os.FdLeakCheck;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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

/**
 * The Java conveniences beside Node's http API, over real loopback sockets: the whole body with a
 * limit ({@link IncomingMessage#readBody}), the parsed URL and query, {@link ServerResponse#json},
 * and the opt-in per-request error boundary ({@link HttpServer#setErrorBoundary}).
 */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpConveniencesTest {
    /** What the loop thread saw; read by the test after the run. */
    private final List<String> log = new ArrayList<>();

    /** As HttpServerTest's: a server on 127.0.0.1:0, {@code client} on a work-pool thread, then close; exit code 0. */
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

    private static String chunk(String s) {
        return Integer.toHexString(s.length()) + "\r\n" + s + "\r\n";
    }

    // ---------------------------------------------------------------- readBody

    @Test
    void readBodyGivesTheWholeBodyOnceItHasEnded() {
        String body = exchange((req, res) -> req.readBody(1024, (err, bytes) -> {
            log.add("error " + err);
            res.end("got " + new String(bytes, StandardCharsets.UTF_8));
        }), null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("hello "));
                c.send(chunk("world") + "0\r\n\r\n");
                return c.read().body();
            }
        });
        assertThat(body).isEqualTo("got hello world");
        assertThat(log).containsExactly("error null");
    }

    @Test
    void aBodyGrowingPastTheLimitIsAnswered413AndTheConnectionCloses() {
        RawClient.Response r = exchange((req, res) -> {
            res.setHeader("X-Set-Before", "dropped");
            req.readBody(8, (err, bytes) -> log.add(((NodeError) err).code() + " " + bytes + " " + res.writableEnded()));
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("12345") + chunk("67890"));
                RawClient.Response response = c.read();
                c.send(chunk("the rest, discarded") + "0\r\n\r\n");
                assertThat(c.closedWithin(10_000)).isTrue();
                return response;
            }
        });
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 413 Payload Too Large");
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.header("X-Set-Before")).isNull();
        assertThat(log).containsExactly("HERD_HTTP_BODY_TOO_LARGE null true");
    }

    @Test
    void aContentLengthPastTheLimitIsAnswered413BeforeTheBodyIsSent() {
        RawClient.Response r = exchange((req, res) -> req.readBody(10, (err, bytes) -> log.add(((NodeError) err).code())),
                null, port -> {
                    try (RawClient c = new RawClient(port)) {
                        return c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n").read();
                    }
                });
        assertThat(r.status()).isEqualTo(413);
        assertThat(log).containsExactly("HERD_HTTP_BODY_TOO_LARGE");
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() {
        String body = exchange((req, res) -> req.readBody(5, (err, bytes) -> res.end(err + " " + bytes.length)), null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345").read().body();
            }
        });
        assertThat(body).isEqualTo("null 5");
    }

    @Test
    void readBodyRefusesAMessageWithAnEncoding() {
        String body = exchange((req, res) -> {
            req.setEncoding("utf8");
            try {
                req.readBody(5, (err, bytes) -> { });
            } catch (NodeError e) {
                res.end(e.code());
            }
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read().body();
            }
        });
        assertThat(body).isEqualTo("ERR_INVALID_STATE");
    }

    // ---------------------------------------------------------------- the URL and the query

    @Test
    void parsedUrlIsTheTargetMadeAbsoluteAgainstTheHostHeader() {
        URI uri = exchange((req, res) -> {
            res.end();
            log.add(req.parsedUrl().toString());
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send("GET /a/b%20c?x=1#frag HTTP/1.1\r\nHost: example.test:8080\r\n\r\n").read();
                return null;
            }
        });
        assertThat(uri).isNull();
        URI parsed = URI.create(log.getFirst());
        assertThat(parsed.getHost()).isEqualTo("example.test");
        assertThat(parsed.getPort()).isEqualTo(8080);
        assertThat(parsed.getPath()).isEqualTo("/a/b c");
        assertThat(parsed.getRawQuery()).isEqualTo("x=1");
    }

    @Test
    void queryKeepsRepeatedKeysInOrderAndDecodesAsURLSearchParams() {
        exchange((req, res) -> {
            log.add(req.query().toString());
            res.end();
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                c.send(get("/s?tag=a&q=two+words%21&tag=b&flag&bad=%zz&%C3%A9=%E2%82%AC")).read();
                c.send(get("/plain")).read();
                return null;
            }
        });
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("tag", List.of("a", "b"));
        expected.put("q", List.of("two words!"));
        expected.put("flag", List.of(""));
        expected.put("bad", List.of("%zz"));
        expected.put("é", List.of("€"));
        assertThat(log).containsExactly(expected.toString(), "{}");
    }

    @Test
    void anInvalidTargetIsERR_INVALID_URL() {
        exchange((req, res) -> {
            try {
                req.parsedUrl();
                log.add("parsed");
            } catch (NodeError e) {
                log.add(e.code());
            }
            res.end();
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/a%zzb")).read();
            }
        });
        assertThat(log).containsExactly("ERR_INVALID_URL");
    }

    // ---------------------------------------------------------------- json

    @Test
    void jsonAnswersWithTheStatusContentTypeAndContentLength() {
        RawClient.Response r = exchange((req, res) -> {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("name", "ünï");
            value.put("n", 3);
            value.put("list", List.of(true, "x"));
            res.setHeader("X-Kept", "yes");
            res.json(201, value);
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(r.body()).isEqualTo("{\"name\":\"ünï\",\"n\":3,\"list\":[true,\"x\"]}");
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(r.header("X-Kept")).isEqualTo("yes");
        assertThat(r.header("Transfer-Encoding")).isNull();
    }

    @Test
    void jsonAfterTheHeaderIsStoredIsERR_HTTP_HEADERS_SENT() {
        exchange((req, res) -> {
            res.writeHead(200);
            assertThatThrownBy(() -> res.json(200, List.of())).isInstanceOfSatisfying(NodeError.class,
                    e -> log.add(e.code()));
            res.end();
        }, null, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).read();
            }
        });
        assertThat(log).containsExactly("ERR_HTTP_HEADERS_SENT");
    }

    // ---------------------------------------------------------------- the error boundary

    @Test
    void underTheErrorBoundaryAThrowingListenerAnswers500AndTheConnectionServesTheNextRequest() {
        List<String> bodies = exchange((req, res) -> {
            if (req.url().equals("/boom")) {
                res.setHeader("Content-Type", "application/json");
                throw new IllegalStateException("boom");
            }
            res.end("fine");
        }, s -> s.setErrorBoundary(true).on(HttpServer.REQUEST_ERROR,
                (err, req, res) -> log.add(err.getMessage() + " " + req.url() + " " + res.statusCode())), port -> {
                    try (RawClient c = new RawClient(port)) {
                        RawClient.Response failed = c.send(get("/boom")).read();
                        assertThat(failed.header("Content-Type")).isNull();
                        return List.of(failed.statusLine(), failed.body(), c.send(get("/ok")).read().body());
                    }
                });
        assertThat(bodies).containsExactly("HTTP/1.1 500 Internal Server Error", "Internal Server Error", "fine");
        assertThat(log).containsExactly("boom /boom 500");
    }

    @Test
    void underTheErrorBoundaryAResponseAlreadyBegunHasItsConnectionDestroyed() {
        String raw = exchange((req, res) -> {
            res.writeHead(200);
            res.write("partial");
            throw new IllegalStateException("late");
        }, s -> s.setErrorBoundary(true).on(HttpServer.REQUEST_ERROR, (err, req, res) -> log.add(err.getMessage())), port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).readAll();
            }
        });
        // The connection closes with the response unfinished (its writes, corked until the tick's end, may not have gone out).
        assertThat(raw).doesNotContain("0\r\n\r\n").doesNotContain(" 500 ");
        assertThat(log).containsExactly("late");
    }

    @Test
    void underTheErrorBoundaryAThrowingReadBodyCallbackAnswers500() {
        RawClient.Response r = exchange((req, res) -> req.readBody(100, (err, bytes) -> {
            throw new IllegalArgumentException("bad body " + new String(bytes, StandardCharsets.UTF_8));
        }), s -> s.setErrorBoundary(true).on(HttpServer.REQUEST_ERROR, (err, req, res) -> log.add(err.getMessage())), port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").read();
            }
        });
        assertThat(r.status()).isEqualTo(500);
        assertThat(log).containsExactly("bad body abc");
    }

    @Test
    void withoutTheErrorBoundaryAThrowingListenerIsAnUncaughtExceptionAsInNode() {
        IncomingMessage[] current = new IncomingMessage[1];
        String seen = exchange((req, res) -> {
            current[0] = req;
            throw new IllegalStateException("uncaught");
        }, s -> {
            assertThat(s.errorBoundary()).isFalse();
            process().on(NodeProcess.UNCAUGHT_EXCEPTION, (err, origin) -> {
                log.add(err.getMessage() + " " + origin);
                current[0].destroy();
            });
        }, port -> {
            try (RawClient c = new RawClient(port)) {
                return c.send(get("/")).readAll();
            }
        });
        assertThat(seen).as("no answer").isEmpty();
        assertThat(log).containsExactly("uncaught uncaughtException");
    }
}
