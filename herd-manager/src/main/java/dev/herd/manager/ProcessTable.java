package dev.herd.manager;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * pm2's table of processes ({@code list}) and of one process ({@code describe}), drawn with box
 * characters; the status coloured on a terminal only. Drawn from jlist entries, by the daemon for
 * the control protocol's {@code list} (so the command line prints text and parses no JSON) and by
 * the command line after the verbs that answer with jlist entries.
 *
 * <p>Stateless; any thread.
 */
public final class ProcessTable {
    private static final String[] HEADER = {"id", "name", "namespace", "mode", "pid", "uptime", "↺", "status", "cpu", "mem",
        "user", "watching"};
    private static final String RESET = "\u001b[0m";

    private ProcessTable() {}

    /**
     * Whether {@code sort} is a sort order {@link #sorted} takes: {@code name} or {@code id},
     * optionally followed by {@code :asc} or {@code :desc}.
     *
     * @param sort the order, as {@code list --sort} takes it
     * @return true if it is one
     */
    public static boolean isSort(String sort) {
        return sort.matches("(name|id)(:(asc|desc))?");
    }

    /**
     * The jlist entries in the order {@code sort} names ({@link #isSort}).
     *
     * @param processes jlist entries
     * @param sort the order
     * @return a new, sorted list
     * @throws IllegalArgumentException if {@code sort} is not one
     */
    public static List<Map<String, Object>> sorted(List<Map<String, Object>> processes, String sort) {
        if (!isSort(sort)) throw new IllegalArgumentException("--sort takes name or id, optionally with :asc or :desc");
        String[] f = sort.split(":");
        Comparator<Map<String, Object>> by = f[0].equals("name")
                ? Comparator.comparing(p -> String.valueOf(p.get("name")))
                : Comparator.comparingInt(p -> ((Number) p.get("pm_id")).intValue());
        if (f.length > 1 && f[1].equals("desc")) by = by.reversed();
        List<Map<String, Object>> list = new ArrayList<>(processes);
        list.sort(by);
        return list;
    }

    /**
     * The table of {@code list}: one row per process of a jlist.
     *
     * @param processes jlist entries
     * @param colour whether to colour the status (for a terminal)
     * @return the table, lines ending in {@code '\n'}
     */
    public static String render(List<Map<String, Object>> processes, boolean colour) {
        List<String[]> rows = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Map<String, Object> p : processes) {
            Map<String, Object> env = env(p);
            Map<String, Object> monit = map(p.get("monit"));
            String status = String.valueOf(env.get("status"));
            boolean up = status.equals("online") || status.equals("launching") || status.equals("stopping");
            rows.add(new String[] {String.valueOf(p.get("pm_id")), String.valueOf(p.get("name")),
                String.valueOf(env.get("namespace")),
                "cluster_mode".equals(env.get("exec_mode")) ? "cluster" : "fork", up ? String.valueOf(p.get("pid")) : "0",
                up ? duration(now - ((Number) env.get("pm_uptime")).longValue()) : "0",
                String.valueOf(env.get("restart_time")), status, (up ? monit.get("cpu") : 0) + "%",
                up ? bytes(((Number) monit.get("memory")).longValue()) : "0b", String.valueOf(env.get("username")),
                env.get("watch") == null || Boolean.FALSE.equals(env.get("watch")) ? "disabled" : "enabled"});
        }
        int[] width = new int[HEADER.length];
        for (int i = 0; i < HEADER.length; i++) width[i] = HEADER[i].length();
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        StringBuilder b = new StringBuilder();
        line(b, width, '┌', '┬', '┐');
        row(b, width, HEADER, false);
        line(b, width, '├', '┼', '┤');
        for (String[] r : rows) row(b, width, r, colour);
        line(b, width, '└', '┴', '┘');
        return b.toString();
    }

    /**
     * The table of {@code describe}: one process's fields, one per row.
     *
     * @param p a jlist entry
     * @return the table, lines ending in {@code '\n'}
     */
    public static String describe(Map<String, Object> p) {
        Map<String, Object> env = env(p);
        Map<String, Object> herd = map(p.get("herd"));
        String[][] fields = {
            {"status", str(env.get("status"))}, {"name", str(p.get("name"))}, {"namespace", str(env.get("namespace"))},
            {"pm_id", str(p.get("pm_id"))}, {"pid", str(p.get("pid"))}, {"restarts", str(env.get("restart_time"))},
            {"unstable restarts", str(env.get("unstable_restarts"))}, {"uptime", str(env.get("pm_uptime"))},
            {"created at", str(env.get("created_at"))}, {"script path", str(env.get("pm_exec_path"))},
            {"script args", str(env.get("args"))}, {"interpreter", str(env.get("exec_interpreter"))},
            {"interpreter args", str(env.get("node_args"))}, {"exec cwd", str(env.get("pm_cwd"))},
            {"exec mode", str(env.get("exec_mode"))}, {"out log path", str(env.get("pm_out_log_path"))},
            {"error log path", str(env.get("pm_err_log_path"))}, {"exit code", str(env.get("exit_code"))},
            {"exit signal", str(herd.get("exit_signal"))}, {"autorestart", str(env.get("autorestart"))},
            {"max restarts", str(env.get("max_restarts"))}, {"min uptime", str(env.get("min_uptime"))},
            {"restart delay", str(env.get("restart_delay"))},
            {"exp backoff restart delay", str(env.get("exp_backoff_restart_delay"))},
            {"stop exit codes", str(env.get("stop_exit_codes"))}, {"kill timeout", str(env.get("kill_timeout"))},
            {"kill signal", str(env.get("kill_signal"))}, {"command", str(herd.get("command"))},
            {"last error", str(herd.get("last_error"))}, {"unique id", str(env.get("unique_id"))},
        };
        int[] width = {0, 0};
        for (String[] f : fields) {
            width[0] = Math.max(width[0], f[0].length());
            width[1] = Math.max(width[1], f[1].length());
        }
        StringBuilder b = new StringBuilder(" Describing process with id " + p.get("pm_id") + " - name " + p.get("name") + "\n");
        line(b, width, '┌', '┬', '┐');
        for (String[] f : fields) row(b, width, f, false);
        line(b, width, '└', '┴', '┘');
        return b.toString();
    }

    private static String str(Object o) {
        return o == null ? "N/A" : String.valueOf(o);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Map<String, Object> env(Map<String, Object> p) {
        return map(p.get("pm2_env"));
    }

    private static void line(StringBuilder b, int[] width, char left, char mid, char right) {
        b.append(left);
        for (int i = 0; i < width.length; i++) {
            b.append("─".repeat(width[i] + 2)).append(i == width.length - 1 ? right : mid);
        }
        b.append('\n');
    }

    private static void row(StringBuilder b, int[] width, String[] cells, boolean colour) {
        b.append('│');
        for (int i = 0; i < width.length; i++) {
            String c = cells[i];
            String shown = colour && i == 7 ? colourOf(c) + c + RESET : c;
            b.append(' ').append(shown).append(" ".repeat(width[i] - c.length() + 1)).append('│');
        }
        b.append('\n');
    }

    private static String colourOf(String status) {
        return switch (status) {
            case "online" -> "\u001b[32m";
            case "errored" -> "\u001b[31m";
            case "stopped", "one-launch-status" -> "\u001b[90m";
            default -> "\u001b[33m";
        };
    }

    /** pm2's uptime: 12s, 5m, 3h, 2D. */
    static String duration(long ms) {
        long s = Math.max(0, ms / 1000);
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m";
        if (s < 86400) return s / 3600 + "h";
        return s / 86400 + "D";
    }

    /** pm2's memory: 12.3mb. */
    static String bytes(long n) {
        if (n < 1024) return n + "b";
        if (n < 1024 * 1024) return String.format("%.1fkb", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format("%.1fmb", n / 1048576.0);
        return String.format("%.1fgb", n / 1073741824.0);
    }
}
