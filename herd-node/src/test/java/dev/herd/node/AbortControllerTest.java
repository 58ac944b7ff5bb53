package dev.herd.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AbortController and AbortSignal (the part Node's test-abortcontroller.js checks that Herd offers). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbortControllerTest {
    private final List<String> log = new ArrayList<>();

    @Test
    void abortRunsTheListenersOnceInOrderAndKeepsTheReason() {
        AbortController ac = new AbortController();
        AbortSignal s = ac.signal();
        s.addEventListener("abort", () -> log.add("first " + s.aborted()));
        s.addEventListener("abort", () -> log.add("second"));
        assertThat(s.aborted()).isFalse();
        assertThat(s.reason()).isNull();
        ac.abort("why");
        ac.abort("again");
        assertThat(log).containsExactly("first true", "second");
        assertThat(s.reason()).isEqualTo("why");
    }

    @Test
    void theDefaultReasonIsAnAbortErr() {
        AbortController ac = new AbortController();
        ac.abort();
        assertThat(ac.signal().reason()).isInstanceOfSatisfying(NodeError.class, e -> {
            assertThat(e.code()).isEqualTo("ABORT_ERR");
            assertThat(e.getMessage()).isEqualTo("This operation was aborted");
        });
        assertThatThrownBy(ac.signal()::throwIfAborted).isSameAs(ac.signal().reason());
    }

    @Test
    void aRemovedListenerDoesNotRunAndOneAddedAfterTheAbortNeverRuns() {
        AbortController ac = new AbortController();
        Runnable l = () -> log.add("removed");
        ac.signal().addEventListener("abort", l);
        ac.signal().removeEventListener("abort", l);
        ac.abort();
        ac.signal().addEventListener("abort", () -> log.add("late"));
        assertThat(log).isEmpty();
    }

    @Test
    void anAlreadyAbortedSignalHasItsReasonAndOtherEventsAreRefused() {
        IllegalStateException reason = new IllegalStateException("x");
        AbortSignal s = AbortSignal.abort(reason);
        assertThat(s.aborted()).isTrue();
        assertThatThrownBy(s::throwIfAborted).isSameAs(reason);
        assertThatThrownBy(() -> s.addEventListener("close", () -> {})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTimeoutSignalAbortsLaterWithTimeoutErrAndDoesNotKeepTheProcessAlive() {
        Object[] reason = new Object[1];
        int code = Herd.call(new String[0], a -> {
            AbortSignal s = AbortSignal.timeout(10);
            s.addEventListener("abort", () -> reason[0] = s.reason());
            Globals.setTimeout(() -> log.add("waited"), 100);
        });
        assertThat(code).isZero();
        assertThat(reason[0]).isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("TIMEOUT_ERR"));
        long start = System.nanoTime();
        Herd.call(new String[0], a -> AbortSignal.timeout(60_000));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }
}
