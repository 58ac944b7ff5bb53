package dev.herd.loop;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The process-wide pool of threads that runs blocking work for every loop (libuv's threadpool):
 * FIFO, sized once from HERD_THREADPOOL_SIZE, else UV_THREADPOOL_SIZE, else 4 (clamped to
 * 1..1024 as libuv clamps), started lazily on first use. Its threads are daemon platform threads
 * named {@code herd-work-N}.
 *
 * <p>Thread rule: thread-safe. Lifetime: the process's.
 */
public final class WorkPool {
    /** libuv's MAX_THREADPOOL_SIZE. */
    public static final int MAX_SIZE = 1024;
    /** The pool size when neither HERD_THREADPOOL_SIZE nor UV_THREADPOOL_SIZE is set (libuv's default). */
    public static final int DEFAULT_SIZE = 4;

    private static volatile WorkPool shared;

    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<WorkRequest> queue = new ArrayDeque<>();

    private WorkPool(int size) {
        this.size = size;
        for (int i = 0; i < size; i++) {
            Thread t = Thread.ofPlatform().daemon().name("herd-work-" + i).unstarted(this::worker);
            t.start();
        }
    }

    /** {@return the shared pool, started on first call} */
    public static WorkPool shared() {
        WorkPool p = shared;
        if (p == null) {
            synchronized (WorkPool.class) {
                p = shared;
                if (p == null) shared = p = new WorkPool(sizeFromEnv(System.getenv("HERD_THREADPOOL_SIZE"),
                        System.getenv("UV_THREADPOOL_SIZE")));
            }
        }
        return p;
    }

    /**
     * The pool size for these environment values: HERD_THREADPOOL_SIZE wins over
     * UV_THREADPOOL_SIZE; a value that is not a number is ignored; 0 becomes 1 and values over
     * 1024 become 1024, as in libuv.
     */
    static int sizeFromEnv(String herd, String uv) {
        for (String v : new String[] {herd, uv}) {
            if (v == null || v.isBlank()) continue;
            try {
                long n = Long.parseLong(v.trim());
                return (int) Math.max(1, Math.min(MAX_SIZE, n));
            } catch (NumberFormatException ignored) {
                // not a number: try the next variable
            }
        }
        return DEFAULT_SIZE;
    }

    /** {@return the number of pool threads} */
    public int size() {
        return size;
    }

    void submit(WorkRequest req) {
        lock.lock();
        try {
            queue.addLast(req);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    void remove(WorkRequest req) {
        lock.lock();
        try {
            queue.remove(req);
        } finally {
            lock.unlock();
        }
    }

    private void worker() {
        for (;;) {
            WorkRequest req;
            lock.lock();
            try {
                while (queue.isEmpty()) notEmpty.awaitUninterruptibly();
                req = queue.pollFirst();
            } finally {
                lock.unlock();
            }
            req.runOnPool();
        }
    }
}
