/**
 * The HTTP warm-up of a starting cluster worker ({@link dev.herd.node.internal.http.HttpWarmup}),
 * which the start-up begins and {@code http}'s servers wait for. Not exported.
 */
package dev.herd.node.internal.http;
