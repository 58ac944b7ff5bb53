package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(FdLeakCheck.class)
class NetTest {
    private static final SockAddr LOOPBACK = SockAddr.inet("127.0.0.1", 0);

    private final List<Fd> fds = new ArrayList<>();

    @AfterEach
    void closeAll() {
        fds.forEach(Fd::close);
    }

    private Fd own(Fd fd) {
        fds.add(fd);
        return fd;
    }

    private int tcp(int af) {
        return own(Net.socket(af, Net.SOCK_STREAM, 0)).intValue();
    }

    private int listening(SockAddr addr) {
        int fd = tcp(addr.af());
        assertThat(Net.bind(fd, addr)).isZero();
        assertThat(Net.listen(fd, Net.SOMAXCONN)).isZero();
        return fd;
    }

    private static String text(byte[] b, long n) {
        return new String(b, 0, (int) n, StandardCharsets.UTF_8);
    }

    // ---- bind, listen, connect, accept ----

    @Test
    void bindToBusyPortReturnsEADDRINUSE() {
        int first = listening(LOOPBACK);
        SockAddr taken = Net.getsockname(first);
        int second = tcp(Net.AF_INET);
        assertThat(Net.setsockopt(second, Net.SOL_SOCKET, Net.SO_REUSEADDR, 1)).isZero();
        assertThat(Net.bind(second, taken)).isEqualTo(-Errno.EADDRINUSE.number());
    }

    @Test
    void soReuseportLetsTwoListenersShareAPort() {
        int first = tcp(Net.AF_INET);
        assertThat(Net.setsockopt(first, Net.SOL_SOCKET, Net.SO_REUSEPORT, 1)).isZero();
        assertThat(Net.bind(first, LOOPBACK)).isZero();
        assertThat(Net.listen(first, 8)).isZero();
        int second = tcp(Net.AF_INET);
        assertThat(Net.setsockopt(second, Net.SOL_SOCKET, Net.SO_REUSEPORT, 1)).isZero();
        assertThat(Net.bind(second, Net.getsockname(first))).isZero();
    }

    @Test
    void getsocknameReportsTheKernelChosenPort() {
        int fd = listening(LOOPBACK);
        SockAddr local = Net.getsockname(fd);
        assertThat(local.port()).isBetween(1, 65535);
        assertThat(local.address()).isEqualTo("127.0.0.1");
        assertThat(local.toString()).isEqualTo("127.0.0.1:" + local.port());
    }

    @Test
    void connectToClosedPortGivesECONNREFUSED() {
        // A port nobody listens on: bound (so it is ours and free of listeners), never listened.
        int holder = tcp(Net.AF_INET);
        assertThat(Net.bind(holder, LOOPBACK)).isZero();
        SockAddr closed = Net.getsockname(holder);
        int fd = own(Net.socket(Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0)).intValue();
        int r = Net.connect(fd, closed);
        if (r == -Errno.EINPROGRESS.number()) {
            try (Epoll ep = Epoll.create(1)) {
                ep.ctl(Epoll.EPOLL_CTL_ADD, fd, Epoll.EPOLLOUT, 0);
                assertThat(ep.wait(5000)).isEqualTo(1);
            }
            r = Net.soError(fd);
        }
        assertThat(r).isEqualTo(-Errno.ECONNREFUSED.number());
    }

    @Test
    void nonBlockingConnectStartsWithEINPROGRESSOrSucceedsAndEndsWithNoSoError() {
        int listener = listening(LOOPBACK);
        int fd = own(Net.socket(Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0)).intValue();
        int r = Net.connect(fd, Net.getsockname(listener));
        assertThat(r).isIn(0, -Errno.EINPROGRESS.number());
        try (Epoll ep = Epoll.create(1)) {
            ep.ctl(Epoll.EPOLL_CTL_ADD, fd, Epoll.EPOLLOUT, 0);
            assertThat(ep.wait(5000)).isEqualTo(1);
        }
        assertThat(Net.soError(fd)).isZero();
    }

    @Test
    void acceptReportsThePeerAddress() {
        int listener = listening(LOOPBACK);
        int client = tcp(Net.AF_INET);
        assertThat(Net.connect(client, Net.getsockname(listener))).isZero();
        SockAddr[] peer = new SockAddr[1];
        int conn = own(Fd.check(Net.accept4(listener, Net.SOCK_NONBLOCK, peer), "accept4")).intValue();
        assertThat(peer[0]).isEqualTo(Net.getsockname(client));
        assertThat(Net.getpeername(conn)).isEqualTo(peer[0]);
        assertThat(LibC.fcntl(conn, LibC.F_GETFL, 0) & LibC.O_NONBLOCK).isEqualTo(LibC.O_NONBLOCK);
    }

    @Test
    void acceptOnIdleNonBlockingListenerReturnsMinusEAGAIN() {
        int listener = tcp(Net.AF_INET);
        assertThat(LibC.setNonBlocking(listener, true)).isZero();
        assertThat(Net.bind(listener, LOOPBACK)).isZero();
        assertThat(Net.listen(listener, 8)).isZero();
        assertThat(Net.accept4(listener, 0, new SockAddr[1])).isEqualTo(-Errno.EAGAIN.number());
    }

    @Test
    void getpeernameOfUnconnectedSocketThrowsENOTCONN() {
        int fd = tcp(Net.AF_INET);
        assertThatThrownBy(() -> Net.getpeername(fd))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e).hasMessage("ENOTCONN: socket is not connected, getpeername"));
    }

    @Test
    void socketWithUnknownFamilyThrowsEAFNOSUPPORT() {
        assertThatThrownBy(() -> Net.socket(12345, Net.SOCK_STREAM, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("EAFNOSUPPORT");
                    assertThat(e.syscall()).isEqualTo("socket");
                });
    }

    @Test
    void ipv6LoopbackListensAndConnects() {
        int listener = listening(SockAddr.inet("::1", 0));
        SockAddr local = Net.getsockname(listener);
        assertThat(local.family()).isEqualTo("IPv6");
        assertThat(local.toString()).isEqualTo("[::1]:" + local.port());
        int client = tcp(Net.AF_INET6);
        assertThat(Net.connect(client, local)).isZero();
        SockAddr[] peer = new SockAddr[1];
        own(Fd.check(Net.accept4(listener, 0, peer), "accept4"));
        assertThat(peer[0].address()).isEqualTo("::1");
    }

    // ---- options ----

    @Test
    void intSocketOptionsCanBeSetAndReadBack() {
        int fd = tcp(Net.AF_INET);
        assertThat(Net.setsockopt(fd, Net.IPPROTO_TCP, Net.TCP_NODELAY, 1)).isZero();
        assertThat(Net.getsockopt(fd, Net.IPPROTO_TCP, Net.TCP_NODELAY)).isEqualTo(1);
        assertThat(Net.setsockopt(fd, Net.SOL_SOCKET, Net.SO_KEEPALIVE, 1)).isZero();
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_KEEPALIVE)).isEqualTo(1);
        assertThat(Net.setsockopt(fd, Net.IPPROTO_TCP, Net.TCP_KEEPIDLE, 30)).isZero();
        assertThat(Net.getsockopt(fd, Net.IPPROTO_TCP, Net.TCP_KEEPIDLE)).isEqualTo(30);
        assertThat(Net.setsockopt(fd, Net.SOL_SOCKET, Net.SO_RCVBUF, 65536)).isZero();
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_RCVBUF)).isGreaterThanOrEqualTo(65536); // Linux doubles it
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_SNDBUF)).isPositive();
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_TYPE)).isEqualTo(Net.SOCK_STREAM);
        int v6 = tcp(Net.AF_INET6);
        assertThat(Net.setsockopt(v6, Net.IPPROTO_IPV6, Net.IPV6_V6ONLY, 1)).isZero();
        assertThat(Net.getsockopt(v6, Net.IPPROTO_IPV6, Net.IPV6_V6ONLY)).isEqualTo(1);
    }

    @Test
    void getsockoptOnAPipeReturnsMinusENOTSOCK() {
        Fd[] p = LibC.pipe2(0);
        own(p[0]);
        own(p[1]);
        assertThat(Net.getsockopt(p[0].intValue(), Net.SOL_SOCKET, Net.SO_ERROR)).isEqualTo(-Errno.ENOTSOCK.number());
    }

    // ---- stream I/O ----

    @Test
    void sendAndRecvCarryBytesOverTcp() {
        int listener = listening(LOOPBACK);
        int client = own(Net.socket(Net.AF_INET, Net.SOCK_STREAM, 0)).intValue();
        assertThat(Net.connect(client, Net.getsockname(listener))).isZero();
        assertThat(LibC.setNonBlocking(client, true)).isZero();
        int server = own(Fd.check(Net.accept4(listener, Net.SOCK_NONBLOCK, null), "accept4")).intValue();
        byte[] msg = "..ping..".getBytes(StandardCharsets.UTF_8);
        assertThat(Net.send(client, msg, 2, 4, 0)).isEqualTo(4);
        assertThat(awaitReadable(server)).isEqualTo(1);
        byte[] in = new byte[16];
        assertThat(Net.recv(server, in, 0, in.length, 0)).isEqualTo(4);
        assertThat(text(in, 4)).isEqualTo("ping");
    }

    @Test
    void recvOnIdleNonBlockingSocketReturnsMinusEAGAIN() {
        Fd[] pair = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
        own(pair[0]);
        own(pair[1]);
        assertThat(Net.recv(pair[0].intValue(), new byte[8], 0, 8, 0)).isEqualTo(-Errno.EAGAIN.number());
    }

    @Test
    void sendToClosedPeerReturnsMinusEPIPEWithoutASignal() {
        Fd[] pair = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
        own(pair[0]);
        pair[1].close();
        assertThat(Net.send(pair[0].intValue(), new byte[] {1}, 0, 1, 0)).isEqualTo(-Errno.EPIPE.number());
    }

    @Test
    void shutdownWriteGivesThePeerEndOfFile() {
        Fd[] pair = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
        own(pair[0]);
        own(pair[1]);
        assertThat(Net.shutdown(pair[0].intValue(), Net.SHUT_WR)).isZero();
        assertThat(Net.recv(pair[1].intValue(), new byte[8], 0, 8, 0)).isZero();
        // The other direction still works.
        assertThat(Net.send(pair[1].intValue(), new byte[] {7}, 0, 1, 0)).isEqualTo(1);
        assertThat(Net.recv(pair[0].intValue(), new byte[8], 0, 8, 0)).isEqualTo(1);
    }

    @Test
    void writevGathersAndReadvScattersHonouringPositions() {
        Fd[] pair = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM, 0);
        own(pair[0]);
        own(pair[1]);
        ByteBuffer a = ByteBuffer.wrap("xxhello".getBytes(StandardCharsets.UTF_8));
        a.position(2);
        ByteBuffer b = ByteBuffer.allocateDirect(8).put(", ".getBytes(StandardCharsets.UTF_8)).flip();
        ByteBuffer c = ByteBuffer.wrap("world!yy".getBytes(StandardCharsets.UTF_8), 0, 6);
        ByteBuffer skipped = ByteBuffer.wrap(new byte[] {'Z'});
        ByteBuffer[] out = {skipped, a, b, c};
        assertThat(Net.writev(pair[0].intValue(), out, 1, 3)).isEqualTo(13);
        assertThat(a.hasRemaining() || b.hasRemaining() || c.hasRemaining()).isFalse();
        assertThat(skipped.position()).isZero();

        ByteBuffer d = ByteBuffer.allocate(5);
        ByteBuffer e = ByteBuffer.allocateDirect(3);
        ByteBuffer f = ByteBuffer.allocate(16);
        ByteBuffer[] in = {d, e, f};
        assertThat(Net.readv(pair[1].intValue(), in, 0, 3)).isEqualTo(13);
        assertThat(d.position()).isEqualTo(5);
        assertThat(e.position()).isEqualTo(3);
        assertThat(f.position()).isEqualTo(5);
        byte[] eb = new byte[3];
        e.flip().get(eb);
        assertThat(new String(d.array(), StandardCharsets.UTF_8) + new String(eb, StandardCharsets.UTF_8)
                + new String(f.array(), 0, 5, StandardCharsets.UTF_8)).isEqualTo("hello, world!");
    }

    // ---- Unix sockets ----

    @Test
    void unixSocketBindsConnectsAndReportsItsPath(@TempDir Path dir) {
        SockAddr path = SockAddr.unix(dir.resolve("s.sock").toString());
        int listener = listening(path);
        assertThat(Net.getsockname(listener)).isEqualTo(path);
        int client = own(Net.socket(Net.AF_UNIX, Net.SOCK_STREAM, 0)).intValue();
        assertThat(Net.connect(client, path)).isZero();
        SockAddr[] peer = new SockAddr[1];
        own(Fd.check(Net.accept4(listener, 0, peer), "accept4"));
        assertThat(peer[0].isUnix()).isTrue();
        assertThat(peer[0].path()).isEmpty(); // an unbound client is unnamed
    }

    @Test
    void soPeercredGivesEachEndOfAUnixConnectionThePeersPidUidAndGid(@TempDir Path dir) throws IOException {
        SockAddr path = SockAddr.unix(dir.resolve("s.sock").toString());
        int listener = listening(path);
        int client = own(Net.socket(Net.AF_UNIX, Net.SOCK_STREAM, 0)).intValue();
        assertThat(Net.connect(client, path)).isZero();
        int accepted = own(Fd.check(Net.accept4(listener, 0, null), "accept4")).intValue();
        // Both ends are ours here; the node layer's test has the peer in another process.
        Net.Ucred us = new Net.Ucred((int) ProcessHandle.current().pid(), effectiveId("Uid"), effectiveId("Gid"));
        assertThat(Net.getsockopt_peercred(accepted)).isEqualTo(us);
        assertThat(Net.getsockopt_peercred(client)).isEqualTo(us);
    }

    @Test
    void soPeercredOfADescriptorThatIsNoSocketThrowsENOTSOCK() {
        Fd file = own(Fd.check(LibC.open("/proc/self/stat", LibC.O_RDONLY, 0), "open"));
        assertThatThrownBy(() -> Net.getsockopt_peercred(file.intValue()))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("ENOTSOCK");
                    assertThat(e.syscall()).isEqualTo("getsockopt");
                });
    }

    /** This process's effective uid or gid ({@code "Uid"} or {@code "Gid"}), from /proc/self/status. */
    private static int effectiveId(String which) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(which + ":")) return Integer.parseInt(line.split("\\s+")[2]);
        }
        throw new AssertionError("no " + which + " in /proc/self/status");
    }

    @Test
    void bindToExistingUnixPathReturnsEADDRINUSE(@TempDir Path dir) {
        SockAddr path = SockAddr.unix(dir.resolve("s.sock").toString());
        listening(path);
        int other = own(Net.socket(Net.AF_UNIX, Net.SOCK_STREAM, 0)).intValue();
        assertThat(Net.bind(other, path)).isEqualTo(-Errno.EADDRINUSE.number());
    }

    @Test
    void abstractUnixNameBindsWithoutAFile() {
        SockAddr name = SockAddr.unix("\0herd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        int listener = listening(name);
        assertThat(Net.getsockname(listener)).isEqualTo(name);
        int client = own(Net.socket(Net.AF_UNIX, Net.SOCK_STREAM, 0)).intValue();
        assertThat(Net.connect(client, name)).isZero();
    }

    @Test
    void connectToMissingUnixPathReturnsENOENT(@TempDir Path dir) {
        int client = own(Net.socket(Net.AF_UNIX, Net.SOCK_STREAM, 0)).intValue();
        assertThat(Net.connect(client, SockAddr.unix(dir.resolve("none").toString()))).isEqualTo(-Errno.ENOENT.number());
    }

    // ---- UDP ----

    private int udp(SockAddr bindTo) {
        int fd = own(Net.socket(bindTo.af(), Net.SOCK_DGRAM | Net.SOCK_NONBLOCK, 0)).intValue();
        assertThat(Net.bind(fd, bindTo)).isZero();
        return fd;
    }

    private static long awaitReadable(int fd) {
        try (Epoll ep = Epoll.create(1)) {
            ep.ctl(Epoll.EPOLL_CTL_ADD, fd, Epoll.EPOLLIN, 0);
            return ep.wait(5000);
        }
    }

    @Test
    void udpRecvfromReportsTheSender() {
        int a = udp(LOOPBACK);
        int b = udp(LOOPBACK);
        byte[] msg = "hi udp".getBytes(StandardCharsets.UTF_8);
        assertThat(Net.sendto(a, msg, 0, msg.length, 0, Net.getsockname(b))).isEqualTo(msg.length);
        assertThat(awaitReadable(b)).isEqualTo(1);
        SockAddr[] from = new SockAddr[1];
        byte[] in = new byte[64];
        long n = Net.recvfrom(b, in, 0, in.length, 0, from);
        assertThat(text(in, n)).isEqualTo("hi udp");
        assertThat(from[0]).isEqualTo(Net.getsockname(a));
    }

    @Test
    void udpDatagramLongerThanTheBufferIsCutAndMSG_TRUNCGivesItsLength() {
        int a = udp(LOOPBACK);
        int b = udp(LOOPBACK);
        byte[] msg = new byte[100];
        assertThat(Net.sendto(a, msg, 0, msg.length, 0, Net.getsockname(b))).isEqualTo(100);
        assertThat(awaitReadable(b)).isEqualTo(1);
        assertThat(Net.recvfrom(b, new byte[10], 0, 10, Net.MSG_TRUNC, null)).isEqualTo(100);
        assertThat(Net.recvfrom(b, new byte[10], 0, 10, 0, null)).isEqualTo(-Errno.EAGAIN.number());
    }

    @Test
    void udpMulticastJoinedOnLoopbackIsReceived() {
        SockAddr group = SockAddr.inet("239.255.42.99", 0);
        SockAddr lo = SockAddr.inet("127.0.0.1", 0);
        int receiver = udp(SockAddr.inet("0.0.0.0", 0));
        assertThat(Net.ipAddMembership(receiver, group, lo)).isZero();
        int sender = udp(lo);
        assertThat(Net.ipMulticastIf(sender, lo)).isZero();
        assertThat(Net.ipMulticastLoop(sender, true)).isZero();
        assertThat(Net.ipMulticastTtl(sender, 1)).isZero();
        assertThat(Net.getsockopt(sender, Net.IPPROTO_IP, Net.IP_MULTICAST_TTL)).isEqualTo(1);
        byte[] msg = {1, 2, 3};
        assertThat(Net.sendto(sender, msg, 0, 3, 0, group.withPort(Net.getsockname(receiver).port()))).isEqualTo(3);
        assertThat(awaitReadable(receiver)).isEqualTo(1);
        assertThat(Net.recvfrom(receiver, new byte[8], 0, 8, 0, null)).isEqualTo(3);
    }

    @Test
    void droppingAGroupNotJoinedReturnsEADDRNOTAVAIL() {
        SockAddr group = SockAddr.inet("239.255.42.98", 0);
        SockAddr lo = SockAddr.inet("127.0.0.1", 0);
        int fd = udp(SockAddr.inet("0.0.0.0", 0));
        assertThat(Net.ipAddMembership(fd, group, lo)).isZero();
        assertThat(Net.ipDropMembership(fd, group, lo)).isZero();
        assertThat(Net.ipDropMembership(fd, group, lo)).isEqualTo(-Errno.EADDRNOTAVAIL.number());
    }

    @Test
    void ipv6MulticastGroupCanBeJoinedAndLeft() {
        SockAddr group = SockAddr.inet("ff02::1:3", 0);
        int fd = udp(SockAddr.inet("::", 0));
        assertThat(Net.ipv6AddMembership(fd, group, 1)).isZero(); // interface 1: lo
        assertThat(Net.ipv6DropMembership(fd, group, 1)).isZero();
    }

    @Test
    void soBroadcastCanBeTurnedOn() {
        int fd = udp(LOOPBACK);
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_BROADCAST)).isZero();
        assertThat(Net.soBroadcast(fd, true)).isZero();
        assertThat(Net.getsockopt(fd, Net.SOL_SOCKET, Net.SO_BROADCAST)).isEqualTo(1);
    }

    @Test
    void membershipHelpersRejectTheWrongFamily() {
        int fd = udp(LOOPBACK);
        assertThatThrownBy(() -> Net.ipAddMembership(fd, SockAddr.inet("ff02::1", 0), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
