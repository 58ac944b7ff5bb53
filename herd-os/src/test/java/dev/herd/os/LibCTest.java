package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class LibCTest {
    private static final int EAGAIN = Errno.EAGAIN.number();
    private static final int EBADF = Errno.EBADF.number();

    @Test
    void readOnEmptyNonBlockingPipeReturnsMinusEAGAIN() {
        Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
        try {
            assertThat(LibC.read(p[0].intValue(), new byte[16], 0, 16)).isEqualTo(-EAGAIN);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void bytesWrittenToAPipeComeOutOfItsReadEnd() {
        Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
        try {
            byte[] hello = "xxhelloxx".getBytes(StandardCharsets.US_ASCII);
            assertThat(LibC.write(p[1].intValue(), hello, 2, 5)).isEqualTo(5);
            byte[] in = new byte[10];
            assertThat(LibC.read(p[0].intValue(), in, 3, 7)).isEqualTo(5);
            assertThat(new String(in, 3, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void readOfClosedWriteEndGivesEndOfFile() {
        Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
        p[1].close();
        try {
            assertThat(LibC.read(p[0].intValue(), new byte[4], 0, 4)).isZero();
        } finally {
            p[0].close();
        }
    }

    @Test
    void byteBufferReadAndWriteAdvancePositions() {
        Fd[] p = LibC.pipe2(0);
        try {
            ByteBuffer out = ByteBuffer.wrap("..abc".getBytes(StandardCharsets.US_ASCII));
            out.position(2);
            assertThat(LibC.write(p[1].intValue(), out)).isEqualTo(3);
            assertThat(out.hasRemaining()).isFalse();
            ByteBuffer heap = ByteBuffer.allocate(2);
            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            assertThat(LibC.read(p[0].intValue(), heap)).isEqualTo(2);
            assertThat(LibC.read(p[0].intValue(), direct)).isEqualTo(1);
            assertThat(new String(heap.array(), StandardCharsets.US_ASCII)).isEqualTo("ab");
            assertThat(direct.position()).isEqualTo(1);
            assertThat(direct.get(0)).isEqualTo((byte) 'c');
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void readIntoReadOnlyBufferThrowsBeforeConsumingInput() {
        Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
        try {
            assertThat(LibC.write(p[1].intValue(), new byte[] {5}, 0, 1)).isEqualTo(1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LibC.read(p[0].intValue(), ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(java.nio.ReadOnlyBufferException.class);
            assertThat(LibC.read(p[0].intValue(), new byte[4], 0, 4)).isEqualTo(1);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void negativeFdGivesMinusEBADF() {
        assertThat(LibC.read(-1, new byte[1], 0, 1)).isEqualTo(-EBADF);
        assertThat(LibC.write(-1, new byte[1], 0, 1)).isEqualTo(-EBADF);
        assertThat(LibC.close(-1)).isEqualTo(-EBADF);
        assertThat(LibC.fcntl(-1, LibC.F_GETFD, 0)).isEqualTo(-EBADF);
        assertThat(Net.send(-1, new byte[1], 0, 1, 0)).isEqualTo(-EBADF);
        assertThat(Net.listen(-1, 1)).isEqualTo(-EBADF);
    }

    @Test
    void errnoIsCapturedPerThread() throws Exception {
        // Two threads fail at the same time with different errnos; each must read its own.
        Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
        try {
            int rounds = 20_000;
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicReference<String> wrong = new AtomicReference<>();
            Runnable eagain = () -> repeat(start, rounds, () -> LibC.read(p[0].intValue(), new byte[1], 0, 1), -EAGAIN, wrong);
            Runnable ebadf = () -> repeat(start, rounds, () -> LibC.read(-1, new byte[1], 0, 1), -EBADF, wrong);
            List<Thread> threads = new ArrayList<>(List.of(new Thread(eagain), new Thread(ebadf)));
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            assertThat(wrong.get()).isNull();
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    private interface LongCall {
        long call();
    }

    private static void repeat(CyclicBarrier start, int rounds, LongCall call, long expected, AtomicReference<String> wrong) {
        try {
            start.await();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
        for (int i = 0; i < rounds; i++) {
            long r = call.call();
            if (r != expected) wrong.compareAndSet(null, "expected " + expected + " got " + r + " in round " + i);
        }
    }

    @Test
    void eventfdAddsWritesAndResetsOnRead() {
        try (Fd efd = LibC.eventfd(0, LibC.EFD_NONBLOCK)) {
            int fd = efd.intValue();
            assertThat(LibC.eventfdRead(fd)).isEqualTo(-EAGAIN);
            assertThat(LibC.eventfdWrite(fd, 2)).isZero();
            assertThat(LibC.eventfdWrite(fd, 3)).isZero();
            assertThat(LibC.eventfdRead(fd)).isEqualTo(5);
            assertThat(LibC.eventfdRead(fd)).isEqualTo(-EAGAIN);
        }
    }

    @Test
    void setNonBlockingTogglesO_NONBLOCK() {
        Fd[] p = LibC.pipe2(0);
        try {
            int fd = p[0].intValue();
            assertThat(LibC.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_NONBLOCK).isZero();
            assertThat(LibC.setNonBlocking(fd, true)).isZero();
            assertThat(LibC.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_NONBLOCK).isEqualTo(LibC.O_NONBLOCK);
            assertThat(LibC.setNonBlocking(fd, false)).isZero();
            assertThat(LibC.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_NONBLOCK).isZero();
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void dup3WithO_CLOEXECMakesACloseOnExecCopy() {
        Fd[] p = LibC.pipe2(0);
        Fd[] q = LibC.pipe2(0);
        try {
            int target = q[0].intValue();
            assertThat(LibC.dup3(p[0].intValue(), target, LibC.O_CLOEXEC)).isEqualTo(target);
            assertThat(LibC.fcntl(target, LibC.F_GETFD, 0) & LibC.FD_CLOEXEC).isEqualTo(LibC.FD_CLOEXEC);
            assertThat(LibC.dup3(p[0].intValue(), p[0].intValue(), 0)).isEqualTo(-Errno.EINVAL.number());
        } finally {
            p[0].close();
            p[1].close();
            q[0].close();
            q[1].close();
        }
    }

    @Test
    void checkPassesResultsAndThrowsOnMinusErrno() {
        assertThat(LibC.check(5, "read")).isEqualTo(5);
        assertThat(LibC.check(7L, "read")).isEqualTo(7L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LibC.check(-EBADF, "read"))
                .isInstanceOf(ErrnoException.class)
                .hasMessage("EBADF: bad file descriptor, read");
    }

    @Test
    void getpidMatchesTheJdk() {
        assertThat(LibC.getpid()).isEqualTo((int) ProcessHandle.current().pid());
        assertThat(LibC.getppid()).isEqualTo((int) ProcessHandle.current().parent().orElseThrow().pid());
    }

    @Test
    void openGivesACloseOnExecDescriptorWithTheAccessModeAsked() {
        int fd = LibC.open("/dev/null", LibC.O_RDONLY, 0);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        try (Fd owned = Fd.adopt(fd)) {
            assertThat(LibC.fcntl(fd, LibC.F_GETFD, 0) & LibC.FD_CLOEXEC).isEqualTo(LibC.FD_CLOEXEC);
            assertThat(LibC.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_ACCMODE).isEqualTo(LibC.O_RDONLY);
            assertThat(LibC.read(owned.intValue(), new byte[4], 0, 4)).isZero();
        }
    }

    @Test
    void openOfAMissingPathReturnsMinusENOENT() {
        assertThat(LibC.open("/nonexistent/herd-" + System.nanoTime(), LibC.O_RDONLY, 0))
                .isEqualTo(-Errno.ENOENT.number());
    }
}
