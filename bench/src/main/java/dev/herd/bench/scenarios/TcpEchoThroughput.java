package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;
import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.util.Arrays;

/**
 * tcp-echo-throughput: one TCP connection over 127.0.0.1 between an echo server and a client, both
 * in this process on this loop (the Node twin, {@code bench/node/tcp-echo-throughput.js}, has the
 * same shape). The client writes N MiB in 64 KiB chunks, respecting backpressure (after a
 * {@code write} that returns false it waits for 'drain'), and reads everything back; the server
 * echoes as Node's {@code socket.pipe(socket)} does (pause while its writes are backed up, resume
 * on 'drain'). Metric: mib_per_s = N / (first write to the last echoed byte read).
 *
 * <p>The chunks are {@link #VARIANTS} different 64 KiB blocks of xorshift32 bytes, chunk k being
 * block k mod VARIANTS, so that a lost, duplicated or reordered chunk shows. Check: every byte
 * came back, in order and intact (compared with {@code Arrays.equals} ranges, as the Node twin
 * compares with {@code Buffer.compare}: both native-speed), and nothing more. A round that has
 * not finished within {@link #ROUND_LIMIT_MS} fails the program.
 */
public final class TcpEchoThroughput {
    static final int CHUNK = 64 * 1024;
    static final int VARIANTS = 61;
    static final double ROUND_LIMIT_MS = 60_000;
    private static byte[][] blocks;

    private TcpEchoThroughput() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, TcpEchoThroughput::round));
    }

    /** VARIANTS blocks of CHUNK bytes: the low bytes of successive xorshift32 states. */
    static byte[][] blocks() {
        if (blocks == null) {
            byte[][] b = new byte[VARIANTS][CHUNK];
            int x = (int) 2463534242L;
            for (byte[] block : b) {
                for (int i = 0; i < CHUNK; i++) {
                    x = TimersRandom.xorshift32(x);
                    block[i] = (byte) x;
                }
            }
            blocks = b;
        }
        return blocks;
    }

    static void round(int mib, Rounds.Sample sample, Runnable done) {
        byte[][] chunks = blocks();
        long total = (long) mib << 20;
        long totalChunks = total / CHUNK;
        Server server = Net.createServer(socket -> {
            // Node's socket.pipe(socket): stop reading while the writes are backed up.
            socket.on("data", a -> {
                if (!socket.write((byte[]) a[0])) socket.pause();
            });
            socket.on("drain", socket::resume);
            socket.on("end", () -> socket.end());
            socket.on("error", a -> sample.check("no_errors", false, "server socket: " + a[0]));
        });
        server.on("error", a -> Rounds.abort("no_errors", "server: " + a[0]));
        Timeout watchdog = setTimeout(
                () -> Rounds.abort("finished", "a round did not finish within " + ROUND_LIMIT_MS + " ms"), ROUND_LIMIT_MS);
        server.listen(0, "127.0.0.1", 0, () -> {
            var state = new Object() {
                long start;
                long sent;
                long received;
                long badOffset = -1;
                boolean timed;
            };
            Socket client = Net.createConnection(server.address().port(), "127.0.0.1", null);
            Runnable pump = () -> {
                while (state.sent < totalChunks) {
                    boolean more = client.write(chunks[(int) (state.sent++ % VARIANTS)]);
                    if (state.sent == totalChunks) client.end();
                    if (!more) return;
                }
            };
            client.on("connect", () -> {
                state.start = nowNs();
                pump.run();
            });
            client.on("drain", pump);
            client.on("data", a -> {
                byte[] d = (byte[]) a[0];
                for (int i = 0; i < d.length && state.badOffset < 0; ) {
                    long at = state.received + i;
                    int pos = (int) (at % CHUNK);
                    int seg = Math.min(d.length - i, CHUNK - pos);
                    byte[] expected = chunks[(int) ((at / CHUNK) % VARIANTS)];
                    if (at + seg > total || !Arrays.equals(d, i, i + seg, expected, pos, pos + seg)) state.badOffset = at;
                    i += seg;
                }
                state.received += d.length;
                if (state.received >= total && !state.timed) {
                    state.timed = true;
                    long ns = nowNs() - state.start;
                    sample.metric("mib_per_s", mib / (ns / 1e9));
                }
            });
            client.on("error", a -> sample.check("no_errors", false, "client socket: " + a[0]));
            client.on("close", a -> server.close(err -> {
                clearTimeout(watchdog);
                if (!state.timed) sample.metric("mib_per_s", 0);
                sample.check("no_errors", true, null);
                sample.check("echo_intact", state.received == total && state.badOffset < 0,
                        "received " + state.received + " of " + total + " bytes"
                                + (state.badOffset >= 0 ? ", first bad byte at offset " + state.badOffset : ""));
                done.run();
            }));
        });
    }
}
