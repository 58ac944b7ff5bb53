package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class ScmRightsTest {
    private final List<Fd> fds = new ArrayList<>();
    private int a;
    private int b;

    @BeforeEach
    void pair() {
        Fd[] pair = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
        fds.addAll(List.of(pair));
        a = pair[0].intValue();
        b = pair[1].intValue();
    }

    @AfterEach
    void closeAll() {
        fds.forEach(Fd::close);
    }

    private Fd own(Fd fd) {
        fds.add(fd);
        return fd;
    }

    private static String target(int fd) throws Exception {
        return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
    }

    @Test
    void scmRightsPassesAnFdBetweenSocketpairEnds() throws Exception {
        Fd[] pipe = LibC.pipe2(LibC.O_NONBLOCK);
        own(pipe[0]);
        own(pipe[1]);
        byte[] line = "{\"cmd\":\"NODE_HANDLE\"}\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Net.sendmsg(a, line, 0, line.length, new int[] {pipe[1].intValue()}, 0)).isEqualTo(line.length);

        byte[] in = new byte[64];
        Net.RecvMsg m = Net.recvmsg(b, in, 0, in.length, 0, 1);
        assertThat(m.bytes()).isEqualTo(line.length);
        assertThat(new String(in, 0, (int) m.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"cmd\":\"NODE_HANDLE\"}\n");
        assertThat(m.fds()).hasSize(1);
        assertThat(m.ctrunc()).isFalse();
        Fd received = own(Fd.adopt(m.fds()[0]));
        // A new number for the same pipe: writing through it reaches the original read end.
        assertThat(received.intValue()).isNotEqualTo(pipe[1].intValue());
        assertThat(target(received.intValue())).isEqualTo(target(pipe[1].intValue()));
        assertThat(LibC.write(received.intValue(), new byte[] {42}, 0, 1)).isEqualTo(1);
        byte[] one = new byte[1];
        assertThat(LibC.read(pipe[0].intValue(), one, 0, 1)).isEqualTo(1);
        assertThat(one[0]).isEqualTo((byte) 42);
    }

    @Test
    void severalFdsArriveInOrder() throws Exception {
        Fd[] p1 = LibC.pipe2(0);
        Fd[] p2 = LibC.pipe2(0);
        List.of(p1[0], p1[1], p2[0], p2[1]).forEach(this::own);
        int[] send = {p1[0].intValue(), p2[1].intValue(), p1[1].intValue()};
        assertThat(Net.sendmsg(a, new byte[] {1}, 0, 1, send, 0)).isEqualTo(1);
        Net.RecvMsg m = Net.recvmsg(b, new byte[4], 0, 4, 0, Net.RECV_FDS_MAX);
        assertThat(m.fds()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            own(Fd.adopt(m.fds()[i]));
            assertThat(target(m.fds()[i])).isEqualTo(target(send[i]));
        }
    }

    @Test
    void recvmsgClosesSurplusFdsAndReportsCtrunc() {
        // 70 copies of one fd: more than the 64 the control buffer holds (so MSG_CTRUNC, and the
        // kernel drops 6), and more than the 1 we ask for (so recvmsg closes the other 63).
        Fd[] pipe = LibC.pipe2(0);
        own(pipe[0]);
        own(pipe[1]);
        int[] many = new int[70];
        Arrays.fill(many, pipe[0].intValue());
        int before = FdLeakCheck.count();
        assertThat(Net.sendmsg(a, new byte[] {1}, 0, 1, many, 0)).isEqualTo(1);
        Net.RecvMsg m = Net.recvmsg(b, new byte[4], 0, 4, 0, 1);
        assertThat(m.bytes()).isEqualTo(1);
        assertThat(m.ctrunc()).isTrue();
        assertThat(m.flags() & Net.MSG_CTRUNC).isEqualTo(Net.MSG_CTRUNC);
        assertThat(m.fds()).hasSize(1);
        own(Fd.adopt(m.fds()[0]));
        assertThat(FdLeakCheck.count()).isEqualTo(before + 1);
    }

    @Test
    void recvmsgKeepsAtMostMaxFdsWithoutCtrunc() {
        Fd[] pipe = LibC.pipe2(0);
        own(pipe[0]);
        own(pipe[1]);
        int before = FdLeakCheck.count();
        int[] three = {pipe[0].intValue(), pipe[0].intValue(), pipe[1].intValue()};
        assertThat(Net.sendmsg(a, new byte[] {1}, 0, 1, three, 0)).isEqualTo(1);
        Net.RecvMsg m = Net.recvmsg(b, new byte[4], 0, 4, 0, 2);
        assertThat(m.ctrunc()).isFalse();
        assertThat(m.fds()).hasSize(2);
        Arrays.stream(m.fds()).forEach(fd -> own(Fd.adopt(fd)));
        assertThat(FdLeakCheck.count()).isEqualTo(before + 2);
    }

    @Test
    void recvmsgWithMaxFdsZeroClosesEveryFd() {
        Fd[] pipe = LibC.pipe2(0);
        own(pipe[0]);
        own(pipe[1]);
        assertThat(Net.sendmsg(a, new byte[] {1}, 0, 1, new int[] {pipe[0].intValue()}, 0)).isEqualTo(1);
        Net.RecvMsg m = Net.recvmsg(b, new byte[4], 0, 4, 0, 0);
        assertThat(m.bytes()).isEqualTo(1);
        assertThat(m.fds()).isEmpty();
    }

    @Test
    void recvmsgFindsFdsBehindACredentialsMessage() {
        // With SO_PASSCRED the kernel puts SCM_CREDENTIALS first: the fds are in the second cmsg.
        assertThat(Net.setsockopt(b, Net.SOL_SOCKET, Net.SO_PASSCRED, 1)).isZero();
        Fd[] pipe = LibC.pipe2(0);
        own(pipe[0]);
        own(pipe[1]);
        assertThat(Net.sendmsg(a, new byte[] {1}, 0, 1, new int[] {pipe[1].intValue()}, 0)).isEqualTo(1);
        Net.RecvMsg m = Net.recvmsg(b, new byte[4], 0, 4, 0, 4);
        assertThat(m.fds()).hasSize(1);
        own(Fd.adopt(m.fds()[0]));
    }

    @Test
    void plainDataArrivesWithNoFds() {
        assertThat(Net.sendmsg(a, new byte[] {9, 8}, 0, 2, null, 0)).isEqualTo(2);
        Net.RecvMsg m = Net.recvmsg(b, new byte[4], 0, 4, 0, 4);
        assertThat(m.bytes()).isEqualTo(2);
        assertThat(m.fds()).isEmpty();
        assertThat(m.flags()).isZero();
    }

    @Test
    void recvmsgOnIdleSocketReturnsMinusEAGAIN() {
        Net.RecvMsg m = Net.recvmsg(b, new byte[4], 0, 4, 0, 4);
        assertThat(m.bytes()).isEqualTo(-Errno.EAGAIN.number());
        assertThat(m.fds()).isEmpty();
    }

    @Test
    void recvmsgAfterPeerClosedReturnsZero() {
        fds.get(0).close();
        assertThat(Net.recvmsg(b, new byte[4], 0, 4, 0, 4).bytes()).isZero();
    }

    @Test
    void byteBufferVariantsAdvancePositions() {
        ByteBuffer head = ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8));
        ByteBuffer tail = ByteBuffer.allocateDirect(3).put("def".getBytes(StandardCharsets.UTF_8)).flip();
        assertThat(Net.sendmsg(a, new ByteBuffer[] {head, tail}, 0, 2, null, 0)).isEqualTo(6);
        assertThat(head.hasRemaining() || tail.hasRemaining()).isFalse();
        ByteBuffer in = ByteBuffer.allocateDirect(16);
        in.position(1);
        Net.RecvMsg m = Net.recvmsg(b, in, 0, 4);
        assertThat(m.bytes()).isEqualTo(6);
        assertThat(in.position()).isEqualTo(7);
        byte[] got = new byte[6];
        in.get(1, got);
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("abcdef");
    }

    @Test
    void largeHeapMessageRoundTripsThroughScratchMemory() {
        // Bigger than the per-thread scratch keeps (256 KiB): exercises the one-call arena path.
        Fd[] pair = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM, 0);
        own(pair[0]);
        own(pair[1]);
        assertThat(Net.setsockopt(pair[0].intValue(), Net.SOL_SOCKET, Net.SO_SNDBUF, 1 << 20)).isZero();
        assertThat(Net.setsockopt(pair[1].intValue(), Net.SOL_SOCKET, Net.SO_RCVBUF, 1 << 20)).isZero();
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
        long sent = Net.sendmsg(pair[0].intValue(), big, 0, big.length, null, 0);
        assertThat(sent).isPositive();
        byte[] in = new byte[big.length];
        long got = 0;
        while (got < sent) {
            Net.RecvMsg m = Net.recvmsg(pair[1].intValue(), in, (int) got, (int) (sent - got), 0, 0);
            assertThat(m.bytes()).isPositive();
            got += m.bytes();
        }
        assertThat(Arrays.equals(in, 0, (int) sent, big, 0, (int) sent)).isTrue();
    }
}
