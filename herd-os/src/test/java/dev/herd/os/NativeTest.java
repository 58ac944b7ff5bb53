package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The universal downcall shape of {@link Native} and the two paths of byte[] writes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@ExtendWith(FdLeakCheck.class)
class NativeTest {
    private static final long SYS_GETPID = 39;

    @Test
    void anIntResultIsTheLowHalfAndErrnoIsCaptured() {
        MemorySegment st = Native.state();
        long raw = Native.call(Native.symbol("close"), st, -1);
        assertThat((int) raw).isEqualTo(-1);
        assertThat(Native.errno(st)).isEqualTo(Errno.EBADF.number());
    }

    @Test
    void aVariadicFunctionGetsItsIntegerArgumentsFromTheSameRegisters() {
        long pid = Native.call(Native.symbol("syscall"), Native.state(), SYS_GETPID);
        assertThat(pid).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void aPointerResultComesBackWhole() {
        MemorySegment text = MemorySegment.ofAddress(
                Native.call(Native.symbol("strerror"), Native.state(), Errno.ENOENT.number()));
        assertThat(text.reinterpret(64).getString(0)).isEqualTo("No such file or directory");
    }

    @Test
    void aMissingSymbolThrowsUnsatisfiedLinkErrorOrGivesNull() {
        assertThatThrownBy(() -> Native.symbol("no_such_function_xyz"))
                .isInstanceOf(UnsatisfiedLinkError.class)
                .hasMessageContaining("no_such_function_xyz");
        assertThat(Native.symbolOrNull("no_such_function_xyz")).isNull();
    }

    @Test
    void aHeapSegmentIsRejectedAsAPointer() {
        assertThatThrownBy(() -> Native.addr(MemorySegment.ofArray(new byte[8])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesAtAndAboveTheCopyLimitBothArriveWhole() {
        for (int len : new int[] {0, 1, Native.SMALL_COPY, Native.SMALL_COPY + 1, 40_000}) {
            Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
            try {
                byte[] out = random(len + 5);
                assertThat(LibC.write(p[1].intValue(), out, 5, len)).isEqualTo(len);
                byte[] in = new byte[len + 1];
                long n = len == 0 ? 0 : LibC.read(p[0].intValue(), in, 1, len);
                assertThat(n).isEqualTo(len);
                assertThat(Arrays.copyOfRange(in, 1, 1 + len)).isEqualTo(Arrays.copyOfRange(out, 5, 5 + len));
            } finally {
                p[0].close();
                p[1].close();
            }
        }
    }

    @Test
    void sendsAtAndAboveTheCopyLimitBothArriveWhole() {
        for (int len : new int[] {Native.SMALL_COPY, Native.SMALL_COPY + 1}) {
            Fd[] sv = Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK, 0);
            try {
                byte[] out = random(len + 3);
                assertThat(Net.send(sv[0].intValue(), out, 3, len, 0)).isEqualTo(len);
                byte[] in = new byte[len];
                int got = 0;
                while (got < len) {
                    long n = Net.recv(sv[1].intValue(), in, got, len - got, 0);
                    assertThat(n).isPositive();
                    got += (int) n;
                }
                assertThat(in).isEqualTo(Arrays.copyOfRange(out, 3, 3 + len));
            } finally {
                sv[0].close();
                sv[1].close();
            }
        }
    }

    @Test
    void aBadDescriptorFailsTheSameOnBothWritePaths() {
        byte[] big = new byte[Native.SMALL_COPY + 1];
        assertThat(LibC.write(-1, big, 0, 1)).isEqualTo(-Errno.EBADF.number());
        assertThat(LibC.write(-1, big, 0, big.length)).isEqualTo(-Errno.EBADF.number());
        assertThat(Net.send(-1, big, 0, 1, 0)).isEqualTo(-Errno.EBADF.number());
        assertThat(Net.send(-1, big, 0, big.length, 0)).isEqualTo(-Errno.EBADF.number());
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
