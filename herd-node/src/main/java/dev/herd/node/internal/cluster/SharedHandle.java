package dev.herd.node.internal.cluster;

import dev.herd.io.Pipe;
import dev.herd.io.Tcp;
import dev.herd.io.Udp;
import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.node.cluster.Worker;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.SockAddr;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Node's lib/internal/cluster/shared_handle.js: the primary makes the socket once per key and
 * only binds it; every worker gets a copy of it over IPC and listens (TCP, Unix) or receives
 * (UDP) on it itself, so the kernel decides which worker accepts each connection. Used for
 * {@code SCHED_NONE} and always for UDP. A bind failure goes to every querying worker as its errno.
 *
 * <p>Thread rule: the primary's loop thread. Lifetime: see {@link ServerHandle}.
 */
final class SharedHandle extends ServerHandle {
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private Handle handle;
    private int errno;

    /**
     * Binds (Node's {@code net._createServerHandle} / {@code dgram._createSocketHandle}): UDP for
     * addressType "udp4"/"udp6", a Unix socket for port and addressType -1, else TCP ({@code ::}
     * then {@code 0.0.0.0} for a null address).
     */
    SharedHandle(Loop loop, String key, String address, int port, Object addressType, int flags) {
        super(key);
        try {
            if ("udp4".equals(addressType) || "udp6".equals(addressType)) {
                Udp udp = new Udp(loop);
                handle = udp;
                String a = address != null ? address : "udp6".equals(addressType) ? "::" : "0.0.0.0";
                udp.bind(SockAddr.inet(a, port), flags & (Udp.IPV6ONLY | Udp.REUSEADDR));
            } else if (port == -1 && Integer.valueOf(-1).equals(addressType)) {
                Pipe pipe = new Pipe(loop);
                handle = pipe;
                pipe.bind(address);
            } else {
                Tcp tcp = new Tcp(loop);
                handle = tcp;
                RoundRobinHandle.bindTcp(tcp, address, port, Integer.valueOf(6).equals(addressType) ? flags & Tcp.IPV6ONLY : 0);
            }
        } catch (ErrnoException e) {
            errno = e.errnoEntry().uvCode();
        } catch (RuntimeException e) {
            errno = Errno.EINVAL.uvCode(); // a malformed query (no path, a bad address)
        }
        if (errno != 0 && handle != null) {
            handle.close();
            handle = null;
        }
    }

    /** A handle that could not be made: every query gets {@code errno}. */
    SharedHandle(String key, int errno) {
        super(key);
        this.errno = errno;
    }

    @Override
    void add(Worker worker, Answer answer) {
        workers.put(worker.id(), worker);
        answer.send(errno, null, handle);
    }

    @Override
    boolean remove(Worker worker) {
        if (workers.remove(worker.id()) == null) return false;
        if (!workers.isEmpty()) return false;
        if (handle != null) handle.close();
        handle = null;
        return true;
    }
}
