package dev.herd.node.dgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Node's dgram module over loopback (test-dgram-*.js). */
@ExtendWith(FdLeakCheck.class)
class DgramTest {
    private final List<String> log = new ArrayList<>();

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).isZero();
    }

    @Test
    void aMessageSentToABoundSocketArrivesWithTheSendersAddress() {
        RemoteInfo[] from = new RemoteInfo[1];
        int[] senderPort = {0};
        run(a -> {
            Socket server = Dgram.createSocket("udp4", (msg, rinfo) -> {
                log.add(new String(msg, StandardCharsets.UTF_8));
                from[0] = rinfo;
            });
            server.on("message", x -> server.close());
            server.bind(0, "127.0.0.1", () -> {
                Socket client = Dgram.createSocket("udp4");
                client.send("ping", server.address().port(), "127.0.0.1", (err, bytes) -> {
                    log.add("sent " + bytes + " " + err);
                    senderPort[0] = client.address().port();
                    client.close();
                });
            });
        });
        assertThat(log).contains("ping", "sent 4 null");
        assertThat(from[0].address()).isEqualTo("127.0.0.1");
        assertThat(from[0].family()).isEqualTo("IPv4");
        assertThat(from[0].port()).isEqualTo(senderPort[0]);
        assertThat(from[0].size()).isEqualTo(4);
    }

    @Test
    void udp6RoundTripOverTheIpv6Loopback() {
        run(a -> {
            Socket server = Dgram.createSocket("udp6", (msg, rinfo) -> log.add(rinfo.family() + " " + rinfo.address()));
            server.on("message", x -> server.close());
            server.bind(0, "::1", () -> {
                Socket client = Dgram.createSocket("udp6");
                client.send(new byte[] {1, 2, 3}, server.address().port(), "::1", (err, n) -> client.close());
            });
        });
        assertThat(log).containsExactly("IPv6 ::1");
    }

    @Test
    void sendOnAnUnboundSocketBindsItFirstAndEmitsListening() {
        run(a -> {
            Socket server = Dgram.createSocket("udp4", (msg, rinfo) -> log.add("got"));
            server.on("message", x -> server.close());
            server.bind(0, "127.0.0.1", () -> {
                Socket client = Dgram.createSocket("udp4");
                client.on("listening", () -> log.add("client listening"));
                client.send("x", server.address().port(), "localhost", (err, n) -> client.close());
            });
        });
        assertThat(log).containsExactly("client listening", "got");
    }

    @Test
    void bindingABusyPortEmitsEADDRINUSE() {
        Object[] err = new Object[1];
        run(a -> {
            Socket first = Dgram.createSocket("udp4");
            first.bind(0, "127.0.0.1", () -> {
                Socket second = Dgram.createSocket("udp4");
                second.on("error", x -> {
                    err[0] = x[0];
                    second.close();
                    first.close();
                });
                second.bind(first.address().port(), "127.0.0.1", () -> log.add("bound?!"));
            });
        });
        assertThat(log).isEmpty();
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("EADDRINUSE");
            assertThat(e.syscall()).isEqualTo("bind");
        });
    }

    @Test
    void reuseAddrLetsTwoSocketsBindOnePort() {
        run(a -> {
            Socket first = Dgram.createSocket("udp4", true, false, null);
            first.bind(0, "127.0.0.1", () -> {
                Socket second = Dgram.createSocket("udp4", true, false, null);
                second.on("error", x -> log.add("error " + x[0]));
                second.bind(first.address().port(), "127.0.0.1", () -> {
                    log.add("both bound");
                    second.close();
                    first.close();
                });
            });
        });
        assertThat(log).containsExactly("both bound");
    }

    @Test
    void connectedSocketSendsWithoutAnAddress() {
        run(a -> {
            Socket server = Dgram.createSocket("udp4", (msg, rinfo) -> log.add(new String(msg, StandardCharsets.UTF_8)));
            server.on("message", x -> server.close());
            server.bind(0, "127.0.0.1", () -> {
                Socket client = Dgram.createSocket("udp4");
                client.connect(server.address().port(), "127.0.0.1", () -> {
                    log.add("connected to " + client.remoteAddress().port());
                    client.send("hi".getBytes(StandardCharsets.UTF_8), (err, n) -> client.close());
                });
            });
        });
        assertThat(log).hasSize(2).contains("hi");
        assertThat(log.get(0)).startsWith("connected to ");
    }

    @Test
    void manyDatagramsOnLoopbackAllArrive() {
        int n = 200;
        int[] got = {0};
        run(a -> {
            Socket server = Dgram.createSocket("udp4", (msg, rinfo) -> got[0]++);
            server.on("message", x -> {
                if (got[0] == n) server.close();
            });
            server.bind(0, "127.0.0.1", () -> {
                Socket client = Dgram.createSocket("udp4");
                int[] sent = {0};
                for (int i = 0; i < n; i++) {
                    client.send(new byte[] {(byte) i}, server.address().port(), "127.0.0.1", (err, b) -> {
                        if (++sent[0] == n) client.close();
                    });
                }
            });
        });
        assertThat(got[0]).isEqualTo(n);
    }

    @Test
    void closeEmitsCloseAndAClosedSocketRefusesToSend() {
        run(a -> {
            Socket s = Dgram.createSocket("udp4");
            s.close(() -> log.add("closed"));
            assertThatThrownBy(() -> s.send("x", 9, "127.0.0.1", null))
                    .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_SOCKET_DGRAM_NOT_RUNNING"));
        });
        assertThat(log).containsExactly("closed");
    }

    @Test
    void badSocketTypeIsRejected() {
        run(a -> assertThatThrownBy(() -> Dgram.createSocket("udp5"))
                .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_SOCKET_BAD_TYPE")));
    }

    @Test
    void anUnboundSocketDoesNotKeepTheProcessAlive() {
        long t0 = System.nanoTime();
        run(a -> Dgram.createSocket("udp4"));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void multicastOnLoopbackReachesAMember() {
        run(a -> {
            Socket member = Dgram.createSocket("udp4", true, false, (msg, rinfo) -> log.add("member got"));
            member.on("message", x -> member.close());
            member.bind(0, "0.0.0.0", () -> {
                member.addMembership("239.1.2.3", "127.0.0.1");
                Socket sender = Dgram.createSocket("udp4");
                sender.bind(0, "127.0.0.1", () -> {
                    sender.setMulticastInterface("127.0.0.1");
                    sender.setMulticastLoopback(true);
                    sender.send("m", member.address().port(), "239.1.2.3", (err, n) -> sender.close());
                });
            });
        });
        assertThat(log).containsExactly("member got");
    }

    @Test
    void aNodeSenderReachesAHerdSocket() {
        String[] got = {null};
        run(a -> {
            Socket server = Dgram.createSocket("udp4", (msg, rinfo) -> got[0] = new String(msg, StandardCharsets.UTF_8));
            server.on("message", x -> server.close());
            server.bind(0, "127.0.0.1", () -> {
                int port = server.address().port();
                dev.herd.node.Globals.process().loop().queueWork(() -> {
                    try {
                        String js = "const s=require('dgram').createSocket('udp4');s.send('from node'," + port
                                + ",'127.0.0.1',()=>s.close());";
                        new ProcessBuilder("node", "-e", js).inheritIO().start().waitFor();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, err -> { });
            });
        });
        assertThat(got[0]).isEqualTo("from node");
    }
}
