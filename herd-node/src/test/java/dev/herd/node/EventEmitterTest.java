package dev.herd.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import dev.herd.os.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Node's EventEmitter semantics (test-event-emitter-*.js). */
@ExtendWith(FdLeakCheck.class)
class EventEmitterTest {
    private final EventEmitter e = new EventEmitter();
    private final List<String> log = new ArrayList<>();

    @Test
    void listenersRunInTheOrderAddedWithTheEmittedArguments() {
        e.on("x", a -> log.add("1:" + a[0]));
        e.on("x", a -> log.add("2:" + a[0]));
        assertThat(e.emit("x", "v")).isTrue();
        assertThat(log).containsExactly("1:v", "2:v");
    }

    @Test
    void emitWithoutListenersReturnsFalse() {
        assertThat(e.emit("nothing")).isFalse();
    }

    @Test
    void onceListenerRunsOnlyOnce() {
        e.once("x", a -> log.add("once"));
        e.emit("x");
        e.emit("x");
        assertThat(log).containsExactly("once");
        assertThat(e.listenerCount("x")).isZero();
    }

    @Test
    void prependListenerRunsFirst() {
        e.on("x", a -> log.add("second"));
        e.prependListener("x", a -> log.add("first"));
        e.emit("x");
        assertThat(log).containsExactly("first", "second");
    }

    @Test
    void offRemovesTheGivenListener() {
        EventEmitter.Listener l = a -> log.add("removed");
        e.on("x", l);
        e.on("x", a -> log.add("kept"));
        e.off("x", l);
        e.emit("x");
        assertThat(log).containsExactly("kept");
    }

    @Test
    void listenerRemovedDuringEmitStillRunsForThatEmit() {
        EventEmitter.Listener second = a -> log.add("second");
        e.on("x", a -> {
            log.add("first");
            e.off("x", second);
        });
        e.on("x", second);
        e.emit("x");
        e.emit("x");
        assertThat(log).containsExactly("first", "second", "first");
    }

    @Test
    void errorEventWithoutAListenerThrowsTheError() {
        IllegalStateException err = new IllegalStateException("bad");
        assertThatThrownBy(() -> e.emit("error", err)).isSameAs(err);
    }

    @Test
    void errorEventWithAListenerDoesNotThrow() {
        e.on("error", a -> log.add("handled"));
        e.emit("error", new IllegalStateException("bad"));
        assertThat(log).containsExactly("handled");
    }

    @Test
    void removeAllListenersClearsAnEvent() {
        e.on("x", a -> log.add("a"));
        e.on("y", a -> log.add("b"));
        e.removeAllListeners("x");
        e.emit("x");
        e.emit("y");
        assertThat(log).containsExactly("b");
        assertThat(e.eventNames()).containsExactly("y");
    }
}
