package dev.herd.manager;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Timeout;
import dev.herd.node.fs.IgnorePatterns;
import dev.herd.node.fs.WatchTrigger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What restarts the daemon's apps besides their own exits, and when an app is ready: the memory
 * limit ({@code max_memory_restart}, checked on every sample of the app's tree), file changes
 * ({@code watch}, through {@link WatchTrigger}), cron times ({@code cron_restart}) and readiness
 * ({@code wait_ready}: the IPC message {@code ready}, or {@code listen_timeout}). It decides when;
 * the daemon restarts ({@link Restarter}). An app's watcher and cron timer are armed when it
 * starts and disarmed by {@code stop} and {@code delete}; a restart keeps them.
 *
 * <p>Thread rule: the daemon's loop thread.
 */
final class Triggers {
    /** The longest single timer of a cron wait: a longer wait is taken in steps (a timer's range). */
    static final long CRON_STEP_MS = 3_600_000;

    /** Restarts an app for a trigger. */
    interface Restarter {
        /**
         * Restarts {@code a} (gracefully) for {@code cause}; calls {@code done} once it is over.
         *
         * @param a the app
         * @param cause {@code memory}, {@code watch} or {@code cron}
         * @param detail for herd.log: what crossed or changed
         * @param done runs once the restart is over (or was not done)
         */
        void restart(App a, String cause, String detail, Runnable done);
    }

    /** What is armed for one app. */
    private static final class Armed {
        WatchTrigger watcher;
        Timeout cron;
        CronExpression cronExpression;
        /** A trigger's restart is queued or running: further triggers are dropped until it ends (pm2's). */
        boolean restarting;
        Timeout readyTimer;
        Consumer<Boolean> onReady;
    }

    private final Restarter restarter;
    private final Map<Integer, Armed> armed = new HashMap<>();

    Triggers(Restarter restarter) {
        this.restarter = restarter;
    }

    private Armed of(App a) {
        return armed.computeIfAbsent(a.id, k -> new Armed());
    }

    /** Starts the app's watcher and cron timer when it has them and they are not running yet. */
    void arm(App a) {
        TriggerConfig t = a.config.triggers();
        Armed s = of(a);
        if (t.watch() && s.watcher == null) {
            Path cwd = Path.of(a.config.cwd());
            try {
                s.watcher = WatchTrigger.start(cwd, t.watchPaths(), IgnorePatterns.of(cwd, t.ignoreWatch()), t.watchDelay(),
                        changed -> fire(a, "watch", "change of " + String.join(", ", changed.size() > 5
                                ? changed.subList(0, 5) : changed) + (changed.size() > 5 ? " and more" : "")),
                        e -> Log.info("daemon", a.label() + ": watch: " + e));
                Log.info("daemon", a.label() + " watching " + (t.watchPaths().isEmpty() ? cwd : t.watchPaths()));
            } catch (RuntimeException e) {
                Log.info("daemon", a.label() + ": cannot watch " + t.watchPaths() + ": " + e.getMessage());
            }
        }
        if (t.cronRestart() != null && s.cron == null) {
            s.cronExpression = CronExpression.parse(t.cronRestart());
            armCron(a, s);
        }
    }

    private void armCron(App a, Armed s) {
        ZonedDateTime now = ZonedDateTime.now();
        ZonedDateTime at = s.cronExpression.next(now);
        if (at == null) {
            s.cron = null;
            return;
        }
        long ms = Math.max(1, Duration.between(now, at).toMillis());
        if (ms > CRON_STEP_MS) {
            s.cron = setTimeout(() -> armCron(a, s), CRON_STEP_MS);
        } else {
            s.cron = setTimeout(() -> {
                armCron(a, s); // the next time first: a slow restart does not skip one
                fire(a, "cron", "cron " + s.cronExpression);
            }, ms);
        }
    }

    private void fire(App a, String cause, String detail) {
        Armed s = of(a);
        if (s.restarting) return;
        s.restarting = true;
        restarter.restart(a, cause, detail, () -> s.restarting = false);
    }

    /** Stops the app's watcher and cron timer and drops a wait for readiness ({@code stop}, {@code delete}). */
    void disarm(App a) {
        Armed s = armed.remove(a.id);
        if (s == null) return;
        if (s.watcher != null) s.watcher.close();
        if (s.cron != null) clearTimeout(s.cron);
        if (s.readyTimer != null) clearTimeout(s.readyTimer);
    }

    /** A new sample of the app's tree: restarts it when over its memory limit. */
    void sampled(App a) {
        long limit = a.config.triggers().maxMemoryRestart();
        if (limit <= 0 || a.memory <= limit || !a.status.equals(App.ONLINE)) return;
        fire(a, "memory", "memory " + mib(a.memory) + " over the limit " + mib(limit));
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /**
     * Waits for the app to say it is ready ({@code wait_ready}): {@code outcome} gets true once it
     * has, or after {@code listen_timeout} (online anyway, as pm2; logged), and false if the
     * process ends first ({@link #exited}).
     */
    void awaitReady(App a, Consumer<Boolean> ready) {
        Armed s = of(a);
        s.onReady = ready;
        long timeout = a.config.triggers().listenTimeout();
        s.readyTimer = setTimeout(() -> {
            Log.info("daemon", a.label() + " did not say it is ready within " + timeout + " ms (listen_timeout): online anyway");
            ready(s);
        }, timeout);
    }

    private static void ready(Armed s) {
        Consumer<Boolean> r = s.onReady;
        s.onReady = null;
        if (s.readyTimer != null) clearTimeout(s.readyTimer);
        s.readyTimer = null;
        if (r != null) r.accept(true);
    }

    /** A message from the app on its IPC channel: {@code ready} ends a wait for readiness. */
    void message(App a, Object message) {
        Armed s = armed.get(a.id);
        if (s == null || s.onReady == null || !"ready".equals(message)) return;
        Log.info("daemon", a.label() + " is ready");
        ready(s);
    }

    /**
     * The app's process ended: a wait for readiness is over without it.
     *
     * @return the end of the wait (the start in progress learns it failed), to run once the exit is
     *     handled; or null when nothing waited
     */
    Runnable exited(App a) {
        Armed s = armed.get(a.id);
        if (s == null || s.onReady == null) return null;
        Consumer<Boolean> r = s.onReady;
        s.onReady = null;
        if (s.readyTimer != null) clearTimeout(s.readyTimer);
        s.readyTimer = null;
        return () -> r.accept(false);
    }

    /** The causes of a restart, as {@code herd.last_restart_cause} names them. */
    static final List<String> CAUSES = List.of("crash", "exit", "manual", "memory", "watch", "cron", "keeper");
}
