package dev.herd.manager;

import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import dev.herd.node.http.IncomingMessage;
import dev.herd.node.http.ServerResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The daemon's HTTP endpoint (issue 16), on Herd's own HTTP server: {@code /metrics} (Prometheus's
 * text format), {@code /api/processes} (jlist) and {@code /api/timeline?since=MS} (the timeline),
 * for the dashboard's page and for scrapers. Every route needs the token made when the endpoint
 * opens (32 random bytes, hex): {@code Authorization: Bearer TOKEN}, the {@code herd_token}
 * cookie, or {@code ?token=TOKEN} (which also sets the cookie); {@code metrics_public} opens
 * {@code /metrics} alone. TCP has no peer credentials: the token is the guard. It binds to
 * loopback unless asked for another address with {@code allow_remote}.
 *
 * <p>Thread rule: the daemon's loop thread. Lifetime: from {@code herd dashboard} to the daemon's exit.
 */
final class Dashboard {
    /** What the endpoint serves from the daemon. */
    interface Source {
        byte[] metrics();

        Object processes();

        Object timeline(long since);
    }

    final String host;
    final int port;
    final boolean metricsPublic;
    final String token;
    private final HttpServer server;
    private final Source source;

    private Dashboard(String host, int port, boolean metricsPublic, Source source) {
        this.host = host;
        this.port = port;
        this.metricsPublic = metricsPublic;
        this.source = source;
        byte[] t = new byte[32];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.server = Http.createServer(this::serve);
    }

    /**
     * Opens the endpoint; {@code opened} gets it once it listens, {@code failed} the reason if it cannot.
     *
     * @throws IllegalArgumentException for a host that is not loopback without {@code allowRemote}
     */
    static void open(String host, int port, boolean metricsPublic, boolean allowRemote, Source source,
            Consumer<Dashboard> opened, Consumer<String> failed) {
        if (!allowRemote && !loopback(host)) {
            throw new IllegalArgumentException(host + " is not a loopback address: the dashboard would be reachable from "
                    + "other machines; say so with --allow-remote (its token still guards every route)");
        }
        Dashboard d = new Dashboard(host, port, metricsPublic, source);
        d.server.on("error", a -> failed.accept("cannot serve " + host + ":" + port + ": " + a[0]));
        d.server.listen(port, host, () -> opened.accept(new Dashboard(d, d.server.address().port())));
    }

    /** The same endpoint with the port it got (0 asks the kernel for one). */
    private Dashboard(Dashboard d, int port) {
        this.host = d.host;
        this.port = port;
        this.metricsPublic = d.metricsPublic;
        this.source = d.source;
        this.token = d.token;
        this.server = d.server;
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** {@return the URL that opens the dashboard, with its token} */
    String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port + "/?token=" + token;
    }

    void close() {
        server.close();
    }

    private void serve(IncomingMessage req, ServerResponse res) {
        String path = req.parsedUrl().getPath();
        boolean open = metricsPublic && path.equals("/metrics");
        if (!open && !authorized(req, res)) {
            res.setHeader("WWW-Authenticate", "Bearer");
            res.json(401, Map.of("error", "a token is needed: the URL herd dashboard printed, or Authorization: Bearer TOKEN"));
            return;
        }
        if (!req.method().equals("GET")) {
            res.setHeader("Allow", "GET");
            res.json(405, Map.of("error", "only GET"));
            return;
        }
        res.setHeader("Cache-Control", "no-store");
        switch (path) {
            case "/metrics" -> {
                res.setHeader("Content-Type", Metrics.CONTENT_TYPE);
                res.end(source.metrics());
            }
            case "/api/processes" -> res.json(200, source.processes());
            case "/api/timeline" -> {
                long since = 0;
                List<String> s = req.query().get("since");
                if (s != null && !s.isEmpty()) {
                    try {
                        since = Long.parseLong(s.getFirst());
                    } catch (NumberFormatException e) {
                        res.json(400, Map.of("error", "since is a time in ms since the epoch, not '" + s.getFirst() + "'"));
                        return;
                    }
                }
                res.json(200, source.timeline(since));
            }
            default -> res.json(404, Map.of("error", "no " + path + " here"));
        }
    }

    /** Bearer, cookie or ?token= (the last also sets the cookie, so the page's own requests carry it). */
    private boolean authorized(IncomingMessage req, ServerResponse res) {
        String auth = req.headers().get("authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && same(auth.substring(7).trim())) return true;
        String cookie = req.headers().get("cookie");
        if (cookie != null) {
            for (String c : cookie.split(";")) {
                String[] kv = c.trim().split("=", 2);
                if (kv.length == 2 && kv[0].equals("herd_token") && same(kv[1])) return true;
            }
        }
        List<String> q = req.query().get("token");
        if (q != null && !q.isEmpty() && same(q.getFirst())) {
            res.setHeader("Set-Cookie", "herd_token=" + token + "; HttpOnly; SameSite=Strict; Path=/");
            return true;
        }
        return false;
    }

    /** A comparison whose time does not tell how much of the token was right. */
    private boolean same(String given) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    /** For a caller that wants the source as functions. */
    static Source source(Supplier<byte[]> metrics, Supplier<Object> processes, Function<Long, Object> timeline) {
        return new Source() {
            @Override
            public byte[] metrics() {
                return metrics.get();
            }

            @Override
            public Object processes() {
                return processes.get();
            }

            @Override
            public Object timeline(long since) {
                return timeline.apply(since);
            }
        };
    }
}
