package dev.herd.manager;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The daemon's side of the apps' logs: where each app's files are (pm2's names), what the keeper
 * is told about them at a spawn, what jlist shows, and {@code flush}. The keeper writes the files;
 * the daemon only names them and empties them. Stateless.
 *
 * <p>Thread rule: the daemon's loop thread.
 */
final class AppLogs {
    private AppLogs() {}

    /** Names the app's files: {@code -o}/{@code -e}/{@code -l} as given, else pm2's under {@code HERD_HOME/logs}. */
    static void assign(HerdHome home, App a) {
        AppConfig c = a.config;
        LogOptions o = c.logs();
        String name = logName(c.name());
        String out = LogOptions.normalise(c.outFile());
        String err = LogOptions.normalise(c.errorFile());
        int n = c.instances();
        a.outLog = o.perInstance(out != null ? out : home.logs().resolve(name + "-out.log").toString(), a.id, n);
        a.errLog = o.perInstance(err != null ? err : home.logs().resolve(name + "-error.log").toString(), a.id, n);
        a.allLog = o.perInstance(LogOptions.normalise(o.logFile()), a.id, n);
    }

    /** The app's name as a file name: pm2's (anything but letters, digits, '-', '_', '.' becomes '-'). */
    static String logName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    /** The {@code log} object of the keeper's spawn. */
    static Map<String, Object> spec(App a) {
        return a.config.logs().spec(a.config.name(), a.id, a.allLog);
    }

    /** Adds pm2's log keys to the app's {@code pm2_env}. */
    static void jlist(App a, Map<String, Object> env) {
        LogOptions o = a.config.logs();
        if (a.allLog != null) env.put("pm_log_path", a.allLog);
        env.put("merge_logs", o.mergeLogs());
        if (o.time()) env.put("time", true);
        if (o.stampFormat() != null) env.put("log_date_format", o.stampFormat());
        if (o.type().equals("json")) env.put("log_type", "json");
        if (o.maxSize() > 0) {
            env.put("log_max_size", o.maxSize());
            env.put("log_retain", o.retain());
        }
    }

    /**
     * Empties the files of {@code apps}, and {@code herd.log} too when {@code managerLog}. The
     * keeper writes with {@code O_APPEND}, so its next line goes at the start of the emptied file.
     *
     * @return the files emptied
     */
    static List<String> flush(HerdHome home, List<App> apps, boolean managerLog) throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        for (App a : apps) {
            for (String p : new String[] {a.outLog, a.errLog, a.allLog}) {
                if (p != null && !p.equals(LogOptions.DEV_NULL)) paths.add(p);
            }
        }
        if (managerLog) paths.add(home.managerLog().toString());
        List<String> done = new ArrayList<>();
        for (String p : paths) {
            try (FileChannel ch = FileChannel.open(Path.of(p), StandardOpenOption.WRITE)) {
                ch.truncate(0);
                done.add(p);
            } catch (NoSuchFileException e) {
                // nothing written yet
            }
        }
        return done;
    }
}
