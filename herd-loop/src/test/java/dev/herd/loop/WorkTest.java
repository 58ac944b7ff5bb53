package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.ErrnoException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Loop.queueWork and the WorkPool: libuv's test-threadpool.c, test-threadpool-cancel.c and the
 * second half of test-loop-alive.c.
 */
class WorkTest extends LoopTestBase {

    /** Occupies every pool thread with a job that blocks until {@link #release()}. */
    private final class Saturation {
        final int size = WorkPool.shared().size();
        final CountDownLatch started = new CountDownLatch(size);
        final CountDownLatch release = new CountDownLatch(1);
        int done;

        Saturation() throws InterruptedException {
            for (int i = 0; i < size; i++) {
                loop.queueWork(() -> {
                    started.countDown();
                    try {
                        release.await(DEADLINE_MS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, error -> {
                    assertThat(error).isNull();
                    done++;
                });
            }
            assertThat(started.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).as("every pool thread is busy").isTrue();
        }

        void release() {
            release.countDown();
        }
    }

    @Test
    void workRunsOnAPoolThreadAndDoneOnTheLoopThread() {
        AtomicReference<Thread> workThread = new AtomicReference<>();
        Thread[] doneThread = {null};
        Throwable[] error = {new AssertionError("done not called")};
        loop.queueWork(() -> workThread.set(Thread.currentThread()), e -> {
            doneThread[0] = Thread.currentThread();
            error[0] = e;
        });
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        assertThat(workThread.get().getName()).startsWith("herd-work-");
        assertThat(workThread.get().isVirtual()).isFalse();
        assertThat(doneThread[0]).isSameAs(Thread.currentThread());
        assertThat(error[0]).isNull();
    }

    @Test
    void workRequestKeepsTheLoopAliveUntilDoneRuns() {
        // libuv's loop_alive, second half
        int[] done = {0};
        loop.queueWork(() -> {}, e -> done[0]++);

        assertThat(loop.isAlive()).isTrue();
        assertThat(loop.activeRequests()).isEqualTo(1);
        armWatchdog();
        assertThat(runGuarded()).isFalse();

        assertThat(done[0]).isEqualTo(1);
        assertThat(loop.isAlive()).isFalse();
        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void doneRunsInThePollPhase() {
        List<String> log = new ArrayList<>();
        Prepare prepare = new Prepare(loop);
        Check check = new Check(loop);
        prepare.start(() -> log.add("prepare"));
        check.start(() -> log.add("check"));
        prepare.unref();
        check.unref();
        loop.queueWork(() -> {}, e -> log.add("done"));
        armWatchdog();

        runGuarded();

        assertThat(log).containsExactly("prepare", "done", "check");
        closeAll(prepare, check);
        loop.run();
    }

    @Test
    void doneGetsTheExceptionTheWorkThrew() {
        IllegalStateException boom = new IllegalStateException("boom");
        Throwable[] error = {null};
        loop.queueWork(() -> {
            throw boom;
        }, e -> error[0] = e);
        armWatchdog();

        runGuarded();

        assertThat(error[0]).isSameAs(boom);
    }

    @Test
    void workCanceledBeforeItStartedCompletesWithECANCELEDAndNeverRuns() throws InterruptedException {
        // libuv's threadpool_cancel_single
        Saturation saturation = new Saturation();
        AtomicBoolean workRan = new AtomicBoolean();
        List<Throwable> errors = new ArrayList<>();
        WorkRequest req = loop.queueWork(() -> workRan.set(true), errors::add);

        assertThat(req.cancel()).isTrue();
        assertThat(req.isCanceled()).isTrue();
        assertThat(errors).as("done does not run inside cancel()").isEmpty();
        saturation.release();
        armWatchdog();
        assertThat(runGuarded()).isFalse();

        assertThat(errors).singleElement().isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("ECANCELED"));
        assertThat(workRan).isFalse();
        assertThat(saturation.done).isEqualTo(saturation.size);
    }

    @Test
    void manyQueuedRequestsCanAllBeCanceled() throws InterruptedException {
        // libuv's threadpool_cancel_work
        Saturation saturation = new Saturation();
        AtomicInteger workRan = new AtomicInteger();
        List<String> codes = new ArrayList<>();
        List<WorkRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reqs.add(loop.queueWork(workRan::incrementAndGet,
                    e -> codes.add(e instanceof ErrnoException x ? x.code() : String.valueOf(e))));
        }

        for (WorkRequest r : reqs) assertThat(r.cancel()).isTrue();
        saturation.release();
        armWatchdog();
        runGuarded();

        assertThat(codes).hasSize(16).containsOnly("ECANCELED");
        assertThat(workRan.get()).isZero();
    }

    @Test
    void cancelOfRunningWorkReturnsFalseAndTheWorkCompletes() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Throwable[] error = {new AssertionError("done not called")};
        WorkRequest req = loop.queueWork(() -> {
            started.countDown();
            try {
                release.await(DEADLINE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, e -> error[0] = e);
        assertThat(started.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();

        assertThat(req.cancel()).isFalse();
        assertThat(req.isCanceled()).isFalse();

        release.countDown();
        armWatchdog();
        runGuarded();
        assertThat(error[0]).isNull();
    }

    @Test
    void cancelAfterDoneReturnsFalse() {
        WorkRequest[] req = {null};
        int[] done = {0};
        req[0] = loop.queueWork(() -> {}, e -> done[0]++);
        armWatchdog();
        runGuarded();

        assertThat(req[0].cancel()).isFalse();

        assertThat(done[0]).isEqualTo(1);
        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void manyRequestsEachCompleteExactlyOnce() {
        int n = 200;
        AtomicInteger workRuns = new AtomicInteger();
        int[] doneCalls = new int[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            loop.queueWork(workRuns::incrementAndGet, e -> {
                assertThat(e).isNull();
                doneCalls[id]++;
            });
        }
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        assertThat(workRuns.get()).isEqualTo(n);
        assertThat(doneCalls).containsOnly(1);
    }

    @Test
    void loopCloseWithActiveWorkThrowsEBUSY() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        loop.queueWork(() -> {
            try {
                release.await(DEADLINE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, e -> {});

        assertThatThrownBy(loop::close).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("EBUSY"));

        release.countDown();
        armWatchdog();
        runGuarded();
    }

    @Test
    void queueWorkRefusesNullCallbacks() {
        assertThatThrownBy(() -> loop.queueWork(null, e -> {})).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.queueWork(() -> {}, null)).isInstanceOf(NullPointerException.class);

        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void requestDoneWithoutAnActiveRequestIsRefused() {
        assertThatThrownBy(loop::requestDone).isInstanceOf(IllegalStateException.class);
    }

    // ---------------------------------------------------------------- pool size

    @Test
    void poolSizeDefaultsToFour() {
        assertThat(WorkPool.sizeFromEnv(null, null)).isEqualTo(4).isEqualTo(WorkPool.DEFAULT_SIZE);
    }

    @Test
    void herdThreadpoolSizeWinsOverUvThreadpoolSize() {
        assertThat(WorkPool.sizeFromEnv("7", "9")).isEqualTo(7);
    }

    @Test
    void uvThreadpoolSizeIsUsedWhenHerdsIsUnset() {
        assertThat(WorkPool.sizeFromEnv(null, "9")).isEqualTo(9);
        assertThat(WorkPool.sizeFromEnv(" ", " 9 ")).isEqualTo(9);
    }

    @Test
    void zeroThreadsBecomesOne() {
        assertThat(WorkPool.sizeFromEnv("0", null)).isEqualTo(1);
        assertThat(WorkPool.sizeFromEnv(null, "0")).isEqualTo(1);
    }

    @Test
    void moreThan1024ThreadsBecomes1024() {
        assertThat(WorkPool.sizeFromEnv("1025", null)).isEqualTo(1024).isEqualTo(WorkPool.MAX_SIZE);
        assertThat(WorkPool.sizeFromEnv(null, "99999999999999")).isEqualTo(1024);
    }

    @Test
    void valueThatIsNotANumberIsIgnored() {
        assertThat(WorkPool.sizeFromEnv("lots", "6")).isEqualTo(6);
        assertThat(WorkPool.sizeFromEnv("lots", null)).isEqualTo(4);
        assertThat(WorkPool.sizeFromEnv("", "")).isEqualTo(4);
    }

    @Test
    void sharedPoolHasTheSizeTheEnvironmentAsksFor() {
        int expected = WorkPool.sizeFromEnv(System.getenv("HERD_THREADPOOL_SIZE"), System.getenv("UV_THREADPOOL_SIZE"));

        assertThat(WorkPool.shared().size()).isEqualTo(expected);
        assertThat(WorkPool.shared()).isSameAs(WorkPool.shared());
    }
}
