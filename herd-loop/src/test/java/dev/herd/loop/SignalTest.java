package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.Proc;
import dev.herd.os.SignalSource;
import dev.herd.os.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Signal handles with real signals sent to this process: libuv's test-signal.c and
 * test-signal-multiple-loops.c.
 *
 * <p>Rule for every test here: a signal is only raised while a handle watches it. SIGUSR2's
 * default action would end the JVM (and HotSpot uses it internally), so once the last SIGUSR2
 * watcher is gone nothing sends it again; "nothing is delivered after stop" is shown with SIGWINCH,
 * whose default action is to ignore it.
 */
class SignalTest extends LoopTestBase {

    private static void raise(int signum) {
        assertThat(Proc.kill(Proc.getpid(), signum)).as("kill(getpid(), %s)", Signals.name(signum)).isZero();
    }

    @Test
    void signalSentToOurselvesRunsTheCallbackOnTheLoopThread() {
        Signal signal = new Signal(loop);
        List<Integer> received = new ArrayList<>();
        Thread[] ranOn = {null};
        signal.start(signum -> {
            received.add(signum);
            ranOn[0] = Thread.currentThread();
            signal.close();
        }, Signals.SIGUSR2);
        armWatchdog();

        raise(Signals.SIGUSR2);

        assertThat(runGuarded()).isFalse();
        assertThat(received).containsExactly(Signals.SIGUSR2);
        assertThat(ranOn[0]).isSameAs(Thread.currentThread());
    }

    @Test
    void signalArrivesInThePollPhase() {
        Signal signal = new Signal(loop);
        List<String> log = new ArrayList<>();
        Prepare prepare = new Prepare(loop);
        Check check = new Check(loop);
        prepare.start(() -> log.add("prepare"));
        check.start(() -> log.add("check"));
        prepare.unref();
        check.unref();
        signal.start(signum -> {
            log.add("signal");
            signal.close();
        }, Signals.SIGUSR2);
        armWatchdog();

        raise(Signals.SIGUSR2);
        runGuarded();

        // The delivery may take a few iterations to arrive; it always lands between prepare and check.
        int i = log.indexOf("signal");
        assertThat(i).isPositive();
        assertThat(log.get(i - 1)).isEqualTo("prepare");
        assertThat(log.get(i + 1)).isEqualTo("check");
        closeAll(prepare, check);
        loop.run();
    }

    @Test
    void eachSignalSentAfterTheLastArrivedIsDelivered() {
        // libuv's we_get_signals: send the next one from the callback of the previous.
        Signal signal = new Signal(loop);
        int[] calls = {0};
        signal.start(signum -> {
            if (++calls[0] < 5) raise(Signals.SIGUSR2);
            else signal.close();
        }, Signals.SIGUSR2);
        armWatchdog();

        raise(Signals.SIGUSR2);

        assertThat(runGuarded()).isFalse();
        assertThat(calls[0]).isEqualTo(5);
    }

    @Test
    void oneshotHandleStopsItselfAfterTheFirstDelivery() {
        // libuv's we_get_signal_one_shot
        Signal signal = new Signal(loop);
        int[] calls = {0};
        boolean[] activeInCallback = {true};
        signal.startOneshot(signum -> {
            calls[0]++;
            activeInCallback[0] = signal.isActive();
        }, Signals.SIGUSR2);
        armWatchdog();

        raise(Signals.SIGUSR2);

        assertThat(runGuarded()).as("the stopped handle no longer keeps the loop alive").isFalse();
        assertThat(calls[0]).isEqualTo(1);
        assertThat(activeInCallback[0]).isFalse();
        assertThat(signal.isActive()).isFalse();
        assertThat(SignalSource.isWatched(Signals.SIGUSR2)).isFalse();
        signal.close();
        loop.run();
    }

    @Test
    void oneshotHandleCanBeStartedAgainAfterItFired() {
        Signal signal = new Signal(loop);
        int[] calls = {0};
        Runnable[] arm = {null};
        arm[0] = () -> signal.startOneshot(signum -> {
            if (++calls[0] < 2) {
                arm[0].run();
                raise(Signals.SIGUSR2); // watched again before it is sent
            }
        }, Signals.SIGUSR2);
        arm[0].run();
        armWatchdog();

        raise(Signals.SIGUSR2);

        assertThat(runGuarded()).isFalse();
        assertThat(calls[0]).isEqualTo(2);
        signal.close();
        loop.run();
    }

    @Test
    void twoHandlesWatchingOneSignalBothGetIt() {
        Signal a = new Signal(loop);
        Signal b = new Signal(loop);
        List<String> log = new ArrayList<>();
        a.start(signum -> {
            log.add("a " + signum);
            a.close();
        }, Signals.SIGUSR2);
        b.start(signum -> {
            log.add("b " + signum);
            b.close();
        }, Signals.SIGUSR2);
        armWatchdog();

        raise(Signals.SIGUSR2);

        assertThat(runGuarded()).isFalse();
        assertThat(log).containsExactlyInAnyOrder("a 12", "b 12");
    }

    @Test
    void stoppedHandleGetsNothingWhileAnotherStillWatches() {
        Signal stopped = new Signal(loop);
        Signal watching = new Signal(loop);
        List<String> log = new ArrayList<>();
        stopped.start(signum -> log.add("stopped"), Signals.SIGWINCH);
        watching.start(signum -> {
            log.add("watching");
            watching.close();
        }, Signals.SIGWINCH);
        stopped.stop();
        armWatchdog();

        raise(Signals.SIGWINCH);

        assertThat(runGuarded()).isFalse();
        // Both listeners are called by one delivery, the stopped one's first: had it been
        // delivered, it would have run before "watching".
        assertThat(log).containsExactly("watching");
        stopped.close();
        loop.run();
    }

    @Test
    void closedHandleGetsNothing() {
        Signal closed = new Signal(loop);
        Signal watching = new Signal(loop);
        List<String> log = new ArrayList<>();
        closed.start(signum -> log.add("closed"), Signals.SIGWINCH);
        watching.start(signum -> {
            log.add("watching");
            watching.close();
        }, Signals.SIGWINCH);
        closed.close();
        armWatchdog();

        raise(Signals.SIGWINCH);

        assertThat(runGuarded()).isFalse();
        assertThat(log).containsExactly("watching");
    }

    @Test
    void deliveryAlreadyPostedWhenTheHandleStopsIsDropped() {
        Signal signal = new Signal(loop);
        Signal witness = new Signal(loop);
        List<String> log = new ArrayList<>();
        signal.start(signum -> log.add("stopped handle"), Signals.SIGWINCH);
        witness.start(signum -> {
            log.add("witness");
            witness.close();
        }, Signals.SIGWINCH);
        Prepare prepare = new Prepare(loop);
        // Both deliveries are posted to the loop before it polls; the handle stops in between.
        CountDownLatch posted = new CountDownLatch(1);
        AtomicInteger seenByListener = new AtomicInteger();
        SignalSource.Registration probe = SignalSource.watch(Signals.SIGWINCH, s -> {
            seenByListener.incrementAndGet();
            posted.countDown();
        });
        prepare.start(() -> {
            try {
                assertThat(posted.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            signal.stop();
            prepare.close();
        });
        armWatchdog();

        raise(Signals.SIGWINCH);

        assertThat(runGuarded()).isFalse();
        probe.close();
        assertThat(seenByListener.get()).isEqualTo(1);
        assertThat(log).containsExactly("witness");
        signal.close();
        loop.run();
    }

    @Test
    void restartingOnTheSameSignalOnlySwapsTheCallback() {
        Signal signal = new Signal(loop);
        List<String> log = new ArrayList<>();
        signal.start(signum -> log.add("old"), Signals.SIGWINCH);
        signal.start(signum -> {
            log.add("new");
            signal.close();
        }, Signals.SIGWINCH);
        armWatchdog();

        raise(Signals.SIGWINCH);

        assertThat(runGuarded()).isFalse();
        assertThat(log).containsExactly("new");
    }

    @Test
    void restartingOnAnotherSignalStopsWatchingTheFirst() {
        Signal signal = new Signal(loop);
        List<Integer> received = new ArrayList<>();
        signal.start(received::add, Signals.SIGUSR2);
        assertThat(SignalSource.isWatched(Signals.SIGUSR2)).isTrue();

        signal.start(signum -> {
            received.add(signum);
            signal.close();
        }, Signals.SIGWINCH);

        assertThat(SignalSource.isWatched(Signals.SIGUSR2)).isFalse();
        assertThat(signal.signum()).isEqualTo(Signals.SIGWINCH);
        armWatchdog();
        raise(Signals.SIGWINCH);
        runGuarded();
        assertThat(received).containsExactly(Signals.SIGWINCH);
    }

    @Test
    void signumIsTheWatchedSignalAndZeroWhenStopped() {
        Signal signal = new Signal(loop);
        assertThat(signal.signum()).isZero();

        signal.start(s -> {}, Signals.SIGWINCH);
        assertThat(signal.signum()).isEqualTo(Signals.SIGWINCH);
        signal.stop();
        assertThat(signal.signum()).isZero();

        signal.close();
        loop.run();
    }

    @Test
    void closeStopsWatchingTheSignal() {
        Signal signal = new Signal(loop);
        signal.start(s -> {}, Signals.SIGWINCH);
        assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isTrue();

        signal.close();

        assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isFalse();
        loop.run();
    }

    @Test
    void activeSignalHandleKeepsTheLoopAlive() {
        Signal signal = new Signal(loop);
        signal.start(s -> {}, Signals.SIGWINCH);

        assertThat(loop.isAlive()).isTrue();
        assertThat(loop.backendTimeout()).isEqualTo(-1);

        signal.close();
        loop.run();
    }

    @Test
    void unreferencedSignalHandleDoesNotKeepTheLoopAlive() {
        Signal signal = new Signal(loop);
        signal.start(s -> {
            throw new AssertionError("no signal was sent");
        }, Signals.SIGWINCH);
        signal.unref();

        assertThat(loop.run()).isFalse();

        assertThat(signal.isActive()).isTrue();
        signal.close();
        loop.run();
    }

    @Test
    void sigquitIsRefusedWithAClearMessage() {
        Signal signal = new Signal(loop);

        assertThatThrownBy(() -> signal.start(s -> {}, Signals.SIGQUIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SIGQUIT");

        assertThat(signal.isActive()).isFalse();
        assertThat(loop.isAlive()).isFalse();
        signal.close();
        loop.run();
    }

    @Test
    void refusedRestartLeavesTheHandleWatchingItsSignal() {
        // libuv validates the signal number before it changes anything (uv_signal_start: EINVAL).
        Signal signal = new Signal(loop);
        List<Integer> received = new ArrayList<>();
        signal.start(signum -> {
            received.add(signum);
            signal.close();
        }, Signals.SIGWINCH);

        assertThatThrownBy(() -> signal.start(s -> {}, Signals.SIGQUIT)).isInstanceOf(IllegalArgumentException.class);

        assertThat(signal.isActive()).isTrue();
        assertThat(signal.signum()).isEqualTo(Signals.SIGWINCH);
        assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isTrue();
        armWatchdog();
        raise(Signals.SIGWINCH);
        runGuarded();
        assertThat(received).containsExactly(Signals.SIGWINCH);
    }

    @Test
    void signalNumberThatIsNoSignalIsRefused() {
        Signal signal = new Signal(loop);

        assertThatThrownBy(() -> signal.start(s -> {}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> signal.start(s -> {}, 65)).isInstanceOf(IllegalArgumentException.class);

        assertThat(signal.isActive()).isFalse();
        signal.close();
        loop.run();
    }

    @Test
    void startWithANullCallbackIsRefused() {
        Signal signal = new Signal(loop);

        assertThatThrownBy(() -> signal.start(null, Signals.SIGWINCH)).isInstanceOf(NullPointerException.class);

        assertThat(signal.isActive()).isFalse();
        assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isFalse();
        signal.close();
        loop.run();
    }

    @Test
    void signalIsDeliveredToEveryLoopWatchingIt() throws InterruptedException {
        // libuv's signal_multiple_loops, with two loops on two threads.
        CountDownLatch otherWatching = new CountDownLatch(1);
        AtomicReference<Throwable> otherFailed = new AtomicReference<>();
        AtomicReference<Thread> otherRanOn = new AtomicReference<>();
        Thread other = Thread.ofPlatform().name("second-loop").start(() -> {
            try (Loop second = new Loop()) {
                Signal s = new Signal(second);
                s.start(signum -> {
                    otherRanOn.set(Thread.currentThread());
                    s.close();
                }, Signals.SIGWINCH);
                Timer deadline = new Timer(second);
                deadline.start(second::stop, DEADLINE_MS, 0);
                deadline.unref();
                otherWatching.countDown();
                second.run();
                deadline.close();
                s.close();
                second.run();
            } catch (Throwable e) {
                otherFailed.set(e);
                otherWatching.countDown();
            }
        });
        Signal signal = new Signal(loop);
        int[] calls = {0};
        signal.start(signum -> {
            calls[0]++;
            signal.close();
        }, Signals.SIGWINCH);
        assertThat(otherWatching.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
        armWatchdog();

        raise(Signals.SIGWINCH);

        runGuarded();
        other.join(DEADLINE_MS);
        assertThat(otherFailed.get()).isNull();
        assertThat(calls[0]).isEqualTo(1);
        assertThat(otherRanOn.get()).isSameAs(other);
    }
}
