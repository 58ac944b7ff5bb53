/**
 * The bundled examples that {@code ./herd example NAME} runs: Node's examples (the cluster page's,
 * the echo and hello-world servers, worker_threads, fork) written against Herd. Each class is a
 * program with its own {@code main}, and its Javadoc says how to run it.
 */
package dev.herd.examples;
