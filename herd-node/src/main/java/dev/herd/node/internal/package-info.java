/**
 * The Node layer's internals, not exported by the module: {@link
 * dev.herd.node.internal.Environment} (one Node environment as herd-node's packages see it) and
 * the interfaces through which the process object reaches its IPC channel. The subpackages hold
 * the IPC channel ({@code ipc}), the readable-stream core and Node's encodings ({@code stream}), cluster's implementation ({@code cluster}, exported to the process
 * manager alone), what net and dgram need below cluster ({@code net}), the HTTP warm-up
 * ({@code http}), the manager's internal API ({@code manager}) and the start-up
 * ({@code bootstrap}). docs/ARCHITECTURE.md, "Packages of the Node layer", draws the map.
 */
package dev.herd.node.internal;
