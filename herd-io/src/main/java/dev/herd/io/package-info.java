/**
 * Herd's io layer: handles over file descriptors, built on the loop's {@link dev.herd.loop.IoWatcher}
 * (libuv's {@code src/unix/stream.c}, {@code tcp.c}, {@code pipe.c}, {@code udp.c}).
 *
 * <p>{@link dev.herd.io.Stream} is the shared stream machinery (reads with a per-wakeup budget,
 * queued writes with backpressure, shutdown, listen/accept with the EMFILE trick, exactly-once
 * requests); {@link dev.herd.io.Tcp} and {@link dev.herd.io.Pipe} add how their sockets are made,
 * bound and connected. {@link dev.herd.io.FsEvent} watches files and directory trees through the
 * loop's one inotify descriptor (libuv's {@code src/unix/linux.c} fs events). Everything here runs on its loop's thread; every request callback runs
 * exactly once and never inside the call that made the request.
 */
package dev.herd.io;
