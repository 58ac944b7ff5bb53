package dev.herd.manager;

import dev.herd.io.Pipe;
import dev.herd.io.Tcp;
import dev.herd.io.Udp;
import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Net;
import dev.herd.os.ReuseportGroup;
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
 * <p>The keeper never touches a connection. For TCP each <em>slot</em> (an instance's number, or a
 * reload's replacement's own key) gets a listening socket of its own, bound with SO_REUSEPORT to
 * the shared address, and the keeper steers the group ({@link ReuseportGroup}): new connections
 * are spread over the sockets of the instances that listen, by a hash of the client's port, and
 * never go to a socket whose instance is dead, stopping, or a replacement still on probation (which
 * only the health probe reaches). The keeper keeps every socket it made, so an instance that dies
 * leaves its socket with its queue intact, and the process that replaces it (the same slot) is
 * given that same socket: the connections that waited there are served, none is reset. A socket
 * goes once its slot is forgotten (scale down, delete, a reload's old instance), after its
 * queue has been drained by its own process. Unix sockets and UDP have no per-instance sockets:
 * one bound socket per address is given to every instance (Node's SCHED_NONE).
 *
 * <p>A group started with {@code round_robin} is the option's exception: the keeper listens on one
 * socket per TCP address, accepts every connection itself and hands each to the next live
 * instance as the cluster protocol's {@code newconn} (Node's SCHED_RR, as pm2 does it): an even
 * spread whatever the clients' ports, for the price of the keeper in the data path.
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
        /** The TCP sockets by slot. */
        final Map<Integer, Handle> perInstance = new HashMap<>();
        /** Where new connections go among {@link #perInstance}'s sockets. */
        final ReuseportGroup reuse = new ReuseportGroup();
        Handle shared;
        /** The instances given {@link #shared}: it is closed when the last is forgotten. */
        final java.util.Set<Integer> sharers = new java.util.HashSet<>();
        /** The port every instance's socket binds: the one the first got when the program asked for 0. */
        int port;
        Object data;
        /** The keeper's own listener and its hand-outs ({@code round_robin}), or null. */
        RoundRobin rr;
    }

    /** Replies to the keeper's own messages (newconn), by their seq. */
    private final Map<Integer, Consumer<Map<String, Object>>> acks = new HashMap<>();

    /**
     * {@code round_robin}: the keeper accepts on its own socket and gives each connection to the
     * next live instance that has no hand-out unanswered (Node's RoundRobinHandle rules).
     */
    private final class RoundRobin {
        final String key;
        final Tcp listener;
        final Map<Integer, ChildProcess> workers = new HashMap<>();
        final java.util.Set<Integer> live = new java.util.HashSet<>();
        final java.util.ArrayDeque<Integer> free = new java.util.ArrayDeque<>();
        final java.util.ArrayDeque<dev.herd.io.Stream> queue = new java.util.ArrayDeque<>();
        /** The connection handed to each slot and not answered yet. */
        final Map<Integer, dev.herd.io.Stream> inFlight = new HashMap<>();
        /** A health probe's client port, to the slot it probes (a replacement not live yet). */
        final Map<Integer, Integer> probes = new HashMap<>();

        RoundRobin(String key, Tcp listener) {
            this.key = key;
            this.listener = listener;
            listener.listen(511, err -> {
                if (err != null) return; // accept errors are skipped, as in Node
                dev.herd.io.Stream client;
                try {
                    client = listener.acceptNew();
                } catch (ErrnoException e) {
                    return;
                }
                Integer probed = client instanceof Tcp t ? probes.get(t.getpeername().port()) : null;
                ChildProcess target = probed == null ? null : workers.get(probed);
                if (target != null && target.connected()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("act", "newconn");
                    m.put("key", key);
                    send(target, m, client, reply -> client.close());
                    return;
                }
                queue.add(client);
                dispatch();
            });
        }

        void live(int slot, boolean isLive) {
            if (isLive) {
                if (workers.containsKey(slot) && live.add(slot) && !inFlight.containsKey(slot)) free.add(slot);
                dispatch();
            } else {
                live.remove(slot);
                free.remove(slot);
            }
        }

        /** The slot's process is gone or goes: what it was handed and did not answer goes to another. */
        void gone(int slot) {
            live(slot, false);
            dev.herd.io.Stream h = inFlight.remove(slot);
            if (h != null) {
                queue.addFirst(h);
                dispatch();
            }
        }

        void dispatch() {
            while (!queue.isEmpty() && !free.isEmpty()) {
                int slot = free.poll();
                ChildProcess child = workers.get(slot);
                if (!live.contains(slot) || child == null || !child.connected()) continue;
                dev.herd.io.Stream h = queue.poll();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("act", "newconn");
                m.put("key", key);
                inFlight.put(slot, h);
                send(child, m, h, reply -> {
                    if (inFlight.get(slot) != h) return; // given to another already (the worker went)
                    inFlight.remove(slot);
                    if (Boolean.TRUE.equals(reply.get("accepted"))) h.close();
                    else queue.addFirst(h); // its server is closing: another takes it
                    if (live.contains(slot)) free.add(slot);
                    dispatch();
                });
            }
        }

        void close() {
            listener.close();
            for (dev.herd.io.Stream h : queue) h.close();
            queue.clear();
        }
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
     * Answers the cluster messages of {@code child}, the process of slot {@code slot} of {@code group}.
     *
     * @param liveOnListening whether the slot's sockets take new connections once its process
     *     listens (an instance), or only when {@link #promote promoted} (a reload's replacement)
     * @param events gets {@code {"event":"listening", "address":..., "port":...}} when a server of
     *     the instance listens
     */
    void attach(ChildProcess child, String group, int slot, boolean liveOnListening, boolean roundRobin,
            Consumer<Map<String, Object>> events) {
        int instance = slot;
        child.on("internalMessage", a -> {
            if (!(a.length > 0 && a[0] instanceof Map<?, ?> raw) || !"NODE_CLUSTER".equals(raw.get("cmd"))) return;
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) raw;
            if (m.get("ack") != null) { // a reply to one of the keeper's messages (newconn)
                Consumer<Map<String, Object>> reply = acks.remove(intOf(m.get("ack"), -1));
                if (reply != null) reply.accept(m);
                return;
            }
            Object act = m.get("act");
            if ("queryServer".equals(act)) {
                queryServer(child, group, instance, roundRobin, m);
            } else if ("listening".equals(act)) {
                if (liveOnListening) listening(group, instance, intOf(m.get("port"), -1));
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("event", "listening");
                ev.put("address", m.get("address"));
                ev.put("port", m.get("port"));
                ev.put("addressType", m.get("addressType"));
                events.accept(ev);
            } else if ("close".equals(act)) {
                // The instance closed that server: it takes no more connections there.
                Group g = groups.get(group);
                Address at = g == null ? null : g.addresses.get(String.valueOf(m.get("key")));
                if (at != null && at.perInstance.get(instance) instanceof Tcp tcp && at.reuse.isLive(tcp.fileno())) {
                    at.reuse.live(tcp.fileno(), false);
                    steer(at);
                }
                if (at != null && at.rr != null) at.rr.gone(instance);
            } else if ("exitedAfterDisconnect".equals(act)) {
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("ack", m.get("seq"));
                send(child, reply, null);
            }
            // 'online' needs no answer; 'close' and the instance's exit leave the socket to the
            // keeper (the instance's replacement gets it).
        });
    }

    private void queryServer(ChildProcess child, String group, int instance, boolean roundRobin, Map<String, Object> m) {
        Object addressType = m.get("addressType");
        String address = m.get("address") instanceof String s ? s : null;
        int port = intOf(m.get("port"), 0);
        String key = js(m, "address") + ":" + js(m, "port") + ":" + js(m, "addressType") + ":" + js(m, "fd") + ":"
                + js(m, "index");
        Address at = groups.computeIfAbsent(group, g -> new Group()).addresses.computeIfAbsent(key, k -> new Address());
        if (at.data == null) at.data = m.get("data");
        int errno = 0;
        Handle handle = null;
        Map<String, Object> sockname = null;
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
            } else if (roundRobin) {
                if (at.rr == null) {
                    Tcp tcp = new Tcp(loop);
                    try {
                        bindTcp(tcp, address, port, Integer.valueOf(6).equals(intOrNull(addressType)) ? intOf(m.get("flags"), 0) & Tcp.IPV6ONLY : 0);
                        at.rr = new RoundRobin(key, tcp);
                    } catch (RuntimeException e) {
                        tcp.close();
                        throw e;
                    }
                    at.port = tcp.getsockname().port();
                }
                at.rr.workers.put(instance, child);
                SockAddr a = at.rr.listener.getsockname();
                sockname = new LinkedHashMap<>();
                sockname.put("address", a.address());
                sockname.put("family", a.family());
                sockname.put("port", a.port());
            } else {
                handle = at.perInstance.get(instance);
                if (handle == null) {
                    int flags = Tcp.REUSEPORT | (Integer.valueOf(6).equals(intOrNull(addressType)) ? intOf(m.get("flags"), 0) & Tcp.IPV6ONLY : 0);
                    handle = listenTcp(at, instance, address, port, flags);
                }
            }
        } catch (ErrnoException e) {
            errno = e.errnoEntry().uvCode();
        } catch (RuntimeException e) {
            errno = Errno.EINVAL.uvCode(); // a malformed query (no path, a bad address)
        }
        if (errno != 0 && at.rr == null && at.perInstance.isEmpty() && at.sharers.isEmpty() && at.shared == null) {
            groups.get(group).addresses.remove(key); // nothing made: a later query tries again
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
        if (errno == 0 && sockname != null) answer.put("sockname", sockname);
        send(child, answer, errno == 0 ? handle : null);
    }

    /**
     * Makes slot {@code slot}'s socket of {@code at}: bound, and listening at once, so that it joins
     * the SO_REUSEPORT group now, in the keeper's order ({@link ReuseportGroup}), not whenever its
     * process gets to listen(2) (which it still calls: a second listen only sets the backlog). Until
     * the slot is live the steering sends it nothing.
     */
    private Tcp listenTcp(Address at, int slot, String address, int port, int flags) {
        Tcp tcp = new Tcp(loop);
        try {
            bindTcp(tcp, address, at.port != 0 ? at.port : port, flags);
            int r = Net.listen(tcp.fileno(), 511);
            if (r < 0) throw ErrnoException.of(-r, "listen");
        } catch (RuntimeException e) {
            tcp.close();
            throw e;
        }
        if (at.port == 0) at.port = tcp.getsockname().port();
        at.perInstance.put(slot, tcp);
        at.reuse.joined(tcp.fileno());
        steer(at);
        return tcp;
    }

    private static void steer(Address at) {
        int r = at.reuse.steer();
        if (r < 0) Log.info("keeper", "cannot steer port " + at.port + ": " + Errno.of(-r).message());
    }

    /** A server of slot {@code slot} listens on {@code port}: its socket of that port takes new connections. */
    private void listening(String group, int slot, int port) {
        Group g = groups.get(group);
        if (g == null) return;
        for (Address at : g.addresses.values()) {
            if (at.port == port && at.perInstance.get(slot) instanceof Tcp tcp && !at.reuse.isLive(tcp.fileno())) {
                at.reuse.live(tcp.fileno(), true);
                steer(at);
            }
            if (at.port == port && at.rr != null) at.rr.live(slot, true);
        }
    }

    /**
     * Whether new connections go to slot {@code slot}'s sockets: on for a socket-activated instance
     * once spawned, off for every slot whose process exits or is being stopped.
     */
    void live(String group, int slot, boolean live) {
        Group g = groups.get(group);
        if (g == null) return;
        for (Address at : g.addresses.values()) {
            if (at.perInstance.get(slot) instanceof Tcp tcp && at.reuse.isLive(tcp.fileno()) != live) {
                at.reuse.live(tcp.fileno(), live);
                steer(at);
            }
            if (at.rr != null) {
                if (live) at.rr.live(slot, true);
                else at.rr.gone(slot);
            }
        }
    }

    /**
     * A reload's commit: the replacement's sockets (slot {@code from}) take new connections
     * instead of the old instance's (slot {@code to}), in one program per address.
     */
    void promote(String group, int from, int to) {
        Group g = groups.get(group);
        if (g == null) return;
        for (Address at : g.addresses.values()) {
            if (at.perInstance.get(from) instanceof Tcp neu) at.reuse.live(neu.fileno(), true);
            if (at.perInstance.get(to) instanceof Tcp old) at.reuse.live(old.fileno(), false);
            if (at.perInstance.containsKey(from) || at.perInstance.containsKey(to)) steer(at);
            if (at.rr != null) {
                at.rr.live(from, true);
                at.rr.live(to, false); // what it was handed it still answers
            }
        }
    }

    /** {@return the connections waiting in slot {@code slot}'s TCP sockets' queues} */
    int queued(String group, int slot) {
        Group g = groups.get(group);
        if (g == null) return 0;
        int n = 0;
        for (Address at : g.addresses.values()) {
            if (at.perInstance.get(slot) instanceof Tcp tcp) n += Math.max(0, Net.acceptQueueLength(tcp.fileno()));
        }
        return n;
    }

    /**
     * A reload's replacement takes over its instance's slot: its sockets are slot {@code to}'s from
     * now on, and the old instance's (drained) sockets are closed.
     */
    void rekey(String group, int from, int to) {
        Group g = groups.get(group);
        if (g == null) return;
        for (Address at : g.addresses.values()) {
            Handle neu = at.perInstance.remove(from);
            if (neu != null) {
                Handle old = at.perInstance.put(to, neu);
                if (old != null) close(at, old);
            }
            if (at.sharers.remove(from)) at.sharers.add(to);
            if (at.rr != null && at.rr.workers.containsKey(from)) {
                boolean wasLive = at.rr.live.contains(from);
                at.rr.gone(to);
                at.rr.workers.put(to, at.rr.workers.remove(from));
                at.rr.live.remove(from);
                at.rr.free.remove(from);
                if (wasLive) at.rr.live(to, true);
            }
        }
    }

    /** {@return whether slot {@code slot} listens on {@code port} through the keeper (a probe can reach it there)} */
    boolean listensOn(String group, int slot, int port) {
        Group g = groups.get(group);
        if (g == null) return false;
        for (Address at : g.addresses.values()) {
            if (at.port == port && (at.perInstance.get(slot) instanceof Tcp || at.rr != null && at.rr.workers.containsKey(slot))) {
                return true;
            }
        }
        return false;
    }

    /** Sends connections from client port {@code from} to slot {@code slot}'s socket of {@code port} (null slot: no more). */
    void probe(String group, Integer slot, int port, int from) {
        Group g = groups.get(group);
        if (g == null) return;
        for (Address at : g.addresses.values()) {
            if (at.port != port) continue;
            if (at.rr != null) {
                if (slot == null) at.rr.probes.remove(from);
                else at.rr.probes.put(from, slot);
                continue;
            }
            Handle h = slot == null ? null : at.perInstance.get(slot);
            at.reuse.probe(from, h instanceof Tcp tcp ? tcp.fileno() : null);
            steer(at);
        }
    }

    private static void close(Address at, Handle h) {
        if (h instanceof Tcp tcp) {
            int r = at.reuse.close(tcp.fileno(), tcp::close);
            if (r < 0) Log.info("keeper", "cannot steer port " + at.port + ": " + Errno.of(-r).message());
        } else {
            h.close();
        }
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
        send(child, message, handle, null);
    }

    /** Sends a cluster message; {@code reply} (if any) gets the worker's answer to it. */
    private void send(ChildProcess child, Map<String, Object> message, Object handle, Consumer<Map<String, Object>> reply) {
        if (!child.connected()) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", "NODE_CLUSTER");
        m.putAll(message);
        int n = seq++;
        m.put("seq", n);
        if (reply != null) acks.put(n, reply);
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
                try {
                    h = listenTcp(at, instance, host, port, Tcp.REUSEPORT);
                } catch (RuntimeException e) {
                    if (at.perInstance.isEmpty()) groups.get(group).addresses.remove("activation:" + spec);
                    throw e;
                }
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

    /** Closes the sockets of slot {@code instance} of {@code group} (it is gone for good). */
    void forget(String group, int instance) {
        Group g = groups.get(group);
        if (g == null) return;
        for (Address at : g.addresses.values()) {
            Handle h = at.perInstance.remove(instance);
            if (h != null) close(at, h);
            at.sharers.remove(instance);
            if (at.rr != null) {
                at.rr.gone(instance);
                at.rr.workers.remove(instance);
            }
        }
        g.addresses.values().removeIf(at -> {
            if (!at.perInstance.isEmpty() || !at.sharers.isEmpty() || at.rr != null && !at.rr.workers.isEmpty()) return false;
            if (at.shared != null) at.shared.close();
            if (at.rr != null) at.rr.close();
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
