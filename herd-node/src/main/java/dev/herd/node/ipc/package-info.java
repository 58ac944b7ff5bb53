/**
 * Node's IPC channel between a parent and a forked child: {@link dev.herd.node.ipc.Channel} sends
 * and receives messages, and handles (sockets, servers) with them, over a Unix socket pair, in
 * either of Node's serializations ({@link dev.herd.node.ipc.Serialization}: JSON lines or V8's
 * 'advanced' framing), byte for byte as Node 20 does, so either end may be a Node process. Used by
 * {@code child_process} (fork, {@code process.send}) and {@code cluster}; see
 * docs/child_process.md.
 */
package dev.herd.node.ipc;
