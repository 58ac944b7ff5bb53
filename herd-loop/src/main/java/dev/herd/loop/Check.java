package dev.herd.loop;

/**
 * A handle whose callback runs once per loop iteration, right after the loop polls for I/O (libuv's {@code uv_check_t}).
 *
 * <p>Thread rule: loop thread only. Lifetime: as {@link Handle}.
 */
public final class Check extends HandleQueue.QueuedHandle {
    /**
     * A stopped check handle of {@code loop}.
     *
     * @param loop the loop it belongs to
     */
    public Check(Loop loop) {
        super(loop);
    }

    @Override
    HandleQueue list() {
        return loop.checkHandles;
    }
}
