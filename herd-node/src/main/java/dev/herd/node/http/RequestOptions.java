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

    /** Fills in the defaults and checks the options. */
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

    /** {@return a builder with the defaults: GET / on localhost:80} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return the builder
     */
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

        /**
         * Sets {@link RequestOptions#host()}.
         *
         * @param host the host
         * @return this builder
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * Sets {@link RequestOptions#port()}.
         *
         * @param port the port
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets {@link RequestOptions#method()}.
         *
         * @param method the method
         * @return this builder
         */
        public Builder method(String method) {
            this.method = method;
            return this;
        }

        /**
         * Sets {@link RequestOptions#path()}.
         *
         * @param path the path and query
         * @return this builder
         */
        public Builder path(String path) {
            this.path = path;
            return this;
        }

        /**
         * Adds (or replaces) one header field.
         *
         * @param name the field's name
         * @param value its value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /**
         * Sets {@link RequestOptions#agent()}.
         *
         * @param agent the agent, or null for the global one
         * @return this builder
         */
        public Builder agent(Agent agent) {
            this.agent = agent;
            return this;
        }

        /**
         * Sets {@link RequestOptions#timeout()}.
         *
         * @param timeoutMs the socket timeout in ms, 0 for none
         * @return this builder
         */
        public Builder timeout(long timeoutMs) {
            this.timeout = timeoutMs;
            return this;
        }

        /**
         * Sets {@link RequestOptions#socketPath()}.
         *
         * @param socketPath a Unix socket's path, or null
         * @return this builder
         */
        public Builder socketPath(String socketPath) {
            this.socketPath = socketPath;
            return this;
        }

        /**
         * Sets {@link RequestOptions#setHost()}.
         *
         * @param setHost whether to add a Host header
         * @return this builder
         */
        public Builder setHost(boolean setHost) {
            this.setHost = setHost;
            return this;
        }

        /** {@return the options} */
        public RequestOptions build() {
            return new RequestOptions(host, port, method, path, headers, agent, timeout, socketPath, setHost);
        }
    }
}
