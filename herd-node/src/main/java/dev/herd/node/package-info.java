/**
 * Herd's node layer, the globals of a Node program: {@link dev.herd.node.Herd#run} runs a program
 * the way Node runs a script (a loop on the calling thread, then 'beforeExit', 'exit' and the exit
 * code), {@link dev.herd.node.Globals} holds {@code process}, the timers, immediates and
 * {@code queueMicrotask}, {@link dev.herd.node.NodeProcess} is Node's {@code process} object and
 * {@link dev.herd.node.EventEmitter} its {@code events} module. Node's modules are the
 * subpackages: {@code net}, {@code dgram}, {@code http}, {@code child_process}, {@code cluster},
 * {@code worker_threads}, with the IPC channel ({@code ipc}) and the value model of messages
 * ({@code value}, {@code json}, {@code v8}).
 *
 * <p>Everything runs on the thread of the program's loop unless its Javadoc says otherwise.
 */
package dev.herd.node;
