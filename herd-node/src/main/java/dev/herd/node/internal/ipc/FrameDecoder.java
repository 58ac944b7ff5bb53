package dev.herd.node.internal.ipc;

import dev.herd.node.value.SerializationException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the bytes read from an IPC channel back into messages, whatever the chunks: a message
 * split anywhere (inside the length prefix, inside a multi-byte UTF-8 character), several messages
 * in one chunk, one byte per chunk. Created by {@link Serialization#newDecoder()}.
 *
 * <p>Every outcome goes to a {@link Sink}: each message in its generic form ({@link
 * dev.herd.node.value.Values}); a bad frame, after which decoding goes on with the next one; or a
 * fatal error, after which the stream cannot be read any further. Node is stricter: any bad frame
 * throws inside its channel and kills the Node process. Herd reports it and stays usable where the
 * framing allows: a JSON line that does not parse is lost alone, since the next line starts after
 * the next {@code \n}; an advanced-mode payload that does not decode is lost alone, since its length
 * prefix says where the next frame starts. Only a length prefix that cannot be right (0, or 2^31 and
 * more, which Node 20 reads as negative) leaves no way to find the next frame, and is fatal.
 *
 * <p>Memory: only bytes that have arrived are buffered, never more than one incomplete frame plus
 * the chunk being fed (a prefix announcing 2 GiB allocates nothing until the bytes come). With a
 * {@code maxFrameSize}, a longer frame is reported as a bad frame and its bytes are dropped as they
 * arrive. A frame that grows past {@link #GATHER_FROM} is gathered in blocks as its bytes come and
 * copied once, when complete, into an array of its exact size: growing one array by doubling
 * would leave the discarded halves (as much again as the frame) in a heap that keeps them until
 * its next full collection, and end in an array up to twice the frame.
 *
 * <p>Not thread-safe: one thread feeds it (the channel's loop thread). If the sink throws, the
 * exception propagates out of {@link #feed} and the bytes of the chunk not yet decoded are kept for
 * the next call.
 */
public abstract sealed class FrameDecoder permits JsonFrameDecoder, AdvancedFrameDecoder {
    /** {@code maxFrameSize} for no limit beyond Node's own (2^31 - 1). */
    public static final int NO_LIMIT = Integer.MAX_VALUE;
    /**
     * A buffer larger than this is given back once it is mostly empty. Above a full 64 KiB read
     * plus an incomplete frame (what a busy channel holds after every read), so such a channel
     * keeps one buffer instead of growing and shrinking one on every read.
     */
    private static final int KEEP_BUFFER_MAX = 256 * 1024;
    /** An incomplete frame longer than this is gathered in blocks of this size (see the class comment). */
    static final int GATHER_FROM = 1024 * 1024;

    /** Where decoded messages and errors go. Called on the thread that feeds the decoder. */
    public interface Sink {
        /**
         * A decoded message, in its generic form (null for JavaScript's null).
         *
         * @param message the message
         */
        void message(Object message);

        /**
         * A frame that could not be decoded, and is dropped: a line that is not JSON, a payload
         * that is not a V8 value, a frame over the size limit, or bytes left incomplete when the
         * stream ended. Decoding goes on with the next frame.
         *
         * @param error why, with the JavaScript error's name
         */
        void badFrame(SerializationException error);

        /**
         * The stream cannot be decoded any further (advanced mode: a length prefix of 0 or of 2^31
         * or more). The decoder drops all later input; the channel should close.
         *
         * @param error why
         */
        void fatal(SerializationException error);
    }

    /** The largest frame accepted, in bytes. */
    protected final int maxFrameSize;
    /** Bytes of an incomplete frame: {@code buffer[0, buffered)}. */
    protected byte[] buffer = new byte[256];
    /** The bytes held of an incomplete frame: the used length of {@code buffer}. */
    protected int buffered;
    /** While a long frame is gathered: its full blocks, the block being filled, and its bytes so far. */
    private List<byte[]> blocks;
    private byte[] block;
    private int blockFill;
    private long gathered;
    /** The gathered frame's total size when its start says it (advanced mode), else -1. */
    private long gatheredFrameSize;
    private boolean failed;
    private boolean ended;

    /**
     * A decoder with nothing held.
     *
     * @param maxFrameSize the largest frame accepted, in bytes
     */
    protected FrameDecoder(int maxFrameSize) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be positive, got " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Decodes what {@code chunk}'s remaining bytes complete, giving each message or error to
     * {@code sink}; the chunk is consumed (its position moves to its limit) and may be reused by
     * the caller afterwards. After a fatal error the input is dropped.
     *
     * @param chunk the bytes
     * @param sink gets each message or error
     * @throws IllegalStateException after {@link #end}
     */
    public final void feed(ByteBuffer chunk, Sink sink) {
        if (ended) {
            throw new IllegalStateException("feed after end");
        }
        if (failed) {
            chunk.position(chunk.limit());
            return;
        }
        if (block != null) {
            gather(chunk, sink);
            return;
        }
        if (buffered == 0 && chunk.hasArray()) {
            // Decode in place; only what is left of an incomplete frame is copied.
            byte[] array = chunk.array();
            int from = chunk.arrayOffset() + chunk.position();
            int to = from + chunk.remaining();
            int[] cursor = {from};
            try {
                decode(array, from, to, cursor, sink);
            } finally {
                chunk.position(chunk.limit());
                if (!failed) {
                    keep(array, cursor[0], to);
                }
            }
        } else {
            int n = chunk.remaining();
            ensure(n);
            chunk.get(buffer, buffered, n);
            int to = buffered + n;
            buffered = 0; // decode() reports progress through the cursor; what remains is moved back
            int[] cursor = {0};
            try {
                decode(buffer, 0, to, cursor, sink);
            } finally {
                if (failed) {
                    buffered = 0;
                } else {
                    compact(cursor[0], to);
                }
            }
        }
        if (buffered > GATHER_FROM && !failed) {
            startGathering();
        }
    }

    /** Moves the incomplete frame in the buffer into blocks; later bytes go to {@link #gather}. */
    private void startGathering() {
        gatheredFrameSize = frameSize(buffer, buffered);
        blocks = new ArrayList<>();
        block = new byte[GATHER_FROM];
        blockFill = 0;
        gathered = 0;
        append(buffer, 0, buffered);
        buffered = 0;
        buffer = new byte[256];
    }

    /**
     * A chunk while a long frame is gathered: its bytes up to the frame's end are added; once the
     * frame is complete it is copied into one array, decoded, and the rest of the chunk is fed as
     * usual.
     */
    private void gather(ByteBuffer chunk, Sink sink) {
        int n = chunk.remaining();
        byte[] bytes;
        int from;
        if (chunk.hasArray()) {
            bytes = chunk.array();
            from = chunk.arrayOffset() + chunk.position();
        } else {
            bytes = new byte[n];
            chunk.duplicate().get(bytes);
            from = 0;
        }
        long size = gatheredFrameSize;
        int end = size >= 0 ? (size - gathered <= n ? from + (int) (size - gathered) : -1) : frameEnd(bytes, from, from + n);
        if (end < 0) {
            if (size < 0 && gathered + n > maxFrameSize) {
                // A JSON line (an advanced frame over the limit is skipped, never buffered).
                dropGathered();
                chunk.position(chunk.limit());
                frameTooLong(sink);
                return;
            }
            append(bytes, from, n);
            chunk.position(chunk.limit());
            return;
        }
        byte[] frame = new byte[Math.toIntExact(gathered + (end - from))];
        int at = 0;
        for (byte[] b : blocks) {
            System.arraycopy(b, 0, frame, at, b.length);
            at += b.length;
        }
        System.arraycopy(block, 0, frame, at, blockFill);
        at += blockFill;
        System.arraycopy(bytes, from, frame, at, end - from);
        dropGathered();
        chunk.position(chunk.position() + (end - from));
        try {
            decode(frame, 0, frame.length, new int[] {0}, sink); // exactly the one frame
        } catch (RuntimeException | Error sinkFailed) {
            int rest = chunk.remaining(); // kept for the next call, as the class comment promises
            ensure(rest);
            chunk.get(buffer, buffered, rest);
            buffered += rest;
            throw sinkFailed;
        }
        if (chunk.hasRemaining()) {
            feed(chunk, sink);
        }
    }

    private void append(byte[] b, int from, int n) {
        if (gathered + n > Integer.MAX_VALUE - 16) {
            throw new OutOfMemoryError("IPC frame buffer beyond 2 GiB"); // as ensure() says it
        }
        while (n > 0) {
            if (blockFill == block.length) {
                blocks.add(block);
                block = new byte[GATHER_FROM];
                blockFill = 0;
            }
            int k = Math.min(n, block.length - blockFill);
            System.arraycopy(b, from, block, blockFill, k);
            blockFill += k;
            from += k;
            n -= k;
            gathered += k;
        }
    }

    private void dropGathered() {
        blocks = null;
        block = null;
        blockFill = 0;
        gathered = 0;
    }

    /**
     * {@link #feed(ByteBuffer, Sink)} of {@code len} bytes of an array.
     *
     * @param bytes the array
     * @param off where the bytes start
     * @param len how many bytes
     * @param sink gets each message or error
     */
    public final void feed(byte[] bytes, int off, int len, Sink sink) {
        feed(ByteBuffer.wrap(bytes, off, len), sink);
    }

    /**
     * The stream ended (EOF): bytes of an incomplete frame are reported as a bad frame (Node drops
     * them silently) and dropped. No more input is accepted. Idempotent.
     *
     * @param sink gets the bad frame, if any
     */
    public final void end(Sink sink) {
        if (ended) {
            return;
        }
        ended = true;
        if (!failed) {
            String incomplete = block != null ? incompleteAtEnd(gathered, gatheredHead()) : incompleteAtEnd(buffered, buffer);
            if (incomplete != null) {
                sink.badFrame(new SerializationException("Error", incomplete));
            }
        }
        buffered = 0;
        buffer = new byte[0];
        dropGathered();
    }

    private byte[] gatheredHead() {
        return blocks.isEmpty() ? block : blocks.getFirst();
    }

    /** {@return whether a fatal error was reported: all later input is dropped} */
    public final boolean isFailed() {
        return failed;
    }

    /** {@return the bytes held of an incomplete frame} */
    public final int bufferedBytes() {
        return block != null ? (int) Math.min(gathered, Integer.MAX_VALUE) : buffered;
    }

    /**
     * Decodes the frames complete in {@code bytes[from, to)}, advancing {@code cursor[0]} past
     * each frame (or skipped byte) before handing its outcome to the sink; what lies between the
     * cursor and {@code to} when it returns (or throws) is kept as the start of the next frame.
     * Bytes of a frame being dropped are consumed without being kept.
     */
    abstract void decode(byte[] bytes, int from, int to, int[] cursor, Sink sink);

    /**
     * A description of the incomplete frame held when the stream ends ({@code held} bytes, the first
     * ones at the start of {@code head}), or null when there is none.
     */
    abstract String incompleteAtEnd(long held, byte[] head);

    /**
     * The total size of the frame whose first {@code length} bytes (at least 1 MiB) start
     * {@code head}, when those bytes say it (a length prefix), else -1.
     */
    abstract long frameSize(byte[] head, int length);

    /**
     * Where the frame being gathered ends in new bytes {@code bytes[from, to)}: the index just past
     * its last byte, or -1 when it goes on. Only asked when {@link #frameSize} was -1.
     */
    abstract int frameEnd(byte[] bytes, int from, int to);

    /** The frame being gathered grew past {@code maxFrameSize}: it was dropped; report it and drop the rest of it. */
    abstract void frameTooLong(Sink sink);

    /** Reports a fatal error and refuses all later input. */
    final void fail(Sink sink, String message) {
        failed = true;
        buffered = 0;
        sink.fatal(new SerializationException("Error", message));
    }

    private void keep(byte[] array, int from, int to) {
        int n = to - from;
        if (n > 0) {
            ensure(n);
            System.arraycopy(array, from, buffer, buffered, n);
            buffered += n;
        }
    }

    private void compact(int from, int to) {
        int n = to - from;
        if (from > 0 && n > 0) {
            System.arraycopy(buffer, from, buffer, 0, n);
        }
        buffered = n;
        if (buffer.length > KEEP_BUFFER_MAX && n < buffer.length / 4) {
            buffer = Arrays.copyOf(buffer, Math.max(256, n * 2));
        }
    }

    private void ensure(int n) {
        long needed = (long) buffered + n;
        if (needed > buffer.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new OutOfMemoryError("IPC frame buffer beyond 2 GiB");
            }
            buffer = Arrays.copyOf(buffer, (int) Math.min(Math.max(needed, 2L * buffer.length), Integer.MAX_VALUE - 16));
        }
    }
}
