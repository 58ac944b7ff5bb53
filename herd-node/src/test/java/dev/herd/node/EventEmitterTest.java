package dev.herd.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
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

    // ---------------------------------------------------------------- typed keys

    /** An emitter with typed keys, as Herd's own emitter types declare them. */
    static final class Door extends EventEmitter {
        static final Event<Runnable> OPEN = Event.of(Door.class, "open");
        static final Event<Consumer<String>> KNOCK = Event.of(Door.class, "knock", String.class);
        static final Event<BiConsumer<Integer, String>> SHUT = Event.of(Door.class, "shut", Integer.class, String.class);
        static final Event<Event.Listener3<String, Integer, Boolean>> BELL = Event.of(Door.class, "bell", String.class,
                Integer.class, Boolean.class);
    }

    /** Another emitter type, whose keys a Door refuses. */
    static final class Window extends EventEmitter {
        static final Event<Runnable> OPEN = Event.of(Window.class, "open");
    }

    @Test
    void typedListenersGetTheEmittedArgumentsInTheirShape() {
        Door d = new Door();
        d.on(Door.OPEN, () -> log.add("open"));
        d.on(Door.KNOCK, who -> log.add("knock " + who));
        d.on(Door.SHUT, (code, signal) -> log.add("shut " + code + " " + signal));
        d.on(Door.BELL, (who, times, loud) -> log.add("bell " + who + " " + times + " " + loud));
        d.emit("open");
        d.emit("knock", "ada");
        d.emit("shut", 3, null);
        d.emit("bell", "bob", 2, true);
        assertThat(log).containsExactly("open", "knock ada", "shut 3 null", "bell bob 2 true");
    }

    @Test
    void anArgumentTheEmitterLeftOutIsNull() {
        Door d = new Door();
        d.on(Door.SHUT, (code, signal) -> log.add(code + " " + signal));
        d.emit("shut", 1);
        assertThat(log).containsExactly("1 null");
    }

    @Test
    void typedAndStringListenersShareOneListInTheOrderAdded() {
        Door d = new Door();
        d.on(Door.KNOCK, who -> log.add("typed " + who));
        d.on("knock", a -> log.add("named " + a[0]));
        d.prependListener(Door.KNOCK, who -> log.add("first " + who));
        assertThat(d.listenerCount(Door.KNOCK)).isEqualTo(3);
        d.emit("knock", "x");
        assertThat(log).containsExactly("first x", "typed x", "named x");
    }

    @Test
    void onceTypedListenerRunsOnlyOnce() {
        Door d = new Door();
        d.once(Door.KNOCK, who -> log.add("once " + who));
        d.emit("knock", "a");
        d.emit("knock", "b");
        assertThat(log).containsExactly("once a");
        assertThat(d.listenerCount(Door.KNOCK)).isZero();
    }

    @Test
    void prependOnceListenerRunsFirstAndOnlyOnce() {
        Door d = new Door();
        d.on(Door.OPEN, () -> log.add("on"));
        d.prependOnceListener(Door.OPEN, () -> log.add("once"));
        d.emit("open");
        d.emit("open");
        assertThat(log).containsExactly("once", "on", "on");
    }

    @Test
    void offRemovesATypedListenerByTheListenerGiven() {
        Door d = new Door();
        Consumer<String> removed = who -> log.add("removed");
        d.on(Door.KNOCK, removed);
        d.on(Door.KNOCK, who -> log.add("kept"));
        d.off(Door.KNOCK, removed);
        d.emit("knock", "x");
        assertThat(log).containsExactly("kept");
    }

    @Test
    void offRemovesAOnceTypedListenerBeforeItRuns() {
        Door d = new Door();
        Runnable once = () -> log.add("once");
        d.once(Door.OPEN, once);
        d.removeListener(Door.OPEN, once);
        assertThat(d.emit("open")).isFalse();
        assertThat(log).isEmpty();
    }

    @Test
    void listenersListsTypedListenersAsGiven() {
        Door d = new Door();
        Consumer<String> l = who -> { };
        d.on(Door.KNOCK, l);
        assertThat(d.listeners("knock")).containsExactly(l);
    }

    @Test
    void removeAllListenersOfAKeyRemovesTypedAndStringListeners() {
        Door d = new Door();
        d.on(Door.OPEN, () -> log.add("typed"));
        d.on("open", () -> log.add("named"));
        d.removeAllListeners(Door.OPEN);
        assertThat(d.emit("open")).isFalse();
    }

    @Test
    void aKeyOfAnotherEmitterTypeIsRefused() {
        Door d = new Door();
        assertThatThrownBy(() -> d.on(Window.OPEN, () -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Window 'open'");
        assertThat(d.listenerCount("open")).isZero();
    }

    @Test
    void theErrorKeyWorksOnEveryEmitter() {
        Door d = new Door();
        d.on(EventEmitter.ERROR, err -> log.add("error " + err.getMessage()));
        d.emit("error", new IllegalStateException("bad"));
        assertThat(log).containsExactly("error bad");
    }

    @Test
    void anArgumentOfAnotherTypeFailsTheEmitNamingTheKey() {
        Door d = new Door();
        d.on(Door.SHUT, (code, signal) -> log.add("never"));
        assertThatThrownBy(() -> d.emit("shut", "three", null))
                .isInstanceOf(ClassCastException.class)
                .hasMessageContaining("Door 'shut' (Integer, String): argument 1 is a java.lang.String");
        assertThat(log).isEmpty();
    }
}
