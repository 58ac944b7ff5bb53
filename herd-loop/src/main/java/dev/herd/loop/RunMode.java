package dev.herd.loop;

/** How {@link Loop#run(RunMode)} runs: libuv's {@code uv_run_mode}. */
public enum RunMode {
    /** Run until the loop is no longer alive or {@link Loop#stop()} is called. */
    DEFAULT,
    /** Run one iteration, blocking in poll for I/O if there are no pending callbacks. */
    ONCE,
    /** Run one iteration without blocking. */
    NOWAIT
}
