package dev.herd.node.worker_threads;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static dev.herd.node.worker_threads.WorkerThreads.receiveMessageOnPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.value.ArrayBuffer;
import dev.herd.node.value.DataCloneError;
import dev.herd.node.value.Message;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** MessageChannel and MessagePort: delivery, close, transfer and entanglement (test-worker-message-port-*.js). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith({FdLeakCheck.class, WorkerLeakCheck.class})
class MessagePortTest {
    static int run(Herd.Main main) {
        return Herd.call(new String[0], main);
    }

    @Test
    void aChannelDeliversInOrderOnOneThread() {
        List<Object> got = new ArrayList<>();
        int code = run(a -> {
            MessageChannel c = new MessageChannel();
            c.port2().on("message", m -> {
                got.add(m[0]);
                if (got.size() == 3) c.port2().close();
            });
            c.port1().postMessage(1);
            c.port1().postMessage("two");
            c.port1().postMessage(List.of(3));
        });
        assertThat(code).isZero();
        assertThat(got).containsExactly(1, "two", List.of(3));
    }

    @Test
    void deliveryIsAsynchronous() {
        List<String> order = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            c.port2().on("message", m -> {
                order.add("message");
                c.port2().close();
            });
            c.port1().postMessage("x");
            process().nextTick(() -> order.add("tick"));
            order.add("sync");
        });
        assertThat(order).containsExactly("sync", "tick", "message");
    }

    @Test
    void closeEmitsCloseOnBothEndsAfterWhatWasAlreadySent() {
        List<String> events = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            c.port2().on("message", m -> events.add("port2 got " + m[0]));
            c.port2().on("close", () -> events.add("port2 close"));
            c.port1().on("close", () -> events.add("port1 close"));
            c.port1().postMessage("before close");
            c.port1().close();
            c.port1().postMessage("after close");
            c.port1().close();
        });
        // Node emits port1's 'close' first; the order across the two ports is the loop's detail.
        assertThat(events).containsExactlyInAnyOrder("port1 close", "port2 got before close", "port2 close");
        assertThat(events).containsSubsequence("port2 got before close", "port2 close");
    }

    @Test
    void aPortWithoutMessageListenersDoesNotKeepTheLoopAlive() {
        long[] took = new long[1];
        long start = System.nanoTime();
        int code = run(a -> {
            MessageChannel c = new MessageChannel();
            c.port2().start();
            c.port1().postMessage("nobody listens");
        });
        took[0] = System.nanoTime() - start;
        assertThat(code).isZero();
        assertThat(took[0] / 1e9).isLessThan(5);
    }

    @Test
    void aMessageListenerKeepsTheLoopAliveUntilUnrefOrClose() {
        List<String> events = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            c.port1().on("message", m -> {});
            assertThat(c.port1().hasRef()).isTrue();
            setTimeout(() -> {
                events.add("timer ran: the port kept the loop alive");
                c.port1().close();
            }, 30);
            MessageChannel d = new MessageChannel();
            d.port1().on("message", m -> events.add("never"));
            d.port1().unref();
            assertThat(d.port1().hasRef()).isFalse();
        });
        assertThat(events).containsExactly("timer ran: the port kept the loop alive");
    }

    @Test
    void removingTheLastListenerUnrefsThePort() {
        int code = run(a -> {
            MessageChannel c = new MessageChannel();
            EventListenerHolder h = new EventListenerHolder();
            c.port1().on("message", h.listener);
            c.port1().off("message", h.listener);
            assertThat(c.port1().hasRef()).isFalse();
        });
        assertThat(code).isZero();
    }

    private static final class EventListenerHolder {
        final dev.herd.node.EventEmitter.Listener listener = args -> {};
    }

    @Test
    void receiveMessageOnPortTakesQueuedMessagesOneAtATime() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            c.port1().postMessage("m1");
            c.port1().postMessage(null);
            setTimeout(() -> {
                Message m;
                while ((m = receiveMessageOnPort(c.port2())) != null) got.add(String.valueOf(m.value()));
                got.add("end");
                c.port1().close();
            }, 5);
        });
        assertThat(got).containsExactly("m1", "null", "end");
    }

    @Test
    void receiveMessageOnAClosedPortIsNull() {
        AtomicReference<Object> got = new AtomicReference<>("unset");
        run(a -> {
            MessageChannel c = new MessageChannel();
            c.port1().postMessage("m1");
            c.port2().close();
            got.set(receiveMessageOnPort(c.port2()));
        });
        assertThat(got.get()).isNull();
    }

    @Test
    void transferringThePortItselfIsADataCloneError() {
        int code = run(a -> {
            MessageChannel c = new MessageChannel();
            assertThatThrownBy(() -> c.port1().postMessage(1, List.of(c.port1())))
                    .isInstanceOf(DataCloneError.class).hasMessage("Transfer list contains source port");
            c.port1().close();
        });
        assertThat(code).isZero();
    }

    @Test
    void aPortInAMessageMustBeInTheTransferList() {
        int code = run(a -> {
            MessageChannel c = new MessageChannel();
            MessageChannel d = new MessageChannel();
            assertThatThrownBy(() -> c.port1().postMessage(d.port1()))
                    .isInstanceOf(DataCloneError.class).hasMessageContaining("not listed in transferList");
            assertThat(d.port1().isDetached()).isFalse();
            c.port1().close();
            d.port1().close();
        });
        assertThat(code).isZero();
    }

    @Test
    void aTransferredPortIsDetachedAndItsPostsAreDropped() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            MessageChannel d = new MessageChannel();
            c.port2().on("message", m -> {
                MessagePort received = (MessagePort) m[0];
                received.on("message", x -> {
                    got.add(x[0]);
                    received.close();
                    c.port2().close();
                });
            });
            c.port1().postMessage(d.port1(), List.of(d.port1()));
            assertThat(d.port1().isDetached()).isTrue();
            d.port1().postMessage("dropped");
            d.port2().postMessage("to the moved port");
        });
        assertThat(got).containsExactly("to the moved port");
    }

    @Test
    void aPortTransferredToAWorkerTalksToItsPeerDirectly() {
        List<String> events = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            Worker w = new Worker(args -> parentPort().once("message", m -> {
                @SuppressWarnings("unchecked")
                MessagePort port = (MessagePort) ((Map<String, Object>) m[0]).get("port");
                port.postMessage("via port");
                port.on("message", x -> {
                    port.postMessage("echo " + x[0]);
                    port.close();
                });
                parentPort().close();
            }));
            w.postMessage(Map.of("port", c.port2()), List.of(c.port2()));
            c.port1().on("message", m -> {
                events.add("port1 " + m[0]);
                if (m[0].equals("via port")) c.port1().postMessage("ping");
            });
            c.port1().on("close", () -> events.add("port1 closed by the worker"));
            w.on("exit", x -> events.add("worker exit " + x[0]));
        });
        assertThat(events).containsSubsequence("port1 via port", "port1 echo ping", "port1 closed by the worker");
        assertThat(events).contains("worker exit 0");
    }

    @Test
    void messagesQueuedOnAPortTravelWithIt() {
        AtomicReference<Object> got = new AtomicReference<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            c.port1().postMessage("queued-1");
            c.port1().postMessage("queued-2");
            Worker w = new Worker(args -> parentPort().once("message", m -> {
                MessagePort p = (MessagePort) m[0];
                List<Object> taken = new ArrayList<>();
                Message x;
                while ((x = receiveMessageOnPort(p)) != null) taken.add(x.value());
                parentPort().postMessage(taken);
                p.close();
                parentPort().close();
            }));
            w.postMessage(c.port2(), List.of(c.port2()));
            w.on("message", m -> got.set(m[0]));
            c.port1().on("close", () -> {});
        });
        assertThat(got.get()).isEqualTo(List.of("queued-1", "queued-2"));
    }

    @Test
    void twoWorkersTalkThroughAChannelWithoutTheParent() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            Worker pinger = new Worker(args -> parentPort().once("message", m -> {
                MessagePort p = (MessagePort) m[0];
                p.postMessage(1);
                p.on("message", x -> {
                    int n = (Integer) x[0];
                    if (n >= 100) { // the pinger sees the even numbers
                        parentPort().postMessage(n);
                        p.close();
                        parentPort().close();
                    } else {
                        p.postMessage(n + 1);
                    }
                });
            }));
            Worker ponger = new Worker(args -> parentPort().once("message", m -> {
                MessagePort p = (MessagePort) m[0];
                p.on("message", x -> p.postMessage((Integer) x[0] + 1));
                p.on("close", () -> parentPort().close());
            }));
            pinger.postMessage(c.port1(), List.of(c.port1()));
            ponger.postMessage(c.port2(), List.of(c.port2()));
            pinger.on("message", m -> got.add(m[0]));
        });
        assertThat(got).containsExactly(100);
    }

    @Test
    void aPortIsClosedWhenItsWorkerExitsSoThePeerSeesClose() {
        List<String> events = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            Worker w = new Worker(args -> parentPort().once("message", m -> parentPort().close()));
            w.postMessage(c.port2(), List.of(c.port2()));
            c.port1().on("message", m -> {});
            c.port1().on("close", () -> events.add("port1 close"));
            w.on("exit", x -> events.add("exit " + x[0]));
        });
        assertThat(events).contains("port1 close", "exit 0");
    }

    @Test
    void aPortDroppedInTransitClosesItsPeer() {
        List<String> events = new ArrayList<>();
        run(a -> {
            MessageChannel carrier = new MessageChannel();
            MessageChannel moved = new MessageChannel();
            carrier.port2().close();
            moved.port1().on("message", m -> {});
            moved.port1().on("close", () -> events.add("moved.port1 close"));
            // carrier is closed: the message (and the port in it) is dropped.
            carrier.port1().postMessage(moved.port2(), List.of(moved.port2()));
        });
        assertThat(events).containsExactly("moved.port1 close");
    }

    @Test
    void postingThePeerThroughItselfLosesTheChannelWithAWarning() {
        List<String> events = new ArrayList<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            process().on("warning", w -> events.add("warning " + w[1]));
            c.port2().on("message", m -> events.add("message"));
            c.port2().on("close", () -> events.add("port2 close"));
            c.port2().postMessage(c.port1(), List.of(c.port1()));
        });
        assertThat(events).containsExactly(
                "warning The target port was posted to itself, and the communication channel was lost", "port2 close");
    }

    @Test
    void anUntransferableArrayBufferIsCopiedInstead() {
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {7, 7});
        AtomicReference<Object> got = new AtomicReference<>();
        run(a -> {
            WorkerThreads.markAsUntransferable(buffer);
            assertThat(WorkerThreads.isMarkedAsUntransferable(buffer)).isTrue();
            assertThat(WorkerThreads.isMarkedAsUntransferable(ArrayBuffer.wrap(new byte[] {7, 7}))).isFalse();
            MessageChannel c = new MessageChannel();
            c.port1().postMessage(buffer, List.of(buffer));
            got.set(receiveMessageOnPort(c.port2()).value());
            c.port1().close();
        });
        assertThat(buffer.isDetached()).isFalse();
        assertThat(got.get()).isEqualTo(ArrayBuffer.wrap(new byte[] {7, 7})).isNotSameAs(buffer);
    }

    @Test
    void anArrayBufferTransferredInAMessageKeepsItsBytes() {
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {1, 2, 3, 4});
        AtomicReference<Object> got = new AtomicReference<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            c.port1().postMessage(Map.of("b", buffer), List.of(buffer));
            got.set(receiveMessageOnPort(c.port2()).value());
            c.port1().close();
        });
        assertThat(buffer.isDetached()).isTrue();
        assertThat(got.get()).isEqualTo(Map.of("b", ArrayBuffer.wrap(new byte[] {1, 2, 3, 4})));
    }

    @Test
    void aPortRefusesCallsFromOtherThreads() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        run(a -> {
            MessageChannel c = new MessageChannel();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    c.port1().postMessage("x");
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.join();
            c.port1().close();
        });
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aThrowingMessageListenerOnTheMainThreadIsAnUncaughtException() {
        List<String> events = new ArrayList<>();
        int code = run(a -> {
            process().on("uncaughtException", e -> events.add("uncaught " + ((Throwable) e[0]).getMessage()));
            MessageChannel c = new MessageChannel();
            c.port2().on("message", m -> {
                events.add("got " + m[0]);
                if (m[0].equals(1)) throw new IllegalStateException("boom");
                c.port2().close();
            });
            c.port1().postMessage(1);
            c.port1().postMessage(2);
        });
        assertThat(code).isZero();
        assertThat(events).containsExactly("got 1", "uncaught boom", "got 2");
    }
}
