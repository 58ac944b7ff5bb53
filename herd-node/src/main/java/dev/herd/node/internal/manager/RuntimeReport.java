package dev.herd.node.internal.manager;

import dev.herd.loop.Loop;
import dev.herd.loop.Timer;
import dev.herd.node.NodeProcess;
import dev.herd.node.TrainingRun;
import dev.herd.node.internal.Environment;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Herd program's own figures for the process manager (issue 16), sent with no code of the
 * program's: when it runs under the manager ({@value #ENV} in its environment, the interval in ms)
 * with an IPC channel, it sends its parent every interval an internal message ({@value #CMD}: the
 * program's 'message' listeners never see it) with its event loop's lag (how late the report's
 * own timer fired) and utilisation (the share of the interval not spent waiting in poll, as
 * Node's {@code performance.eventLoopUtilization()}), its heap (used, committed, max), its GC
 * (collections and their time, since start) and its loop's handles (active, open).
 *
 * <p>The timer is unreferenced: it never keeps the program alive. Not in an AOT training run.
 *
 * <p>Thread rule: the program's main loop thread. Lifetime: the program's.
 */
public final class RuntimeReport {
    /** The environment variable that turns the report on: its interval in ms. */
    public static final String ENV = "HERD_REPORT_MS";
    /** The internal message's {@code cmd}. */
    public static final String CMD = "NODE_HERD_REPORT";

    private final Loop loop;
    private final NodeProcess process;
    private final long intervalMs;
    private final Timer timer;
    private long expectedAt;
    private long lastAt;
    private long lastIdle;

    private RuntimeReport(Environment env, long intervalMs) {
        this.loop = env.loop();
        this.process = env.process();
        this.intervalMs = intervalMs;
        this.timer = new Timer(loop);
    }

    /**
     * Starts the report if the environment asks for one and the process has a channel to its parent.
     *
     * @param env the program's environment, its channel open
     */
    public static void start(Environment env) {
        String v = env.process().env().get(ENV);
        if (v == null || TrainingRun.active() || !env.process().connected()) return;
        long ms;
        try {
            ms = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return; // not the manager's
        }
        if (ms <= 0) return;
        new RuntimeReport(env, ms).begin();
    }

    private void begin() {
        lastAt = System.nanoTime();
        lastIdle = loop.idleTimeNanos();
        expectedAt = lastAt + intervalMs * 1_000_000;
        timer.start(this::tick, intervalMs, intervalMs);
        timer.unref();
    }

    private void tick() {
        long now = System.nanoTime();
        long lag = Math.max(0, now - expectedAt);
        expectedAt = now + intervalMs * 1_000_000;
        long idle = loop.idleTimeNanos();
        double wall = Math.max(1, now - lastAt);
        double utilization = Math.min(1, Math.max(0, 1 - (idle - lastIdle) / wall));
        lastAt = now;
        lastIdle = idle;
        if (!process.connected()) {
            timer.stop();
            return;
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long gcCount = 0;
        long gcMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", CMD);
        m.put("loop_lag_ms", lag / 1e6);
        m.put("loop_utilization", utilization);
        m.put("heap_used_bytes", heap.getUsed());
        m.put("heap_committed_bytes", heap.getCommitted());
        m.put("heap_max_bytes", heap.getMax());
        m.put("gc_count", gcCount);
        m.put("gc_ms", gcMs);
        m.put("active_handles", loop.activeHandles());
        m.put("open_handles", loop.openHandles());
        process.send(m, null, null, null);
    }
}
