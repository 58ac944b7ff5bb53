package dev.herd.manager;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.internal.manager.PeerCredentials;
import dev.herd.node.internal.manager.RuntimeReport;
import dev.herd.node.json.Json;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.Proc;
import dev.herd.os.Signals;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The daemon: the manager's policy. It holds the app table, answers the control protocol on
 * {@code herd.sock} (JSON lines, docs/manager.md "The control protocol"), decides restarts
 * (autorestart, min_uptime, max_restarts, restart delay, exponential back-off, stop exit codes),
 * samples CPU and memory, and keeps {@code state.json} on disk so that a new daemon continues where
 * a dead one stopped. It spawns nothing itself: the {@link Keeper} does, as it is told over
 * {@code keeper.sock}, and outlives it.
 *
 * <p>Thread rule: everything on the daemon's loop thread.
 */
public final class Daemon {
    /**
     * The daemon's argument that makes it start its keeper at once rather than with the first app:
     * the command line that starts the daemon to start apps passes it.
     */
    public static final String WITH_KEEPER = "--with-keeper";

    /** The protocol version every request carries ({@code "v": 1}). */
    static final int PROTOCOL = 1;
    /** The longest request line: a longer one gets {@code E2BIG} and the connection lives. */
    static final int MAX_REQUEST = 1 << 20;
    /** The longest a back-off delay grows (pm2's). */
    static final long BACKOFF_CAP_MS = 15_000;
    /** How long an app must stay up for its back-off to start again from the beginning (pm2's). */
    static final long BACKOFF_RESET_MS = 30_000;

    private final HerdHome home;
    /** When this daemon started (ms since the epoch): {@code ping} tells daemons apart by it. */
    private final long startedAt = System.currentTimeMillis();
    private final int uid = ProcFs.uid();
    private final long sampleMs = Settings.millis("HERD_SAMPLE_MS", 1000);
    private final long backoffResetMs = Settings.millis("HERD_BACKOFF_RESET_MS", BACKOFF_RESET_MS);
    private final long keeperStartMs = Settings.millis("HERD_KEEPER_START_MS", 15_000);
    private final Map<Integer, App> apps = new TreeMap<>();
    private final Triggers triggers = new Triggers(this::restartFor);
    private final AppActions actions = new AppActions(this::sendTo, this::saveState);
    private int nextId;
    private KeeperLink keeper;
    private boolean keeperStarting;
    private final List<BiConsumer<KeeperLink, String>> keeperWaiters = new ArrayList<>();
    private Server server;
    private boolean exiting;
    @SuppressWarnings("unused") // held for the daemon's life: the lock is what says it runs
    private FileLock lock;
    /** {@code herd runtime}: the manager in the foreground this daemon is part of, or null. */
    private Foreground foreground;

    /** Every app's lifecycle events, kept in HERD_HOME/timeline.jsonl. */
    private final Timeline timeline;

    private Daemon(HerdHome home) {
        this.home = home;
        this.timeline = new Timeline(home.dir().resolve("timeline.jsonl"));
    }

    /** Records {@code event} of {@code a} in the timeline, with its fields in pairs (name, value). */
    private void event(App a, String event, Object... fields) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.length; i += 2) f.put((String) fields[i], fields[i + 1]);
        timeline.record(a, event, f);
    }

    /**
     * The daemon of {@code herd runtime}: it starts with no apps (state.json is not read), leaves
     * SIGTERM and SIGINT to {@code foreground}, tells it of every change, and uses the keeper in
     * its own process (it never starts one).
     */
    static Daemon inForeground(HerdHome home, Foreground foreground) {
        Daemon d = new Daemon(home);
        d.foreground = foreground;
        return d;
    }

    /**
     * The daemon's entry point ({@code herd daemon}, started by the command line): a Herd program
     * that runs until {@code kill}, SIGTERM or SIGINT.
     *
     * @param args not used
     */
    public static void main(String[] args) {
        Herd.run(args, a -> new Daemon(HerdHome.of(System.getenv())).start(List.of(a).contains(WITH_KEEPER)));
    }

    void start(boolean withKeeper) throws IOException {
        home.prepare();
        FileChannel ch = FileChannel.open(home.daemonLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = ch.tryLock();
        if (lock == null) {
            String pid = Files.exists(home.daemonPid()) ? Files.readString(home.daemonPid()).strip() : "?";
            System.err.println("herd daemon: already running for " + home + " (pid " + pid + ")");
            process().exit(1);
            return;
        }
        Files.writeString(home.daemonPid(), process().pid() + "\n");
        drainPreload = writeDrainPreload();
        if (foreground != null) Files.deleteIfExists(home.stateFile()); // a runtime starts empty: its apps are its arguments
        loadState();
        // SIGTERM and SIGINT end the daemon alone: its state is on disk and the apps keep running
        // under the keeper, so the next daemon re-adopts them (how `herd update` replaces it).
        if (foreground == null) process().on("SIGTERM", () -> leave("SIGTERM"));
        if (foreground == null) process().on("SIGINT", () -> leave("SIGINT"));
        if (Files.exists(home.keeperSocket())) {
            KeeperLink.connect(home.keeperSocket().toString(), keeperListener(),
                    link -> link.request("hello", Map.of(), (r, code, message) -> {
                        if (code != null) {
                            Log.info("daemon", "the keeper did not answer hello: " + message);
                            link.close();
                            noKeeper();
                        } else {
                            keeper = link;
                            reconcile(r);
                        }
                        listen();
                    }),
                    error -> {
                        noKeeper();
                        listen();
                    });
        } else {
            noKeeper();
            // The keeper's JVM boots while this one listens and the command line sends its request.
            if (withKeeper) withKeeper((link, error) -> {});
            listen();
        }
        setInterval(this::sample, sampleMs).unref();
    }

    private void listen() {
        try {
            Files.deleteIfExists(home.controlSocket()); // ours: we hold the daemon's lock
        } catch (IOException e) {
            Log.info("daemon", "cannot remove " + home.controlSocket() + ": " + e);
        }
        server = Net.createServer(this::onClient);
        server.on("error", a -> {
            Log.info("daemon", "cannot listen on " + home.controlSocket() + ": " + a[0]);
            process().exit(1);
        });
        server.listen(home.controlSocket().toString(), () -> {
            try {
                HerdHome.ownerOnly(home.controlSocket());
            } catch (IOException e) {
                Log.info("daemon", "cannot chmod " + home.controlSocket() + ": " + e);
            }
            Log.info("daemon", "started (pid " + process().pid() + "), " + apps.size() + " apps");
            if (foreground != null) foreground.listening();
        });
    }

    /** Ends the daemon alone, leaving the apps to the keeper. */
    private void leave(String why) {
        if (exiting) return;
        exiting = true;
        Log.info("daemon", why + ": exiting; the apps keep running");
        saveState();
        cleanUp(false);
        process().exit(0);
    }

    private void cleanUp(boolean dropState) {
        try {
            Files.deleteIfExists(home.controlSocket());
            Files.deleteIfExists(home.daemonPid());
            if (dropState) Files.deleteIfExists(home.stateFile());
        } catch (IOException e) {
            // the next daemon replaces them
        }
    }

    // ---------------------------------------------------------------- state.json

    private void loadState() {
        Path file = home.stateFile();
        if (!Files.exists(file)) return;
        try {
            Map<String, Object> s = Fields.object(Json.parse(Files.readString(file)), "state.json");
            nextId = Fields.integer(s, "next_id", 0);
            Object list = s.get("apps");
            if (list instanceof List<?> l) {
                for (Object o : l) {
                    Map<String, Object> e = Fields.object(o, "an app");
                    App a = App.fromJson(AppConfig.fromJson(Fields.object(e.get("config"), "config")),
                            Fields.object(e.get("runtime"), "runtime"));
                    apps.put(a.id, a);
                    nextId = Math.max(nextId, a.id + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.info("daemon", "cannot read " + file + " (starting empty): " + e.getMessage());
            apps.clear();
        }
    }

    /** Writes state.json whole, to a temporary file renamed over it: a reader sees the old or the new. */
    private void saveState() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("version", PROTOCOL);
        s.put("next_id", nextId);
        List<Object> list = new ArrayList<>();
        for (App a : apps.values()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("config", a.config.toJson());
            e.put("runtime", a.runtimeJson());
            list.add(e);
        }
        s.put("apps", list);
        Path tmp = home.dir().resolve("state.json.tmp");
        try {
            Files.write(tmp, Json.stringifyUtf8(s));
            Files.move(tmp, home.stateFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Log.info("daemon", "cannot write " + home.stateFile() + ": " + e);
        }
        if (foreground != null) foreground.changed(); // every change of an app is saved
    }

    // ---------------------------------------------------------------- the keeper

    private KeeperLink.Listener keeperListener() {
        return new KeeperLink.Listener() {
            @Override
            public void event(Map<String, Object> e) {
                Reload.Replacement r = replacements.get(Fields.integer(e, "app", -1));
                if (r != null) { // a reload's replacement, not yet its instance's process
                    if ("exit".equals(e.get("event"))) {
                        r.exited(e.get("code") == null ? null : Fields.integer(e, "code", 0), Fields.string(e, "signal", null));
                    } else if ("listening".equals(e.get("event"))) {
                        r.listening();
                    } else if ("message".equals(e.get("event")) && "ready".equals(e.get("message"))
                            || "notify".equals(e.get("event")) && e.get("state") instanceof Map<?, ?> st && "1".equals(st.get("READY"))) {
                        r.said();
                    }
                    return;
                }
                if ("listening".equals(e.get("event"))) {
                    App a = apps.get(Fields.integer(e, "app", -1));
                    if (a != null && Fields.integer(e, "pid", 0) == a.pid && !a.listened) {
                        a.listened = true;
                        saveState();
                    }
                } else if ("exit".equals(e.get("event"))) {
                    App a = apps.get(Fields.integer(e, "app", -1));
                    Integer code = e.get("code") == null ? null : Fields.integer(e, "code", 0);
                    if (a != null) onExit(a, Fields.integer(e, "pid", 0), code, Fields.string(e, "signal", null),
                            Fields.number(e, "at", System.currentTimeMillis()));
                } else if ("message".equals(e.get("event"))) {
                    App a = apps.get(Fields.integer(e, "app", -1));
                    if (a != null && Fields.integer(e, "pid", 0) == a.pid) triggers.message(a, e.get("message"));
                    if (a != null && Fields.integer(e, "pid", 0) == a.pid) actions.message(a, e.get("message"));
                } else if ("report".equals(e.get("event"))) {
                    App a = apps.get(Fields.integer(e, "app", -1));
                    if (a != null && Fields.integer(e, "pid", 0) == a.pid) a.report = Fields.object(e.get("report"), "report");
                } else if ("notify".equals(e.get("event"))) {
                    // sd_notify on NOTIFY_SOCKET: READY=1 is the same as the IPC message 'ready'.
                    App a = apps.get(Fields.integer(e, "app", -1));
                    Map<String, Object> state = Fields.object(e.get("state"), "state");
                    if (a != null && a.running() && "1".equals(state.get("READY"))) triggers.message(a, "ready");
                }
            }

            @Override
            public void closed() {
                keeperLost();
            }
        };
    }

    /** No keeper at start: the apps state.json says run are gone with it (a reboot, or both killed). */
    private void noKeeper() {
        for (App a : apps.values()) {
            if (a.running() || a.status.equals(App.WAITING) || a.status.equals(App.LAUNCHING)
                    || a.status.equals(App.ONLINE) || a.status.equals(App.STOPPING)) {
                if (a.running()) {
                    Log.info("daemon", a.label() + " (pid " + a.pid + ") is gone with the keeper");
                    event(a, "gone", "reason", "gone with the keeper");
                }
                a.pid = 0;
                a.status = App.STOPPED;
            }
        }
        saveState();
    }

    /** Matches the keeper's {@code hello} with state.json: re-adoption (docs/manager-design.md). */
    private void reconcile(Map<String, Object> hello) {
        Map<Integer, Map<String, Object>> kept = new TreeMap<>();
        if (hello.get("apps") instanceof List<?> l) {
            for (Object o : l) {
                Map<String, Object> k = Fields.object(o, "a kept app");
                kept.put(Fields.integer(k, "app", -1), k);
            }
        }
        long now = System.currentTimeMillis();
        for (App a : List.copyOf(apps.values())) {
            Map<String, Object> k = kept.remove(a.id);
            int kpid = k == null ? 0 : Fields.integer(k, "pid", 0);
            boolean krunning = k != null && Fields.bool(k, "running", false);
            if (a.running() && kpid == a.pid && krunning) {
                Log.info("daemon", a.label() + " re-adopted (pid " + a.pid + ")");
                event(a, "adopt");
                if (a.status.equals(App.LAUNCHING)) a.status = App.ONLINE;
                if (!a.status.equals(App.STOPPING)) triggers.arm(a);
                if (a.status.equals(App.STOPPING)) a.enqueue(next -> stop(a, next));
            } else if (a.running() && kpid == a.pid) {
                Log.info("daemon", a.label() + " (pid " + a.pid + ") exited while no daemon ran");
                Integer code = k.get("code") == null ? null : Fields.integer(k, "code", 0);
                onExit(a, a.pid, code, Fields.string(k, "signal", null), Fields.number(k, "exitedAt", now));
            } else if (!a.running() && krunning && kpid != 0) {
                // The last daemon died between the spawn and writing its state.
                a.pid = kpid;
                a.startTicks = Fields.number(k, "startTicks", 0);
                a.pmUptime = Fields.number(k, "startedAt", now);
                a.status = App.ONLINE;
                Log.info("daemon", a.label() + " adopted (pid " + a.pid + ")");
                event(a, "adopt");
                triggers.arm(a);
            } else if (a.running()) {
                Log.info("daemon", a.label() + " (pid " + a.pid + ") is not known to the keeper: gone");
                event(a, "gone", "reason", "not known to the keeper");
                a.pid = 0;
                a.status = App.STOPPED;
            } else if (a.status.equals(App.WAITING)) {
                long delay = Math.max(0, a.restartDueAt - now);
                scheduleRestart(a, delay);
            } else if (a.status.equals(App.LAUNCHING) || a.status.equals(App.STOPPING)) {
                a.status = App.STOPPED;
            }
        }
        for (Map.Entry<Integer, Map<String, Object>> e : kept.entrySet()) {
            // The keeper holds an app this daemon does not know (a lost state.json): stop it.
            int id = e.getKey();
            Log.info("daemon", "the keeper holds an unknown app " + id + ": stopping it");
            keeper.request("kill", Map.of("app", id, "signal", "SIGTERM", "timeout", 1600),
                    (r, c, m) -> keeper.request("forget", Map.of("app", id), (r2, c2, m2) -> {}));
        }
        saveState();
    }

    /** Runs {@code then} with a connected keeper, starting one if there is none. */
    private void withKeeper(BiConsumer<KeeperLink, String> then) {
        if (keeper != null && !keeper.isClosed()) {
            then.accept(keeper, null);
            return;
        }
        if (foreground != null) { // the runtime's keeper is in this process: none to start
            then.accept(null, "the runtime's keeper is gone");
            return;
        }
        keeperWaiters.add(then);
        if (keeperStarting) return;
        keeperStarting = true;
        List<String> cmd = JavaCommand.manager("keeper", Keeper.class.getName(), List.of());
        Log.info("daemon", "starting the keeper");
        try {
            ChildProcess child = ChildProcesses.spawn(cmd.getFirst(), cmd.subList(1, cmd.size()),
                    SpawnOptions.builder().detached(true).env(process().env())
                            .stdio(List.of("ignore", "inherit", "inherit")).build());
            child.on("error", a -> Log.info("daemon", "cannot start the keeper: " + a[0]));
            child.on("exit", a -> Log.info("daemon", "the keeper exited (code " + a[0] + ", signal " + a[1] + ")"));
            child.unref();
        } catch (RuntimeException e) {
            keeperReady(null, "cannot start the keeper: " + e.getMessage());
            return;
        }
        long deadline = System.currentTimeMillis() + keeperStartMs;
        connectKeeper(deadline);
    }

    private void connectKeeper(long deadline) {
        KeeperLink.connect(home.keeperSocket().toString(), keeperListener(),
                link -> link.request("hello", Map.of(), (r, code, message) -> {
                    if (code != null) {
                        link.close();
                        keeperReady(null, "the keeper refused: " + message);
                    } else {
                        keeper = link;
                        Log.info("daemon", "keeper connected (pid " + r.get("pid") + ")");
                        keeperReady(link, null);
                    }
                }),
                error -> {
                    if (System.currentTimeMillis() > deadline) {
                        keeperReady(null, "the keeper did not start within " + keeperStartMs + " ms (see herd.log)");
                    } else {
                        setTimeout(() -> connectKeeper(deadline), 20);
                    }
                });
    }

    private void keeperReady(KeeperLink link, String error) {
        keeperStarting = false;
        List<BiConsumer<KeeperLink, String>> waiters = List.copyOf(keeperWaiters);
        keeperWaiters.clear();
        for (var w : waiters) w.accept(link, error);
    }

    /**
     * The keeper's connection closed: it died (the one failure that costs the apps). What is left
     * of every app's tree is killed by pid, and the apps that were up start again under a new
     * keeper, each counted as a restart.
     */
    private void keeperLost() {
        keeper = null;
        if (exiting) return;
        Log.info("daemon", "the keeper is gone: restarting the apps it held");
        List<App> again = new ArrayList<>();
        for (App a : apps.values()) {
            if (a.running()) {
                for (ProcFs.Stat s : ProcFs.tree(List.of(a.pid))) Proc.kill(s.pid(), Signals.SIGKILL);
                a.pid = 0;
                if (!a.status.equals(App.STOPPING)) again.add(a);
                a.lastRestartCause = "keeper";
                a.status = App.STOPPED;
            }
        }
        saveState();
        for (App a : again) {
            a.enqueue(next -> {
                a.restartTime++;
                launch(a, next);
            });
        }
    }

    // ---------------------------------------------------------------- supervision

    /** Starts the app's process; {@code done} runs once it is online or has failed to start. */
    private void launch(App a, Runnable done) {
        if (a.restartTimer != null) {
            clearTimeout(a.restartTimer);
            a.restartTimer = null;
        }
        a.restartDueAt = 0;
        if (a.running()) {
            done.run();
            return;
        }
        RunAs runAs;
        try {
            runAs = RunAs.of(a.config.options(), uid);
        } catch (IllegalArgumentException e) {
            failed(a, e.getMessage()); // the user or group is gone since the start
            done.run();
            return;
        }
        a.status = App.LAUNCHING;
        a.listened = false;
        actions.exited(a); // a new process registers its own actions
        a.processEnv = processEnv(a);
        if (runAs != null) runAs.putEnv(a.processEnv);
        saveState();
        withKeeper((link, error) -> {
            if (link == null) {
                failed(a, error);
                done.run();
                return;
            }
            link.request("spawn", spawnSpec(a, runAs), (r, code, message) -> {
                if (code != null) {
                    failed(a, message);
                } else {
                    a.pid = Fields.integer(r, "pid", 0);
                    a.startTicks = Fields.number(r, "startTicks", 0);
                    a.pmUptime = Fields.number(r, "startedAt", System.currentTimeMillis());
                    a.status = App.ONLINE;
                    a.lastError = null;
                    a.cpuTicks = -1;
                    if (a.config.triggers().waitReady()) {
                        // wait_ready: launching until the app says it is ready (or listen_timeout).
                        a.status = App.LAUNCHING;
                        Log.info("daemon", a.label() + " launched (pid " + a.pid + "), waiting for it to be ready");
                        saveState();
                        event(a, "start", "restart_time", a.restartTime, "cause", a.restartTime == 0 ? "start" : a.lastRestartCause);
                        triggers.awaitReady(a, ready -> {
                            if (ready) {
                                a.status = App.ONLINE;
                                event(a, "ready");
                                Log.info("daemon", a.label() + " online (pid " + a.pid + ")");
                                saveState();
                                triggers.arm(a);
                            }
                            done.run();
                        });
                        return;
                    }
                    Log.info("daemon", a.label() + " online (pid " + a.pid + ")");
                    event(a, "start", "restart_time", a.restartTime, "cause", a.restartTime == 0 ? "start" : a.lastRestartCause);
                    saveState();
                    triggers.arm(a);
                }
                done.run();
            });
        });
    }

    /** The keeper's spawn request for {@code a}'s process (its environment made by the launch). */
    private Map<String, Object> spawnSpec(App a, RunAs runAs) {
        Map<String, Object> spec = new LinkedHashMap<>();
        List<String> command = a.config.command();
        spec.put("app", a.id);
        spec.put("uniqueId", a.uniqueId);
        spec.put("name", a.config.name());
        spec.put("file", command.getFirst());
        spec.put("args", command.subList(1, command.size()));
        spec.put("env", a.processEnv);
        spec.put("cwd", a.config.cwd());
        spec.put("ipc", a.config.ipc());
        spec.put("out", a.outLog);
        spec.put("err", a.errLog);
        spec.put("log", AppLogs.spec(a));
        spec.put("notify", a.config.triggers().waitReady());
        if (a.group != null && a.config.clusterMode()) {
            spec.put("cluster", Map.of("group", a.group, "instance", a.instance,
                    "rr", Boolean.TRUE.equals(a.config.options().get("round_robin"))));
        } else if (!a.config.listen().isEmpty()) {
            // --port: the manager's listening sockets by systemd's socket activation (LISTEN_FDS).
            spec.put("activation", Map.of("group", a.group != null ? a.group : a.uniqueId, "instance", a.instance,
                    "listen", a.config.listen()));
        }
        if (runAs != null && runAs.uid() >= 0) spec.put("uid", runAs.uid());
        if (runAs != null && runAs.gid() >= 0) spec.put("gid", runAs.gid());
        return spec;
    }

    // ---------------------------------------------------------------- reload

    /** How long one health probe (a GET, a command) may take. */
    static final long HEALTH_TIMEOUT_MS = 5000;

    /**
     * {@code health_cmd}: {@code /bin/sh -c CMD} in the app's directory with the replacement's
     * environment and {@code HERD_PID}, its pid; exit 0 within {@link #HEALTH_TIMEOUT_MS} is well.
     */
    private void healthCommand(Reload.Replacement r, String cmd, Consumer<String> done) {
        App a = r.app;
        Map<String, String> env = new LinkedHashMap<>(a.processEnv != null ? a.processEnv : processEnv(a));
        env.put("HERD_PID", Integer.toString(r.pid));
        ChildProcess child;
        try {
            child = ChildProcesses.spawn("/bin/sh", List.of("-c", cmd), SpawnOptions.builder().cwd(a.config.cwd()).env(env)
                    .stdio(List.of("ignore", "ignore", "ignore")).build());
        } catch (RuntimeException e) {
            done.accept("cannot run its health command: " + e.getMessage());
            return;
        }
        boolean[] over = {false};
        Timeout timer = setTimeout(() -> {
            if (over[0]) return;
            over[0] = true;
            child.kill("SIGKILL");
            done.accept("its health command did not finish within " + HEALTH_TIMEOUT_MS + " ms");
        }, HEALTH_TIMEOUT_MS);
        child.on("error", x -> {
            if (over[0]) return;
            over[0] = true;
            clearTimeout(timer);
            done.accept("cannot run its health command: " + x[0]);
        });
        child.on("exit", x -> {
            if (over[0]) return;
            over[0] = true;
            clearTimeout(timer);
            Integer code = (Integer) x[0];
            if (code != null && code == 0) done.accept(null);
            else done.accept("failed its health command: " + (code != null ? "exit code " + code : "killed by " + x[1]));
        });
    }

    /** A reload's replacements by their keeper key, while they are not yet their instance's process. */
    private final Map<Integer, Reload.Replacement> replacements = new HashMap<>();

    private final Reload.Host reloadHost = new Reload.Host() {
        @Override
        public KeeperLink keeper() {
            return keeper;
        }

        @Override
        public Map<String, Object> spawnSpec(App a) {
            return Daemon.this.spawnSpec(a, runAs(a));
        }

        @Override
        public void replacement(int key, Reload.Replacement r) {
            if (r == null) replacements.remove(key);
            else replacements.put(key, r);
        }

        @Override
        public void committed(App a, Reload.Replacement r) {
            if (r.command != null) a.config = a.config.withCommand(r.command); // its restarts run the new one too
            int old = a.pid;
            a.pid = r.exited ? 0 : r.pid;
            event(a, "replaced", "cause", r.cause, "old_pid", old);
            a.startTicks = r.startTicks;
            a.pmUptime = r.startedAt;
            a.listened = r.listening;
            a.status = a.pid != 0 ? App.ONLINE : App.STOPPED;
            a.restartTime++;
            a.lastRestartCause = r.cause;
            a.cpuTicks = -1;
            Log.info("daemon", a.label() + " reloaded (pid " + a.pid + ")");
            if (a.pid != 0) triggers.arm(a);
        }

        @Override
        public void probe(Reload.Replacement r, String url, String cmd, Consumer<String> done) {
            Runnable command = () -> {
                if (cmd == null) done.accept(null);
                else healthCommand(r, cmd, done);
            };
            if (url == null) {
                command.run();
                return;
            }
            if (keeper == null) {
                done.accept("its health probe " + url + " failed: the keeper is gone");
                return;
            }
            keeper.request("probe", Map.of("app", r.key, "url", url, "timeout", HEALTH_TIMEOUT_MS), (res, code, message) -> {
                if (code != null) {
                    done.accept("failed its health probe " + url + ": " + message);
                    return;
                }
                int status = Fields.integer(res, "status", 0);
                if (status < 200 || status > 299) done.accept("failed its health probe " + url + ": it answered " + status);
                else command.run();
            });
        }

        @Override
        public void saveState() {
            Daemon.this.saveState();
        }
    };

    /**
     * {@code reload}: the targets that are cluster-mode instances listening through the keeper
     * are reloaded as one transaction ({@link Reload}); any other target (fork mode, a program
     * that never listened, a stopped one) is restarted, as pm2 does, once the transaction is over.
     */
    private void reload(Map<String, Object> req, Consumer<Object> reply, BiConsumer<String, String> error) {
        List<App> targets = resolve(Fields.strings(req, "targets"));
        int parallel = Fields.integer(req, "parallel", 1);
        if (parallel < 1) throw new RequestException("EINVAL", "'parallel' must be 1 or more");
        List<App> transaction = new ArrayList<>();
        List<App> restarted = new ArrayList<>();
        for (App a : targets) {
            if (a.reloading) throw new RequestException("EBUSY", a.label() + " is being reloaded: one reload at a time");
        }
        for (App a : targets) {
            (reloadable(a) ? transaction : restarted).add(a);
        }
        if (Fields.bool(req, "plan", false)) {
            // The command line's first question: which Herd programs a reload replaces (it trains
            // their AOT caches for the jars as they are now, then asks again with the commands).
            List<Object> herds = new ArrayList<>();
            for (App a : transaction) {
                if (!"herd".equals(a.config.kind())) continue;
                Map<String, Object> h = new LinkedHashMap<>();
                h.put("id", a.id);
                h.put("script", a.config.script());
                h.put("interpreter_args", a.config.interpreterArgs());
                h.put("args", a.config.args());
                h.put("cwd", a.config.cwd());
                h.put("command", a.config.command());
                herds.add(h);
            }
            reply.accept(herds);
            return;
        }
        Map<Integer, List<String>> commands = new HashMap<>();
        if (req.get("commands") != null) {
            Fields.object(req.get("commands"), "'commands'").forEach((id, cmd) -> {
                try {
                    commands.put(Integer.parseInt(id), Fields.strings(Map.of("c", cmd), "c"));
                } catch (NumberFormatException e) {
                    throw new RequestException("EINVAL", "'commands' is keyed by pm_id, not '" + id + "'");
                }
            });
        }
        Runnable rest = () -> {
            if (restarted.isEmpty()) reply.accept(jlist(targets));
            else each(restarted, this::restart, r -> reply.accept(jlist(targets)));
        };
        if (transaction.isEmpty()) {
            rest.run();
            return;
        }
        String healthUrl = Fields.string(req, "health_url", null);
        String healthCmd = Fields.string(req, "health_cmd", null);
        if (healthUrl != null) {
            try {
                HealthProbe.Target.parse(healthUrl);
            } catch (IllegalArgumentException e) {
                throw new RequestException("EINVAL", e.getMessage());
            }
        }
        new Reload(reloadHost, transaction, parallel, "reload", healthUrl, healthCmd, commands, (failure, ms) -> {
            for (App a : transaction) {
                Map<String, Object> outcome = new LinkedHashMap<>();
                outcome.put("at", System.currentTimeMillis());
                outcome.put("ok", failure == null);
                outcome.put("ms", ms);
                outcome.put("error", failure);
                a.lastReload = outcome;
                event(a, "reload", "ok", failure == null, "ms", ms, "error", failure);
            }
            saveState();
            if (failure != null) error.accept("ERELOAD", failure + " (the old instances are still serving)");
            else rest.run();
        }).start();
    }

    /** A cluster instance that is not coming back by itself: the keeper closes its sockets. */
    private void release(App a) {
        boolean sockets = a.group != null && a.config.clusterMode() || !a.config.listen().isEmpty();
        if (!sockets || keeper == null || a.running()) return;
        keeper.request("release", Map.of("app", a.id), (r, code, message) -> {});
    }

    private void failed(App a, String why) {
        a.status = App.ERRORED;
        a.lastError = why;
        event(a, "failed", "error", why);
        Log.info("daemon", a.label() + " cannot start: " + why);
        saveState();
    }

    /**
     * The first instance's value of {@code increment_var} (pm2's: the app's environment gives it).
     *
     * @throws RequestException EINVAL when the environment has no number under that name
     */
    private static long incrementBase(AppConfig c) {
        String inc = (String) c.options().get("increment_var");
        try {
            return Long.parseLong(c.env().getOrDefault(inc, "").strip());
        } catch (NumberFormatException e) {
            throw new RequestException("EINVAL", "app '" + c.name() + "': increment_var " + inc
                    + " needs a number under that name in the app's env (e.g. env: {" + inc + ": 3000})");
        }
    }

    /** What the app's processes get: its configured environment and pm2's variables. */
    /** {@code herd-drain.cjs} in HERD_HOME (for Node cluster instances), or null if it cannot be written. */
    private Path drainPreload;

    private Path writeDrainPreload() {
        Path file = home.dir().resolve("herd-drain.cjs");
        try (java.io.InputStream in = Daemon.class.getResourceAsStream("herd-drain.cjs")) {
            if (in == null) throw new IOException("herd-drain.cjs is not in the manager's jar");
            byte[] code = in.readAllBytes();
            if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), code)) {
                Path tmp = home.dir().resolve("herd-drain.cjs.tmp");
                Files.write(tmp, code);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            Log.info("daemon", "cannot write " + file + " (Node cluster instances drain as Node does): " + e.getMessage());
            return null;
        }
    }

    private Map<String, String> processEnv(App a) {
        Map<String, String> env = new LinkedHashMap<>(a.config.env());
        env.put("pm_id", Integer.toString(a.id));
        env.put("name", a.config.name());
        env.put("namespace", a.config.namespace());
        // pm2's instance_var names the instance number's variable; increment_var adds it to a port.
        String var = a.config.options().get("instance_var") instanceof String s && !s.isBlank() ? s : "NODE_APP_INSTANCE";
        env.put(var, Integer.toString(a.instance));
        env.put("HERD_APP_INSTANCE", Integer.toString(a.instance));
        if (a.config.options().get("increment_var") instanceof String inc && !inc.isBlank()) {
            env.put(inc, Long.toString(incrementBase(a.config) + a.instance));
        }
        env.put("HERD_APP_NAME", a.config.name());
        // A Herd program reports its loop, heap and GC over its channel (RuntimeReport), as often as apps are sampled.
        if ("herd".equals(a.config.kind())) env.put(RuntimeReport.ENV, Long.toString(sampleMs));
        env.put(Keeper.MARK, a.uniqueId);
        // What the keeper sets for socket activation, shown by `herd env` too.
        if (!a.config.clusterMode() && !a.config.listen().isEmpty()) KeeperCluster.activationEnv(a.config.listen(), env);
        // A Node cluster instance drains without resets at a reload's end (herd-drain.cjs); not
        // for another user's app, who cannot read HERD_HOME.
        if (drainPreload != null && "node".equals(a.config.kind()) && a.config.clusterMode()
                && a.config.options().get("uid") == null && a.config.options().get("gid") == null) {
            String options = env.getOrDefault("NODE_OPTIONS", "");
            env.put("NODE_OPTIONS", (options.isBlank() ? "" : options + " ") + "--require \"" + drainPreload + "\"");
        }
        return env;
    }

    /** The app's process ended; the restart policy decides what comes next (pm2's handleExit). */
    private void onExit(App a, int pid, Integer code, String signal, long at) {
        if (pid != a.pid || pid == 0) return;
        Runnable readyWait = triggers.exited(a);
        actions.exited(a);
        if (readyWait != null) setImmediate(readyWait); // the start in progress ends once the exit is handled
        a.pid = 0;
        a.listened = false;
        a.report = null;
        a.pss = -1;
        a.samplesToPss = 0;
        a.exitCode = code;
        a.exitSignal = signal;
        a.memory = 0;
        a.cpu = 0;
        Log.info("daemon", a.label() + " exited with code [" + code + "] via signal [" + signal + "]");
        recordExit(a, pid, code, signal, at);
        if (a.status.equals(App.STOPPING)) {
            saveState(); // the stop in progress ends it
            return;
        }
        long uptime = at - a.pmUptime;
        if (code != null && a.config.stopExitCodes().contains(code)) {
            a.status = App.STOPPED;
            saveState();
            release(a);
            return;
        }
        if (!a.config.autorestart()) {
            a.status = App.ONE_LAUNCH;
            saveState();
            release(a);
            return;
        }
        if (uptime < a.config.minUptime()) {
            a.unstableRestarts++;
            a.unstableStreak++;
        } else {
            a.unstableStreak = 0;
        }
        if (a.unstableStreak > a.config.maxRestarts()) {
            a.status = App.ERRORED;
            a.unstableStreak = 0; // prev_restart_delay stays, as pm2 shows it; a start or restart clears it
            Log.info("daemon", a.label() + " had too many unstable restarts (" + a.config.maxRestarts() + "): errored");
            event(a, "errored", "reason", "more than max_restarts (" + a.config.maxRestarts() + ") unstable restarts");
            saveState();
            release(a);
            return;
        }
        long delay = a.config.restartDelay();
        if (a.config.expBackoffRestartDelay() > 0) {
            if (uptime >= backoffResetMs) a.prevRestartDelay = 0;
            delay = a.prevRestartDelay == 0 ? a.config.expBackoffRestartDelay()
                    : Math.min(BACKOFF_CAP_MS, (long) Math.floor(a.prevRestartDelay * 1.5));
            a.prevRestartDelay = delay;
        }
        a.lastRestartCause = code != null && code == 0 ? "exit" : "crash";
        scheduleRestart(a, delay);
    }

    /**
     * The exit in the timeline; one the app did not ask for (not stopping, not code 0) carries its
     * last log lines, read a moment later (the keeper's pumps may still be writing them).
     */
    private void recordExit(App a, int pid, Integer code, String signal, long at) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("at", at);
        f.put("pid", pid);
        f.put("code", code);
        f.put("signal", signal);
        f.put("uptime_ms", Math.max(0, at - a.pmUptime));
        boolean asked = a.status.equals(App.STOPPING);
        f.put("stopping", asked);
        if (asked || code != null && code == 0) {
            timeline.record(a, "exit", f);
            return;
        }
        setTimeout(() -> {
            f.put("last_lines", Timeline.lastLines(a));
            timeline.record(a, "exit", f);
        }, EXIT_LINES_WAIT_MS);
    }

    /** How long after a crash its last log lines are read (the keeper's pumps drain the pipes meanwhile). */
    private static final long EXIT_LINES_WAIT_MS = 250;

    private void scheduleRestart(App a, long delay) {
        a.status = App.WAITING;
        a.restartDueAt = System.currentTimeMillis() + delay;
        saveState();
        a.restartTimer = setTimeout(() -> {
            a.restartTimer = null;
            a.enqueue(next -> {
                if (!a.status.equals(App.WAITING)) {
                    next.run();
                    return;
                }
                a.restartTime++;
                Log.info("daemon", a.label() + " restarting (cause " + a.lastRestartCause + ")");
                event(a, "restart", "cause", a.lastRestartCause);
                launch(a, next);
            });
        }, delay);
    }

    /** Stops the app's whole tree (kill signal, SIGKILL after kill_timeout); {@code done} once all is gone. */
    private void stop(App a, Runnable done) {
        if (a.restartTimer != null) {
            clearTimeout(a.restartTimer);
            a.restartTimer = null;
        }
        a.restartDueAt = 0;
        if (!a.running() || keeper == null) {
            a.pid = 0;
            a.status = App.STOPPED;
            saveState();
            done.run();
            return;
        }
        a.status = App.STOPPING;
        Map<String, Object> kill = new LinkedHashMap<>(Map.of("app", a.id, "signal", a.config.killSignal(), "timeout",
                a.config.killTimeout()));
        // shutdown_with_message: the IPC message 'shutdown' instead of the kill signal (pm2's).
        if (a.config.triggers().shutdownWithMessage() && a.config.ipc()) kill.put("message", "shutdown");
        keeper.request("kill", kill,
                (r, code, message) -> {
                    if (code != null) Log.info("daemon", a.label() + ": stop: " + message);
                    a.pid = 0;
                    a.status = App.STOPPED;
                    a.memory = 0;
                    a.cpu = 0;
                    saveState();
                    done.run();
                });
        saveState(); // once the keeper has the request: the kill signal waits for no file
    }

    private void restart(App a, Runnable done) {
        a.lastRestartCause = "manual";
        Log.info("daemon", a.label() + " restarting (cause manual)");
        event(a, "restart", "cause", "manual");
        stop(a, () -> {
            a.restartTime++;
            a.unstableStreak = 0;
            a.prevRestartDelay = 0;
            launch(a, done);
        });
    }

    /**
     * A trigger's restart (memory, watch, cron): graceful, as {@code restart}, but it resets
     * nothing else (the unstable streak and back-off stay). An app that is not running is left
     * alone, except that a change of its files starts again an app that crashed or errored (as
     * pm2's watch does); a stopped app has no triggers.
     */
    private void restartFor(App a, String cause, String detail, Runnable over) {
        a.enqueue(next -> {
            Runnable end = () -> {
                over.run();
                next.run();
            };
            boolean again = cause.equals("watch") && !a.running() && !a.status.equals(App.STOPPED)
                    && !a.status.equals(App.STOPPING);
            if (!again && (!a.running() || !a.status.equals(App.ONLINE))) {
                end.run();
                return;
            }
            a.lastRestartCause = cause;
            Log.info("daemon", a.label() + " restarting (cause " + cause + ": " + detail + ")");
            event(a, "restart", "cause", cause, "detail", detail);
            if (reloadable(a) && !a.reloading) {
                // A cluster instance is replaced as a reload replaces it: its replacement first,
                // on its socket, then it drains; no request is lost to a memory limit or a cron.
                new Reload(reloadHost, List.of(a), 1, cause, null, null, Map.of(), (failure, ms) -> {
                    if (failure == null) {
                        end.run();
                        return;
                    }
                    Log.info("daemon", a.label() + ": the replacement failed, restarting it in place");
                    stop(a, () -> {
                        a.restartTime++;
                        launch(a, end);
                    });
                }).start();
                return;
            }
            stop(a, () -> {
                a.restartTime++;
                launch(a, end);
            });
        });
    }

    /**
     * Whether a reload replaces {@code a} as a transaction: an instance whose sockets the keeper
     * owns (a cluster-mode instance that listens through it, or a socket-activated one).
     */
    private boolean reloadable(App a) {
        boolean owned = a.group != null && a.config.clusterMode() && a.listened || !a.config.listen().isEmpty();
        return owned && a.running() && a.status.equals(App.ONLINE) && keeper != null;
    }

    /**
     * {@code timeline}: the events of the apps {@code targets} names (ids, names, namespaces,
     * {@code all}; none: every app), deleted ones too, at or after {@code since} (ms), oldest first.
     */
    private List<Map<String, Object>> timeline(Map<String, Object> req) {
        List<String> targets = Fields.strings(req, "targets");
        long since = Fields.number(req, "since", 0);
        java.util.function.Predicate<Map<String, Object>> which = e -> targets.isEmpty() || targets.stream().anyMatch(t ->
                t.equals("all") || t.equals(String.valueOf(e.get("id"))) || t.equals(e.get("name")) || t.equals(e.get("namespace")));
        return timeline.query(which, since);
    }

    /** The daemon's HTTP endpoint (/metrics, /api/...), once {@code herd dashboard} opened it; else null. */
    private Dashboard dashboard;

    /** Herd's default dashboard port. */
    static final int DASHBOARD_PORT = 9620;

    /**
     * {@code dashboard}: opens the daemon's HTTP endpoint (or answers the open one's URL):
     * {@code host} (default 127.0.0.1), {@code port}, {@code metrics_public}, {@code allow_remote}.
     */
    private void dashboard(Map<String, Object> req, Consumer<Object> reply, BiConsumer<String, String> error) {
        Consumer<Dashboard> answer = d -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("url", d.url());
            r.put("host", d.host);
            r.put("port", d.port);
            r.put("token", d.token);
            r.put("metrics_public", d.metricsPublic);
            reply.accept(r);
        };
        if (dashboard != null) {
            answer.accept(dashboard);
            return;
        }
        String host = Fields.string(req, "host", "127.0.0.1");
        int port = Fields.integer(req, "port", DASHBOARD_PORT);
        if (port < 0 || port > 65535) throw new RequestException("EINVAL", "a port is 0..65535, not " + port);
        Dashboard.Source source = new Dashboard.Source() {
            @Override
            public byte[] metrics() {
                return Metrics.scrape(apps.values(), timeline);
            }

            @Override
            public Object processes() {
                return jlist(List.copyOf(apps.values()));
            }

            @Override
            public Object timeline(long since) {
                return timeline.query(e -> true, since);
            }

            @Override
            public Object history() {
                Map<String, Object> out = new LinkedHashMap<>();
                for (App a : apps.values()) {
                    List<Object> t = new ArrayList<>();
                    List<Object> cpu = new ArrayList<>();
                    List<Object> mem = new ArrayList<>();
                    for (double[] h : a.history) {
                        t.add((long) h[0] / 1000.0);
                        cpu.add(h[1]);
                        mem.add((long) h[2]);
                    }
                    out.put(Integer.toString(a.id), Map.of("t", t, "cpu", cpu, "mem", mem));
                }
                return out;
            }

            @Override
            public Object logs(int id, int lines) {
                App a = apps.get(id);
                if (a == null) return null;
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("out", Timeline.tail(a.outLog, lines));
                out.put("err", Timeline.tail(a.errLog, lines));
                return out;
            }

            @Override
            public void action(Map<String, Object> req, Consumer<Object> reply, BiConsumer<String, String> error) {
                dashboardAction(req, reply, error);
            }
        };
        try {
            Dashboard.open(host, port, Fields.bool(req, "metrics_public", false), Fields.bool(req, "allow_remote", false), source,
                    d -> {
                        dashboard = d;
                        Log.info("daemon", "dashboard on " + d.host + ":" + d.port + (d.metricsPublic ? " (/metrics public)" : ""));
                        answer.accept(d);
                    }, why -> error.accept("EDASHBOARD", why));
        } catch (IllegalArgumentException e) {
            throw new RequestException("EINVAL", e.getMessage());
        }
    }

    /**
     * A button of the dashboard's page: {@code {verb: restart|reload|stop|start, target}} or
     * {@code {verb: scale, name, number}}, done as the control protocol does it.
     */
    private void dashboardAction(Map<String, Object> req, Consumer<Object> reply, BiConsumer<String, String> error) {
        try {
            String verb = Fields.required(req, "verb");
            List<String> targets = List.of(String.valueOf(req.get("target")));
            switch (verb) {
                case "restart" -> restart(resolve(targets), Map.of(), reply);
                case "reload" -> reload(Map.of("targets", targets), reply, error);
                case "stop" -> each(resolve(targets), (a, d) -> {
                    triggers.disarm(a);
                    event(a, "stop");
                    stop(a, () -> {
                        release(a);
                        d.run();
                    });
                }, reply);
                case "start" -> start(Map.of("target", targets.getFirst()), reply);
                case "scale" -> scale(Map.of("name", Fields.required(req, "name"), "number", String.valueOf(req.get("number"))), reply);
                default -> throw new RequestException("EINVAL", "no such action: " + verb);
            }
        } catch (RequestException e) {
            error.accept(e.code, e.getMessage());
        } catch (RuntimeException e) {
            error.accept("EINVAL", String.valueOf(e.getMessage()));
        }
    }

    private void delete(App a, Runnable done) {
        triggers.disarm(a);
        event(a, "delete");
        stop(a, () -> {
            apps.remove(a.id);
            saveState();
            if (keeper != null) keeper.request("forget", Map.of("app", a.id), (r, c, m) -> {});
            done.run();
        });
    }

    // ---------------------------------------------------------------- sampling

    /** How many samples an app's history keeps: an hour's at the sampling interval. */
    private final int HISTORY_SAMPLES = (int) Math.max(1, 3_600_000 / Math.max(1, sampleMs));

    /** CPU % and memory of every running app's process tree, from /proc. */
    private void sample() {
        long now = System.nanoTime();
        for (App a : apps.values()) {
            if (!a.running()) continue;
            long ticks = 0;
            long rss = 0;
            List<ProcFs.Stat> tree = ProcFs.tree(List.of(a.pid));
            for (ProcFs.Stat s : tree) {
                ticks += s.utime() + s.stime();
                rss += s.rssPages() * ProcFs.PAGE_SIZE;
            }
            if (a.cpuTicks >= 0 && now > a.cpuSampledAt) {
                double seconds = (now - a.cpuSampledAt) / 1e9;
                a.cpu = Math.max(0, Math.round((ticks - a.cpuTicks) * 1000.0 / ProcFs.CLOCK_TICKS / seconds) / 10.0);
            }
            a.cpuTicks = ticks;
            a.cpuSampledAt = now;
            a.memory = rss;
            a.processes = tree.size();
            if (a.samplesToPss-- <= 0) { // smaps_rollup walks every mapping: not at every sample
                a.samplesToPss = 9;
                a.pss = Metrics.pssBytes(a.pid);
            }
            a.history.addLast(new double[] {System.currentTimeMillis(), a.cpu, rss});
            while (a.history.size() > HISTORY_SAMPLES) a.history.removeFirst();
            triggers.sampled(a);
        }
    }

    // ---------------------------------------------------------------- the control protocol

    private void onClient(Socket socket) {
        socket.on("error", a -> {});
        PeerCredentials peer = PeerCredentials.of(socket);
        if (peer.uid() != uid && peer.uid() != 0) {
            Log.info("daemon", "refused a client of uid " + peer.uid() + " (pid " + peer.pid() + ")");
            socket.end(errorLine(null, "EPERM", "the manager at " + home + " belongs to uid " + uid));
            return;
        }
        LineSplitter lines = new LineSplitter(MAX_REQUEST, new LineSplitter.Sink() {
            @Override
            public void line(byte[] bytes, int offset, int length) {
                onRequest(socket, bytes, offset, length);
            }

            @Override
            public void tooLong() {
                socket.write(errorLine(null, "E2BIG", "request longer than " + MAX_REQUEST + " bytes"));
            }
        });
        socket.on("data", a -> lines.feed((byte[]) a[0]));
    }

    /** A request refused, with its protocol error code. */
    private static final class RequestException extends RuntimeException {
        final String code;

        RequestException(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    private void onRequest(Socket socket, byte[] bytes, int offset, int length) {
        Object id = null;
        try {
            Object parsed;
            try {
                parsed = Json.parse(bytes, offset, length);
            } catch (RuntimeException e) {
                throw new RequestException("EINVAL", "malformed JSON: " + e.getMessage());
            }
            Map<String, Object> req = Fields.object(parsed, "a request");
            id = req.get("id");
            Object replyTo = id;
            Object v = req.get("v");
            if (!(v instanceof Integer n) || n != PROTOCOL) {
                throw new RequestException("EVERSION", "protocol version " + v + " is not supported (this daemon speaks "
                        + PROTOCOL + ")");
            }
            String cmd = Fields.required(req, "cmd");
            boolean table = Fields.bool(req, "table", false);
            boolean colour = Fields.bool(req, "colour", false);
            Consumer<Object> reply = result -> {
                // table: the command line asked for the jlist entries as pm2's table, to print as it is
                Object r = table && result instanceof List<?> l ? ProcessTable.render(entries(l), colour) : result;
                if (!socket.destroyed()) socket.write(resultLine(replyTo, r));
            };
            switch (cmd) {
                case "ping" -> reply.accept(Map.of("pong", true, "pid", process().pid(), "protocol", PROTOCOL,
                        "started_at", startedAt));
                case "jlist" -> reply.accept(jlist(List.copyOf(apps.values())));
                case "list" -> reply.accept(table(req));
                case "describe" -> reply.accept(jlist(resolve(Fields.strings(req, "targets"))));
                case "timeline" -> reply.accept(timeline(req));
                case "dashboard" -> dashboard(req, reply, (code, message) -> {
                    if (!socket.destroyed()) socket.write(errorLine(replyTo, code, message));
                });
                case "env" -> reply.accept(env(Fields.strings(req, "targets")));
                case "start" -> start(req, reply);
                case "stop" -> each(resolve(Fields.strings(req, "targets")), (a, d) -> {
                    triggers.disarm(a); // a stopped app is not watched nor restarted by cron
                    event(a, "stop");
                    stop(a, () -> {
                        release(a);
                        d.run();
                    });
                }, reply);
                case "restart" -> restart(resolve(Fields.strings(req, "targets")), req, reply);
                case "delete" -> each(resolve(Fields.strings(req, "targets")), this::delete, reply);
                case "reset" -> reset(resolve(Fields.strings(req, "targets")), reply);
                case "scale" -> scale(req, reply);
                case "sendSignal" -> sendSignal(req, reply);
                case "kill" -> kill(reply, socket);
                case "flush" -> flush(req, reply);
                case "reloadLogs" -> reloadLogs(reply);
                case "dump" -> reply.accept(Dump.of(apps.values())); // herd save
                case "exit" -> exitForUpdate(replyTo, socket); // herd update: this daemon alone goes
                case "reload" -> reload(req, reply, (code, message) -> {
                    if (!socket.destroyed()) socket.write(errorLine(replyTo, code, message));
                });
                case "trigger" -> actions.trigger(resolve(Fields.strings(req, "targets")), req, reply,
                        (code, message) -> {
                            if (!socket.destroyed()) socket.write(errorLine(replyTo, code, message));
                        });
                default -> throw new RequestException("EINVAL", "unknown command '" + cmd + "'");
            }
        } catch (RequestException e) {
            socket.write(errorLine(id, e.code, e.getMessage()));
        } catch (RuntimeException e) {
            socket.write(errorLine(id, "EINVAL", String.valueOf(e.getMessage())));
        }
    }

    private static byte[] resultLine(Object id, Object result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", PROTOCOL);
        m.put("id", id);
        m.put("ok", true);
        m.put("result", result);
        return Json.stringifyUtf8Line(m);
    }

    private static byte[] errorLine(Object id, String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", PROTOCOL);
        m.put("id", id);
        m.put("ok", false);
        m.put("error", Map.of("code", code, "message", message));
        return Json.stringifyUtf8Line(m);
    }

    /**
     * The apps {@code targets} name, by id: an id, {@code all}, a {@code /regex/} on names, a name or
     * a namespace.
     *
     * @throws RequestException ENOTFOUND for a target that names no app
     */
    private List<App> resolve(List<String> targets) {
        if (targets.isEmpty()) throw new RequestException("EINVAL", "no target given");
        Set<App> out = new LinkedHashSet<>();
        for (String t : targets) {
            List<App> found = new ArrayList<>();
            if (t.equals("all")) {
                found.addAll(apps.values());
                if (found.isEmpty()) throw new RequestException("ENOTFOUND", "no process to act on (the list is empty)");
            } else if (t.length() > 1 && t.startsWith("/") && t.endsWith("/")) {
                Pattern p;
                try {
                    p = Pattern.compile(t.substring(1, t.length() - 1));
                } catch (PatternSyntaxException e) {
                    throw new RequestException("EINVAL", "invalid regex " + t + ": " + e.getDescription());
                }
                for (App a : apps.values()) if (p.matcher(a.config.name()).find()) found.add(a);
            } else if (t.matches("\\d+")) {
                App a = apps.get(Integer.parseInt(t));
                if (a != null) found.add(a);
            } else {
                for (App a : apps.values()) if (a.config.name().equals(t)) found.add(a);
                if (found.isEmpty()) for (App a : apps.values()) if (a.config.namespace().equals(t)) found.add(a);
            }
            if (found.isEmpty()) throw new RequestException("ENOTFOUND", "process or namespace " + t + " not found");
            out.addAll(found);
        }
        List<App> list = new ArrayList<>(out);
        list.sort((x, y) -> Integer.compare(x.id, y.id));
        return list;
    }

    /** Runs {@code op} on every app (each in its own queue, all at once), then answers their jlist. */
    private void each(List<App> targets, BiConsumer<App, Runnable> op, Consumer<Object> reply) {
        int[] left = {targets.size()};
        for (App a : targets) {
            a.enqueue(next -> op.accept(a, () -> {
                next.run();
                if (--left[0] == 0) reply.accept(jlist(targets));
            }));
        }
    }

    private void start(Map<String, Object> req, Consumer<Object> reply) {
        String target = Fields.string(req, "target", null);
        if (target != null) {
            // Smart start: an existing app by name or id: start it if stopped, restart it if running.
            each(resolve(List.of(target)), (a, done) -> {
                if (a.running()) restart(a, done);
                else {
                    a.unstableStreak = 0;
                    a.prevRestartDelay = 0;
                    launch(a, done);
                }
            }, reply);
            return;
        }
        boolean force = Fields.bool(req, "force", false);
        List<AppConfig> configs = new ArrayList<>();
        if (!(req.get("apps") instanceof List<?> list) || list.isEmpty()) {
            throw new RequestException("EINVAL", "'apps' must be a non-empty array");
        }
        for (Object o : list) {
            try {
                configs.add(AppConfig.fromJson(Fields.object(o, "an app")));
            } catch (IllegalArgumentException e) {
                throw new RequestException("EINVAL", e.getMessage()); // nothing is started
            }
        }
        for (AppConfig c : configs) {
            if (c.options().get("increment_var") != null) incrementBase(c);
            try {
                RunAs.of(c.options(), uid); // --uid/--gid: root only, a user and group that exist
            } catch (IllegalArgumentException e) {
                throw new RequestException(uid != 0 ? "EPERM" : "EINVAL", "app '" + c.name() + "': " + e.getMessage());
            }
        }
        // A config file's start (pm2's startOrRestart): an app of the same name takes the new
        // configuration and is restarted (started when not running); the others are new apps.
        // (No app of a config's name then runs already: the EEXIST check has nothing to find.)
        boolean update = Fields.bool(req, "update", false);
        List<Integer> stoppedIndexes = Fields.integers(req, "stopped"); // checked before anything changes
        if (!force && !update) {
            for (AppConfig c : configs) {
                for (App a : apps.values()) {
                    if (a.config.name().equals(c.name()) && a.config.script().equals(c.script())) {
                        throw new RequestException("EEXIST", "script already launched as " + a.label()
                                + ", add -f to start another copy");
                    }
                }
            }
        }
        List<App> updated = update ? update(configs) : List.of();
        List<App> started = new ArrayList<>();
        // herd resurrect: the apps a dump holds as stopped are added stopped, as pm2 restores them.
        Set<App> addStopped = new java.util.HashSet<>();
        for (int ci = 0; ci < configs.size(); ci++) {
            AppConfig c = configs.get(ci);
            Map<String, Object> o = new LinkedHashMap<>(c.options());
            o.put("exec_mode", c.clusterMode() ? "cluster_mode" : "fork_mode"); // decided once: scale keeps it
            c = c.withOptions(o);
            // -i N: N apps (pm_ids) of one name, instances 0..N-1 (pm2's), one group; a
            // cluster-mode group's instances share the keeper's sockets under the group's id.
            String group = c.instances() > 1 || c.clusterMode() ? UUID.randomUUID().toString() : null;
            for (int i = 0; i < c.instances(); i++) {
                App a = newApp(c, group, i);
                if (stoppedIndexes.contains(ci)) addStopped.add(a);
                started.add(a);
            }
        }
        saveState();
        List<App> all = new ArrayList<>(updated);
        all.addAll(started);
        each(all, (a, done) -> {
            if (addStopped.contains(a)) done.run();
            else if (!updated.contains(a)) launch(a, done);
            else if (a.running()) restart(a, done);
            else {
                a.unstableStreak = 0;
                a.prevRestartDelay = 0;
                launch(a, done);
            }
        }, reply);
    }

    private App newApp(AppConfig c, String group, int instance) {
        App a = new App(nextId++, UUID.randomUUID().toString(), c);
        a.group = group;
        a.instance = instance;
        a.createdAt = System.currentTimeMillis();
        AppLogs.assign(home, a);
        apps.put(a.id, a);
        return a;
    }

    /**
     * {@code scale NAME N|+N|-N} (pm2's): instances added with the lowest free instance numbers
     * and started, or the highest-numbered ones stopped and deleted, until the app has N.
     */
    private void scale(Map<String, Object> req, Consumer<Object> reply) {
        String name = Fields.required(req, "name");
        String number = Fields.required(req, "number").strip();
        List<App> mine = new ArrayList<>();
        for (App a : apps.values()) {
            if (a.config.name().equals(name)) mine.add(a);
        }
        if (mine.isEmpty()) throw new RequestException("ENOENT", "no app named '" + name + "'");
        int target;
        try {
            int n = Integer.parseInt(number.startsWith("+") ? number.substring(1) : number);
            target = number.startsWith("+") || number.startsWith("-") ? mine.size() + n : n;
        } catch (NumberFormatException e) {
            throw new RequestException("EINVAL", "scale needs a number, +N or -N, not '" + number + "'");
        }
        if (target < 1) {
            throw new RequestException("EINVAL", "cannot scale '" + name + "' to " + target + " instances (herd delete "
                    + name + " removes it)");
        }
        mine.sort(java.util.Comparator.comparingInt((App a) -> a.instance).thenComparingInt(a -> a.id));
        App first = mine.getFirst();
        Map<String, Object> options = new LinkedHashMap<>(first.config.options());
        options.put("instances", target);
        AppConfig config = first.config.withOptions(options);
        List<App> kept = new ArrayList<>(mine.subList(0, Math.min(target, mine.size())));
        List<App> removed = new ArrayList<>(mine.subList(kept.size(), mine.size()));
        String group = first.group != null ? first.group : UUID.randomUUID().toString();
        for (App a : kept) {
            a.config = config;
            a.group = group;
        }
        List<App> added = new ArrayList<>();
        Set<Integer> used = new java.util.HashSet<>();
        for (App a : kept) used.add(a.instance);
        for (int i = 0; added.size() + kept.size() < target; i++) {
            if (used.contains(i)) continue;
            App a = newApp(config, group, i);
            added.add(a);
        }
        for (App a : kept) AppLogs.assign(home, a);
        saveState();
        Log.info("daemon", "scaling " + name + " from " + mine.size() + " to " + target + " instances");
        List<App> changed = new ArrayList<>(added);
        changed.addAll(removed);
        if (changed.isEmpty()) {
            reply.accept(jlist(kept));
            return;
        }
        int[] left = {changed.size()};
        Runnable over = () -> {
            if (--left[0] > 0) return;
            List<App> now = new ArrayList<>();
            for (App a : apps.values()) {
                if (a.config.name().equals(name)) now.add(a);
            }
            reply.accept(jlist(now));
        };
        for (App a : added) a.enqueue(next -> launch(a, () -> {
            next.run();
            over.run();
        }));
        for (App a : removed) a.enqueue(next -> delete(a, () -> {
            next.run();
            over.run();
        }));
    }

    /**
     * Gives each app named by one of {@code configs} its new configuration (keeping its id,
     * counters and unique id) and takes those configurations out of {@code configs}.
     *
     * @return the apps updated
     */
    private List<App> update(List<AppConfig> configs) {
        List<App> updated = new ArrayList<>();
        for (java.util.Iterator<AppConfig> it = configs.iterator(); it.hasNext(); ) {
            AppConfig c = it.next();
            boolean found = false;
            for (App a : apps.values()) {
                if (!a.config.name().equals(c.name())) continue;
                a.config = c;
                AppLogs.assign(home, a);
                updated.add(a);
                found = true;
            }
            if (found) it.remove();
        }
        return updated;
    }

    /** {@code restart --update-env}: {@code env} merged over each app's environment (pm2's), then a restart. */
    private void restart(List<App> targets, Map<String, Object> req, Consumer<Object> reply) {
        if ("toggle".equals(req.get("watch"))) {
            // restart --watch: pm2's toggleWatch, per app; the restart arms the watcher again or not.
            for (App a : targets) {
                a.config = a.config.withTriggers(a.config.triggers().watchToggled());
                triggers.disarm(a);
            }
            saveState();
        } else if (req.get("watch") != null) {
            throw new RequestException("EINVAL", "'watch' must be \"toggle\"");
        }
        if (req.get("env") != null) {
            Map<String, String> env = Fields.stringMap(req, "env");
            for (App a : targets) {
                Map<String, String> merged = new LinkedHashMap<>(a.config.env());
                merged.putAll(env);
                a.config = a.config.withEnv(merged);
            }
            saveState();
        }
        each(targets, this::restart, reply);
    }

    private void reset(List<App> targets, Consumer<Object> reply) {
        for (App a : targets) {
            a.restartTime = 0;
            a.unstableRestarts = 0;
            a.unstableStreak = 0;
            a.prevRestartDelay = 0;
        }
        saveState();
        reply.accept(jlist(targets));
    }

    private Object env(List<String> targets) {
        List<App> found = resolve(targets);
        return found.getFirst().processEnv;
    }

    private void sendSignal(Map<String, Object> req, Consumer<Object> reply) {
        String signal = Fields.required(req, "signal");
        if (signal.matches("\\d+")) signal = Signals.name(Integer.parseInt(signal));
        else if (!signal.startsWith("SIG")) signal = "SIG" + signal;
        if (signal == null || Signals.number(signal) <= 0) throw new RequestException("EINVAL", "unknown signal " + req.get("signal"));
        List<App> targets = resolve(Fields.strings(req, "targets"));
        for (App a : targets) {
            if (!a.running()) throw new RequestException("ENOTRUNNING", a.label() + " is not running");
        }
        String sig = signal;
        each(targets, (a, done) -> {
            if (keeper == null) {
                done.run();
                return;
            }
            keeper.request("signal", Map.of("app", a.id, "signal", sig), (r, c, m) -> done.run());
        }, reply);
    }

    /** Empties the targets' log files (every app's and herd.log without targets). */
    private void flush(Map<String, Object> req, Consumer<Object> reply) {
        List<String> targets = Fields.strings(req, "targets");
        List<App> list = targets.isEmpty() ? List.copyOf(apps.values()) : resolve(targets);
        try {
            reply.accept(Map.of("flushed", AppLogs.flush(home, list, targets.isEmpty())));
        } catch (IOException e) {
            throw new RequestException("EIO", "cannot empty a log file: " + e.getMessage());
        }
    }

    /** Sends {@code message} on the app's IPC channel; {@code done} gets null, or why it was not sent. */
    private void sendTo(App a, Object message, Consumer<String> done) {
        if (keeper == null || keeper.isClosed()) {
            done.accept("the keeper is not connected");
            return;
        }
        keeper.request("send", Map.of("app", a.id, "message", message), (r, code, m) -> done.accept(code == null ? null : m));
    }

    /** Has the keeper reopen every log file (after logrotate moved them). */
    private void reloadLogs(Consumer<Object> reply) {
        if (keeper == null || keeper.isClosed()) {
            reply.accept(Map.of("reopened", 0));
            return;
        }
        keeper.request("reopen", Map.of(), (r, code, message) -> {
            if (code != null) reply.accept(Map.of("reopened", 0, "error", message));
            else reply.accept(r);
        });
    }

    /**
     * {@code herd update}: this daemon alone exits, as on SIGTERM (state.json written, the keeper
     * and the apps left running), once its answer is written; the command line then starts the
     * new build's daemon, which re-adopts them.
     */
    private void exitForUpdate(Object id, Socket socket) {
        Log.info("daemon", "update: exiting for a new daemon; the apps keep running");
        exiting = true;
        saveState();
        cleanUp(false);
        Runnable bye = () -> process().exit(0);
        socket.write(resultLine(id, Map.of("exiting", true, "pid", process().pid())), e -> bye.run());
        setTimeout(bye, 1000).unref();
    }

    /** Stops every app, ends the keeper and then the daemon; answers before exiting. */
    private void kill(Consumer<Object> reply, Socket socket) {
        if (foreground != null) { // herd runtime: it stops every app, answers, and exits 0
            int n = apps.size();
            foreground.kill(exit -> {
                if (socket.destroyed()) exit.run();
                socket.write(resultLine(null, Map.of("killed", true, "apps", n)), e -> exit.run());
                setTimeout(exit, 1000).unref();
            });
            return;
        }
        Log.info("daemon", "kill: stopping every app, the keeper and the daemon");
        List<App> all = List.copyOf(apps.values());
        Runnable end = () -> {
            exiting = true;
            Runnable last = () -> {
                cleanUp(true);
                Map<String, Object> r = Map.of("killed", true, "apps", all.size());
                if (socket.destroyed()) process().exit(0);
                socket.write(resultLine(null, r), e -> process().exit(0));
                setTimeout(() -> process().exit(0), 1000).unref();
            };
            if (keeper != null) {
                keeper.request("exit", Map.of(), (r, c, m) -> last.run());
            } else if (keeperStarting) {
                // A keeper on its way (a daemon started --with-keeper, or a start just asked for
                // one) would outlive this daemon: end it once it has connected.
                withKeeper((link, error) -> {
                    if (link != null) link.request("exit", Map.of(), (r, c, m) -> last.run());
                    else last.run();
                });
            } else {
                last.run();
            }
        };
        if (all.isEmpty()) {
            end.run();
        } else {
            each(all, this::stop, r -> end.run());
        }
    }

    // ---------------------------------------------------------------- herd runtime

    /** {@return the apps, by id ({@link Foreground}: readiness and whether any is left)} */
    java.util.Collection<App> apps() {
        return apps.values();
    }

    /** Stops every app (as {@code stop all}; nothing restarts them), then runs {@code done}. */
    void stopAll(Runnable done) {
        List<App> all = List.copyOf(apps.values());
        if (all.isEmpty()) {
            done.run();
            return;
        }
        each(all, (a, d) -> {
            triggers.disarm(a);
            stop(a, d);
        }, r -> done.run());
    }

    /** The runtime ends: no more changes are acted on; the control socket, daemon.pid and state.json go. */
    void end() {
        exiting = true;
        if (server != null) server.close();
        cleanUp(true);
    }

    // ---------------------------------------------------------------- jlist

    /** {@code list}: pm2's table as text, drawn here so that the command line parses no JSON. */
    private String table(Map<String, Object> req) {
        String sort = Fields.string(req, "sort", null);
        if (sort != null && !ProcessTable.isSort(sort)) {
            throw new RequestException("EINVAL", "sort '" + sort + "': name or id, optionally with :asc or :desc");
        }
        List<Map<String, Object>> list = entries(jlist(List.copyOf(apps.values())));
        return ProcessTable.render(sort == null ? list : ProcessTable.sorted(list, sort), Fields.bool(req, "colour", false));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> entries(List<?> jlist) {
        return (List<Map<String, Object>>) jlist;
    }

    /** The user and group the app runs as, for jlist; null when it runs as the manager or they are gone. */
    private RunAs runAs(App a) {
        try {
            return RunAs.of(a.config.options(), uid);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private List<Object> jlist(List<App> list) {
        List<Object> out = new ArrayList<>(list.size());
        String user = ProcFs.userName(uid);
        for (App a : list) {
            AppConfig c = a.config;
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("pid", a.pid);
            p.put("name", c.name());
            p.put("pm_id", a.id);
            Map<String, Object> monit = new LinkedHashMap<>();
            monit.put("memory", a.running() ? a.memory : 0);
            monit.put("cpu", a.running() ? a.cpu : 0);
            p.put("monit", monit);
            Map<String, Object> env = new LinkedHashMap<>();
            env.put("name", c.name());
            env.put("namespace", c.namespace());
            env.put("status", a.status);
            env.put("restart_time", a.restartTime);
            env.put("unstable_restarts", a.unstableRestarts);
            env.put("pm_uptime", a.pmUptime);
            env.put("created_at", a.createdAt);
            env.put("exec_mode", a.group != null && c.clusterMode() ? "cluster_mode" : "fork_mode");
            env.put("instances", c.instances());
            env.put("pm_exec_path", c.script());
            env.put("pm_cwd", c.cwd());
            env.put("exec_interpreter", c.interpreter());
            env.put("node_args", c.interpreterArgs());
            env.put("args", c.args());
            env.put("exit_code", a.exitCode);
            env.put("NODE_APP_INSTANCE", a.instance);
            env.put("unique_id", a.uniqueId);
            env.put("pm_out_log_path", a.outLog);
            env.put("pm_err_log_path", a.errLog);
            AppLogs.jlist(a, env);
            env.put("autorestart", c.autorestart());
            env.put("max_restarts", c.maxRestarts());
            env.put("min_uptime", c.minUptime());
            env.put("restart_delay", c.restartDelay());
            env.put("exp_backoff_restart_delay", c.expBackoffRestartDelay());
            env.put("prev_restart_delay", a.prevRestartDelay);
            env.put("stop_exit_codes", c.stopExitCodes());
            env.put("kill_timeout", c.killTimeout());
            env.put("kill_signal", c.killSignal());
            RunAs runAs = runAs(a);
            env.put("username", runAs != null && runAs.user() != null ? runAs.user() : user);
            if (runAs != null && runAs.uid() >= 0) env.put("uid", runAs.uid());
            if (runAs != null && runAs.gid() >= 0) env.put("gid", runAs.gid());
            c.triggers().putPm2Env(env);
            env.put("axm_actions", a.axmActions);
            env.put("env", a.processEnv);
            for (Map.Entry<String, Object> o : c.options().entrySet()) env.putIfAbsent(o.getKey(), o.getValue());
            p.put("pm2_env", env);
            Map<String, Object> herd = new LinkedHashMap<>();
            herd.put("kind", c.kind());
            herd.put("command", c.command());
            herd.put("ipc", c.ipc());
            herd.put("listened", a.listened);
            herd.put("runtime", a.report); // a Herd program's own figures (RuntimeReport), or null
            herd.put("last_reload", a.lastReload);
            herd.put("exit_signal", a.exitSignal);
            herd.put("last_error", a.lastError);
            herd.put("processes", a.running() ? a.processes : 0);
            herd.put("restart_due_at", a.restartDueAt);
            herd.put("last_restart_cause", a.lastRestartCause);
            p.put("herd", herd);
            out.add(p);
        }
        return out;
    }
}
