package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.Epoll;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.FdLeakCheck;
import dev.herd.os.LibC;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IoWatcher, the loop's fd readiness primitive (libuv's uv__io_t), on real non-blocking pipes.
 * A watcher keeps nothing alive, so each test holds the loop open with an Async, as the io
 * layer's handles will.
 */
class IoWatcherTest extends LoopTestBase {
    private final List<Fd> fds = new ArrayList<>();
    private Async keepAlive;

    @BeforeEach
    void keepTheLoopAlive() {
        keepAlive = new Async(loop, () -> {});
    }

    @AfterEach
    void closeFds() {
        fds.forEach(Fd::close);
    }

    /** A non-blocking pipe: {readEnd, writeEnd}, closed after the test. */
    private Fd[] pipe() {
        Fd[] p = LibC.pipe2(LibC.O_NONBLOCK);
        fds.add(p[0]);
        fds.add(p[1]);
        return p;
    }

    private static void writeByte(Fd fd) {
        assertThat(LibC.write(fd.intValue(), new byte[] {42}, 0, 1)).isEqualTo(1);
    }

    private static long read(Fd fd) {
        return LibC.read(fd.intValue(), new byte[16], 0, 16);
    }

    /** Closes the watchers and the keep-alive handle, then lets the close callbacks run. */
    private void finish(IoWatcher... watchers) {
        for (IoWatcher w : watchers) w.close();
        keepAlive.close();
        loop.run();
    }

    @Test
    void readableEventIsDeliveredInThePollPhase() {
        Fd[] p = pipe();
        List<String> log = new ArrayList<>();
        Prepare prepare = new Prepare(loop);
        Check check = new Check(loop);
        prepare.start(() -> log.add("prepare"));
        check.start(() -> log.add("check"));
        int[] events = {0};
        IoWatcher w = new IoWatcher(loop, p[0].intValue(), ev -> {
            log.add("io");
            events[0] = ev;
            assertThat(read(p[0])).isEqualTo(1);
        });
        w.start(Epoll.EPOLLIN);
        writeByte(p[1]);

        loop.run(RunMode.ONCE);

        assertThat(log).containsExactly("prepare", "io", "check");
        assertThat(events[0]).isEqualTo(Epoll.EPOLLIN);
        closeAll(prepare, check);
        finish(w);
    }

    @Test
    void dataWrittenByAnotherThreadWakesABlockedPoll() throws InterruptedException {
        Fd[] p = pipe();
        CountDownLatch aboutToPoll = new CountDownLatch(1);
        Prepare prepare = new Prepare(loop);
        prepare.start(aboutToPoll::countDown);
        prepare.unref();
        int[] calls = {0};
        IoWatcher[] w = {null};
        w[0] = new IoWatcher(loop, p[0].intValue(), ev -> {
            calls[0]++;
            read(p[0]);
            w[0].close();
            keepAlive.close();
        });
        w[0].start(Epoll.EPOLLIN);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                if (aboutToPoll.await(DEADLINE_MS, TimeUnit.MILLISECONDS)) writeByte(p[1]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        writer.join();
        assertThat(calls[0]).isEqualTo(1);
        prepare.close();
        loop.run();
    }

    @Test
    void watcherStoppedBeforeThePollGetsNoEvents() {
        Fd[] p = pipe();
        int[] calls = {0};
        IoWatcher w = new IoWatcher(loop, p[0].intValue(), ev -> calls[0]++);
        writeByte(p[1]);
        w.start(Epoll.EPOLLIN);
        loop.run(RunMode.NOWAIT);
        assertThat(calls[0]).isEqualTo(1);

        w.stop(Epoll.EPOLLIN);
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);

        // The byte is still unread: a watcher still in the epoll set would have been told again.
        assertThat(calls[0]).isEqualTo(1);
        assertThat(w.isActive(Epoll.EPOLLIN)).isFalse();
        finish(w);
    }

    @Test
    void watcherStoppedInsideItsCallbackGetsNoMoreEvents() {
        Fd[] p = pipe();
        int[] calls = {0};
        IoWatcher[] w = {null};
        w[0] = new IoWatcher(loop, p[0].intValue(), ev -> {
            calls[0]++;
            w[0].stop(Epoll.EPOLLIN); // without reading: the pipe stays readable
        });
        w[0].start(Epoll.EPOLLIN);
        writeByte(p[1]);

        for (int i = 0; i < 3; i++) loop.run(RunMode.NOWAIT);

        assertThat(calls[0]).isEqualTo(1);
        finish(w[0]);
    }

    @Test
    void watcherRestartedAfterStopGetsEventsAgain() {
        Fd[] p = pipe();
        int[] calls = {0};
        IoWatcher w = new IoWatcher(loop, p[0].intValue(), ev -> calls[0]++);
        writeByte(p[1]);
        w.start(Epoll.EPOLLIN);
        loop.run(RunMode.NOWAIT);
        w.stop(Epoll.EPOLLIN);
        loop.run(RunMode.NOWAIT);

        w.start(Epoll.EPOLLIN);
        loop.run(RunMode.NOWAIT);

        assertThat(calls[0]).isEqualTo(2);
        finish(w);
    }

    @Test
    void watcherClosedByAnEarlierCallbackInTheSameDispatchGetsNoEvent() {
        Fd[] p1 = pipe();
        Fd[] p2 = pipe();
        List<String> log = new ArrayList<>();
        IoWatcher[] w = new IoWatcher[2];
        // Whichever epoll reports first closes the other: both are ready in the same epoll_wait.
        w[0] = new IoWatcher(loop, p1[0].intValue(), ev -> {
            log.add("w0");
            w[0].stop(Epoll.EPOLLIN);
            w[1].close();
        });
        w[1] = new IoWatcher(loop, p2[0].intValue(), ev -> {
            log.add("w1");
            w[1].stop(Epoll.EPOLLIN);
            w[0].close();
        });
        w[0].start(Epoll.EPOLLIN);
        w[1].start(Epoll.EPOLLIN);
        writeByte(p1[1]);
        writeByte(p2[1]);

        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);

        assertThat(log).hasSize(1);
        finish(w);
    }

    @Test
    void watcherStartedOnTheFdOfOneClosedInTheSameDispatchGetsNoStaleEvent() {
        // libuv's uv__platform_invalidate_fd: the event epoll reported for the old watcher is
        // dropped, not handed to the new watcher of the same fd.
        Fd[] p1 = pipe();
        Fd[] p2 = pipe();
        List<String> log = new ArrayList<>();
        IoWatcher[] w = new IoWatcher[2];
        IoWatcher[] replacement = {null};
        int[] fdOf = {p1[0].intValue(), p2[0].intValue()};
        for (int i = 0; i < 2; i++) {
            int self = i;
            int other = 1 - i;
            w[i] = new IoWatcher(loop, fdOf[i], ev -> {
                log.add("w" + self);
                w[self].stop(Epoll.EPOLLIN);
                if (replacement[0] != null) return;
                w[other].close();
                replacement[0] = new IoWatcher(loop, fdOf[other], e -> log.add("replacement"));
                replacement[0].start(Epoll.EPOLLIN);
            });
            w[i].start(Epoll.EPOLLIN);
        }
        writeByte(p1[1]);
        writeByte(p2[1]);

        loop.run(RunMode.NOWAIT);

        assertThat(log).hasSize(1);
        loop.run(RunMode.NOWAIT);
        assertThat(log).as("the replacement gets the next poll's event").hasSize(2).endsWith("replacement");
        finish(w[0], w[1], replacement[0]);
    }

    @Test
    void hangupIsReportedWhenTheWriteEndCloses() {
        Fd[] p = pipe();
        int[] events = {0};
        long[] readResult = {-1};
        IoWatcher[] w = {null};
        w[0] = new IoWatcher(loop, p[0].intValue(), ev -> {
            events[0] = ev;
            readResult[0] = read(p[0]);
            w[0].stop(Epoll.EPOLLIN);
        });
        w[0].start(Epoll.EPOLLIN);
        p[1].close();

        loop.run(RunMode.NOWAIT);

        assertThat(events[0] & Epoll.EPOLLHUP).isEqualTo(Epoll.EPOLLHUP);
        // EPOLLHUP alone is widened to the events wanted, so the reader finds EOF on its read path.
        assertThat(events[0] & Epoll.EPOLLIN).isEqualTo(Epoll.EPOLLIN);
        assertThat(readResult[0]).isZero();
        finish(w[0]);
    }

    @Test
    void eventsNotWantedAreNotReported() {
        // An eventfd with a count is both readable and writable; ask only for writable.
        Fd efd = LibC.eventfd(1, LibC.EFD_NONBLOCK);
        fds.add(efd);
        int[] events = {0};
        IoWatcher w = new IoWatcher(loop, efd.intValue(), ev -> events[0] = ev);
        w.start(Epoll.EPOLLOUT);

        loop.run(RunMode.NOWAIT);

        assertThat(events[0]).isEqualTo(Epoll.EPOLLOUT);
        finish(w);
    }

    @Test
    void startAndStopAddAndRemoveEventsFromTheWantedSet() {
        Fd[] p = pipe();
        IoWatcher w = new IoWatcher(loop, p[0].intValue(), ev -> {});

        w.start(Epoll.EPOLLIN);
        w.start(Epoll.EPOLLRDHUP);
        assertThat(w.isActive(Epoll.EPOLLIN)).isTrue();
        assertThat(w.isActive(Epoll.EPOLLRDHUP)).isTrue();
        w.stop(Epoll.EPOLLIN);
        assertThat(w.isActive(Epoll.EPOLLIN)).isFalse();
        assertThat(w.isActive(Epoll.EPOLLRDHUP)).isTrue();
        assertThat(w.fd()).isEqualTo(p[0].intValue());

        finish(w);
    }

    @Test
    void activeWatcherDoesNotKeepTheLoopAlive() {
        Fd[] p = pipe();
        int[] calls = {0};
        IoWatcher w = new IoWatcher(loop, p[0].intValue(), ev -> calls[0]++);
        w.start(Epoll.EPOLLIN);
        keepAlive.unref();

        assertThat(loop.isAlive()).isFalse();
        assertThat(loop.run()).isFalse();

        assertThat(calls[0]).isZero();
        finish(w);
    }

    @Test
    void secondWatcherOnTheSameFdIsRefused() {
        Fd[] p = pipe();
        IoWatcher first = new IoWatcher(loop, p[0].intValue(), ev -> {});
        IoWatcher second = new IoWatcher(loop, p[0].intValue(), ev -> {});
        first.start(Epoll.EPOLLIN);

        assertThatThrownBy(() -> second.start(Epoll.EPOLLIN)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a watcher");

        finish(first, second);
    }

    @Test
    void newWatcherOnTheFdOfAClosedOneGetsEvents() {
        Fd[] p = pipe();
        int[] calls = {0, 0};
        IoWatcher first = new IoWatcher(loop, p[0].intValue(), ev -> calls[0]++);
        first.start(Epoll.EPOLLIN);
        loop.run(RunMode.NOWAIT); // registered with epoll
        first.close();

        IoWatcher second = new IoWatcher(loop, p[0].intValue(), ev -> calls[1]++);
        second.start(Epoll.EPOLLIN);
        writeByte(p[1]);
        loop.run(RunMode.NOWAIT);

        assertThat(calls).containsExactly(0, 1);
        finish(first, second);
    }

    @Test
    void failedEpollRegistrationIsThrownAndOtherWatchersStillGetRegistered() {
        // A descriptor number nothing has open: epoll_ctl(ADD) fails EBADF when the change is applied.
        int unused = FdLeakCheck.openFds().keySet().stream().max(Integer::compare).orElse(0) + 1000;
        IoWatcher bad = new IoWatcher(loop, unused, ev -> {});
        bad.start(Epoll.EPOLLIN);
        Fd[] p = pipe();
        int[] calls = {0};
        IoWatcher good = new IoWatcher(loop, p[0].intValue(), ev -> {
            calls[0]++;
            read(p[0]);
        });
        good.start(Epoll.EPOLLIN);

        assertThatThrownBy(() -> loop.run(RunMode.NOWAIT)).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("EBADF");
            assertThat(e.syscall()).isEqualTo("epoll_ctl");
        });
        bad.close();
        writeByte(p[1]);
        loop.run(RunMode.NOWAIT);

        assertThat(calls[0]).as("the watcher queued behind the failed one was registered").isEqualTo(1);
        finish(bad, good);
    }

    @Test
    void pollUpdatesTheLoopTimeEvenWhenItDoesNotBlock() {
        // libuv updates loop->time after every epoll_wait, timeout 0 included: "there is no
        // guarantee that the operating system didn't reschedule our process while in the syscall".
        Fd[] p = pipe();
        IoWatcher w = new IoWatcher(loop, p[0].intValue(), ev -> {});
        w.start(Epoll.EPOLLIN); // an fd in the set: the poll is a real epoll_wait(0)
        long[] beforePoll = {0};
        long[] afterPoll = {0};
        Prepare prepare = new Prepare(loop);
        prepare.start(() -> {
            long end = System.nanoTime() + 3_000_000L;
            while (System.nanoTime() < end) Thread.onSpinWait();
            beforePoll[0] = loop.now();
        });
        Check check = new Check(loop);
        check.start(() -> afterPoll[0] = loop.now());

        loop.run(RunMode.NOWAIT);

        assertThat(afterPoll[0]).isGreaterThanOrEqualTo(beforePoll[0] + 3);
        closeAll(prepare, check);
        finish(w);
    }

    @Test
    void closedWatcherCannotBeStarted() {
        Fd[] p = pipe();
        IoWatcher w = new IoWatcher(loop, p[0].intValue(), ev -> {});
        w.close();
        w.close();

        assertThatThrownBy(() -> w.start(Epoll.EPOLLIN)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");

        finish(w);
    }

    @Test
    void watcherRefusesABadFdAndANullCallback() {
        assertThatThrownBy(() -> new IoWatcher(loop, -1, ev -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IoWatcher(loop, 0, null)).isInstanceOf(NullPointerException.class);

        finish();
    }
}
