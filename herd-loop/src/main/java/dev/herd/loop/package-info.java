/**
 * Herd's loop layer: libuv's event loop in Java. {@link dev.herd.loop.Loop#run} is {@code uv_run},
 * phase by phase (timers, pending callbacks, idle, prepare, poll over epoll, check, closing
 * handles), as docs/ARCHITECTURE.md describes in the same order.
 *
 * <p>The handles are libuv's: {@link dev.herd.loop.Timer}, {@link dev.herd.loop.Idle}, {@link
 * dev.herd.loop.Prepare}, {@link dev.herd.loop.Check}, {@link dev.herd.loop.Async} (a cross-thread
 * wakeup), {@link dev.herd.loop.Signal}, and {@link dev.herd.loop.IoWatcher}, on which the io layer
 * builds its handles; {@link dev.herd.loop.WorkPool} runs blocking work off the loop thread and
 * completes it on the loop. A loop and its handles belong to one platform thread; only {@link
 * dev.herd.loop.Loop#execute}, {@link dev.herd.loop.Async#send} and the work pool cross threads
 * (docs/CONCURRENCY.md).
 */
package dev.herd.loop;
