/**
 * Herd's node layer, the globals of a Node program: {@link dev.herd.node.Herd#run} runs a program
 * the way Node runs a script (a loop on the calling thread, then 'beforeExit', 'exit' and the exit
 * code), {@link dev.herd.node.Globals} holds {@code process}, the timers, immediates and
 * {@code queueMicrotask}, {@link dev.herd.node.NodeProcess} is Node's {@code process} object and
 * {@link dev.herd.node.EventEmitter} its {@code events} module. Node's modules are the
 * subpackages: {@code net}, {@code dgram}, {@code http}, {@code child_process}, {@code cluster},
 * {@code worker_threads}, and the value model of messages ({@code value}, {@code json},
 * {@code v8}). {@link dev.herd.node.SendOptions}, {@link dev.herd.node.SendCallback} and
 * {@link dev.herd.node.IpcChannel} are the IPC channel's, as the process object, a
 * {@code ChildProcess} and a cluster {@code Worker} show it. The implementation's internals live
 * in {@code dev.herd.node.internal} and its subpackages, which the module does not export.
 *
 * <p>Everything runs on the thread of the program's loop unless its Javadoc says otherwise.
 */
package dev.herd.node;
