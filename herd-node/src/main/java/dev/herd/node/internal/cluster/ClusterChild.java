package dev.herd.node.internal.cluster;

import dev.herd.io.Stream;
import dev.herd.io.Tcp;
import dev.herd.io.Udp;
import dev.herd.loop.Handle;
import dev.herd.node.EventEmitter;
import dev.herd.node.Globals;
import dev.herd.node.NodeProcess;
import dev.herd.node.Timeout;
import dev.herd.node.cluster.Worker;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.net.ClusterListen;
import dev.herd.node.internal.net.ListenOwner;
import dev.herd.node.internal.net.ServerQuery;
import dev.herd.node.internal.net.WorkerHandle;
import dev.herd.node.net.AddressInfo;
import dev.herd.node.value.Undefined;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Node's lib/internal/cluster/child.js: the worker's half. At startup the worker reports 'online';
 * each server's listen becomes a queryServer whose answer is a shared socket, a round-robin
 * stand-in (connections then arrive as {@code newconn}, each answered {@code accepted} or not),
 * or, with Herd's reuseport policy, the go-ahead to listen on an SO_REUSEPORT socket of its own.
 * Disconnecting closes every server, waits for their 'close', then closes the channel; a channel
 * that closes without that handshake makes the worker exit with code 0.
 *
 * <p>It is the environment's {@link ClusterListen} (set up by {@link ClusterSide#initialize}): net
 * and dgram listen through it, each describing its server or socket as a {@link ListenOwner}, the
 * way Node's child.js duck-types the object it is given.
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: the worker process's.
 */
final class ClusterChild implements ClusterSide, ClusterListen {
    /** Node's TIMEOUT_MAX: the round-robin stand-in's keep-alive interval. */
    private static final double TIMEOUT_MAX = 2147483647d;

    private final Environment env;
    private final EventEmitter cluster = new ClusterEvents();
    private final int id;
    private final Utils utils = new Utils();
    private final WorkerAccess access = WorkerAccess.get();
    private Worker worker;
    /** Whether the primary runs Herd's reuseport policy (it says so in our environment). */
    private boolean reuseport;
    /** The servers and sockets listening through the primary, by key (Node's {@code handles}). */
    private final Map<String, Entry> handles = new LinkedHashMap<>();
    /** Node's {@code indexes}: per address:port:addressType:fd, the indexes of our servers on it. */
    private final Map<String, IndexSet> indexes = new HashMap<>();

    private record Entry(ListenOwner owner, WorkerHandle handle) {}

    private static final class IndexSet {
        int nextIndex;
        final Set<Integer> set = new HashSet<>();
    }

    ClusterChild(Environment env, String uniqueId) {
        this.env = env;
        this.id = toInt32(uniqueId);
    }

    /** JavaScript's {@code +s | 0}. */
    private static int toInt32(String s) {
        try {
            double d = Double.parseDouble(s.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) return 0;
            return (int) (long) d;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public EventEmitter events() {
        return cluster;
    }

    @Override
    public Worker worker() {
        return worker;
    }

    /** Node's {@code _setupWorker}. */
    void setupWorker() {
        NodeProcess process = env.process();
        reuseport = "reuseport".equals(process.env().get("HERD_CLUSTER_SCHED_POLICY"));
        worker = access.newWorker(this, id, process);
        process.once(NodeProcess.DISCONNECT, () -> {
            worker.emit("disconnect");
            // Unexpected disconnect (the primary died, or some such): exit at once.
            if (!worker.isExitedAfterDisconnect()) process.exit(0);
        });
        process.on("internalMessage", utils.internal(this::onMessage));
        send(Map.of("act", "online"), null);
    }

    private void onMessage(Map<String, Object> message, Object handle) {
        Object act = message.get("act");
        if ("newconn".equals(act)) onConnection(message, handle);
        else if ("disconnect".equals(act)) disconnect(true);
        else if (handle instanceof Handle h) h.close(); // nobody will use it
    }

    private boolean send(Map<String, Object> message, Utils.Reply reply) {
        NodeProcess process = env.process();
        return utils.send(new Utils.Peer() {
            @Override
            public boolean connected() {
                return process.connected();
            }

            @Override
            public void send(Map<String, Object> m, Object h) {
                process.send(m, h, null, null);
            }
        }, null, message, null, reply);
    }

    // ---------------------------------------------------------------- listening through the primary

    /** Node's {@code cluster._getServer}. */
    @Override
    public void getServer(ListenOwner obj, ServerQuery query, GetServerCallback cb) {
        String address = query.port() < 0 && query.address() != null
                ? Path.of(env.process().cwd()).resolve(query.address()).normalize().toString() // path.resolve
                : query.address();
        String indexesKey = joinKey(address, query.port(), query.addressType(), query.fd());
        IndexSet indexSet = indexes.computeIfAbsent(indexesKey, k -> new IndexSet());
        int index = indexSet.nextIndex++;
        indexSet.set.add(index);

        Map<String, Object> message = new LinkedHashMap<>();
        message.put("act", "queryServer");
        message.put("index", index);
        message.put("data", null);
        message.put("address", address);
        message.put("port", query.port());
        message.put("addressType", query.addressType());
        message.put("fd", query.fd() == null ? Undefined.INSTANCE : query.fd());
        message.put("flags", query.flags() == null ? Undefined.INSTANCE : query.flags());
        if (query.backlog() != null) message.put("backlog", query.backlog());
        boolean tcp = query.port() >= 0 && query.addressType() instanceof Integer;
        // Herd's reuseport policy is asked for, not assumed: a Node primary ignores the field.
        if (reuseport && tcp && query.fd() == null) message.put("reuseport", true);

        boolean udp = !(query.addressType() instanceof Integer);
        send(message, (reply, handle) -> {
            if (handle != null) {
                if (udp != (handle instanceof Udp)) {
                    ((Handle) handle).close();
                    removeIndexesKey(indexesKey, index);
                    cb.done(Errno.EINVAL.uvCode(), null);
                    return;
                }
                shared(reply, (Handle) handle, indexesKey, index, obj, cb);
            } else if (Boolean.TRUE.equals(reply.get("reuseport")) && tcp) {
                ownReusePort(reply, address, query, indexesKey, index, obj, cb);
            } else if (udp) {
                int errno = Utils.intOf(reply.get("errno"), 0);
                removeIndexesKey(indexesKey, index);
                cb.done(errno != 0 ? errno : Errno.EINVAL.uvCode(), null);
            } else {
                rr(reply, indexesKey, index, obj, cb);
            }
        });

        obj.onceListening(() -> {
            if (!indexes.containsKey(indexesKey)) return; // short-lived sockets might have been closed
            access.state(worker, "listening");
            AddressInfo bound = addressOf(obj);
            message.put("act", "listening");
            message.put("port", bound != null && bound.port() != 0 ? bound.port() : query.port());
            send(message, null);
        });
    }

    private static AddressInfo addressOf(ListenOwner obj) {
        try {
            return obj.address();
        } catch (RuntimeException e) {
            return null; // closed in the meantime
        }
    }

    /** Array.prototype.join(':') of the four: null and undefined become empty strings. */
    private static String joinKey(Object address, int port, Object addressType, Integer fd) {
        return (address == null ? "" : address) + ":" + port + ":" + addressType + ":" + (fd == null ? "" : fd);
    }

    private void removeIndexesKey(String indexesKey, int index) {
        IndexSet set = indexes.get(indexesKey);
        if (set == null) return;
        set.set.remove(index);
        if (set.set.isEmpty()) indexes.remove(indexesKey);
    }

    /** A handle whose close tells the primary (Node monkey-patches handle.close for this). */
    private abstract class Registered implements WorkerHandle {
        String key;
        final String indexesKey;
        final int index;

        Registered(String key, String indexesKey, int index) {
            this.key = key;
            this.indexesKey = indexesKey;
            this.index = index;
        }

        @Override
        public AddressInfo address() {
            return null;
        }

        @Override
        public void ref() {}

        @Override
        public void unref() {}

        @Override
        public void close() {
            if (key == null) return;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("act", "close");
            m.put("key", key);
            send(m, null);
            handles.remove(key);
            removeIndexesKey(indexesKey, index);
            key = null;
        }
    }

    /** Shared listen socket: ours to listen on; closing it tells the primary. */
    private void shared(Map<String, Object> message, Handle handle, String indexesKey, int index, ListenOwner obj,
            GetServerCallback cb) {
        String key = String.valueOf(message.get("key"));
        Registered h = new Registered(key, indexesKey, index) {
            @Override
            public Handle handle() {
                return handle;
            }
        };
        handles.put(key, new Entry(obj, h));
        cb.done(Utils.intOf(message.get("errno"), 0), h);
    }

    /** Herd's reuseport policy: bind our own SO_REUSEPORT socket on the port the primary reserved. */
    private void ownReusePort(Map<String, Object> message, String address, ServerQuery query, String indexesKey,
            int index, ListenOwner obj, GetServerCallback cb) {
        int errno = Utils.intOf(message.get("errno"), 0);
        int port = query.port();
        if (message.get("sockname") instanceof Map<?, ?> sockname) port = Utils.intOf(sockname.get("port"), port);
        Tcp tcp = new Tcp(env.loop());
        if (errno == 0) {
            try {
                int flags = query.flags() == null ? 0 : query.flags() & Tcp.IPV6ONLY;
                RoundRobinHandle.bindTcp(tcp, address, port, Tcp.REUSEPORT | flags);
            } catch (ErrnoException e) {
                errno = e.errnoEntry().uvCode();
            } catch (RuntimeException e) {
                errno = Errno.EINVAL.uvCode(); // a bad address
            }
        }
        if (errno == 0) {
            shared(message, tcp, indexesKey, index, obj, cb);
            return;
        }
        tcp.close();
        // The primary counted us in: leave its handle again.
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("act", "close");
        m.put("key", message.get("key"));
        send(m, null);
        removeIndexesKey(indexesKey, index);
        cb.done(errno, null);
    }

    /** Round-robin: the primary listens; a stand-in keeps the process alive and tells the primary on close. */
    private void rr(Map<String, Object> message, String indexesKey, int index, ListenOwner obj, GetServerCallback cb) {
        int errno = Utils.intOf(message.get("errno"), 0);
        if (errno != 0) {
            removeIndexesKey(indexesKey, index);
            cb.done(errno, null);
            return;
        }
        String key = String.valueOf(message.get("key"));
        AddressInfo sockname = message.get("sockname") instanceof Map<?, ?> s
                ? new AddressInfo(String.valueOf(s.get("address")), String.valueOf(s.get("family")), Utils.intOf(s.get("port"), 0))
                : null;
        Registered h = new Registered(key, indexesKey, index) {
            private Timeout keepAlive;

            @Override
            public Handle handle() {
                return null;
            }

            @Override
            public AddressInfo address() {
                return key != null ? sockname : null;
            }

            @Override
            public void ref() {
                if (keepAlive == null) keepAlive = Globals.setInterval(() -> {}, TIMEOUT_MAX);
            }

            @Override
            public void unref() {
                if (keepAlive != null) Globals.clearInterval(keepAlive);
                keepAlive = null;
            }

            @Override
            public void close() {
                if (key == null) return;
                unref();
                super.close();
            }
        };
        h.ref();
        handles.put(key, new Entry(obj, h));
        cb.done(0, h);
    }

    /** Node's {@code onconnection}: a round-robin connection, accepted unless we cannot take it. */
    private void onConnection(Map<String, Object> message, Object handle) {
        Entry entry = handles.get(String.valueOf(message.get("key")));
        boolean accepted = entry != null && handle instanceof Stream && entry.owner().acceptsConnection();
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ack", message.get("seq"));
        reply.put("accepted", accepted);
        send(reply, null);
        if (accepted) entry.owner().connection((Stream) handle);
        else if (handle instanceof Handle h) h.close();
    }

    // ---------------------------------------------------------------- disconnecting

    /** Node's {@code _disconnect}: close every server, then (after the primary's ack if we started it) the channel. */
    private void disconnect(boolean primaryInitiated) {
        access.exitedAfterDisconnect(worker, true);
        int[] waiting = {1};
        Runnable checkWaitingCount = () -> {
            if (--waiting[0] != 0) return;
            // Worker-initiated: make sure the primary has set exitedAfterDisconnect before we go.
            if (primaryInitiated) disconnectChannel();
            else send(Map.of("act", "exitedAfterDisconnect"), (m, h) -> disconnectChannel());
        };
        List<Entry> open = new ArrayList<>(handles.values());
        handles.clear();
        for (Entry e : open) {
            waiting[0]++;
            // Node: handle[owner_symbol].close(checkWaitingCount), or the handle's own close.
            if (!e.owner().close(checkWaitingCount)) {
                e.handle().close();
                env.nextTick(checkWaitingCount);
            }
        }
        checkWaitingCount.run();
    }

    private void disconnectChannel() {
        NodeProcess process = env.process();
        if (process.connected()) process.disconnect();
    }

    /** Worker.prototype.disconnect in a worker. */
    @Override
    public void disconnect(Worker w) {
        if (!"disconnecting".equals(w.state()) && !"destroying".equals(w.state())) {
            access.state(w, "disconnecting");
            disconnect(false);
        }
    }

    /** Worker.prototype.destroy (kill) in a worker: tell the primary, disconnect, exit 0. */
    @Override
    public void destroy(Worker w, String signal) {
        if ("destroying".equals(w.state())) return;
        access.exitedAfterDisconnect(w, true);
        NodeProcess process = env.process();
        if (!w.isConnected()) {
            process.exit(0);
        } else {
            access.state(w, "destroying");
            send(Map.of("act", "exitedAfterDisconnect"), (m, h) -> disconnectChannel());
            process.once(NodeProcess.DISCONNECT, () -> process.exit(0));
        }
    }
}
