package dev.herd.node.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.node.v8.Hex;
import dev.herd.node.v8.NodePeer;
import dev.herd.node.v8.V8Deserializer;
import dev.herd.node.v8.V8Options;
import dev.herd.node.value.ValueEquality;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The framing of both modes against Node's own channel code (lib/internal/child_process/
 * serialization.js: writeChannelMessage, parseChannelMessages), in a real {@code node}: Node reads
 * a stream of Herd's frames in chunks of any size, and Herd's decoder reads Node's stream one byte
 * at a time. One node process serves the class.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IpcNodeInteropTest {
    private static final List<String> EXPRESSIONS = List.of(
            "({cmd: 'NODE_CLUSTER', act: 'online', seq: 0})", "'hé€ 😀'", "[1, 2.5, 'x', null]",
            "({a: {b: [true, false, {}]}, s: '\\u2028'})", "42", "-0.5", "''", "'x'.repeat(70000)");
    private static NodePeer node;

    @BeforeAll
    static void startNode() {
        node = new NodePeer();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void nodeReadsHerdsAdvancedFramesInChunksOfAnySize() {
        ByteArrayOutputStream herd = new ByteArrayOutputStream();
        for (String e : EXPRESSIONS) {
            byte[] f = node.frameOf(e); // the value, which Herd reads and writes itself
            herd.writeBytes(Serialization.ADVANCED.encode(new V8Deserializer(V8Options.CHILD_PROCESS).deserialize(f, 4, f.length - 4)));
        }
        byte[] stream = herd.toByteArray();
        for (int chunk : new int[] {1, 3, 4, 5, 1000, 0}) {
            // Node reads the stream as a channel does and writes back each message it got.
            assertThat(Hex.of(node.call('f', withChunk(chunk, stream)))).as("chunks of %d", chunk).isEqualTo(Hex.of(stream));
        }
    }

    @Test
    void herdReadsNodesAdvancedStreamOneByteAtATime() {
        ByteArrayOutputStream nodeStream = new ByteArrayOutputStream();
        for (String e : EXPRESSIONS) {
            nodeStream.writeBytes(node.frameOf(e));
        }
        byte[] stream = nodeStream.toByteArray();
        FrameDecoder decoder = Serialization.ADVANCED.newDecoder();
        RecordingSink sink = new RecordingSink();
        for (int i = 0; i < stream.length; i++) {
            decoder.feed(stream, i, 1, sink);
        }
        decoder.end(sink);
        assertThat(sink.badFrames).isEmpty();
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        sink.messages.forEach(m -> again.writeBytes(Serialization.ADVANCED.encode(m)));
        assertThat(Hex.of(again.toByteArray())).isEqualTo(Hex.of(stream));
    }

    @Test
    void nodeReadsHerdsJsonLinesInChunksOfAnySize() throws Exception {
        List<Object> messages = List.of(object("cmd", "NODE_HANDLE_ACK"), "hé€ 😀", new ArrayList<>(List.of(1, 2.5, "x")),
                object("nested", object("t", true)));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        messages.forEach(m -> stream.writeBytes(Serialization.JSON.encode(m)));
        for (int chunk : new int[] {1, 2, 7, 0}) {
            byte[] body = withChunk(chunk, stream.toByteArray());
            Object parsed = new ObjectMapper().readValue(node.call('j', body), List.class);
            assertThat(parsed).as("chunks of %d", chunk).isEqualTo(messages);
        }
    }

    @Test
    void herdReadsNodesJsonLinesOneByteAtATime() {
        ByteArrayOutputStream nodeStream = new ByteArrayOutputStream();
        List<String> simple = List.of("({cmd: 'NODE_CLUSTER', act: 'online', seq: 0})", "'hé€ 😀'", "[1, 2.5, 'x', null]", "42", "''");
        for (String e : simple) {
            nodeStream.writeBytes(node.call('J', e.getBytes(StandardCharsets.UTF_8)));
        }
        byte[] stream = nodeStream.toByteArray();
        FrameDecoder decoder = Serialization.JSON.newDecoder();
        RecordingSink sink = new RecordingSink();
        for (int i = 0; i < stream.length; i++) {
            decoder.feed(stream, i, 1, sink);
        }
        decoder.end(sink);
        assertThat(sink.badFrames).isEmpty();
        ValueEquality.assertSame(new ArrayList<>(List.of(object("cmd", "NODE_CLUSTER", "act", "online", "seq", 0), "hé€ 😀",
                new ArrayList<>(java.util.Arrays.asList(1, 2.5, "x", null)), 42, "")), new ArrayList<>(sink.messages));
    }

    @Test
    void invalidUtf8IsReplacedAsNodesStringDecoderReplacesIt() throws Exception {
        // Bad lead bytes, truncated sequences, an encoded surrogate, overlongs, beyond U+10FFFF, stray
        // continuation bytes, next to valid ones: each as Node's decoder sees it.
        byte[] line = Hex.bytes("22 61 ff 62 e2 82 63 ed a0 80 64 c0 af 65 f0 9f 98 66 f4 90 80 80 67 80 80 68 e0 80 80 69"
                + " f8 88 80 80 80 6a ef bf bf 6b f0 90 80 80 6c e2 82 22 0a");
        Object nodeView = new ObjectMapper().readValue(node.call('j', withChunk(1, line)), List.class);
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = Serialization.JSON.newDecoder();
        for (int i = 0; i < line.length; i++) {
            decoder.feed(line, i, 1, sink);
        }
        assertThat(sink.messages).isEqualTo(nodeView);
    }

    private static byte[] withChunk(int chunk, byte[] stream) {
        byte[] body = new byte[stream.length + 1];
        body[0] = (byte) chunk;
        System.arraycopy(stream, 0, body, 1, stream.length);
        return body;
    }

    private static Map<String, Object> object(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
