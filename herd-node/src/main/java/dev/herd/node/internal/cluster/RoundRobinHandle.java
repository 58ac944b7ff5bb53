package dev.herd.node.internal.cluster;

import dev.herd.io.Pipe;
import dev.herd.io.Stream;
import dev.herd.io.Tcp;
import dev.herd.node.cluster.Worker;
import dev.herd.node.internal.Environment;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.SockAddr;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Node's lib/internal/cluster/round_robin_handle.js: the primary listens, accepts, and hands each
 * connection to a worker as a {@code newconn} message carrying the socket. The rules are Node's:
 * a worker gets a connection only when it has none unacknowledged on this server (it is then in
 * the {@code free} queue, oldest first, so idle workers strictly alternate); a connection the
 * worker does not accept goes to the next free worker; accept errors are skipped; when the last
 * worker leaves, queued connections and the listening socket are closed.
 *
 * <p>Herd adds one rule: a connection handed to a worker that goes away without answering (killed,
 * crashed) is queued again for the others instead of being leaked — the worker cannot have read
 * from it, since a worker answers before it reads.
 *
 * <p>Thread rule: the primary's loop thread. Lifetime: see {@link ServerHandle}.
 */
final class RoundRobinHandle extends ServerHandle {
    private final ClusterPrimary primary;
    private final Environment env;
    private final Map<Integer, Worker> all = new LinkedHashMap<>();
    /** Workers with no newconn in flight, in the order they became free. */
    private final LinkedHashMap<Integer, Worker> free = new LinkedHashMap<>();
    /** Accepted connections no worker has taken yet. */
    private final ArrayDeque<Stream> handles = new ArrayDeque<>();
    private Stream handle;
    /** The listen failure (libuv code), or 0. */
    private int errno;

    /**
     * Listens at once: on {@code port} of {@code address} (null: {@code ::}, else {@code 0.0.0.0}
     * where IPv6 is missing; {@code flags & 1}: IPv6 only), or on the Unix socket {@code address}
     * when {@code port} is negative.
     */
    RoundRobinHandle(ClusterPrimary primary, String key, String address, int port, int flags, int backlog) {
        super(key);
        this.primary = primary;
        this.env = primary.env;
        int bl = backlog > 0 ? backlog : 511;
        try {
            if (port >= 0) {
                Tcp tcp = new Tcp(env.loop());
                handle = tcp;
                bindTcp(tcp, address, port, flags & Tcp.IPV6ONLY);
                tcp.listen(bl, err -> env.makeCallback(() -> onConnection(err)));
            } else {
                Pipe pipe = new Pipe(env.loop());
                handle = pipe;
                pipe.bind(address);
                pipe.listen(bl, err -> env.makeCallback(() -> onConnection(err)));
            }
        } catch (ErrnoException e) {
            errno = e.errnoEntry().uvCode();
            close();
        } catch (RuntimeException e) {
            errno = Errno.EINVAL.uvCode(); // a malformed query (no path, a bad address)
            close();
        }
    }

    /** Node's createServerHandle address rule: a null address tries {@code ::}, then {@code 0.0.0.0}. */
    static void bindTcp(Tcp tcp, String address, int port, int flags) {
        if (address != null) tcp.bind(SockAddr.inet(address, port), flags);
        else tcp.bindAny(port, flags);
    }

    private void close() {
        if (handle != null) handle.close();
        handle = null;
    }

    @Override
    void add(Worker worker, Answer answer) {
        if (errno != 0) {
            answer.send(errno, null, null);
            return;
        }
        all.put(worker.id(), worker);
        if (handle instanceof Tcp tcp) {
            SockAddr a = tcp.getsockname();
            Map<String, Object> sockname = new LinkedHashMap<>();
            sockname.put("address", a.address());
            sockname.put("family", a.family());
            sockname.put("port", a.port());
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("sockname", sockname);
            answer.send(null, reply, null);
        } else {
            answer.send(null, null, null); // Unix socket: no sockname
        }
        handoff(worker); // in case connections are waiting
    }

    /** Whether the listen failed (the primary then forgets this handle). */
    boolean failed() {
        return errno != 0;
    }

    @Override
    boolean remove(Worker worker) {
        if (all.remove(worker.id()) == null) return false;
        free.remove(worker.id());
        if (!all.isEmpty()) return false;
        for (Stream h : handles) h.close();
        handles.clear();
        close();
        return true;
    }

    private void onConnection(ErrnoException err) {
        if (err != null || handle == null) return; // accept errors are skipped, as in Node
        Stream client;
        try {
            client = handle.acceptNew();
        } catch (ErrnoException e) {
            return;
        }
        distribute(client);
    }

    /** Queues {@code client} and gives the oldest queued connection to the first free worker. */
    private void distribute(Stream client) {
        handles.add(client);
        Iterator<Worker> it = free.values().iterator();
        if (it.hasNext()) {
            Worker w = it.next();
            it.remove();
            handoff(w);
        }
    }

    /** Sends {@code worker} the next queued connection, or marks it free. */
    private void handoff(Worker worker) {
        if (!all.containsKey(worker.id())) return; // the worker is closing (or has closed) the server
        Stream h = handles.poll();
        if (h == null) {
            free.put(worker.id(), worker);
            return;
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("act", "newconn");
        message.put("key", key);
        boolean sent = primary.send(worker, message, h, new Utils.Reply() {
            @Override
            public void reply(Map<String, Object> reply, Object ignored) {
                if (Boolean.TRUE.equals(reply.get("accepted"))) h.close();
                else distribute(h); // the worker is shutting down: another one takes it
                handoff(worker);
            }

            @Override
            public void lost() {
                if (handle == null) h.close(); // nobody left to take it
                else distribute(h);
            }
        });
        if (!sent) {
            // The worker's channel is gone (Node would leak the connection here): keep it for the others.
            handles.addFirst(h);
        }
    }

    /** Connections accepted and not yet taken (for tests). */
    int queued() {
        return handles.size();
    }
}
