package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The steering program on a real SO_REUSEPORT group: where the kernel puts new connections. */
@ExtendWith(FdLeakCheck.class)
class ReuseportGroupTest {
    private final List<Fd> fds = new ArrayList<>();
    private final ReuseportGroup group = new ReuseportGroup();
    private int port;

    @AfterEach
    void closeAll() {
        fds.forEach(Fd::close);
    }

    private Fd own(Fd fd) {
        fds.add(fd);
        return fd;
    }

    /** A listening socket of the group (the first one picks the port). */
    private Fd listener() {
        Fd fd = own(Net.socket(Net.AF_INET, Net.SOCK_STREAM, 0));
        assertThat(Net.setsockopt(fd.intValue(), Net.SOL_SOCKET, Net.SO_REUSEPORT, 1)).isZero();
        assertThat(Net.bind(fd.intValue(), SockAddr.inet("127.0.0.1", port))).isZero();
        assertThat(Net.listen(fd.intValue(), 512)).isZero();
        if (port == 0) port = Net.getsockname(fd.intValue()).port();
        group.joined(fd.intValue());
        return fd;
    }

    /** Connects a client (from {@code from}, or any port with 0); the connection waits in a listener's queue. */
    private void connect(int from) {
        Fd c = own(Net.socket(Net.AF_INET, Net.SOCK_STREAM, 0));
        if (from != 0) {
            assertThat(Net.setsockopt(c.intValue(), Net.SOL_SOCKET, Net.SO_REUSEADDR, 1)).isZero();
            assertThat(Net.bind(c.intValue(), SockAddr.inet("127.0.0.1", from))).isZero();
        }
        assertThat(Net.connect(c.intValue(), SockAddr.inet("127.0.0.1", port))).isZero();
    }

    private static int queued(Fd listener) {
        return Net.acceptQueueLength(listener.intValue());
    }

    @Test
    void acceptQueueLengthCountsTheConnectionsWaiting() {
        Fd l = listener();
        connect(0);
        connect(0);
        connect(0);
        assertThat(queued(l)).isEqualTo(3);
        Fd accepted = own(Fd.adopt(Net.accept4(l.intValue(), 0, null)));
        assertThat(accepted.intValue()).isPositive();
        assertThat(queued(l)).isEqualTo(2);
    }

    @Test
    void everyNewConnectionGoesToTheOnlyLiveSocket() {
        Fd a = listener();
        Fd b = listener();
        Fd c = listener();
        group.live(b.intValue(), true);
        assertThat(group.steer()).isZero();
        for (int i = 0; i < 20; i++) connect(0);
        assertThat(queued(a)).isZero();
        assertThat(queued(b)).isEqualTo(20);
        assertThat(queued(c)).isZero();
    }

    @Test
    void newConnectionsAreSpreadOverTheLiveSocketsOnly() {
        Fd a = listener();
        Fd b = listener();
        Fd c = listener();
        group.live(a.intValue(), true);
        group.live(c.intValue(), true);
        assertThat(group.steer()).isZero();
        for (int i = 0; i < 200; i++) connect(0);
        assertThat(queued(b)).isZero();
        assertThat(queued(a)).isBetween(60, 140);
        assertThat(queued(a) + queued(c)).isEqualTo(200);
    }

    @Test
    void aProbePortReachesItsSocketThoughItIsNotLive() {
        Fd a = listener();
        Fd b = listener();
        group.live(a.intValue(), true);
        Fd probe = own(Net.socket(Net.AF_INET, Net.SOCK_STREAM, 0));
        assertThat(Net.bind(probe.intValue(), SockAddr.inet("127.0.0.1", 0))).isZero();
        int from = Net.getsockname(probe.intValue()).port();
        group.probe(from, b.intValue());
        assertThat(group.steer()).isZero();
        assertThat(Net.connect(probe.intValue(), SockAddr.inet("127.0.0.1", port))).isZero();
        connect(0);
        assertThat(queued(b)).isEqualTo(1);
        assertThat(queued(a)).isEqualTo(1);
    }

    @Test
    void aSocketThatLeavesIsReplacedByTheLastInTheKernelsOrder() {
        Fd a = listener();
        Fd b = listener();
        Fd c = listener();
        assertThat(group.close(a.intValue(), a::close)).isZero();
        assertThat(group.sockets()).containsExactly(c.intValue(), b.intValue());
        group.live(c.intValue(), true);
        assertThat(group.steer()).isZero();
        for (int i = 0; i < 10; i++) connect(0);
        assertThat(queued(c)).isEqualTo(10);
        assertThat(queued(b)).isZero();
    }

    @Test
    void steeringReadsIpv6AndIpv4ClientsOfADualStackSocket() {
        List<Fd> ls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Fd fd = own(Net.socket(Net.AF_INET6, Net.SOCK_STREAM, 0));
            assertThat(Net.setsockopt(fd.intValue(), Net.SOL_SOCKET, Net.SO_REUSEPORT, 1)).isZero();
            assertThat(Net.bind(fd.intValue(), SockAddr.inet("::", port))).isZero();
            assertThat(Net.listen(fd.intValue(), 512)).isZero();
            if (port == 0) port = Net.getsockname(fd.intValue()).port();
            group.joined(fd.intValue());
            ls.add(fd);
        }
        Fd probe = own(Net.socket(Net.AF_INET6, Net.SOCK_STREAM, 0));
        assertThat(Net.bind(probe.intValue(), SockAddr.inet("::1", 0))).isZero();
        group.probe(Net.getsockname(probe.intValue()).port(), ls.get(0).intValue());
        group.live(ls.get(1).intValue(), true);
        assertThat(group.steer()).isZero();
        assertThat(Net.connect(probe.intValue(), SockAddr.inet("::1", port))).isZero();
        for (int i = 0; i < 10; i++) {
            Fd c = own(Net.socket(Net.AF_INET6, Net.SOCK_STREAM, 0));
            assertThat(Net.connect(c.intValue(), SockAddr.inet("::1", port))).isZero();
        }
        for (int i = 0; i < 10; i++) connect(0); // IPv4 into the dual-stack sockets
        assertThat(queued(ls.get(0))).isEqualTo(1);
        assertThat(queued(ls.get(1))).isEqualTo(20);
    }

    @Test
    void withNoLiveSocketTheKernelsHashPicks() {
        Fd a = listener();
        Fd b = listener();
        group.live(a.intValue(), true);
        assertThat(group.steer()).isZero();
        group.live(a.intValue(), false);
        assertThat(group.steer()).isZero();
        for (int i = 0; i < 100; i++) connect(0);
        assertThat(queued(a)).isPositive();
        assertThat(queued(b)).isPositive();
    }
}
