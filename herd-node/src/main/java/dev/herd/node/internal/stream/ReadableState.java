package dev.herd.node.internal.stream;

import dev.herd.node.EventEmitter;
import dev.herd.node.internal.Environment;
import java.util.ArrayDeque;

/**
 * The readable side of a byte stream as Node's {@code Readable} has it, for {@code net.Socket}
 * and {@code http.IncomingMessage}: the flowing state (null until a consumer comes, true while
 * flowing, false once paused), the buffer of chunks not yet emitted and its high-water mark,
 * {@code setEncoding}'s {@link StringDecoder}, and the emission of 'data' and 'end' on the
 * stream's emitter.
 *
 * <p><b>Rules.</b> A chunk is emitted as 'data' at once when the stream flows with nothing
 * buffered and the source may run listeners ({@link #push}), otherwise buffered; the buffered
 * chunks are emitted on a next tick once the stream flows ({@link #resume}). When the buffer
 * reaches the high-water mark the source is told to stop ({@link #readStop}), and to start again
 * when it drains below ({@link #readStart}). 'end' comes after the end of the data
 * ({@link #pushEnd}) once the buffer is empty — while the stream flows, or in any case for a
 * stream made with {@code endWithoutReader} (net's {@code read(0)} at EOF) — preceded by what the
 * decoder still held. It is emitted on a next tick (Node's endReadableNT), or, for a stream made
 * without {@code endOnNextTick}, right after the last 'data' of the tick that flushes the buffer
 * (an IncomingMessage: a ClientRequest's 'close' follows its response's 'end', as in Node).
 *
 * <p>The stream makes one as an inner subclass that answers the hooks.
 *
 * <p>Thread rule: the stream's loop thread. Lifetime: the stream's.
 */
public abstract class ReadableState {
    private final EventEmitter stream;
    private final int highWaterMark;
    private final boolean endWithoutReader;
    private final boolean endOnNextTick;

    /** null: no consumer yet (Node's flowing === null); false: paused by the user. */
    private Boolean flowing;
    /** Chunks not yet emitted; null until the first. */
    private ArrayDeque<byte[]> buffer;
    private int length;
    private boolean flushScheduled;
    /** The source has no more data (Node's state.ended). */
    private boolean ended;
    /** 'end' has been scheduled or emitted. */
    private boolean endEmitted;
    private StringDecoder decoder;

    /**
     * The state of {@code stream}'s readable side.
     *
     * @param stream the emitter 'data' and 'end' are emitted on
     * @param highWaterMark buffered bytes past which the source is stopped
     * @param endWithoutReader whether 'end' comes once the data is used up even when nothing reads
     *     the stream (net's sockets); otherwise only while it flows
     * @param endOnNextTick whether 'end' always waits for a next tick; otherwise a flush emits it
     *     after its last 'data'
     */
    protected ReadableState(EventEmitter stream, int highWaterMark, boolean endWithoutReader, boolean endOnNextTick) {
        this.stream = stream;
        this.highWaterMark = highWaterMark;
        this.endWithoutReader = endWithoutReader;
        this.endOnNextTick = endOnNextTick;
    }

    // ---------------------------------------------------------------- hooks

    /** {@return the stream's environment (for its next ticks)} */
    protected abstract Environment env();

    /** {@return whether the stream is destroyed: nothing more is emitted} */
    protected abstract boolean destroyed();

    /** The buffer reached the high-water mark: stop reading from the source. */
    protected abstract void readStop();

    /** The buffer is below the high-water mark again: reading from the source may go on. */
    protected abstract void readStart();

    /** 'end' has just been emitted: what the stream does next (net half-closes, http emits 'close'). */
    protected abstract void afterEnd();

    // ---------------------------------------------------------------- the source's side

    /**
     * A chunk from a source that may run listeners now (a read callback): emitted at once if the
     * stream flows with nothing buffered, else buffered.
     *
     * @param chunk the bytes, which the stream now owns
     */
    public final void push(byte[] chunk) {
        if (flowing == Boolean.TRUE && (buffer == null || buffer.isEmpty())) {
            emitData(chunk);
            return;
        }
        add(chunk);
        if (length >= highWaterMark) readStop();
    }

    /**
     * A chunk from a source that must not run listeners now (a parser on the stack): buffered, and
     * emitted on the next tick if the stream flows.
     *
     * @param chunk the bytes, which the stream now owns
     */
    public final void pushLater(byte[] chunk) {
        add(chunk);
        if (flowing == Boolean.TRUE) scheduleFlush();
        else if (length >= highWaterMark) readStop();
    }

    /** The source has no more data: 'end' follows when the buffer is used up. */
    public final void pushEnd() {
        ended = true;
        maybeEnd(false);
    }

    /** A stream that is not readable at all: ended, with no 'end' to come. */
    public final void endSilently() {
        ended = true;
        endEmitted = true;
    }

    private void add(byte[] chunk) {
        if (buffer == null) buffer = new ArrayDeque<>();
        buffer.add(chunk);
        length += chunk.length;
    }

    // ---------------------------------------------------------------- the consumer's side

    /** A 'data' listener was added: a stream not paused starts flowing (Node's Readable.on). */
    public final void dataListenerAdded() {
        if (flowing != Boolean.FALSE) resume();
    }

    /** Starts or restarts the flow: what is buffered is emitted on the next tick. */
    public final void resume() {
        flowing = Boolean.TRUE;
        scheduleFlush();
    }

    /** Stops 'data'; what arrives meanwhile is buffered, and the source stopped past the high-water mark. */
    public final void pause() {
        flowing = Boolean.FALSE;
        if (length >= highWaterMark) readStop();
    }

    /** {@return whether the stream was paused (Node's isPaused)} */
    public final boolean isPaused() {
        return flowing == Boolean.FALSE;
    }

    /** {@return Node's readableFlowing: null before any consumer, then true or false} */
    public final Boolean flowing() {
        return flowing;
    }

    /**
     * Makes 'data' carry Strings from {@code decoder}, or byte[] again for null (Node's
     * setEncoding; what is buffered is decoded as it is emitted).
     *
     * @param decoder the decoder, or null
     */
    public final void setDecoder(StringDecoder decoder) {
        this.decoder = decoder;
    }

    /** {@return whether 'data' carries Strings (an encoding was set)} */
    public final boolean decoding() {
        return decoder != null;
    }

    // ---------------------------------------------------------------- state

    /** {@return whether the source has no more data (Node's readableEnded once the buffer is empty too)} */
    public final boolean ended() {
        return ended;
    }

    /** {@return whether 'end' has been emitted or is about to be} */
    public final boolean endEmitted() {
        return endEmitted;
    }

    /** {@return whether nothing is buffered} */
    public final boolean isEmpty() {
        return buffer == null || buffer.isEmpty();
    }

    /** {@return whether a flush of the buffer is scheduled} */
    public final boolean flushScheduled() {
        return flushScheduled;
    }

    /** Drops what is buffered (a body nobody will read, a stream that closed). */
    public final void discard() {
        if (buffer != null) buffer.clear();
        length = 0;
    }

    /**
     * Lets the data run off with nobody to see it: the stream flows, and an ended one counts as
     * having emitted 'end' (Node's _dump when nobody listens: nothing to schedule).
     */
    public final void flowUnobserved() {
        flowing = Boolean.TRUE;
        if (ended) endEmitted = true;
    }

    // ---------------------------------------------------------------- emitting

    private void scheduleFlush() {
        if (flushScheduled || destroyed()) return;
        flushScheduled = true;
        env().nextTick(this::flush);
    }

    private void flush() {
        flushScheduled = false;
        while (flowing == Boolean.TRUE && buffer != null && !buffer.isEmpty() && !destroyed()) {
            byte[] chunk = buffer.poll();
            length -= chunk.length;
            emitData(chunk);
        }
        if (destroyed()) return;
        if (length < highWaterMark) readStart();
        maybeEnd(true);
    }

    private void emitData(byte[] chunk) {
        if (decoder == null) {
            stream.emit("data", (Object) chunk);
            return;
        }
        String s = decoder.write(chunk);
        if (!s.isEmpty()) stream.emit("data", s);
    }

    private void maybeEnd(boolean inFlush) {
        if (!ended || endEmitted || !isEmpty()) return;
        if (!endWithoutReader && flowing != Boolean.TRUE) return;
        endEmitted = true;
        if (inFlush && !endOnNextTick) endReadable();
        else env().nextTick(this::endReadable); // Node's endReadableNT
    }

    private void endReadable() {
        if (destroyed()) return;
        if (decoder != null) {
            String rest = decoder.end();
            if (!rest.isEmpty()) stream.emit("data", rest);
        }
        stream.emit("end");
        afterEnd();
    }
}
