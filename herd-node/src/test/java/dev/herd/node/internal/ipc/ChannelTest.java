package dev.herd.node.internal.ipc;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.io.Pipe;
import dev.herd.io.Tcp;
import dev.herd.node.internal.Environment;
import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.node.value.SerializationException;
import dev.herd.os.FdLeakCheck;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The IPC channel between two ends of one socketpair in one process: the protocol without the processes. */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelTest {
    /** Records what a channel delivers. */
    static class Recorder implements Channel.Target {
        final List<Object> messages = new ArrayList<>();
        final List<Object> handles = new ArrayList<>();
        final List<Map<String, Object>> internal = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        int disconnects;
        Consumer<Object> onMessage = m -> {};
        Runnable onDisconnect = () -> {};

        @Override
        public void message(Object message, Object handle) {
            messages.add(message);
            handles.add(handle);
            onMessage.accept(message);
        }

        @Override
        public void internalMessage(Map<String, Object> message, Object handle) {
            internal.add(message);
        }

        @Override
        public void disconnected() {
            disconnects++;
            onDisconnect.run();
        }

        @Override
        public void error(Throwable error) {
            errors.add(error);
        }
    }

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    private static Channel[] pair(Serialization mode, Recorder a, Recorder b) {
        Environment env = Environment.current();
        Pipe[] ends = Pipe.socketpair(env.loop(), true);
        return new Channel[] {new Channel(env, ends[0], mode, a, false), new Channel(env, ends[1], mode, b, false)};
    }


    @ParameterizedTest
    @EnumSource(Serialization.class)
    void messagesArriveInOrderAndTheChannelClosesOnDisconnect(Serialization mode) {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        run(x -> {
            Channel[] ch = pair(mode, a, b);
            for (int i = 0; i < 1000; i++) ch[0].send(object("i", i, "s", "é€😀"));
            b.onMessage = m -> {
                if (b.messages.size() == 1000) ch[0].disconnect();
            };
        });
        assertThat(b.messages).hasSize(1000);
        for (int i = 0; i < 1000; i++) assertThat(b.messages.get(i)).isEqualTo(object("i", i, "s", "é€😀"));
        assertThat(a.disconnects).isEqualTo(1);
        assertThat(b.disconnects).as("the peer sees EOF as a disconnect").isEqualTo(1);
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();
    }

    @Test
    void theSendCallbackRunsOnceWithNull() {
        List<Object> results = new ArrayList<>();
        Recorder b = new Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            ch[0].send("hello", null, null, e -> {
                results.add(e == null ? "ok" : e);
                ch[0].disconnect();
            });
            assertThat(results).as("never inside send()").isEmpty();
        });
        assertThat(results).containsExactly("ok");
        assertThat(b.messages).containsExactly("hello");
    }

    @Test
    void internalMessagesGoToInternalMessageNotToMessage() {
        Recorder b = new Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            ch[0].send(object("cmd", "NODE_CLUSTER", "act", "online", "seq", 0));
            ch[0].send(object("cmd", "NODE_"));
            ch[0].send(object("cmd", "node_x"), null, null, e -> ch[0].disconnect());
        });
        assertThat(b.internal).containsExactly(object("cmd", "NODE_CLUSTER", "act", "online", "seq", 0));
        assertThat(b.messages).as("NODE_ alone and lower case are user messages")
                .containsExactly(object("cmd", "NODE_"), object("cmd", "node_x"));
    }

    @Test
    void sendAfterDisconnectReturnsFalseAndTheCallbackGetsERR_IPC_CHANNEL_CLOSED() {
        List<Object> results = new ArrayList<>();
        Recorder a = new Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, a, new Recorder());
            ch[0].disconnect();
            results.add(ch[0].send("late", null, null, e -> results.add(((NodeError) e).code())));
            results.add(ch[0].connected());
            ch[0].disconnect();
        });
        assertThat(results).containsExactly(false, false, "ERR_IPC_CHANNEL_CLOSED");
        assertThat(a.errors).singleElement().satisfies(e -> assertThat(((NodeError) e).code()).isEqualTo("ERR_IPC_DISCONNECTED"));
    }

    @Test
    void sendingUndefinedOrAFunctionThrowsSynchronously() {
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), new Recorder());
            assertThatThrownBy(() -> ch[0].send(dev.herd.node.value.Undefined.INSTANCE))
                    .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_MISSING_ARGS"));
            Runnable f = () -> {};
            assertThatThrownBy(() -> ch[0].send(f))
                    .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_INVALID_ARG_TYPE"));
            assertThatThrownBy(() -> ch[0].send("x", new Object(), null, null))
                    .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_INVALID_HANDLE_TYPE"));
            ch[0].disconnect();
        });
    }

    @Test
    void aPassedServerListensOnTheSamePortInTheReceiver() {
        Recorder b = new Recorder();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<String> log = new ArrayList<>();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            Server original = Net.createServer(s -> {
                log.add("original accepted");
                s.end("from original\n");
            });
            original.listen(0, "127.0.0.1", 0, () -> {
                int port = original.address().port();
                ch[0].send(object("what", "server"), original, null, null);
                b.onMessage = m -> {
                    Server received = (Server) b.handles.get(0);
                    log.add("received listening " + received.listening() + " port " + (received.address().port() == port));
                    // Only the received server accepts from now on.
                    original.close();
                    received.on("connection", a -> ((Socket) a[0]).end("from received\n"));
                    Socket c = Net.createConnection(port, "127.0.0.1", null);
                    c.on("data", d -> got.writeBytes((byte[]) d[0]));
                    c.on("close", d -> {
                        received.close();
                        ch[0].disconnect();
                    });
                };
            });
        });
        assertThat(b.messages).containsExactly(object("what", "server"));
        assertThat(log).containsExactly("received listening true port true");
        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("from received\n");
    }

    @Test
    void aPassedSocketIsUsableInTheReceiverAndLetGoOfInTheSender() {
        Recorder b = new Recorder();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<Object> senderSide = new ArrayList<>();
        run(x -> {
            Channel[] ch = pair(Serialization.ADVANCED, new Recorder(), b);
            Server server = Net.createServer(s -> {
                ch[0].send("take it", s, null, e -> {
                    senderSide.add(e == null ? "sent" : e);
                    senderSide.add(s.handle() == null ? "detached" : "still attached");
                });
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("data", d -> got.writeBytes((byte[]) d[0]));
                c.on("close", d -> {
                    server.close();
                    ch[0].disconnect();
                });
                b.onMessage = m -> ((Socket) b.handles.get(0)).end("hello from the receiver\n");
            });
        });
        assertThat(b.messages).containsExactly("take it");
        assertThat(senderSide).containsExactly("sent", "detached");
        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("hello from the receiver\n");
    }

    @Test
    void messagesSentWhileAHandleAwaitsItsAckArriveAfterItInOrder() {
        Recorder b = new Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            Tcp raw = new Tcp(Environment.current().loop());
            raw.bind(dev.herd.os.SockAddr.inet("127.0.0.1", 0));
            assertThat(ch[0].send("before")).isTrue();
            ch[0].send("with handle", raw, null, null);
            assertThat(ch[0].send("queued 1")).as("the first queued send returns true").isTrue();
            assertThat(ch[0].send("queued 2")).as("later queued sends return false").isFalse();
            b.onMessage = m -> {
                if (b.messages.size() == 4) {
                    raw.close();
                    ((Tcp) b.handles.get(1)).close();
                    ch[0].disconnect();
                }
            };
        });
        assertThat(b.messages).containsExactly("before", "with handle", "queued 1", "queued 2");
        assertThat(b.handles.get(1)).isInstanceOf(Tcp.class);
    }

    @Test
    void aHandleEnvelopeWithoutADescriptorIsAnsweredWithANack() {
        Recorder a = new Recorder();
        List<String> peerSaw = new ArrayList<>();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            Channel ch = new Channel(env, ends[0], Serialization.JSON, a, false);
            ends[1].readStart((data, err) -> {
                if (data != null) {
                    byte[] bytes = new byte[data.remaining()];
                    data.get(bytes);
                    peerSaw.add(new String(bytes, StandardCharsets.UTF_8));
                    ch.disconnect();
                }
                if (err != null) ends[1].close();
            });
            ends[1].write("{\"cmd\":\"NODE_HANDLE\",\"type\":\"net.Native\",\"msg\":1}\n".getBytes(StandardCharsets.UTF_8), null);
        });
        assertThat(peerSaw).containsExactly("{\"cmd\":\"NODE_HANDLE_NACK\"}\n");
        assertThat(a.messages).isEmpty();
    }

    @Test
    void anInvalidJsonLineIsAnErrorAndTheNextMessageStillArrives() {
        Recorder a = new Recorder();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            Channel ch = new Channel(env, ends[0], Serialization.JSON, a, false);
            a.onMessage = m -> {
                ch.disconnect();
                ends[1].close();
            };
            ends[1].write("{not json\n\n\"after\"\n".getBytes(StandardCharsets.UTF_8), null);
        });
        assertThat(a.errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(SerializationException.class));
        assertThat(a.messages).containsExactly("after");
    }

    @Test
    void aStrayAckIsReportedAndTheChannelGoesOn() {
        Recorder a = new Recorder();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            Channel ch = new Channel(env, ends[0], Serialization.JSON, a, false);
            a.onMessage = m -> {
                ch.disconnect();
                ends[1].close();
            };
            ends[1].write("{\"cmd\":\"NODE_HANDLE_ACK\"}\n\"still here\"\n".getBytes(StandardCharsets.UTF_8), null);
        });
        assertThat(a.errors).singleElement().satisfies(e -> assertThat(((NodeError) e).code()).isEqualTo("ERR_IPC_UNEXPECTED_ACK"));
        assertThat(a.messages).containsExactly("still here");
    }

    @Test
    void aLengthPrefixOf2To31ClosesTheChannelAfterAnError() {
        Recorder a = new Recorder();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            a.onDisconnect = () -> ends[1].close();
            new Channel(env, ends[0], Serialization.ADVANCED, a, false);
            ends[1].write(new byte[] {(byte) 0x80, 0, 0, 0, 1, 2}, null);
        });
        assertThat(a.errors).hasSize(1);
        assertThat(a.disconnects).isEqualTo(1);
    }

    @Test
    void userMessagesAreHeldUntilAMessageListenerExists() {
        List<Object> got = new ArrayList<>();
        run(x -> {
            Channel[] ch = new Channel[2];
            boolean[] listening = {false};
            Channel.Target late = new Recorder() {
                @Override
                public boolean hasMessageListener() {
                    return listening[0];
                }

                @Override
                public void message(Object message, Object handle) {
                    got.add(message);
                    if (got.size() == 2) ch[0].disconnect();
                }
            };
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            ch[0] = new Channel(env, ends[0], Serialization.JSON, new Recorder(), false);
            ch[1] = new Channel(env, ends[1], Serialization.JSON, late, false);
            ch[0].send("one");
            ch[0].send("two");
            dev.herd.node.Globals.setTimeout(() -> {
                assertThat(got).as("held while nobody listens").isEmpty();
                listening[0] = true;
                ch[1].messageListenerAdded();
            }, 50);
        });
        assertThat(got).containsExactly("one", "two");
    }

    @Test
    void aHandleOfAnUnknownTypeIsAckedThenReportedAndItsDescriptorClosed() {
        Recorder a = new Recorder();
        List<String> peerSaw = new ArrayList<>();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            Channel ch = new Channel(env, ends[0], Serialization.JSON, a, false);
            Tcp raw = new Tcp(env.loop());
            raw.bind(dev.herd.os.SockAddr.inet("127.0.0.1", 0));
            ends[1].readStart((data, err) -> {
                if (data == null) return;
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                peerSaw.add(new String(bytes, StandardCharsets.UTF_8));
                // The ACK went out before "next" was delivered (both on the ticks of one read).
                raw.close();
                ch.disconnect();
                ends[1].close();
            });
            byte[] envelope = "{\"cmd\":\"NODE_HANDLE\",\"type\":\"foo.Bar\",\"msg\":1}\n".getBytes(StandardCharsets.UTF_8);
            ends[1].write2(new java.nio.ByteBuffer[] {java.nio.ByteBuffer.wrap(envelope)}, raw, null);
            ends[1].write("\"next\"\n".getBytes(StandardCharsets.UTF_8), null);
        });
        assertThat(peerSaw).containsExactly("{\"cmd\":\"NODE_HANDLE_ACK\"}\n");
        assertThat(a.errors).singleElement().satisfies(e -> assertThat(((NodeError) e).code()).isEqualTo("ERR_INVALID_HANDLE_TYPE"));
        assertThat(a.messages).containsExactly("next");
    }

    @Test
    void aDescriptorWithoutAnEnvelopeWaitsForTheNextOneAndIsClosedWithTheChannel() {
        Recorder a = new Recorder();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            Channel ch = new Channel(env, ends[0], Serialization.JSON, a, false);
            Tcp raw = new Tcp(env.loop());
            raw.bind(dev.herd.os.SockAddr.inet("127.0.0.1", 0));
            a.onMessage = m -> {
                raw.close();
                ch.disconnect();
                ends[1].close();
            };
            // A plain message carrying a descriptor: delivered as a message; the descriptor is not leaked.
            ends[1].write2(new java.nio.ByteBuffer[] {java.nio.ByteBuffer.wrap("\"plain\"\n".getBytes(StandardCharsets.UTF_8))}, raw, null);
        });
        assertThat(a.messages).containsExactly("plain");
        assertThat(a.handles).containsExactly((Object) null);
    }

    /** Node drops the incomplete frame without a word (an 'error' would kill a child that does not listen). */
    @Test
    void aPeerThatVanishesMidMessageIsAPlainDisconnect() {
        Recorder a = new Recorder();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            new Channel(env, ends[0], Serialization.ADVANCED, a, false);
            // A frame announcing 100 bytes, of which 3 arrive before the peer goes away.
            ends[1].write(new byte[] {0, 0, 0, 100, (byte) 0xff, 0x0f, 0x22}, e -> ends[1].close());
        });
        assertThat(a.errors).isEmpty();
        assertThat(a.disconnects).isEqualTo(1);
        assertThat(a.messages).isEmpty();
    }

    @Test
    void everySendCallbackRunsExactlyOnceWhenSomeWritesQueue() {
        int n = 2000;
        int[] calls = new int[n];
        Recorder b = new Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            String payload = "x".repeat(1024);
            for (int i = 0; i < n; i++) {
                int index = i;
                // 2 MiB in one go: the first writes finish at once, the rest wait in the queue.
                ch[0].send(payload, null, null, e -> calls[index]++);
            }
            b.onMessage = m -> {
                if (b.messages.size() == n) ch[0].disconnect();
            };
        });
        for (int i = 0; i < n; i++) assertThat(calls[i]).as("callback of send %d", i).isEqualTo(1);
        assertThat(b.messages).hasSize(n);
    }

    @Test
    void theFirstSendOfATickIsInTheSocketWhenSendReturnsAndTheRestFollow() {
        List<String> atOnce = new ArrayList<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        StringBuilder expected = new StringBuilder();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            Channel ch = new Channel(env, ends[0], Serialization.JSON, new Recorder(), false);
            for (int i = 0; i < 100; i++) {
                ch.send(object("i", i));
                expected.append("{\"i\":").append(i).append("}\n");
                if (i == 0) {
                    // As in Node, whose send writes at once: a thread that blocks now has still sent it.
                    byte[] b = new byte[4096];
                    long n = dev.herd.os.Net.recv(ends[1].fileno(), b, 0, b.length, 0);
                    atOnce.add(n < 0 ? "errno " + -n : new String(b, 0, (int) n, StandardCharsets.UTF_8));
                    got.write(b, 0, (int) Math.max(n, 0));
                }
            }
            ends[1].readStart((data, error) -> {
                if (error != null) {
                    ends[1].close();
                    return;
                }
                byte[] b = new byte[data.remaining()];
                data.get(b);
                got.writeBytes(b);
                if (got.size() == expected.length()) ch.disconnect();
            });
        });
        assertThat(atOnce).containsExactly("{\"i\":0}\n");
        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
    }

    @Test
    void callbacksRunAfterTheWriteInSendOrderAcrossSmallAndLargeFrames() {
        List<Object> order = new ArrayList<>();
        Recorder b = new Recorder();
        String large = "L".repeat(100_000); // above what is corked: written directly
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            ch[0].send("small 0", null, null, e -> order.add(e == null ? 0 : e));
            ch[0].send(large, null, null, e -> order.add(e == null ? 1 : e));
            ch[0].send("small 2", null, null, e -> order.add(e == null ? 2 : e));
            ch[0].send(large, null, null, e -> order.add(e == null ? 3 : e));
            assertThat(order).as("never inside send()").isEmpty();
            b.onMessage = m -> {
                if (b.messages.size() == 4) ch[0].disconnect();
            };
        });
        assertThat(order).containsExactly(0, 1, 2, 3);
        assertThat(b.messages).containsExactly("small 0", large, "small 2", large);
    }

    @Test
    void sendReturnsFalseOnceCorkedAndQueuedBytesPassTheHighWaterMarkAndEveryMessageStillArrives() {
        int[] callbacks = {0};
        int[] sent = {0};
        boolean[] refused = {false};
        Recorder b = new Recorder();
        run(x -> {
            Environment env = Environment.current();
            Pipe[] ends = Pipe.socketpair(env.loop(), true);
            Channel sender = new Channel(env, ends[0], Serialization.JSON, new Recorder(), false);
            String payload = "p".repeat(1000);
            // Nobody reads yet: the kernel's buffer fills, then the pipe's queue.
            while (sent[0] < 100_000 && !refused[0]) {
                refused[0] = !sender.send(payload, null, null, e -> callbacks[0]++);
                sent[0]++;
            }
            Channel receiver = new Channel(env, ends[1], Serialization.JSON, b, false);
            b.onMessage = m -> {
                if (b.messages.size() == sent[0]) sender.disconnect();
            };
            assertThat(receiver.connected()).isTrue();
        });
        assertThat(refused[0]).as("send() said false before 100,000 KiB were queued").isTrue();
        assertThat(sent[0] * 1003L).as("bytes sent when refused").isGreaterThanOrEqualTo(Channel.WRITE_QUEUE_HIGH_WATER);
        assertThat(callbacks[0]).isEqualTo(sent[0]);
        assertThat(b.messages).hasSize(sent[0]);
    }

    @Test
    void messagesSentJustBeforeDisconnectArriveBeforeTheDisconnect() {
        Recorder b = new Recorder();
        List<Object> seen = new ArrayList<>();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            for (int i = 0; i < 10; i++) ch[0].send(i);
            ch[0].disconnect();
            b.onDisconnect = () -> seen.addAll(b.messages);
        });
        assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(b.disconnects).isEqualTo(1);
    }

    @Test
    void aHandleSentAfterCorkedMessagesArrivesWithItsOwnMessageOnly() {
        Recorder b = new Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new Recorder(), b);
            Tcp raw = new Tcp(Environment.current().loop());
            raw.bind(dev.herd.os.SockAddr.inet("127.0.0.1", 0));
            for (int i = 0; i < 5; i++) ch[0].send("corked " + i);
            ch[0].send("with handle", raw, null, null);
            ch[0].send("after");
            b.onMessage = m -> {
                if (b.messages.size() == 7) {
                    raw.close();
                    ((Tcp) b.handles.get(5)).close();
                    ch[0].disconnect();
                }
            };
        });
        assertThat(b.messages).containsExactly("corked 0", "corked 1", "corked 2", "corked 3", "corked 4", "with handle", "after");
        assertThat(b.handles.get(5)).isInstanceOf(Tcp.class);
        assertThat(b.handles).filteredOn(h -> h != null).hasSize(1);
    }
}
