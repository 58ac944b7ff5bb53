package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.FdLeakCheck;
import dev.herd.os.Signals;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A loop belongs to the platform thread that made it: loop-only calls from any other thread fail
 * with an IllegalStateException naming both threads (Netty's inEventLoop assertions).
 */
class ThreadRuleTest extends LoopTestBase {

    /** A loop-thread-only call, made on the handles a test sets up. */
    interface Call {
        void on(Fixture f) throws Exception;
    }

    /** One of every handle, made on the loop thread. */
    static final class Fixture {
        final Loop loop;
        final Timer timer;
        final Idle idle;
        final Check check;
        final Async async;
        final Signal signal;
        final WorkRequest work;

        Fixture(Loop loop) {
            this.loop = loop;
            timer = new Timer(loop);
            timer.start(() -> {}, 60_000, 0);
            idle = new Idle(loop);
            check = new Check(loop);
            async = new Async(loop, () -> {});
            signal = new Signal(loop);
            work = loop.queueWork(() -> {}, e -> {});
        }

        void close() {
            closeAll(timer, idle, check, async, signal);
        }
    }

    static Stream<Named<Call>> loopOnlyCalls() {
        return Stream.of(
                Named.of("Loop.run", f -> f.loop.run(RunMode.NOWAIT)),
                Named.of("Loop.stop", f -> f.loop.stop()),
                Named.of("Loop.close", f -> f.loop.close()),
                Named.of("Loop.queuePending", f -> f.loop.queuePending(() -> {})),
                Named.of("Loop.queueWork", f -> f.loop.queueWork(() -> {}, e -> {})),
                Named.of("Loop.walk", f -> f.loop.walk(h -> {})),
                Named.of("Loop.setExceptionHandler", f -> f.loop.setExceptionHandler(e -> {})),
                Named.of("Loop.requestStarted", f -> f.loop.requestStarted()),
                Named.of("new Timer", f -> new Timer(f.loop)),
                Named.of("new Async", f -> new Async(f.loop, () -> {})),
                Named.of("Timer.start", f -> f.timer.start(() -> {}, 1, 0)),
                Named.of("Timer.stop", f -> f.timer.stop()),
                Named.of("Timer.again", f -> f.timer.again()),
                Named.of("Timer.setRepeat", f -> f.timer.setRepeat(5)),
                Named.of("Idle.start", f -> f.idle.start(() -> {})),
                Named.of("Check.stop", f -> f.check.stop()),
                Named.of("Signal.start", f -> f.signal.start(s -> {}, Signals.SIGWINCH)),
                Named.of("Handle.ref", f -> f.timer.ref()),
                Named.of("Handle.unref", f -> f.timer.unref()),
                Named.of("Handle.close", f -> f.async.close()),
                Named.of("WorkRequest.cancel", f -> f.work.cancel()),
                Named.of("new IoWatcher", f -> new IoWatcher(f.loop, 0, ev -> {})));
    }

    @ParameterizedTest
    @MethodSource("loopOnlyCalls")
    void loopOnlyCallFromAnotherThreadThrowsNamingBothThreads(Call call) throws InterruptedException {
        Fixture f = new Fixture(loop);
        int openBefore = loop.openHandles();
        int activeBefore = loop.activeHandles();

        Throwable thrown = thrownOnAnotherThread(() -> call.on(f));

        assertThat(thrown).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("loop-thread-only")
                .hasMessageContaining("'intruder'")
                .hasMessageContaining("'" + Thread.currentThread().getName() + "'");
        assertThat(loop.openHandles()).as("nothing was made").isEqualTo(openBefore);
        assertThat(loop.activeHandles()).as("nothing changed").isEqualTo(activeBefore);
        assertThat(loop.isClosed()).isFalse();
        f.close();
        armWatchdog();
        runGuarded();
    }

    @Test
    void loopCannotBeMadeOnAVirtualThread() throws InterruptedException {
        int fdsBefore = FdLeakCheck.count();
        AtomicReference<Throwable> thrown = new AtomicReference<>();

        Thread.ofVirtual().start(() -> {
            try {
                new Loop().close();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }).join();

        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("virtual thread");
        assertThat(FdLeakCheck.count()).isEqualTo(fdsBefore);
    }

    @Test
    void loopBelongsToThePlatformThreadThatMadeIt() throws InterruptedException {
        AtomicReference<Loop> made = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        Thread maker = Thread.ofPlatform().name("maker").start(() -> {
            try (Loop own = new Loop()) {
                made.set(own);
                ready.countDown();
                checked.await(DEADLINE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(ready.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
        Loop other = made.get();
        try {
            assertThat(other.thread()).isSameAs(maker);
            assertThat(other.inLoopThread()).isFalse();
            assertThat(loop.thread()).isSameAs(Thread.currentThread());
            assertThat(loop.inLoopThread()).isTrue();
            assertThatThrownBy(other::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'maker'");
        } finally {
            checked.countDown();
            maker.join(DEADLINE_MS);
        }
        assertThat(other.isClosed()).as("closed by its own thread").isTrue();
    }

    @Test
    void executeAndSendAreSafeFromAnyThread() throws InterruptedException {
        int[] ran = {0};
        Async[] async = {null};
        async[0] = new Async(loop, () -> {
            ran[0]++;
            async[0].close();
        });

        onAnotherThread(() -> {
            loop.execute(() -> ran[0]++);
            async[0].send();
        });
        armWatchdog();
        runGuarded();

        assertThat(ran[0]).isEqualTo(2);
    }
}
