package dev.herd.manager;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's answer to {@code dump} (what {@code herd save} writes to {@code dump.herd}): every
 * app's configuration as {@code start} carries it (environment, namespace, arguments, the command)
 * and the status it should come back in: {@code stopped} for an app that is stopped or stopping,
 * {@code online} for any other (pm2's resurrect starts every app its dump does not hold as
 * stopped). Counters, pids and ids are not saved: a resurrected app is a new app. Stateless.
 */
final class Dump {
    /** The version of the dump's format ({@code dump.herd}'s {@code version}). */
    static final int VERSION = 1;

    private Dump() {}

    /** {@return the apps as {@code {"version": 1, "apps": [{"status", "config"}...]}}} */
    static Map<String, Object> of(Collection<App> apps) {
        List<Object> list = new ArrayList<>(apps.size());
        java.util.Set<String> groups = new java.util.HashSet<>();
        for (App a : apps) {
            if (a.group != null && !groups.add(a.group)) continue; // one entry starts every instance again
            Map<String, Object> e = new LinkedHashMap<>();
            boolean stopped = a.status.equals(App.STOPPED) || a.status.equals(App.STOPPING);
            e.put("status", stopped ? App.STOPPED : App.ONLINE);
            e.put("config", a.config.toJson());
            list.add(e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("apps", list);
        return m;
    }
}
