package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.LibC;
import dev.herd.os.Net;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every stream promises, whatever carries it: each subclass supplies a connected pair (TCP
 * over loopback, a Unix socket through a path, a socketpair) and the same tests run over it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class StreamContractTest extends IoTestBase {
    /** The two connected ends; the subclass has closed whatever it used to connect them. */
    Stream a;
    Stream b;

    /** Makes two connected streams on {@link #loop}, running the loop as needed. */
    abstract Stream[] connectedPair() throws Exception;

    /**
     * The smallest socket buffers the carrier moves data through promptly: 1 byte (the kernel's
     * minimum) by default.
     */
    int tinyBufferSize() {
        return 1;
    }

    /** Shrinks both socket buffers of {@code s}, so data moves in small pieces. */
    final void tinyBuffers(Stream s) {
        socketBuffers(s, tinyBufferSize());
    }

    @BeforeEach
    final void connect() throws Exception {
        Stream[] pair = connectedPair();
        a = pair[0];
        b = pair[1];
        assertThat(a.isReadable() && a.isWritable() && b.isReadable() && b.isWritable())
                .as("both ends readable and writable").isTrue();
    }

    @AfterEach
    final void closeThePair() {
        closeAndDrain(a, b);
    }

    // ---------------------------------------------------------------- data

    @Test
    void aMegabyteOfPatternedBytesArrivesInOrderAndIntact() {
        byte[] data = pattern(1 << 20);
        Sink sink = new Sink();
        b.readStart(sink);
        // Uneven pieces, some heap, some direct, several per request.
        int off = 0;
        int[] sizes = {1, 7, 4096, 65_536, 100_000, 3, 300_000};
        int k = 0;
        while (off < data.length) {
            int n = Math.min(sizes[k++ % sizes.length], data.length - off);
            ByteBuffer piece = ByteBuffer.wrap(data, off, n);
            if (k % 3 == 0) {
                ByteBuffer direct = ByteBuffer.allocateDirect(n).put(piece);
                piece = direct.flip();
            }
            a.write(new ByteBuffer[] {piece}, null);
            off += n;
        }
        a.shutdown(null);
        runUntil("EOF after 1 MiB", sink::ended);
        assertThat(sink.endCode()).isEqualTo("EOF");
        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
    }

    @Test
    void tinySocketBuffersSplitTheDataIntoManySmallReadsAndLoseNothing() {
        tinyBuffers(a);
        tinyBuffers(b);
        byte[] data = pattern(256 * 1024);
        Sink sink = new Sink();
        b.readStart(sink);
        a.write(data, null);
        a.shutdown(null);
        runUntil("EOF", sink::ended);
        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        assertThat(sink.reads).as("reads through small buffers").isGreaterThanOrEqualTo(data.length / Stream.READ_BUFFER_SIZE);
    }

    @Test
    void singleBytesBouncedBackAndForthArriveAsOneByteReads() {
        int rounds = 1_000;
        List<Integer> readSizes = new ArrayList<>();
        int[] next = {0};
        byte[] seen = new byte[rounds];
        // b echoes every byte; a checks it and sends the next one only then, so each read has one byte.
        b.readStart((data, err) -> {
            assertThat(err).isNull();
            readSizes.add(data.remaining());
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            b.write(copy, null);
        });
        a.readStart((data, err) -> {
            assertThat(err).isNull();
            readSizes.add(data.remaining());
            seen[next[0]] = data.get();
            if (++next[0] < rounds) a.write(new byte[] {(byte) next[0]}, null);
        });
        a.write(new byte[] {0}, null);
        runUntil("a thousand round trips", () -> next[0] == rounds);
        assertThat(readSizes).hasSize(2 * rounds).containsOnly(1);
        for (int i = 0; i < rounds; i++) assertThat(seen[i]).isEqualTo((byte) i);
    }

    @Test
    void oneByteWritesArriveInOrderEachCompletingOnce() {
        int n = 5_000;
        Sink sink = new Sink();
        b.readStart(sink);
        List<Integer> completed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            a.write(new byte[] {(byte) i}, err -> {
                assertThat(err).isNull();
                completed.add(id);
            });
        }
        runUntil("all bytes", () -> sink.size() == n && completed.size() == n);
        byte[] got = sink.bytes.toByteArray();
        for (int i = 0; i < n; i++) assertThat(got[i]).as("byte %d", i).isEqualTo((byte) i);
        for (int i = 0; i < n; i++) assertThat(completed.get(i)).isEqualTo(i);
    }

    @Test
    void writeCallbacksRunExactlyOnceInOrderAndNeverInsideWrite() {
        boolean[] insideWrite = {false};
        List<Integer> order = new ArrayList<>();
        Sink sink = new Sink();
        b.readStart(sink);
        long total = 0;
        List<WriteRequest> requests = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int id = i;
            byte[] chunk = pattern(i * 997 % 20_000);
            total += chunk.length;
            insideWrite[0] = true;
            requests.add(a.write(chunk, err -> {
                assertThat(insideWrite[0]).as("callback inside write()").isFalse();
                assertThat(err).isNull();
                assertThat(order).doesNotContain(id);
                order.add(id);
            }));
            insideWrite[0] = false;
            assertThat(requests.get(i).size()).isEqualTo(chunk.length);
        }
        long expected = total;
        runUntil("every write callback", () -> order.size() == 200 && sink.size() == expected);
        for (int i = 0; i < 200; i++) assertThat(order.get(i)).isEqualTo(i);
        assertThat(requests).allMatch(WriteRequest::isDone);
        assertThat(a.writeQueueSize()).isZero();
        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void aThrowingWriteCallbackLosesNoOtherCompletion() {
        List<Throwable> uncaught = new ArrayList<>();
        loop.setExceptionHandler(uncaught::add);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int id = i;
            a.write(new byte[] {(byte) i}, err -> {
                order.add(id);
                if (id == 0) throw new IllegalStateException("callback 0 fails");
            });
        }
        runUntil("three callbacks", () -> order.size() == 3);
        assertThat(order).containsExactly(0, 1, 2);
        assertThat(uncaught).singleElement().satisfies(e -> assertThat(e).hasMessage("callback 0 fails"));
        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void aReadCallbackThatClosesTheStreamGetsNoFurtherCallbacks() {
        int[] calls = {0};
        b.readStart((data, err) -> {
            calls[0]++;
            b.close();
        });
        a.write(pattern(512 * 1024), null);
        a.shutdown(null);
        runUntil("b closed", b::isClosed);
        for (int i = 0; i < 3; i++) loop.run(dev.herd.loop.RunMode.NOWAIT);
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void anEmptyWriteCompletesInOrderWithTheOthers() {
        List<String> order = new ArrayList<>();
        a.write(new byte[0], err -> order.add("empty1"));
        a.write("x".getBytes(StandardCharsets.US_ASCII), err -> order.add("x"));
        a.write(new ByteBuffer[0], err -> order.add("empty2"));
        runUntil("three callbacks", () -> order.size() == 3);
        assertThat(order).containsExactly("empty1", "x", "empty2");
    }

    // ---------------------------------------------------------------- half-close and EOF

    @Test
    void peerShutdownGivesEofWhileTheOtherDirectionStillWorks() {
        Sink atB = new Sink();
        Sink atA = new Sink();
        b.readStart(atB);
        a.readStart(atA);
        a.write("request".getBytes(StandardCharsets.US_ASCII), null);
        List<ErrnoException> shut = new ArrayList<>();
        a.shutdown(shut::add);
        assertThat(a.isWritable()).isFalse();
        assertThat(a.isReadable()).isTrue();
        runUntil("EOF at b", atB::ended);
        assertThat(shut).containsExactly((ErrnoException) null);
        assertThat(atB.endCode()).isEqualTo("EOF");
        assertThat(atB.end.errnoEntry()).isEqualTo(Errno.EOF);
        assertThat(new String(atB.bytes.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("request");
        assertThat(b.isReadable()).isFalse();
        assertThat(b.isReading()).isFalse();

        b.write("reply".getBytes(StandardCharsets.US_ASCII), null);
        b.shutdown(null);
        runUntil("the reply and EOF at a", atA::ended);
        assertThat(new String(atA.bytes.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("reply");
        assertThat(atA.endCode()).isEqualTo("EOF");
    }

    @Test
    void aShutdownWithNothingQueuedCompletesOnALaterTurnAndThePeerSeesEof() {
        Sink atB = new Sink();
        b.readStart(atB);
        List<ErrnoException> shut = new ArrayList<>();
        a.shutdown(shut::add);
        assertThat(shut).as("never inside the call").isEmpty();
        runUntil("EOF at b", atB::ended);
        assertThat(shut).containsExactly((ErrnoException) null);
        assertThat(atB.endCode()).isEqualTo("EOF");
    }

    @Test
    void closingRightAfterAShutdownWithNothingQueuedCancelsIt() {
        List<String> shut = new ArrayList<>();
        a.shutdown(err -> shut.add(err == null ? "ok" : err.code()));
        a.close(null);
        runToCompletion();
        assertThat(shut).containsExactly("ECANCELED");
    }

    @Test
    void aShutdownWaitsForTheWritesQueuedBeforeIt() {
        Sink atB = new Sink();
        b.readStart(atB);
        byte[] big = new byte[4 << 20]; // more than the socket buffers take at once
        java.util.Arrays.fill(big, (byte) 'x');
        List<String> order = new ArrayList<>();
        a.write(big, err -> order.add("write " + (err == null ? "ok" : err.code())));
        a.shutdown(err -> order.add("shutdown " + (err == null ? "ok" : err.code())));
        runUntil("EOF at b", atB::ended);
        assertThat(order).containsExactly("write ok", "shutdown ok");
        assertThat(atB.bytes.size()).isEqualTo(big.length);
    }

    @Test
    void writeAfterShutdownFailsWithEPIPEAndASecondShutdownWithENOTCONN() {
        a.shutdown(null);
        assertThatThrownBy(() -> a.write(new byte[] {1}, err -> {
            throw new AssertionError("callback of a refused write");
        })).isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EPIPE"));
        assertThatThrownBy(() -> a.shutdown(null))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("ENOTCONN"));
        assertThatThrownBy(() -> a.tryWrite(ByteBuffer.wrap(new byte[] {1})))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EPIPE"));
        runToCompletion();
    }

    @Test
    void readStartAfterEofFailsWithENOTCONN() {
        Sink sink = new Sink();
        b.readStart(sink);
        a.shutdown(null);
        runUntil("EOF", sink::ended);
        assertThatThrownBy(() -> b.readStart(new Sink()))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("ENOTCONN"));
    }

    // ---------------------------------------------------------------- flow control

    @Test
    void readStopStopsDeliveryAndReadStartResumes() {
        List<String> got = new ArrayList<>();
        ReadCallback stopAfterOne = (data, err) -> {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            got.add(new String(bytes, StandardCharsets.US_ASCII));
            b.readStop();
        };
        b.readStart(stopAfterOne);
        boolean[] sent = {false};
        a.write("first".getBytes(StandardCharsets.US_ASCII), null);
        runUntil("the first message", () -> got.size() == 1);
        assertThat(b.isReading()).isFalse();
        assertThat(b.isActive()).isFalse();

        a.write("second".getBytes(StandardCharsets.US_ASCII), err -> sent[0] = true);
        runUntil("the second write to complete", () -> sent[0]);
        // The bytes are in b's kernel buffer, readable, and still not delivered.
        byte[] peek = new byte[16];
        assertThat(Net.recv(b.fileno(), peek, 0, peek.length, Net.MSG_PEEK)).isEqualTo(6);
        for (int i = 0; i < 5; i++) loop.run(dev.herd.loop.RunMode.NOWAIT);
        assertThat(got).containsExactly("first");

        b.readStart(stopAfterOne);
        runUntil("the second message", () -> got.size() == 2);
        assertThat(got).containsExactly("first", "second");
    }

    @Test
    void theKernelsRefusalShowsInWriteQueueSizeAndDrainsWhenThePeerReads() {
        tinyBuffers(a);
        tinyBuffers(b);
        int size = 4 << 20;
        List<ErrnoException> done = new ArrayList<>();
        a.write(pattern(size), done::add);
        long queued = a.writeQueueSize();
        // write() tried the kernel at once; what it refused is queued, and only that.
        assertThat(queued).isPositive().isLessThan(size);
        assertThat(a.isActive()).isTrue();
        // The peer does not read: the minimal buffers hold far less than 4 MiB, so the refusal
        // stands however often the loop turns.
        for (int i = 0; i < 5; i++) loop.run(dev.herd.loop.RunMode.NOWAIT);
        assertThat(a.writeQueueSize()).isLessThanOrEqualTo(queued).isGreaterThan(size / 2);
        assertThat(done).isEmpty();

        Sink sink = new Sink();
        b.readStart(sink);
        runUntil("the write to finish", () -> !done.isEmpty());
        assertThat(done).containsExactly((ErrnoException) null);
        assertThat(a.writeQueueSize()).isZero();
        runUntil("all bytes", () -> sink.size() == size);
        assertThat(sink.bytes.toByteArray()).isEqualTo(pattern(size));
    }

    @Test
    void aWriterThatWaitsForItsCallbacksKeepsItsQueueBoundedWhateverTheReadersPace() {
        tinyBuffers(a);
        tinyBuffers(b);
        int chunk = 16 * 1024;
        int highWater = 64 * 1024;
        int total = 2 << 20;
        byte[] data = pattern(total);
        long[] maxQueue = {0};
        long[] written = {0}; // bytes handed to write()
        long[] completed = {0};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            // Node's rule: write while below the high-water mark, else wait for a callback.
            while (written[0] < total && a.writeQueueSize() < highWater) {
                int off = (int) written[0];
                int n = Math.min(chunk, total - off);
                written[0] += n;
                a.write(ByteBuffer.wrap(data, off, n), err -> {
                    assertThat(err).isNull();
                    completed[0] += n;
                    pump[0].run();
                });
                maxQueue[0] = Math.max(maxQueue[0], a.writeQueueSize());
                // Never more buffered than written and not yet completed: nothing was copied.
                assertThat(a.writeQueueSize()).isLessThanOrEqualTo(written[0] - completed[0]);
            }
        };
        pump[0].run();
        // A slow reader: one read per loop iteration, paused in between.
        Sink sink = new Sink();
        ReadCallback[] slow = new ReadCallback[1];
        dev.herd.loop.Check resume = new dev.herd.loop.Check(loop);
        slow[0] = (d, e) -> {
            sink.onRead(d, e);
            b.readStop();
        };
        resume.start(() -> {
            if (!b.isReading() && !sink.ended()) b.readStart(slow[0]);
        });
        resume.unref();
        b.readStart(slow[0]);
        runUntil("all bytes through a slow reader", () -> sink.size() == total && completed[0] == total);
        resume.close();
        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        assertThat(maxQueue[0]).as("largest write queue").isLessThanOrEqualTo(highWater + chunk);
        assertThat(sink.reads).isGreaterThan(10);
    }

    @Test
    void theStreamHoldsTheCallersBytesWithoutCopyingThem() {
        tinyBuffers(a);
        tinyBuffers(b);
        byte[] data = new byte[1 << 20];
        a.write(data, null);
        assertThat(a.writeQueueSize()).isPositive();
        // The caller broke the contract (changed bytes before the callback): the change is what
        // is sent, which shows the queue holds the caller's memory, not a copy of it.
        long sentAlready = data.length - a.writeQueueSize();
        java.util.Arrays.fill(data, (int) sentAlready, data.length, (byte) 'z');
        Sink sink = new Sink();
        b.readStart(sink);
        runUntil("all bytes", () -> sink.size() == data.length);
        byte[] got = sink.bytes.toByteArray();
        assertThat(got[data.length - 1]).isEqualTo((byte) 'z');
        assertThat(got[0]).isEqualTo((byte) 0);
    }

    @Test
    void tryWriteWritesWhatTheKernelTakesAndAdvancesTheBuffer() {
        ByteBuffer buf = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(a.tryWrite(buf)).isEqualTo(5);
        assertThat(buf.hasRemaining()).isFalse();
        Sink sink = new Sink();
        b.readStart(sink);
        runUntil("hello", () -> sink.size() == 5);
        // With writes queued, tryWrite must not jump the queue.
        tinyBuffers(a);
        b.readStop();
        a.write(new byte[4 << 20], null);
        assertThat(a.writeQueueSize()).isPositive();
        assertThat(a.tryWrite(ByteBuffer.wrap(new byte[] {1}))).isZero();
        b.readStart(sink);
        runUntil("the queue to drain", () -> a.writeQueueSize() == 0);
    }

    // ---------------------------------------------------------------- close and errors

    @Test
    void writesPendingAtCloseCompleteWithECANCELEDBeforeTheCloseCallback() {
        tinyBuffers(a);
        tinyBuffers(b);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int id = i;
            a.write(new byte[256 * 1024], err -> events.add(id + ":" + (err == null ? "ok" : err.code())));
        }
        a.shutdown(err -> events.add("shutdown:" + err.code()));
        assertThat(a.writeQueueSize()).isPositive();
        int fd = a.fileno();
        a.close(() -> events.add("close"));
        // The descriptor is closed at once, not in the closing phase.
        assertThat(LibC.fcntl(fd, LibC.F_GETFD, 0)).isEqualTo(-Errno.EBADF.number());
        assertThat(events).as("no callback inside close()").isEmpty();
        assertThatThrownBy(() -> a.write(new byte[1], null))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EBADF"));
        runUntil("the close callback", a::isClosed);
        assertThat(events).hasSize(10).last().isEqualTo("close");
        assertThat(events.get(8)).isEqualTo("shutdown:ECANCELED");
        assertThat(events.subList(0, 8)).allMatch(e -> e.endsWith(":ok") || e.endsWith(":ECANCELED"))
                .anyMatch(e -> e.endsWith(":ECANCELED"));
        for (int i = 0; i < 8; i++) assertThat(events.get(i)).startsWith(i + ":");
        // Once one was cancelled, all after it were.
        int firstCancelled = events.indexOf(events.stream().filter(e -> e.endsWith("ECANCELED")).findFirst().orElseThrow());
        assertThat(events.subList(firstCancelled, 8)).allMatch(e -> e.endsWith(":ECANCELED"));
        assertThat(a.writeQueueSize()).isZero();
        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void closingTwiceIsHarmlessAndRunsOnlyTheFirstCallback() {
        int[] calls = {0, 0};
        a.close(() -> calls[0]++);
        a.close(() -> calls[1]++);
        runUntil("the close callback", a::isClosed);
        assertThat(calls).containsExactly(1, 0);
    }

    @Test
    void peerClosingWithUnreadDataGivesECONNRESET() {
        List<ErrnoException> written = new ArrayList<>();
        a.write(pattern(1000), written::add);
        runUntil("the write", () -> !written.isEmpty());
        // b never read those bytes: closing it resets the connection.
        b.close();
        Sink sink = new Sink();
        a.readStart(sink);
        runUntil("an error at a", sink::ended);
        assertThat(sink.endCode()).isEqualTo("ECONNRESET");
        assertThat(sink.end.syscall()).isEqualTo("read");
        assertThat(a.isReadable()).isFalse();
        assertThat(a.isWritable()).isFalse();
    }

    @Test
    void writingToAPeerThatIsGoneFailsWithEPIPEOrECONNRESET() {
        b.close();
        runUntil("b closed", b::isClosed);
        List<ErrnoException> errors = new ArrayList<>();
        int[] attempts = {0};
        RequestCallback[] again = new RequestCallback[1];
        again[0] = err -> {
            if (err != null) {
                errors.add(err);
                return;
            }
            // TCP accepts the first write after the peer's FIN; the peer answers it with RST.
            if (++attempts[0] < 100) a.write(pattern(1000), again[0]);
        };
        a.write(pattern(1000), again[0]);
        runUntil("a write error", () -> !errors.isEmpty() || attempts[0] >= 100);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.code()).isIn("EPIPE", "ECONNRESET");
            assertThat(e.syscall()).isEqualTo("write");
        });
    }
}
