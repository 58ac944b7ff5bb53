package dev.herd.node.worker_threads;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves worker threads behind: after each test, every
 * {@code herd-worker-*} thread that was not alive before must end within {@link #SETTLE_MILLIS}
 * (a worker's thread finishes just after its parent sees 'exit', or after the parent's environment
 * ended and terminated it).
 *
 * <p>Only meaningful when tests run one at a time (JUnit's default).
 */
public final class WorkerLeakCheck implements BeforeEachCallback, AfterEachCallback {
    static final long SETTLE_MILLIS = 5_000;
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(WorkerLeakCheck.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", workerThreads());
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Set<Thread> before = (Set<Thread>) context.getStore(NS).get("before", Set.class);
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
        Set<Thread> left;
        while (!(left = newWorkers(before)).isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        if (!left.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + ": worker threads still alive: "
                    + left.stream().map(Thread::getName).collect(Collectors.joining(", ")));
        }
    }

    private static Set<Thread> newWorkers(Set<Thread> before) {
        Set<Thread> now = workerThreads();
        now.removeAll(before);
        return now;
    }

    /** The live worker threads of this JVM. */
    static Set<Thread> workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("herd-worker-"))
                .collect(Collectors.toSet());
    }
}
