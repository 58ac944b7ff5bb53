/**
 * {@code ./herd bench}: the benchmark runner ({@link dev.herd.bench.Runner}), which runs each
 * scenario's Herd program and Node program alternately and prints medians and the Herd/Node ratio,
 * and its measuring tools (wrk load, resident memory, churn). See docs/benchmarks.md.
 */
package dev.herd.bench;
