/**
 * The readable-stream core shared by {@code net.Socket} and {@code http.IncomingMessage}
 * ({@link dev.herd.node.internal.stream.ReadableState}: flowing and paused, the buffer and its
 * high-water mark, 'data' and 'end'), Node's encoding table
 * ({@link dev.herd.node.internal.stream.Encoding}, also child_process's) and its incremental
 * decoder ({@link dev.herd.node.internal.stream.StringDecoder}). Not exported.
 */
package dev.herd.node.internal.stream;
