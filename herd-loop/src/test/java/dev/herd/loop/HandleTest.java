package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import dev.herd.os.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Handle lifetimes and libuv's close semantics, and uv_loop_close (test-loop-close.c). */
class HandleTest extends LoopTestBase {

    /** Every handle type of the loop layer, made and started the simplest way. */
    enum Kind {
        TIMER(Timer::new, h -> ((Timer) h).start(() -> {}, 60_000, 0)),
        IDLE(Idle::new, h -> ((Idle) h).start(() -> {})),
        PREPARE(Prepare::new, h -> ((Prepare) h).start(() -> {})),
        CHECK(Check::new, h -> ((Check) h).start(() -> {})),
        ASYNC(l -> new Async(l, () -> {}), h -> {}),
        SIGNAL(Signal::new, h -> ((Signal) h).start(s -> {}, Signals.SIGWINCH));

        final Function<Loop, Handle> make;
        final Consumer<Handle> start;

        Kind(Function<Loop, Handle> make, Consumer<Handle> start) {
            this.make = make;
            this.start = start;
        }

        Handle started(Loop loop) {
            Handle h = make.apply(loop);
            start.accept(h);
            return h;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeTwiceIsANoOpAndOnlyTheFirstCallbackRuns(Kind kind) {
        Handle h = kind.started(loop);
        List<String> log = new ArrayList<>();

        h.close(() -> log.add("first"));
        h.close(() -> log.add("second"));
        h.close();
        loop.run();
        h.close(() -> log.add("after closed"));
        loop.run();

        assertThat(log).containsExactly("first");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeCallbackRunsInTheClosingPhaseNotDuringClose(Kind kind) {
        Handle h = kind.started(loop);
        List<String> log = new ArrayList<>();
        Check check = new Check(loop);
        check.start(() -> log.add("check"));
        check.unref();

        h.close(() -> log.add("close"));
        assertThat(log).isEmpty();
        assertThat(h.isClosing()).isTrue();
        assertThat(h.isClosed()).isFalse();

        loop.run();

        assertThat(log).containsExactly("check", "close");
        assertThat(h.isClosed()).isTrue();
        check.close();
        loop.run();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeStopsAnActiveHandleAtOnce(Kind kind) {
        Handle h = kind.started(loop);
        assertThat(h.isActive()).isTrue();
        assertThat(loop.activeHandles()).isEqualTo(1);

        h.close();

        assertThat(h.isActive()).isFalse();
        assertThat(loop.activeHandles()).isZero();
        loop.run();
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"TIMER", "IDLE", "PREPARE", "CHECK", "SIGNAL"})
    void closedHandleCannotBeStarted(Kind kind) {
        Handle h = kind.make.apply(loop);
        h.close();

        assertThatThrownBy(() -> kind.start.accept(h)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(h.isActive()).isFalse();

        loop.run();
        assertThatThrownBy(() -> kind.start.accept(h)).as("still refused once fully closed")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeCallbackRunsForAHandleThatWasNeverStarted() {
        Timer t = new Timer(loop);
        int[] calls = {0};

        t.close(() -> calls[0]++);
        loop.run();

        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void closeInsideItsOwnCallbackStopsAnIdleHandle() {
        Idle idle = new Idle(loop);
        int[] calls = {0};
        idle.start(() -> {
            calls[0]++;
            idle.close();
        });

        assertThat(loop.run()).isFalse();

        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void handleKnowsItsLoop() {
        Timer t = new Timer(loop);

        assertThat(t.loop()).isSameAs(loop);

        t.close();
        loop.run();
    }

    // ---------------------------------------------------------------- Loop.close

    @Test
    void loopCloseWithAnOpenHandleThrowsEBUSYAndSucceedsOnceItIsClosed() {
        // libuv's loop_close
        Timer t = new Timer(loop);
        int[] calls = {0};
        t.start(() -> {
            calls[0]++;
            t.close();
        }, 1, 1);

        assertThatThrownBy(loop::close).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("EBUSY"));
        assertThat(loop.isClosed()).isFalse();

        loop.run();
        loop.close();

        assertThat(loop.isClosed()).isTrue();
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void loopCloseWithAnInactiveOpenHandleThrowsEBUSY() {
        Idle idle = new Idle(loop);

        assertThatThrownBy(loop::close).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("EBUSY"));

        idle.close();
        loop.run();
    }

    @Test
    void loopCloseWhileACloseCallbackIsStillPendingThrowsEBUSY() {
        Timer t = new Timer(loop);
        t.close();

        assertThatThrownBy(loop::close).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("EBUSY"));

        loop.run();
        loop.close();
    }

    @Test
    void loopCloseInsideACallbackIsRefused() {
        Timer t = new Timer(loop);
        Throwable[] thrown = {null};
        t.start(() -> {
            t.close();
            try {
                loop.close();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, 0, 0);

        loop.run();

        assertThat(thrown[0]).isInstanceOf(IllegalStateException.class).hasMessageContaining("running");
        assertThat(loop.isClosed()).isFalse();
    }

    @Test
    void loopCloseIsIdempotent() {
        loop.close();
        loop.close();

        assertThat(loop.isClosed()).isTrue();
    }

    @Test
    void loopCloseReleasesItsDescriptors() {
        int before = FdLeakCheck.count();
        Loop other = new Loop();
        assertThat(FdLeakCheck.count()).isGreaterThan(before);

        other.close();

        assertThat(FdLeakCheck.count()).isEqualTo(before);
    }
}
