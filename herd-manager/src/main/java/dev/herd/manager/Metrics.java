package dev.herd.manager;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The manager's figures in Prometheus's text format (issue 16), made at each scrape from the
 * daemon's state (its last /proc sample of each app's tree), its timeline (restarts by cause,
 * reloads) and /proc for the daemon itself and each app's proportional memory; written by the
 * Prometheus Java client's own writer.
 *
 * <p>Per app instance (labels {@code name}, {@code namespace}, {@code id}, {@code instance}):
 * {@code herd_app_up}, {@code herd_app_status} (1 for its status, as a label),
 * {@code herd_app_restarts_total} (by {@code cause}), {@code herd_app_cpu_seconds_total} (its
 * tree's, since its start), {@code herd_app_memory_rss_bytes} (its tree's),
 * {@code herd_app_memory_pss_bytes} (its main process's, from {@code smaps_rollup}, read every
 * tenth sample),
 * {@code herd_app_uptime_seconds}, {@code herd_app_reloads_total} (by {@code result}),
 * {@code herd_app_last_reload_duration_seconds}; a Herd program's own report (its IPC channel,
 * no code of its own): {@code herd_runtime_loop_lag_seconds}, {@code herd_runtime_loop_utilization},
 * {@code herd_runtime_heap_used_bytes}, {@code herd_runtime_heap_committed_bytes},
 * {@code herd_runtime_gc_total}, {@code herd_runtime_gc_seconds_total},
 * {@code herd_runtime_active_handles}. The daemon's: {@code herd_daemon_apps},
 * {@code herd_daemon_memory_rss_bytes}, {@code herd_daemon_cpu_seconds_total}.
 *
 * <p>Thread rule: the daemon's loop thread. Stateless.
 */
final class Metrics {
    /** The text format's content type. */
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private Metrics() {}

    /** {@return the figures of {@code apps}, with what {@code timeline} holds of them, as text} */
    static byte[] scrape(Collection<App> apps, Timeline timeline) {
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("herd_app_up").help("1 when the app's process runs");
        GaugeSnapshot.Builder status = GaugeSnapshot.builder().name("herd_app_status").help("1 for the app's status (label status)");
        CounterSnapshot.Builder restarts = CounterSnapshot.builder().name("herd_app_restarts")
                .help("restarts and replacements of the app by cause (crash, exit, manual, memory, cron, watch, reload)");
        CounterSnapshot.Builder cpu = CounterSnapshot.builder().name("herd_app_cpu_seconds")
                .help("CPU time of the app's process tree since its process started (the last sample)");
        GaugeSnapshot.Builder rss = GaugeSnapshot.builder().name("herd_app_memory_rss_bytes").help("resident memory of the app's process tree (the last sample)");
        GaugeSnapshot.Builder pss = GaugeSnapshot.builder().name("herd_app_memory_pss_bytes").help("proportional memory of the app's main process");
        GaugeSnapshot.Builder uptime = GaugeSnapshot.builder().name("herd_app_uptime_seconds").help("how long the app's process has run");
        CounterSnapshot.Builder reloads = CounterSnapshot.builder().name("herd_app_reloads").help("reloads of the app by result (ok, failed)");
        GaugeSnapshot.Builder reloadMs = GaugeSnapshot.builder().name("herd_app_last_reload_duration_seconds").help("how long the app's last reload took");
        GaugeSnapshot.Builder lag = GaugeSnapshot.builder().name("herd_runtime_loop_lag_seconds").help("how late the Herd program's event loop ran a timer (its last report)");
        GaugeSnapshot.Builder util = GaugeSnapshot.builder().name("herd_runtime_loop_utilization").help("share of the last report's interval the Herd program's loop was not waiting in poll");
        GaugeSnapshot.Builder heapUsed = GaugeSnapshot.builder().name("herd_runtime_heap_used_bytes").help("the Herd program's heap in use");
        GaugeSnapshot.Builder heapCommitted = GaugeSnapshot.builder().name("herd_runtime_heap_committed_bytes").help("the Herd program's heap committed");
        CounterSnapshot.Builder gcCount = CounterSnapshot.builder().name("herd_runtime_gc").help("the Herd program's GC collections since its start");
        CounterSnapshot.Builder gcTime = CounterSnapshot.builder().name("herd_runtime_gc_seconds").help("the Herd program's GC time since its start");
        GaugeSnapshot.Builder handles = GaugeSnapshot.builder().name("herd_runtime_active_handles").help("the Herd program's active handles (what keeps its loop alive)");
        long now = System.currentTimeMillis();
        Map<Integer, Map<String, Integer>> causes = new TreeMap<>();
        Map<Integer, Map<String, Integer>> results = new TreeMap<>();
        for (Map<String, Object> e : timeline.query(x -> true, 0)) {
            int id = Fields.integer(e, "id", -1);
            String event = String.valueOf(e.get("event"));
            if (event.equals("restart") || event.equals("replaced") && "reload".equals(e.get("cause"))) {
                causes.computeIfAbsent(id, k -> new TreeMap<>()).merge(String.valueOf(e.get("cause")), 1, Integer::sum);
            } else if (event.equals("reload")) {
                results.computeIfAbsent(id, k -> new TreeMap<>()).merge(Boolean.TRUE.equals(e.get("ok")) ? "ok" : "failed", 1, Integer::sum);
            }
        }
        for (App a : apps) {
            Labels l = Labels.of("name", a.config.name(), "namespace", a.config.namespace(), "id", Integer.toString(a.id),
                    "instance", Integer.toString(a.instance));
            up.dataPoint(gauge(l, a.running() ? 1 : 0));
            status.dataPoint(gauge(l.add("status", a.status), 1));
            for (Map.Entry<String, Integer> c : causes.getOrDefault(a.id, Map.of()).entrySet()) {
                restarts.dataPoint(CounterDataPointSnapshot.builder().labels(l.add("cause", c.getKey())).value(c.getValue()).build());
            }
            for (Map.Entry<String, Integer> r : results.getOrDefault(a.id, Map.of()).entrySet()) {
                reloads.dataPoint(CounterDataPointSnapshot.builder().labels(l.add("result", r.getKey())).value(r.getValue()).build());
            }
            if (a.lastReload != null && a.lastReload.get("ms") instanceof Number ms) reloadMs.dataPoint(gauge(l, ms.doubleValue() / 1000));
            if (!a.running()) continue;
            cpu.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(Math.max(0, a.cpuTicks) / (double) ProcFs.CLOCK_TICKS).build());
            rss.dataPoint(gauge(l, a.memory));
            if (a.pss >= 0) pss.dataPoint(gauge(l, a.pss));
            uptime.dataPoint(gauge(l, Math.max(0, now - a.pmUptime) / 1000.0));
            Map<String, Object> r = a.report;
            if (r != null) {
                lag.dataPoint(gauge(l, num(r, "loop_lag_ms") / 1000.0));
                util.dataPoint(gauge(l, num(r, "loop_utilization")));
                heapUsed.dataPoint(gauge(l, num(r, "heap_used_bytes")));
                heapCommitted.dataPoint(gauge(l, num(r, "heap_committed_bytes")));
                gcCount.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(num(r, "gc_count")).build());
                gcTime.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(num(r, "gc_ms") / 1000.0).build());
                handles.dataPoint(gauge(l, num(r, "active_handles")));
            }
        }
        int self = (int) ProcessHandle.current().pid();
        ProcFs.Stat me = ProcFs.stat(self);
        GaugeSnapshot daemonApps = GaugeSnapshot.builder().name("herd_daemon_apps").help("the apps the daemon has")
                .dataPoint(gauge(Labels.EMPTY, apps.size())).build();
        GaugeSnapshot daemonRss = GaugeSnapshot.builder().name("herd_daemon_memory_rss_bytes").help("the daemon's resident memory")
                .dataPoint(gauge(Labels.EMPTY, me == null ? 0 : me.rssPages() * ProcFs.PAGE_SIZE)).build();
        CounterSnapshot daemonCpu = CounterSnapshot.builder().name("herd_daemon_cpu_seconds").help("the daemon's CPU time")
                .dataPoint(CounterDataPointSnapshot.builder().value(me == null ? 0 : (me.utime() + me.stime()) / (double) ProcFs.CLOCK_TICKS).build())
                .build();
        MetricSnapshots all = new MetricSnapshots(List.of(up.build(), status.build(), restarts.build(), cpu.build(), rss.build(),
                pss.build(), uptime.build(), reloads.build(), reloadMs.build(), lag.build(), util.build(), heapUsed.build(),
                heapCommitted.build(), gcCount.build(), gcTime.build(), handles.build(), daemonApps, daemonRss, daemonCpu));
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, all, EscapingScheme.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A number of a report (the program sends them), 0 when it is not one. */
    private static double num(Map<String, Object> r, String key) {
        return r.get(key) instanceof Number n ? n.doubleValue() : 0;
    }

    private static GaugeDataPointSnapshot gauge(Labels l, double v) {
        return GaugeDataPointSnapshot.builder().labels(l).value(v).build();
    }

    /** {@code Pss:} of /proc/PID/smaps_rollup in bytes, or -1. */
    static long pssBytes(int pid) {
        return kbField(Path.of("/proc", Integer.toString(pid), "smaps_rollup"), "Pss:");
    }

    private static long kbField(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    String[] f = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not readable
        }
        return -1;
    }
}
