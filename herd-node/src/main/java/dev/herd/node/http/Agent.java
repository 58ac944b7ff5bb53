package dev.herd.node.http;

import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.internal.Environment;
import dev.herd.node.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Node's {@code http.Agent}: supplies the connections of {@link ClientRequest}s and keeps idle
 * ones for reuse. Connections are grouped by their target ({@code host:port}, or the Unix socket
 * path); at most {@link Options#maxSockets()} are open per target, requests beyond that wait in
 * order. With {@link Options#keepAlive()} a connection whose response allows it becomes free:
 * unref'd (it does not keep the process alive), closed after {@link Options#timeout()} ms idle, on
 * error or when the server closes it, and reused last-in first-out (Node's 'lifo' scheduling) by the
 * next request to the same target. At most {@link Options#maxFreeSockets()} are kept per target.
 *
 * <p>Thread rule: the loop thread of the environment that made it. Lifetime: until
 * {@link #destroy()} or the end of the run.
 */
public class Agent extends EventEmitter {
    /** 'free' (the socket): a keep-alive connection became free for the next request. */
    public static final Event<Consumer<Socket>> FREE = Event.of(Agent.class, "free", Socket.class);

    /**
     * The agent's options.
     *
     * @param keepAlive keep connections for reuse after their response (false)
     * @param keepAliveMsecs the TCP keep-alive delay of free sockets (1000)
     * @param maxSockets open connections per target, free ones included (unbounded)
     * @param maxFreeSockets free connections kept per target (256)
     * @param timeout idle ms after which a free connection is closed; 0: never (0)
     */
    public record Options(boolean keepAlive, long keepAliveMsecs, int maxSockets, int maxFreeSockets, long timeout) {
        /** Checks the options. */
        public Options {
            if (maxSockets < 1) throw new IllegalArgumentException("maxSockets < 1: " + maxSockets);
            if (maxFreeSockets < 0) throw new IllegalArgumentException("maxFreeSockets < 0: " + maxFreeSockets);
            if (timeout < 0) throw new IllegalArgumentException("timeout < 0: " + timeout);
        }

        /** {@return a builder with Node's defaults} */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}; not thread-safe. */
        public static final class Builder {
            private boolean keepAlive;
            private long keepAliveMsecs = 1000;
            private int maxSockets = Integer.MAX_VALUE;
            private int maxFreeSockets = 256;
            private long timeout;

            private Builder() {}

            /**
             * Sets {@link Options#keepAlive()}.
             *
             * @param keepAlive whether to keep connections for reuse
             * @return this builder
             */
            public Builder keepAlive(boolean keepAlive) {
                this.keepAlive = keepAlive;
                return this;
            }

            /**
             * Sets {@link Options#keepAliveMsecs()}.
             *
             * @param ms the TCP keep-alive delay of free sockets
             * @return this builder
             */
            public Builder keepAliveMsecs(long ms) {
                this.keepAliveMsecs = ms;
                return this;
            }

            /**
             * Sets {@link Options#maxSockets()}.
             *
             * @param maxSockets open connections per target
             * @return this builder
             */
            public Builder maxSockets(int maxSockets) {
                this.maxSockets = maxSockets;
                return this;
            }

            /**
             * Sets {@link Options#maxFreeSockets()}.
             *
             * @param maxFreeSockets free connections kept per target
             * @return this builder
             */
            public Builder maxFreeSockets(int maxFreeSockets) {
                this.maxFreeSockets = maxFreeSockets;
                return this;
            }

            /**
             * Sets {@link Options#timeout()}.
             *
             * @param timeoutMs idle ms after which a free connection is closed; 0: never
             * @return this builder
             */
            public Builder timeout(long timeoutMs) {
                this.timeout = timeoutMs;
                return this;
            }

            /** {@return the options} */
            public Options build() {
                return new Options(keepAlive, keepAliveMsecs, maxSockets, maxFreeSockets, timeout);
            }
        }
    }

    /**
     * Node 20's {@code http.globalAgent} options: {@code keepAlive: true, timeout: 5000} (checked
     * with {@code node -p "require('http').globalAgent.options"} on v20.20).
     */
    static final Options GLOBAL_OPTIONS = Options.builder().keepAlive(true).timeout(5000).build();

    final Environment env;
    private final Options options;
    /** Open connections per target, free ones included. */
    private final Map<String, List<Socket>> sockets = new HashMap<>();
    private final Map<String, ArrayDeque<Socket>> freeSockets = new HashMap<>();
    private final Map<String, ArrayDeque<ClientRequest>> requests = new HashMap<>();

    /** An agent with Node's defaults for {@code new http.Agent()} (no keep-alive). */
    public Agent() {
        this(Options.builder().build());
    }

    /**
     * An agent with {@code options}.
     *
     * @param options its options
     */
    public Agent(Options options) {
        this.env = Environment.current();
        env.checkThread();
        this.options = options;
    }

    /** {@return Node's {@code http.globalAgent}: one per environment, with {@link #GLOBAL_OPTIONS}} */
    public static Agent globalAgent() {
        Environment env = Environment.current();
        Agent a = env.service(Agent.class);
        if (a == null) {
            a = new Agent(GLOBAL_OPTIONS);
            env.service(Agent.class, a);
        }
        return a;
    }

    /** {@return the agent's options} */
    public Options options() {
        return options;
    }

    /** {@return whether connections are kept for reuse} */
    public boolean keepAlive() {
        return options.keepAlive;
    }

    /** {@return the free connections per target} */
    public Map<String, Integer> freeSocketCounts() {
        Map<String, Integer> m = new HashMap<>();
        freeSockets.forEach((k, v) -> m.put(k, v.size()));
        return m;
    }

    /** {@return the open connections per target, free ones included} */
    public Map<String, Integer> socketCounts() {
        Map<String, Integer> m = new HashMap<>();
        sockets.forEach((k, v) -> m.put(k, v.size()));
        return m;
    }

    /** Node's agent.getName: the key connections to this target are kept under. */
    static String name(RequestOptions o) {
        return o.socketPath() != null ? o.socketPath() : o.host() + ":" + o.port() + ":";
    }

    /** Node's addRequest: a free connection, a new one, or a place in the queue. */
    void addRequest(ClientRequest req) {
        env.checkThread();
        String name = name(req.options());
        ArrayDeque<Socket> free = freeSockets.get(name);
        if (free != null && !free.isEmpty()) {
            Socket s = free.pollLast();
            if (free.isEmpty()) freeSockets.remove(name);
            s.setTimeout(0, null);
            s.ref();
            req.onSocket(s, true);
            return;
        }
        List<Socket> open = sockets.get(name);
        if ((open == null || open.size() < options.maxSockets)) {
            req.onSocket(createSocket(name, req.options()), false);
            return;
        }
        requests.computeIfAbsent(name, k -> new ArrayDeque<>()).add(req);
    }

    /** A waiting request gave up before it got a connection. */
    void removeRequest(ClientRequest req) {
        ArrayDeque<ClientRequest> q = requests.get(Agent.name(req.options()));
        if (q != null) q.remove(req);
    }

    private Socket createSocket(String name, RequestOptions o) {
        Socket s = new Socket();
        if (o.socketPath() != null) s.connect(o.socketPath(), null);
        else s.connect(o.port(), o.host(), null);
        sockets.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
        s.on(Socket.CLOSE, hadError -> removeSocket(name, s));
        // While free, nobody else listens: an error just closes it, and so does the idle timeout.
        s.on(ERROR, err -> {});
        s.on(Socket.TIMEOUT, () -> {
            ArrayDeque<Socket> free = freeSockets.get(name);
            if (free != null && free.contains(s)) s.destroy();
        });
        return s;
    }

    private void removeSocket(String name, Socket s) {
        List<Socket> open = sockets.get(name);
        if (open != null) {
            open.remove(s);
            if (open.isEmpty()) sockets.remove(name);
        }
        ArrayDeque<Socket> free = freeSockets.get(name);
        if (free != null) {
            free.remove(s);
            if (free.isEmpty()) freeSockets.remove(name);
        }
        // A waiting request gets a new connection in place of the closed one.
        ArrayDeque<ClientRequest> q = requests.get(name);
        if (q != null && !q.isEmpty()) {
            ClientRequest next = q.poll();
            if (q.isEmpty()) requests.remove(name);
            next.onSocket(createSocket(name, next.options()), false);
        }
    }

    /**
     * Node's 'free' handling: the request on {@code s} is done. The next waiting request gets it;
     * else it is kept if {@code reusable} and keep-alive allows, and closed otherwise.
     */
    void socketFree(Socket s, RequestOptions o, boolean reusable) {
        String name = name(o);
        if (s.destroyed()) return;
        ArrayDeque<ClientRequest> q = requests.get(name);
        if (reusable && q != null && !q.isEmpty()) {
            ClientRequest next = q.poll();
            if (q.isEmpty()) requests.remove(name);
            next.onSocket(s, true);
            return;
        }
        ArrayDeque<Socket> free = freeSockets.computeIfAbsent(name, k -> new ArrayDeque<>());
        if (!reusable || !options.keepAlive || free.size() >= options.maxFreeSockets) {
            if (free.isEmpty()) freeSockets.remove(name);
            s.destroy();
            return;
        }
        free.add(s);
        s.setKeepAlive(true, options.keepAliveMsecs);
        s.unref();
        if (options.timeout > 0) s.setTimeout(options.timeout, null);
        emit("free", s);
    }

    /** Closes every connection, free or in use; later requests get new ones. */
    public void destroy() {
        env.checkThread();
        for (List<Socket> open : new ArrayList<>(sockets.values())) {
            for (Socket s : new ArrayList<>(open)) s.destroy();
        }
        freeSockets.clear();
    }
}
