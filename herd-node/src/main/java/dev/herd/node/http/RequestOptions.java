package dev.herd.node.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of {@link Http#request}: Node's {@code http.request(options)} fields that Herd
 * supports. Immutable; make one with {@link #builder()}.
 *
 * @param host the server's name or address ('localhost')
 * @param port the server's port (80)
 * @param method the request method ("GET")
 * @param path the request target, with any query string ("/")
 * @param headers the request's header fields in order, names as given (none)
 * @param agent the agent that supplies the connection; null means {@link Agent#globalAgent()}
 * @param timeout socket inactivity in ms after which the request emits 'timeout'; 0: none
 * @param socketPath a Unix socket to connect to instead of host:port; null: TCP
 * @param setHost whether to add a Host field when {@code headers} has none (true)
 */
public record RequestOptions(String host, int port, String method, String path, Map<String, String> headers,
        Agent agent, long timeout, String socketPath, boolean setHost) {

    public RequestOptions {
        if (host == null || host.isEmpty()) host = "localhost";
        if (method == null) method = "GET";
        if (path == null || path.isEmpty()) path = "/";
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (timeout < 0) throw new IllegalArgumentException("timeout < 0: " + timeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder().host(host).port(port).method(method).path(path).agent(agent).timeout(timeout)
                .socketPath(socketPath).setHost(setHost);
        headers.forEach(b::header);
        return b;
    }

    /** Builds {@link RequestOptions}; not thread-safe. */
    public static final class Builder {
        private String host = "localhost";
        private int port = 80;
        private String method = "GET";
        private String path = "/";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Agent agent;
        private long timeout;
        private String socketPath;
        private boolean setHost = true;

        private Builder() {}

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder method(String method) {
            this.method = method;
            return this;
        }

        public Builder path(String path) {
            this.path = path;
            return this;
        }

        /** Adds (or replaces) one header field. */
        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder agent(Agent agent) {
            this.agent = agent;
            return this;
        }

        public Builder timeout(long timeoutMs) {
            this.timeout = timeoutMs;
            return this;
        }

        public Builder socketPath(String socketPath) {
            this.socketPath = socketPath;
            return this;
        }

        public Builder setHost(boolean setHost) {
            this.setHost = setHost;
            return this;
        }

        public RequestOptions build() {
            return new RequestOptions(host, port, method, path, headers, agent, timeout, socketPath, setHost);
        }
    }
}
