package dev.herd.node.internal.stream;

import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.setInterval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.node.Timeout;
import dev.herd.node.http.Http;
import dev.herd.node.http.HttpServer;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * setEncoding on a net.Socket and on an http.IncomingMessage, for each of Node's encodings,
 * against what the real {@code node}'s StringDecoder (what its setEncoding uses) makes of the same
 * chunks. The chunks hold bytes from 0x80 on, a 3-byte and a 4-byte UTF-8 character each split
 * between two chunks, an odd length for utf16le and lengths that are not multiples of 3 for base64.
 */
@ExtendWith(FdLeakCheck.class)
@org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadableEncodingTest {
    private static final byte[][] CHUNKS = {
        {'a', (byte) 0xe9, (byte) 0xff, (byte) 0x80, (byte) 0xe2},
        {(byte) 0x82, (byte) 0xac, 'b', (byte) 0xf0, (byte) 0x9f},
        {(byte) 0x98, (byte) 0x80, 'c'},
    };

    /** Each encoding's text for CHUNKS, as node's StringDecoder writes and ends it. */
    private static final Map<String, String> NODE = new HashMap<>();

    @BeforeAll
    static void askNode() throws Exception {
        StringBuilder chunks = new StringBuilder("[");
        for (byte[] c : CHUNKS) {
            if (chunks.length() > 1) chunks.append(',');
            chunks.append('[');
            for (int i = 0; i < c.length; i++) chunks.append(i == 0 ? "" : ",").append(c[i] & 0xff);
            chunks.append(']');
        }
        chunks.append(']');
        // One line an encoding: its name, then the UTF-16 code units of the text.
        String script = """
                const { StringDecoder } = require('string_decoder');
                const chunks = %s;
                for (const enc of ['utf8', 'utf16le', 'latin1', 'ascii', 'hex', 'base64', 'base64url']) {
                  const d = new StringDecoder(enc);
                  let s = '';
                  for (const c of chunks) s += d.write(Buffer.from(c));
                  s += d.end();
                  console.log(enc + ' ' + Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)).join(','));
                }
                """.formatted(chunks);
        Process node = new ProcessBuilder("node", "-e", script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // Closed now, not by the process reaper during a test (whose fd check would see it go).
        node.getOutputStream().close();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                String[] parts = line.split(" ", -1);
                StringBuilder text = new StringBuilder();
                if (!parts[1].isEmpty()) for (String u : parts[1].split(",")) text.append((char) Integer.parseInt(u));
                NODE.put(parts[0], text.toString());
            }
        }
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        assertThat(NODE).hasSize(7);
    }

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    /**
     * Sends {@code chunks} from a client to a server whose socket {@code setup} prepares, one read
     * at a time: each chunk goes once the server has read the one before, so each arrives alone.
     */
    private static void sendOneReadAtATime(byte[][] chunks, Consumer<Socket> setup) {
        run(a -> {
            Socket[] accepted = new Socket[1];
            Server server = Net.createServer(s -> {
                accepted[0] = s;
                setup.accept(s);
                s.on("end", () -> s.end());
            });
            server.listen(0, "127.0.0.1", 0, () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.setNoDelay(true);
                c.on("data", x -> {});
                c.on("close", x -> server.close());
                long[] sent = {0};
                int[] next = {0};
                Timeout[] poll = new Timeout[1];
                poll[0] = setInterval(() -> {
                    if (accepted[0] == null || accepted[0].bytesRead() < sent[0]) return;
                    if (next[0] == chunks.length) {
                        clearInterval(poll[0]);
                        c.end();
                        return;
                    }
                    byte[] chunk = chunks[next[0]++];
                    sent[0] += chunk.length;
                    c.write(chunk);
                }, 1);
            });
        });
    }

    /** Posts {@code chunks} as the chunks of a chunked request body to a server that hands the request to {@code setup}. */
    private static void postChunked(byte[][] chunks, Consumer<dev.herd.node.http.IncomingMessage> setup) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        for (byte[] c : chunks) {
            request.writeBytes((Integer.toHexString(c.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(c);
            request.writeBytes(new byte[] {'\r', '\n'});
        }
        request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        run(a -> {
            HttpServer server = Http.createServer((req, res) -> {
                setup.accept(req);
                req.on("end", () -> res.end());
            });
            server.listen(0, "127.0.0.1", () -> {
                Socket c = Net.createConnection(server.address().port(), "127.0.0.1", null);
                c.on("data", x -> {});
                c.on("close", x -> server.close());
                c.end(request.toByteArray());
            });
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"utf8", "utf16le", "latin1", "ascii", "hex", "base64", "base64url"})
    void aSocketDecodesChunksAsNodeDoes(String encoding) {
        StringBuilder got = new StringBuilder();
        sendOneReadAtATime(CHUNKS, s -> {
            s.setEncoding(encoding);
            s.on("data", x -> got.append((String) x[0]));
        });
        assertThat(got.toString()).isEqualTo(NODE.get(encoding));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"utf8", "utf16le", "latin1", "ascii", "hex", "base64", "base64url"})
    void anIncomingMessageDecodesChunksAsNodeDoes(String encoding) {
        StringBuilder got = new StringBuilder();
        postChunked(CHUNKS, req -> {
            req.setEncoding(encoding);
            req.on("data", x -> got.append((String) x[0]));
        });
        assertThat(got.toString()).isEqualTo(NODE.get(encoding));
    }

    @Test
    void asciiOnASocketKeepsTheLow7BitsOfBytesFrom0x80On() {
        List<String> got = new ArrayList<>();
        sendOneReadAtATime(new byte[][] {{'h', (byte) 0xe9, (byte) 0xff, (byte) 0x80}}, s -> {
            s.setEncoding("ascii");
            s.on("data", x -> got.add((String) x[0]));
        });
        assertThat(got).containsExactly("hi\u007f\u0000");
    }

    @Test
    void aCharacterSplitAcrossChunksArrivesWholeInOneDataEventOnBothStreams() {
        List<String> socket = new ArrayList<>();
        List<String> message = new ArrayList<>();
        sendOneReadAtATime(CHUNKS, s -> {
            s.setEncoding("utf8");
            s.on("data", x -> socket.add((String) x[0]));
        });
        postChunked(CHUNKS, req -> {
            req.setEncoding("utf8");
            req.on("data", x -> message.add((String) x[0]));
        });
        assertThat(socket).containsExactly("a\ufffd\ufffd\ufffd", "€b", "😀c");
        assertThat(message).isEqualTo(socket);
    }

    @Test
    void anUnknownEncodingThrowsErrUnknownEncodingOnBothStreams() {
        List<String> codes = new ArrayList<>();
        postChunked(new byte[][] {{'x'}}, req -> {
            for (Runnable r : List.<Runnable>of(() -> req.socket().setEncoding("utf7"), () -> req.setEncoding("utf7"))) {
                try {
                    r.run();
                } catch (NodeError e) {
                    codes.add(e.code() + " " + e.getMessage());
                }
            }
            req.resume();
        });
        assertThat(codes).containsExactly("ERR_UNKNOWN_ENCODING Unknown encoding: utf7", "ERR_UNKNOWN_ENCODING Unknown encoding: utf7");
    }

    @Test
    void aStringDecoderKeepsNodesResultForEveryWayOfCuttingTheBytes() {
        byte[] all = new byte[0];
        for (byte[] c : CHUNKS) {
            int n = all.length;
            all = Arrays.copyOf(all, n + c.length);
            System.arraycopy(c, 0, all, n, c.length);
        }
        for (String encoding : NODE.keySet()) {
            for (int cut = 0; cut <= all.length; cut++) {
                StringDecoder d = new StringDecoder(Encoding.require(encoding));
                String s = d.write(Arrays.copyOf(all, cut)) + d.write(Arrays.copyOfRange(all, cut, all.length)) + d.end();
                assertThat(s).as("%s cut at %d", encoding, cut).isEqualTo(NODE.get(encoding));
            }
        }
    }
}
