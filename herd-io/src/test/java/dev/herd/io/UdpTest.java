package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.loop.Check;
import dev.herd.loop.Handle;
import dev.herd.os.ErrnoException;
import dev.herd.os.Net;
import dev.herd.os.SockAddr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Udp on real loopback sockets: libuv's test-udp-*.c and Node's test-dgram-* behaviours. Each test
 * ends with every handle closed, {@link dev.herd.loop.Loop#close()} succeeding and the fd set
 * unchanged ({@link IoTestBase}).
 */
class UdpTest extends IoTestBase {
    private static final SockAddr LOOPBACK4 = SockAddr.inet("127.0.0.1", 0);
    private static final SockAddr LOOPBACK6 = SockAddr.inet("::1", 0);

    /** A datagram as the receive callback saw it. */
    private record Got(String text, SockAddr sender, int flags, int length) {}

    private Udp udp() {
        return new Udp(loop);
    }

    private Udp bound(SockAddr addr) {
        Udp u = udp();
        u.bind(addr);
        return u;
    }

    private void run() {
        runToCompletion();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Receives until {@code n} datagrams came, then stops receiving. */
    private static List<Got> receive(Udp u, int n) {
        List<Got> got = new ArrayList<>();
        u.recvStart((error, data, sender, flags) -> {
            assertThat(error).isNull();
            got.add(new Got(new String(data, StandardCharsets.UTF_8), sender, flags, data.length));
            if (got.size() == n) u.recvStop();
        });
        return got;
    }

    private static ErrnoException errnoOf(ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(ErrnoException.class);
        return (ErrnoException) t;
    }

    // ---------------------------------------------------------------- send and receive

    @Test
    void datagramMakesARoundTripOverIPv4() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<String> atB = new ArrayList<>();
        b.recvStart((error, data, sender, flags) -> {
            atB.add(new String(data, StandardCharsets.UTF_8));
            b.send(bytes("pong"), sender, null);
            b.recvStop();
        });
        List<Got> atA = receive(a, 1);

        a.send(bytes("ping"), b.getsockname(), null);
        run();

        assertThat(atB).containsExactly("ping");
        assertThat(atA).extracting(Got::text).containsExactly("pong");
        closeAll(a, b);
    }

    @Test
    void datagramMakesARoundTripOverIPv6() {
        Udp a = bound(LOOPBACK6);
        Udp b = bound(LOOPBACK6);
        List<Got> got = receive(b, 1);

        a.send(bytes("hello over v6"), b.getsockname(), null);
        run();

        assertThat(got).singleElement().satisfies(g -> {
            assertThat(g.text()).isEqualTo("hello over v6");
            assertThat(g.sender()).isEqualTo(a.getsockname());
            assertThat(g.sender().family()).isEqualTo("IPv6");
        });
        closeAll(a, b);
    }

    @Test
    void receiverIsToldTheSendersAddress() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 1);

        a.send(bytes("who"), b.getsockname(), null);
        run();

        SockAddr sender = got.get(0).sender();
        assertThat(sender).isEqualTo(a.getsockname());
        assertThat(sender.address()).isEqualTo("127.0.0.1");
        assertThat(sender.port()).isEqualTo(a.getsockname().port()).isPositive();
        closeAll(a, b);
    }

    @Test
    void manyDatagramsArriveInOrderOnLoopback() {
        int total = 2000;
        int window = 32; // in flight at once: well under the receive buffer, so loopback drops none
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        SockAddr to = b.getsockname();
        List<Integer> got = new ArrayList<>();
        int[] sent = {0};
        b.recvStart((error, data, sender, flags) -> {
            assertThat(error).isNull();
            got.add(Integer.parseInt(new String(data, StandardCharsets.UTF_8)));
            if (sent[0] < total) a.send(bytes(Integer.toString(sent[0]++)), to, null);
            if (got.size() == total) b.recvStop();
        });
        while (sent[0] < window) a.send(bytes(Integer.toString(sent[0]++)), to, null);

        run();

        assertThat(got).hasSize(total);
        for (int i = 0; i < total; i++) assertThat(got.get(i)).isEqualTo(i);
        closeAll(a, b);
    }

    @Test
    void emptyDatagramIsDeliveredWithItsSender() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 1);

        a.send(new byte[0], b.getsockname(), null);
        run();

        assertThat(got).singleElement().satisfies(g -> {
            assertThat(g.length()).isZero();
            assertThat(g.sender()).isEqualTo(a.getsockname());
        });
        closeAll(a, b);
    }

    @Test
    void datagramLongerThanTheBufferIsCutAndFlaggedPartial() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = new ArrayList<>();
        b.recvStart(10, (error, data, sender, flags) -> {
            got.add(new Got(new String(data, StandardCharsets.UTF_8), sender, flags, data.length));
            if (got.size() == 2) b.recvStop();
        });

        a.send(bytes("0123456789abcdefghij"), b.getsockname(), null);
        a.send(bytes("short"), b.getsockname(), null);
        run();

        assertThat(got).hasSize(2);
        assertThat(got.get(0).text()).isEqualTo("0123456789");
        assertThat(got.get(0).flags()).isEqualTo(Udp.PARTIAL);
        assertThat(got.get(1).text()).isEqualTo("short");
        assertThat(got.get(1).flags()).isZero();
        closeAll(a, b);
    }

    @Test
    void recvStopStopsDeliveryAndTheDatagramsWaitInTheKernel() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 1);
        a.send(bytes("one"), b.getsockname(), null);
        a.send(bytes("two"), b.getsockname(), null);

        run();

        assertThat(got).extracting(Got::text).containsExactly("one");
        assertThat(b.isReceiving()).isFalse();
        assertThat(b.isActive()).isFalse();

        List<Got> later = receive(b, 1);
        run();
        assertThat(later).extracting(Got::text).containsExactly("two");
        closeAll(a, b);
    }

    @Test
    void readsAtMostRECVS_PER_WAKEUPDatagramsPerPollPhase() {
        int total = Udp.RECVS_PER_WAKEUP * 3;
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        int[] thisIteration = {0};
        List<Integer> perIteration = new ArrayList<>();
        Check check = new Check(loop);
        check.start(() -> {
            if (thisIteration[0] > 0) perIteration.add(thisIteration[0]);
            thisIteration[0] = 0;
        });
        check.unref();
        int[] got = {0};
        b.recvStart((error, data, sender, flags) -> {
            thisIteration[0]++;
            if (++got[0] == total) b.recvStop();
        });
        // Sent with trySend so they are all in b's receive queue before the loop polls.
        for (int i = 0; i < total; i++) assertThat(a.trySend(bytes("x" + i), b.getsockname())).isTrue();

        run();

        assertThat(got[0]).isEqualTo(total);
        assertThat(perIteration).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(Udp.RECVS_PER_WAKEUP));
        assertThat(perIteration.get(0)).isEqualTo(Udp.RECVS_PER_WAKEUP);
        closeAll(a, b, check);
    }

    @Test
    void closingTheHandleInTheReceiveCallbackStopsTheReads() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        int[] calls = {0};
        b.recvStart((error, data, sender, flags) -> {
            calls[0]++;
            b.close();
        });
        for (int i = 0; i < 5; i++) assertThat(a.trySend(bytes("d" + i), b.getsockname())).isTrue();

        run();

        assertThat(calls[0]).isEqualTo(1);
        a.close();
    }

    // ---------------------------------------------------------------- send queue and callbacks

    @Test
    void sendCallbackRunsExactlyOnceAndNeverInsideSend() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<ErrnoException> results = new ArrayList<>();
        int[] calls = {0};

        a.send(bytes("x"), b.getsockname(), e -> {
            calls[0]++;
            results.add(e);
        });
        assertThat(calls[0]).as("not inside send()").isZero();
        assertThat(loop.activeRequests()).isEqualTo(1);
        run();

        assertThat(calls[0]).isEqualTo(1);
        assertThat(results).containsExactly((ErrnoException) null);
        assertThat(loop.activeRequests()).isZero();
        closeAll(a, b);
    }

    @Test
    void sendsMadeWhileOthersAreInFlightWaitForWritabilityAndCompleteInOrder() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 3);
        List<String> order = new ArrayList<>();

        a.send(bytes("1"), b.getsockname(), e -> order.add("1:" + e));
        a.send(bytes("22"), b.getsockname(), e -> order.add("2:" + e));
        a.send(bytes("333"), b.getsockname(), e -> order.add("3:" + e));
        assertThat(a.sendQueueCount()).isEqualTo(3);
        assertThat(a.sendQueueSize()).isEqualTo(6);
        assertThat(a.isActive()).isTrue();
        run();

        assertThat(order).containsExactly("1:null", "2:null", "3:null");
        assertThat(got).extracting(Got::text).containsExactly("1", "22", "333");
        assertThat(a.sendQueueCount()).isZero();
        assertThat(a.sendQueueSize()).isZero();
        assertThat(a.isActive()).as("nothing in flight, not receiving").isFalse();
        closeAll(a, b);
    }

    @Test
    void sendFromASendCallbackIsSentAndCompletes() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 3);
        int[] done = {0};
        Udp.SendCallback[] next = new Udp.SendCallback[1];
        next[0] = e -> {
            assertThat(e).isNull();
            if (++done[0] < 3) a.send(bytes("n" + done[0]), b.getsockname(), next[0]);
        };
        a.send(bytes("n0"), b.getsockname(), next[0]);

        run();

        assertThat(done[0]).isEqualTo(3);
        assertThat(got).extracting(Got::text).containsExactly("n0", "n1", "n2");
        closeAll(a, b);
    }

    @Test
    void closeWithQueuedSendsCompletesThemWithECANCELEDBeforeTheCloseCallback() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<String> log = new ArrayList<>();
        a.send(bytes("sent at once"), b.getsockname(), e -> log.add("1:" + (e == null ? "ok" : e.code())));
        a.send(bytes("queued"), b.getsockname(), e -> log.add("2:" + (e == null ? "ok" : e.code())));
        a.send(bytes("queued too"), b.getsockname(), e -> {
            log.add("3:" + (e == null ? "ok" : e.code()));
            assertThat(e.syscall()).isEqualTo("send");
        });

        a.close(() -> log.add("closed"));
        assertThat(log).as("nothing runs inside close()").isEmpty();
        assertThat(a.fileno()).isEqualTo(-1);
        run();

        assertThat(log).containsExactly("1:ok", "2:ECANCELED", "3:ECANCELED", "closed");
        assertThat(loop.activeRequests()).isZero();
        b.close();
    }

    @Test
    void trySendSendsAtOnceOrReportsThatItWouldWait() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 2);

        assertThat(a.trySend(bytes("now"), b.getsockname())).isTrue();
        a.send(bytes("queued"), b.getsockname(), null);
        a.send(bytes("behind"), b.getsockname(), null);
        assertThat(a.trySend(bytes("must not overtake"), b.getsockname()))
                .as("sends are in flight: they go first").isFalse();
        run();

        assertThat(got).extracting(Got::text).startsWith("now", "queued");
        closeAll(a, b);
    }

    @Test
    void datagramOf70000BytesFailsWithEMSGSIZE() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        SockAddr to = b.getsockname();
        ErrnoException[] error = {null};

        a.send(new byte[70_000], to, e -> error[0] = e);
        run();

        assertThat(error[0]).isNotNull();
        assertThat(error[0].code()).isEqualTo("EMSGSIZE");
        assertThat(error[0].errno()).isEqualTo(-90);
        assertThat(error[0].syscall()).isEqualTo("send");
        assertThat(error[0]).hasMessage("send EMSGSIZE 127.0.0.1:" + to.port());
        assertThat(errnoOf(() -> a.trySend(new byte[70_000], to)).code()).isEqualTo("EMSGSIZE");
        closeAll(a, b);
    }

    @Test
    void sendOnAClosedHandleIsRefused() {
        Udp a = bound(LOOPBACK4);
        a.close();

        assertThatThrownBy(() -> a.send(bytes("x"), LOOPBACK4.withPort(9), null)).isInstanceOf(IllegalStateException.class);
        assertThat(loop.activeRequests()).isZero();
    }

    // ---------------------------------------------------------------- bind

    @Test
    void bindToABusyPortThrowsEADDRINUSE() {
        Udp a = bound(LOOPBACK4);
        SockAddr taken = a.getsockname();
        Udp b = udp();

        ErrnoException e = errnoOf(() -> b.bind(taken));

        assertThat(e.code()).isEqualTo("EADDRINUSE");
        assertThat(e.syscall()).isEqualTo("bind");
        assertThat(e.address()).isEqualTo("127.0.0.1");
        assertThat(e.port()).isEqualTo(taken.port());
        assertThat(e).hasMessage("bind EADDRINUSE 127.0.0.1:" + taken.port());
        closeAll(a, b);
    }

    @Test
    void reuseAddrLetsTwoSocketsBindOnePort() {
        Udp a = udp();
        a.bind(LOOPBACK4, Udp.REUSEADDR);
        Udp b = udp();

        b.bind(a.getsockname(), Udp.REUSEADDR);

        assertThat(b.getsockname()).isEqualTo(a.getsockname());
        closeAll(a, b);
    }

    @Test
    void ipv6OnlyLetsAnIPv6WildcardShareAPortWithTheIPv4Wildcard() {
        Udp v4 = bound(SockAddr.inet("0.0.0.0", 0));
        int port = v4.getsockname().port();
        Udp v6 = udp();

        v6.bind(SockAddr.inet("::", port), Udp.IPV6ONLY);

        assertThat(v6.getsockname().port()).isEqualTo(port);
        assertThat(Net.getsockopt(v6.fileno(), Net.IPPROTO_IPV6, Net.IPV6_V6ONLY)).isEqualTo(1);
        closeAll(v4, v6);
    }

    @Test
    void badBindsAreEINVAL() {
        Udp a = udp();
        assertThat(errnoOf(() -> a.bind(LOOPBACK4, 0x1000)).code()).as("unknown flag").isEqualTo("EINVAL");
        assertThat(errnoOf(() -> a.bind(LOOPBACK4, Udp.IPV6ONLY)).code()).as("IPV6ONLY on IPv4").isEqualTo("EINVAL");
        a.bind(LOOPBACK4);
        assertThat(errnoOf(() -> a.bind(LOOPBACK4)).code()).as("second bind").isEqualTo("EINVAL");
        a.close();
    }

    @Test
    void firstSendBindsImplicitlyToTheWildcardAddress() {
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 1);
        Udp a = udp();
        assertThat(errnoOf(a::getsockname)).hasMessage("getsockname EBADF");

        a.send(bytes("x"), b.getsockname(), null);
        SockAddr local = a.getsockname();
        run();

        assertThat(local.address()).isEqualTo("0.0.0.0");
        assertThat(local.port()).isPositive();
        assertThat(got.get(0).sender().port()).isEqualTo(local.port());
        closeAll(a, b);
    }

    @Test
    void recvStartBindsImplicitly() {
        Udp a = udp();

        a.recvStart((error, data, sender, flags) -> {});

        assertThat(a.getsockname().address()).isEqualTo("0.0.0.0");
        assertThat(a.getsockname().port()).isPositive();
        assertThat(a.isActive()).isTrue();
        a.close();
    }

    @Test
    void recvStartTwiceIsEALREADY() {
        Udp a = bound(LOOPBACK4);
        a.recvStart((error, data, sender, flags) -> {});

        assertThat(errnoOf(() -> a.recvStart((error, data, sender, flags) -> {})).code()).isEqualTo("EALREADY");
        a.close();
    }

    // ---------------------------------------------------------------- connected UDP

    @Test
    void connectedSocketSendsWithoutAnAddress() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        List<Got> got = receive(b, 1);

        a.connect(b.getsockname());
        assertThat(a.isConnected()).isTrue();
        assertThat(a.getpeername()).isEqualTo(b.getsockname());
        a.send(bytes("connected"), null, e -> assertThat(e).isNull());
        run();

        assertThat(got).extracting(Got::text).containsExactly("connected");
        closeAll(a, b);
    }

    @Test
    void connectedSocketRefusesAnAddressAndAnUnconnectedOneNeedsOne() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        assertThat(errnoOf(() -> a.send(bytes("x"), null, null)).code()).isEqualTo("EDESTADDRREQ");

        a.connect(b.getsockname());

        assertThat(errnoOf(() -> a.send(bytes("x"), b.getsockname(), null)).code()).isEqualTo("EISCONN");
        assertThat(errnoOf(() -> a.connect(b.getsockname())).code()).isEqualTo("EISCONN");
        assertThat(loop.activeRequests()).isZero();
        closeAll(a, b);
    }

    @Test
    void disconnectDissolvesTheAssociation() {
        Udp a = bound(LOOPBACK4);
        Udp b = bound(LOOPBACK4);
        a.connect(b.getsockname());

        a.disconnect();

        assertThat(a.isConnected()).isFalse();
        ErrnoException e = errnoOf(a::getpeername);
        assertThat(e.code()).isEqualTo("ENOTCONN");
        assertThat(e).hasMessage("getpeername ENOTCONN");
        assertThat(errnoOf(a::disconnect).code()).isEqualTo("ENOTCONN");
        closeAll(a, b);
    }

    @Test
    void connectBindsImplicitly() {
        Udp b = bound(LOOPBACK4);
        Udp a = udp();

        a.connect(b.getsockname());

        assertThat(a.getsockname().port()).isPositive();
        closeAll(a, b);
    }

    @Test
    void connectedSocketHearsECONNREFUSEDWhenThePeerIsGone() {
        Udp gone = bound(LOOPBACK4);
        SockAddr nobody = gone.getsockname();
        gone.close();
        Udp a = bound(LOOPBACK4);
        a.connect(nobody);
        List<String> errors = new ArrayList<>();
        a.recvStart((error, data, sender, flags) -> {
            assertThat(data).isNull();
            errors.add(error.code() + " / " + error.getMessage());
            a.recvStop();
        });

        a.send(bytes("anyone?"), null, null);
        run();

        assertThat(errors).containsExactly("ECONNREFUSED / recvmsg ECONNREFUSED");
        a.close();
    }

    // ---------------------------------------------------------------- options

    @Test
    void optionsBeforeTheSocketExistsFailWithEBADF() {
        Udp a = udp();

        assertThat(errnoOf(() -> a.setBroadcast(true))).hasMessage("setBroadcast EBADF");
        assertThat(errnoOf(() -> a.setTTL(10))).hasMessage("setTTL EBADF");
        assertThat(a.fileno()).isEqualTo(-1);
        a.close();
    }

    @Test
    void optionsReachTheSocket() {
        Udp a = bound(LOOPBACK4);

        a.setBroadcast(true);
        a.setTTL(17);
        a.setMulticastTTL(3);
        a.setMulticastLoop(false);

        int fd = a.fileno();
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_BROADCAST)).isEqualTo(1);
        assertThat(Net.getsockopt(fd, Net.IPPROTO_IP, Net.IP_TTL)).isEqualTo(17);
        assertThat(Net.getsockopt(fd, Net.IPPROTO_IP, Net.IP_MULTICAST_TTL)).isEqualTo(3);
        assertThat(Net.getsockopt(fd, Net.IPPROTO_IP, Net.IP_MULTICAST_LOOP)).isZero();
        a.close();
    }

    @Test
    void ipv6SocketsGetTheIPv6Options() {
        Udp a = bound(LOOPBACK6);

        a.setTTL(33);
        a.setMulticastTTL(4);

        assertThat(Net.getsockopt(a.fileno(), Net.IPPROTO_IPV6, Net.IPV6_UNICAST_HOPS)).isEqualTo(33);
        assertThat(Net.getsockopt(a.fileno(), Net.IPPROTO_IPV6, Net.IPV6_MULTICAST_HOPS)).isEqualTo(4);
        a.close();
    }

    @Test
    void ttlOutsideItsRangeIsEINVAL() {
        Udp a = bound(LOOPBACK4);

        assertThat(errnoOf(() -> a.setTTL(0))).hasMessage("setTTL EINVAL");
        assertThat(errnoOf(() -> a.setTTL(256)).code()).isEqualTo("EINVAL");
        assertThat(errnoOf(() -> a.setMulticastTTL(-1)).code()).isEqualTo("EINVAL");
        assertThat(errnoOf(() -> a.setMulticastTTL(256))).hasMessage("setMulticastTTL EINVAL");
        a.close();
    }

    @Test
    void multicastJoinedOnLoopbackIsReceived() {
        String group = "239.255.42.97";
        Udp receiver = udp();
        receiver.bind(SockAddr.inet("0.0.0.0", 0), Udp.REUSEADDR);
        receiver.addMembership(group, "127.0.0.1");
        List<Got> got = receive(receiver, 1);
        Udp sender = bound(LOOPBACK4);
        sender.setMulticastInterface("127.0.0.1");
        sender.setMulticastLoop(true);
        sender.setMulticastTTL(1);

        sender.send(bytes("to the group"), SockAddr.inet(group, receiver.getsockname().port()), e -> assertThat(e).isNull());
        run();

        assertThat(got).singleElement().satisfies(g -> {
            assertThat(g.text()).isEqualTo("to the group");
            assertThat(g.sender().port()).isEqualTo(sender.getsockname().port());
        });
        receiver.dropMembership(group, "127.0.0.1");
        closeAll(receiver, sender);
    }

    @Test
    void addMembershipBindsImplicitlyWithReuseAddr() {
        Udp a = udp();

        a.addMembership("239.255.42.96", "127.0.0.1");

        assertThat(a.getsockname().address()).isEqualTo("0.0.0.0");
        assertThat(Net.getsockopt(a.fileno(), Net.SOL_SOCKET, Net.SO_REUSEADDR)).isEqualTo(1);
        a.close();
    }

    @Test
    void droppingAGroupNotJoinedIsEADDRNOTAVAIL() {
        Udp a = bound(SockAddr.inet("0.0.0.0", 0));

        ErrnoException e = errnoOf(() -> a.dropMembership("239.255.42.95", "127.0.0.1"));

        assertThat(e.code()).isEqualTo("EADDRNOTAVAIL");
        assertThat(e).hasMessage("dropMembership EADDRNOTAVAIL");
        a.close();
    }

    @Test
    void ipv6GroupCanBeJoinedAndLeftOnLoopback() {
        Udp a = bound(SockAddr.inet("::", 0));

        a.addMembership("ff02::1:3", "::%lo");
        a.setMulticastInterface("::%lo");
        a.dropMembership("ff02::1:3", "::%lo");

        assertThat(Net.getsockopt(a.fileno(), Net.IPPROTO_IPV6, Net.IPV6_MULTICAST_IF)).isEqualTo(1);
        a.close();
    }

    @Test
    void textThatIsNotAnAddressIsEINVAL() {
        Udp a = bound(SockAddr.inet("0.0.0.0", 0));

        assertThat(errnoOf(() -> a.addMembership("not-an-ip", null))).hasMessage("addMembership EINVAL");
        assertThat(errnoOf(() -> a.addMembership("239.1.2.3", "::1")).code()).as("family mismatch").isEqualTo("EINVAL");
        assertThat(errnoOf(() -> a.setMulticastInterface("eth0"))).hasMessage("setMulticastInterface EINVAL");
        a.close();
    }

    // ---------------------------------------------------------------- handle life

    @Test
    void receivingHandleKeepsTheLoopAliveUnlessUnreferenced() {
        Udp a = bound(LOOPBACK4);
        a.recvStart((error, data, sender, flags) -> {});
        assertThat(loop.isAlive()).isTrue();

        a.unref();

        assertThat(loop.isAlive()).isFalse();
        assertThat(a.isActive()).isTrue();
        a.close();
    }

    @Test
    void closeIsIdempotentAndReleasesTheSocketAtOnce() {
        Udp a = bound(LOOPBACK4);
        SockAddr addr = a.getsockname();
        int[] closed = {0};

        a.close(() -> closed[0]++);
        a.close(() -> closed[0]++);
        Udp b = bound(addr); // the port is free again at once
        run();

        assertThat(closed[0]).isEqualTo(1);
        assertThat(a.isClosed()).isTrue();
        b.close();
    }

    @Test
    void methodsRefuseOtherThreads() throws InterruptedException {
        Udp a = bound(LOOPBACK4);
        Throwable[] thrown = {null};
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                a.send(bytes("x"), LOOPBACK4.withPort(9), null);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        t.join(DEADLINE_MS);

        assertThat(thrown[0]).isInstanceOf(IllegalStateException.class);
        a.close();
    }

    private static void closeAll(Handle... hs) {
        for (Handle h : hs) h.close();
    }
}
