/**
 * The {@code herd} command line ({@link dev.herd.cli.Main}, with picocli) that the {@code ./herd}
 * launcher runs: {@code herd example}, {@code herd version}; and {@link dev.herd.cli.AotTraining},
 * the training run from which the launcher makes its JVM AOT caches.
 */
package dev.herd.cli;
