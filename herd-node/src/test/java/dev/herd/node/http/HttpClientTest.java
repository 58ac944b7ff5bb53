package dev.herd.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node's http client against Herd's own server, a real Node server and raw net servers
 * (test-http-client-*.js, test-http-agent-keepalive.js, test-http-head-response-has-no-body.js).
 */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpClientTest {
    /** A Node server: /hello, /echo (body back, with the request's framing fields), /chunked, /204, /conns, /slow. */
    private static final String NODE_SERVER = """
            const http = require('http');
            let conns = 0;
            const server = http.createServer((req, res) => {
              if (req.url === '/hello') {
                // Explicit, so a HEAD response has it too (Node omits it there otherwise).
                res.setHeader('x-test', 'yes'); res.setHeader('content-length', 15); res.end(req.method === 'HEAD' ? undefined : 'hello from node');
              }
              else if (req.url === '/echo') {
                const body = [];
                req.on('data', (c) => body.push(c));
                req.on('end', () => {
                  res.setHeader('x-content-length', String(req.headers['content-length']));
                  res.setHeader('x-transfer-encoding', String(req.headers['transfer-encoding']));
                  res.end(Buffer.concat(body));
                });
              }
              else if (req.url === '/chunked') { res.write('one,'); res.write('two,'); res.end('three'); }
              else if (req.url === '/204') { res.statusCode = 204; res.end(); }
              else if (req.url === '/conns') { res.end(String(conns)); }
              else if (req.url === '/slow') { /* never answers */ }
              else { res.statusCode = 404; res.end(); }
            });
            server.on('connection', () => conns++);
            server.listen(0, '127.0.0.1', () => console.log(server.address().port));
            """;

    private static Process node;
    private static int nodePort;

    @BeforeAll
    static void startNodeServer() throws Exception {
        node = new ProcessBuilder("node", "-e", NODE_SERVER).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        nodePort = Integer.parseInt(out.readLine().trim());
    }

    @AfterAll
    static void stopNodeServer() throws Exception {
        if (node != null) {
            node.getInputStream().close();
            node.getOutputStream().close();
            node.destroy();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What the loop thread saw, in order; read by the test after the run. */
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    /** Collects the response's body and calls {@code onEnd} with it as UTF-8. */
    private static void readBody(IncomingMessage res, Consumer<String> onEnd) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        res.on("data", a -> body.writeBytes((byte[]) a[0]));
        res.on("end", () -> onEnd.accept(body.toString(StandardCharsets.UTF_8)));
    }

    private static RequestOptions.Builder toNode(String path) {
        return RequestOptions.builder().host("127.0.0.1").port(nodePort).path(path);
    }

    /** Runs a Herd server with {@code handler} on 127.0.0.1:0 and {@code client} with its port; the client closes the server. */
    private static void withHerdServer(RequestListener handler, java.util.function.BiConsumer<HttpServer, Integer> client) {
        run(a -> {
            HttpServer server = Http.createServer(handler);
            server.listen(0, "127.0.0.1", () -> client.accept(server, server.address().port()));
        });
    }

    // ---------------------------------------------------------------- against Herd's server

    @Test
    void getFromHerdServerHasStatusHeadersAndBody() {
        withHerdServer((req, res) -> {
            res.setHeader("X-Herd", "1");
            res.writeHead(201);
            res.end("hi " + req.url());
        }, (server, port) -> {
            Agent agent = new Agent();
            Http.get(RequestOptions.builder().host("127.0.0.1").port(port).path("/x?y=1").agent(agent).build(), res -> {
                log.add(res.statusCode() + " " + res.statusMessage() + " " + res.httpVersion() + " " + res.headers().get("x-herd"));
                readBody(res, body -> {
                    log.add(body);
                    server.close();
                });
            });
        });
        assertThat(log).containsExactly("201 Created 1.1 1", "hi /x?y=1");
    }

    @Test
    void postWithContentLengthIsEchoedByHerdServer() {
        withHerdServer((req, res) -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            req.on("data", a -> body.writeBytes((byte[]) a[0]));
            req.on("end", () -> res.end(req.headers().get("content-length") + "|" + req.headers().get("transfer-encoding")
                    + "|" + body.toString(StandardCharsets.UTF_8)));
        }, (server, port) -> {
            ClientRequest req = Http.request(RequestOptions.builder().host("127.0.0.1").port(port).method("POST")
                    .path("/echo").agent(new Agent()).build(), res -> readBody(res, body -> {
                        log.add(body);
                        server.close();
                    }));
            req.on("finish", () -> log.add("finish"));
            req.end("posted body");
        });
        assertThat(log).containsExactly("finish", "11|null|posted body");
    }

    @Test
    void keepAliveAgentReusesOneSocketForTwoSequentialRequestsToHerdServer() {
        int[] connections = new int[1];
        withHerdServer((req, res) -> res.end(req.url()), (server, port) -> {
            server.on("connection", () -> connections[0]++);
            Agent agent = new Agent(Agent.Options.builder().keepAlive(true).build());
            RequestOptions first = RequestOptions.builder().host("127.0.0.1").port(port).path("/a").agent(agent).build();
            ClientRequest r1 = Http.get(first, res -> readBody(res, body -> log.add(body)));
            r1.on("close", () -> {
                log.add("free " + agent.freeSocketCounts().values());
                ClientRequest r2 = Http.get(first.toBuilder().path("/b").build(), res -> readBody(res, body -> {
                    log.add(body);
                    agent.destroy();
                    server.close();
                }));
                r2.on("socket", () -> log.add("reused " + r2.reusedSocket()));
            });
        });
        assertThat(log).containsExactly("/a", "free [1]", "reused true", "/b");
        assertThat(connections[0]).isEqualTo(1);
    }

    @Test
    void responseConsumedWithoutReadingReturnsItsSocketToTheAgent() {
        withHerdServer((req, res) -> res.end("x".repeat(100_000)), (server, port) -> {
            Agent agent = new Agent(Agent.Options.builder().keepAlive(true).build());
            ClientRequest req = Http.get(RequestOptions.builder().host("127.0.0.1").port(port).agent(agent).build(), res -> {
                log.add("response " + res.statusCode());
                res.resume(); // consumed, as Node asks, with no 'data' listener
            });
            req.on("close", () -> {
                log.add("free " + agent.freeSocketCounts().values());
                agent.destroy();
                server.close();
            });
        });
        assertThat(log).containsExactly("response 200", "free [1]");
    }

    @Test
    void smallResponseNobodyReadsReturnsItsSocketToTheAgent() {
        withHerdServer((req, res) -> res.end("small"), (server, port) -> {
            Agent agent = new Agent(Agent.Options.builder().keepAlive(true).build());
            ClientRequest req = Http.get(RequestOptions.builder().host("127.0.0.1").port(port).agent(agent).build(),
                    res -> log.add("response " + res.statusCode()));
            req.on("close", () -> {
                log.add("free " + agent.freeSocketCounts().values());
                agent.destroy();
                server.close();
            });
        });
        assertThat(log).containsExactly("response 200", "free [1]");
    }

    @Test
    void agentWithOneSocketQueuesTheSecondRequestUntilTheFirstResponseIsParsed() {
        int[] connections = new int[1];
        withHerdServer((req, res) -> res.end(req.url()), (server, port) -> {
            server.on("connection", () -> connections[0]++);
            Agent agent = new Agent(Agent.Options.builder().keepAlive(true).maxSockets(1).build());
            RequestOptions o = RequestOptions.builder().host("127.0.0.1").port(port).agent(agent).build();
            Http.get(o.toBuilder().path("/1").build(), res -> {
                res.pause();
                readBody(res, log::add);
                dev.herd.node.Globals.setTimeout(res::resume, 20);
            });
            Http.get(o.toBuilder().path("/2").build(), res -> readBody(res, body -> {
                log.add(body);
                agent.destroy();
                server.close();
            }));
        });
        // The first body, paused but parsed, no longer holds the socket: the second goes first.
        assertThat(log).containsExactly("/2", "/1");
        assertThat(connections[0]).isEqualTo(1);
    }

    @Test
    void requestOverUnixSocketReachesHerdServer(@TempDir Path dir) {
        String path = dir.resolve("http.sock").toString();
        run(a -> {
            HttpServer server = Http.createServer((req, res) -> res.end("unix " + req.headers().get("host")));
            server.listen(path, () -> Http.get(RequestOptions.builder().socketPath(path).path("/").agent(new Agent()).build(),
                    res -> readBody(res, body -> {
                        log.add(res.statusCode() + " " + body);
                        server.close();
                    })));
        });
        assertThat(log).containsExactly("200 unix localhost");
    }

    // ---------------------------------------------------------------- against Node's server

    @Test
    void getFromNodeServerHasStatusHeadersAndBody() {
        run(a -> Http.get(toNode("/hello").agent(new Agent()).build(), res -> {
            log.add(res.statusCode() + " " + res.statusMessage() + " " + res.headers().get("x-test")
                    + " " + res.headers().get("content-length"));
            readBody(res, log::add);
        }));
        assertThat(log).containsExactly("200 OK yes 15", "hello from node");
    }

    @Test
    void postWithContentLengthIsEchoedByNodeServer() {
        run(a -> Http.request(toNode("/echo").method("POST").agent(new Agent()).build(), res -> readBody(res,
                body -> log.add(res.headers().get("x-content-length") + " " + res.headers().get("x-transfer-encoding")
                        + " " + body))).end("whole body"));
        assertThat(log).containsExactly("10 undefined whole body");
    }

    @Test
    void postWithChunkedBodyIsEchoedByNodeServer() {
        run(a -> {
            ClientRequest req = Http.request(toNode("/echo").method("POST").agent(new Agent()).build(), res -> readBody(res,
                    body -> log.add(res.headers().get("x-content-length") + " " + res.headers().get("x-transfer-encoding")
                            + " " + body)));
            req.write("part one, ");
            req.write("part two, ".getBytes(StandardCharsets.UTF_8));
            req.end("the end");
        });
        assertThat(log).containsExactly("undefined chunked part one, part two, the end");
    }

    @Test
    void headResponseHasNoBody() {
        run(a -> {
            ClientRequest req = Http.request(toNode("/hello").method("HEAD").agent(new Agent()).build(), res -> {
                log.add(res.statusCode() + " " + res.headers().get("content-length"));
                readBody(res, body -> log.add("body '" + body + "'"));
            });
            req.on("close", () -> log.add("close"));
            req.end();
        });
        assertThat(log).containsExactly("200 15", "body ''", "close");
    }

    @Test
    void noContentResponseEndsWithoutBody() {
        run(a -> Http.get(toNode("/204").agent(new Agent()).build(), res -> {
            log.add(res.statusCode() + " " + res.statusMessage());
            readBody(res, body -> log.add("body '" + body + "'"));
        }));
        assertThat(log).containsExactly("204 No Content", "body ''");
    }

    @Test
    void chunkedResponseIsReassembled() {
        run(a -> Http.get(toNode("/chunked").agent(new Agent()).build(), res -> {
            log.add(res.headers().get("transfer-encoding"));
            readBody(res, log::add);
        }));
        assertThat(log).containsExactly("chunked", "one,two,three");
    }

    @Test
    void keepAliveAgentReusesOneSocketForTwoSequentialRequestsToNodeServer() {
        run(a -> {
            Agent agent = new Agent(Agent.Options.builder().keepAlive(true).build());
            Http.get(toNode("/conns").agent(agent).build(), res -> readBody(res, before -> {
                // 'end' comes before the socket is free: ask again once it is.
                res.on("close", () -> Http.get(toNode("/conns").agent(agent).build(), res2 -> readBody(res2, after -> {
                    log.add((Integer.parseInt(after) - Integer.parseInt(before)) + " new connections");
                    agent.destroy();
                })));
            }));
        });
        assertThat(log).containsExactly("0 new connections");
    }

    @Test
    void globalAgentKeepsAliveLikeNode20AndLetsTheProcessExit() {
        run(a -> {
            log.add("keepAlive " + Http.globalAgent().keepAlive());
            Http.get(toNode("/hello").build(), res -> readBody(res, log::add));
        });
        assertThat(log).containsExactly("keepAlive true", "hello from node");
    }

    @Test
    void requestTimeoutEmitsTimeout() {
        run(a -> {
            ClientRequest req = Http.get(toNode("/slow").agent(new Agent()).timeout(100).build(), res -> log.add("response"));
            req.on("timeout", () -> {
                log.add("timeout");
                req.destroy();
            });
            req.on("error", e -> log.add("error " + ((NodeError) e[0]).code() + " " + ((NodeError) e[0]).getMessage()));
            req.on("close", () -> log.add("close"));
        });
        assertThat(log).containsExactly("timeout", "error ECONNRESET socket hang up", "close");
    }

    // ---------------------------------------------------------------- raw servers and errors

    @Test
    void closeDelimitedResponseEndsAtEof() {
        run(a -> {
            Server server = Net.createServer(s -> s.once("data", x -> s.end(
                    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it, until the close")));
            server.listen(0, "127.0.0.1", 511, () -> {
                ClientRequest req = Http.get(RequestOptions.builder().host("127.0.0.1").port(server.address().port())
                        .agent(new Agent(Agent.Options.builder().keepAlive(true).build())).build(), res -> {
                            log.add(res.httpVersion());
                            readBody(res, log::add);
                        });
                req.on("close", () -> server.close());
            });
        });
        assertThat(log).containsExactly("1.0", "all of it, until the close");
    }

    @Test
    void continueResponseEmitsContinueBeforeTheResponse() {
        run(a -> {
            Server server = Net.createServer(s -> s.once("data", x -> s.end(
                    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")));
            server.listen(0, "127.0.0.1", 511, () -> {
                ClientRequest req = Http.request(RequestOptions.builder().host("127.0.0.1").port(server.address().port())
                        .method("POST").header("Expect", "100-continue").agent(new Agent()).build(), res -> readBody(res, log::add));
                req.on("continue", () -> log.add("continue"));
                req.on("close", () -> server.close());
                req.end("x");
            });
        });
        assertThat(log).containsExactly("continue", "ok");
    }

    @Test
    void connectionRefusedEmitsError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        run(a -> {
            ClientRequest req = Http.get(RequestOptions.builder().host("127.0.0.1").port(port).agent(new Agent()).build(),
                    res -> log.add("response"));
            req.on("error", e -> {
                ErrnoException err = (ErrnoException) e[0];
                log.add(err.code() + " " + err.getMessage());
            });
            req.on("close", () -> log.add("close"));
        });
        assertThat(log).containsExactly("ECONNREFUSED connect ECONNREFUSED 127.0.0.1:" + port, "close");
    }
}
