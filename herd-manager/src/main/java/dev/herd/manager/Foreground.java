package dev.herd.manager;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import dev.herd.node.http.IncomingMessage;
import dev.herd.node.http.ServerResponse;
import dev.herd.node.json.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code herd runtime}: the process manager in the foreground, for containers (PID 1) and
 * systemd's {@code Type=simple} (pm2-runtime). One process is the daemon (policy, control socket)
 * and the keeper (the apps' parent, subreaper, log pumps) at once: both run on this process's loop
 * and speak their protocols over {@code HERD_HOME}'s sockets as they do apart, so {@code herd list},
 * {@code jlist}, {@code logs}, {@code restart}... from another shell with the same
 * {@code HERD_HOME} work against it. Nothing is detached and no session is made.
 *
 * <ul>
 *   <li>The apps' lines go to the runtime's stdout and stderr ({@link Console}) and to their log
 *       files; the manager's own lines go to its stderr.
 *   <li>SIGTERM or SIGINT stop every app (the kill signal, SIGKILL to the whole tree after
 *       {@code kill_timeout}) and the runtime exits 0.
 *   <li>It reaps every process that comes back to it: it is a child subreaper
 *       ({@code PR_SET_CHILD_SUBREAPER}), and as PID 1 every orphan of its PID namespace is its
 *       child anyway.
 *   <li>When no app is left that can run again (each errored, stopped, or exited without
 *       autorestart), it exits with code 2 and says why in one line (pm2-runtime exits 2 too).
 *   <li>With a health port, {@code GET /healthz} answers 200 while it runs, {@code GET /readyz}
 *       200 when every app is online (and ready, with {@code wait_ready}), else 503 naming those
 *       that are not.
 * </ul>
 *
 * <p>Thread rule: the loop thread, except the {@link Starter} on a pool thread.
 */
public final class Foreground {
    /** pm2-runtime's exit code when every app is gone. */
    public static final int GONE_EXIT_CODE = 2;

    /**
     * How the runtime runs.
     *
     * @param output how the apps' lines are written: {@code prefixed}, {@code raw} or {@code json}
     * @param healthPort the health endpoints' port; -1 for none, 0 for any free one
     * @param healthHost the address they listen on ({@code 0.0.0.0}: where the kubelet's probes come)
     * @param autoExit whether it exits once no app is left to run
     */
    public record Options(String output, int healthPort, String healthHost, boolean autoExit) {}

    /** Starts the apps through the control socket, blocking; runs on a pool thread. */
    @FunctionalInterface
    public interface Starter {
        /**
         * Starts the apps the runtime's arguments name.
         *
         * @return null once started, or the one line that says why nothing was started
         */
        String start();
    }

    private final HerdHome home;
    private final Options options;
    private final Starter starter;
    private Keeper keeper;
    private Daemon daemon;
    private HttpServer health;
    private boolean started;
    private boolean ending;
    private boolean checkQueued;
    /** {@code daemon.lock}, held from the start until the control socket answers. */
    private FileChannel startLockFile;
    private FileLock startLock;
    private Console.Mode mode = Console.Mode.PREFIXED;
    /**
     * The manager's lines until the start is accepted (the daemon has an app): printed then, or
     * dropped when it fails (its one line says why). Loop thread writes; the sink reads under the lock.
     */
    private List<String> held = new ArrayList<>();

    private Foreground(HerdHome home, Options options, Starter starter) {
        this.home = home;
        this.options = options;
        this.starter = starter;
    }

    /**
     * Runs the manager in the foreground until SIGTERM or SIGINT (exit 0), until no app is left
     * to run (exit 2), or until the start fails (exit 1). Never returns.
     *
     * @param home the manager's directory
     * @param options how it runs
     * @param starter what starts the apps once the control socket answers
     */
    public static void run(HerdHome home, Options options, Starter starter) {
        Herd.run(new String[0], a -> new Foreground(home, options, starter).begin());
    }

    private void begin() throws IOException {
        try {
            home.prepare();
        } catch (IOException e) {
            fail(e.getMessage());
            return;
        }
        // A command line starts a daemon only while it holds daemon.lock, and looks for one again
        // once it has it: held until our control socket answers, a `herd jlist` run meanwhile
        // waits and then finds this runtime instead of starting a daemon of its own.
        startLockFile = FileChannel.open(home.startLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        startLock = startLockFile.lock();
        // One manager per HERD_HOME: a daemon that runs there holds this lock (checked here, before
        // anything is touched, for a clear line; the daemon takes it for good below).
        try (FileChannel ch = FileChannel.open(home.daemonLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                String pid = Files.exists(home.daemonPid()) ? Files.readString(home.daemonPid()).strip() : "?";
                fail("a manager already runs for " + home + " (pid " + pid + "): use another HERD_HOME, or `herd kill` it");
                return;
            }
            l.release();
        }
        // A keeper whose daemon died still holds that daemon's apps (they await re-adoption).
        try (FileChannel ch = FileChannel.open(home.keeperLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                String pid = Files.exists(home.keeperPid()) ? Files.readString(home.keeperPid()).strip() : "?";
                fail("a keeper runs for " + home + " (pid " + pid + ") with the apps of a daemon that is gone: `herd kill`"
                        + " them, or use another HERD_HOME");
                return;
            }
            l.release();
        }
        mode = switch (options.output()) {
            case "raw" -> Console.Mode.RAW;
            case "json" -> Console.Mode.JSON;
            default -> Console.Mode.PREFIXED;
        };
        Log.sink = line -> {
            synchronized (this) {
                if (held != null) {
                    held.add(line);
                    return;
                }
            }
            managerLine(line, mode);
        };
        process().on("SIGTERM", () -> shutdown(0, null, "SIGTERM"));
        process().on("SIGINT", () -> shutdown(0, null, "SIGINT"));
        if (options.healthPort() >= 0) listenHealth();
        keeper = Keeper.inForeground(home, new Console(process().loop(), mode), () -> {
            daemon = Daemon.inForeground(home, this);
            try {
                daemon.start(false);
            } catch (IOException e) {
                shutdown(1, "cannot start: " + e.getMessage(), null);
            }
        });
        keeper.adoptOrphans(false); // until the start's own children (node for a .config.js) are done
        keeper.start();
        Log.info("runtime", "started (pid " + process().pid() + ", HERD_HOME " + home + ")");
    }

    /** The start is over: the lines held are printed ({@code print}) or dropped. */
    private void release(boolean print) {
        List<String> lines;
        synchronized (this) {
            lines = held;
            held = null;
        }
        if (print && lines != null) for (String line : lines) managerLine(line, mode);
    }

    /** One line of the manager's own log, on stderr (a JSON object in JSON mode). */
    private static void managerLine(String line, Console.Mode mode) {
        if (mode == Console.Mode.JSON) {
            int sp = line.indexOf(' ');
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", line.substring(sp + 1));
            m.put("timestamp", line.substring(0, sp));
            m.put("type", "herd");
            m.put("app_name", "herd");
            line = Json.stringify(m);
        }
        System.err.println(line);
    }

    private static void fail(String why) {
        System.err.println("herd runtime: " + why);
        process().exit(1);
    }

    /** The daemon's control socket answers: the apps are started through it (the CLI's start). */
    void listening() {
        try {
            startLock.release();
            startLockFile.close();
        } catch (IOException e) {
            Log.info("runtime", "cannot release " + home.startLock() + ": " + e);
        }
        String[] error = new String[1];
        process().loop().queueWork(() -> error[0] = starter.start(), thrown -> {
            keeper.adoptOrphans(true);
            if (thrown != null) error[0] = String.valueOf(thrown.getMessage());
            release(error[0] == null);
            if (error[0] != null) {
                shutdown(1, error[0], null);
                return;
            }
            started = true;
            changed();
        });
    }

    /** An app changed (the daemon saved its state): readiness, and whether any app is left. */
    void changed() {
        if (held != null && !daemon.apps().isEmpty()) release(true); // the start was accepted: its lines can show
        if (!started || ending || !options.autoExit() || checkQueued) return;
        checkQueued = true;
        setImmediate(this::check);
    }

    private void check() {
        checkQueued = false;
        if (ending) return;
        List<String> gone = new ArrayList<>();
        for (App a : daemon.apps()) {
            if (a.busy()) { // a start, stop or restart runs: look again once it is over
                setTimeout(this::changed, 50);
                return;
            }
            switch (a.status) {
                case App.ERRORED -> gone.add(a.config.name() + " errored"
                        + (a.lastError != null ? " (" + a.lastError + ")" : " (too many unstable restarts)"));
                case App.STOPPED -> gone.add(a.config.name() + " stopped" + exit(a));
                case App.ONE_LAUNCH -> gone.add(a.config.name() + " exited without autorestart" + exit(a));
                default -> {
                    return; // this one runs, or will again
                }
            }
        }
        shutdown(GONE_EXIT_CODE, gone.isEmpty() ? "no app left (every app was deleted); exiting"
                : "no app left to run: " + String.join(", ", gone) + "; exiting", null);
    }

    private static String exit(App a) {
        if (a.exitSignal != null) return " (signal " + a.exitSignal + ")";
        return a.exitCode != null ? " (exit code " + a.exitCode + ")" : "";
    }

    /**
     * Stops every app, then exits with {@code code}; {@code why} (or null) is said on stderr,
     * {@code signal} (or null) in the manager's log.
     */
    private void shutdown(int code, String why, String signal) {
        shutdown(code, why, signal, Runnable::run);
    }

    /**
     * {@code herd kill} from another command line: every app stops, then {@code answer} gets the
     * exit (code 0) to run once the kill's answer is written.
     */
    void kill(java.util.function.Consumer<Runnable> answer) {
        shutdown(0, null, "kill", answer);
    }

    private void shutdown(int code, String why, String signal, java.util.function.Consumer<Runnable> last) {
        if (ending) return;
        ending = true;
        boolean quiet = !started && code == 1; // a failed start: its one line says it all
        release(!quiet);
        if (why != null) System.err.println("herd runtime: " + why);
        if (signal != null) Log.info("runtime", signal + ": stopping every app");
        Runnable end = () -> {
            if (keeper != null) keeper.cleanUp();
            if (daemon != null) daemon.end();
            if (health != null) health.close();
            if (!quiet) Log.info("runtime", "exiting with code " + code);
            last.accept(() -> process().exit(code));
        };
        if (daemon != null) daemon.stopAll(end);
        else end.run();
    }

    // ---------------------------------------------------------------- health endpoints

    private void listenHealth() {
        health = Http.createServer(this::onHealth);
        health.on("error", a -> shutdown(1, "cannot serve the health port " + options.healthHost() + ":"
                + options.healthPort() + ": " + a[0], null));
        health.listen(options.healthPort(), options.healthHost(), () -> Log.info("runtime",
                "health endpoints on http://" + options.healthHost() + ":" + health.address().port() + " (/healthz, /readyz)"));
    }

    private void onHealth(IncomingMessage req, ServerResponse res) {
        String path = req.url();
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        boolean get = req.method().equals("GET") || req.method().equals("HEAD");
        switch (path) {
            case "/healthz", "/livez" -> {
                if (!get) res.json(405, Map.of("error", "GET only"));
                else res.json(200, Map.of("status", "ok", "pid", process().pid(), "time", Instant.now().toString()));
            }
            case "/readyz" -> {
                if (!get) {
                    res.json(405, Map.of("error", "GET only"));
                    return;
                }
                List<Object> notReady = new ArrayList<>();
                int apps = 0;
                if (daemon != null) {
                    for (App a : daemon.apps()) {
                        apps++;
                        if (!a.status.equals(App.ONLINE)) notReady.add(Map.of("name", a.config.name(), "pm_id", a.id,
                                "status", a.status));
                    }
                }
                Map<String, Object> body = new LinkedHashMap<>();
                boolean ready = started && !ending && apps > 0 && notReady.isEmpty();
                body.put("ready", ready);
                if (!ready) {
                    body.put("reason", ending ? "stopping" : !notReady.isEmpty() ? "not every app is online"
                            : !started ? "starting" : "no apps");
                    body.put("apps", notReady);
                }
                res.json(ready ? 200 : 503, body);
            }
            default -> res.json(404, Map.of("error", "not found: GET /healthz or /readyz"));
        }
    }
}
