package dev.herd.manager;

import dev.herd.io.Pipe;
import dev.herd.io.Tcp;
import dev.herd.io.Udp;
import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.SockAddr;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The keeper as the cluster primary of cluster-mode instances (issue 15): each instance is started
 * with {@code NODE_UNIQUE_ID} and an IPC channel, so that a Node program's or a Herd program's
 * {@code listen(port)} asks the keeper for its socket through Node's cluster protocol
 * ({@code queryServer}, docs/manager.md "Cluster mode"), as it would ask {@code cluster}'s primary.
 *
 * <p>The keeper never touches a connection. For TCP each instance gets a listening socket of its
 * own, bound with SO_REUSEPORT to the shared address (the kernel balances new connections between
 * the instances by their addresses' hash); the keeper keeps every socket it made, so that an
 * instance that dies leaves its socket listening with its queue intact, and the instance that
 * replaces it (the same instance number) is given that same socket: the connections that waited
 * in the queue are served by the replacement, none is reset. A socket goes once its instance is
 * forgotten (scale down, delete), its group's last socket with the group. Unix sockets and UDP
 * have no per-instance sockets: one bound socket per address is given to every instance (Node's
 * SCHED_NONE).
 *
 * <p>Thread rule: the keeper's loop thread. Lifetime: the keeper's.
 */
final class KeeperCluster {
    /** The sockets of one cluster-mode app (its group), by the address a worker asked for. */
    private static final class Group {
        final Map<String, Address> addresses = new HashMap<>();
    }

    /** One address of a group: a socket per instance (TCP), or one shared socket (Unix, UDP). */
    private static final class Address {
        final Map<Integer, Handle> perInstance = new HashMap<>();
        Handle shared;
        /** The instances given {@link #shared}: it is closed when the last is forgotten. */
        final java.util.Set<Integer> sharers = new java.util.HashSet<>();
        /** The port every instance's socket binds: the one the first got when the program asked for 0. */
        int port;
        Object data;
    }

    private final Loop loop;
    private final Map<String, Group> groups = new HashMap<>();
    private int nextWorkerId;
    private int seq;

    KeeperCluster(Loop loop) {
        this.loop = loop;
    }

    /** Puts {@code NODE_UNIQUE_ID} in a cluster instance's environment: the program is a worker then. */
    void prepare(Map<String, String> env) {
        env.put("NODE_UNIQUE_ID", Integer.toString(++nextWorkerId));
        env.remove("NODE_CHANNEL_FD"); // the spawn's own 'ipc' slot sets it
    }

    /**
     * Answers the cluster messages of {@code child}, instance {@code instance} of {@code group}.
     *
     * @param events gets {@code {"event":"listening", "address":..., "port":...}} when a server of
     *     the instance listens
     */
    void attach(ChildProcess child, String group, int instance, Consumer<Map<String, Object>> events) {
        child.on("internalMessage", a -> {
            if (!(a.length > 0 && a[0] instanceof Map<?, ?> raw) || !"NODE_CLUSTER".equals(raw.get("cmd"))) return;
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) raw;
            if (m.get("ack") != null) return; // replies to messages the keeper does not send
            Object act = m.get("act");
            if ("queryServer".equals(act)) {
                queryServer(child, group, instance, m);
            } else if ("listening".equals(act)) {
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("event", "listening");
                ev.put("address", m.get("address"));
                ev.put("port", m.get("port"));
                ev.put("addressType", m.get("addressType"));
                events.accept(ev);
            } else if ("exitedAfterDisconnect".equals(act)) {
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("ack", m.get("seq"));
                send(child, reply, null);
            }
            // 'online' needs no answer; 'close' leaves the socket to the keeper (the instance's
            // replacement gets it), as does the instance's exit.
        });
    }

    private void queryServer(ChildProcess child, String group, int instance, Map<String, Object> m) {
        Object addressType = m.get("addressType");
        String address = m.get("address") instanceof String s ? s : null;
        int port = intOf(m.get("port"), 0);
        String key = js(m, "address") + ":" + js(m, "port") + ":" + js(m, "addressType") + ":" + js(m, "fd") + ":"
                + js(m, "index");
        Address at = groups.computeIfAbsent(group, g -> new Group()).addresses.computeIfAbsent(key, k -> new Address());
        if (at.data == null) at.data = m.get("data");
        int errno = 0;
        Handle handle = null;
        try {
            if (intOf(m.get("fd"), -1) >= 0) {
                errno = Errno.ENOTSUP.uvCode(); // listen({fd}): the primary's descriptor of that number (Node's quirk)
            } else if ("udp4".equals(addressType) || "udp6".equals(addressType)) {
                if (at.shared == null) {
                    Udp udp = new Udp(loop);
                    at.shared = udp;
                    udp.bind(SockAddr.inet(address != null ? address : "udp6".equals(addressType) ? "::" : "0.0.0.0", port),
                            intOf(m.get("flags"), 0) & (Udp.IPV6ONLY | Udp.REUSEADDR));
                }
                handle = at.shared;
                at.sharers.add(instance);
            } else if (port == -1 && Integer.valueOf(-1).equals(intOrNull(addressType))) {
                if (at.shared == null) {
                    Pipe pipe = new Pipe(loop);
                    at.shared = pipe;
                    pipe.bind(address);
                }
                handle = at.shared;
                at.sharers.add(instance);
            } else {
                handle = at.perInstance.get(instance);
                if (handle == null) {
                    Tcp tcp = new Tcp(loop);
                    int flags = Tcp.REUSEPORT | (Integer.valueOf(6).equals(intOrNull(addressType)) ? intOf(m.get("flags"), 0) & Tcp.IPV6ONLY : 0);
                    bindTcp(tcp, address, at.port != 0 ? at.port : port, flags);
                    if (at.port == 0) at.port = tcp.getsockname().port();
                    at.perInstance.put(instance, tcp);
                    handle = tcp;
                }
            }
        } catch (ErrnoException e) {
            errno = e.errnoEntry().uvCode();
        } catch (RuntimeException e) {
            errno = Errno.EINVAL.uvCode(); // a malformed query (no path, a bad address)
        }
        if (errno != 0 && handle == null && at.shared != null && at.perInstance.isEmpty() && at.sharers.isEmpty()) {
            at.shared.close();
            at.shared = null;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("errno", errno);
        answer.put("key", key);
        answer.put("ack", m.get("seq"));
        answer.put("data", at.data);
        send(child, answer, errno == 0 ? handle : null);
    }

    /** Node's createServerHandle address rule: a null address is every address ({@link Tcp#bindAny}). */
    private static void bindTcp(Tcp tcp, String address, int port, int flags) {
        if (address != null) tcp.bind(SockAddr.inet(address, port), flags);
        else tcp.bindAny(port, flags);
    }

    /**
     * Puts socket activation's {@code LISTEN_FDS} and {@code LISTEN_FDNAMES} for {@code listen} in
     * {@code env} ({@code LISTEN_PID} is the process's own: the spawn's shim sets it).
     */
    static void activationEnv(java.util.List<String> listen, Map<String, String> env) {
        env.put("LISTEN_FDS", Integer.toString(listen.size()));
        env.put("LISTEN_FDNAMES", String.join(":", listen.stream().map(l -> l.replace(':', '_')).toList()));
    }

    private void send(ChildProcess child, Map<String, Object> message, Object handle) {
        if (!child.connected()) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", "NODE_CLUSTER");
        m.putAll(message);
        m.put("seq", seq++);
        child.send(m, handle);
    }

    /**
     * The listening sockets of a socket-activated instance (systemd's protocol, for programs that
     * do not speak the cluster protocol): one per address of {@code listen} ({@code PORT} or
     * {@code HOST:PORT}), SO_REUSEPORT, bound and listening (the keeper never accepts on them),
     * kept as the cluster sockets are: the instance's replacement gets the same ones.
     *
     * @return their descriptors, in the order of {@code listen}
     * @throws ErrnoException when one cannot be made (EADDRINUSE, EACCES...)
     * @throws IllegalArgumentException for an address that is not PORT or HOST:PORT
     */
    int[] activation(String group, int instance, java.util.List<String> listen) {
        int[] fds = new int[listen.size()];
        for (int i = 0; i < fds.length; i++) {
            String spec = listen.get(i);
            int colon = spec.lastIndexOf(':');
            String host = colon < 0 ? null : spec.substring(0, colon).replaceAll("^\\[|]$", "");
            int port = Integer.parseInt(spec.substring(colon + 1));
            Address at = groups.computeIfAbsent(group, g -> new Group()).addresses.computeIfAbsent("activation:" + spec,
                    k -> new Address());
            Handle h = at.perInstance.get(instance);
            if (h == null) {
                Tcp tcp = new Tcp(loop);
                try {
                    bindTcp(tcp, host, at.port != 0 ? at.port : port, Tcp.REUSEPORT);
                    int r = dev.herd.os.Net.listen(tcp.fileno(), 511);
                    if (r < 0) throw ErrnoException.of(-r, "listen");
                } catch (RuntimeException e) {
                    tcp.close();
                    if (at.perInstance.isEmpty()) groups.get(group).addresses.remove("activation:" + spec);
                    throw e;
                }
                if (at.port == 0) at.port = tcp.getsockname().port();
                at.perInstance.put(instance, tcp);
                h = tcp;
            }
            fds[i] = ((Tcp) h).fileno();
        }
        return fds;
    }

    /**
     * {@return the cluster protocol's {@code disconnect} for a worker} (Node's worker.disconnect()
     * in the primary): the worker closes its servers, its connections finish, it exits.
     */
    Map<String, Object> disconnectMessage() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", "NODE_CLUSTER");
        m.put("act", "disconnect");
        m.put("seq", seq++);
        return m;
    }

    /** Closes the sockets of instance {@code instance} of {@code group} (it is gone for good). */
    void forget(String group, int instance) {
        Group g = groups.get(group);
        if (g == null) return;
        for (Address at : g.addresses.values()) {
            Handle h = at.perInstance.remove(instance);
            if (h != null) h.close();
            at.sharers.remove(instance);
        }
        g.addresses.values().removeIf(at -> {
            if (!at.perInstance.isEmpty() || !at.sharers.isEmpty()) return false;
            if (at.shared != null) at.shared.close();
            return true;
        });
        if (g.addresses.isEmpty()) groups.remove(group);
    }

    private static Integer intOrNull(Object v) {
        return v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? n.intValue() : null;
    }

    private static int intOf(Object v, int otherwise) {
        Integer i = intOrNull(v);
        return i == null ? otherwise : i;
    }

    /** JavaScript's {@code String(m.name)} for a queryServer field: the key is built as Node's primary builds it. */
    private static String js(Map<String, Object> m, String name) {
        if (!m.containsKey(name)) return "undefined";
        Object v = m.get(name);
        if (v == null) return "null";
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) return Long.toString(d.longValue());
        return v.toString();
    }
}
