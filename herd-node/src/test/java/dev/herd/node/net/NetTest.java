package dev.herd.node.net;

import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.io.Stream;
import dev.herd.node.internal.Environment;
import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.Timeout;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Node's net module over real loopback sockets (test-net-*.js). */
@ExtendWith(FdLeakCheck.class)
class NetTest {
    private final List<String> log = new ArrayList<>();

    private static int run(Herd.Main main) {
        int code = Herd.call(new String[0], main);
        assertThat(code).as("exit code").isZero();
        return code;
    }

    /** A server that echoes everything and ends when the client ends. */
    private static Server echoServer() {
        return Net.createServer(s -> {
            s.on("data", a -> s.write((byte[]) a[0]));
            s.on("end", () -> s.end());
        });
    }

    @Test
    void echoServerReturnsWhatTheClientSendsAndBothSidesClose() {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        run(a -> {
            Server server = echoServer();
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", () -> log.add("connect"));
                c.on("data", x -> got.writeBytes((byte[]) x[0]));
                c.on("end", () -> log.add("end"));
                c.on("close", x -> {
                    log.add("close " + x[0]);
                    server.close();
                });
                c.write("hello ");
                c.end("world");
            });
        });
        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
        assertThat(log).containsExactly("connect", "end", "close false");
    }

    @Test
    void typedListenersOnARealConnectionRunOnceAndComeOffByTheListenerGiven() {
        StringBuilder all = new StringBuilder();
        run(a -> {
            Server server = Net.createServer(null);
            server.on(Server.CONNECTION, s -> {
                s.on(Socket.DATA, chunk -> s.write(chunk));
                s.on(Socket.END, () -> s.end());
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                Consumer<byte[]> removed = chunk -> log.add("removed listener ran");
                c.on(Socket.DATA, removed);
                c.once(Socket.DATA, chunk -> log.add("once " + new String(chunk, StandardCharsets.UTF_8)));
                c.off(Socket.DATA, removed);
                c.on(Socket.DATA, chunk -> {
                    all.append(new String(chunk, StandardCharsets.UTF_8));
                    // One chunk at a time, each after the last one's echo: no coalescing.
                    if (all.toString().equals("a")) c.write("b");
                    else c.end();
                });
                c.on(Socket.CONNECT, () -> c.write("a"));
                c.on(Socket.CLOSE, hadError -> {
                    log.add("close " + hadError + " " + c.listenerCount(Socket.DATA));
                    server.close();
                });
            });
        });
        assertThat(all).hasToString("ab");
        assertThat(log).containsExactly("once a", "close false 1");
    }

    @Test
    void listenOnPortZeroReportsTheRealPortAndFamily() {
        AddressInfo[] addr = new AddressInfo[1];
        run(a -> {
            Server server = Net.createServer(s -> {});
            server.listen(0, "127.0.0.1", 0, () -> {
                addr[0] = server.address();
                server.close();
            });
        });
        assertThat(addr[0].port()).isPositive();
        assertThat(addr[0].family()).isEqualTo("IPv4");
        assertThat(addr[0].address()).isEqualTo("127.0.0.1");
    }

    @Test
    void listenWithoutAHostUsesTheDualStackAddress() {
        String[] seen = new String[2];
        run(a -> {
            Server server = echoServer();
            server.listen(0, () -> {
                seen[0] = server.address().address();
                // An IPv4 client reaches the '::' listener.
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.setEncoding("utf8");
                c.on("data", x -> seen[1] = (String) x[0]);
                c.on("close", x -> server.close());
                c.end("v4");
            });
        });
        assertThat(seen[0]).isIn("::", "0.0.0.0");
        assertThat(seen[1]).isEqualTo("v4");
    }

    @Test
    void listenOnABusyPortEmitsEADDRINUSEWithNodesProperties() {
        Object[] err = new Object[1];
        run(a -> {
            Server first = Net.createServer(s -> {});
            first.listen(0, "127.0.0.1", 0, () -> {
                int port = first.address().port();
                Server second = Net.createServer(s -> {});
                second.on("error", x -> {
                    err[0] = x[0];
                    first.close();
                });
                second.listen(port, "127.0.0.1", 0, () -> log.add("listening?!"));
            });
        });
        assertThat(log).isEmpty();
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("EADDRINUSE");
            assertThat(e.syscall()).isEqualTo("listen");
            assertThat(e.address()).isEqualTo("127.0.0.1");
            assertThat(e.getMessage()).startsWith("listen EADDRINUSE: address already in use 127.0.0.1:");
        });
    }

    @Test
    void connectToAClosedPortEmitsECONNREFUSEDThenClose() {
        Object[] err = new Object[1];
        int[] port = {0};
        run(a -> {
            // A port that was just free: listen on 0, note the port, close, then connect.
            Server probe = Net.createServer(s -> {});
            probe.listen(0, "127.0.0.1", 0, () -> {
                port[0] = probe.address().port();
                probe.close(e -> {
                    Socket c = Net.createConnection(port[0], "127.0.0.1", () -> log.add("connected?!"));
                    c.on("error", x -> err[0] = x[0]);
                    c.on("close", x -> log.add("close " + x[0]));
                });
            });
        });
        assertThat(log).containsExactly("close true");
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("ECONNREFUSED");
            assertThat(e.syscall()).isEqualTo("connect");
            assertThat(e.port()).isEqualTo(port[0]);
            assertThat(e.getMessage()).isEqualTo("connect ECONNREFUSED 127.0.0.1:" + port[0]);
        });
    }

    @Test
    void writeReturnsFalseAtTheHighWaterMarkAndDrainFollows() {
        boolean[] firstResult = {true};
        long[] queued = {0};
        run(a -> {
            Socket[] serverSide = new Socket[1];
            Server server = Net.createServer(s -> {
                serverSide[0] = s;
                s.pause(); // a reader that reads nothing for now
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("connect", () -> {
                    byte[] chunk = new byte[64 * 1024];
                    boolean ok = true;
                    int writes = 0;
                    while (ok && writes < 1000) {
                        ok = c.write(chunk);
                        writes++;
                    }
                    firstResult[0] = ok;
                    queued[0] = c.writableLength();
                    c.on("drain", () -> {
                        log.add("drain");
                        c.destroy();
                        serverSide[0].destroy();
                        server.close();
                    });
                    serverSide[0].resume();
                    serverSide[0].on("data", x -> {});
                });
            });
        });
        assertThat(firstResult[0]).isFalse();
        assertThat(queued[0]).isGreaterThanOrEqualTo(Socket.HIGH_WATER_MARK);
        assertThat(log).containsExactly("drain");
    }

    @Test
    void anEchoServerThatPausesWhenAWriteReturnsFalseStopsReadingFromAClientThatNeverReads() {
        // Node's rule for a writer: pause the source when write() returns false, resume on
        // 'drain'. Then what waits in the process stays bounded (at most one read's worth past the
        // high-water mark), the socket stops reading from the kernel, and TCP flow control stops
        // the client's writes.
        long unbounded = 1 << 20;
        long[] maxQueued = {0};
        String[] outcome = {null};
        run(a -> {
            Environment env = Environment.current();
            Socket[] conn = new Socket[1];
            Server server = Net.createServer(s -> {
                conn[0] = s;
                s.on("data", x -> {
                    if (!s.write((byte[]) x[0])) s.pause();
                    maxQueued[0] = Math.max(maxQueued[0], s.writableLength());
                });
                s.on("drain", () -> s.resume());
                s.on("error", x -> { });
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                NeverReadingClient client = new NeverReadingClient(server.address().port());
                env.loop().queueWork(() -> client.flood(new byte[16 * 1024]), e -> { });
                Timeout[] poll = new Timeout[1];
                poll[0] = setInterval(() -> {
                    Socket s = conn[0];
                    if (s == null) return;
                    // Stalled: paused, not reading, and the kernel refuses more of the echo.
                    boolean stalled = s.isPaused() && !s.handle().isReading() && s.handle().writeQueueSize() > 0;
                    if (!stalled && maxQueued[0] <= unbounded) return;
                    outcome[0] = stalled ? "stalled" : "queued " + maxQueued[0] + " bytes";
                    clearInterval(poll[0]);
                    client.close();
                    s.destroy();
                    server.close();
                }, 5);
            });
        });
        assertThat(outcome[0]).isEqualTo("stalled");
        assertThat(maxQueued[0]).isLessThan(Socket.HIGH_WATER_MARK + Stream.READ_BUFFER_SIZE);
    }

    @Test
    void dataIsBufferedUntilADataListenerIsAdded() {
        String[] got = {null};
        run(a -> {
            Server server = Net.createServer(s -> setTimeout(() -> {
                s.setEncoding(StandardCharsets.UTF_8);
                s.on("data", x -> got[0] = (String) x[0]);
                s.on("end", () -> s.end());
            }, 30));
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("close", x -> server.close());
                c.on("data", x -> {});
                c.end("early bytes");
            });
        });
        assertThat(got[0]).isEqualTo("early bytes");
    }

    @Test
    void setEncodingJoinsAMultiByteCharacterSplitAcrossChunks() {
        StringBuilder got = new StringBuilder();
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        run(a -> {
            Server server = Net.createServer(s -> {
                s.setEncoding("utf8");
                s.on("data", x -> got.append((String) x[0]));
                s.on("end", () -> s.end());
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.setNoDelay(true);
                c.on("close", x -> server.close());
                c.on("data", x -> {});
                c.write(new byte[] {euro[0]});
                setTimeout(() -> c.write(new byte[] {euro[1], euro[2]}), 20);
                setTimeout(() -> c.end(), 40);
            });
        });
        assertThat(got.toString()).isEqualTo("€");
    }

    @Test
    void allowHalfOpenKeepsTheWriteSideOpenAfterThePeerEnds() {
        String[] reply = {null};
        run(a -> {
            Server server = Net.createServer(true, s -> {
                s.on("data", x -> {});
                s.on("end", () -> setTimeout(() -> s.end("late reply"), 20));
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.setEncoding("utf8");
                c.on("data", x -> reply[0] = (String) x[0]);
                c.on("close", x -> server.close());
                c.end();
            });
        });
        assertThat(reply[0]).isEqualTo("late reply");
    }

    @Test
    void serverCloseWaitsForOpenConnections() {
        run(a -> {
            Server server = echoServer();
            server.on("close", () -> log.add("server close"));
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("connect", () -> {
                    server.close(err -> log.add("close callback " + err));
                    log.add("close called");
                    setTimeout(() -> {
                        log.add("client ends");
                        c.end();
                    }, 30);
                });
                c.on("data", x -> {});
            });
        });
        assertThat(log).containsExactly("close called", "client ends", "server close", "close callback null");
    }

    @Test
    void closingAServerThatIsNotListeningGivesErrServerNotRunning() {
        Object[] err = new Object[1];
        run(a -> Net.createServer(s -> {}).close(e -> err[0] = e));
        assertThat(err[0]).isInstanceOfSatisfying(NodeError.class,
                e -> assertThat(e.code()).isEqualTo("ERR_SERVER_NOT_RUNNING"));
    }

    @Test
    void connectionsOverMaxConnectionsAreClosed() {
        run(a -> {
            Server server = Net.createServer(s -> log.add("accepted"));
            server.setMaxConnections(1);
            server.listen(0, "127.0.0.1", 0, () -> {
                int port = server.address().port();
                Socket first = Net.createConnection(port, "127.0.0.1", null);
                first.on("connect", () -> {
                    Socket second = Net.createConnection(port, "127.0.0.1", null);
                    second.on("data", x -> {});
                    second.on("error", x -> {});
                    second.on("close", x -> {
                        log.add("second closed");
                        first.destroy();
                        server.close();
                        server.once("close", () -> {});
                    });
                });
            });
            // the accepted first socket is closed by the server side when the client destroys
        });
        assertThat(log).containsExactly("accepted", "second closed");
    }

    @Test
    void unixSocketServerAndClientExchangeData(@TempDir Path dir) {
        String path = dir.resolve("herd.sock").toString();
        String[] got = {null};
        run(a -> {
            Server server = echoServer();
            server.listen(path, () -> {
                assertThat(server.path()).isEqualTo(path);
                Socket c = Net.createConnection(path, null);
                c.setEncoding("utf8");
                c.on("data", x -> got[0] = (String) x[0]);
                c.on("close", x -> server.close());
                c.end("over a unix socket");
            });
        });
        assertThat(got[0]).isEqualTo("over a unix socket");
    }

    @Test
    void setTimeoutEmitsTimeoutAfterInactivityWithoutClosing() {
        run(a -> {
            Server server = Net.createServer(s -> {
                s.setTimeout(30, () -> {
                    log.add("timeout");
                    s.end("bye");
                });
                s.on("data", x -> {});
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.setEncoding("utf8");
                c.on("data", x -> log.add("client got " + x[0]));
                c.on("close", x -> server.close());
            });
        });
        assertThat(log).containsExactly("timeout", "client got bye");
    }

    @Test
    void aRemoteAddressAskedForWhileConnectedIsStillKnownAfterClose() {
        String[] remote = new String[2];
        run(a -> {
            Server server = Net.createServer(s -> {
                remote[0] = s.remoteAddress() + ":" + (s.remotePort() > 0);
                s.on("close", x -> remote[1] = s.remoteAddress() + ":" + (s.remotePort() > 0));
                s.end();
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("data", x -> {});
                c.on("close", x -> server.close());
            });
        });
        assertThat(remote).containsExactly("127.0.0.1:true", "127.0.0.1:true");
    }

    @Test
    void aRemoteAddressFirstAskedForAfterCloseIsUnknownAsInNode() {
        // Node's _getpeername asks the handle on first use; a destroyed socket has none left.
        Object[] remote = new Object[3];
        run(a -> {
            Server server = Net.createServer(s -> {
                s.on("close", x -> {
                    remote[0] = s.remoteAddress();
                    remote[1] = s.remoteFamily();
                    remote[2] = s.remotePort();
                });
                s.end();
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("data", x -> {});
                c.on("close", x -> server.close());
            });
        });
        assertThat(remote).containsExactly(null, null, -1);
    }

    @Test
    void aConnectingSocketHasNoRemoteAddressUntilItConnects() {
        String[] remote = new String[2];
        run(a -> {
            Server server = echoServer();
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                remote[0] = String.valueOf(c.remoteAddress());
                c.on("connect", () -> {
                    remote[1] = c.remoteAddress() + ":" + (c.remotePort() == server.address().port());
                    c.end();
                });
                c.on("data", x -> {});
                c.on("close", x -> server.close());
            });
        });
        assertThat(remote).containsExactly("null", "127.0.0.1:true");
    }

    @Test
    void countersAndAddressesAreReported() {
        long[] counts = new long[2];
        String[] remote = new String[1];
        run(a -> {
            Server server = Net.createServer(s -> {
                remote[0] = s.remoteAddress() + " " + s.remoteFamily() + " " + (s.remotePort() > 0);
                s.on("data", x -> {});
                s.on("end", () -> {
                    counts[0] = s.bytesRead();
                    s.end();
                });
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("data", x -> {});
                c.on("close", x -> {
                    counts[1] = c.bytesWritten();
                    server.close();
                });
                c.end("12345");
            });
        });
        assertThat(counts).containsExactly(5, 5);
        assertThat(remote[0]).isEqualTo("127.0.0.1 IPv4 true");
    }

    @Test
    void writeAfterEndEmitsErrStreamWriteAfterEnd() {
        Object[] err = new Object[1];
        run(a -> {
            Server server = echoServer();
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("data", x -> {});
                c.on("error", x -> err[0] = x[0]);
                c.on("close", x -> server.close());
                c.end();
                assertThat(c.write("too late")).isFalse();
            });
        });
        assertThat(err[0]).isInstanceOfSatisfying(NodeError.class,
                e -> assertThat(e.code()).isEqualTo("ERR_STREAM_WRITE_AFTER_END"));
    }

    @Test
    void connectByNameLooksItUpAndEmitsLookup() {
        Object[] lookup = new Object[1];
        String[] got = {null};
        run(a -> {
            Server server = echoServer();
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = new Socket();
                c.on("lookup", x -> lookup[0] = x[1] + " " + x[2] + " " + x[3]);
                c.setEncoding("utf8");
                c.on("data", x -> got[0] = (String) x[0]);
                c.on("close", x -> server.close());
                c.on("error", x -> server.close()); // localhost may be ::1 first on some hosts
                c.connect(server.address().port(), "localhost", () -> c.end("by name"));
            });
        });
        assertThat((String) lookup[0]).endsWith(" localhost");
        if (((String) lookup[0]).startsWith("127.0.0.1")) assertThat(got[0]).isEqualTo("by name");
    }

    @Test
    void connectToAnUnknownHostEmitsENOTFOUND() {
        Object[] err = new Object[1];
        run(a -> {
            Socket c = Net.createConnection(80, "no.such.host.invalid", () -> log.add("connected?!"));
            c.on("error", x -> err[0] = x[0]);
            c.on("close", x -> log.add("close " + x[0]));
        });
        assertThat(log).containsExactly("close true");
        assertThat(err[0]).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("ENOTFOUND");
            assertThat(e.syscall()).isEqualTo("getaddrinfo");
            assertThat(e.getMessage()).isEqualTo("getaddrinfo ENOTFOUND no.such.host.invalid");
        });
    }

    @Test
    void serverListensOnAnExistingListeningDescriptor() {
        String[] got = {null};
        run(a -> {
            // A socket bound and listening outside the net module, handed over as a bare fd.
            dev.herd.os.Fd fd = dev.herd.os.Net.socket(dev.herd.os.Net.AF_INET, dev.herd.os.Net.SOCK_STREAM, 0);
            dev.herd.os.LibC.check(dev.herd.os.Net.bind(fd.intValue(), dev.herd.os.SockAddr.inet("127.0.0.1", 0)), "bind");
            dev.herd.os.LibC.check(dev.herd.os.Net.listen(fd.intValue(), 16), "listen");
            Server server = echoServer();
            server.listen(fd, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.setEncoding("utf8");
                c.on("data", x -> got[0] = (String) x[0]);
                c.on("close", x -> server.close());
                c.end("via fd");
            });
        });
        assertThat(got[0]).isEqualTo("via fd");
    }

    @Test
    void serverListensOnAnExistingTcpHandle() {
        String[] got = {null};
        run(a -> {
            dev.herd.io.Tcp tcp = new dev.herd.io.Tcp(dev.herd.node.Globals.process().loop());
            tcp.bind(dev.herd.os.SockAddr.inet("127.0.0.1", 0));
            Server server = echoServer();
            server.listen(tcp, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.setEncoding("utf8");
                c.on("data", x -> got[0] = (String) x[0]);
                c.on("close", x -> server.close());
                c.end("via handle");
            });
        });
        assertThat(got[0]).isEqualTo("via handle");
    }

    @Test
    void aNodeClientTalksToAHerdServer() throws Exception {
        String[] nodeOut = {null};
        run(a -> {
            Server server = Net.createServer(s -> {
                s.setEncoding("utf8");
                s.on("data", x -> s.write("herd got: " + x[0]));
                s.on("end", () -> s.end());
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                int port = server.address().port();
                // The Node client runs on a work-pool thread; its result comes back to the loop.
                dev.herd.node.Globals.process().loop().queueWork(() -> nodeOut[0] = runNodeClient(port),
                        err -> server.close());
            });
        });
        assertThat(nodeOut[0]).isEqualTo("herd got: hi from node");
    }

    private static String runNodeClient(int port) {
        String js = "const s=require('net').connect(" + port + ",'127.0.0.1',()=>s.end('hi from node'));"
                + "let d='';s.setEncoding('utf8');s.on('data',c=>d+=c);s.on('close',()=>process.stdout.write(d));";
        try {
            Process p = new ProcessBuilder("node", "-e", js).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

}
