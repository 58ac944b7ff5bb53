package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.loop.Prepare;
import dev.herd.loop.RunMode;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.FdLeakCheck;
import dev.herd.os.LibC;
import dev.herd.os.SockAddr;
import dev.herd.os.Sys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libuv's EMFILE trick: with no descriptor left, a listener must not spin on a connection it cannot
 * accept. It frees its reserve descriptor, accepts the connection and closes it at once (the client
 * sees it closed), takes the reserve back, and carries on once descriptors are free again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmfileTest extends IoTestBase {
    @Test
    void outOfDescriptorsAListenerClosesThePendingConnectionInsteadOfSpinningAndThenRecovers() {
        List<Tcp> accepted = new ArrayList<>();
        List<ErrnoException> errors = new ArrayList<>();
        Tcp server = new Tcp(loop);
        server.bind(SockAddr.inet("127.0.0.1", 0));
        server.listen(16, err -> {
            if (err != null) {
                errors.add(err);
                return;
            }
            Tcp conn = new Tcp(loop);
            server.accept(conn);
            accepted.add(conn);
        });
        SockAddr addr = server.getsockname();

        // A full round first, so that every class the window below needs is already loaded:
        // class loading opens files, and there will be no descriptor to open them with.
        Tcp warm = new Tcp(loop);
        Sink warmSink = new Sink();
        warm.connect(addr, err -> warm.readStart(warmSink));
        runUntil("the warm-up connection", () -> accepted.size() == 1 && warm.isReading());
        accepted.get(0).close();
        runUntil("the warm-up EOF", warmSink::ended);
        closeAndDrain(warm, accepted.remove(0));
        int[] iterations = {0};
        Prepare counter = new Prepare(loop);
        counter.start(() -> iterations[0]++);
        counter.unref();

        // The victim's socket exists before the limit: connecting needs no new descriptor.
        Tcp victim = new Tcp(loop);
        victim.bind(SockAddr.inet("127.0.0.1", 0));
        Sink victimSink = new Sink();
        long[] saved = Sys.getrlimit(Sys.RLIMIT_NOFILE);
        int highest = FdLeakCheck.openFds().keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<Fd> filler = new ArrayList<>();
        int iterationsBefore;
        int lowered;
        int exhausted;
        try {
            // No assertions in this window: AssertJ may load classes, which needs descriptors.
            lowered = Sys.setrlimit(Sys.RLIMIT_NOFILE, highest + 8L, saved[1]);
            while ((exhausted = LibC.open("/dev/null", LibC.O_RDONLY, 0)) >= 0) filler.add(Fd.adopt(exhausted));

            iterationsBefore = iterations[0];
            victim.connect(addr, err -> victim.readStart(victimSink));
            // Without the trick the listener is readable forever: the loop spins, which shows
            // as iterations racing ahead while the victim waits.
            runUntil("the victim to see its connection closed", () -> victimSink.ended() || iterations[0] > 10_000);
            // Turn the loop some more: a listener left readable would be reported every time.
            for (int i = 0; i < 5; i++) loop.run(RunMode.NOWAIT);
        } finally {
            Sys.setrlimit(Sys.RLIMIT_NOFILE, saved[0], saved[1]);
            filler.forEach(Fd::close);
        }
        assertThat(lowered).isZero();
        assertThat(exhausted).as("open once the limit is reached").isEqualTo(-Errno.EMFILE.number());
        assertThat(victimSink.endCode()).isIn("EOF", "ECONNRESET");
        assertThat(victimSink.size()).isZero();
        assertThat(accepted).as("nothing accepted while out of descriptors").isEmpty();
        assertThat(errors).as("the trick hides EMFILE from the callback").isEmpty();
        assertThat(iterations[0] - iterationsBefore).as("loop iterations (no busy loop)").isLessThan(30);

        // Descriptors are back: the listener (with its reserve taken again) accepts as before.
        Tcp next = new Tcp(loop);
        List<ErrnoException> connected = new ArrayList<>();
        next.connect(addr, connected::add);
        runUntil("a normal accept", () -> accepted.size() == 1 && connected.size() == 1);
        assertThat(connected).containsExactly((ErrnoException) null);
        closeAndDrain(server, victim, next, accepted.get(0), counter);
    }
}
