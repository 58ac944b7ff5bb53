package dev.herd.node.internal.cluster;

import dev.herd.io.Tcp;
import dev.herd.loop.Loop;
import dev.herd.node.cluster.Worker;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.SockAddr;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Herd's {@code SCHED_REUSEPORT} (not in Node): every worker binds and listens on its own socket
 * with SO_REUSEPORT, and the kernel spreads connections across them by a hash of the connection;
 * the primary is not in the data path at all. The primary only reserves the port — a socket bound
 * with SO_REUSEPORT but never listening, which takes no connections — so that {@code listen(0)}
 * gives every worker the same port and another user cannot take it while workers come and go.
 * Its answer carries {@code reuseport: true} and the port; the worker does the rest.
 *
 * <p>A busy port is found by the worker's own listen (EADDRINUSE, reported on its server). Only
 * Herd workers ask for this (their queryServer says {@code reuseport: true}); others get
 * round-robin.
 *
 * <p>Thread rule: the primary's loop thread. Lifetime: see {@link ServerHandle}.
 */
final class ReusePortHandle extends ServerHandle {
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private Tcp reservation;
    private final int port;
    private int errno;

    ReusePortHandle(Loop loop, String key, String address, int port, int flags) {
        super(key);
        this.port = port;
        reservation = new Tcp(loop);
        try {
            RoundRobinHandle.bindTcp(reservation, address, port, Tcp.REUSEPORT | (flags & Tcp.IPV6ONLY));
        } catch (ErrnoException e) {
            errno = e.errnoEntry().uvCode();
        } catch (RuntimeException e) {
            errno = Errno.EINVAL.uvCode(); // a malformed query (no path, a bad address)
        }
        if (errno != 0) {
            reservation.close();
            reservation = null;
        }
    }

    @Override
    void add(Worker worker, Answer answer) {
        if (errno != 0) {
            answer.send(errno, null, null);
            return;
        }
        workers.put(worker.id(), worker);
        SockAddr a = reservation.getsockname();
        Map<String, Object> sockname = new LinkedHashMap<>();
        sockname.put("address", a.address());
        sockname.put("family", a.family());
        // A port in use by a socket without SO_REUSEPORT leaves the reservation unbound (the
        // error waits for a listen that never comes); the workers' own listens will report it.
        sockname.put("port", port != 0 ? port : a.port());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("sockname", sockname);
        reply.put("reuseport", true);
        answer.send(0, reply, null);
    }

    /** Whether the reservation failed (the primary then forgets this handle). */
    boolean failed() {
        return errno != 0;
    }

    @Override
    boolean remove(Worker worker) {
        if (workers.remove(worker.id()) == null) return false;
        if (!workers.isEmpty()) return false;
        if (reservation != null) reservation.close();
        reservation = null;
        return true;
    }
}
