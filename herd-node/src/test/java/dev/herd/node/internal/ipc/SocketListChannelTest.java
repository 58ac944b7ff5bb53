package dev.herd.node.internal.ipc;

import static dev.herd.node.value.Values.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.SendOptions;
import dev.herd.node.internal.net.NetAccess;
import dev.herd.io.Pipe;
import dev.herd.node.internal.Environment;
import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The socket-list subprotocol (NODE_SOCKET_GET_COUNT / COUNT / NOTIFY_CLOSE / ALL_CLOSED) between
 * two Herd channels of one socketpair in one process, with a server whose accepted sockets go
 * from one end to the other; the cross-process and Node cases are in child_process.SocketListTest.
 */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketListChannelTest {
    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    private static Channel[] pair(Serialization mode, ChannelTest.Recorder a, ChannelTest.Recorder b) {
        Environment env = Environment.current();
        Pipe[] ends = Pipe.socketpair(env.loop(), true);
        return new Channel[] {new Channel(env, ends[0], mode, a, false), new Channel(env, ends[1], mode, b, false)};
    }

    /**
     * A server whose {@code n} accepted sockets are sent over {@code ch[0]} (with {@code
     * keepOpen}); {@code then} runs with the server, the clients and the parent's ends once every
     * socket reached the other end.
     */
    private static void sendAccepted(Channel[] ch, ChannelTest.Recorder b, int n, boolean keepOpen, Consumer<Setup> then) {
        Setup setup = new Setup();
        b.onMessage = m -> {
            if (b.messages.size() == n) then.accept(setup);
        };
        setup.server = Net.createServer(s -> {
            setup.accepted.add(s);
            ch[0].send("hold", s, new SendOptions(keepOpen), null);
        });
        setup.server.listen(0, "127.0.0.1", 0, () -> {
            for (int i = 0; i < n; i++) setup.clients.add(Net.createConnection(setup.server.address().port(), "127.0.0.1", null));
        });
    }

    static final class Setup {
        Server server;
        final List<Socket> clients = new ArrayList<>();
        final List<Socket> accepted = new ArrayList<>();
    }

    private static List<Socket> held(ChannelTest.Recorder b) {
        List<Socket> out = new ArrayList<>();
        for (Object h : b.handles) out.add((Socket) h);
        return out;
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void getConnectionsCountsSocketsHeldByThePeerAndDropsAsTheyClose(Serialization mode) {
        List<Object> counts = new ArrayList<>();
        ChannelTest.Recorder a = new ChannelTest.Recorder();
        ChannelTest.Recorder b = new ChannelTest.Recorder();
        run(x -> {
            Channel[] ch = pair(mode, a, b);
            sendAccepted(ch, b, 3, false, setup -> setup.server.getConnections((e, n) -> {
                counts.add(n);
                Socket first = held(b).get(0);
                first.on("close", c -> setup.server.getConnections((e2, n2) -> {
                    counts.add(n2);
                    setup.server.close();
                    setup.clients.forEach(Socket::destroy);
                    held(b).forEach(Socket::destroy);
                    ch[0].disconnect();
                }));
                first.destroy();
            }));
        });
        assertThat(counts).containsExactly(3, 2);
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();
    }

    @Test
    void closeCallsBackOnlyAfterThePeerClosedEverySocketItHolds() {
        List<String> events = new ArrayList<>();
        ChannelTest.Recorder a = new ChannelTest.Recorder();
        ChannelTest.Recorder b = new ChannelTest.Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, a, b);
            sendAccepted(ch, b, 2, false, setup -> {
                setup.server.close(e -> {
                    events.add("server closed " + e);
                    setup.clients.forEach(Socket::destroy);
                    ch[0].disconnect();
                });
                // The NOTIFY_CLOSE is on its way; closing each socket a turn later, the server must wait.
                List<Socket> sockets = held(b);
                dev.herd.node.Globals.setImmediate(() -> {
                    events.add("peer closes one");
                    sockets.get(0).destroy();
                    sockets.get(0).on("close", c -> dev.herd.node.Globals.setImmediate(() -> {
                        events.add("peer closes the other");
                        sockets.get(1).destroy();
                    }));
                });
            });
        });
        assertThat(events).containsExactly("peer closes one", "peer closes the other", "server closed null");
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();
    }

    @Test
    void aSocketSentWithKeepOpenCountsOnBothSides() {
        List<Object> counts = new ArrayList<>();
        ChannelTest.Recorder b = new ChannelTest.Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new ChannelTest.Recorder(), b);
            sendAccepted(ch, b, 1, true, setup -> setup.server.getConnections((e, n) -> {
                counts.add(n);
                setup.server.close();
                setup.clients.forEach(Socket::destroy);
                setup.accepted.forEach(Socket::destroy);
                held(b).forEach(Socket::destroy);
                ch[0].disconnect();
            }));
        });
        assertThat(counts).as("Node: keepOpen leaves the socket counted in the sender too").containsExactly(2);
    }

    @Test
    void aPeerThatGoesAwayFailsAWaitingGetConnectionsAndIsNoLongerAsked() {
        List<Object> results = new ArrayList<>();
        ChannelTest.Recorder b = new ChannelTest.Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, new ChannelTest.Recorder(), b);
            sendAccepted(ch, b, 2, false, setup -> {
                setup.server.getConnections((e, n) -> {
                    results.add(((NodeError) e).code());
                    setup.server.getConnections((e2, n2) -> {
                        results.add(e2 == null ? n2 : e2);
                        setup.server.close(e3 -> results.add("closed " + e3));
                        setup.clients.forEach(Socket::destroy);
                        held(b).forEach(Socket::destroy);
                    });
                });
                ch[0].disconnect();
            });
        });
        assertThat(results).containsExactly("ERR_CHILD_CLOSED_BEFORE_REPLY", 0, "closed null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "null", "-1", "1.5", "'3'", "true", "1e12"})
    void aCountReplyWithoutAUsableCountIsAnErrorForGetConnections(String count) {
        List<Object> results = new ArrayList<>();
        ChannelTest.Recorder a = new ChannelTest.Recorder();
        ChannelTest.Recorder b = new ChannelTest.Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, a, b);
            sendAccepted(ch, b, 1, false, setup -> {
                setup.server.getConnections((e, n) -> {
                    results.add(e instanceof NodeError ne ? ne.code() : n);
                    // The real answer comes later and finds no one waiting; the channel goes on.
                    setup.server.getConnections((e2, n2) -> {
                        results.add(n2);
                        setup.server.close();
                        setup.clients.forEach(Socket::destroy);
                        held(b).forEach(Socket::destroy);
                        ch[0].disconnect();
                    });
                });
                // Written before the peer has even read the request, so it is the first answer.
                Map<String, Object> bogus = new LinkedHashMap<>();
                bogus.put("cmd", "NODE_SOCKET_COUNT");
                bogus.put("key", NetAccess.get().connectionKey(setup.server));
                switch (count) {
                    case "missing" -> {}
                    case "null" -> bogus.put("count", null);
                    case "'3'" -> bogus.put("count", "3");
                    case "true" -> bogus.put("count", true);
                    default -> bogus.put("count", Double.parseDouble(count));
                }
                ch[1].send(bogus);
            });
        });
        assertThat(results).containsExactly("ERR_IPC_BAD_SOCKET_COUNT", 1);
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();
    }

    @Test
    void socketListMessagesWithABadKeyOrCommandAreIgnoredAndTheChannelGoesOn() {
        List<Object> results = new ArrayList<>();
        ChannelTest.Recorder a = new ChannelTest.Recorder();
        ChannelTest.Recorder b = new ChannelTest.Recorder();
        run(x -> {
            Channel[] ch = pair(Serialization.JSON, a, b);
            sendAccepted(ch, b, 1, false, setup -> {
                String key = NetAccess.get().connectionKey(setup.server);
                List<Object> junk = List.of(object("cmd", "NODE_SOCKET_COUNT", "key", 7, "count", 1),
                        object("cmd", "NODE_SOCKET_ALL_CLOSED"), object("cmd", "NODE_SOCKET_COUNT", "key", "nope", "count", 5),
                        object("cmd", "NODE_SOCKET_GET_COUNT", "key", object("k", key)), object("cmd", "NODE_SOCKET_NOTIFY_CLOSE", "key", null),
                        object("cmd", "NODE_SOCKET_GET_COUNT", "key", "nope"), object("cmd", "NODE_SOCKET_BOGUS", "key", key),
                        object("cmd", "NODE_SOCKET_", "key", key));
                // Both directions: to the sender of the sockets and to their holder.
                for (Object j : junk) {
                    ch[1].send(j);
                    ch[0].send(j);
                }
                setup.server.getConnections((e, n) -> {
                    results.add(e == null ? n : e);
                    setup.server.close(e2 -> results.add("closed " + e2));
                    setup.clients.forEach(Socket::destroy);
                    held(b).forEach(Socket::destroy);
                    ch[0].send("still here", null, null, e3 -> ch[0].disconnect());
                });
            });
        });
        assertThat(results).containsExactly(1, "closed null");
        assertThat(b.messages).endsWith("still here");
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();
    }
}
