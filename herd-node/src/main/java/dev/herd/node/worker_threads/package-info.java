/**
 * Node's {@code worker_threads} module: {@link dev.herd.node.worker_threads.Worker} runs a Herd
 * environment — its own {@link dev.herd.loop.Loop}, timers, ticks and {@code process} — on its own
 * platform thread of this JVM; {@link dev.herd.node.worker_threads.MessageChannel} and
 * {@link dev.herd.node.worker_threads.MessagePort} carry structured clones between them (ports
 * themselves move through transfer lists), {@link dev.herd.node.worker_threads.BroadcastChannel}
 * fans out by name, and {@link dev.herd.node.worker_threads.SharedArrayBuffer} with
 * {@link dev.herd.node.worker_threads.Atomics} is the memory they share on purpose. The module's
 * functions ({@code isMainThread}, {@code parentPort}, {@code workerData}, ...) are in
 * {@link dev.herd.node.worker_threads.WorkerThreads}.
 *
 * <p>As Node's {@code lib/internal/worker.js} and {@code lib/internal/worker/io.js} map it:
 * {@code Worker} is the parent's object and {@code WorkerContext} what the worker thread runs;
 * every channel end is a {@code PortState} (an inbox that any thread appends to and one loop
 * drains, and the link to its peer), which is what moves when a port is transferred; a
 * message is an {@code Envelope}. Cross-thread delivery is {@link dev.herd.loop.Loop#execute},
 * one wakeup per batch of messages. docs/worker_threads.md has the design and the figures.
 */
package dev.herd.node.worker_threads;
