/**
 * Node's {@code child_process} module. The package keeps Node's module name, underscore
 * included, as {@code net}, {@code dgram} and {@code http} keep theirs, so that Node's
 * {@code lib/child_process.js} and {@code lib/internal/child_process.js} are a map of it:
 * {@link dev.herd.node.child_process.ChildProcesses} holds the module's functions (spawn, exec,
 * execFile and their sync variants), {@link dev.herd.node.child_process.ChildProcess} is Node's
 * class of the same name, {@link dev.herd.node.child_process.SpawnOptions} the options object.
 * Underneath, a child is an io-layer {@link dev.herd.io.Process} and its stdio pipes are
 * {@link dev.herd.io.Pipe}s wrapped in {@link dev.herd.node.net.Socket}s, as in Node.
 */
package dev.herd.node.child_process;
