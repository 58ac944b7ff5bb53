package dev.herd.cli.manager;

import dev.herd.node.fs.IgnorePatterns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@code start} for restart triggers and readiness (pm2's names):
 * {@code --max-memory-restart SIZE}, {@code --watch [PATHS]}, {@code --ignore-watch PATTERNS},
 * {@code --watch-delay MS}, {@code --cron-restart EXPR} (or {@code --cron}), {@code --wait-ready},
 * {@code --listen-timeout MS} and {@code --shutdown-with-message}. They become the app's
 * configuration fields ({@code max_memory_restart}, {@code watch}, ...); the daemon validates the
 * values (a bad size or cron expression is its one-line error), this class the form.
 *
 * <p>Thread rule: one thread. Stateless.
 */
final class TriggerFlags {
    private TriggerFlags() {}

    /** The flags that take a value. */
    private static final Set<String> WITH_VALUE = Set.of("--max-memory-restart", "--ignore-watch", "--watch-delay",
            "--cron-restart", "--cron", "--listen-timeout");
    /** The flags that take none. */
    private static final Set<String> SWITCHES = Set.of("--wait-ready", "--shutdown-with-message", "--no-watch");

    /** Whether {@code flag} (without {@code =value}) is one of these options. */
    static boolean accepts(String flag) {
        return WITH_VALUE.contains(flag) || SWITCHES.contains(flag) || flag.equals("--watch");
    }

    /**
     * Reads the option at {@code argv[i]} into {@code opts}.
     *
     * @param flag the option, without an {@code =value} part
     * @param value the {@code =value} part, or null
     * @param scriptSeen whether the script was named before (then {@code --watch PATHS} may take
     *     the next argument as its paths; {@code herd start --watch app.js} watches the directory)
     * @return the index of the last argument used
     */
    static int read(List<String> argv, int i, String flag, String value, boolean scriptSeen, Map<String, String> opts) {
        if (flag.equals("--watch")) {
            if (value == null && scriptSeen && i + 1 < argv.size() && !argv.get(i + 1).startsWith("-")) value = argv.get(++i);
            opts.put(flag, value == null ? "" : value);
            return i;
        }
        if (SWITCHES.contains(flag)) {
            if (value != null) throw new IllegalArgumentException(flag + " takes no value");
            opts.put(flag, "true");
            return i;
        }
        if (value == null) {
            if (i + 1 >= argv.size()) throw new IllegalArgumentException(flag + " needs a value");
            value = argv.get(++i);
        }
        opts.put(flag.equals("--cron") ? "--cron-restart" : flag, value);
        return i;
    }

    /** Puts the options read into the app's configuration {@code m}; {@code cwd} is the app's directory. */
    static void apply(Map<String, String> opts, Map<String, Object> m, Path cwd) {
        String size = opts.get("--max-memory-restart");
        if (size != null) m.put("max_memory_restart", size.matches("\\d+") ? (Object) Long.parseLong(size) : size);
        String watch = opts.get("--watch");
        if (watch != null && !opts.containsKey("--no-watch")) {
            List<String> paths = new ArrayList<>();
            for (String p : watch.split(",")) if (!p.isBlank()) paths.add(p.strip());
            for (String p : paths) {
                if (!Files.exists(cwd.resolve(p))) throw new IllegalArgumentException("--watch: no such file or directory: " + p);
            }
            m.put("watch", paths.isEmpty() ? (Object) true : paths);
        }
        if (opts.get("--ignore-watch") != null) m.put("ignore_watch", IgnorePatterns.split(opts.get("--ignore-watch")));
        number(opts, "--watch-delay", m, "watch_delay");
        if (opts.get("--cron-restart") != null) m.put("cron_restart", opts.get("--cron-restart"));
        if (opts.containsKey("--wait-ready")) m.put("wait_ready", true);
        number(opts, "--listen-timeout", m, "listen_timeout");
        if (opts.containsKey("--shutdown-with-message")) m.put("shutdown_with_message", true);
    }

    private static void number(Map<String, String> opts, String flag, Map<String, Object> m, String key) {
        String v = opts.get(flag);
        if (v == null) return;
        try {
            long n = Long.parseLong(v.strip());
            if (n < 0) throw new IllegalArgumentException(flag + " must not be negative");
            m.put(key, n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number of milliseconds, not '" + v + "'");
        }
    }
}
