package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import dev.herd.os.Net;
import dev.herd.os.SockAddr;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Passing descriptors over an ipc pipe: {@link Stream#write2} and {@link Pipe#acceptPending()}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeHandlePassingTest extends IoTestBase {
    private static ByteBuffer[] ascii(String s) {
        return new ByteBuffer[] {ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII))};
    }

    private Tcp listeningTcp() {
        Tcp server = new Tcp(loop);
        server.bind(SockAddr.inet("127.0.0.1", 0));
        server.listen(16, err -> {});
        return server;
    }

    @Test
    void aListeningTcpSocketArrivesWithItsMessageAndListensOnTheSamePort() {
        Pipe[] ends = Pipe.socketpair(loop, true);
        Tcp server = listeningTcp();
        List<ErrnoException> sent = new ArrayList<>();
        ends[0].write2(ascii("{\"cmd\":\"NODE_HANDLE\"}\n"), server, sent::add);
        Sink sink = new Sink();
        ends[1].readStart(sink);
        runUntil("the message and the handle", () -> sink.bytes.size() == 22 && sent.size() == 1);
        assertThat(sent).containsExactly((ErrnoException) null);
        assertThat(ends[1].pendingCount()).isEqualTo(1);
        assertThat(ends[1].pendingType()).isEqualTo(Pipe.PendingType.TCP);
        Tcp received = new Tcp(loop);
        received.open(ends[1].acceptPending());
        assertThat(received.getsockname().port()).isEqualTo(server.getsockname().port());
        assertThat(ends[1].pendingCount()).isZero();
        assertThat(Net.getsockopt(received.fileno(), Net.SOL_SOCKET, Net.SO_ACCEPTCONN)).isEqualTo(1);
        closeAndDrain(ends[0], ends[1], server, received);
    }

    @Test
    void aConnectedUnixSocketIsReportedAsAPipeAndStillCarriesBytes() {
        Pipe[] channel = Pipe.socketpair(loop, true);
        Pipe[] pair = Pipe.socketpair(loop);
        channel[0].write2(ascii("x"), pair[0], null);
        Sink sink = new Sink();
        channel[1].readStart(sink);
        runUntil("the handle", () -> channel[1].pendingCount() == 1);
        assertThat(channel[1].pendingType()).isEqualTo(Pipe.PendingType.PIPE);
        Pipe received = new Pipe(loop);
        received.open(channel[1].acceptPending());
        pair[0].close(); // only the passed copy is left on this side
        Sink other = new Sink();
        pair[1].readStart(other);
        received.write("through the passed socket".getBytes(StandardCharsets.US_ASCII), null);
        runUntil("the bytes", () -> other.bytes.size() == 25);
        assertThat(other.bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("through the passed socket");
        closeAndDrain(channel[0], channel[1], pair[0], pair[1], received);
    }

    @Test
    void aUdpSocketIsReportedAsUdpAndOpensBoundToTheSamePort() {
        Pipe[] channel = Pipe.socketpair(loop, true);
        Udp udp = new Udp(loop);
        udp.bind(SockAddr.inet("127.0.0.1", 0));
        channel[0].write2(ascii("u"), udp, null);
        channel[1].readStart(new Sink());
        runUntil("the handle", () -> channel[1].pendingCount() == 1);
        assertThat(channel[1].pendingType()).isEqualTo(Pipe.PendingType.UDP);
        Udp received = new Udp(loop);
        received.open(channel[1].acceptPending());
        assertThat(received.getsockname().port()).isEqualTo(udp.getsockname().port());
        closeAndDrain(channel[0], channel[1], udp, received);
    }

    @Test
    void theReadEndOfAPipeIsReportedAsAPipe() {
        Pipe[] channel = Pipe.socketpair(loop, true);
        Fd[] pipe = LibC.pipe2(LibC.O_CLOEXEC);
        Pipe readEnd = new Pipe(loop);
        readEnd.open(pipe[0]);
        channel[0].write2(ascii("p"), readEnd, null);
        channel[1].readStart(new Sink());
        runUntil("the handle", () -> channel[1].pendingCount() == 1);
        assertThat(channel[1].pendingType()).isEqualTo(Pipe.PendingType.PIPE);
        channel[1].acceptPending().close();
        pipe[1].close();
        closeAndDrain(channel[0], channel[1], readEnd);
    }

    @Test
    void severalHandlesQueueInArrivalOrder() {
        Pipe[] channel = Pipe.socketpair(loop, true);
        Tcp a = listeningTcp();
        Tcp b = listeningTcp();
        channel[0].write2(ascii("a"), a, null);
        channel[0].write2(ascii("b"), b, null);
        channel[1].readStart(new Sink());
        runUntil("both handles", () -> channel[1].pendingCount() == 2);
        Tcp first = new Tcp(loop);
        first.open(channel[1].acceptPending());
        Tcp second = new Tcp(loop);
        second.open(channel[1].acceptPending());
        assertThat(first.getsockname().port()).isEqualTo(a.getsockname().port());
        assertThat(second.getsockname().port()).isEqualTo(b.getsockname().port());
        closeAndDrain(channel[0], channel[1], a, b, first, second);
    }

    @Test
    void descriptorsNeverTakenAreClosedWithThePipe() {
        // FdLeakCheck-style: the count of open descriptors is the same before and after.
        long before = openFds();
        Pipe[] channel = Pipe.socketpair(loop, true);
        Tcp server = listeningTcp();
        channel[0].write2(ascii("z"), server, null);
        channel[1].readStart(new Sink());
        runUntil("the handle", () -> channel[1].pendingCount() == 1);
        closeAndDrain(channel[0], channel[1], server);
        assertThat(openFds()).isEqualTo(before);
    }

    @Test
    void acceptPendingWithNothingWaitingIsEAGAIN() {
        Pipe[] channel = Pipe.socketpair(loop, true);
        assertThat(channel[1].pendingType()).isNull();
        assertThatThrownBy(() -> channel[1].acceptPending()).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("EAGAIN"));
        closeAndDrain(channel[0], channel[1]);
    }

    @Test
    void write2WithAHandleOnAPipeThatIsNotIpcIsEINVAL() {
        Pipe[] plain = Pipe.socketpair(loop);
        Tcp server = listeningTcp();
        assertThatThrownBy(() -> plain[0].write2(ascii("x"), server, null)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.code()).isEqualTo("EINVAL"));
        closeAndDrain(plain[0], plain[1], server);
    }

    @Test
    void write2WithAHandleAndNoBytesIsEINVAL() {
        Pipe[] channel = Pipe.socketpair(loop, true);
        Tcp server = listeningTcp();
        assertThatThrownBy(() -> channel[0].write2(new ByteBuffer[] {ByteBuffer.allocate(0)}, server, null))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EINVAL"));
        closeAndDrain(channel[0], channel[1], server);
    }

    @Test
    void aHandleClosedBeforeItsWriteFailsThatWriteWithEBADFAndLaterWritesGoOn() {
        Pipe[] channel = Pipe.socketpair(loop, true);
        socketBuffers(channel[0], 4096);
        // Fill the socket so that the handle's write has to wait in the queue.
        byte[] filler = pattern(1 << 20);
        List<ErrnoException> results = new ArrayList<>();
        channel[0].write(filler, results::add);
        Tcp server = listeningTcp();
        channel[0].write2(ascii("h"), server, results::add);
        channel[0].write(ascii("after")[0], results::add);
        server.close();
        Sink sink = new Sink();
        channel[1].readStart(sink);
        runUntil("all three writes", () -> results.size() == 3);
        assertThat(results.get(0)).isNull();
        assertThat(results.get(1).code()).isEqualTo("EBADF");
        assertThat(results.get(2)).isNull();
        runUntil("the bytes", () -> sink.bytes.size() == filler.length + 5);
        assertThat(channel[1].pendingCount()).isZero();
        closeAndDrain(channel[0], channel[1]);
    }

    private static long openFds() {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
