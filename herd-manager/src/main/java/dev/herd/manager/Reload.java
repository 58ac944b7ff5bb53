package dev.herd.manager;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Timeout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * {@code herd reload} of instances whose sockets the manager owns (cluster mode, socket
 * activation) as a transaction (issue 15): no old instance is touched until every replacement is
 * up and well.
 *
 * <ol>
 *   <li>Each instance gets a replacement process (K at a time, {@code --parallel K}), spawned by
 *       the keeper under a key of its own with the instance's number. Its {@code listen()} (or its
 *       socket activation) gets sockets of its own in the port's SO_REUSEPORT group, which the
 *       keeper's steering sends no connection yet but the health probe's. It is ready once it
 *       listens (the cluster protocol's {@code listening}; a socket-activated program once
 *       spawned), has said {@code ready} if {@code wait_ready}, and its health probe passed
 *       ({@code health_url} answers 2xx, {@code health_cmd} exits 0), within {@code listen_timeout}.
 *   <li>Every replacement then has to stay up, and pass its probe again, for a watch window:
 *       {@code min_uptime} from its start, as for any start.
 *   <li>Commit: each replacement's sockets take the new connections instead of its old
 *       instance's; the old instance accepts what was queued for it, is sent the cluster
 *       protocol's {@code disconnect} (its servers close, its connections finish; a
 *       socket-activated program gets its kill signal), and is killed if it has not exited after
 *       {@code kill_timeout}; the replacement then takes the instance's pm_id and slot.
 * </ol>
 *
 * A replacement that exits, does not get ready within {@code listen_timeout}, or fails its probe
 * in the watch window ends the reload before the commit: every replacement is stopped (no
 * connection but the probe's ever reached it) and every old instance goes on serving as if
 * nothing happened; the reload answers {@code ERELOAD} with the reason.
 *
 * <p>Thread rule: the daemon's loop thread. Lifetime: one reload.
 */
final class Reload {
    /** What the reload needs of the daemon. */
    interface Host {
        KeeperLink keeper();

        /** The keeper's spawn request for {@code a}'s process. */
        Map<String, Object> spawnSpec(App a);

        /** Registers (or, with null, removes) the replacement spawned under keeper key {@code key}. */
        void replacement(int key, Replacement r);

        /** The instance's replacement took over: the app's fields follow the new process. */
        void committed(App a, Replacement r);

        /**
         * Probes the replacement: {@code done} gets null when it is well, or why not.
         *
         * @param url the {@code health_url} to GET from the replacement alone, or null
         * @param cmd the {@code health_cmd} to run for it, or null
         */
        void probe(Replacement r, String url, String cmd, Consumer<String> done);

        void saveState();
    }

    /** A replacement process: its events come from the daemon's keeper listener. */
    static final class Replacement {
        final App app;
        final int key;
        /** Why the instance is replaced: {@code reload}, or a trigger's cause (memory, cron, watch). */
        String cause = "reload";
        int pid;
        long startedAt;
        long startTicks;
        boolean listening;
        /** It said it is ready ({@code process.send('ready')}, READY=1). */
        boolean said;
        boolean spawned;
        boolean probing;
        boolean ready;
        /** The command it runs instead of the app's (a Herd program's new AOT cache), or null. */
        List<String> command;
        /** When it was spawned (System.nanoTime()): its watch window, min_uptime, runs from then. */
        long spawnedAt;
        boolean exited;
        private Runnable onListening;
        private Runnable onChange;
        private Consumer<String> onExit;

        Replacement(App app, int key) {
            this.app = app;
            this.key = key;
        }

        void listening() {
            if (listening) return;
            listening = true;
            if (onListening != null) onListening.run();
        }

        /** The replacement said it is ready (wait_ready). */
        void said() {
            if (said) return;
            said = true;
            if (onChange != null) onChange.run();
        }

        void exited(Integer code, String signal) {
            exited = true;
            if (onExit != null) onExit.accept(code != null ? "exited with code " + code : "was killed by " + signal);
        }
    }

    private final Host host;
    private final List<App> instances;
    private final int parallel;
    private final String cause;
    private final String healthUrl;
    private final String healthCmd;
    private final Map<Integer, List<String>> commands;
    private final BiConsumer<String, Long> done;
    private final List<Replacement> started = new ArrayList<>();
    private final ArrayDeque<App> waiting;
    private final long began = System.nanoTime();
    private int spawning;
    private boolean over;
    private Timeout window;

    /** How often a replacement's health probe runs in its watch window, and is retried until it is ready. */
    static final long PROBE_INTERVAL_MS = 250;

    /**
     * @param healthUrl the probe for this reload instead of the apps' {@code health_url}, or null
     * @param healthCmd the probe for this reload instead of the apps' {@code health_cmd}, or null
     * @param commands the commands the replacements run instead of their apps', by pm_id (the
     *     command line's plan: a Herd program's AOT cache trained for its new jar); empty for none
     * @param done gets null (or the reason of the failure) and the reload's duration in ms
     */
    Reload(Host host, List<App> instances, int parallel, String cause, String healthUrl, String healthCmd,
            Map<Integer, List<String>> commands, BiConsumer<String, Long> done) {
        this.commands = commands;
        this.cause = cause;
        this.healthUrl = healthUrl;
        this.healthCmd = healthCmd;
        this.host = host;
        this.instances = instances;
        this.parallel = Math.max(1, parallel);
        this.done = done;
        this.waiting = new ArrayDeque<>(instances);
    }

    void start() {
        for (App a : instances) a.reloading = true;
        Log.info("daemon", "reloading " + labels() + " (" + parallel + " at a time)");
        next();
    }

    private String labels() {
        List<String> l = new ArrayList<>();
        for (App a : instances) l.add(a.label());
        return String.join(", ", l);
    }

    private static int nextKey = 1 << 30; // keeper keys of replacements: never an app's pm_id

    /** Spawns replacements while fewer than {@code parallel} are on their way up. */
    private void next() {
        while (!over && spawning < parallel && !waiting.isEmpty()) spawn(waiting.poll());
        if (!over && spawning == 0 && waiting.isEmpty()) watch();
    }

    private void spawn(App a) {
        spawning++;
        Replacement r = new Replacement(a, nextKey++);
        r.cause = cause;
        r.spawnedAt = System.nanoTime();
        started.add(r);
        host.replacement(r.key, r);
        Map<String, Object> spec = new LinkedHashMap<>(host.spawnSpec(a));
        spec.put("app", r.key);
        r.command = commands.get(a.id);
        if (r.command != null && !r.command.isEmpty()) {
            spec.put("file", r.command.getFirst());
            spec.put("args", r.command.subList(1, r.command.size()));
        }
        // Sockets of its own (slot = its key) until the commit, for cluster and activation alike.
        for (String kind : List.of("cluster", "activation")) {
            if (spec.get(kind) instanceof Map<?, ?> m) {
                Map<String, Object> own = new LinkedHashMap<>();
                m.forEach((k, v) -> own.put((String) k, v));
                own.put("slot", r.key);
                spec.put(kind, own);
            }
        }
        long limit = a.config.triggers().listenTimeout();
        Timeout[] timer = new Timeout[1];
        String[] lastProbe = {null};
        r.onExit = why -> fail("instance " + a.instance + "'s replacement (pid " + r.pid + ") " + why + " before it was ready");
        r.onListening = () -> check(r, timer[0], lastProbe);
        r.onChange = r.onListening;
        timer[0] = setTimeout(() -> fail("instance " + a.instance + "'s replacement (pid " + r.pid + ") was not "
                + waitingFor(r) + " within listen_timeout " + limit + " ms"
                + (lastProbe[0] == null ? "" : " (" + lastProbe[0] + ")")), limit);
        request("spawn", spec, (res, code, message) -> {
            if (code != null) {
                fail("instance " + a.instance + "'s replacement did not start: " + message);
                return;
            }
            r.pid = Fields.integer(res, "pid", 0);
            r.startedAt = Fields.number(res, "startedAt", System.currentTimeMillis());
            r.startTicks = Fields.number(res, "startTicks", 0);
            r.spawned = true;
            Log.info("daemon", a.label() + " reload: replacement started (pid " + r.pid + ")");
            check(r, timer[0], lastProbe);
        });
    }

    private String url(App a) {
        return healthUrl != null ? healthUrl : a.config.options().get("health_url") instanceof String s ? s : null;
    }

    private String cmd(App a) {
        return healthCmd != null ? healthCmd : a.config.options().get("health_cmd") instanceof String s ? s : null;
    }

    /** What a replacement waits for: listening (cluster mode), its word (wait_ready), a passed probe. */
    private String waitingFor(Replacement r) {
        if (r.app.config.clusterMode() && !r.listening) return "listening";
        if (r.app.config.triggers().waitReady() && !r.said) return "ready";
        return "healthy";
    }

    /** Makes {@code r} ready once it is spawned, listens, said so and passed its probe (as its app needs). */
    private void check(Replacement r, Timeout timer, String[] lastProbe) {
        if (over || r.ready || r.probing || !r.spawned) return;
        if (r.app.config.clusterMode() && !r.listening) return;
        if (r.app.config.triggers().waitReady() && !r.said) return;
        String url = url(r.app);
        String cmd = cmd(r.app);
        if (url == null && cmd == null) {
            ready(r, timer);
            return;
        }
        r.probing = true;
        host.probe(r, url, cmd, failure -> {
            r.probing = false;
            if (over) return;
            if (failure == null) {
                ready(r, timer);
            } else {
                lastProbe[0] = failure;
                setTimeout(() -> check(r, timer, lastProbe), PROBE_INTERVAL_MS); // not yet: again, until listen_timeout
            }
        });
    }

    private void ready(Replacement r, Timeout timer) {
        if (over || r.ready) return;
        clearTimeout(timer);
        r.ready = true;
        r.onExit = why -> fail("instance " + r.app.instance + "'s replacement (pid " + r.pid + ") " + why
                + " within the watch window");
        spawning--;
        Log.info("daemon", r.app.label() + " reload: replacement ready (pid " + r.pid + ")");
        next();
    }

    /**
     * Every replacement is ready: each has to stay up until its watch window has passed, min_uptime
     * from its start (as for any start: a process that dies sooner is an unstable one), so the
     * later replacements' starts overlap the earlier ones' windows.
     */
    private void watch() {
        long now = System.nanoTime();
        long wait = 0;
        for (Replacement r : started) {
            long end = r.spawnedAt + r.app.config.minUptime() * 1_000_000;
            wait = Math.max(wait, (end - now) / 1_000_000);
        }
        if (started.stream().anyMatch(r -> url(r.app) != null || cmd(r.app) != null)) {
            probeAll(wait);
        } else {
            window = setTimeout(this::commit, Math.max(0, wait));
        }
    }

    /**
     * The watch window of probed replacements: every replacement's probe again every
     * {@link #PROBE_INTERVAL_MS}, and a last round when the window ends; a failure ends the reload.
     */
    private void probeAll(long left) {
        long step = Math.min(PROBE_INTERVAL_MS, Math.max(0, left));
        window = setTimeout(() -> {
            window = null;
            int[] pending = {0};
            for (Replacement r : started) {
                String url = url(r.app);
                String cmd = cmd(r.app);
                if (url == null && cmd == null) continue;
                pending[0]++;
                host.probe(r, url, cmd, failure -> {
                    if (over) return;
                    if (failure != null) {
                        fail("instance " + r.app.instance + "'s replacement (pid " + r.pid + ") " + failure + " within the watch window");
                        return;
                    }
                    if (--pending[0] == 0) {
                        if (left - step <= 0) commit();
                        else probeAll(left - step);
                    }
                });
            }
        }, step);
    }

    /** Every old instance drains and goes; each replacement takes its instance's place. */
    private void commit() {
        window = null;
        if (over) return;
        int[] left = {started.size()};
        for (Replacement r : started) {
            r.onExit = null; // from here on it is the app's process: its exits are the app's
            App a = r.app;
            Runnable takeOver = () -> request("rekey", Map.of("from", r.key, "to", a.id), (res, code, message) -> {
                host.replacement(r.key, null);
                if (code != null) Log.info("daemon", a.label() + " reload: " + message);
                host.committed(a, r);
                if (--left[0] == 0) end(null);
            });
            if (!a.running()) {
                takeOver.run();
                continue;
            }
            a.status = App.STOPPING; // its exit is the reload's, not a crash
            Map<String, Object> kill = new LinkedHashMap<>();
            kill.put("app", a.id);
            kill.put("signal", a.config.killSignal());
            kill.put("timeout", a.config.killTimeout());
            kill.put("disconnect", a.config.clusterMode());
            // New connections to the replacement first; then the old instance drains and goes.
            request("promote", Map.of("app", r.key), (res0, code0, message0) -> {
                if (code0 != null) Log.info("daemon", a.label() + " reload: " + message0);
                request("kill", kill, (res, code, message) -> takeOver.run());
            });
        }
    }

    private void fail(String why) {
        if (over) return;
        over = true;
        if (window != null) clearTimeout(window);
        Log.info("daemon", "reload of " + labels() + " failed: " + why + "; the old instances go on");
        for (Replacement r : started) {
            r.onExit = null;
            r.onListening = null;
            Map<String, Object> kill = new HashMap<>();
            kill.put("app", r.key);
            kill.put("signal", "SIGKILL");
            kill.put("timeout", 0);
            request("kill", kill, (res, code, message) -> request("forget", Map.of("app", r.key),
                    (res2, code2, message2) -> host.replacement(r.key, null)));
        }
        end(why);
    }

    /** A keeper request; with no keeper (it died: the daemon restarts every app) an error answer at once. */
    private void request(String cmd, Map<String, Object> params, KeeperLink.Reply reply) {
        KeeperLink k = host.keeper();
        if (k == null || k.isClosed()) reply.done(null, "ENOKEEPER", "the keeper is gone");
        else k.request(cmd, params, reply);
    }

    private void end(String failure) {
        over = true;
        for (App a : instances) a.reloading = false;
        long ms = (System.nanoTime() - began) / 1_000_000;
        if (failure == null) Log.info("daemon", "reloaded " + labels() + " in " + ms + " ms");
        host.saveState();
        done.accept(failure, ms);
    }
}
