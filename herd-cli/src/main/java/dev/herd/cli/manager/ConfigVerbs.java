package dev.herd.cli.manager;

import dev.herd.cli.manager.ConfigFile.ConfigException;
import dev.herd.cli.manager.ManagerCli.UsageException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The verbs on config files (docs/manager.md, "Config files"): {@code start CONFIG} and
 * {@code startOrRestart}/{@code startOrReload}/{@code startOrGracefulReload CONFIG} (pm2's: an app
 * of the file that the daemon has is restarted with the file's configuration, the others are
 * started; reload is a restart until cluster mode exists), a config as a target of {@code stop},
 * {@code restart}, {@code reload}, {@code delete} and {@code reset} (its apps by name),
 * {@code restart|reload TARGET --update-env}, and {@code init}. Options: {@code --env PROFILE}
 * ({@code env_PROFILE} over {@code env}), {@code --only NAMES}, {@code --namespace NS} (for apps
 * without one), {@code -f}. The whole file is read, checked and resolved before the daemon is
 * asked anything: an invalid config starts nothing.
 *
 * <p>Thread rule: one thread. Stateless beyond the command line it serves.
 */
final class ConfigVerbs {
    /** The options of a config verb that take a value. */
    private static final Set<String> OWN = Set.of("--env", "--only", "--namespace");

    /** The fields that go to the daemon as they are (LogOptions, TriggerConfig and AppOptions there). */
    private static final List<String> PASSED = List.of("log_file", "time", "merge_logs", "log_date_format", "log_type",
            "log_max_size", "log_retain",
            "watch", "ignore_watch", "watch_delay", "max_memory_restart", "cron_restart", "wait_ready", "listen_timeout",
            "shutdown_with_message", "instances", "exec_mode", "increment_var", "instance_var", "listen",
            "health_url", "health_cmd", "round_robin", "uid", "gid");

    private final ManagerCli cli;
    /** {@code restart --watch}: pm2's toggle of each target's watching. */
    private boolean watchToggle;

    ConfigVerbs(ManagerCli cli) {
        this.cli = cli;
    }

    /** Whether {@code start}'s arguments name a config file (not as an option's value, not after {@code --}). */
    static boolean namesConfig(List<String> argv) {
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) return false;
            if ((ManagerCli.WITH_VALUE.contains(a) || OWN.contains(a)) && !a.contains("=")) {
                i++;
            } else if (!a.startsWith("-") && ConfigFile.named(a)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a target verb's arguments need this class: a config file, or an option. */
    static boolean handles(List<String> argv) {
        for (String a : argv) if (a.startsWith("-") || ConfigFile.named(a)) return true;
        return false;
    }

    /** The parsed arguments of a config verb. */
    private record Args(List<String> targets, String profile, String only, String namespace, boolean updateEnv,
                        boolean force) {}

    private Args parse(String verb, List<String> argv) {
        List<String> targets = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        boolean updateEnv = false;
        boolean force = false;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (OWN.contains(a) || ManagerCli.WITH_VALUE.contains(a)) {
                if (value == null) {
                    if (i + 1 >= argv.size()) throw new UsageException(a + " needs a value");
                    value = argv.get(++i);
                }
                if (OWN.contains(a)) values.put(a, value);
                else cli.err.println("herd " + verb + ": " + a + " does not apply to a config file (ignored): set it in the file");
            } else if (a.equals("--update-env") || a.equals("-a")) {
                updateEnv = true;
            } else if (a.equals("-f") || a.equals("--force")) {
                force = true;
            } else if (a.equals("--watch") && value == null) {
                watchToggle = true;
            } else if (a.startsWith("-") && a.length() > 1) {
                throw new UsageException("unknown option " + a);
            } else {
                targets.add(a);
            }
        }
        return new Args(targets, values.get("--env"), values.get("--only"), values.get("--namespace"), updateEnv, force);
    }

    // ---------------------------------------------------------------- start

    /** {@code start CONFIG} and {@code startOrRestart|startOrReload|startOrGracefulReload CONFIG}. */
    void startOrRestart(String verb, List<String> argv) {
        Args args = parse(verb, argv);
        if (args.targets.size() != 1 || !ConfigFile.named(args.targets.getFirst())) {
            throw new UsageException("needs one config file (*.config.js, *.config.cjs, *.config.mjs, *.json, *.yml, *.yaml)");
        }
        ConfigFile file = read(args.targets.getFirst());
        List<Map<String, Object>> apps = new ArrayList<>();
        for (Map<String, Object> app : only(file, args.only)) apps.add(resolve(file, app, args));
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("apps", apps);
        req.put("force", args.force);
        req.put("update", true);
        try (Client c = Client.connect(cli.home, cli.env, cli.startsApps)) {
            cli.printTable(ManagerCli.processes(c.request("start", req)));
        }
    }

    private ConfigFile read(String arg) {
        try {
            ConfigFile file = ConfigFile.read(arg, cli.cwd, cli.env);
            for (String w : file.warnings) cli.err.println("herd: warning: " + w);
            return file;
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The file's apps that {@code --only} names (pm2: names split by commas or spaces), or all. */
    private static List<Map<String, Object>> only(ConfigFile file, String only) {
        if (only == null) return file.apps;
        Set<String> names = new LinkedHashSet<>(List.of(only.strip().split("[,\\s]+")));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> app : file.apps) if (names.contains((String) app.get("name"))) out.add(app);
        if (out.isEmpty()) throw new UsageException("--only " + only + ": " + file.shown + " has no app of that name");
        return out;
    }

    /**
     * One app of the file as {@code start} carries it. Relative paths ({@code cwd}, then
     * {@code script}, the log files) are taken from the config file's directory, not from the
     * current one as pm2 does, so that a config works from wherever it is started.
     */
    private Map<String, Object> resolve(ConfigFile file, Map<String, Object> app, Args args) {
        String name = (String) app.get("name");
        String where = file.shown + ": app '" + name + "': ";
        if (args.profile != null && Boolean.TRUE.equals(app.get("append_env_to_name"))) name = name + "-" + args.profile;
        Path dir = file.file.getParent();
        Path appCwd = app.get("cwd") != null ? dir.resolve((String) app.get("cwd")).normalize() : dir;
        if (!Files.isDirectory(appCwd)) throw new UsageException(where + "cwd " + appCwd + " is not a directory");
        String scriptText = (String) app.get("script");
        Path script = appCwd.resolve(scriptText).normalize();
        @SuppressWarnings("unchecked")
        List<String> appArgs = app.get("args") != null ? (List<String>) app.get("args") : List.of();
        String interpreter = (String) app.get("interpreter");
        if (!Files.isRegularFile(script)) {
            Path found = scriptText.contains(" ") ? null : cli.onPath(scriptText);
            if (found == null && scriptText.contains(" ") && cli.onPath("bash") != null) {
                // pm2 runs a script with spaces ("python3 worker.py --ok") with bash -c.
                found = cli.onPath("bash");
                appArgs = List.of("-c", scriptText);
                interpreter = "none";
            }
            if (found == null) throw new UsageException(where + "script not found: " + script + " (no such file or command)");
            script = found;
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("--name", name);
        Object namespace = app.getOrDefault("namespace", args.namespace);
        if (namespace != null) opts.put("--namespace", namespace);
        if (interpreter != null) opts.put("--interpreter", interpreter);
        if (app.get("node_args") != null) opts.put("--interpreter-args", app.get("node_args"));
        opts.put("--cwd", appCwd.toString());
        for (String k : List.of("max_restarts", "min_uptime", "restart_delay", "exp_backoff_restart_delay", "kill_timeout")) {
            if (app.get(k) != null) opts.put("--" + k.replace('_', '-'), app.get(k).toString());
        }
        if (Boolean.FALSE.equals(app.get("autorestart"))) opts.put("--no-autorestart", "true");
        if (app.get("kill_signal") != null) opts.put("--kill-signal", app.get("kill_signal"));
        if (app.get("out_file") != null) opts.put("-o", appCwd.resolve((String) app.get("out_file")).toString());
        if (app.get("error_file") != null) opts.put("-e", appCwd.resolve((String) app.get("error_file")).toString());
        @SuppressWarnings("unchecked")
        List<Integer> stopExitCodes = app.get("stop_exit_codes") != null ? (List<Integer>) app.get("stop_exit_codes") : List.of();
        Map<String, Object> m;
        try {
            m = cli.appConfig(script, opts, stopExitCodes, appArgs);
        } catch (UsageException e) {
            throw new UsageException(where + e.getMessage());
        }
        m.put("env", env(file, app, args.profile));
        for (String k : PASSED) {
            Object v = app.get(k);
            if (v == null) continue;
            if (k.equals("log_file") && v instanceof String s) v = appCwd.resolve(s).toString();
            m.put(k, v);
        }
        return m;
    }

    /**
     * pm2's environment of an app started from a config: the command line's (less what
     * {@code filter_env} names), then {@code env}, then {@code env_PROFILE}, and {@code PORT} from
     * {@code port}.
     */
    @SuppressWarnings("unchecked")
    private Map<String, String> env(ConfigFile file, Map<String, Object> app, String profile) {
        Map<String, String> env = new LinkedHashMap<>();
        Object filter = app.get("filter_env");
        if (!Boolean.TRUE.equals(filter)) {
            env.putAll(cli.env);
            if (filter instanceof List<?> prefixes) {
                env.keySet().removeIf(k -> prefixes.stream().anyMatch(p -> k.contains((String) p)));
            }
        }
        if (app.get("env") != null) env.putAll((Map<String, String>) app.get("env"));
        if (profile != null) {
            Object extra = app.get("env_" + profile);
            if (extra == null) {
                cli.err.println("herd: warning: " + file.shown + ": app '" + app.get("name") + "' has no env_" + profile);
            } else {
                env.putAll((Map<String, String>) extra);
            }
        }
        if (app.get("port") != null) env.put("PORT", app.get("port").toString());
        return env;
    }

    // ---------------------------------------------------------------- targets

    /**
     * {@code stop|restart|delete|reset} with a config among the targets (its apps by name, those the
     * daemon has), or {@code restart TARGET --update-env}. {@code restart CONFIG} is pm2's: it
     * starts the apps of the file that are not there yet.
     */
    void onTargets(String verb, List<String> argv) {
        Args args = parse(verb, argv);
        if (args.targets.isEmpty()) throw new UsageException("needs a target: an id, a name, a namespace, all, /regex/ or a config file");
        List<String> configs = args.targets.stream().filter(ConfigFile::named).toList();
        if (verb.equals("restart") && !configs.isEmpty()) {
            if (args.targets.size() != 1) throw new UsageException("takes one config file, or targets without one");
            if (watchToggle) cli.err.println("herd restart: --watch toggles watching of apps named by name or id (ignored): set watch in the file");
            startOrRestart(verb, argv);
            return;
        }
        if (args.profile != null && configs.isEmpty()) {
            throw new UsageException("--env PROFILE needs a config file (its env_PROFILE); use --update-env to take this shell's environment");
        }
        List<String> targets = new ArrayList<>();
        if (!configs.isEmpty()) {
            Set<String> known = new LinkedHashSet<>();
            for (Map<String, Object> p : ManagerCli.processes(cli.call("jlist", Map.of()))) known.add((String) p.get("name"));
            for (String t : args.targets) {
                if (!ConfigFile.named(t)) {
                    targets.add(t);
                    continue;
                }
                ConfigFile file = read(t);
                for (Map<String, Object> app : only(file, args.only)) {
                    // pm2 passes over the apps of the file that it does not have.
                    if (known.contains((String) app.get("name"))) targets.add((String) app.get("name"));
                }
            }
            if (targets.isEmpty()) throw new UsageException("no app of " + String.join(", ", configs) + " is known to the manager");
        } else {
            targets.addAll(args.targets);
        }
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("targets", targets);
        if (args.updateEnv) {
            if (!verb.equals("restart")) throw new UsageException("--update-env applies to restart and reload");
            req.put("env", new LinkedHashMap<>(cli.env));
        }
        if (watchToggle) {
            if (!verb.equals("restart")) throw new UsageException("--watch applies to restart (it toggles watching)");
            req.put("watch", "toggle");
        }
        cli.printTable(ManagerCli.processes(cli.call(verb, req)));
    }

    // ---------------------------------------------------------------- init

    /** The sample {@code init} writes: pm2's simple one, for a Java jar and a Node app. */
    static final String SAMPLE = """
            // Herd's process manager reads pm2's config files: herd start ecosystem.config.js [--env production]
            // Fields: docs/manager.md ("Config files").
            module.exports = {
              apps: [{
                name: "api",
                script: "./api.jar",            // java -jar (a jar that brings Herd starts as `herd run` starts it)
                args: "--port 8080",
                interpreter_args: "-Xmx256m",   // the JVM's flags
                max_memory_restart: "512M",
                env: {
                  APP_ENV: "development"
                },
                env_production: {
                  APP_ENV: "production"
                }
              }, {
                name: "web",
                script: "./app.js",             // node
                env: {
                  NODE_ENV: "development"
                },
                env_production: {
                  NODE_ENV: "production"
                }
              }]
            };
            """;

    /** {@code init [simple]} (pm2's {@code ecosystem}): writes {@code ecosystem.config.js} here, never over one. */
    void init(List<String> argv) {
        if (argv.size() > 1 || argv.size() == 1 && !argv.getFirst().equals("simple")) {
            throw new UsageException("takes no arguments but 'simple' (herd init writes ./ecosystem.config.js)");
        }
        Path file = cli.cwd.resolve("ecosystem.config.js");
        try {
            Files.writeString(file, SAMPLE, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException(file + " exists already (left as it is)");
        } catch (IOException e) {
            throw new UsageException("cannot write " + file + ": " + e.getMessage());
        }
        cli.out.println("File " + file + " generated");
    }
}
