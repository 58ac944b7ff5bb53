package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class EpollTest {

    @Test
    void epollEventIsPacked12BytesOnX86_64() {
        String arch = System.getProperty("os.arch");
        // Packed on x86_64 only; 16 bytes (naturally aligned) everywhere else.
        assertThat(Epoll.EVENT_SIZE).isEqualTo(arch.equals("amd64") || arch.equals("x86_64") ? 12 : 16);
        // The proof of the layout: two ready fds must come back with their own data words intact,
        // which only holds if the stride the kernel writes is the one we read.
        Fd[] a = LibC.pipe2(LibC.O_NONBLOCK);
        Fd[] b = LibC.pipe2(LibC.O_NONBLOCK);
        try (Epoll ep = Epoll.create(4)) {
            assertThat(ep.ctl(Epoll.EPOLL_CTL_ADD, a[1].intValue(), Epoll.EPOLLOUT, 0x1122334455667788L)).isZero();
            assertThat(ep.ctl(Epoll.EPOLL_CTL_ADD, b[1].intValue(), Epoll.EPOLLOUT, 0x0102030405060708L)).isZero();
            assertThat(ep.wait(1000)).isEqualTo(2);
            assertThat(new long[] {ep.data(0), ep.data(1)}).containsExactlyInAnyOrder(0x1122334455667788L, 0x0102030405060708L);
            assertThat(ep.events(0)).isEqualTo(Epoll.EPOLLOUT);
            assertThat(ep.events(1)).isEqualTo(Epoll.EPOLLOUT);
        } finally {
            for (Fd fd : new Fd[] {a[0], a[1], b[0], b[1]}) fd.close();
        }
    }

    @Test
    void epollReportsAReadablePipeWithItsData() {
        Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
        try (Epoll ep = Epoll.create(8)) {
            assertThat(ep.ctl(Epoll.EPOLL_CTL_ADD, p[0].intValue(), Epoll.EPOLLIN, 42)).isZero();
            assertThat(ep.wait(0)).isZero();
            assertThat(LibC.write(p[1].intValue(), new byte[] {1}, 0, 1)).isEqualTo(1);
            assertThat(ep.wait(1000)).isEqualTo(1);
            assertThat(ep.events(0)).isEqualTo(Epoll.EPOLLIN);
            assertThat(ep.data(0)).isEqualTo(42);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void epollWaitTimesOutWithNoEvents() {
        try (Epoll ep = Epoll.create(1)) {
            long t0 = System.nanoTime();
            assertThat(ep.wait(50)).isZero();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(40_000_000L);
        }
    }

    @Test
    void epollCtlOnABadFdReturnsMinusEBADF() {
        try (Epoll ep = Epoll.create(1)) {
            assertThat(ep.ctl(Epoll.EPOLL_CTL_ADD, -1, Epoll.EPOLLIN, 0)).isEqualTo(-Errno.EBADF.number());
        }
    }

    @Test
    void epollCloseIsIdempotent() {
        Epoll ep = Epoll.create(1);
        ep.close();
        ep.close();
    }
}
