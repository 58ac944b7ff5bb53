package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.loop.HandleTest.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ref/unref/hasRef: libuv's test-ref.c. */
class RefTest extends LoopTestBase {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void handlesAreReferencedWhenMade(Kind kind) {
        Handle h = kind.make.apply(loop);

        assertThat(h.hasRef()).isTrue();

        h.close();
        loop.run();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void unrefAndRefToggleHasRef(Kind kind) {
        // libuv's has_ref
        Handle h = kind.make.apply(loop);

        h.unref();
        assertThat(h.hasRef()).isFalse();
        h.ref();
        assertThat(h.hasRef()).isTrue();

        h.close();
        loop.run();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void unreferencedActiveHandleDoesNotKeepTheLoopAlive(Kind kind) {
        // libuv's idle_ref, async_ref, prepare_ref, check_ref, timer_ref, signal: run returns at once
        Handle h = kind.started(loop);
        h.unref();

        assertThat(loop.isAlive()).isFalse();
        assertThat(loop.run()).isFalse();

        assertThat(h.isActive()).as("unref does not stop the handle").isTrue();
        h.close();
        loop.run();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refAfterUnrefKeepsTheLoopAliveAgain(Kind kind) {
        Handle h = kind.started(loop);
        h.unref();
        h.ref();

        assertThat(loop.isAlive()).isTrue();
        assertThat(loop.activeHandles()).isEqualTo(1);

        h.close();
        loop.run();
    }

    @Test
    void refAndUnrefAreIdempotent() {
        Timer t = new Timer(loop);
        t.start(() -> {}, 1000, 0);

        t.unref();
        t.unref();
        assertThat(loop.activeHandles()).isZero();
        t.ref();
        t.ref();
        assertThat(loop.activeHandles()).isEqualTo(1);

        t.close();
        assertThat(loop.activeHandles()).isZero();
        loop.run();
    }

    @Test
    void unreferencedRepeatingTimerNeverRuns() {
        // libuv's timer_ref2
        Timer t = new Timer(loop);
        t.start(() -> {
            throw new AssertionError("unreferenced timer ran");
        }, 42, 42);
        t.unref();

        assertThat(loop.run()).isFalse();

        t.close();
        loop.run();
    }

    @Test
    void unrefInsideAPrepareCallbackLetsTheLoopEnd() {
        // libuv's unref_in_prepare_cb
        Prepare prepare = new Prepare(loop);
        int[] calls = {0};
        prepare.start(() -> {
            calls[0]++;
            prepare.unref();
        });

        assertThat(loop.run()).isFalse();

        assertThat(calls[0]).isEqualTo(1);
        prepare.close();
        loop.run();
    }

    @Test
    void unreferencedTimerStillFiresWhileAnotherHandleKeepsTheLoopAlive() {
        Timer unrefd = new Timer(loop);
        Timer keeper = new Timer(loop);
        int[] calls = {0};
        unrefd.start(() -> calls[0]++, 1, 0);
        unrefd.unref();
        keeper.start(() -> {}, 20, 0);

        loop.run();

        assertThat(calls[0]).isEqualTo(1);
        closeAll(unrefd, keeper);
        loop.run();
    }

    @Test
    void unrefStaysInForceAcrossStopAndStart() {
        Timer t = new Timer(loop);
        t.unref();
        t.start(() -> {
            throw new AssertionError("unreferenced timer ran");
        }, 0, 0);
        t.stop();
        t.start(() -> {
            throw new AssertionError("unreferenced timer ran");
        }, 0, 0);

        assertThat(loop.activeHandles()).isZero();
        assertThat(loop.run()).isFalse();

        t.close();
        loop.run();
    }

    @Test
    void refOfAStoppedHandleDoesNotKeepTheLoopAlive() {
        Idle idle = new Idle(loop);
        idle.unref();
        idle.ref();

        assertThat(loop.isAlive()).isFalse();
        assertThat(loop.run()).isFalse();

        idle.close();
        loop.run();
    }

    @Test
    void closingAnUnreferencedActiveHandleLeavesTheActiveCountAtZero() {
        Check check = new Check(loop);
        check.start(() -> {});
        check.unref();

        check.close();
        check.ref();

        assertThat(loop.activeHandles()).isZero();
        loop.run();
        assertThat(loop.activeHandles()).isZero();
    }
}
