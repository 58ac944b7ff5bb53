/**
 * {@code ./herd bench}: the benchmark runner and its scenarios, each a Herd program run side by
 * side with the same program written for Node. See the package {@link dev.herd.bench}.
 */
module dev.herd.bench {
    requires dev.herd.cli;
    requires dev.herd.node;
    // Runner passes its own AOT flags on (RuntimeMXBean.getInputArguments).
    requires java.management;

    // The runner starts each scenario's main by class name, in a JVM of its own.
    exports dev.herd.bench;
    exports dev.herd.bench.scenarios;
}
