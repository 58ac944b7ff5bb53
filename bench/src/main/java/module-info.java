/**
 * {@code ./herd bench}: the benchmark runner and its scenarios, each a Herd program run side by
 * side with the same program written for Node. See the package {@link dev.herd.bench}.
 */
module dev.herd.bench {
    requires dev.herd.cli;
    // manager-observe reads the dashboard's endpoint as a scraper and a page would.
    requires java.net.http;
    requires dev.herd.node;
    // Runner passes its own AOT flags on (RuntimeMXBean.getInputArguments).
    requires java.management;

    // The runner starts each scenario's main by class name, in a JVM of its own.
    exports dev.herd.bench;
    exports dev.herd.bench.scenarios;
}
