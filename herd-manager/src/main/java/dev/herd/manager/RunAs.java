package dev.herd.manager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The user and group an app runs as: pm2's {@code uid} and {@code gid} ({@code --uid}, {@code --gid},
 * {@code user} in config files), each a name or a number. Resolved as pm2 resolves them
 * (lib/Common.js): the user from {@code /etc/passwd}, the app's {@code HOME} set to the user's home,
 * the group from {@code /etc/group} or else the user's primary group. Unlike pm2, a number is
 * accepted for either when the system knows it (pm2 looks up names only), a group may be given without a user (the manager's
 * user, in that group), and {@code USER} and {@code LOGNAME} are set too, as login and systemd's
 * {@code User=} set them. Only a manager that runs as root may run apps as another user (pm2's rule,
 * checked by pm2's command line; here by the daemon, which is what switches).
 *
 * <p>The spawn gives the app no supplementary groups, as Node's {@code spawn} (and so pm2) does:
 * only the uid and gid.
 *
 * @param uid the user id, or -1 for the manager's
 * @param gid the group id, or -1 for the manager's
 * @param user the user's name (the number when it has none), or null with no uid
 * @param home the user's home directory, or null
 */
record RunAs(int uid, int gid, String user, String home) {
    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");

    /**
     * The user and group an app's {@code options} name, or null when they name none.
     *
     * @param options the app's fields (pm2's {@code uid} and {@code gid}: a name or a number)
     * @param managerUid the effective uid of the manager
     * @throws IllegalArgumentException a one-line reason: not root, an unknown user or group
     */
    static RunAs of(Map<String, Object> options, int managerUid) {
        Object u = options.get("uid");
        Object g = options.get("gid");
        if (u == null && g == null) return null;
        if (managerUid != 0) {
            throw new IllegalArgumentException("--uid and --gid need the manager to run as root (it runs as uid "
                    + managerUid + ")");
        }
        int uid = -1;
        int gid = -1;
        String user = null;
        String home = null;
        if (u != null) {
            String[] entry = lookup(PASSWD, String.valueOf(u));
            if (entry == null) throw new IllegalArgumentException("user " + u + " cannot be found");
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
            user = entry[0];
            home = entry.length > 5 ? entry[5] : null;
        }
        if (g != null) {
            String[] entry = lookup(GROUP, String.valueOf(g));
            if (entry == null) throw new IllegalArgumentException("group " + g + " cannot be found");
            gid = Integer.parseInt(entry[2]);
        }
        return new RunAs(uid, gid, user, home);
    }

    /** Adds {@code HOME}, {@code USER} and {@code LOGNAME} of the user to an app's environment. */
    void putEnv(Map<String, String> env) {
        if (user == null) return;
        if (home != null && !home.isEmpty()) env.put("HOME", home);
        env.put("USER", user);
        env.put("LOGNAME", user);
    }

    /**
     * The entry of {@code file} (passwd or group: name, password, id, ...) whose name is
     * {@code key}, or, for a number, whose id is it (a name is looked up first: names may be
     * digits). Null when none.
     */
    private static String[] lookup(Path file, String key) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        String[] byId = null;
        for (String line : lines) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split(":", -1);
            if (f.length < 3 || !f[2].matches("\\d+")) continue;
            if (f[0].equals(key)) return f;
            if (byId == null && f[2].equals(key)) byId = f;
        }
        return byId;
    }
}
