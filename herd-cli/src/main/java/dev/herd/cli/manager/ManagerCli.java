package dev.herd.cli.manager;

import dev.herd.cli.manager.Client.ManagerException;
import dev.herd.cli.run.HerdRun;
import dev.herd.manager.HerdHome;
import dev.herd.manager.ProcessTable;
import dev.herd.node.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The process manager's verbs of the {@code herd} command line (pm2's: {@code start}, {@code stop},
 * {@code restart}, {@code delete}, {@code reset}, {@code list}, {@code jlist}, {@code prettylist},
 * {@code describe}, {@code env}, {@code sendSignal}, {@code ping}, {@code kill}). Parsed by hand,
 * not by picocli, so that the verbs scripts call often ({@code jlist}, {@code list}) load little.
 * Exit code 0 when the verb did what it says; otherwise 1 and one line on stderr naming the cause.
 *
 * <p>Thread rule: one thread. Stateless.
 */
public final class ManagerCli {
    /** The verbs this class answers ({@code dev.herd.cli.Main} dispatches them before picocli). */
    public static final Set<String> VERBS = Set.of("start", "stop", "restart", "delete", "del", "reset", "list", "ls",
            "l", "status", "jlist", "prettylist", "describe", "show", "info", "env", "sendSignal", "ping", "kill",
            "logs", "flush", "reloadLogs",
            "startOrRestart", "startOrReload", "startOrGracefulReload", "reload", "init", "ecosystem",
            "save", "dump", "cleardump", "resurrect", "update", "startup", "unstartup",
            "trigger", "scale", "timeline", "dashboard", "monit");

    private static final Set<String> STARTS_APPS = Set.of("start", "restart", "reload", "resurrect", "startOrRestart", "startOrReload",
            "startOrGracefulReload", "scale");

    final HerdHome home;
    final Map<String, String> env;
    final Path cwd;
    final PrintStream out;
    final PrintStream err;
    /** Whether the verb starts apps: a daemon it has to start then starts its keeper at once. */
    final boolean startsApps;

    private ManagerCli(String verb, Map<String, String> env, PrintStream out, PrintStream err) {
        this.startsApps = STARTS_APPS.contains(verb);
        this.home = HerdHome.of(env);
        this.env = env;
        this.cwd = Path.of("").toAbsolutePath();
        this.out = out;
        this.err = err;
    }

    /**
     * Runs one verb of the process manager.
     *
     * @param args the verb and its arguments
     * @return the exit code
     */
    public static int run(String[] args) {
        return new ManagerCli(args[0], System.getenv(), System.out, System.err).dispatch(args);
    }

    /**
     * Runs one verb with its own environment and streams ({@code herd runtime} runs its
     * {@code start} so, against the daemon in its own process).
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return new ManagerCli(args[0], env, out, err).dispatch(args);
    }

    /** An error in the command line's own arguments. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private int dispatch(String[] args) {
        String verb = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            switch (verb) {
                case "start" -> start(rest);
                case "stop", "restart", "delete", "del", "reset" -> onTargets(verb.equals("del") ? "delete" : verb, rest);
                case "list", "ls", "l", "status" -> list(rest);
                case "jlist" -> {
                    noArgs(verb, rest);
                    byte[] json;
                    try (Client c = Client.connect(home, env, startsApps)) {
                        json = c.requestRaw("jlist", "");
                    }
                    out.write(json, 0, json.length);
                    out.println();
                }
                case "prettylist" -> {
                    noArgs(verb, rest);
                    out.println(Pretty.json(call("jlist", Map.of())));
                }
                case "describe", "show", "info" -> describe(rest);
                case "timeline" -> timeline(rest);
                case "dashboard" -> dashboard(rest);
                case "monit" -> {
                    noArgs(verb, rest);
                    try {
                        new Monit(this).run();
                    } catch (java.io.IOException e) {
                        throw new UsageException("monit: the terminal failed: " + e.getMessage());
                    }
                }
                case "env" -> env(rest);
                case "sendSignal" -> sendSignal(rest);
                case "ping" -> {
                    noArgs(verb, rest);
                    try (Client c = Client.connect(home, env, startsApps)) {
                        c.requestRaw("ping", ""); // not parsed: any answer but an error is a pong
                    }
                    out.println("{\"msg\":\"pong\"}");
                }
                case "kill" -> kill(rest);
                case "logs" -> logs(rest);
                case "flush" -> flush(rest);
                case "reloadLogs" -> {
                    noArgs(verb, rest);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> r = (Map<String, Object>) call("reloadLogs", Map.of());
                    out.println("reopened " + r.get("reopened") + " log files");
                }
                case "startOrRestart", "startOrReload", "startOrGracefulReload" -> new ConfigVerbs(this).startOrRestart(verb, rest);
                case "reload" -> {
                    if (ConfigVerbs.namesConfig(rest)) new ConfigVerbs(this).onTargets("restart", rest);
                    else reload(rest);
                }
                case "init", "ecosystem" -> new ConfigVerbs(this).init(rest);
                case "scale" -> {
                    if (rest.size() != 2) throw new UsageException("needs an app name and a number: herd scale NAME N|+N|-N");
                    printTable(processes(call("scale", Map.of("name", rest.get(0), "number", rest.get(1)))));
                }
                case "save" -> new Persist(this).save(rest);
                // pm2's dump is save; with a target it is a JVM's thread or heap dump.
                case "dump" -> {
                    if (rest.stream().allMatch(x -> x.equals("--force") || x.equals("-f"))) new Persist(this).save(rest);
                    else jvmDump(rest);
                }
                case "cleardump" -> new Persist(this).clearDump(rest);
                case "resurrect" -> new Persist(this).resurrect(rest);
                case "update" -> new Persist(this).update(rest);
                case "startup" -> new Startup(this).startup(rest);
                case "unstartup" -> new Startup(this).unstartup(rest);
                case "trigger" -> {
                    if (!ActionsCli.trigger(this, rest)) return 1;
                }
                default -> throw new UsageException("unknown verb " + verb);
            }
            out.flush();
            return 0;
        } catch (UsageException e) {
            err.println("herd " + verb + ": " + e.getMessage());
            return 1;
        } catch (ManagerException e) {
            err.println("herd " + verb + ": " + e.getMessage());
            return 1;
        }
    }

    private static void noArgs(String verb, List<String> rest) {
        if (!rest.isEmpty()) throw new UsageException("takes no arguments, got " + rest);
    }

    Object call(String cmd, Map<String, Object> params) {
        try (Client c = Client.connect(home, env, startsApps)) {
            return c.request(cmd, params);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> processes(Object result) {
        return (List<Map<String, Object>>) result;
    }

    // ---------------------------------------------------------------- start

    /** The options of {@code start} that take a value. */
    static final Set<String> WITH_VALUE = Set.of("--name", "-n", "--namespace", "--interpreter", "--interpreter-args",
            "--node-args", "--cwd", "--max-restarts", "--min-uptime", "--restart-delay", "--exp-backoff-restart-delay",
            "--kill-timeout", "--kill-signal", "-o", "--output", "-e", "--error", "-i", "--instances");

    private void start(List<String> argv) {
        if (ConfigVerbs.namesConfig(argv)) {
            new ConfigVerbs(this).startOrRestart("start", argv);
            return;
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        List<Integer> stopExitCodes = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        List<String> appArgs = new ArrayList<>();
        Map<String, String> triggerOpts = new LinkedHashMap<>();
        Map<String, String> userOpts = new LinkedHashMap<>();
        List<String> ports = new ArrayList<>();
        Map<String, Object> health = new LinkedHashMap<>();
        boolean force = false;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) {
                appArgs.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (WITH_VALUE.contains(a) || LogsCli.START_WITH_VALUE.contains(a)) {
                if (value == null) {
                    if (i + 1 >= argv.size()) throw new UsageException(a + " needs a value");
                    value = argv.get(++i);
                }
                opts.put(a, value);
            } else if (a.equals("--stop-exit-codes")) {
                if (value != null) stopExitCodes.addAll(codes(value));
                while (i + 1 < argv.size() && argv.get(i + 1).matches("-?\\d+(,-?\\d+)*")) stopExitCodes.addAll(codes(argv.get(++i)));
                if (stopExitCodes.isEmpty()) throw new UsageException("--stop-exit-codes needs exit codes");
            } else if (LogsCli.START_FLAGS.contains(a)) {
                opts.put(a, "true");
            } else if (a.equals("--no-autorestart")) {
                opts.put(a, "true");
            } else if (a.equals("--round-robin")) { // cluster mode through the keeper (Node's SCHED_RR)
                health.put("round_robin", true);
            } else if (a.equals("--health-url") || a.equals("--health-cmd")) { // a reload's probe
                if (value == null) {
                    if (i + 1 >= argv.size()) throw new UsageException(a + " needs a value");
                    value = argv.get(++i);
                }
                health.put(a.substring(2).replace('-', '_'), value);
            } else if (a.equals("--port")) { // repeatable: socket activation
                if (value == null) {
                    if (i + 1 >= argv.size()) throw new UsageException("--port needs a value");
                    value = argv.get(++i);
                }
                ports.add(value);
            } else if (a.equals("-f") || a.equals("--force")) {
                force = true;
            } else if (TriggerFlags.accepts(a)) {
                try {
                    i = TriggerFlags.read(argv, i, a, value, !targets.isEmpty(), triggerOpts);
                } catch (IllegalArgumentException x) {
                    throw new UsageException(x.getMessage());
                }
            } else if (UserFlags.accepts(a)) {
                i = UserFlags.read(argv, i, a, value, userOpts);
            } else if (a.startsWith("-") && a.length() > 1) {
                throw new UsageException("unknown option " + a);
            } else {
                targets.add(a);
            }
        }
        if (targets.size() != 1) throw new UsageException("needs one script, executable or app name (herd start app.js [--name N] [-- ARGS])");
        String target = targets.getFirst();
        Path script = cwd.resolve(target).normalize();
        try (Client c = Client.connect(home, env, startsApps)) {
            if (!Files.isRegularFile(script)) {
                // Smart start: the name (or id) of an app the daemon knows.
                try {
                    printTable(processes(c.request("start", Map.of("target", target))));
                    return;
                } catch (ManagerException e) {
                    if (!e.code.equals("ENOTFOUND")) throw e;
                }
                script = onPath(target);
                if (script == null) throw new UsageException("script not found: " + target + " (no such file, app or command)");
            }
            Map<String, Object> app = appConfig(script, opts, stopExitCodes, appArgs);
            try {
                TriggerFlags.apply(triggerOpts, app, Path.of((String) app.get("cwd")));
            } catch (IllegalArgumentException x) {
                throw new UsageException(x.getMessage());
            }
            UserFlags.apply(userOpts, app);
            app.putAll(health);
            if (!ports.isEmpty()) {
                try {
                    app.put("listen", ConfigFile.listen(ports));
                } catch (IllegalArgumentException x) {
                    throw new UsageException("--port: " + x.getMessage());
                }
            }
            Map<String, Object> req = new LinkedHashMap<>();
            req.put("apps", List.of(app));
            req.put("force", force);
            printTable(processes(c.request("start", req)));
        }
    }

    private static List<Integer> codes(String list) {
        List<Integer> out = new ArrayList<>();
        for (String s : list.split(",")) {
            try {
                out.add(Integer.parseInt(s.strip()));
            } catch (NumberFormatException e) {
                throw new UsageException("not an exit code: " + s);
            }
        }
        return out;
    }

    Path onPath(String name) {
        if (name.contains("/")) return null;
        for (String dir : env.getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** The app's configuration as {@code start} carries it: resolved paths, the command, the environment now. */
    Map<String, Object> appConfig(Path script, Map<String, Object> opts, List<Integer> stopExitCodes,
                                          List<String> appArgs) {
        String file = script.getFileName().toString();
        String name = (String) opts.getOrDefault("--name", opts.get("-n"));
        if (name == null) {
            int dot = file.lastIndexOf('.');
            name = dot > 0 ? file.substring(0, dot) : file;
        }
        Path appCwd = opts.get("--cwd") != null ? cwd.resolve((String) opts.get("--cwd")).normalize() : cwd;
        Object interpreterArgsValue = opts.getOrDefault("--interpreter-args", opts.get("--node-args"));
        @SuppressWarnings("unchecked") // a config file's node_args: already a list
        List<String> interpreterArgs = interpreterArgsValue instanceof List<?> l ? (List<String>) l
                : interpreterArgsValue == null || ((String) interpreterArgsValue).isBlank() ? List.of()
                : List.of(((String) interpreterArgsValue).strip().split("\\s+"));
        String interpreter = (String) opts.get("--interpreter");
        if (interpreter == null) interpreter = byExtension(file);
        List<String> command = new ArrayList<>();
        String kind;
        boolean ipc = false;
        boolean herdCommand = false;
        switch (interpreter) {
            case "none" -> {
                kind = "exec";
                command.add(script.toString());
            }
            case "java" -> {
                if (bringsHerd(script)) {
                    kind = "herd";
                    ipc = true;
                    command.addAll(herdCommand(script, interpreterArgs, appArgs, appCwd));
                    herdCommand = true; // the app's arguments are in it already
                } else {
                    kind = "java";
                    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                    command.addAll(interpreterArgs);
                    command.add("-jar");
                    command.add(script.toString());
                }
            }
            default -> {
                kind = interpreter.equals("node") ? "node" : "interpreted";
                ipc = interpreter.equals("node");
                command.add(interpreter);
                command.addAll(interpreterArgs);
                command.add(script.toString());
            }
        }
        if (!herdCommand) command.addAll(appArgs);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        if (opts.get("--namespace") != null) m.put("namespace", opts.get("--namespace"));
        m.put("script", script.toString());
        m.put("args", appArgs);
        m.put("interpreter", interpreter);
        m.put("interpreter_args", interpreterArgs);
        m.put("cwd", appCwd.toString());
        m.put("env", new LinkedHashMap<>(env));
        if (opts.containsKey("--no-autorestart")) m.put("autorestart", false);
        number(opts, "--max-restarts", m, "max_restarts");
        number(opts, "--min-uptime", m, "min_uptime");
        number(opts, "--restart-delay", m, "restart_delay");
        number(opts, "--exp-backoff-restart-delay", m, "exp_backoff_restart_delay");
        number(opts, "--kill-timeout", m, "kill_timeout");
        Object instances = opts.getOrDefault("-i", opts.get("--instances"));
        if (instances != null) {
            try {
                m.put("instances", ConfigFile.instances(instances));
            } catch (IllegalArgumentException x) {
                throw new UsageException("-i: " + x.getMessage());
            }
        }
        if (!stopExitCodes.isEmpty()) m.put("stop_exit_codes", stopExitCodes);
        if (opts.get("--kill-signal") != null) {
            String sig = ((String) opts.get("--kill-signal")).toUpperCase();
            m.put("kill_signal", sig.startsWith("SIG") ? sig : "SIG" + sig);
        }
        String o = (String) opts.getOrDefault("-o", opts.get("--output"));
        if (o != null) m.put("out_file", LogsCli.path(cwd, o));
        String e = (String) opts.getOrDefault("-e", opts.get("--error"));
        if (e != null) m.put("error_file", LogsCli.path(cwd, e));
        try {
            LogsCli.startOptions(opts, m, cwd);
        } catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
        Map<String, Object> herd = new LinkedHashMap<>();
        herd.put("command", command);
        herd.put("ipc", ipc);
        herd.put("kind", kind);
        m.put("herd", herd);
        return m;
    }

    private static void number(Map<String, Object> opts, String flag, Map<String, Object> m, String key) {
        Object v = opts.get(flag);
        if (v == null) return;
        try {
            long n = Long.parseLong(((String) v).strip());
            if (n < 0) throw new UsageException(flag + " must not be negative");
            m.put(key, n);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs a number, not '" + v + "'");
        }
    }

    /** pm2's interpreter by extension; anything else is executed itself. */
    static String byExtension(String file) {
        String lower = file.toLowerCase();
        if (lower.endsWith(".js") || lower.endsWith(".mjs") || lower.endsWith(".cjs")) return "node";
        if (lower.endsWith(".py")) return "python3";
        if (lower.endsWith(".sh")) return "bash";
        if (lower.endsWith(".rb")) return "ruby";
        if (lower.endsWith(".jar")) return "java";
        return "none";
    }

    /** Whether the jar holds Herd, or names herd-node on its manifest's class path. */
    static boolean bringsHerd(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            if (j.getEntry("dev/herd/node/Herd.class") != null) return true;
            Manifest mf = j.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            return cp != null && cp.contains("herd-node");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The commands a reload's Herd-program replacements run, by pm_id: planned again as
     * {@code herd run} plans them, so that a jar deployed since the start gets an AOT cache of its
     * own, trained now, before any replacement starts (the old cache's classes no longer match:
     * the replacements would start cold). Only the ones that changed.
     */
    private Map<String, Object> herdCommands(Map<String, Object> req) {
        Map<String, Object> plan = new LinkedHashMap<>(req);
        plan.put("plan", true);
        Map<String, Object> commands = new LinkedHashMap<>();
        Map<List<Object>, List<String>> planned = new HashMap<>(); // instances of one app plan once
        for (Object o : (List<?>) call("reload", plan)) {
            Map<?, ?> h = (Map<?, ?>) o;
            List<String> jvmFlags = strings(h.get("interpreter_args"));
            List<String> args = strings(h.get("args"));
            Path jar = Path.of((String) h.get("script"));
            Path appCwd = Path.of((String) h.get("cwd"));
            List<String> command = planned.computeIfAbsent(List.of(jar, jvmFlags, args, appCwd),
                    k -> herdCommand(jar, jvmFlags, args, appCwd));
            if (!command.equals(strings(h.get("command")))) commands.put(String.valueOf(h.get("id")), command);
        }
        return commands;
    }

    private static List<String> strings(Object list) {
        List<String> out = new ArrayList<>();
        if (list instanceof List<?> l) for (Object o : l) out.add(String.valueOf(o));
        return out;
    }

    /** A Herd program starts as {@code herd run} starts it: Herd's flags, its own AOT cache. */
    private List<String> herdCommand(Path jar, List<String> jvmFlags, List<String> args, Path appCwd) {
        String root = System.getProperty("herd.root");
        try {
            return HerdRun.command(new HerdRun.Request(jar, null, null, null, args, jvmFlags, true, false), env, appCwd,
                    root == null ? null : Path.of(root), err);
        } catch (IOException e) {
            throw new UsageException("cannot plan " + jar + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted");
        } catch (RuntimeException e) {
            throw new UsageException(String.valueOf(e.getMessage()));
        }
    }

    // ---------------------------------------------------------------- other verbs

    private void onTargets(String verb, List<String> targets) {
        if (targets.isEmpty()) throw new UsageException("needs a target: an id, a name, a namespace, all or /regex/");
        if (ConfigVerbs.handles(targets)) {
            new ConfigVerbs(this).onTargets(verb, targets);
            return;
        }
        // The daemon draws the table of the apps acted on: no JSON start-up in this command line.
        String params = ",\"targets\":" + Client.jsonStrings(targets) + ",\"table\":true,\"colour\":" + colour();
        byte[] text;
        try (Client c = Client.connect(home, env, startsApps)) {
            text = c.requestRaw(verb, params);
        }
        out.print(Client.jsonString(text));
    }

    private void list(List<String> argv) {
        String sort = null;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--sort") && i + 1 < argv.size()) sort = argv.get(++i);
            else if (a.startsWith("--sort=")) sort = a.substring(7);
            else throw new UsageException("unknown argument " + a);
        }
        if (sort != null && !ProcessTable.isSort(sort)) throw new UsageException("--sort takes name or id[:asc|:desc]");
        // The daemon draws the table: this command line then parses no JSON (docs/manager.md, "Figures").
        String params = (sort == null ? "" : ",\"sort\":\"" + sort + "\"") + ",\"colour\":" + colour();
        byte[] text;
        try (Client c = Client.connect(home, env, startsApps)) {
            text = c.requestRaw("list", params);
        }
        out.print(Client.jsonString(text));
    }

    /**
     * {@code timeline [TARGET...] [--since T] [--json]}: the apps' lifecycle events, oldest first
     * (docs/manager.md, "The timeline"); {@code --since} takes an ISO-8601 time or date, or an age
     * ({@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}).
     */
    private void timeline(List<String> argv) {
        List<String> targets = new ArrayList<>();
        boolean json = false;
        long since = 0;
        for (Options o = new Options(argv); o.next(); ) {
            String a = o.name;
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--since")) {
                since = since(o.value("a time (ISO-8601) or an age (30s, 10m, 2h, 1d)"));
            } else if (a.startsWith("-") && a.length() > 1) {
                throw new UsageException("unknown option " + a);
            } else {
                targets.add(a);
            }
        }
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("targets", targets);
        req.put("since", since);
        Object events = call("timeline", req);
        if (json) {
            out.println(dev.herd.node.json.Json.stringify(events));
            return;
        }
        for (Object o : (List<?>) events) out.println(timelineLine((Map<?, ?>) o));
    }

    /**
     * {@code dashboard [--port P] [--host H] [--metrics-public] [--allow-remote]}: opens the
     * daemon's HTTP endpoint (or finds the open one) and prints its URL with the token, and how a
     * scraper sends it (docs/manager.md, "Metrics and the dashboard's endpoint").
     */
    private void dashboard(List<String> argv) {
        Map<String, Object> req = new LinkedHashMap<>();
        for (Options o = new Options(argv); o.next(); ) {
            String a = o.name;
            switch (a) {
                case "--metrics-public" -> req.put("metrics_public", true);
                case "--allow-remote" -> req.put("allow_remote", true);
                case "--port", "--host" -> {
                    String value = o.value(a.equals("--port") ? "a port" : "an address");
                    if (a.equals("--host")) {
                        req.put("host", value);
                    } else {
                        try {
                            req.put("port", Integer.parseInt(value));
                        } catch (NumberFormatException e) {
                            throw new UsageException("--port needs a number, not " + value);
                        }
                    }
                }
                default -> throw new UsageException(a.startsWith("-") ? "unknown option " + a : "dashboard takes no target: " + a);
            }
        }
        Map<?, ?> r = (Map<?, ?>) call("dashboard", req);
        out.println("dashboard: " + r.get("url"));
        String base = String.valueOf(r.get("url")).replaceFirst("/\\?token=.*", "");
        out.println("metrics:   " + base + "/metrics" + (Boolean.TRUE.equals(r.get("metrics_public")) ? " (public)"
                : " with Authorization: Bearer " + r.get("token")));
    }

    /**
     * A cursor over a verb's arguments, each an option ({@code --name=value}, or {@code --name}
     * followed by its value) or a word. One thread; one parse.
     */
    static final class Options {
        private final List<String> argv;
        private int i = -1;
        private String inline;
        /** The current argument, without an {@code =value} part. */
        String name;

        Options(List<String> argv) {
            this.argv = argv;
        }

        /** Moves to the next argument; false when there is none. */
        boolean next() {
            if (++i >= argv.size()) return false;
            String a = argv.get(i);
            int eq = a.indexOf('=');
            boolean joined = a.startsWith("--") && eq > 0;
            name = joined ? a.substring(0, eq) : a;
            inline = joined ? a.substring(eq + 1) : null;
            return true;
        }

        /** The current option's value: after its {@code =}, else the next argument ({@code what} names it in the error). */
        String value(String what) {
            if (inline != null) return inline;
            if (i + 1 >= argv.size()) throw new UsageException(name + " needs " + what);
            return argv.get(++i);
        }
    }

    /** {@code --since}: an ISO-8601 instant, local date-time or date, or an age back from now. */
    static long since(String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(value.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            return System.currentTimeMillis() - n * unit;
        }
        try {
            return java.time.Instant.parse(value).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            // not an instant: a local date-time or a date
        }
        java.time.ZoneId zone = java.time.ZoneId.systemDefault();
        try {
            return java.time.LocalDateTime.parse(value).atZone(zone).toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            // not a date-time
        }
        try {
            return java.time.LocalDate.parse(value).atStartOfDay(zone).toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new UsageException("--since takes a time (2026-12-08T10:00:00Z, 2026-12-08T10:00, 2026-12-08) or an age "
                    + "(30s, 10m, 2h, 1d), not '" + value + "'");
        }
    }

    /** One event as a line: when, which app, what, and its fields. */
    static String timelineLine(Map<?, ?> e) {
        StringBuilder b = new StringBuilder();
        long at = e.get("at") instanceof Number n ? n.longValue() : 0;
        b.append(java.time.Instant.ofEpochMilli(at)).append("  ");
        b.append(e.get("name")).append(':').append(e.get("id"));
        b.append("  ").append(e.get("event"));
        if (e.get("pid") instanceof Number p && p.longValue() != 0) b.append("  pid=").append(p.longValue());
        List<String> lines = new ArrayList<>();
        for (Map.Entry<?, ?> f : e.entrySet()) {
            String k = String.valueOf(f.getKey());
            if (List.of("at", "id", "name", "namespace", "instance", "pid", "event").contains(k) || f.getValue() == null) continue;
            if (k.equals("last_lines") && f.getValue() instanceof List<?> l) {
                for (Object line : l) lines.add("      | " + line);
                continue;
            }
            b.append("  ").append(k).append('=').append(f.getValue() instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue())
                    : String.valueOf(f.getValue()));
        }
        for (String l : lines) b.append('\n').append(l);
        return b.toString();
    }

    /**
     * {@code reload TARGETS [--parallel K] [--health-url URL] [--health-cmd CMD]}: instances whose
     * sockets the manager owns are replaced as one transaction (docs/manager.md, "Reload"); other
     * apps are restarted.
     */
    private void reload(List<String> argv) {
        List<String> targets = new ArrayList<>();
        Map<String, Object> req = new LinkedHashMap<>();
        for (Options o = new Options(argv); o.next(); ) {
            String a = o.name;
            if (a.equals("--parallel")) {
                String value = o.value("a number");
                try {
                    int k = Integer.parseInt(value);
                    if (k < 1) throw new NumberFormatException();
                    req.put("parallel", k);
                } catch (NumberFormatException e) {
                    throw new UsageException("--parallel needs a number, 1 or more, not " + value);
                }
            } else if (a.equals("--health-url") || a.equals("--health-cmd")) {
                req.put(a.substring(2).replace('-', '_'), o.value("a value"));
            } else if (a.startsWith("-") && a.length() > 1) {
                throw new UsageException("unknown option " + a);
            } else {
                targets.add(a);
            }
        }
        if (targets.isEmpty()) throw new UsageException("needs a target (an id, a name, a namespace, all, /regex/)");
        req.put("targets", targets);
        req.put("commands", herdCommands(req));
        printTable(processes(call("reload", req)));
    }

    void printTable(List<Map<String, Object>> list) {
        out.print(ProcessTable.render(list, colour()));
    }

    private static boolean colour() {
        return System.console() != null && System.console().isTerminal() && System.getenv("NO_COLOR") == null;
    }

    /**
     * {@code dump TARGET [--heap [--out FILE]]}: a thread dump of each running Java instance of
     * TARGET (a Herd program or a {@code java -jar} app), printed, or a heap dump to a file, taken
     * with the JDK's {@code jcmd} without stopping it (docs/manager.md, "Dumps of a JVM").
     */
    private void jvmDump(List<String> argv) {
        List<String> targets = new ArrayList<>();
        boolean heap = false;
        String outFile = null;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--heap")) {
                heap = true;
            } else if (a.equals("--out")) {
                if (i + 1 >= argv.size()) throw new UsageException("--out needs a file");
                outFile = argv.get(++i);
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option " + a + " (herd dump TARGET [--heap [--out FILE]])");
            } else {
                targets.add(a);
            }
        }
        if (targets.size() != 1) throw new UsageException("needs one target: herd dump TARGET [--heap [--out FILE]]");
        if (outFile != null && !heap) throw new UsageException("--out goes with --heap");
        List<Map<String, Object>> found = processes(call("describe", Map.of("targets", targets)));
        List<Map<String, Object>> jvms = new ArrayList<>();
        for (Map<String, Object> p : found) {
            Object kind = p.get("herd") instanceof Map<?, ?> h ? h.get("kind") : null;
            if (!"herd".equals(kind) && !"java".equals(kind)) {
                throw new UsageException(p.get("name") + " is not a Java program (" + kind + "): no JVM to dump");
            }
            if (!(p.get("pid") instanceof Number pid) || pid.longValue() == 0) {
                throw new UsageException(p.get("name") + ":" + p.get("pm_id") + " is not running");
            }
            jvms.add(p);
        }
        if (heap && outFile != null && jvms.size() > 1) throw new UsageException("--out names one file: " + targets.getFirst() + " has " + jvms.size() + " instances");
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (Map<String, Object> p : jvms) {
            String pid = String.valueOf(((Number) p.get("pid")).longValue());
            List<String> args;
            Path file = null;
            if (heap) {
                String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                file = outFile != null ? cwd.resolve(outFile) : home.dir().resolve("dumps").resolve(p.get("name") + "-" + p.get("pm_id") + "-" + stamp + ".hprof");
                try {
                    java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
                } catch (java.io.IOException e) {
                    throw new UsageException("cannot make " + file.getParent() + ": " + e.getMessage());
                }
                args = List.of(pid, "GC.heap_dump", file.toAbsolutePath().toString());
            } else {
                args = List.of(pid, "Thread.print", "-l");
            }
            dev.herd.node.child_process.SpawnSyncResult r = dev.herd.node.child_process.ChildProcesses.spawnSync(jcmd, args,
                    dev.herd.node.child_process.SpawnOptions.builder().encoding("utf8").maxBuffer(256 << 20).build());
            String stdout = r.stdout() == null ? "" : String.valueOf(r.stdout());
            boolean done = heap ? stdout.contains("Heap dump file created") : stdout.contains("Full thread dump");
            if (r.status() == null || r.status() != 0 || !done) {
                throw new ManagerException("EDUMP", "jcmd " + String.join(" ", args) + " failed: " + (stdout + " " + r.stderr()).strip()
                        + " (jcmd attaches to a JVM of the same user only)");
            }
            if (heap) {
                out.println(p.get("name") + ":" + p.get("pm_id") + " (pid " + pid + "): heap dump in " + file.toAbsolutePath());
            } else {
                out.println("== " + p.get("name") + ":" + p.get("pm_id") + " (pid " + pid + ")");
                out.print(stdout);
            }
        }
    }

    private void describe(List<String> targets) {
        if (targets.size() != 1) throw new UsageException("needs one target");
        for (Map<String, Object> p : processes(call("describe", Map.of("targets", targets)))) {
            out.print(ProcessTable.describe(p));
            out.print(ActionsCli.describe(p));
        }
    }

    private void env(List<String> targets) {
        if (targets.size() != 1) throw new UsageException("needs one app id");
        @SuppressWarnings("unchecked")
        Map<String, Object> vars = (Map<String, Object>) call("env", Map.of("targets", targets));
        for (Map.Entry<String, Object> e : vars.entrySet()) out.println(e.getKey() + ": " + e.getValue());
    }

    private void sendSignal(List<String> argv) {
        if (argv.size() < 2) throw new UsageException("usage: herd sendSignal SIGNAL TARGET...");
        call("sendSignal", Map.of("signal", argv.getFirst().toUpperCase(), "targets", argv.subList(1, argv.size())));
        out.println("signal " + argv.getFirst() + " sent to " + String.join(" ", argv.subList(1, argv.size())));
    }

    private void logs(List<String> argv) {
        try {
            LogsCli.logs(home, argv, target -> target == null ? call("jlist", Map.of())
                    : call("describe", Map.of("targets", List.of(target))), out,
                    System.console() != null && System.console().isTerminal() && System.getenv("NO_COLOR") == null);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException e) {
            throw new UsageException("cannot read the logs: " + e.getMessage());
        }
    }

    private void flush(List<String> targets) {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) call("flush", Map.of("targets", targets));
        List<?> files = (List<?>) r.get("flushed");
        for (Object f : files) out.println("flushed " + f);
        out.println("flushed " + files.size() + " log files");
    }

    private static boolean zombie(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private void kill(List<String> argv) {
        noArgs("kill", argv);
        Client c = Client.connectIfRunning(home);
        if (c == null) {
            out.println("no daemon running in " + home);
            return;
        }
        String pid = null;
        try {
            pid = Files.readString(home.daemonPid()).strip();
        } catch (IOException e) {
            // answered below all the same
        }
        try (c) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) c.request("kill", Map.of());
            out.println("stopped " + r.get("apps") + " apps, the keeper and the daemon");
        }
        // The daemon answers just before it exits: `kill` returns once it has.
        if (pid != null && pid.matches("\\d+")) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            Path proc = Path.of("/proc", pid);
            while (Files.exists(proc) && !zombie(proc) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
