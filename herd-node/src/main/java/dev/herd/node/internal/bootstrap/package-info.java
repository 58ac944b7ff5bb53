/**
 * A process's start-up: the one place that wires herd-node's higher packages (the IPC channel,
 * cluster, the HTTP warm-up) into a starting program, called by {@code Herd}. Not exported.
 */
package dev.herd.node.internal.bootstrap;
