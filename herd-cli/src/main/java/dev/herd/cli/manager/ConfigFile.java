package dev.herd.cli.manager;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.herd.node.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pm2 config file ("ecosystem"), read and checked before anything starts: JSON ({@code *.json},
 * read leniently as pm2 reads it: comments, single quotes, unquoted keys and trailing commas),
 * YAML ({@code *.yml}, {@code *.yaml}) or JavaScript ({@code *.config.js}, {@code .cjs},
 * {@code .mjs}: evaluated by {@code node}, which prints the module's export as JSON). The apps are
 * {@code apps} (an array or one object), or pm2's older {@code pm2} key, or the whole file (an
 * array or one app).
 *
 * <p>Each app is brought to pm2's canonical field names (pm2's aliases and camelCase spellings
 * accepted) and types: {@code args} and {@code node_args} as arrays (a string is split as pm2
 * splits it), numbers from numeric strings, {@code max_memory_restart} in bytes ("200M"),
 * {@code min_uptime} in ms ("10s"), the environment's values as strings. A wrong type or value, a
 * missing {@code script}, two apps of one name or an unsupported cluster setting is a
 * {@link ConfigException} naming the file, the app and the key; an unknown key is a warning (pm2
 * drops it silently). Immutable once read.
 */
final class ConfigFile {
    /** An invalid config file; its message names the file and, where there is one, the app and the key. */
    static final class ConfigException extends RuntimeException {
        ConfigException(String message) {
            super(message);
        }
    }

    /** pm2's config file names (lib/Common.js: knonwConfigFileExtensions). */
    private static final List<String> SUFFIXES = List.of(".json", ".yml", ".yaml", ".config.js", ".config.cjs",
            ".config.mjs");

    /** pm2's aliases of field names (lib/API/schema.json, lib/Common.js verifyConfs). */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("exec", "script"), Map.entry("cmd", "script"), Map.entry("command", "script"),
            Map.entry("exec_interpreter", "interpreter"), Map.entry("interpreter_args", "node_args"),
            Map.entry("interpreterArgs", "node_args"), Map.entry("out", "out_file"), Map.entry("output", "out_file"),
            Map.entry("out_log", "out_file"), Map.entry("error", "error_file"), Map.entry("err", "error_file"),
            Map.entry("err_file", "error_file"), Map.entry("err_log", "error_file"), Map.entry("log", "log_file"),
            Map.entry("pid", "pid_file"), Map.entry("cron", "cron_restart"), Map.entry("combine_logs", "merge_logs"),
            Map.entry("user", "uid"));

    /** The fields Herd reads (pm2's names; {@code kill_signal} is Herd's own). */
    private static final Set<String> KNOWN = Set.of("name", "namespace", "script", "cwd", "args", "interpreter",
            "node_args", "env", "out_file", "error_file", "log_file", "time", "merge_logs", "log_date_format",
            "log_type", "max_memory_restart", "restart_delay", "exp_backoff_restart_delay", "kill_timeout",
            "listen_timeout", "watch_delay", "min_uptime", "max_restarts", "autorestart", "wait_ready",
            "shutdown_with_message", "stop_exit_codes", "watch", "ignore_watch", "cron_restart", "instances",
            "exec_mode", "increment_var", "instance_var", "listen", "kill_signal", "port", "filter_env", "append_env_to_name",
            "log_max_size", "log_retain", "health_url", "health_cmd", "round_robin",
            "uid", "gid");

    /** pm2's fields for pm2.io, source maps and Windows: without meaning here, dropped without a word. */
    private static final Set<String> QUIET = Set.of("vizion", "pmx", "automation", "trace", "disable_trace", "v8",
            "event_loop_inspector", "deep_monitoring", "source_map_support", "disable_source_map_support",
            "windowsHide", "io", "username", "force", "post_update");

    /** pm2's fields that Herd does not act on yet: a warning, and the app starts without them. */
    private static final Set<String> NOT_YET = Set.of("pid_file", "name_prefix", "install_url", "disable_logs",
            "autostart", "execute_command", "treekill", "kill_retry_time", "write", "watch_options");

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMG])?", Pattern.CASE_INSENSITIVE);
    private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|[hms])?");

    /** The file as the command line named it (for messages). */
    final String shown;
    /** The file, absolute. */
    final Path file;
    /** Its apps, in the file's order: canonical pm2 names and types. */
    final List<Map<String, Object>> apps;
    /** What was ignored, one line each (printed on stderr; not a failure). */
    final List<String> warnings;

    private ConfigFile(String shown, Path file, List<Map<String, Object>> apps, List<String> warnings) {
        this.shown = shown;
        this.file = file;
        this.apps = List.copyOf(apps);
        this.warnings = List.copyOf(warnings);
    }

    /** Whether {@code arg} names a config file by pm2's rule (its ending). */
    static boolean named(String arg) {
        for (String s : SUFFIXES) if (arg.endsWith(s)) return true;
        return false;
    }

    /**
     * Reads and checks the config file {@code arg} (relative to {@code cwd}).
     *
     * @param env the command line's environment ({@code PATH} for {@code node})
     * @throws ConfigException for a missing, unreadable or invalid file
     */
    static ConfigFile read(String arg, Path cwd, Map<String, String> env) {
        Path file = cwd.resolve(arg).normalize();
        if (!Files.isRegularFile(file)) throw new ConfigException(arg + ": no such config file");
        Object root = parse(arg, file, env);
        List<String> warnings = new ArrayList<>();
        Object appsValue = root;
        if (root instanceof Map<?, ?> m && (m.containsKey("apps") || m.containsKey("pm2"))) {
            appsValue = m.containsKey("apps") ? m.get("apps") : m.get("pm2");
            for (Object k : m.keySet()) {
                if (k.equals("apps") || k.equals("pm2")) continue;
                warnings.add(arg + ": '" + k + "' is not supported by Herd (ignored)");
            }
        }
        if (appsValue instanceof Map<?, ?>) appsValue = List.of(appsValue);
        if (!(appsValue instanceof List<?> list)) {
            throw new ConfigException(arg + ": holds no apps (an object with 'apps': [...], an array of apps or one app)");
        }
        if (list.isEmpty()) throw new ConfigException(arg + ": 'apps' is empty");
        List<Map<String, Object>> apps = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> raw)) throw new ConfigException(arg + ": app #" + (i + 1) + " is not an object");
            @SuppressWarnings("unchecked")
            Map<String, Object> app = normalize(arg, i, (Map<String, Object>) raw, warnings);
            if (!names.add((String) app.get("name"))) {
                throw new ConfigException(arg + ": two apps are named '" + app.get("name") + "'");
            }
            apps.add(app);
        }
        return new ConfigFile(arg, file, apps, warnings);
    }

    // ---------------------------------------------------------------- parsing

    private static Object parse(String arg, Path file, Map<String, String> env) {
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(".json")) {
                JsonMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS,
                        JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                        JsonReadFeature.ALLOW_TRAILING_COMMA).build();
                return json.readValue(file.toFile(), Object.class);
            }
            if (name.endsWith(".yml") || name.endsWith(".yaml")) return new YAMLMapper().readValue(file.toFile(), Object.class);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(arg + ": malformed" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(arg + ": cannot read: " + e.getMessage());
        }
        return evaluate(arg, file, env);
    }

    /**
     * A JavaScript config's export, as {@code node} prints it: CommonJS by {@code require} (its
     * errors name the line), ES modules by {@code import}; a promise is awaited.
     */
    private static final String EVALUATE = """
            const f = process.argv[1];
            const print = v => process.stdout.write(JSON.stringify(v === undefined ? null : v));
            const fail = e => {
              const at = e && e.stack ? e.stack.split('\\n')[0] : '';
              const where = at.startsWith(f + ':') ? 'line ' + at.slice(f.length + 1) + ': ' : '';
              process.stderr.write(where + (e && e.name ? e.name + ': ' + e.message : String(e)).split('\\n')[0] + '\\n');
              process.exit(1);
            };
            let m;
            try {
              if (f.endsWith('.mjs')) throw { code: 'ERR_REQUIRE_ESM' };
              m = require(f);
            } catch (e) {
              if (!e || (e.code !== 'ERR_REQUIRE_ESM' && e.code !== 'ERR_REQUIRE_ASYNC_MODULE')) fail(e);
              m = undefined;
            }
            if (m !== undefined) Promise.resolve(m).then(print, fail);
            else import(require('url').pathToFileURL(f).href)
                .then(ns => Promise.resolve(ns.default !== undefined ? ns.default : Object.assign({}, ns)))
                .then(print, fail);
            """;

    private static Object evaluate(String arg, Path file, Map<String, String> env) {
        String node = null;
        for (String dir : env.getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "node"))) {
                node = Path.of(dir, "node").toString();
                break;
            }
        }
        if (node == null) throw new ConfigException(arg + ": node is needed to read a JavaScript config and is not on PATH");
        try {
            ProcessBuilder pb = new ProcessBuilder(node, "-e", EVALUATE, file.toString()).directory(file.getParent().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            // Read both pipes to the end (stderr on its own thread) so that neither fills and blocks node.
            var errText = new java.util.concurrent.CompletableFuture<String>();
            Thread.ofVirtual().start(() -> {
                try {
                    errText.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    errText.complete(e.toString());
                }
            });
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ConfigException(arg + ": node did not finish evaluating it within 30 s");
            }
            if (p.exitValue() != 0) {
                String why = errText.join().lines().filter(l -> !l.isBlank()).findFirst().orElse("node exited with " + p.exitValue());
                throw new ConfigException(arg + ": " + why);
            }
            return Json.parse(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException(arg + ": cannot run node: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException(arg + ": interrupted");
        } catch (RuntimeException e) {
            if (e instanceof ConfigException) throw e;
            throw new ConfigException(arg + ": its export is not JSON: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- one app

    private static Map<String, Object> normalize(String arg, int index, Map<String, Object> raw, List<String> warnings) {
        String label = raw.get("name") instanceof String s ? "app '" + s + "'" : "app #" + (index + 1);
        Map<String, Object> in = new LinkedHashMap<>();
        // Canonical names first, so that they win over an alias (pm2's order).
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            if (KNOWN.contains(e.getKey()) || e.getKey().startsWith("env_")) in.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = e.getKey();
            if (KNOWN.contains(key) || key.startsWith("env_")) continue;
            String canonical = ALIASES.getOrDefault(key, snake(key));
            if (KNOWN.contains(canonical)) {
                in.putIfAbsent(canonical, e.getValue());
            } else if (QUIET.contains(canonical)) {
                // pm2.io's and Windows' options: nothing to do here.
            } else if (NOT_YET.contains(canonical)) {
                warnings.add(arg + ": " + label + ": '" + key + "' is not supported by Herd yet (ignored)");
            } else {
                warnings.add(arg + ": " + label + ": unknown key '" + key + "' (ignored)");
            }
        }
        try {
            return typed(in);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(arg + ": " + label + ": " + e.getMessage());
        }
    }

    /** camelCase to snake_case (pm2 accepts {@code maxMemoryRestart} for {@code max_memory_restart}). */
    private static String snake(String key) {
        StringBuilder b = new StringBuilder();
        for (char c : key.toCharArray()) {
            if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    private static Map<String, Object> typed(Map<String, Object> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : in.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (v == null) continue;
            Object t = switch (k) {
                case "name", "namespace", "script", "cwd", "interpreter", "out_file", "error_file", "log_date_format",
                     "log_type", "increment_var", "instance_var", "health_url", "health_cmd" -> string(k, v);
                case "args", "node_args" -> words(k, v);
                case "env" -> env(k, v);
                case "log_file" -> v instanceof Boolean ? v : string(k, v);
                case "time", "merge_logs", "autorestart", "wait_ready", "shutdown_with_message", "append_env_to_name",
                     "round_robin" -> bool(k, v);
                case "max_memory_restart", "log_max_size" -> size(k, v);
                case "min_uptime" -> duration(k, v);
                case "restart_delay", "exp_backoff_restart_delay", "kill_timeout", "listen_timeout", "watch_delay",
                     "max_restarts", "port", "log_retain" -> count(k, v);
                case "stop_exit_codes" -> exitCodes(k, v);
                case "watch" -> v instanceof Boolean ? v : strings(k, v);
                case "ignore_watch" -> strings(k, v);
                case "cron_restart" -> v instanceof Number n ? n.toString() : string(k, v);
                case "instances" -> instances(v);
                case "listen" -> listen(v instanceof List<?> l ? l : List.of(v));
                case "exec_mode" -> execMode(v);
                case "kill_signal" -> signal(k, v);
                case "filter_env" -> v instanceof Boolean ? v : strings(k, v);
                case "uid", "gid" -> userOrGroup(k, v);
                default -> k.startsWith("env_") ? env(k, v) : v;
            };
            out.put(k, t);
        }
        if (!(out.get("script") instanceof String script) || script.isBlank()) throw new IllegalArgumentException("'script' is missing");
        if (!out.containsKey("name")) {
            // pm2's renderApplicationName: the script's file name without its extension.
            String base = Path.of(script).getFileName() == null ? script : Path.of(script).getFileName().toString();
            int dot = base.lastIndexOf('.');
            out.put("name", dot > 0 ? base.substring(0, dot) : base);
        }
        String name = (String) out.get("name");
        if (name.isBlank() || name.chars().anyMatch(c -> c == '/' || c < ' ')) {
            throw new IllegalArgumentException("'name' must be a non-empty name without '/'");
        }
        if (name.matches("\\d+") || name.equals("all")) throw new IllegalArgumentException("'name' cannot be a number or 'all'");
        return out;
    }

    /** pm2's {@code uid}/{@code user} and {@code gid}: a name, or a number (the daemon resolves them). */
    private static Object userOrGroup(String k, Object v) {
        if (v instanceof Integer n && n >= 0) return n;
        if (v instanceof String s && !s.isBlank()) return s.strip().matches("\\d{1,9}") ? (Object) Integer.parseInt(s.strip()) : s.strip();
        throw new IllegalArgumentException("'" + k + "' must be a user or group name or number, not " + v);
    }

    private static String string(String k, Object v) {
        if (v instanceof String s) return s;
        if (v instanceof Number n) return n.toString();
        throw new IllegalArgumentException("'" + k + "' must be a string, not " + shown(v));
    }

    private static boolean bool(String k, Object v) {
        if (v instanceof Boolean b) return b;
        if ("true".equals(v) || "false".equals(v)) return Boolean.parseBoolean((String) v);
        throw new IllegalArgumentException("'" + k + "' must be true or false, not " + shown(v));
    }

    /** A whole, non-negative number; pm2 also reads numeric strings. */
    private static long count(String k, Object v) {
        double d;
        if (v instanceof Number n) d = n.doubleValue();
        else if (v instanceof String s && s.strip().matches("\\d+(\\.\\d+)?")) d = Double.parseDouble(s.strip());
        else throw new IllegalArgumentException("'" + k + "' must be a number, not " + shown(v));
        if (d < 0 || d != Math.rint(d) || d > Long.MAX_VALUE) {
            throw new IllegalArgumentException("'" + k + "' must be a whole number, 0 or more, not " + shown(v));
        }
        return (long) d;
    }

    /** pm2's sizes: bytes, or a number with K, M or G (1024-based): "200M". */
    private static long size(String k, Object v) {
        if (v instanceof Number) return count(k, v);
        Matcher m = v instanceof String s ? SIZE.matcher(s.strip()) : null;
        if (m == null || !m.matches()) throw new IllegalArgumentException("'" + k + "' must be a size such as 200M, 1G or bytes, not " + shown(v));
        long unit = m.group(2) == null ? 1 : switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 1024L;
            case "M" -> 1024L * 1024;
            default -> 1024L * 1024 * 1024;
        };
        return Math.round(Double.parseDouble(m.group(1)) * unit);
    }

    /** pm2's times: ms, or a number with s, m or h: "10s". */
    private static long duration(String k, Object v) {
        if (v instanceof Number) return count(k, v);
        Matcher m = v instanceof String s ? TIME.matcher(s.strip()) : null;
        if (m == null || !m.matches()) throw new IllegalArgumentException("'" + k + "' must be a time such as 1000, 10s, 5m or 1h, not " + shown(v));
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "s" -> 1000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 1L;
        };
        return Math.round(Double.parseDouble(m.group(1)) * unit);
    }

    /** An array of strings, or one string as an array of one. */
    private static List<String> strings(String k, Object v) {
        if (v instanceof String s) return List.of(s);
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (o instanceof String s) out.add(s);
                else if (o instanceof Number n) out.add(n.toString());
                else throw new IllegalArgumentException("'" + k + "' must be an array of strings, not " + shown(v));
            }
            return out;
        }
        throw new IllegalArgumentException("'" + k + "' must be a string or an array of strings, not " + shown(v));
    }

    /** An array, or a string split as pm2 splits it (words; quoted parts kept whole). */
    private static List<String> words(String k, Object v) {
        if (!(v instanceof String s)) return strings(k, v);
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("[^\\s\"'=]+=\"[^\"]*\"|[^\\s\"'=]+='[^']*'|\"([^\"]*)\"|'([^']*)'|\\S+").matcher(s);
        while (m.find()) {
            String w = m.group();
            if (w.length() > 1 && (w.startsWith("\"") && w.endsWith("\"") || w.startsWith("'") && w.endsWith("'"))) {
                w = w.substring(1, w.length() - 1);
            }
            if (!w.isBlank()) out.add(w);
        }
        return out;
    }

    /** An environment: values as strings, an object or array as its JSON (pm2's). */
    private static Map<String, String> env(String k, Object v) {
        if (!(v instanceof Map<?, ?> map)) throw new IllegalArgumentException("'" + k + "' must be an object, not " + shown(v));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object x = e.getValue();
            if (x == null) continue;
            out.put(String.valueOf(e.getKey()), x instanceof Map<?, ?> || x instanceof List<?> ? Json.stringify(x) : String.valueOf(x));
        }
        return out;
    }

    private static List<Integer> exitCodes(String k, Object v) {
        List<?> list = v instanceof List<?> l ? l : List.of(v);
        List<Integer> out = new ArrayList<>();
        for (Object o : list) {
            if (o instanceof Integer i) out.add(i);
            else if (o instanceof String s && s.strip().matches("-?\\d+")) out.add(Integer.parseInt(s.strip()));
            else throw new IllegalArgumentException("'" + k + "' must be an exit code or an array of exit codes, not " + shown(v));
        }
        return out;
    }

    /**
     * Herd's {@code listen} / {@code --port}: the addresses whose listening sockets the manager
     * hands to the program (socket activation), each a port or HOST:PORT, as strings.
     */
    static List<String> listen(List<?> values) {
        List<String> out = new ArrayList<>();
        for (Object v : values) {
            String s = v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? Long.toString(n.longValue())
                    : v instanceof String str ? str.strip() : null;
            if (s == null || !s.matches("(.+:)?\\d{1,5}") || Integer.parseInt(s.substring(s.lastIndexOf(':') + 1)) > 65535) {
                throw new IllegalArgumentException("'listen' takes ports or HOST:PORT, not " + shown(v));
            }
            out.add(s);
        }
        return out;
    }

    /**
     * pm2's {@code instances} / {@code -i}: a number of instances, {@code max} or 0 for one per
     * CPU, -N for N fewer than the CPUs (at least one).
     */
    static long instances(Object v) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (v instanceof String s && s.strip().equals("max")) return cpus;
        if (v instanceof String s && s.strip().matches("-\\d+")) return Math.max(1, cpus + Long.parseLong(s.strip()));
        if (v instanceof Number n && n.doubleValue() < 0 && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Math.max(1, cpus + n.longValue());
        }
        long n;
        try {
            n = count("instances", v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'instances' must be a number, max or -N, not " + shown(v));
        }
        return n == 0 ? cpus : n;
    }

    private static String execMode(Object v) {
        if (!(v instanceof String s) || !s.matches("(cluster|fork)(_mode)?")) {
            throw new IllegalArgumentException("'exec_mode' must be fork or cluster, not " + shown(v));
        }
        return s.startsWith("cluster") ? "cluster_mode" : "fork_mode";
    }

    private static String signal(String k, Object v) {
        String s = string(k, v).strip().toUpperCase(Locale.ROOT);
        return s.startsWith("SIG") ? s : "SIG" + s;
    }

    private static String shown(Object v) {
        String s = v instanceof String str ? "\"" + str + "\"" : Json.stringify(v);
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
