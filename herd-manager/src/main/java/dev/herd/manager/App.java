package dev.herd.manager;

import dev.herd.node.Timeout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One managed app in the daemon: its configuration and its life (pm2's {@code pm2_env} fields:
 * status, restart counters, times, exit code) plus what the daemon holds for it (the pending
 * restart, the latest CPU and memory sample, the operations waiting their turn). Everything but
 * the samples is written to {@code state.json}.
 *
 * <p>Operations on one app (start, stop, restart, delete, an automatic restart) run one after the
 * other ({@link #enqueue}): each ends by calling the {@code next} it was given.
 *
 * <p>Thread rule: the daemon's loop thread.
 */
final class App {
    static final String LAUNCHING = "launching";
    static final String ONLINE = "online";
    static final String STOPPING = "stopping";
    static final String STOPPED = "stopped";
    static final String WAITING = "waiting restart";
    static final String ERRORED = "errored";
    static final String ONE_LAUNCH = "one-launch-status";

    final int id;
    final String uniqueId;
    /**
     * The cluster-mode app this is an instance of (the unique id its instances share; the keeper's
     * sockets for them are kept under it), or null for a fork-mode app.
     */
    String group;
    /** The instance number: NODE_APP_INSTANCE, 0..N-1, a freed number reused by the next instance. */
    int instance;
    /** Whether the current process of a cluster-mode instance listens (the keeper's 'listening' event). */
    boolean listened;
    /** Whether a reload of this instance runs ({@link Reload}): a second one is refused. */
    boolean reloading;
    /** The last reload's outcome ({@code at}, {@code ok}, {@code ms}, {@code error}), or null. */
    Map<String, Object> lastReload;
    AppConfig config;
    String status = STOPPED;
    int pid;
    long startTicks;
    int restartTime;
    int unstableRestarts;
    /** Unstable exits in a row: more than max_restarts make the app errored. */
    int unstableStreak;
    long createdAt;
    long pmUptime;
    Integer exitCode;
    String exitSignal;
    long prevRestartDelay;
    /** When a pending restart is due (ms since the epoch), or 0. */
    long restartDueAt;
    /** Why the app was last restarted ({@link Triggers#CAUSES}), or null. */
    String lastRestartCause;
    /** Why the last start failed, or null. */
    String lastError;
    String outLog;
    String errLog;
    /** The combined file ({@code log_file}), or null. */
    String allLog;
    /** The environment the app's processes get (its configured one and pm2's variables). */
    Map<String, String> processEnv = Map.of();
    /** The actions the current process registered (pm2's {@code axm_actions}; {@link AppActions}). */
    List<Map<String, Object>> axmActions = new ArrayList<>();

    Timeout restartTimer;
    long memory;
    /** Proportional memory of the main process (bytes; -1 unknown), read every tenth sample: smaps_rollup is slow to read. */
    long pss = -1;
    /** Samples left before the next PSS read (0: at the next sample). */
    int samplesToPss;
    /** The last hour's samples (the dashboard's charts): [ms, cpu %, rss bytes] triples; not persisted. */
    final java.util.ArrayDeque<double[]> history = new java.util.ArrayDeque<>();
    /** A Herd program's last report of its own figures (RuntimeReport), or null; not persisted. */
    Map<String, Object> report;
    double cpu;
    int processes;
    long cpuTicks = -1;
    long cpuSampledAt;

    private final ArrayDeque<Consumer<Runnable>> ops = new ArrayDeque<>();
    private boolean busy;

    App(int id, String uniqueId, AppConfig config) {
        this.id = id;
        this.uniqueId = uniqueId;
        this.config = config;
    }

    boolean running() {
        return pid != 0;
    }

    /** Runs {@code op} once the operations before it have ended; it calls its argument when it ends. */
    void enqueue(Consumer<Runnable> op) {
        ops.add(op);
        if (!busy) runNext();
    }

    /** {@return whether an operation (start, stop, restart...) runs or waits} */
    boolean busy() {
        return busy;
    }

    private void runNext() {
        Consumer<Runnable> op = ops.poll();
        if (op == null) {
            busy = false;
            return;
        }
        busy = true;
        boolean[] ended = new boolean[1];
        op.accept(() -> {
            if (ended[0]) return;
            ended[0] = true;
            runNext();
        });
    }

    /** {@return the app's life as state.json keeps it} */
    Map<String, Object> runtimeJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pm_id", id);
        m.put("unique_id", uniqueId);
        m.put("group", group);
        m.put("instance", instance);
        m.put("status", status);
        m.put("pid", pid);
        m.put("start_ticks", startTicks);
        m.put("restart_time", restartTime);
        m.put("unstable_restarts", unstableRestarts);
        m.put("unstable_streak", unstableStreak);
        m.put("created_at", createdAt);
        m.put("pm_uptime", pmUptime);
        m.put("exit_code", exitCode);
        m.put("exit_signal", exitSignal);
        m.put("prev_restart_delay", prevRestartDelay);
        m.put("restart_due_at", restartDueAt);
        m.put("last_error", lastError);
        m.put("last_restart_cause", lastRestartCause);
        m.put("out_log", outLog);
        m.put("err_log", errLog);
        m.put("all_log", allLog);
        m.put("process_env", processEnv);
        m.put("axm_actions", axmActions);
        m.put("listened", listened);
        m.put("last_reload", lastReload);
        return m;
    }

    /** Restores the life {@link #runtimeJson()} wrote. */
    static App fromJson(AppConfig config, Map<String, Object> r) {
        App a = new App(Fields.integer(r, "pm_id", -1), Fields.required(r, "unique_id"), config);
        a.group = Fields.string(r, "group", null);
        a.instance = Fields.integer(r, "instance", 0);
        a.status = Fields.string(r, "status", STOPPED);
        a.pid = Fields.integer(r, "pid", 0);
        a.startTicks = Fields.number(r, "start_ticks", 0);
        a.restartTime = Fields.integer(r, "restart_time", 0);
        a.unstableRestarts = Fields.integer(r, "unstable_restarts", 0);
        a.unstableStreak = Fields.integer(r, "unstable_streak", 0);
        a.createdAt = Fields.number(r, "created_at", 0);
        a.pmUptime = Fields.number(r, "pm_uptime", 0);
        a.exitCode = r.get("exit_code") == null ? null : Fields.integer(r, "exit_code", 0);
        a.exitSignal = Fields.string(r, "exit_signal", null);
        a.prevRestartDelay = Fields.number(r, "prev_restart_delay", 0);
        a.restartDueAt = Fields.number(r, "restart_due_at", 0);
        a.lastError = Fields.string(r, "last_error", null);
        a.lastRestartCause = Fields.string(r, "last_restart_cause", null);
        a.outLog = Fields.string(r, "out_log", null);
        a.errLog = Fields.string(r, "err_log", null);
        a.allLog = Fields.string(r, "all_log", null);
        a.processEnv = Fields.stringMap(r, "process_env");
        a.axmActions = AppActions.fromJson(r.get("axm_actions"));
        a.listened = Fields.bool(r, "listened", false);
        a.lastReload = r.get("last_reload") == null ? null : Fields.object(r.get("last_reload"), "last_reload");
        return a;
    }

    String label() {
        return "App [" + config.name() + ":" + id + "]";
    }
}
