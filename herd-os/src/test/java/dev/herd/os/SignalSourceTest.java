package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signals are raised to this very JVM, so each test waits until its own signal has been handled
 * before it closes the watch; tests other than the SIGUSR2 one use SIGWINCH, whose default action
 * is to ignore, so a stray late delivery cannot end the test JVM.
 */
@ExtendWith(FdLeakCheck.class)
class SignalSourceTest {

    @Test
    void signalSourceDeliversSigusr2() throws Exception {
        CountDownLatch got = new CountDownLatch(1);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (SignalSource.Registration r = SignalSource.watch(Signals.SIGUSR2, n -> {
            seen.add(n);
            got.countDown();
        })) {
            assertThat(r.signum()).isEqualTo(Signals.SIGUSR2);
            assertThat(Proc.kill(Proc.getpid(), Signals.SIGUSR2)).isZero();
            assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(seen).containsExactly(Signals.SIGUSR2);
        assertThat(SignalSource.isWatched(Signals.SIGUSR2)).isFalse();
    }

    @Test
    void everyListenerOfASignalIsCalled() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        try (SignalSource.Registration r1 = SignalSource.watch(Signals.SIGWINCH, n -> both.countDown());
             SignalSource.Registration r2 = SignalSource.watch(Signals.SIGWINCH, n -> both.countDown())) {
            assertThat(Proc.kill(Proc.getpid(), Signals.SIGWINCH)).isZero();
            assertThat(both.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthers() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        try (SignalSource.Registration r1 = SignalSource.watch(Signals.SIGWINCH, n -> {
                throw new IllegalStateException("expected by the test");
            });
             SignalSource.Registration r2 = SignalSource.watch(Signals.SIGWINCH, n -> second.countDown())) {
            assertThat(Proc.kill(Proc.getpid(), Signals.SIGWINCH)).isZero();
            assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void listenerRunsOnAJvmSignalThreadNotTheSender() throws Exception {
        CountDownLatch got = new CountDownLatch(1);
        List<Thread> on = new CopyOnWriteArrayList<>();
        try (SignalSource.Registration r = SignalSource.watch(Signals.SIGWINCH, n -> {
            on.add(Thread.currentThread());
            got.countDown();
        })) {
            assertThat(Proc.kill(Proc.getpid(), Signals.SIGWINCH)).isZero();
            assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(on.get(0)).isNotSameAs(Thread.currentThread());
        assertThat(on.get(0).getName()).contains("SIGWINCH");
    }

    @Test
    void closingTheLastRegistrationRestoresThePreviousHandler() throws Exception {
        Signal winch = new Signal("WINCH");
        CountDownLatch mine = new CountDownLatch(1);
        SignalHandler previous = sig -> mine.countDown();
        SignalHandler original = Signal.handle(winch, previous);
        try {
            SignalSource.Registration r1 = SignalSource.watch(Signals.SIGWINCH, n -> {});
            SignalSource.Registration r2 = SignalSource.watch(Signals.SIGWINCH, n -> {});
            r1.close();
            assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isTrue();
            r2.close();
            assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isFalse();
            // The handler from before the first watch is back in charge.
            assertThat(Proc.kill(Proc.getpid(), Signals.SIGWINCH)).isZero();
            assertThat(mine.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            assertThat(Signal.handle(winch, original)).isSameAs(previous);
        }
    }

    @Test
    void registrationCloseIsIdempotent() {
        SignalSource.Registration r1 = SignalSource.watch(Signals.SIGWINCH, n -> {});
        SignalSource.Registration r2 = SignalSource.watch(Signals.SIGWINCH, n -> {});
        r1.close();
        r1.close(); // must not count as r2's close
        assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isTrue();
        r2.close();
        assertThat(SignalSource.isWatched(Signals.SIGWINCH)).isFalse();
    }

    @Test
    void sigquitIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> SignalSource.watch(Signals.SIGQUIT, n -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SIGQUIT");
    }

    @Test
    void signalsAJvmCannotGiveUpAreRefused() {
        for (int sig : new int[] {Signals.SIGKILL, Signals.SIGSTOP, Signals.SIGSEGV, Signals.SIGBUS, Signals.SIGFPE, Signals.SIGILL}) {
            assertThatThrownBy(() -> SignalSource.watch(sig, n -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Signals.name(sig));
        }
    }

    @Test
    void unknownSignalNumberIsRefused() {
        assertThatThrownBy(() -> SignalSource.watch(0, n -> {})).isInstanceOf(IllegalArgumentException.class).hasMessage("unknown signal: 0");
        assertThatThrownBy(() -> SignalSource.watch(99, n -> {})).isInstanceOf(IllegalArgumentException.class).hasMessage("unknown signal: 99");
    }
}
