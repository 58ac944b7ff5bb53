package dev.herd.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.Epoll;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exceptions thrown by callbacks (no libuv counterpart: C callbacks cannot throw). Without an
 * exception handler they propagate out of run(); every phase first leaves its queues consistent,
 * so the next run() continues with the work that was left, in the order it would have run.
 */
class CallbackExceptionTest extends LoopTestBase {

    private static RuntimeException boom(String what) {
        return new IllegalStateException("boom from " + what);
    }

    @Test
    void exceptionFromATimerCallbackPropagatesOutOfRun() {
        Timer t = new Timer(loop);
        RuntimeException e = boom("timer");
        t.start(() -> {
            throw e;
        }, 0, 0);

        assertThatThrownBy(loop::run).isSameAs(e);

        assertThat(t.isActive()).isFalse();
        t.close();
        loop.run();
    }

    @Test
    void errorFromACallbackPropagatesUnwrapped() {
        Timer t = new Timer(loop);
        AssertionError e = new AssertionError("failed in a callback");
        t.start(() -> {
            throw e;
        }, 0, 0);

        assertThatThrownBy(loop::run).isSameAs(e);

        t.close();
        loop.run();
    }

    @Test
    void checkedExceptionFromACallbackIsWrappedInARuntimeException() {
        Timer t = new Timer(loop);
        IOException e = new IOException("sneaky");
        t.start(() -> sneakyThrow(e), 0, 0);

        assertThatThrownBy(loop::run).isInstanceOf(RuntimeException.class).hasCause(e);

        t.close();
        loop.run();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void timersLeftAfterAnExceptionRunInTheNextRun() {
        Timer a = new Timer(loop);
        Timer b = new Timer(loop);
        List<String> log = new ArrayList<>();
        a.start(() -> {
            log.add("a");
            throw boom("a");
        }, 0, 0);
        b.start(() -> log.add("b"), 0, 0);

        assertThatThrownBy(loop::run).hasMessage("boom from a");
        assertThat(log).containsExactly("a");
        assertThat(loop.run()).isFalse();

        assertThat(log).containsExactly("a", "b");
        closeAll(a, b);
        loop.run();
    }

    @Test
    void pendingCallbacksLeftAfterAnExceptionRunInTheNextRunInOrder() {
        List<String> log = new ArrayList<>();
        loop.queuePending(() -> {
            log.add("1");
            throw boom("1");
        });
        loop.queuePending(() -> log.add("2"));
        loop.queuePending(() -> log.add("3"));

        assertThatThrownBy(loop::run).hasMessage("boom from 1");
        assertThat(loop.run()).isFalse();

        assertThat(log).containsExactly("1", "2", "3");
    }

    @Test
    void checkHandlesLeftAfterAnExceptionRunFirstInTheNextRun() {
        List<String> log = new ArrayList<>();
        Idle spinner = spinner();
        Check[] checks = new Check[3];
        for (int i = 0; i < 3; i++) {
            int n = i;
            checks[i] = new Check(loop);
            checks[i].start(() -> {
                log.add("check " + n);
                checks[n].stop();
                if (n == 0) throw boom("check 0");
            });
        }

        assertThatThrownBy(loop::run).hasMessage("boom from check 0");
        assertThat(loop.run()).isFalse();

        assertThat(log).containsExactly("check 0", "check 1", "check 2");
        closeAll(checks);
        spinner.close();
        loop.run();
    }

    @Test
    void closeCallbacksLeftAfterAnExceptionRunInTheirOriginalOrder() {
        List<String> log = new ArrayList<>();
        Timer[] timers = new Timer[4];
        for (int i = 0; i < 4; i++) timers[i] = new Timer(loop);
        // Close callbacks run newest first: 3, 2, 1, 0. The one of 2 throws.
        for (int i = 0; i < 4; i++) {
            int n = i;
            timers[i].close(() -> {
                log.add("close " + n);
                if (n == 2) throw boom("close 2");
            });
        }

        assertThatThrownBy(loop::run).hasMessage("boom from close 2");
        assertThat(loop.run()).isFalse();

        assertThat(log).containsExactly("close 3", "close 2", "close 1", "close 0");
    }

    @Test
    void asyncSendsLeftAfterAnExceptionAreDeliveredInTheNextRun() {
        List<String> log = new ArrayList<>();
        Async[] asyncs = new Async[3];
        for (int i = 0; i < 3; i++) {
            int n = i;
            asyncs[i] = new Async(loop, () -> {
                log.add("async " + n);
                asyncs[n].close();
                if (n == 0) throw boom("async 0");
            });
        }
        for (Async a : asyncs) a.send();
        armWatchdog();

        assertThatThrownBy(loop::run).hasMessage("boom from async 0");
        assertThat(runGuarded()).isFalse();

        assertThat(log).containsExactly("async 0", "async 1", "async 2");
    }

    @Test
    void executeTasksLeftAfterAnExceptionRunInTheNextRun() {
        List<String> log = new ArrayList<>();
        Async keeper = new Async(loop, () -> {});
        loop.execute(() -> {
            log.add("task 1");
            throw boom("task 1");
        });
        loop.execute(() -> {
            log.add("task 2");
            keeper.close();
        });
        armWatchdog();

        assertThatThrownBy(loop::run).hasMessage("boom from task 1");
        assertThat(runGuarded()).isFalse();

        assertThat(log).containsExactly("task 1", "task 2");
    }

    @Test
    void ioEventsLeftAfterAnExceptionAreDeliveredInTheNextRun() {
        Fd[] p1 = LibC.pipe2(LibC.O_NONBLOCK);
        Fd[] p2 = LibC.pipe2(LibC.O_NONBLOCK);
        try {
            Async keeper = new Async(loop, () -> {});
            List<String> log = new ArrayList<>();
            IoWatcher[] w = new IoWatcher[2];
            Fd[][] pipes = {p1, p2};
            boolean[] thrown = {false};
            for (int i = 0; i < 2; i++) {
                int n = i;
                w[i] = new IoWatcher(loop, pipes[i][0].intValue(), ev -> {
                    log.add("w" + n);
                    LibC.read(pipes[n][0].intValue(), new byte[1], 0, 1);
                    w[n].stop(Epoll.EPOLLIN);
                    if (w[1 - n].isActive(Epoll.EPOLLIN)) {
                        if (!thrown[0]) {
                            thrown[0] = true;
                            throw boom("w" + n);
                        }
                    } else {
                        keeper.close();
                    }
                });
                w[i].start(Epoll.EPOLLIN);
                LibC.write(pipes[i][1].intValue(), new byte[] {1}, 0, 1);
            }
            armWatchdog();

            assertThatThrownBy(loop::run).hasMessageStartingWith("boom from w");
            assertThat(runGuarded()).isFalse();

            assertThat(log).containsExactlyInAnyOrder("w0", "w1");
            w[0].close();
            w[1].close();
        } finally {
            for (Fd fd : new Fd[] {p1[0], p1[1], p2[0], p2[1]}) fd.close();
        }
    }

    @Test
    void workDoneExceptionPropagatesAndTheRequestIsStillDone() {
        loop.queueWork(() -> {}, e -> {
            throw boom("done");
        });
        armWatchdog();

        assertThatThrownBy(loop::run).hasMessage("boom from done");

        assertThat(loop.activeRequests()).isZero();
        assertThat(loop.isAlive()).isFalse();
    }

    @Test
    void stopRequestDoesNotOutliveARunThatEndedWithAnException() {
        Timer a = new Timer(loop);
        Timer b = new Timer(loop);
        List<String> log = new ArrayList<>();
        a.start(() -> {
            log.add("a");
            loop.stop();
            throw boom("a");
        }, 0, 0);
        b.start(() -> log.add("b"), 0, 0);

        assertThatThrownBy(loop::run).hasMessage("boom from a");
        // The run that stop() asked to end has ended; the next one runs normally.
        assertThat(loop.run()).isFalse();

        assertThat(log).containsExactly("a", "b");
        closeAll(a, b);
        loop.run();
    }

    @Test
    void exceptionHandlerReceivesCallbackExceptionsAndTheLoopGoesOn() {
        List<Throwable> caught = new ArrayList<>();
        Thread[] handlerThread = {null};
        loop.setExceptionHandler(e -> {
            caught.add(e);
            handlerThread[0] = Thread.currentThread();
        });
        List<String> log = new ArrayList<>();
        RuntimeException fromTimer = boom("timer");
        RuntimeException fromCheck = boom("check");
        RuntimeException fromClose = boom("close");
        Timer a = new Timer(loop);
        Timer b = new Timer(loop);
        Check check = new Check(loop);
        Idle spinner = spinner();
        a.start(() -> {
            log.add("a");
            throw fromTimer;
        }, 0, 0);
        b.start(() -> log.add("b"), 0, 0);
        check.start(() -> {
            log.add("check");
            check.close(() -> {
                log.add("close");
                throw fromClose;
            });
            throw fromCheck;
        });

        assertThat(loop.run()).isFalse();

        assertThat(log).containsExactly("a", "b", "check", "close");
        assertThat(caught).containsExactly(fromTimer, fromCheck, fromClose);
        assertThat(handlerThread[0]).isSameAs(Thread.currentThread());
        closeAll(a, b, spinner);
        loop.run();
    }

    @Test
    void exceptionHandlerReceivesExceptionsFromCrossThreadCallbacks() {
        List<Throwable> caught = new ArrayList<>();
        loop.setExceptionHandler(caught::add);
        RuntimeException fromDone = boom("done");
        RuntimeException fromAsync = boom("async");
        loop.queueWork(() -> {}, e -> {
            throw fromDone;
        });
        Async[] async = {null};
        async[0] = new Async(loop, () -> {
            async[0].close();
            throw fromAsync;
        });
        async[0].send();
        armWatchdog();

        assertThat(runGuarded()).isFalse();

        assertThat(caught).containsExactlyInAnyOrder(fromDone, fromAsync);
    }

    @Test
    void removingTheExceptionHandlerMakesExceptionsPropagateAgain() {
        List<Throwable> caught = new ArrayList<>();
        loop.setExceptionHandler(caught::add);
        loop.setExceptionHandler(null);
        Timer t = new Timer(loop);
        t.start(() -> {
            throw boom("timer");
        }, 0, 0);

        assertThatThrownBy(loop::run).hasMessage("boom from timer");

        assertThat(caught).isEmpty();
        t.close();
        loop.run();
    }
}
