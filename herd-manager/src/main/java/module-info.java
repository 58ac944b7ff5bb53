/**
 * The process manager: the daemon and the keeper, Herd programs that the {@code herd} command line
 * starts and talks to (docs/manager.md). See the package {@code dev.herd.manager}.
 */
module dev.herd.manager {
    requires dev.herd.node;
    // /metrics: Prometheus's snapshot model and text format writer (automatic modules).
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.config;

    // The command line starts the daemon and the keeper (their main methods) and finds their files.
    exports dev.herd.manager;
}
