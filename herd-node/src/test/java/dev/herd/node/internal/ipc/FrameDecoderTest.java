package dev.herd.node.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.v8.Hex;
import dev.herd.node.value.ValueEquality;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Incremental decoding of both modes: messages split at every byte, one byte per chunk, many per
 * chunk; bad frames lost alone; fatal prefixes; end of stream inside a frame; bounded memory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameDecoderTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final List<Object> MESSAGES = List.of(
            object("cmd", "NODE_CLUSTER", "act", "online", "seq", 0),
            "hé€ 😀",
            new ArrayList<>(List.of(1, 2.5, "x")),
            object("nested", object("deep", new ArrayList<>(List.of(true, false)))),
            42);

    // ---- advanced ----

    @Test
    void advancedFramesSplitAtEveryPositionAreDecoded() {
        byte[] stream = concat(MESSAGES.stream().map(Serialization.ADVANCED::encode).toList());
        for (int split = 0; split <= stream.length; split++) {
            FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
            RecordingSink sink = new RecordingSink();
            decoder.feed(stream, 0, split, sink);
            decoder.feed(stream, split, stream.length - split, sink);
            assertSameMessages(sink);
        }
    }

    @Test
    void advancedFramesFedOneByteAtATimeAreDecoded() {
        byte[] stream = concat(MESSAGES.stream().map(Serialization.ADVANCED::encode).toList());
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        for (int i = 0; i < stream.length; i++) {
            decoder.feed(stream, i, 1, sink);
        }
        assertSameMessages(sink);
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void manyAdvancedFramesInOneChunkAreDecodedInOrder() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            frames.add(Serialization.ADVANCED.encode(i));
        }
        RecordingSink sink = new RecordingSink();
        Serialization.ADVANCED.newDecoder().feed(ByteBuffer.wrap(concat(frames)), sink);
        assertThat(sink.messages).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(sink.messages.get(i)).isEqualTo(i);
        }
    }

    @Test
    void directBuffersAreDecodedToo() {
        byte[] stream = concat(MESSAGES.stream().map(Serialization.ADVANCED::encode).toList());
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        for (int i = 0; i < stream.length; i += 5) {
            ByteBuffer direct = ByteBuffer.allocateDirect(Math.min(5, stream.length - i));
            direct.put(stream, i, direct.capacity()).flip();
            decoder.feed(direct, sink);
            assertThat(direct.hasRemaining()).isFalse();
        }
        assertSameMessages(sink);
    }

    @Test
    void aBadAdvancedPayloadIsLostAloneAndTheNextFrameIsDecoded() {
        byte[] bad = Hex.bytes("00 00 00 03 ff 0f 4d"); // a sane length around an unknown tag
        byte[] stream = concat(List.of(Serialization.ADVANCED.encode("before"), bad, Serialization.ADVANCED.encode("after")));
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        decoder.feed(stream, 0, stream.length, sink);
        assertThat(sink.events).hasSize(3);
        assertThat(sink.events.get(0)).isEqualTo("before");
        assertThat(sink.badFrames).singleElement().satisfies(e -> assertThat(e.getMessage()).contains("unexpected tag 0x4D"));
        assertThat(sink.events.get(2)).isEqualTo("after");
        assertThat(decoder.isFailed()).isFalse();
    }

    @Test
    void aLengthPrefixOf2To31OrMoreIsFatalAndLaterInputIsDropped() {
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        byte[] stream = concat(List.of(Serialization.ADVANCED.encode("ok"), Hex.bytes("80 00 00 00 ff 0f 30"), Serialization.ADVANCED.encode("lost")));
        decoder.feed(stream, 0, stream.length, sink);
        decoder.feed(Serialization.ADVANCED.encode("also lost"), 0, 14, sink);
        assertThat(sink.messages).containsExactly("ok");
        assertThat(sink.fatals).singleElement().satisfies(e -> assertThat(e.getMessage()).contains("2147483648 is 2^31 or more"));
        assertThat(decoder.isFailed()).isTrue();
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void aZeroLengthFrameIsFatal() {
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        byte[] stream = concat(List.of(Hex.bytes("00 00 00 00"), Serialization.ADVANCED.encode("lost")));
        decoder.feed(stream, 0, stream.length, sink);
        assertThat(sink.messages).isEmpty();
        assertThat(sink.fatals).singleElement().satisfies(e -> assertThat(e.getMessage()).contains("length 0"));
    }

    @Test
    void aHugeDeclaredFrameWaitsForItsBytesWithoutAllocatingThem() {
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        decoder.feed(Hex.bytes("7f ff ff ff ff 0f 22"), 0, 7, sink);
        for (int i = 0; i < 100; i++) {
            decoder.feed(new byte[100], 0, 100, sink);
        }
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - before).isLessThan(512 * 1024);
        assertThat(decoder.bufferedBytes()).isEqualTo(7 + 100 * 100);
        assertThat(sink.events).isEmpty();
    }

    @Test
    void theEndOfTheStreamInsideAFrameIsReportedNotThrown() {
        byte[] frame = Serialization.ADVANCED.encode("cut short");
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        decoder.feed(frame, 0, frame.length - 3, sink);
        decoder.end(sink);
        assertThat(sink.messages).isEmpty();
        assertThat(sink.badFrames).singleElement().satisfies(e -> assertThat(e.getMessage())
                .isEqualTo("The IPC stream ended inside a frame: 10 of 13 payload bytes"));
    }

    @Test
    void theEndOfTheStreamInsideALengthPrefixIsReported() {
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        decoder.feed(Hex.bytes("00 00"), 0, 2, sink);
        decoder.end(sink);
        assertThat(sink.badFrames).singleElement().satisfies(e -> assertThat(e.getMessage())
                .isEqualTo("The IPC stream ended inside a frame's length prefix (2 of 4 bytes)"));
    }

    @Test
    void theEndOfTheStreamBetweenFramesReportsNothing() {
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        byte[] frame = Serialization.ADVANCED.encode("whole");
        decoder.feed(frame, 0, frame.length, sink);
        decoder.end(sink);
        decoder.end(sink);
        assertThat(sink.events).containsExactly("whole");
    }

    @Test
    void feedingAfterTheEndIsAnError() {
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        decoder.end(new RecordingSink());
        assertThatThrownBy(() -> decoder.feed(new byte[1], 0, 1, new RecordingSink())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFrameOverTheSizeLimitIsDroppedAsItArrivesAndTheNextIsDecoded() {
        byte[] big = Serialization.ADVANCED.encode("x".repeat(10_000));
        byte[] stream = concat(List.of(big, Serialization.ADVANCED.encode("small")));
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder(1000);
        RecordingSink sink = new RecordingSink();
        int maxBuffered = 0;
        for (int i = 0; i < stream.length; i += 100) {
            decoder.feed(stream, i, Math.min(100, stream.length - i), sink);
            maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes());
        }
        assertThat(sink.badFrames).singleElement().satisfies(e -> assertThat(e.getMessage())
                .isEqualTo("IPC frame of " + (big.length - 4) + " bytes exceeds the limit of 1000 bytes; it is dropped"));
        assertThat(sink.messages).containsExactly("small");
        assertThat(maxBuffered).isLessThan(100);
    }

    @Test
    void aSinkThatThrowsLosesNoBytes() {
        byte[] stream = concat(List.of(Serialization.ADVANCED.encode("first"), Serialization.ADVANCED.encode("second")));
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        List<Object> seen = new ArrayList<>();
        FrameDecoder.Sink throwing = new RecordingSink() {
            @Override
            public void message(Object message) {
                seen.add(message);
                if (message.equals("first")) {
                    throw new IllegalStateException("listener failed");
                }
            }
        };
        assertThatThrownBy(() -> decoder.feed(stream, 0, stream.length, throwing)).hasMessage("listener failed");
        decoder.feed(new byte[0], 0, 0, throwing);
        assertThat(seen).containsExactly("first", "second");
    }

    // ---- JSON ----

    @Test
    void jsonLinesSplitAtEveryPositionAreDecoded() {
        byte[] stream = concat(MESSAGES.stream().map(Serialization.JSON::encode).toList());
        for (int split = 0; split <= stream.length; split++) {
            FrameDecoder decoder = Serialization.JSON.newDecoder();
            RecordingSink sink = new RecordingSink();
            decoder.feed(stream, 0, split, sink);
            decoder.feed(stream, split, stream.length - split, sink);
            assertSameMessages(sink);
        }
    }

    @Test
    void jsonLinesFedOneByteAtATimeAreDecodedAcrossMultiByteCharacters() {
        byte[] stream = concat(MESSAGES.stream().map(Serialization.JSON::encode).toList());
        FrameDecoder decoder = Serialization.JSON.newDecoder();
        RecordingSink sink = new RecordingSink();
        for (int i = 0; i < stream.length; i++) {
            decoder.feed(ByteBuffer.wrap(stream, i, 1), sink);
        }
        assertSameMessages(sink);
    }

    @Test
    void crlfLineEndsAreAccepted() {
        RecordingSink sink = new RecordingSink();
        byte[] stream = "{\"a\":1}\r\n\"b\"\r\n".getBytes(StandardCharsets.UTF_8);
        Serialization.JSON.newDecoder().feed(stream, 0, stream.length, sink);
        assertThat(sink.messages).containsExactly(Map.of("a", 1), "b");
    }

    @Test
    void anInvalidJsonLineIsLostAloneAndTheNextLineIsDecoded() {
        RecordingSink sink = new RecordingSink();
        byte[] stream = "1\n{not json}\n\n2\n".getBytes(StandardCharsets.UTF_8);
        FrameDecoder decoder = Serialization.JSON.newDecoder();
        decoder.feed(stream, 0, stream.length, sink);
        assertThat(sink.messages).containsExactly(1, 2);
        assertThat(sink.badFrames).hasSize(2); // the invalid line and the empty one
        assertThat(sink.badFrames).allSatisfy(e -> assertThat(e.jsName()).isEqualTo("SyntaxError"));
        assertThat(decoder.isFailed()).isFalse();
    }

    @Test
    void invalidUtf8BecomesReplacementCharactersBeforeParsing() {
        RecordingSink sink = new RecordingSink();
        byte[] stream = {'"', 'a', (byte) 0xff, 'b', (byte) 0xe2, (byte) 0x82, '"', '\n'};
        Serialization.JSON.newDecoder().feed(stream, 0, stream.length, sink);
        assertThat(sink.messages).containsExactly("a\uFFFDb\uFFFD");
    }

    @Test
    void bytesAfterTheLastNewlineAreReportedAtTheEnd() {
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = Serialization.JSON.newDecoder();
        byte[] stream = "1\n{\"partial\"".getBytes(StandardCharsets.UTF_8);
        decoder.feed(stream, 0, stream.length, sink);
        decoder.end(sink);
        assertThat(sink.messages).containsExactly(1);
        assertThat(sink.badFrames).singleElement().satisfies(e -> assertThat(e.getMessage()).startsWith(
                "The IPC stream ended with 10 bytes after the last newline"));
    }

    @Test
    void aJsonLineOverTheSizeLimitIsDroppedUpToItsNewline() {
        FrameDecoder decoder = Serialization.JSON.newDecoder(100);
        RecordingSink sink = new RecordingSink();
        byte[] stream = concat(List.of(Serialization.JSON.encode("y".repeat(5000)), Serialization.JSON.encode("small")));
        int maxBuffered = 0;
        for (int i = 0; i < stream.length; i += 64) {
            decoder.feed(stream, i, Math.min(64, stream.length - i), sink);
            maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes());
        }
        assertThat(sink.badFrames).hasSize(1);
        assertThat(sink.messages).containsExactly("small");
        assertThat(maxBuffered).isLessThanOrEqualTo(100 + 64);
    }

    @Test
    void aLongJsonLineArrivingInSmallChunksIsScannedOnce() {
        byte[] line = Serialization.JSON.encode("z".repeat(1 << 20));
        FrameDecoder decoder = Serialization.JSON.newDecoder();
        RecordingSink sink = new RecordingSink();
        long start = System.nanoTime();
        for (int i = 0; i < line.length; i += 512) {
            decoder.feed(line, i, Math.min(512, line.length - i), sink);
        }
        assertThat(sink.messages).containsExactly("z".repeat(1 << 20));
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    // ---- long frames ----

    /**
     * A frame over a mebibyte, read in 64 KiB chunks: the decoder gathers it and copies it once,
     * so decoding allocates about three times its size (the gathered bytes, one exact copy, the
     * string), where a doubling buffer (its discarded halves too) and Jackson's char buffers
     * allocated over five times.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"json", "advanced"})
    void aLongFrameIsDecodedWithOneCopyOfItsBytes(String mode) {
        Serialization serialization = Serialization.of(mode);
        String text = "x".repeat(16 << 20);
        byte[] stream = concat(List.of(serialization.encode(text), serialization.encode("next")));
        FrameDecoder decoder = serialization.newDecoder();
        RecordingSink sink = new RecordingSink();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < stream.length; i += 65536) {
            decoder.feed(stream, i, Math.min(65536, stream.length - i), sink);
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink.messages).containsExactly(text, "next");
        assertThat(decoder.bufferedBytes()).isZero();
        assertThat(allocated).as("bytes allocated decoding a %d-byte frame", stream.length).isLessThan(stream.length * 7L / 2);
    }

    /**
     * A message of 100,000 objects of three small properties: each costs its LinkedHashMap (64
     * bytes), three entries (120) and a table sized for them (32), plus its list slot and the
     * decoder's bookkeeping (13 in JSON, 29 in advanced mode). The default table of 16 slots cost
     * 48 bytes more per object (277 and 293).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"json", "advanced"})
    void smallObjectsAreDecodedWithTablesSizedForFewProperties(String mode) {
        Serialization serialization = Serialization.of(mode);
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            list.add(object("a", 1, "b", 2, "c", 3));
        }
        byte[] frame = serialization.encode(list);
        RecordingSink warm = new RecordingSink();
        serialization.newDecoder().feed(frame, 0, frame.length, warm); // classes loaded, caches filled
        FrameDecoder decoder = serialization.newDecoder();
        List<Object> got = new ArrayList<>();
        FrameDecoder.Sink sink = new RecordingSink() {
            @Override
            public void message(Object message) {
                got.add(message);
            }
        };
        long before = THREADS.getCurrentThreadAllocatedBytes();
        decoder.feed(frame, 0, frame.length, sink);
        long perObject = (THREADS.getCurrentThreadAllocatedBytes() - before) / 100_000;
        assertThat(got).singleElement().isEqualTo(list);
        assertThat(perObject).as("bytes allocated per object").isLessThan(mode.equals("json") ? 253 : 269);
    }

    @Test
    void aLongFrameEndingInTheMiddleOfAChunkIsFollowedByTheRestOfTheChunk() {
        for (Serialization serialization : Serialization.values()) {
            String text = "é".repeat(700_000); // 1.4 MB of two-byte characters
            byte[] stream = concat(List.of(serialization.encode(text), serialization.encode("a"), serialization.encode("b")));
            FrameDecoder decoder = serialization.newDecoder();
            RecordingSink sink = new RecordingSink();
            for (int i = 0; i < stream.length; i += 100_000) {
                decoder.feed(ByteBuffer.wrap(stream, i, Math.min(100_000, stream.length - i)).asReadOnlyBuffer(), sink);
            }
            assertThat(sink.messages).as(serialization.nodeName()).containsExactly(text, "a", "b");
            assertThat(sink.badFrames).isEmpty();
        }
    }

    @Test
    void theEndOfTheStreamInsideALongFrameIsReported() {
        byte[] json = Serialization.JSON.encode("q".repeat(3 << 20));
        byte[] advanced = Serialization.ADVANCED.encode("q".repeat(3 << 20));
        RecordingSink jsonSink = new RecordingSink();
        RecordingSink advancedSink = new RecordingSink();
        FrameDecoder jsonDecoder = Serialization.JSON.newDecoder();
        FrameDecoder advancedDecoder = Serialization.ADVANCED.newDecoder();
        for (int i = 0; i < 2 << 20; i += 65536) {
            jsonDecoder.feed(json, i, 65536, jsonSink);
            advancedDecoder.feed(advanced, i, 65536, advancedSink);
        }
        assertThat(jsonDecoder.bufferedBytes()).isEqualTo(2 << 20);
        jsonDecoder.end(jsonSink);
        advancedDecoder.end(advancedSink);
        assertThat(jsonSink.badFrames).singleElement().satisfies(e -> assertThat(e.getMessage())
                .startsWith("The IPC stream ended with " + (2 << 20) + " bytes after the last newline"));
        assertThat(advancedSink.badFrames).singleElement().satisfies(e -> assertThat(e.getMessage())
                .isEqualTo("The IPC stream ended inside a frame: " + ((2 << 20) - 4) + " of " + (advanced.length - 4) + " payload bytes"));
        assertThat(jsonDecoder.bufferedBytes()).isZero();
    }

    @Test
    void aLongAdvancedFrameOfExactlyTheLimitIsDecodedThoughItsPrefixTakesItPastTheLimit() {
        byte[] frame = Serialization.ADVANCED.encode("v".repeat(2 << 20));
        int limit = frame.length - 4;
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder(limit);
        RecordingSink sink = new RecordingSink();
        decoder.feed(frame, 0, frame.length - 2 - 65536, sink);
        decoder.feed(frame, frame.length - 2 - 65536, 65536, sink); // held: the limit + 2
        decoder.feed(frame, frame.length - 2, 2, sink);
        assertThat(sink.badFrames).isEmpty();
        assertThat(sink.messages).containsExactly("v".repeat(2 << 20));
    }

    @Test
    void aLongJsonLineGrowingPastTheLimitIsDroppedUpToItsNewline() {
        FrameDecoder decoder = Serialization.JSON.newDecoder(3 << 20);
        RecordingSink sink = new RecordingSink();
        byte[] stream = concat(List.of(Serialization.JSON.encode("y".repeat(5 << 20)), Serialization.JSON.encode("small")));
        int maxBuffered = 0;
        for (int i = 0; i < stream.length; i += 65536) {
            decoder.feed(stream, i, Math.min(65536, stream.length - i), sink);
            maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes());
        }
        assertThat(sink.badFrames).hasSize(1);
        assertThat(sink.messages).containsExactly("small");
        assertThat(maxBuffered).isLessThanOrEqualTo(3 << 20);
    }

    // ---- helpers ----

    private static void assertSameMessages(RecordingSink sink) {
        assertThat(sink.badFrames).isEmpty();
        assertThat(sink.fatals).isEmpty();
        assertThat(sink.messages).hasSize(MESSAGES.size());
        for (int i = 0; i < MESSAGES.size(); i++) {
            ValueEquality.assertSame(MESSAGES.get(i), sink.messages.get(i));
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static Map<String, Object> object(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
