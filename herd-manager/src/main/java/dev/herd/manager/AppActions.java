package dev.herd.manager;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Timeout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The actions apps register and {@code trigger} runs (pm2's custom actions, {@code pm2 trigger}).
 * A program registers an action with the IPC message {@code {type: 'axm:action', data:
 * {action_name, ...}}} ({@code @pm2/io}'s {@code io.action}, or Herd's {@code
 * dev.herd.node.manager.Actions}); the daemon keeps the {@code data} in the app's {@code
 * axm_actions} (jlist, describe, state.json) until its process exits. {@code trigger} sends the
 * process the action's name, or {@code {msg: name, opts: param}} with a parameter (pm2's
 * messages), and waits for {@code {type: 'axm:reply', data: {return, action_name}}} up to a
 * timeout.
 *
 * <p>Thread rule: the daemon's loop thread.
 */
final class AppActions {
    /** The most actions one process may register: more are dropped (a program registering in a loop). */
    static final int MAX_ACTIONS = 1000;
    /** How long {@code trigger} waits for replies by default ({@code HERD_TRIGGER_TIMEOUT_MS}). */
    static final long TIMEOUT_MS = 10_000;

    /** Sends a message on an app's IPC channel (through the keeper). */
    interface Sender {
        /**
         * Sends {@code message} to {@code a}'s process.
         *
         * @param a the app
         * @param message the message
         * @param done gets null once sent, or why it was not
         */
        void send(App a, Object message, Consumer<String> done);
    }

    /** One process a trigger waits for. */
    private static final class Waiting {
        final App app;
        final int pid;
        final String action;
        final Map<String, Object> entry;
        final Run run;

        Waiting(App app, String action, Run run) {
            this.app = app;
            this.pid = app.pid;
            this.action = action;
            this.run = run;
            this.entry = new LinkedHashMap<>();
            entry.put("pm_id", app.id);
            entry.put("name", app.config.name());
            entry.put("namespace", app.config.namespace());
        }
    }

    /** One {@code trigger} request: its processes, answered once every one replied or failed. */
    private static final class Run {
        final List<Waiting> waiting = new ArrayList<>();
        final Consumer<Object> reply;
        final BiConsumer<String, String> error;
        int left;
        Timeout timer;

        Run(Consumer<Object> reply, BiConsumer<String, String> error) {
            this.reply = reply;
            this.error = error;
        }
    }

    private final Sender sender;
    private final Runnable changed;
    private final long defaultTimeout = Settings.millis("HERD_TRIGGER_TIMEOUT_MS", TIMEOUT_MS);
    /** Every process waited for, oldest first: a reply answers the oldest wait for its app and action. */
    private final List<Waiting> waits = new ArrayList<>();

    /**
     * @param sender sends on an app's IPC channel
     * @param changed runs when an app's actions changed (the daemon saves its state)
     */
    AppActions(Sender sender, Runnable changed) {
        this.sender = sender;
        this.changed = changed;
    }

    /** A message from the app's current process: a registration or a reply; anything else is not ours. */
    void message(App a, Object message) {
        if (!(message instanceof Map<?, ?> m) || !(m.get("data") instanceof Map<?, ?> d)
                || !(d.get("action_name") instanceof String name)) {
            return;
        }
        if ("axm:action".equals(m.get("type"))) {
            for (Map<String, Object> known : a.axmActions) if (name.equals(known.get("action_name"))) return;
            if (a.axmActions.size() >= MAX_ACTIONS) {
                Log.info("daemon", a.label() + ": more than " + MAX_ACTIONS + " actions, " + name + " dropped");
                return;
            }
            Map<String, Object> action = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : d.entrySet()) action.put(String.valueOf(e.getKey()), e.getValue());
            a.axmActions.add(action);
            changed.run();
        } else if ("axm:reply".equals(m.get("type"))) {
            for (Waiting w : waits) {
                if (w.app == a && w.pid == a.pid && w.action.equals(name)) {
                    w.entry.put("return", d.get("return"));
                    done(w);
                    return;
                }
            }
        }
    }

    /** The app's process ended (or a new one is starting): its actions are gone, its waits fail. */
    void exited(App a) {
        for (Waiting w : List.copyOf(waits)) {
            if (w.app == a) {
                w.entry.put("error", "exited before replying");
                done(w);
            }
        }
        if (!a.axmActions.isEmpty()) {
            a.axmActions.clear();
            changed.run();
        }
    }

    /**
     * {@code trigger}: sends {@code action} (with {@code req.param} when given) to every running
     * target that registered it, and answers {@code {action, replies: [{pm_id, name, namespace,
     * return | error}]}} once each replied or failed or {@code req.timeout} ms passed. Errors:
     * {@code ENOTRUNNING} (no target runs), {@code ENOACTION} (none registered the action),
     * {@code ETIMEDOUT} (not one replied in time).
     *
     * @param targets the apps named
     * @param req the request: {@code action}, {@code param}, {@code timeout}
     * @param reply gets the result
     * @param error gets an error code and message instead
     */
    void trigger(List<App> targets, Map<String, Object> req, Consumer<Object> reply, BiConsumer<String, String> error) {
        String action = Fields.required(req, "action");
        if (action.isEmpty()) throw new IllegalArgumentException("'action' must not be empty");
        long timeout = Fields.number(req, "timeout", defaultTimeout);
        if (timeout <= 0) throw new IllegalArgumentException("'timeout' must be positive");
        Object param = req.get("param");
        List<App> running = new ArrayList<>();
        for (App a : targets) {
            if (a.running() && (a.status.equals(App.ONLINE) || a.status.equals(App.LAUNCHING))) running.add(a);
        }
        if (running.isEmpty()) {
            error.accept("ENOTRUNNING", names(targets) + (targets.size() == 1 ? " is" : " are") + " not running");
            return;
        }
        List<App> having = new ArrayList<>();
        for (App a : running) {
            for (Map<String, Object> known : a.axmActions) {
                if (action.equals(known.get("action_name"))) {
                    having.add(a);
                    break;
                }
            }
        }
        if (having.isEmpty()) {
            // pm2's message
            error.accept("ENOACTION", "Action doesn't exist " + action + " for " + names(running));
            return;
        }
        Object message = param == null ? action : Map.of("msg", action, "opts", param);
        Run run = new Run(reply, error);
        run.left = having.size();
        for (App a : having) {
            Waiting w = new Waiting(a, action, run);
            run.waiting.add(w);
            waits.add(w);
        }
        run.timer = setTimeout(() -> {
            run.timer = null;
            for (Waiting w : run.waiting) {
                if (waits.contains(w)) {
                    w.entry.put("error", "no reply within " + timeout + " ms");
                    done(w);
                }
            }
        }, timeout);
        for (Waiting w : List.copyOf(run.waiting)) {
            sender.send(w.app, message, failure -> {
                if (failure != null && waits.contains(w)) {
                    w.entry.put("error", "not sent: " + failure);
                    done(w);
                }
            });
        }
    }

    /** One process of a run replied or failed: the run answers once none is left. */
    private void done(Waiting w) {
        if (!waits.remove(w)) return;
        Run run = w.run;
        if (--run.left > 0) return;
        if (run.timer != null) clearTimeout(run.timer);
        boolean anyReply = false;
        List<Object> entries = new ArrayList<>();
        for (Waiting x : run.waiting) {
            entries.add(x.entry);
            anyReply |= x.entry.containsKey("return");
        }
        if (!anyReply) {
            boolean timedOut = true;
            List<String> why = new ArrayList<>();
            for (Waiting x : run.waiting) {
                timedOut &= String.valueOf(x.entry.get("error")).startsWith("no reply");
                why.add(x.app.label() + ": " + x.entry.get("error"));
            }
            run.error.accept(timedOut ? "ETIMEDOUT" : "EFAILED", w.action + ": " + String.join("; ", why));
            return;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("action", w.action);
        result.put("replies", entries);
        run.reply.accept(result);
    }

    private static String names(List<App> apps) {
        List<String> names = new ArrayList<>();
        for (App a : apps) if (!names.contains(a.config.name())) names.add(a.config.name());
        return String.join(", ", names);
    }

    /** The {@code axm_actions} state.json kept, or an empty list. */
    static List<Map<String, Object>> fromJson(Object saved) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (saved instanceof List<?> list) {
            for (Object o : list) if (o instanceof Map<?, ?> m && m.get("action_name") instanceof String) out.add(Fields.object(m, "an action"));
        }
        return out;
    }
}
