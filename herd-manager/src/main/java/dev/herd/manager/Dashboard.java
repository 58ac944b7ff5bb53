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

/**
 * The daemon's HTTP endpoint (issue 16), on Herd's own HTTP server: the dashboard's page
 * ({@code /}, with uPlot from its WebJar under {@code /static/}: nothing fetched from elsewhere),
 * {@code /metrics} (Prometheus's text format), {@code /api/processes} (jlist),
 * {@code /api/events} (the list every second, as server-sent events), {@code /api/history} (the
 * last hour's CPU and memory samples), {@code /api/logs?id=N&lines=M}, {@code /api/timeline?since=MS}
 * and {@code POST /api/action} (the page's buttons: restart, reload, stop, start, scale). Every route needs the token made when the endpoint
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

        /** {@code {ID: {t: [s], cpu: [%], mem: [bytes]}}} */
        Object history();

        /** {@code {out: [lines], err: [lines]}}, or null for no such app. */
        Object logs(int id, int lines);

        void action(Map<String, Object> request, Consumer<Object> reply, java.util.function.BiConsumer<String, String> error);
    }

    /** The page's resources: the HTML (this package's) and uPlot (its WebJar's). */
    private static final Map<String, String[]> STATIC = Map.of(
            "/", new String[] {"dev/herd/manager/dashboard.html", "text/html; charset=utf-8"},
            "/static/uPlot.iife.min.js", new String[] {"META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
                    "text/javascript; charset=utf-8"},
            "/static/uPlot.min.css", new String[] {"META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css", "text/css; charset=utf-8"});
    private final Map<String, byte[]> resources = new java.util.HashMap<>();

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
        if (path.equals("/api/action")) {
            action(req, res);
            return;
        }
        if (!req.method().equals("GET")) {
            res.setHeader("Allow", "GET");
            res.json(405, Map.of("error", "only GET"));
            return;
        }
        res.setHeader("Cache-Control", "no-store");
        String[] resource = STATIC.get(path);
        if (resource != null) {
            byte[] body = resources.computeIfAbsent(path, k -> read(resource[0]));
            if (body == null) {
                res.json(500, Map.of("error", resource[0] + " is not in the manager's class path"));
                return;
            }
            res.setHeader("Content-Type", resource[1]);
            res.end(body);
            return;
        }
        switch (path) {
            case "/api/events" -> events(req, res);
            case "/api/history" -> res.json(200, source.history());
            case "/api/logs" -> {
                Object logs = source.logs(intParam(req, "id", -1), Math.min(1000, Math.max(1, intParam(req, "lines", 100))));
                if (logs == null) res.json(404, Map.of("error", "no such app"));
                else res.json(200, logs);
            }
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

    private static int intParam(IncomingMessage req, String name, int otherwise) {
        List<String> v = req.query().get(name);
        try {
            return v == null || v.isEmpty() ? otherwise : Integer.parseInt(v.getFirst());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static byte[] read(String resource) {
        try (java.io.InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Server-sent events: the process list now and every second, until the page goes. */
    private void events(IncomingMessage req, ServerResponse res) {
        res.writeHead(200, Map.of("Content-Type", "text/event-stream", "Cache-Control", "no-store"));
        Runnable send = () -> res.write("data: " + dev.herd.node.json.Json.stringify(source.processes()) + "\n\n");
        send.run();
        dev.herd.node.Timeout timer = dev.herd.node.Globals.setInterval(send, 1000);
        res.on("close", a -> dev.herd.node.Globals.clearInterval(timer));
    }

    /** {@code POST /api/action} with a JSON body: the page's buttons, answered as the control protocol answers. */
    private void action(IncomingMessage req, ServerResponse res) {
        if (!req.method().equals("POST")) {
            res.setHeader("Allow", "POST");
            res.json(405, Map.of("error", "only POST"));
            return;
        }
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        req.on("data", a -> {
            if (body.size() < 64 * 1024) body.writeBytes((byte[]) a[0]);
        });
        req.on("end", a -> {
            Map<String, Object> r;
            try {
                r = Fields.object(dev.herd.node.json.Json.parse(body.toString(StandardCharsets.UTF_8)), "an action");
            } catch (RuntimeException e) {
                res.json(400, Map.of("error", "an action is a JSON object: " + e.getMessage()));
                return;
            }
            source.action(r, result -> res.json(200, Map.of("ok", true)), (code, message) -> res.json(409,
                    Map.of("error", message, "code", code)));
        });
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
}
