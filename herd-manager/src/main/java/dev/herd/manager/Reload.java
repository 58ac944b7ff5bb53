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
 * {@code herd reload} of cluster-mode instances as a transaction (issue 15): no old instance is
 * touched until every replacement is up.
 *
 * <ol>
 *   <li>Each instance gets a replacement process (K at a time, {@code --parallel K}), spawned by
 *       the keeper under a key of its own with the instance's number, so that its
 *       {@code listen()} is given the instance's own socket: from then on both processes accept
 *       from one queue. It is ready once it listens (the keeper's {@code listening} event).
 *   <li>Every replacement then has to stay up for a watch window: {@code min_uptime} from its
 *       start, as for any start.
 *   <li>Commit: every old instance is sent the cluster protocol's {@code disconnect} (its servers
 *       close: no new connection goes to it, the ones it has finish), and is killed if it has
 *       not exited after {@code kill_timeout}; the replacement then takes the instance's pm_id.
 * </ol>
 *
 * A replacement that exits, or does not listen within {@code listen_timeout}, ends
 * the reload before the commit: every replacement is stopped and every old instance goes on
 * serving as if nothing happened; the reload answers {@code ERELOAD} with the reason.
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
        boolean ready;
        /** When it was spawned (System.nanoTime()): its watch window, min_uptime, runs from then. */
        long spawnedAt;
        boolean exited;
        private Runnable onListening;
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

        void exited(Integer code, String signal) {
            exited = true;
            if (onExit != null) onExit.accept(code != null ? "exited with code " + code : "was killed by " + signal);
        }
    }

    private final Host host;
    private final List<App> instances;
    private final int parallel;
    private final String cause;
    private final BiConsumer<String, Long> done;
    private final List<Replacement> started = new ArrayList<>();
    private final ArrayDeque<App> waiting;
    private final long began = System.nanoTime();
    private int spawning;
    private boolean over;
    private Timeout window;

    /**
     * @param done gets null (or the reason of the failure) and the reload's duration in ms
     */
    Reload(Host host, List<App> instances, int parallel, String cause, BiConsumer<String, Long> done) {
        this.cause = cause;
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
        long limit = a.config.triggers().listenTimeout();
        Timeout[] timer = new Timeout[1];
        r.onExit = why -> fail("instance " + a.instance + "'s replacement (pid " + r.pid + ") " + why + " before it was ready");
        r.onListening = () -> ready(r, timer[0]);
        timer[0] = setTimeout(() -> fail("instance " + a.instance + "'s replacement (pid " + r.pid + ") was not "
                + "listening within listen_timeout " + limit + " ms"), limit);
        request("spawn", spec, (res, code, message) -> {
            if (code != null) {
                fail("instance " + a.instance + "'s replacement did not start: " + message);
                return;
            }
            r.pid = Fields.integer(res, "pid", 0);
            r.startedAt = Fields.number(res, "startedAt", System.currentTimeMillis());
            r.startTicks = Fields.number(res, "startTicks", 0);
            Log.info("daemon", a.label() + " reload: replacement started (pid " + r.pid + ")");
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
        window = setTimeout(this::commit, Math.max(0, wait));
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
            kill.put("disconnect", true);
            request("kill", kill, (res, code, message) -> takeOver.run());
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
