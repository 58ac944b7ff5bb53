package dev.herd.manager;

import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.io.Pipe;
import dev.herd.loop.Loop;
import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.internal.manager.PeerCredentials;
import dev.herd.node.internal.manager.RuntimeReport;
import dev.herd.node.internal.manager.Subreaper;
import dev.herd.node.internal.manager.WatchedProcess;
import dev.herd.node.json.Json;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.ErrnoException;
import dev.herd.os.Proc;
import dev.herd.os.Signals;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The keeper: the apps' parent. It spawns them as the daemon asks, is their child subreaper (so a
 * child an app daemonises comes back to it rather than to init), holds the read ends of their
 * stdout and stderr and drains them into their log files ({@link Pump}), holds their IPC channels,
 * reaps them and reports their exits. It has no policy: the daemon decides, the keeper does, and
 * it outlives the daemon, so a daemon that dies (or is replaced by {@code herd update}) costs the
 * apps nothing: they keep running and logging, and the next daemon learns everything from
 * {@code hello}. Its protocol is in docs/manager.md ("The keeper protocol").
 *
 * <p>Every app process is started in a session of its own and with {@code unique_id} (the app's)
 * in its environment. An app's <em>tree</em> is its process and every descendant, plus the
 * orphans that came back to the keeper and carry the app's {@code unique_id} in their initial
 * environment or the session of one of its processes; {@code kill} signals the whole tree.
 *
 * <p>Thread rule: everything on the keeper's loop thread; log writes on the work pool.
 */
public final class Keeper {
    /** The longest request line the keeper reads (a spawn carries a whole environment). */
    static final int MAX_LINE = 8 * 1024 * 1024;
    /** How often the keeper looks for orphans to reap (HERD_KEEPER_REAP_MS). */
    static final long REAP_MS = 2000;
    /** After SIGKILL, how long a tree may take to go before {@code kill} answers with what is left. */
    static final long FORCE_GRACE_MS = 5000;
    /** While forcing, how often the tree is looked at again (processes forked meanwhile). */
    static final long FORCE_RESCAN_MS = 50;
    /** The environment variable that marks an app's processes (pm2 sets it too). */
    static final String MARK = "unique_id";
    /** Past pids kept per app, to attribute orphans by their session. */
    private static final int PAST_PIDS = 16;

    private final HerdHome home;
    private final int self = process().pid();
    private final int uid = ProcFs.uid();
    private final Loop loop = process().loop();
    private final Map<Integer, Kept> apps = new TreeMap<>();
    /** The keeper's adopted children (not app processes), by pid: their app's id, or -1. */
    private final Map<Integer, Orphan> orphans = new HashMap<>();
    private final List<KillRun> kills = new ArrayList<>();
    /** The primary of cluster-mode instances, made with the first. */
    private KeeperCluster cluster;
    private Server server;
    private Socket daemon;
    private boolean orphanScanQueued;
    @SuppressWarnings("unused") // held for the keeper's life: the lock is what says it runs
    private FileLock lock;
    /** {@code herd runtime}: where the apps' lines also go, or null. */
    private Console console;
    /** {@code herd runtime}: runs once the keeper listens, or null. */
    private Runnable listening;
    /** False while {@code herd runtime}'s own start runs: its JDK children are not orphans to reap. */
    private boolean adoptOrphans = true;

    private Keeper(HerdHome home) {
        this.home = home;
    }

    /**
     * The keeper of {@code herd runtime} ({@link Foreground}), in the runtime's own process: the
     * apps' lines also go to {@code console}, and {@code listening} runs once it listens.
     */
    static Keeper inForeground(HerdHome home, Console console, Runnable listening) {
        Keeper k = new Keeper(home);
        k.console = console;
        k.listening = listening;
        return k;
    }

    /** Whether processes that come back to the keeper are adopted and reaped ({@code herd runtime}). */
    void adoptOrphans(boolean adopt) {
        adoptOrphans = adopt;
        if (adopt) scanOrphans();
    }

    /**
     * The keeper's entry point ({@code herd keeper}, run by the daemon): a Herd program that runs
     * until told to exit.
     *
     * @param args not used
     */
    public static void main(String[] args) {
        Herd.run(args, a -> new Keeper(HerdHome.of(System.getenv())).start());
    }

    /** One app as the keeper knows it: its current (or last) process, its logs, its past pids. */
    private static final class Kept {
        /** The app's pm_id; a reload's replacement has a key of its own until {@code rekey}. */
        int app;
        String uniqueId;
        String name;
        ChildProcess child;
        int pid;
        long startedAt;
        long startTicks;
        boolean running;
        Integer code;
        String signal;
        long exitedAt;
        LogFile out;
        LogFile err;
        /** The combined file ({@code log_file}), or null. */
        LogFile all;
        KillRun kill;
        /** A kill's answer held until the app's own process is reaped (it may be a zombie when its tree is gone). */
        Runnable afterExit;
        /** The app's NOTIFY_SOCKET (sd_notify), or null. */
        NotifySocket notify;
        /** The cluster-mode app this is an instance of ({@link KeeperCluster}), or null. */
        String group;
        int instance;
        /** Its sockets' slot in the group: the instance's number, or a replacement's own key until promoted. */
        int slot;
        /** A reload's replacement before its commit: its sockets get no connection but the probe's. */
        boolean candidate;
        /** Its group's TCP connections go through the keeper ({@code round_robin}). */
        boolean roundRobin;
        final ArrayDeque<Integer> pastPids = new ArrayDeque<>();

        Kept(int app) {
            this.app = app;
        }
    }

    /** A process that came back to the keeper: watched (and reaped) until it exits. */
    private record Orphan(int pid, int app, WatchedProcess watch) {}

    void start() throws IOException {
        home.prepare();
        FileChannel ch = FileChannel.open(home.keeperLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = ch.tryLock();
        if (lock == null) {
            String pid = Files.exists(home.keeperPid()) ? Files.readString(home.keeperPid()).strip() : "?";
            System.err.println("herd keeper: another keeper runs for " + home + " (pid " + pid + ")");
            process().exit(1);
        }
        Subreaper.become();
        Files.writeString(home.keeperPid(), self + "\n");
        Files.deleteIfExists(home.keeperSocket());
        server = Net.createServer(this::onConnection);
        server.on("error", a -> {
            Log.info("keeper", "cannot listen on " + home.keeperSocket() + ": " + a[0]);
            process().exit(1);
        });
        server.listen(home.keeperSocket().toString(), () -> {
            try {
                HerdHome.ownerOnly(home.keeperSocket());
            } catch (IOException e) {
                Log.info("keeper", "cannot chmod " + home.keeperSocket() + ": " + e);
            }
            Log.info("keeper", "started (pid " + self + ")");
            if (listening != null) listening.run();
        });
        setInterval(this::scanOrphans, Settings.millis("HERD_KEEPER_REAP_MS", REAP_MS)).unref();
    }

    // ---------------------------------------------------------------- the daemon's connection

    private void onConnection(Socket socket) {
        socket.on("error", a -> {});
        PeerCredentials peer = PeerCredentials.of(socket);
        if (peer.uid() != uid && peer.uid() != 0) {
            socket.end(errorLine(null, "EPERM", "the keeper belongs to uid " + uid));
            return;
        }
        // One daemon at a time (it holds daemon.pid.lock): a new connection is a new daemon whose
        // predecessor died, perhaps before its connection's end reached this loop.
        if (daemon != null && !daemon.destroyed()) daemon.destroy();
        daemon = socket;
        LineSplitter lines = new LineSplitter(MAX_LINE, new LineSplitter.Sink() {
            @Override
            public void line(byte[] bytes, int offset, int length) {
                onRequest(socket, bytes, offset, length);
            }

            @Override
            public void tooLong() {
                socket.write(errorLine(null, "E2BIG", "request longer than " + MAX_LINE + " bytes"));
            }
        });
        socket.on("data", a -> lines.feed((byte[]) a[0]));
        socket.on("close", () -> {
            if (daemon == socket) {
                daemon = null;
                Log.info("keeper", "daemon disconnected");
            }
        });
    }

    private void onRequest(Socket socket, byte[] bytes, int offset, int length) {
        Object id = null;
        try {
            Map<String, Object> req = Fields.object(Json.parse(bytes, offset, length), "a request");
            id = req.get("id");
            Object replyTo = id;
            String cmd = Fields.required(req, "cmd");
            switch (cmd) {
                case "hello" -> reply(socket, id, hello());
                case "spawn" -> spawn(req, (result, code, message) -> {
                    if (code == null) reply(socket, replyTo, result);
                    else socket.write(errorLine(replyTo, code, message));
                });
                case "kill" -> kill(req, result -> reply(socket, replyTo, result));
                case "signal" -> reply(socket, id, signal(req));
                case "send" -> reply(socket, id, send(req));
                case "forget" -> reply(socket, id, forget(req));
                case "release" -> reply(socket, id, release(req));
                case "rekey" -> reply(socket, id, rekey(req));
                case "promote" -> reply(socket, id, promote(req));
                case "probe" -> probe(req, (result, code, message) -> {
                    if (code == null) reply(socket, replyTo, result);
                    else socket.write(errorLine(replyTo, code, message));
                });
                case "reopen" -> LogFiles.reopen(loop, files(), r -> reply(socket, replyTo, r));
                case "exit" -> exit(socket, id);
                default -> throw new IllegalArgumentException("unknown command '" + cmd + "'");
            }
        } catch (KeeperException e) {
            socket.write(errorLine(id, e.code, e.getMessage()));
        } catch (RuntimeException e) {
            socket.write(errorLine(id, "EINVAL", String.valueOf(e.getMessage())));
        }
    }

    /** A request the keeper refuses, with its protocol error code. */
    private static final class KeeperException extends RuntimeException {
        final String code;

        KeeperException(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    private static void reply(Socket socket, Object id, Object result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("ok", true);
        m.put("result", result);
        socket.write(Json.stringifyUtf8Line(m));
    }

    private static byte[] errorLine(Object id, String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("ok", false);
        m.put("error", Map.of("code", code, "message", message));
        return Json.stringifyUtf8Line(m);
    }

    private void event(Map<String, Object> event) {
        if (daemon != null && !daemon.destroyed()) daemon.write(Json.stringifyUtf8Line(event));
    }

    // ---------------------------------------------------------------- requests

    private Map<String, Object> hello() {
        List<Object> list = new ArrayList<>();
        for (Kept k : apps.values()) list.add(describe(k));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", self);
        r.put("apps", list);
        return r;
    }

    private static Map<String, Object> describe(Kept k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", k.app);
        m.put("uniqueId", k.uniqueId);
        m.put("pid", k.pid);
        m.put("running", k.running);
        m.put("startedAt", k.startedAt);
        m.put("startTicks", k.startTicks);
        m.put("code", k.code);
        m.put("signal", k.signal);
        m.put("exitedAt", k.exitedAt);
        m.put("stopping", k.kill != null);
        return m;
    }

    /** Answers a spawn: a result, or an error code and message. */
    private interface SpawnReply {
        void done(Map<String, Object> result, String code, String message);
    }

    private KeeperCluster cluster() {
        if (cluster == null) cluster = new KeeperCluster(loop);
        return cluster;
    }

    private void spawn(Map<String, Object> req, SpawnReply reply) {
        int app = Fields.integer(req, "app", -1);
        if (app < 0) throw new IllegalArgumentException("'app' is missing");
        Kept k = apps.computeIfAbsent(app, Kept::new);
        if (k.running) throw new KeeperException("EBUSY", "app " + app + " runs already (pid " + k.pid + ")");
        if (k.kill != null) throw new KeeperException("EBUSY", "app " + app + " is being stopped");
        String file = Fields.required(req, "file");
        List<String> args = Fields.strings(req, "args");
        Map<String, String> env = Fields.stringMap(req, "env");
        String cwd = Fields.string(req, "cwd", null);
        boolean ipc = Fields.bool(req, "ipc", false);
        k.uniqueId = Fields.required(req, "uniqueId");
        k.name = Fields.string(req, "name", "app" + app);
        env.put(MARK, k.uniqueId);
        Map<String, Object> log = req.get("log") == null ? null : Fields.object(req.get("log"), "'log'");
        if (Fields.bool(req, "notify", false)) {
            try {
                if (k.notify == null) k.notify = NotifySocket.open(home, loop, app, m -> notified(k, m));
            } catch (IOException e) {
                throw new KeeperException("EIO", "cannot make the NOTIFY_SOCKET: " + e.getMessage());
            }
            env.put("NOTIFY_SOCKET", k.notify.path().toString());
        }
        try {
            k.out = reopen(k.out, Path.of(Fields.required(req, "out")));
            k.err = reopen(k.err, Path.of(Fields.required(req, "err")));
            String all = log == null ? null : Fields.string(log, "all", null);
            k.all = all == null ? forgetFile(k.all) : reopen(k.all, Path.of(all));
            if (log != null) LogFiles.rotation(log, k.out, k.err, k.all);
        } catch (IOException e) {
            throw new KeeperException("EIO", "cannot open the log files: " + e.getMessage());
        }
        if (req.get("cluster") != null) {
            Map<String, Object> c = Fields.object(req.get("cluster"), "'cluster'");
            if (!ipc) throw new KeeperException("EINVAL", "a cluster instance needs an IPC channel");
            k.group = Fields.required(c, "group");
            k.instance = Fields.integer(c, "instance", 0);
            k.slot = Fields.integer(c, "slot", k.instance);
            k.candidate = k.slot != k.instance;
            k.roundRobin = Fields.bool(c, "rr", false);
            cluster().prepare(env);
        } else {
            k.group = null;
        }
        int[] activation = new int[0];
        if (req.get("activation") != null) {
            // systemd's socket activation: the listening sockets at fds 3.., LISTEN_FDS,
            // LISTEN_FDNAMES, and LISTEN_PID set by a shell that then execs the program (posix_spawn
            // cannot know the child's pid in advance; exec keeps it).
            Map<String, Object> act = Fields.object(req.get("activation"), "'activation'");
            k.group = Fields.required(act, "group");
            k.instance = Fields.integer(act, "instance", 0);
            k.slot = Fields.integer(act, "slot", k.instance);
            k.candidate = k.slot != k.instance;
            List<String> listen = Fields.strings(act, "listen");
            try {
                activation = cluster().activation(k.group, k.slot, listen);
            } catch (ErrnoException e) {
                throw new KeeperException(e.code(), "cannot listen on " + listen + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new KeeperException("EINVAL", "a listen address must be PORT or HOST:PORT: " + listen);
            }
            KeeperCluster.activationEnv(listen, env);
            env.remove("LISTEN_PID");
            List<String> shim = new ArrayList<>(List.of("-c", "LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\"", file));
            shim.addAll(args);
            args = shim;
            file = "/bin/sh";
        }
        Pipe[] out = Pipe.socketpair(loop);
        Pipe[] err = Pipe.socketpair(loop);
        List<Object> stdio = new ArrayList<>(List.of("ignore", out[1], err[1]));
        for (int fd : activation) stdio.add(fd);
        if (ipc) stdio.add("ipc"); // after the listening sockets, as systemd's LISTEN_FDS wants them
        ChildProcess child;
        try {
            SpawnOptions.Builder options = SpawnOptions.builder().cwd(cwd).env(env).stdio(stdio).detached(true);
            // --uid/--gid: the app runs as that user; its log files stay the keeper's.
            if (req.get("uid") != null) options.uid(Fields.integer(req, "uid", -1));
            if (req.get("gid") != null) options.gid(Fields.integer(req, "gid", -1));
            child = ChildProcesses.spawn(file, args, options.build());
        } catch (RuntimeException e) {
            out[0].close();
            err[0].close();
            throw new KeeperException(e instanceof ErrnoException ee ? ee.code() : "EINVAL", String.valueOf(e.getMessage()));
        } finally {
            // The child has its copies; the keeper keeps only the read ends, or it would never see EOF.
            out[1].close();
            err[1].close();
        }
        if (child.pid() == null) {
            out[0].close();
            err[0].close();
            child.once("error", a -> {
                Object e = a[0];
                reply.done(null, e instanceof ErrnoException ee ? ee.code() : "EINVAL", String.valueOf(((Throwable) e).getMessage()));
            });
            return;
        }
        k.child = child;
        k.pid = child.pid();
        k.running = true;
        k.startedAt = System.currentTimeMillis();
        ProcFs.Stat st = ProcFs.stat(k.pid);
        k.startTicks = st == null ? 0 : st.startTime();
        k.code = null;
        k.signal = null;
        k.exitedAt = 0;
        k.pastPids.addFirst(k.pid);
        if (k.pastPids.size() > PAST_PIDS) k.pastPids.removeLast();
        new Pump(loop, out[0], k.out, k.all, LineFormat.of(log, "out"))
                .tap(console == null ? null : console.tap(app, k.name, false)).start();
        new Pump(loop, err[0], k.err, k.all, LineFormat.of(log, "err"))
                .tap(console == null ? null : console.tap(app, k.name, true)).start();
        child.on("error", a -> Log.info("keeper", "app " + app + " (pid " + k.pid + "): " + a[0]));
        if (activation.length > 0 && !k.candidate) cluster().live(k.group, k.slot, true);
        if (k.group != null) {
            int pid = k.pid;
            cluster().attach(child, k.group, k.slot, !k.candidate, k.roundRobin, ev -> {
                ev.put("app", k.app);
                ev.put("pid", pid);
                event(ev);
            });
        }
        child.on("internalMessage", a -> {
            // A Herd program's own figures (RuntimeReport): the daemon keeps the last.
            if (a.length > 0 && a[0] instanceof Map<?, ?> m && RuntimeReport.CMD.equals(m.get("cmd"))) {
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("event", "report");
                ev.put("app", k.app);
                ev.put("pid", child.pid());
                Map<String, Object> report = new LinkedHashMap<>();
                m.forEach((key, value) -> {
                    if (!"cmd".equals(key)) report.put(String.valueOf(key), value);
                });
                ev.put("report", report);
                event(ev);
            }
        });
        child.on("exit", a -> onExit(k, child, (Integer) a[0], (String) a[1]));
        child.on("message", a -> {
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("event", "message");
            ev.put("app", k.app);
            ev.put("pid", child.pid());
            ev.put("message", a[0]);
            event(ev);
        });
        Log.info("keeper", "App [" + k.name + ":" + app + "] spawned (pid " + k.pid + "): " + file + " " + args);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", k.pid);
        r.put("startedAt", k.startedAt);
        r.put("startTicks", k.startTicks);
        reply.done(r, null, null);
    }

    private static LogFile forgetFile(LogFile current) {
        if (current != null) current.forget();
        return null;
    }

    /** A datagram on the app's NOTIFY_SOCKET: handed to the daemon as a {@code notify} event. */
    private void notified(Kept k, Map<String, String> state) {
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("event", "notify");
        ev.put("app", k.app);
        ev.put("pid", k.pid);
        ev.put("state", state);
        event(ev);
    }

    private static LogFile reopen(LogFile current, Path path) throws IOException {
        if (current != null && current.path().equals(path)) return current;
        if (current != null) current.forget();
        return LogFile.open(path);
    }

    private void onExit(Kept k, ChildProcess child, Integer code, String signal) {
        if (k.child != child) return;
        k.running = false;
        if (k.group != null) cluster().live(k.group, k.slot, false);
        k.code = code;
        k.signal = signal;
        k.exitedAt = System.currentTimeMillis();
        Log.info("keeper", "App [" + k.name + ":" + k.app + "] exited with code [" + code + "] via signal [" + signal
                + "] (pid " + k.pid + ")");
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("event", "exit");
        ev.put("app", k.app);
        ev.put("pid", k.pid);
        ev.put("code", code);
        ev.put("signal", signal);
        ev.put("at", k.exitedAt);
        event(ev);
        if (k.afterExit != null) {
            Runnable answer = k.afterExit;
            k.afterExit = null;
            answer.run();
        }
        somethingExited();
    }

    private Map<String, Object> signal(Map<String, Object> req) {
        Kept k = known(req);
        String signal = Fields.required(req, "signal");
        if (Signals.number(signal) <= 0) throw new KeeperException("EINVAL", "unknown signal " + signal);
        boolean sent = k.running && k.child.kill(signal);
        return Map.of("sent", sent);
    }

    private Map<String, Object> send(Map<String, Object> req) {
        Kept k = known(req);
        if (!k.running || !k.child.connected()) throw new KeeperException("ENOTCONN", "app " + k.app + " has no IPC channel open");
        k.child.send(req.get("message"));
        return Map.of("sent", true);
    }

    /**
     * A reload's replacement takes its instance's place: the process kept under {@code from}
     * is kept under {@code to} from now on, and what was kept under {@code to} (the old
     * instance, gone by now) is forgotten; the instance's sockets stay.
     */
    private Map<String, Object> rekey(Map<String, Object> req) {
        int from = Fields.integer(req, "from", -1);
        int to = Fields.integer(req, "to", -1);
        Kept k = apps.get(from);
        if (k == null) throw new KeeperException("ENOENT", "no app " + from);
        Kept old = apps.get(to);
        if (old != null && (old.running || old.kill != null)) throw new KeeperException("EBUSY", "app " + to + " still runs");
        if (k.group != null && k.slot != k.instance) {
            cluster().rekey(k.group, k.slot, k.instance);
            k.slot = k.instance;
            k.candidate = false;
            if (k.running) cluster().live(k.group, k.slot, true); // promoted already, unless its old instance was gone
        }
        if (old != null) {
            apps.remove(to);
            closeKept(old, k);
        }
        apps.remove(from);
        k.app = to;
        apps.put(to, k);
        return Map.of("pid", k.pid);
    }

    /** Closes what {@code k} holds; its cluster sockets only when {@code heir} (if any) is not of its instance. */
    private void closeKept(Kept k, Kept heir) {
        if (k.group != null && !sharesSlot(k, heir)) cluster().forget(k.group, k.slot);
        if (k.notify != null) k.notify.close();
        if (k.out != null && (heir == null || heir.out != k.out)) k.out.forget();
        if (k.err != null && (heir == null || heir.err != k.err)) k.err.forget();
        if (k.all != null && (heir == null || heir.all != k.all)) k.all.forget();
    }

    /** Whether another kept process than {@code k} (or {@code heir}) is of {@code k}'s cluster instance. */
    private boolean sharesSlot(Kept k, Kept heir) {
        if (heir != null && k.group.equals(heir.group) && k.slot == heir.slot) return true;
        for (Kept o : apps.values()) {
            if (o != k && k.group.equals(o.group) && k.slot == o.slot) return true;
        }
        return false;
    }

    /**
     * An instance that will not come back by itself (stopped, errored): its cluster sockets are
     * closed, so that its port refuses connections instead of queueing them for nobody.
     */
    private Map<String, Object> release(Map<String, Object> req) {
        Kept k = apps.get(Fields.integer(req, "app", -1));
        boolean released = k != null && k.group != null && !k.running && !sharesSlot(k, null);
        if (released) cluster().forget(k.group, k.slot);
        return Map.of("released", released);
    }

    /**
     * A reload's commit for one instance: the replacement kept under {@code app} takes new
     * connections from now on, its instance's old process none (it drains what it has).
     */
    private Map<String, Object> promote(Map<String, Object> req) {
        Kept k = known(req);
        if (k.group == null || !k.candidate) return Map.of("promoted", false);
        if (!k.running) throw new KeeperException("ESRCH", "app " + k.app + " is not running");
        cluster().promote(k.group, k.slot, k.instance);
        return Map.of("promoted", true);
    }

    /**
     * {@code --health-url}: one HTTP GET that only the process kept under {@code app} gets,
     * answered with {@code {"status": code}}, or an error (no such socket, no HTTP answer).
     */
    private void probe(Map<String, Object> req, SpawnReply reply) {
        Kept k = known(req);
        HealthProbe.Target target;
        try {
            target = HealthProbe.Target.parse(Fields.required(req, "url"));
        } catch (IllegalArgumentException e) {
            throw new KeeperException("EINVAL", e.getMessage());
        }
        if (k.group == null || !k.running || !cluster().listensOn(k.group, k.slot, target.port())) {
            throw new KeeperException("ENOTLISTEN", "pid " + k.pid + " does not listen on port " + target.port()
                    + " through the manager");
        }
        long timeout = Math.max(1, Fields.number(req, "timeout", 2000));
        String group = k.group;
        int slot = k.slot;
        String[] why = {null};
        HealthProbe.run(loop, target, timeout, new HealthProbe.Steering() {
            @Override
            public void steer(int clientPort) {
                cluster().probe(group, slot, target.port(), clientPort);
            }

            @Override
            public void release(int clientPort) {
                cluster().probe(group, null, target.port(), clientPort);
            }
        }, status -> {
            if (status < 0) reply.done(null, "EPROBE", why[0]);
            else reply.done(Map.of("status", status), null, null);
        }, w -> why[0] = w);
    }

    private Map<String, Object> forget(Map<String, Object> req) {
        int app = Fields.integer(req, "app", -1);
        Kept k = apps.get(app);
        if (k == null) return Map.of("forgotten", false);
        if (k.running || k.kill != null) throw new KeeperException("EBUSY", "app " + app + " still runs");
        apps.remove(app);
        closeKept(k, null);
        return Map.of("forgotten", true);
    }

    /** Every log file the keeper holds open. */
    private List<LogFile> files() {
        List<LogFile> files = new ArrayList<>();
        for (Kept k : apps.values()) {
            for (LogFile f : new LogFile[] {k.out, k.err, k.all}) {
                if (f != null && !files.contains(f)) files.add(f);
            }
        }
        return files;
    }

    private Kept known(Map<String, Object> req) {
        int app = Fields.integer(req, "app", -1);
        Kept k = apps.get(app);
        if (k == null) throw new KeeperException("ENOTFOUND", "no app " + app);
        return k;
    }

    /** Exits after killing every process left: what is still running belongs to no app any more. */
    private void exit(Socket socket, Object id) {
        Log.info("keeper", "exiting");
        cleanUp();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("ok", true);
        m.put("result", Map.of("exiting", true));
        socket.write(Json.stringifyUtf8Line(m), e -> process().exit(0));
        setTimeout(() -> process().exit(0), 1000).unref();
    }

    /** SIGKILLs every process left, closes the notify sockets, removes keeper.sock and keeper.pid. */
    void cleanUp() {
        scanOrphans();
        for (Kept k : apps.values()) {
            for (ProcFs.Stat s : treeOf(k)) Proc.kill(s.pid(), Signals.SIGKILL);
        }
        for (Orphan o : orphans.values()) Proc.kill(o.pid(), Signals.SIGKILL);
        for (Kept k : apps.values()) {
            if (k.notify != null) k.notify.close();
        }
        try {
            Files.deleteIfExists(home.keeperSocket());
            Files.deleteIfExists(home.keeperPid());
        } catch (IOException e) {
            // the next keeper replaces them
        }
    }

    // ---------------------------------------------------------------- trees and orphans

    /** A process of the keeper's ended: orphans may have come back, and kills may be over. */
    private void somethingExited() {
        if (!orphanScanQueued) {
            orphanScanQueued = true;
            setImmediate(() -> {
                orphanScanQueued = false;
                scanOrphans();
                for (KillRun r : List.copyOf(kills)) r.queueRescan();
            });
        }
    }

    /** Adopts and watches (to reap) every child of the keeper that is not an app's process. */
    private void scanOrphans() {
        if (!adoptOrphans) return;
        Set<Integer> mains = new HashSet<>();
        for (Kept k : apps.values()) {
            if (k.running) mains.add(k.pid);
        }
        for (int pid : ProcFs.children(self)) {
            if (mains.contains(pid) || orphans.containsKey(pid)) continue;
            ProcFs.Stat st = ProcFs.stat(pid);
            if (st == null) continue;
            int app = attribute(pid, st);
            WatchedProcess w;
            try {
                w = WatchedProcess.watch(pid, true);
            } catch (RuntimeException e) {
                continue; // already reaped by someone: not ours after all
            }
            w.unref();
            orphans.put(pid, new Orphan(pid, app, w));
            w.on("exit", a -> {
                orphans.remove(pid);
                somethingExited();
            });
        }
    }

    private int attribute(int pid, ProcFs.Stat st) {
        String mark = ProcFs.environ(pid, MARK);
        for (Kept k : apps.values()) {
            if (mark != null && mark.equals(k.uniqueId)) return k.app;
        }
        for (Kept k : apps.values()) {
            if (k.pastPids.contains(st.session())) return k.app;
        }
        return -1;
    }

    /** The app's live processes: its process, the orphans attributed to it, and their descendants. */
    private List<ProcFs.Stat> treeOf(Kept k) {
        Set<Integer> roots = new LinkedHashSet<>();
        if (k.running) roots.add(k.pid);
        for (Orphan o : orphans.values()) {
            if (o.app() == k.app) roots.add(o.pid());
        }
        return ProcFs.tree(roots);
    }

    // ---------------------------------------------------------------- kill

    private void kill(Map<String, Object> req, java.util.function.Consumer<Map<String, Object>> reply) {
        Kept k = known(req);
        String signal = Fields.string(req, "signal", "SIGINT");
        int signum = Signals.number(signal);
        if (signum <= 0) throw new KeeperException("EINVAL", "unknown signal " + signal);
        long timeout = Math.max(0, Fields.number(req, "timeout", 1600));
        if (k.kill == null) {
            k.kill = new KillRun(k, signum, timeout);
            k.kill.message = req.get("message");
            // A reload's drain: the cluster protocol's disconnect, the worker's servers close.
            if (Fields.bool(req, "disconnect", false) && k.group != null) k.kill.message = cluster().disconnectMessage();
            kills.add(k.kill);
            k.kill.waiters.add(reply);
            if (k.group != null && k.running) {
                // New connections go elsewhere from now on; the ones already queued for this
                // process are its to accept before it goes, or they would wait for nobody.
                cluster().live(k.group, k.slot, false);
                KillRun run = k.kill;
                drainQueue(k, System.nanoTime() + DRAIN_QUEUE_MS * 1_000_000, run::start);
            } else {
                k.kill.start();
            }
        } else {
            k.kill.waiters.add(reply);
        }
    }

    /** How long a stopping instance may take to accept what waits in its sockets' queues. */
    private static final long DRAIN_QUEUE_MS = 1000;

    /** How many checks in a row, {@link #DRAIN_CHECK_MS} apart, must find a stopping instance's queues empty. */
    private static final int DRAIN_EMPTY_CHECKS = 3;
    private static final long DRAIN_CHECK_MS = 10;

    /**
     * Runs {@code then} once {@code k}'s sockets' queues have stayed empty for a few checks (or it
     * exited, or at {@code deadline}): a connection the kernel routed before the new program may
     * still be finishing its handshake, and a half-open one is not counted in the queue yet.
     */
    private void drainQueue(Kept k, long deadline, Runnable then) {
        drainQueue(k, deadline, 0, then);
    }

    private void drainQueue(Kept k, long deadline, int emptyChecks, Runnable then) {
        setTimeout(() -> {
            boolean empty = k.group == null || cluster().queued(k.group, k.slot) == 0;
            int checks = empty ? emptyChecks + 1 : 0;
            if (!k.running || checks >= DRAIN_EMPTY_CHECKS || System.nanoTime() > deadline) {
                then.run();
            } else {
                drainQueue(k, deadline, checks, then);
            }
        }, DRAIN_CHECK_MS);
    }

    /**
     * Stopping one app's tree: its kill signal to every process of the tree, then SIGKILL to every
     * one left after the timeout; done once no process of the tree is left (exited: a zombie
     * counts as gone), looking again at the tree whenever one of its processes ends, and every
     * {@link #FORCE_RESCAN_MS} once forcing, for processes forked meanwhile.
     */
    private final class KillRun {
        final Kept kept;
        final int signum;
        final long timeoutMs;
        final List<java.util.function.Consumer<Map<String, Object>>> waiters = new ArrayList<>();
        final Map<Integer, WatchedProcess> watched = new HashMap<>();
        final Set<Integer> signalled = new HashSet<>();
        final Set<Integer> forced = new HashSet<>();
        final long began = System.nanoTime();
        /** Sent on the app's IPC channel instead of the signal (shutdown_with_message), or null. */
        Object message;
        boolean forcing;
        boolean rescanQueued;
        boolean done;
        Timeout timer;
        Timeout rescanTimer;
        Timeout giveUp;

        KillRun(Kept kept, int signum, long timeoutMs) {
            this.kept = kept;
            this.signum = signum;
            this.timeoutMs = timeoutMs;
        }

        void start() {
            scanOrphans();
            rescan();
            if (!done) timer = setTimeout(this::force, timeoutMs);
        }

        void force() {
            timer = null;
            forcing = true;
            rescan();
            if (done) return;
            Log.info("keeper", "App [" + kept.name + ":" + kept.app + "] still running after " + timeoutMs
                    + " ms: SIGKILL to its tree");
            rescanTimer = setInterval(this::queueRescan, FORCE_RESCAN_MS);
            giveUp = setTimeout(() -> finish(treeOf(kept)), FORCE_GRACE_MS);
        }

        void queueRescan() {
            if (rescanQueued || done) return;
            rescanQueued = true;
            setImmediate(this::rescan);
        }

        void rescan() {
            rescanQueued = false;
            if (done) return;
            List<ProcFs.Stat> members = treeOf(kept);
            if (members.isEmpty()) { // a main process not reaped yet: finish holds the answer (afterExit)
                finish(members);
                return;
            }
            for (ProcFs.Stat s : members) {
                int pid = s.pid();
                if (forcing ? forced.add(pid) : signalled.add(pid)) send(pid, forcing ? Signals.SIGKILL : signum);
                if (pid != kept.pid && !orphans.containsKey(pid) && !watched.containsKey(pid)) {
                    try {
                        WatchedProcess w = WatchedProcess.watch(pid, false);
                        w.unref();
                        watched.put(pid, w);
                        w.on("exit", a -> queueRescan());
                    } catch (RuntimeException e) {
                        queueRescan(); // gone already
                    }
                }
            }
        }

        private void send(int pid, int sig) {
            if (message != null && !forcing) {
                // The app shuts itself down (its children are its business) until the timeout;
                // without an open channel it gets the signal after all.
                if (pid == kept.pid && kept.running) {
                    if (kept.child.connected()) kept.child.send(message);
                    else kept.child.kill(sig);
                }
                return;
            }
            if (pid == kept.pid && kept.running) {
                kept.child.kill(sig);
            } else {
                Proc.kill(pid, sig);
            }
        }

        void finish(List<ProcFs.Stat> left) {
            if (done) return;
            done = true;
            if (timer != null) clearTimeout(timer);
            if (rescanTimer != null) clearInterval(rescanTimer);
            if (giveUp != null) clearTimeout(giveUp);
            for (WatchedProcess w : watched.values()) w.close();
            kills.remove(this);
            kept.kill = null;
            long ms = (System.nanoTime() - began) / 1_000_000;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("signalled", signalled.size());
            r.put("killed", forced.size());
            r.put("left", left.stream().map(ProcFs.Stat::pid).toList());
            r.put("ms", ms);
            Log.info("keeper", "App [" + kept.name + ":" + kept.app + "] tree stopped in " + ms + " ms (" + signalled.size()
                    + " signalled, " + forced.size() + " killed" + (left.isEmpty() ? "" : ", left " + r.get("left")) + ")");
            Runnable answer = () -> {
                for (var w : waiters) w.accept(r);
            };
            // A zombie counts as gone, but until the keeper reaps it the app still "runs": a spawn
            // right after the answer (a restart) would be refused. Answer once it is reaped.
            if (kept.running && left.isEmpty()) kept.afterExit = answer;
            else answer.run();
        }
    }
}
