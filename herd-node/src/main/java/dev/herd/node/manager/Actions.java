package dev.herd.node.manager;

import static dev.herd.node.Globals.process;

import dev.herd.node.NodeProcess;
import dev.herd.node.internal.ProcessChannel;
import dev.herd.node.value.Undefined;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * Actions a managed program offers its process manager: {@code herd trigger APP ACTION [PARAM]}
 * runs the handler registered under {@code ACTION} in every process of {@code APP} and prints
 * what it replies. This is pm2's custom actions ({@code io.action(name, (param, reply) => ...)} of
 * {@code @pm2/io}) in Java, over the same messages on the program's IPC channel to its manager:
 * registering sends {@code {type: 'axm:action', data: {action_name, action_type, arity}}}; the
 * manager sends the action's name (or {@code {msg: name, opts: param}} with a parameter); the reply
 * is {@code {type: 'axm:reply', data: {return: value, action_name, at}}}. So a Herd program is
 * triggered by pm2 as well, and a Node program written for pm2 by Herd.
 *
 * <pre>{@code
 * Actions.register("cache:clear", (param, reply) -> {
 *     int n = cache.clear();
 *     reply.send(Map.of("cleared", n));
 * });
 * }</pre>
 *
 * <p>Without an IPC channel (the program was not started by a manager, or by one without a
 * channel) registering does nothing and returns false. Registering does not keep the program
 * alive: its messages are listened for without holding the channel referenced (as {@code @pm2/io}
 * tries to achieve by removing its listener when nothing else runs).
 *
 * <p>Thread rule: call it on the loop thread of the program's environment; handlers run there too,
 * as the program's own 'message' listeners do, and an exception a handler throws is the program's
 * 'uncaughtException'. Lifetime: an action stays registered for the life of the process (the
 * manager forgets it when the process exits; a new process registers again as it starts).
 */
public final class Actions {
    /** One action's code: runs when the manager triggers it. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Runs the action; it answers through {@code reply}, now or later, once.
         *
         * @param param what {@code trigger} gave after the action's name (a String from the command
         *     line; any value of the value model from another tool), or null without one
         * @param reply sends the answer the manager prints
         */
        void run(Object param, Reply reply);
    }

    /** The answer of one run of an action. */
    @FunctionalInterface
    public interface Reply {
        /**
         * Sends the answer to the manager (a value of the value model: a Map, a List, a String, a
         * number, null...; {@code herd trigger} prints it as JSON). The first call counts; the
         * manager ignores later ones. Does nothing once the channel has closed.
         *
         * @param value the answer
         */
        void send(Object value);
    }

    /** The actions of one process object: registered handlers and the one 'message' listener. */
    private static final class Registry {
        final Map<String, Handler> handlers = new HashMap<>();
    }

    /** Per process object (one per environment that has a channel), on that environment's loop thread. */
    private static final Map<NodeProcess, Registry> REGISTRIES = new WeakHashMap<>();

    private Actions() {}

    /**
     * Registers {@code handler} as the action {@code name} and tells the manager about it (again
     * with a new handler: the last one registered runs). A name starting with {@code km:} or
     * {@code internal:} is an internal action, as pm2 types them; any other is a custom one.
     *
     * @param name the action's name, as {@code trigger} names it
     * @param handler what runs on a trigger
     * @return true when told to a manager; false without an IPC channel (nothing is registered)
     * @throws IllegalArgumentException for an empty name
     * @throws NullPointerException for a null name or handler
     */
    public static boolean register(String name, Handler handler) {
        if (name.isEmpty()) throw new IllegalArgumentException("an action needs a name");
        Objects.requireNonNull(handler, "handler");
        NodeProcess p = process();
        if (!p.connected()) return false;
        Registry r;
        synchronized (REGISTRIES) {
            r = REGISTRIES.get(p);
            if (r == null) {
                r = new Registry();
                REGISTRIES.put(p, r);
                Registry registry = r;
                p.on(NodeProcess.MESSAGE, (message, handle) -> onMessage(p, registry, message));
                // Listening for 'message' counts as a reason to keep the loop alive; the actions'
                // listener is not one: a program with nothing else to do still ends.
                if (p.channel() instanceof ProcessChannel channel) channel.unrefCounted();
            }
        }
        r.handlers.put(name, handler);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("action_name", name);
        data.put("action_type", name.startsWith("km:") || name.startsWith("internal:") ? "internal" : "custom");
        data.put("arity", 2);
        send(p, "axm:action", data);
        return true;
    }

    /** A message from the manager: an action's name alone, or {@code {msg: name, opts: param}}. */
    private static void onMessage(NodeProcess p, Registry r, Object message) {
        String name;
        Object param = null;
        if (message instanceof String s) {
            name = s;
        } else if (message instanceof Map<?, ?> m && m.get("msg") instanceof String s) {
            name = s;
            param = m.get("opts") == Undefined.INSTANCE ? null : m.get("opts");
        } else {
            return; // not for the actions (the program's own messages)
        }
        Handler h = r.handlers.get(name);
        if (h == null) return;
        h.run(param, value -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("return", value);
            data.put("action_name", name);
            data.put("at", System.currentTimeMillis());
            send(p, "axm:reply", data);
        });
    }

    private static void send(NodeProcess p, String type, Map<String, Object> data) {
        if (!p.connected()) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("data", data);
        p.send(m, error -> {}); // a channel that closes meanwhile: the manager is gone, nobody waits
    }
}
