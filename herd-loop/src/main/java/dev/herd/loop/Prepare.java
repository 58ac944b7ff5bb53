package dev.herd.loop;

/**
 * A handle whose callback runs once per loop iteration, right before the loop polls for I/O (libuv's {@code uv_prepare_t}).
 *
 * <p>Thread rule: loop thread only. Lifetime: as {@link Handle}.
 */
public final class Prepare extends HandleQueue.QueuedHandle {
    /**
     * A stopped prepare handle of {@code loop}.
     *
     * @param loop the loop it belongs to
     */
    public Prepare(Loop loop) {
        super(loop);
    }

    @Override
    HandleQueue list() {
        return loop.prepareHandles;
    }
}
