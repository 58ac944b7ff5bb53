package dev.herd.node.worker_threads;

import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.loop.IoWatcher;
import dev.herd.node.internal.Environment;
import dev.herd.node.Herd;
import dev.herd.os.Epoll;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import dev.herd.os.FdLeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workers leave nothing behind: threads, loops (their epoll and eventfd descriptors) and ports,
 * whichever way they end (WorkerLeakCheck and FdLeakCheck check after each test).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith({FdLeakCheck.class, WorkerLeakCheck.class})
class WorkerLeakTest {
    private static final int ROUNDS = 40;

    @Test
    void manyWorkersThatEndByThemselvesLeaveNothing() {
        int[] exits = new int[1];
        int code = Herd.call(new String[0], a -> {
            for (int i = 0; i < ROUNDS; i++) {
                Worker w = new Worker(args -> {
                    MessageChannel c = new MessageChannel(); // a port left open at exit
                    c.port1().on("message", m -> {});
                    c.port1().unref();
                    parentPort().postMessage("hi");
                });
                w.on("exit", () -> exits[0]++);
            }
        });
        assertThat(code).isZero();
        assertThat(exits[0]).isEqualTo(ROUNDS);
    }

    @Test
    void terminatingWorkersAtEveryStageLeavesNothing() {
        List<Integer> codes = new ArrayList<>();
        int code = Herd.call(new String[0], a -> {
            for (int i = 0; i < ROUNDS; i++) {
                Worker w = new Worker(args -> parentPort().on("message", m -> {}));
                w.on("exit", c -> codes.add((Integer) c[0]));
                switch (i % 4) {
                    case 0 -> w.terminate();
                    case 1 -> setImmediate(w::terminate);
                    case 2 -> w.once("online", () -> w.terminate());
                    default -> w.once("online", () -> {
                        w.terminate();
                        w.terminate();
                        w.postMessage("after terminate");
                    });
                }
            }
        });
        assertThat(code).isZero();
        assertThat(codes).hasSize(ROUNDS).allMatch(c -> c == 0 || c == 1);
    }

    @Test
    void workersStillRunningWhenTheParentEndsAreTerminated() throws InterruptedException {
        var before = WorkerLeakCheck.workerThreads();
        List<Thread> started = new ArrayList<>();
        int code = Herd.call(new String[0], a -> {
            for (int i = 0; i < 10; i++) {
                Worker w = new Worker(args -> parentPort().on("message", m -> {}));
                w.unref();
            }
            var now = WorkerLeakCheck.workerThreads();
            now.removeAll(before);
            started.addAll(now);
        });
        assertThat(code).isZero();
        assertThat(started).hasSize(10);
        for (Thread t : started) t.join(WorkerLeakCheck.SETTLE_MILLIS);
        assertThat(started).noneMatch(Thread::isAlive);
    }

    @Test
    void aWorkerWhoseLoopFailsOutsideAnyCallbackReportsTheErrorAndLeavesNothing() throws Exception {
        // A regular file, which epoll_ctl refuses (EPERM) when the worker's loop polls: a failure
        // that comes out of the loop itself, not out of a callback's uncaught-exception path.
        Path file = Files.createTempFile("herd-worker-leak", ".txt");
        Fd regular = Fd.adopt(LibC.check(LibC.open(file.toString(), LibC.O_RDONLY, 0), "open"));
        int fd = regular.intValue();
        List<Object> events = new ArrayList<>();
        int code = Herd.call(new String[0], a -> {
            Worker w = new Worker(args -> {
                parentPort().on("message", m -> {}); // keeps the loop alive until it polls
                new IoWatcher(Environment.current().loop(), fd, ev -> {}).start(Epoll.EPOLLIN);
            });
            w.on("error", e -> events.add(e[0]));
            w.on("exit", c -> events.add(c[0]));
        });
        regular.close();
        Files.delete(file);
        assertThat(code).isZero();
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(ErrnoException.class);
        assertThat(events.get(1)).isEqualTo(1);
    }

    @Test
    void aParentThatExitsWithWorkersMidMessageLeavesNothing() {
        int code = Herd.call(new String[0], a -> {
            Worker w = new Worker(args -> {
                for (int i = 0; i < 100_000; i++) parentPort().postMessage(i);
            });
            w.once("message", m -> dev.herd.node.Globals.process().exit(0));
        });
        assertThat(code).isZero();
    }
}
