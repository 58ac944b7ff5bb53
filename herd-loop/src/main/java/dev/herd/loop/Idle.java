package dev.herd.loop;

/**
 * A handle whose callback runs once per loop iteration, before prepare, every iteration; while any idle handle is active the loop polls without blocking (libuv's {@code uv_idle_t}).
 *
 * <p>Thread rule: loop thread only. Lifetime: as {@link Handle}.
 */
public final class Idle extends HandleQueue.QueuedHandle {
    /**
     * A stopped idle handle of {@code loop}.
     *
     * @param loop the loop it belongs to
     */
    public Idle(Loop loop) {
        super(loop);
    }

    @Override
    HandleQueue list() {
        return loop.idleHandles;
    }
}
