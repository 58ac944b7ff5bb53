package dev.herd.node.internal.cluster;

import dev.herd.node.EventEmitter;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ClusterSettings;
import dev.herd.node.cluster.ListeningAddress;
import dev.herd.node.cluster.Worker;
import dev.herd.node.internal.Environment;
import dev.herd.node.value.Undefined;
import dev.herd.os.Errno;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * A cluster primary (Node's lib/internal/cluster/primary.js): forks workers, answers their
 * queryServer with a {@link RoundRobinHandle}, {@link SharedHandle} or {@link ReusePortHandle} per
 * server key, and keeps each {@link Worker}'s state and events in step with its process and
 * channel.
 *
 * <p>Unlike Node's, which is one per process, a primary is an object: each has its own workers
 * (ids from 1), settings, scheduling policy and server handles, and its workers talk to it alone,
 * over their own channels. The process's cluster module ({@link Cluster}'s static methods) is the
 * environment's default primary, made on first use ({@link ClusterSide#of}); the process manager
 * makes one per app it manages, in its own environment. This is herd-node's internal API for the
 * manager: its package is exported to {@code dev.herd.manager} alone.
 *
 * <p>Events ({@link #events()}): 'fork' (worker), 'online' (worker), 'listening' (worker,
 * {@link ListeningAddress}), 'disconnect' (worker), 'exit' (worker, Integer code, String signal),
 * 'message' (worker, message, handle), 'setup' ({@link ClusterSettings}), as the cluster module's.
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: the environment's; an instance with
 * no live worker holds no handle.
 */
public final class ClusterPrimary implements ClusterSide {
    final Environment env;
    private final EventEmitter cluster = new ClusterEvents();
    /** Node's {@code intercom}: 'disconnect' once the last worker is gone (cluster.disconnect's callback). */
    private final EventEmitter intercom = new EventEmitter();
    private final Map<String, ServerHandle> handles = new LinkedHashMap<>();
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private final Utils utils = new Utils();
    private final WorkerAccess access = WorkerAccess.get();
    private ClusterSettings settings = ClusterSettings.NONE;
    /** cluster.schedulingPolicy as read and written by the program. */
    private int policyProperty;
    /** The policy in force: the property's value when setupPrimary first ran (Node freezes it then). */
    int schedulingPolicy;
    private int ids;
    private boolean initialized;
    /** Node's debugPortOffset: the next worker's offset from the primary's debug port. */
    private int debugPortOffset;

    /**
     * A primary in the calling thread's environment, with no worker yet and the scheduling policy
     * of {@code HERD_CLUSTER_SCHED_POLICY} / {@code NODE_CLUSTER_SCHED_POLICY}.
     */
    public ClusterPrimary() {
        this(Environment.current());
    }

    ClusterPrimary(Environment env) {
        env.checkThread();
        this.env = env;
        this.policyProperty = policyFromEnvironment(env.process().env());
        this.schedulingPolicy = policyProperty;
    }

    static int policyFromEnvironment(Map<String, String> env) {
        String p = env.get("HERD_CLUSTER_SCHED_POLICY");
        if (p == null || p.isEmpty()) p = env.get("NODE_CLUSTER_SCHED_POLICY");
        if (p == null) return Cluster.SCHED_RR;
        return switch (p) {
            case "none" -> Cluster.SCHED_NONE;
            case "reuseport" -> Cluster.SCHED_REUSEPORT;
            default -> Cluster.SCHED_RR;
        };
    }

    /** {@return the primary's event emitter (see the class comment)} */
    @Override
    public EventEmitter events() {
        return cluster;
    }

    /** {@return null: a primary is not a worker} */
    @Override
    public Worker worker() {
        return null;
    }

    /**
     * The live workers by id, in id order (a worker leaves once it has both disconnected and
     * exited). A read-only view.
     *
     * @return the live workers by id
     */
    public Map<Integer, Worker> workers() {
        return Collections.unmodifiableMap(workers);
    }

    /** {@return the settings workers are forked with (all defaults filled in once setupPrimary or fork ran)} */
    public ClusterSettings settings() {
        return settings;
    }

    /**
     * The scheduling policy as the program reads it (Node's {@code cluster.schedulingPolicy}):
     * {@link Cluster#SCHED_RR}, {@link Cluster#SCHED_NONE} or {@link Cluster#SCHED_REUSEPORT}.
     *
     * @return the policy
     */
    public int schedulingPolicy() {
        return policyProperty;
    }

    /**
     * Sets the policy; it takes effect only before the first {@link #setupPrimary} or
     * {@link #fork} (Node's assignable {@code cluster.schedulingPolicy}).
     *
     * @param policy {@link Cluster#SCHED_RR}, {@link Cluster#SCHED_NONE} or {@link Cluster#SCHED_REUSEPORT}
     * @throws IllegalArgumentException for another value
     */
    public void schedulingPolicy(int policy) {
        if (policy != Cluster.SCHED_NONE && policy != Cluster.SCHED_RR && policy != Cluster.SCHED_REUSEPORT) {
            throw new IllegalArgumentException("Bad cluster.schedulingPolicy: " + policy);
        }
        env.checkThread();
        policyProperty = policy;
    }

    // ---------------------------------------------------------------- setup and fork

    /**
     * Changes how later forks start workers (Node's {@code setupPrimary}): the given fields
     * replace the current settings; the first call also freezes the scheduling policy. 'setup'
     * follows on the next tick.
     *
     * @param options the fields to change, or null to fill in the defaults only
     */
    public void setupPrimary(ClusterSettings options) {
        env.checkThread();
        ClusterSettings s = ClusterSettings.defaults(ChildProcesses.childJvmOptions(env.process().execArgv())).with(settings).with(options);
        settings = s;
        if (!initialized) {
            initialized = true;
            schedulingPolicy = policyProperty; // frozen from now on
        }
        env.nextTick(() -> cluster.emit("setup", s));
    }

    /**
     * Starts a worker with {@link #settings()} (filled in by {@link #setupPrimary} on the first
     * call) and {@code extraEnv} added to this process's environment. 'fork' follows on the next
     * tick.
     *
     * @param extraEnv variables to add to the worker's environment, or null
     * @return the new worker
     */
    public Worker fork(Map<String, String> extraEnv) {
        setupPrimary(null);
        int id = ++ids;
        ChildProcess process = createWorkerProcess(id, extraEnv);
        Worker worker = access.newWorker(this, id, process);
        worker.on(Worker.MESSAGE, (message, handle) -> cluster.emit("message", worker, message, handle));
        process.once(ChildProcess.EXIT, (code, signal) -> {
            // Leave cluster.workers only once disconnected too: it may still be wanted until then.
            if (!worker.isConnected()) {
                removeHandlesForWorker(worker);
                removeWorker(worker);
            }
            access.exitedAfterDisconnect(worker, worker.isExitedAfterDisconnect());
            access.state(worker, "dead");
            worker.emit("exit", code, signal);
            cluster.emit("exit", worker, code, signal);
        });
        process.once(ChildProcess.DISCONNECT, () -> {
            // Replies this worker still owed will never come: its connections go to the others.
            for (Utils.Reply r : utils.dropFor(worker)) r.lost();
            removeHandlesForWorker(worker);
            if (worker.isDead()) removeWorker(worker);
            access.exitedAfterDisconnect(worker, worker.isExitedAfterDisconnect());
            access.state(worker, "disconnected");
            worker.emit("disconnect");
            cluster.emit("disconnect", worker);
        });
        process.on("internalMessage", utils.internal((m, h) -> onMessage(worker, m)));
        env.nextTick(() -> cluster.emit("fork", worker));
        workers.put(id, worker);
        return worker;
    }

    private ChildProcess createWorkerProcess(int id, Map<String, String> extraEnv) {
        Map<String, String> workerEnv = new LinkedHashMap<>(env.process().env());
        if (extraEnv != null) workerEnv.putAll(extraEnv);
        workerEnv.put("NODE_UNIQUE_ID", Integer.toString(id));
        if (schedulingPolicy == Cluster.SCHED_REUSEPORT) workerEnv.put("HERD_CLUSTER_SCHED_POLICY", "reuseport");
        ClusterSettings s = settings;
        List<String> execArgv = new ArrayList<>(s.execArgv());
        withInspectPort(execArgv, s.inspectPort());
        SpawnOptions.Builder o = SpawnOptions.builder().cwd(s.cwd()).env(workerEnv).serialization(s.serialization())
                .silent(Boolean.TRUE.equals(s.silent())).execArgv(execArgv).execPath(s.execPath());
        if (s.stdio() instanceof String shorthand) o.stdio(shorthand);
        else if (s.stdio() instanceof List<?> list) o.stdio(list);
        if (s.uid() != null) o.uid(s.uid());
        if (s.gid() != null) o.gid(s.gid());
        return ChildProcesses.fork(s.exec(), s.args(), o.build());
    }

    /**
     * A JVM worker whose options start the debug agent (-agentlib:jdwp / -Xrunjdwp) gets its own
     * port: {@code inspectPort}, or the primary's port plus one per worker (Node's getInspectPort).
     */
    private void withInspectPort(List<String> execArgv, Object inspectPort) {
        for (int i = 0; i < execArgv.size(); i++) {
            String a = execArgv.get(i);
            if (!a.startsWith("-agentlib:jdwp=") && !a.startsWith("-Xrunjdwp:")) continue;
            int port;
            if (inspectPort instanceof Integer p) port = p;
            else if (inspectPort instanceof IntSupplier f) port = f.getAsInt();
            else port = jdwpPort(a) + ++debugPortOffset;
            if (port < 0 || port > 65535) throw new IllegalArgumentException("inspectPort must be in 0..65535: " + port);
            execArgv.set(i, a.replaceAll("address=([^,]*:)?\\d+", "address=$1" + port));
        }
    }

    private static int jdwpPort(String option) {
        var m = java.util.regex.Pattern.compile("address=(?:[^,]*:)?(\\d+)").matcher(option);
        return m.find() ? Integer.parseInt(m.group(1)) : 5005;
    }

    // ---------------------------------------------------------------- disconnecting

    /**
     * Calls {@link Worker#disconnect()} on every connected worker; {@code callback} runs once all
     * of them have disconnected and exited and their servers are closed.
     *
     * @param callback runs once every worker is gone, or null
     */
    public void disconnect(Runnable callback) {
        env.checkThread();
        if (workers.isEmpty()) {
            env.nextTick(() -> intercom.emit("disconnect"));
        } else {
            for (Worker w : new ArrayList<>(workers.values())) {
                if (w.isConnected()) w.disconnect();
            }
        }
        if (callback != null) intercom.once("disconnect", callback);
    }

    /** Worker.prototype.disconnect in the primary. */
    @Override
    public void disconnect(Worker worker) {
        access.exitedAfterDisconnect(worker, true);
        send(worker, Map.of("act", "disconnect"), null, null);
        removeHandlesForWorker(worker);
        removeWorker(worker);
    }

    /**
     * Worker.prototype.destroy in the primary: the signal at once, as in Node since v15 (the
     * cluster page still describes the older disconnect-then-signal). exitedAfterDisconnect is
     * left as it was, so a worker killed this way reports false unless disconnect() came first.
     */
    @Override
    public void destroy(Worker worker, String signal) {
        worker.process().kill(signal == null ? "SIGTERM" : signal);
    }

    private void removeWorker(Worker worker) {
        workers.remove(worker.id());
        if (workers.isEmpty()) intercom.emit("disconnect"); // every handle has been removed with its workers
    }

    private void removeHandlesForWorker(Worker worker) {
        handles.values().removeIf(h -> h.remove(worker));
    }

    // ---------------------------------------------------------------- messages from workers

    boolean send(Worker worker, Map<String, Object> message, Object handle, Utils.Reply reply) {
        ChildProcess p = worker.process();
        return utils.send(new Utils.Peer() {
            @Override
            public boolean connected() {
                return p.connected();
            }

            @Override
            public void send(Map<String, Object> m, Object h) {
                p.send(m, h, null, null);
            }
        }, worker, message, handle, reply);
    }

    private void onMessage(Worker worker, Map<String, Object> message) {
        Object act = message.get("act");
        if (!(act instanceof String a)) return;
        switch (a) {
            case "online" -> online(worker);
            case "queryServer" -> queryServer(worker, message);
            case "listening" -> listening(worker, message);
            case "close" -> close(worker, message);
            case "exitedAfterDisconnect" -> exitedAfterDisconnect(worker, message);
            default -> { } // unknown acts are ignored, as in Node
        }
    }

    private void online(Worker worker) {
        access.state(worker, "online");
        worker.emit("online");
        cluster.emit("online", worker);
    }

    private void exitedAfterDisconnect(Worker worker, Map<String, Object> message) {
        access.exitedAfterDisconnect(worker, true);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ack", message.get("seq"));
        send(worker, reply, null, null);
    }

    /** A field of a message as JavaScript sees it: undefined when absent. */
    private static Object field(Map<String, Object> message, String name) {
        return message.containsKey(name) ? message.get(name) : Undefined.INSTANCE;
    }

    private void queryServer(Worker worker, Map<String, Object> message) {
        if (Boolean.TRUE.equals(worker.exitedAfterDisconnect())) return; // it is on its way out
        Object address = field(message, "address");
        Object port = field(message, "port");
        Object addressType = field(message, "addressType");
        Object fd = field(message, "fd");
        String key = Utils.jsString(address) + ":" + Utils.jsString(port) + ":" + Utils.jsString(addressType) + ":"
                + Utils.jsString(fd) + ":" + Utils.jsString(field(message, "index"));
        ServerHandle handle = handles.get(key);
        if (handle == null) {
            handle = newHandle(key, message, address, port, addressType, fd);
            handles.put(key, handle);
        }
        if (handle.data == null) handle.data = message.get("data");
        ServerHandle h = handle;
        handle.add(worker, (errno, reply, socket) -> {
            if (errno != null && errno != 0) handles.remove(key, h); // lets another worker try again
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("errno", errno);
            answer.put("key", key);
            answer.put("ack", message.get("seq"));
            answer.put("data", h.data);
            if (reply != null) answer.putAll(reply);
            send(worker, answer, socket, null);
        });
    }

    private ServerHandle newHandle(String key, Map<String, Object> message, Object address, Object port, Object addressType,
            Object fd) {
        int p = Utils.intOf(port, 0);
        int flags = Utils.intOf(message.get("flags"), 0);
        String a = address instanceof String s ? s : null;
        if (p < 0 && a != null) {
            // The shorter of the absolute and the relative path: Unix socket paths are limited to ~100 bytes.
            try {
                String relative = Path.of(env.process().cwd()).relativize(Path.of(a)).toString();
                if (relative.length() < a.length() && !relative.isEmpty()) a = relative;
            } catch (IllegalArgumentException e) {
                // not relativizable: keep the absolute path
            }
        }
        boolean udp = "udp4".equals(addressType) || "udp6".equals(addressType);
        if (Utils.intOf(fd, -1) >= 0 && !udp) {
            // listen({fd}) in a worker means the primary's descriptor of that number (Node's
            // documented quirk); Herd does not hand out its own descriptors by number.
            return new SharedHandle(key, Errno.ENOTSUP.uvCode());
        }
        if (udp || schedulingPolicy == Cluster.SCHED_NONE) {
            return new SharedHandle(env.loop(), key, a, p, addressType, flags);
        }
        if (schedulingPolicy == Cluster.SCHED_REUSEPORT && p >= 0 && Boolean.TRUE.equals(message.get("reuseport"))) {
            return new ReusePortHandle(env.loop(), key, a, p, flags);
        }
        return new RoundRobinHandle(this, key, a, p, flags, Utils.intOf(message.get("backlog"), 0));
    }

    private void listening(Worker worker, Map<String, Object> message) {
        Object fd = message.get("fd");
        ListeningAddress info = new ListeningAddress(message.get("addressType"),
                message.get("address") instanceof String s ? s : null, Utils.intOf(message.get("port"), 0),
                fd instanceof Number n ? n.intValue() : null);
        access.state(worker, "listening");
        worker.emit("listening", info);
        cluster.emit("listening", worker, info);
    }

    /** A worker's server closed: it leaves the handle (which may already be gone after a disconnect). */
    private void close(Worker worker, Map<String, Object> message) {
        Object key = message.get("key");
        ServerHandle handle = handles.get(key);
        if (handle != null && handle.remove(worker)) handles.remove(key);
    }
}
