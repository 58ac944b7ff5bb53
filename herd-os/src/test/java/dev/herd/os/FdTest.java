package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class FdTest {

    @Test
    void fdClosesAtMostOnce() throws Exception {
        Fd[] p = LibC.pipe2(0);
        p[1].close();
        Fd fd = p[0];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                fd.close();
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) t.join();
        // Linux hands out the lowest free number, so this pipe normally reuses it: a second
        // close(2) of that number would now close the new pipe's read end.
        Fd[] q = LibC.pipe2(0);
        try {
            assertThat(fd.isOpen()).isFalse();
            fd.close();
            assertThat(LibC.fcntl(q[0].intValue(), LibC.F_GETFD, 0)).isGreaterThanOrEqualTo(0);
        } finally {
            q[0].close();
            q[1].close();
        }
    }

    @Test
    void releaseHandsOverTheNumberWithoutClosing() {
        Fd[] p = LibC.pipe2(0);
        int n = p[0].release();
        try {
            assertThat(p[0].isOpen()).isFalse();
            assertThat(LibC.fcntl(n, LibC.F_GETFD, 0)).isGreaterThanOrEqualTo(0);
            assertThatThrownBy(p[0]::release).isInstanceOf(IllegalStateException.class);
        } finally {
            LibC.close(n);
            p[1].close();
        }
    }

    @Test
    void adoptRejectsANegativeNumber() {
        assertThatThrownBy(() -> Fd.adopt(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkTurnsMinusErrnoIntoErrnoException() {
        assertThatThrownBy(() -> Fd.check(-Errno.EMFILE.number(), "socket"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("EMFILE");
                    assertThat(e.syscall()).isEqualTo("socket");
                });
    }
}
