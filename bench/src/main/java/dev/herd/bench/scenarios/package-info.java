/**
 * The Herd side of each benchmark scenario: one program per scenario, with the same arguments and
 * output lines as its Node twin under {@code bench/node/}.
 */
package dev.herd.bench.scenarios;
