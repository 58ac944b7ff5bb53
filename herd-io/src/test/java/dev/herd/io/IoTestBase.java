package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.loop.RunMode;
import dev.herd.loop.Timer;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import dev.herd.os.Net;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The base of the io tests: a fresh {@link Loop} per test, owned by the test thread, with an
 * unreferenced watchdog timer so that no wait can hang; and libuv's leak check at the end: every
 * handle closed, {@link Loop#close()} succeeds, and the process's descriptors are what they were
 * ({@link FdLeakCheck}). Waiting is always for an event, with a deadline ({@link #runUntil}).
 */
@ExtendWith(FdLeakCheck.class)
abstract class IoTestBase {
    /** How long a test may wait for anything the kernel or the loop should do. */
    static final long DEADLINE_MS = 10_000;

    Loop loop;
    private Timer watchdog;

    @BeforeEach
    final void createLoop() {
        loop = new Loop();
        // Unreferenced: it keeps nothing alive, but it bounds every blocking poll.
        watchdog = new Timer(loop);
        watchdog.start(() -> {}, DEADLINE_MS, DEADLINE_MS);
        watchdog.unref();
    }

    @AfterEach
    final void loopClosesCleanly() {
        if (loop.isClosed()) return;
        watchdog.close();
        for (int i = 0; i < 10 && loop.isAlive(); i++) loop.run(RunMode.NOWAIT);
        List<String> open = new ArrayList<>();
        loop.walk(h -> open.add(describe(h)));
        int requests = loop.activeRequests();
        try {
            loop.close();
        } catch (ErrnoException e) {
            loop.walk(Handle::close);
            for (int i = 0; i < 10 && loop.isAlive(); i++) loop.run(RunMode.NOWAIT);
            try {
                loop.close();
            } catch (ErrnoException ignored) {
                // reported below
            }
            throw new AssertionError("Loop.close() failed (" + e.code() + "): open handles " + open
                    + ", active requests " + requests, e);
        }
    }

    private static String describe(Handle h) {
        return h.getClass().getSimpleName() + (h.isActive() ? "(active)" : "") + (h.isClosing() ? "(closing)" : "");
    }

    // ---------------------------------------------------------------- waiting

    /**
     * Runs the loop one iteration at a time until {@code done} holds; fails if the loop runs out
     * of work first or {@link #DEADLINE_MS} passes.
     */
    final void runUntil(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after %d ms waiting for %s", DEADLINE_MS, what);
            boolean alive = loop.run(RunMode.ONCE);
            if (!alive && !done.getAsBoolean()) fail("the loop ran out of work before %s", what);
        }
    }

    /** Closes {@code handles} and runs the loop until their close callbacks have run. */
    final void closeAndDrain(Handle... handles) {
        for (Handle h : handles) {
            if (h != null) h.close();
        }
        runUntil("the handles to close", () -> {
            for (Handle h : handles) {
                if (h != null && !h.isClosed()) return false;
            }
            return true;
        });
    }

    /** Runs the loop until nothing keeps it alive, within the deadline. */
    final void runToCompletion() {
        runUntil("the loop to finish", () -> !loop.isAlive());
    }

    // ---------------------------------------------------------------- data

    /** {@code n} bytes of a pattern that shows any loss, duplication or reordering. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + (i >>> 8) * 7 + (i >>> 16));
        return b;
    }

    /** Sets both socket buffers of {@code s} to {@code bytes} (the kernel doubles it, within its minimum). */
    static void socketBuffers(Stream s, int bytes) {
        assertThat(Net.setsockopt(s.fileno(), Net.SOL_SOCKET, Net.SO_SNDBUF, bytes)).isZero();
        assertThat(Net.setsockopt(s.fileno(), Net.SOL_SOCKET, Net.SO_RCVBUF, bytes)).isZero();
    }

    /** Collects what a stream reads, and how it ended. */
    static final class Sink implements ReadCallback {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int reads;
        int largestRead;
        ErrnoException end;

        @Override
        public void onRead(ByteBuffer data, ErrnoException error) {
            assertThat(end).as("a read after the end (%s)", end).isNull();
            if (error != null) {
                assertThat(data).isNull();
                end = error;
                return;
            }
            reads++;
            largestRead = Math.max(largestRead, data.remaining());
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bytes.write(b, 0, b.length);
        }

        int size() {
            return bytes.size();
        }

        boolean ended() {
            return end != null;
        }

        String endCode() {
            return end == null ? null : end.code();
        }
    }
}
