package dev.herd.manager;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.io.Tcp;
import dev.herd.loop.Loop;
import dev.herd.node.Timeout;
import dev.herd.os.SockAddr;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --health-url} probe of one process: an HTTP GET with {@code Connection: close} from a
 * client port of its own, which the keeper's steering sends to that process's socket alone
 * ({@link KeeperCluster#probe}), however many instances share the port. The answer is the
 * response's status code; only the status line is read.
 *
 * <p>Thread rule: the keeper's loop thread. Lifetime: one request.
 */
final class HealthProbe {
    private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/1\\.[01] (\\d{3})[ \\r]");

    /** Where the probe goes: a parsed {@code http://HOST:PORT/PATH} URL. */
    record Target(String host, int port, String hostHeader, String path) {
        /**
         * @throws IllegalArgumentException for a URL that is not {@code http://} to an IP address
         *     or localhost
         */
        static Target parse(String url) {
            URI u = URI.create(url);
            if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("a health URL is http://HOST:PORT/PATH, not " + url);
            }
            String host = u.getHost().replaceAll("^\\[|]$", "");
            if (host.equals("localhost")) host = "127.0.0.1";
            if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new IllegalArgumentException("a health URL's host is an IP address or localhost: " + url);
            }
            String path = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            return new Target(host, u.getPort() < 0 ? 80 : u.getPort(), u.getRawAuthority(), path);
        }
    }

    /** What the probe needs around it: its client port is steered before it connects, and freed after. */
    interface Steering {
        void steer(int clientPort);

        void release(int clientPort);
    }

    private HealthProbe() {}

    /**
     * Probes {@code target}; {@code done} gets the status code, or -1 when there was no HTTP
     * answer within {@code timeoutMs} (refused, reset, closed, not HTTP); {@code why} gets the
     * reason then.
     */
    static void run(Loop loop, Target target, long timeoutMs, Steering steering, IntConsumer done,
            java.util.function.Consumer<String> why) {
        Tcp tcp = new Tcp(loop);
        boolean v6 = target.host().contains(":");
        int[] from = {0};
        boolean[] over = {false};
        Timeout[] timer = new Timeout[1];
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        java.util.function.BiConsumer<Integer, String> finish = (status, reason) -> {
            if (over[0]) return;
            over[0] = true;
            if (timer[0] != null) clearTimeout(timer[0]);
            tcp.close();
            if (from[0] != 0) steering.release(from[0]);
            if (status < 0) why.accept(reason);
            done.accept(status);
        };
        try {
            tcp.bind(SockAddr.inet(v6 ? "::" : "0.0.0.0", 0));
            from[0] = tcp.getsockname().port();
            steering.steer(from[0]);
            timer[0] = setTimeout(() -> finish.accept(-1, "no answer within " + timeoutMs + " ms"), timeoutMs);
            tcp.connect(SockAddr.inet(target.host(), target.port()), err -> {
                if (err != null) {
                    finish.accept(-1, err.getMessage());
                    return;
                }
                String request = "GET " + target.path() + " HTTP/1.1\r\nHost: " + target.hostHeader()
                        + "\r\nUser-Agent: herd-health\r\nConnection: close\r\n\r\n";
                tcp.write(request.getBytes(StandardCharsets.US_ASCII), e -> {
                    if (e != null) finish.accept(-1, e.getMessage());
                });
                tcp.readStart((data, error) -> {
                    if (data == null) {
                        finish.accept(-1, "the connection closed before an HTTP status line");
                        return;
                    }
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    head.writeBytes(b);
                    String text = head.toString(StandardCharsets.ISO_8859_1);
                    int eol = text.indexOf('\n');
                    if (eol < 0 && text.length() < 1024) return;
                    Matcher m = STATUS_LINE.matcher(text);
                    if (m.find()) finish.accept(Integer.parseInt(m.group(1)), null);
                    else finish.accept(-1, "not an HTTP answer");
                });
            });
        } catch (RuntimeException e) {
            finish.accept(-1, String.valueOf(e.getMessage()));
        }
    }
}
