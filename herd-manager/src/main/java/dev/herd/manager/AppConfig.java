package dev.herd.manager;

import dev.herd.os.Signals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One app's configuration, as {@code start} carries it: pm2's field names (ecosystem schema) for
 * what the user gave, resolved by the command line (absolute paths, the interpreter, the
 * environment at start), and under {@code herd} the command Herd runs ({@code command}: argv, the
 * program first), whether the program gets an IPC channel ({@code ipc}: Node and Herd programs)
 * and what kind of program it is. Validated on arrival: a wrong type or value is an error naming
 * the app and the key, so an invalid start starts nothing. {@code options} holds the pm2 fields
 * that config files carry for the slices that act on them (watch, memory limit, cron, readiness,
 * log options, instances: {@link AppOptions}), already in their types (sizes in bytes, times in ms).
 * The restart triggers and readiness are in {@link TriggerConfig}. Immutable.
 */
record AppConfig(String name, String namespace, String script, List<String> args, String interpreter,
                 List<String> interpreterArgs, String cwd, Map<String, String> env, boolean autorestart,
                 int maxRestarts, long minUptime, long restartDelay, long expBackoffRestartDelay,
                 List<Integer> stopExitCodes, long killTimeout, String killSignal, List<String> command, boolean ipc,
                 String kind, String outFile, String errorFile, LogOptions logs, Map<String, Object> options,
                 TriggerConfig triggers) {
    static final int DEFAULT_MAX_RESTARTS = 15;
    static final long DEFAULT_MIN_UPTIME = 1000;
    static final long DEFAULT_KILL_TIMEOUT = 1600;
    static final String DEFAULT_KILL_SIGNAL = "SIGINT";
    /** The keys {@code start} takes (pm2's, plus {@code herd}). */
    static final Set<String> KEYS = Set.of("name", "namespace", "script", "args", "interpreter", "interpreter_args",
            "node_args", "cwd", "env", "autorestart", "max_restarts", "min_uptime", "restart_delay",
            "exp_backoff_restart_delay", "stop_exit_codes", "kill_timeout", "kill_signal", "out_file", "error_file", "herd");

    /** The same configuration with {@code env} (an app's environment after {@code --update-env}). */
    AppConfig withEnv(Map<String, String> env) {
        return new AppConfig(name, namespace, script, args, interpreter, interpreterArgs, cwd, env, autorestart, maxRestarts,
                minUptime, restartDelay, expBackoffRestartDelay, stopExitCodes, killTimeout, killSignal, command, ipc, kind,
                outFile, errorFile, logs, options, triggers);
    }

    /** The same configuration with {@code triggers} ({@code restart --watch} toggles watching). */
    AppConfig withTriggers(TriggerConfig triggers) {
        return new AppConfig(name, namespace, script, args, interpreter, interpreterArgs, cwd, env, autorestart, maxRestarts,
                minUptime, restartDelay, expBackoffRestartDelay, stopExitCodes, killTimeout, killSignal, command, ipc, kind,
                outFile, errorFile, logs, options, triggers);
    }

    /** The same configuration with {@code options} ({@code scale} changes {@code instances}). */
    /** This configuration with another command (a reload's: a Herd program's new AOT cache). */
    AppConfig withCommand(List<String> command) {
        return new AppConfig(name, namespace, script, args, interpreter, interpreterArgs, cwd, env, autorestart, maxRestarts,
                minUptime, restartDelay, expBackoffRestartDelay, stopExitCodes, killTimeout, killSignal, command, ipc, kind,
                outFile, errorFile, logs, options, triggers);
    }

    AppConfig withOptions(Map<String, Object> options) {
        return new AppConfig(name, namespace, script, args, interpreter, interpreterArgs, cwd, env, autorestart, maxRestarts,
                minUptime, restartDelay, expBackoffRestartDelay, stopExitCodes, killTimeout, killSignal, command, ipc, kind,
                outFile, errorFile, logs, options, triggers);
    }

    /** {@return the addresses whose listening sockets the app gets by socket activation ({@code listen}), none when absent} */
    List<String> listen() {
        List<String> out = new java.util.ArrayList<>();
        if (options.get("listen") instanceof List<?> l) for (Object o : l) out.add(String.valueOf(o));
        return out;
    }

    /** {@return how many instances the app is to run: {@code instances}, 1 when absent} */
    int instances() {
        return options.get("instances") instanceof Number n && n.intValue() > 1 ? n.intValue() : 1;
    }

    /**
     * {@return whether the app runs in cluster mode: more than one instance (or {@code exec_mode}
     * cluster) of a program that speaks Node's cluster protocol (Node and Herd programs: those
     * with an IPC channel) and was not given sockets by {@code listen} (socket activation, which
     * any program takes); other programs' instances are separate fork-mode processes}
     */
    boolean clusterMode() {
        Object mode = options.get("exec_mode");
        return ipc && ("cluster_mode".equals(mode) || mode == null && instances() > 1 && listen().isEmpty());
    }

    AppConfig {
        args = List.copyOf(args);
        interpreterArgs = List.copyOf(interpreterArgs);
        env = Map.copyOf(env);
        stopExitCodes = List.copyOf(stopExitCodes);
        command = List.copyOf(command);
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * The configuration in {@code m}.
     *
     * @throws IllegalArgumentException naming the app and the key, for a missing, mistyped or
     *     invalid value
     */
    static AppConfig fromJson(Map<String, Object> m) {
        String name = m.get("name") instanceof String s ? s : "?";
        try {
            for (String key : m.keySet()) {
                if (!KEYS.contains(key) && !LogOptions.KEYS.contains(key) && !AppOptions.TYPES.containsKey(key)
                        && !TriggerConfig.KEYS.contains(key)) throw new IllegalArgumentException("unknown key '" + key + "'");
            }
            name = Fields.required(m, "name");
            if (name.isBlank() || name.chars().anyMatch(c -> c == '/' || c < ' ')) {
                throw new IllegalArgumentException("'name' must be a non-empty name without '/'");
            }
            if (name.matches("\\d+") || name.equals("all")) throw new IllegalArgumentException("'name' cannot be a number or 'all'");
            Map<String, Object> herd = Fields.object(m.get("herd"), "'herd'");
            List<String> command = Fields.strings(herd, "command");
            if (command.isEmpty()) throw new IllegalArgumentException("'herd.command' is missing");
            String killSignal = Fields.string(m, "kill_signal", DEFAULT_KILL_SIGNAL);
            if (Signals.number(killSignal) <= 0) throw new IllegalArgumentException("'kill_signal' is not a signal: " + killSignal);
            List<String> interpreterArgs = new ArrayList<>(Fields.strings(m, "interpreter_args"));
            if (interpreterArgs.isEmpty()) interpreterArgs.addAll(Fields.strings(m, "node_args"));
            return new AppConfig(name, Fields.string(m, "namespace", "default"), Fields.required(m, "script"),
                    Fields.strings(m, "args"), Fields.string(m, "interpreter", "none"), interpreterArgs,
                    Fields.required(m, "cwd"), Fields.stringMap(m, "env"), Fields.bool(m, "autorestart", true),
                    nonNegative(Fields.integer(m, "max_restarts", DEFAULT_MAX_RESTARTS), "max_restarts"),
                    nonNegative(Fields.number(m, "min_uptime", DEFAULT_MIN_UPTIME), "min_uptime"),
                    nonNegative(Fields.number(m, "restart_delay", 0), "restart_delay"),
                    nonNegative(Fields.number(m, "exp_backoff_restart_delay", 0), "exp_backoff_restart_delay"),
                    Fields.integers(m, "stop_exit_codes"),
                    nonNegative(Fields.number(m, "kill_timeout", DEFAULT_KILL_TIMEOUT), "kill_timeout"),
                    killSignal, command, Fields.bool(herd, "ipc", false), Fields.string(herd, "kind", "exec"),
                    Fields.string(m, "out_file", null), Fields.string(m, "error_file", null), LogOptions.fromJson(m),
                    AppOptions.of(m), TriggerConfig.fromJson(m));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("app '" + name + "': " + e.getMessage(), e);
        }
    }

    private static <N extends Number> N nonNegative(N n, String key) {
        if (n.longValue() < 0) throw new IllegalArgumentException("'" + key + "' must not be negative");
        return n;
    }

    /** {@return the configuration as {@code start} carries it} */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("namespace", namespace);
        m.put("script", script);
        m.put("args", args);
        m.put("interpreter", interpreter);
        m.put("interpreter_args", interpreterArgs);
        m.put("cwd", cwd);
        m.put("env", env);
        m.put("autorestart", autorestart);
        m.put("max_restarts", maxRestarts);
        m.put("min_uptime", minUptime);
        m.put("restart_delay", restartDelay);
        m.put("exp_backoff_restart_delay", expBackoffRestartDelay);
        m.put("stop_exit_codes", stopExitCodes);
        m.put("kill_timeout", killTimeout);
        m.put("kill_signal", killSignal);
        if (outFile != null) m.put("out_file", outFile);
        if (errorFile != null) m.put("error_file", errorFile);
        logs.putJson(m);
        triggers.putJson(m);
        Map<String, Object> herd = new LinkedHashMap<>();
        herd.put("command", command);
        herd.put("ipc", ipc);
        herd.put("kind", kind);
        m.putAll(options);
        m.put("herd", herd);
        return m;
    }
}
