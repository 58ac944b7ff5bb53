package dev.herd.node.v8;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code node} process that encodes and decodes for interop tests, with Node's own
 * child_process serialization code (peer.js, run with {@code --expose-internals}): one process per
 * test class, one request at a time over its stdin and stdout. Not thread-safe.
 */
public final class NodePeer implements AutoCloseable {
    private final Process process;
    private final DataOutputStream in;
    private final DataInputStream out;

    public NodePeer() {
        String script;
        try (InputStream s = NodePeer.class.getResourceAsStream("peer.js")) {
            script = new String(s.readAllBytes(), StandardCharsets.UTF_8);
            process = new ProcessBuilder("node", "--expose-internals", "-e", script)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        in = new DataOutputStream(process.getOutputStream());
        out = new DataInputStream(process.getInputStream());
    }

    /** Node's reply to a request, or an AssertionError carrying Node's exception. */
    public byte[] call(char op, byte[] body) {
        try {
            in.writeByte(op);
            in.writeInt(body.length);
            in.write(body);
            in.flush();
            int status = out.readUnsignedByte();
            byte[] reply = new byte[out.readInt()];
            out.readFully(reply);
            if (status != 'K') {
                throw new AssertionError("node failed: " + new String(reply, StandardCharsets.UTF_8));
            }
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The advanced-mode frame Node's channel writes for a JavaScript expression's value. */
    public byte[] frameOf(String expression) {
        return call('E', expression.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code v8.serialize} of a JavaScript expression's value. */
    public byte[] serializeOf(String expression) {
        return call('e', expression.getBytes(StandardCharsets.UTF_8));
    }

    /** The frame Node's channel writes back after reading {@code frame} (advanced mode). */
    public byte[] echoFrame(byte[] frame) {
        return call('F', frame);
    }

    /** {@code v8.serialize(v8.deserialize(payload))}. */
    public byte[] echoSerialize(byte[] payload) {
        return call('V', payload);
    }

    /** Whether Node reads {@code payload} ({@code v8.deserialize}) as deep-strict-equal to the expression's value. */
    public String compare(String expression, byte[] payload) {
        byte[] e = expression.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[4 + e.length + payload.length];
        body[0] = (byte) (e.length >>> 24);
        body[1] = (byte) (e.length >>> 16);
        body[2] = (byte) (e.length >>> 8);
        body[3] = (byte) e.length;
        System.arraycopy(e, 0, body, 4, e.length);
        System.arraycopy(payload, 0, body, 4 + e.length, payload.length);
        return new String(call('S', body), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
