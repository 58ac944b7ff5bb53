/**
 * Node's IPC channel between a parent and a forked child: {@link
 * dev.herd.node.internal.ipc.Channel} sends and receives messages, and handles (sockets, servers)
 * with them, over a Unix socket pair, in either of Node's serializations ({@link
 * dev.herd.node.internal.ipc.Serialization}: JSON lines or V8's 'advanced' framing), byte for byte
 * as Node 20 does, so either end may be a Node process. Used by {@code child_process} (fork,
 * {@code process.send}) and {@code cluster}; see docs/child_process.md. Not exported: programs see
 * the channel through {@code send}, the 'message' events and {@code IpcChannel}.
 */
package dev.herd.node.internal.ipc;
