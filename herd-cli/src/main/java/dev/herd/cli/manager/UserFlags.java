package dev.herd.cli.manager;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@code start} that name the user and group an app runs as (pm2's {@code --uid}
 * and {@code --gid}: a name or a number). They become the app's {@code uid} and {@code gid}
 * fields; the daemon resolves them and refuses them when it does not run as root or the user or
 * group does not exist (its one-line error), this class reads the form only.
 *
 * <p>Thread rule: one thread. Stateless.
 */
final class UserFlags {
    private UserFlags() {}

    private static final Set<String> FLAGS = Set.of("--uid", "--gid");

    /** Whether {@code flag} (without {@code =value}) is one of these options. */
    static boolean accepts(String flag) {
        return FLAGS.contains(flag);
    }

    /**
     * Reads the option at {@code argv[i]} into {@code opts}.
     *
     * @param value the {@code =value} part, or null
     * @return the index of the last argument used
     * @throws ManagerCli.UsageException for a missing or empty value
     */
    static int read(List<String> argv, int i, String flag, String value, Map<String, String> opts) {
        if (value == null) {
            if (i + 1 >= argv.size()) throw new ManagerCli.UsageException(flag + " needs a user or group name or number");
            value = argv.get(++i);
        }
        if (value.isBlank()) throw new ManagerCli.UsageException(flag + " needs a user or group name or number");
        opts.put(flag, value.strip());
        return i;
    }

    /** Puts the options read into the app's configuration {@code app}: a number as a number. */
    static void apply(Map<String, String> opts, Map<String, Object> app) {
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String v = e.getValue();
            Object id = v.matches("\\d{1,9}") ? (Object) Integer.parseInt(v) : v;
            app.put(e.getKey().substring(2), id);
        }
    }
}
