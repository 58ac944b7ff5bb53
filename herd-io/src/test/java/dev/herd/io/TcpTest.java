package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import dev.herd.os.Net;
import dev.herd.os.SockAddr;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What Tcp adds to the stream contract: binding, listening, connecting, options, names, IPv6. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpTest extends IoTestBase {
    private static final SockAddr ANY_LOCAL_PORT = SockAddr.inet("127.0.0.1", 0);

    /** A listener on 127.0.0.1 (or {@code addr}) that accepts into new Tcps, collected in {@code accepted}. */
    private Tcp listener(SockAddr addr, int flags, List<Tcp> accepted) {
        Tcp server = new Tcp(loop);
        server.bind(addr, flags);
        server.listen(511, err -> {
            assertThat(err).isNull();
            Tcp client = new Tcp(loop);
            server.accept(client);
            accepted.add(client);
        });
        return server;
    }

    /** Connects a new Tcp to {@code addr} and runs the loop until the callback. */
    private Tcp connected(SockAddr addr) {
        Tcp client = new Tcp(loop);
        List<ErrnoException> result = new ArrayList<>();
        client.connect(addr, result::add);
        runUntil("connect to " + addr, () -> !result.isEmpty());
        assertThat(result).containsExactly((ErrnoException) null);
        return client;
    }

    @Test
    void listenOnPortZeroAndGetsocknameGivesThePortTheKernelChose() {
        List<Tcp> accepted = new ArrayList<>();
        Tcp server = listener(ANY_LOCAL_PORT, 0, accepted);
        SockAddr local = server.getsockname();
        assertThat(local.address()).isEqualTo("127.0.0.1");
        assertThat(local.port()).isPositive();
        assertThat(server.isActive()).isTrue();
        assertThat(server.isListening()).isTrue();
        Tcp client = connected(local);
        runUntil("the accept", () -> accepted.size() == 1);
        assertThat(client.getpeername()).isEqualTo(local);
        assertThat(accepted.get(0).getpeername()).isEqualTo(client.getsockname());
        assertThat(accepted.get(0).getsockname()).isEqualTo(local);
        closeAndDrain(server, client, accepted.get(0));
    }

    @Test
    void bindingABusyPortWithoutReuseportFailsWithEADDRINUSEAtListen() {
        List<Tcp> accepted = new ArrayList<>();
        Tcp first = listener(ANY_LOCAL_PORT, 0, accepted);
        SockAddr busy = first.getsockname();
        Tcp second = new Tcp(loop);
        second.bind(busy); // libuv defers EADDRINUSE to listen
        assertThatThrownBy(() -> second.listen(511, err -> {}))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("EADDRINUSE");
                    assertThat(e.syscall()).isEqualTo("listen");
                    assertThat(e.address()).isEqualTo("127.0.0.1");
                    assertThat(e.port()).isEqualTo(busy.port());
                    assertThat(e.getMessage()).isEqualTo("listen EADDRINUSE: address already in use 127.0.0.1:" + busy.port());
                });
        assertThatThrownBy(second::getsockname)
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EADDRINUSE"));
        assertThat(second.isActive()).isFalse();
        closeAndDrain(first, second);
    }

    @Test
    void aConnectFromASocketWhoseBindFoundThePortBusyFailsInItsCallback() {
        List<Tcp> accepted = new ArrayList<>();
        Tcp server = listener(ANY_LOCAL_PORT, 0, accepted);
        Tcp client = new Tcp(loop);
        client.bind(server.getsockname());
        List<ErrnoException> result = new ArrayList<>();
        client.connect(server.getsockname(), result::add);
        assertThat(result).as("no callback inside connect()").isEmpty();
        runUntil("the connect callback", () -> !result.isEmpty());
        assertThat(result.get(0).code()).isEqualTo("EADDRINUSE");
        closeAndDrain(server, client);
    }

    @Test
    void twoReuseportListenersOnOnePortBothAccept() {
        List<Tcp> acceptedA = new ArrayList<>();
        List<Tcp> acceptedB = new ArrayList<>();
        Tcp serverA = listener(ANY_LOCAL_PORT, Tcp.REUSEPORT, acceptedA);
        SockAddr addr = serverA.getsockname();
        Tcp serverB = listener(addr, Tcp.REUSEPORT, acceptedB);
        assertThat(serverB.getsockname()).isEqualTo(addr);
        assertThat(Net.getsockopt(serverA.fileno(), Net.SOL_SOCKET, Net.SO_REUSEPORT)).isEqualTo(1);
        // The kernel spreads connections by a hash of the 4-tuple: keep connecting until both
        // listeners have one (the chance that 200 all land on one side is 2^-199).
        List<Tcp> clients = new ArrayList<>();
        for (int i = 0; i < 200 && (acceptedA.isEmpty() || acceptedB.isEmpty()); i++) {
            clients.add(connected(addr));
            int expected = clients.size();
            runUntil("accept " + expected, () -> acceptedA.size() + acceptedB.size() == expected);
        }
        assertThat(acceptedA).isNotEmpty();
        assertThat(acceptedB).isNotEmpty();
        List<Tcp> all = new ArrayList<>(clients);
        all.addAll(acceptedA);
        all.addAll(acceptedB);
        all.add(serverA);
        all.add(serverB);
        closeAndDrain(all.toArray(new Tcp[0]));
    }

    @Test
    void connectToAClosedPortGivesECONNREFUSEDInTheCallback() {
        // A port that is bound but not listening refuses connections, and no one else can take it.
        Tcp holder = new Tcp(loop);
        holder.bind(ANY_LOCAL_PORT);
        SockAddr refused = holder.getsockname();
        Tcp client = new Tcp(loop);
        List<ErrnoException> result = new ArrayList<>();
        ConnectRequest req = client.connect(refused, result::add);
        assertThat(result).as("no callback inside connect()").isEmpty();
        assertThat(client.isActive()).isTrue();
        runUntil("the connect callback", () -> !result.isEmpty());
        assertThat(req.isDone()).isTrue();
        assertThat(result).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo("ECONNREFUSED");
            assertThat(e.syscall()).isEqualTo("connect");
            assertThat(e.port()).isEqualTo(refused.port());
        });
        assertThat(client.isActive()).isFalse();
        closeAndDrain(holder, client);
    }

    @Test
    void writesQueuedWhileConnectingGoOutOnceConnected() {
        List<Tcp> accepted = new ArrayList<>();
        Tcp server = listener(ANY_LOCAL_PORT, 0, accepted);
        Tcp client = new Tcp(loop);
        List<String> events = new ArrayList<>();
        client.connect(server.getsockname(), err -> events.add("connect:" + err));
        client.write("early".getBytes(StandardCharsets.US_ASCII), err -> events.add("write:" + err));
        assertThat(client.writeQueueSize()).isEqualTo(5);
        assertThat(client.tryWrite(ByteBuffer.wrap(new byte[] {1}))).as("tryWrite while connecting").isZero();
        runUntil("connect, accept and write", () -> events.size() == 2 && accepted.size() == 1);
        assertThat(events).containsExactly("connect:null", "write:null");
        Sink sink = new Sink();
        accepted.get(0).readStart(sink);
        runUntil("the early bytes", () -> sink.size() == 5);
        closeAndDrain(server, client, accepted.get(0));
    }

    @Test
    void writesQueuedOnAFailedConnectAreCancelledAfterTheConnectCallback() {
        Tcp holder = new Tcp(loop);
        holder.bind(ANY_LOCAL_PORT);
        Tcp client = new Tcp(loop);
        List<String> events = new ArrayList<>();
        client.connect(holder.getsockname(), err -> events.add("connect:" + err.code()));
        client.write(new byte[10], err -> events.add("write:" + err.code()));
        runUntil("both callbacks", () -> events.size() == 2);
        assertThat(events).containsExactly("connect:ECONNREFUSED", "write:ECANCELED");
        assertThat(client.writeQueueSize()).isZero();
        closeAndDrain(holder, client);
    }

    @Test
    void closingWhileConnectingCancelsTheConnectBeforeTheCloseCallback() {
        // An address that does not answer keeps the connect pending (a TEST-NET-1 address).
        Tcp client = new Tcp(loop);
        List<String> events = new ArrayList<>();
        try {
            client.connect(SockAddr.inet("192.0.2.1", 9), err -> events.add("connect:" + err.code()));
        } catch (ErrnoException e) {
            // No route at all (ENETUNREACH) on this machine: nothing pending to cancel.
            closeAndDrain(client);
            assertThat(e.code()).isIn("ENETUNREACH", "EHOSTUNREACH");
            return;
        }
        client.close(() -> events.add("close"));
        runUntil("close", client::isClosed);
        assertThat(events).containsExactly("connect:ECANCELED", "close");
    }

    @Test
    void connectingTwiceAtOnceFailsWithEALREADY() {
        Tcp holder = new Tcp(loop);
        holder.bind(ANY_LOCAL_PORT);
        Tcp client = new Tcp(loop);
        client.connect(holder.getsockname(), null);
        assertThatThrownBy(() -> client.connect(holder.getsockname(), null))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EALREADY"));
        runUntil("the connect to end", () -> !client.isActive());
        closeAndDrain(holder, client);
    }

    @Test
    void ipv6LoopbackConnectsAndCarriesData() {
        List<Tcp> accepted = new ArrayList<>();
        Tcp server = listener(SockAddr.inet("::1", 0), 0, accepted);
        SockAddr addr = server.getsockname();
        assertThat(addr.family()).isEqualTo("IPv6");
        assertThat(addr.address()).isEqualTo("::1");
        Tcp client = connected(addr);
        runUntil("accept", () -> accepted.size() == 1);
        assertThat(client.getpeername()).isEqualTo(addr);
        Sink sink = new Sink();
        accepted.get(0).readStart(sink);
        client.write("over v6".getBytes(StandardCharsets.US_ASCII), null);
        client.shutdown(null);
        runUntil("EOF", sink::ended);
        assertThat(new String(sink.bytes.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("over v6");
        closeAndDrain(server, client, accepted.get(0));
    }

    @Test
    void ipv6OnlyFlagSetsIPV6_V6ONLYAndIsRefusedForIPv4() {
        Tcp only = new Tcp(loop);
        only.bind(SockAddr.inet("::", 0), Tcp.IPV6ONLY);
        assertThat(Net.getsockopt(only.fileno(), Net.IPPROTO_IPV6, Net.IPV6_V6ONLY)).isEqualTo(1);
        Tcp dual = new Tcp(loop);
        dual.bind(SockAddr.inet("::", 0));
        assertThat(Net.getsockopt(dual.fileno(), Net.IPPROTO_IPV6, Net.IPV6_V6ONLY)).isZero();
        assertThat(Net.getsockopt(dual.fileno(), Net.SOL_SOCKET, Net.SO_REUSEADDR)).isEqualTo(1);
        Tcp v4 = new Tcp(loop);
        assertThatThrownBy(() -> v4.bind(ANY_LOCAL_PORT, Tcp.IPV6ONLY))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EINVAL"));
        closeAndDrain(only, dual, v4);
    }

    @Test
    void noDelayAndKeepAliveSetTheSocketOptions() {
        Tcp early = new Tcp(loop);
        early.setNoDelay(true); // no socket yet: applied when there is one
        early.setKeepAlive(true, 30);
        early.bind(ANY_LOCAL_PORT);
        int fd = early.fileno();
        assertThat(Net.getsockopt(fd, Net.IPPROTO_TCP, Net.TCP_NODELAY)).isEqualTo(1);
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_KEEPALIVE)).isEqualTo(1);
        assertThat(Net.getsockopt(fd, Net.IPPROTO_TCP, Net.TCP_KEEPIDLE)).isEqualTo(30);
        assertThat(Net.getsockopt(fd, Net.IPPROTO_TCP, Net.TCP_KEEPINTVL)).isEqualTo(1);
        assertThat(Net.getsockopt(fd, Net.IPPROTO_TCP, Net.TCP_KEEPCNT)).isEqualTo(10);
        early.setNoDelay(false);
        early.setKeepAlive(false, 0);
        assertThat(Net.getsockopt(fd, Net.IPPROTO_TCP, Net.TCP_NODELAY)).isZero();
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_KEEPALIVE)).isZero();
        assertThatThrownBy(() -> early.setKeepAlive(true, 0)).isInstanceOf(IllegalArgumentException.class);
        closeAndDrain(early);
    }

    @Test
    void optionsSetOnAClientBeforeAcceptApplyToTheAcceptedSocket() {
        Tcp server = new Tcp(loop);
        server.bind(ANY_LOCAL_PORT);
        Tcp accepted = new Tcp(loop);
        accepted.setNoDelay(true);
        server.listen(16, err -> server.accept(accepted));
        Tcp client = connected(server.getsockname());
        runUntil("accept", () -> accepted.isReadable());
        assertThat(Net.getsockopt(accepted.fileno(), Net.IPPROTO_TCP, Net.TCP_NODELAY)).isEqualTo(1);
        closeAndDrain(server, client, accepted);
    }

    @Test
    void openAdoptsAnExistingSocket() {
        List<Tcp> accepted = new ArrayList<>();
        Tcp server = listener(ANY_LOCAL_PORT, 0, accepted);
        Fd raw = Net.socket(Net.AF_INET, Net.SOCK_STREAM, 0); // blocking: open makes it non-blocking
        Tcp client = new Tcp(loop);
        client.open(raw);
        assertThat(client.fileno()).isEqualTo(raw.intValue());
        List<ErrnoException> result = new ArrayList<>();
        client.connect(server.getsockname(), result::add);
        runUntil("connect", () -> !result.isEmpty() && accepted.size() == 1);
        assertThat(result).containsExactly((ErrnoException) null);
        assertThatThrownBy(() -> client.open(raw))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EBUSY"));
        closeAndDrain(server, client, accepted.get(0));
        assertThat(raw.isOpen()).as("the handle closed the adopted socket").isFalse();
    }

    @Test
    void openOfADescriptorThatIsNotASocketFailsAtItsFirstSocketOperation() {
        // As uv_tcp_open: the descriptor's type is not checked when it is adopted.
        Fd[] pipe = LibC.pipe2(0);
        Tcp t = new Tcp(loop);
        t.open(pipe[0]);
        assertThatThrownBy(t::getsockname)
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("ENOTSOCK"));
        closeAndDrain(t);
        assertThat(pipe[0].isOpen()).as("the handle closed the adopted descriptor").isFalse();
        pipe[1].close();
    }

    @Test
    void aConnectionNotAcceptedInTheCallbackWaitsAndStopsFurtherAnnouncements() {
        Tcp server = new Tcp(loop);
        server.bind(ANY_LOCAL_PORT);
        int[] announced = {0};
        server.listen(16, err -> announced[0]++);
        Tcp c1 = connected(server.getsockname());
        Tcp c2 = connected(server.getsockname());
        runUntil("an announcement", () -> announced[0] == 1);
        for (int i = 0; i < 5; i++) loop.run(dev.herd.loop.RunMode.NOWAIT);
        assertThat(announced[0]).as("no second announcement before accept").isEqualTo(1);
        Tcp s1 = new Tcp(loop);
        server.accept(s1);
        runUntil("the second announcement", () -> announced[0] == 2);
        Tcp s2 = new Tcp(loop);
        server.accept(s2);
        assertThatThrownBy(() -> server.accept(new Tcp(loop)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EAGAIN"));
        assertThat(s1.getpeername()).isEqualTo(c1.getsockname());
        assertThat(s2.getpeername()).isEqualTo(c2.getsockname());
        List<dev.herd.loop.Handle> all = new ArrayList<>();
        loop.walk(all::add);
        closeAndDrain(all.toArray(new dev.herd.loop.Handle[0]));
    }

    @Test
    void unreferencedIdleStreamDoesNotKeepTheLoopAliveButAPendingWriteDoes() {
        Tcp[] pair = pair();
        pair[0].unref();
        pair[1].unref();
        pair[1].readStart(new Sink());
        assertThat(loop.isAlive()).isFalse();
        List<ErrnoException> done = new ArrayList<>();
        pair[0].write(new byte[] {1}, done::add);
        assertThat(loop.isAlive()).as("a request keeps the loop alive").isTrue();
        loop.run();
        assertThat(done).containsExactly((ErrnoException) null);
        closeAndDrain(pair);
    }

    private Tcp[] pair() {
        List<Tcp> accepted = new ArrayList<>();
        Tcp server = listener(ANY_LOCAL_PORT, 0, accepted);
        Tcp client = connected(server.getsockname());
        runUntil("accept", () -> accepted.size() == 1);
        closeAndDrain(server);
        return new Tcp[] {client, accepted.get(0)};
    }
}
