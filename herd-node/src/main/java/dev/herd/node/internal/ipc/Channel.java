package dev.herd.node.internal.ipc;

import dev.herd.io.Pipe;
import dev.herd.io.Stream;
import dev.herd.io.Tcp;
import dev.herd.io.Udp;
import dev.herd.loop.Handle;
import dev.herd.node.NodeError;
import dev.herd.node.SendCallback;
import dev.herd.node.SendOptions;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.ProcessChannel;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.Values;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Node's IPC channel (lib/internal/child_process.js {@code setupChannel}) over an ipc {@link Pipe}:
 * messages in either {@link Serialization} mode, handles passed as descriptors with Node's
 * {@code NODE_HANDLE} / {@code NODE_HANDLE_ACK} / {@code NODE_HANDLE_NACK} protocol, internal
 * messages ({@code cmd} starting with {@code NODE_}) kept apart from user messages, and
 * disconnect. The wire is byte-compatible with Node v20 (Node's {@code lib/internal/child_process.js}
 * setupChannel; docs/child_process.md), so either end may be a Node process.
 *
 * <p>The channel is the engine; its {@link Target} (a ChildProcess in the parent, the process
 * object in a child) turns deliveries into events. Each message is delivered on its own tick, in
 * order. After a handle is sent, every later send waits until the peer acknowledges it, as in Node.
 *
 * <p>Writing: the first user send of a tick is written at once, as Node writes every send;
 * further small frames sent in the same tick are corked and written together on the next tick (or
 * at once when 64 KiB gather, at disconnect, and when the process emits 'exit'): one system call
 * where Node makes one per message. Each send's callback runs after its bytes are written, in
 * send order. Internal messages (NODE_HANDLE_ACK, cluster's) are always written at once; a frame
 * carrying a handle too, and alone, so that its descriptor arrives with its own first byte.
 * Unlike Node, the corked frames of a tick are not written if the thread then blocks for good or
 * the JVM halts without 'exit' (System.exit, a kill).
 *
 * <p>Bad input: an undecodable message, a stray ACK/NACK, a handle of an unknown type or an
 * unusable descriptor are reported to {@link Target#error}, which emits 'error': with no listener
 * that is an uncaught error and the process dies as Node's does; with one, the channel goes on
 * (Node's process dies even then). A length prefix that cannot be resynchronized closes the
 * channel after the error. A frame left incomplete at EOF is dropped silently, as in Node. The
 * send callback receives the write's error when an asynchronous write fails (Node passes null).
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: from construction until disconnect
 * (either side) or EOF; then the pipe is closed.
 */
public final class Channel implements ProcessChannel {
    /** Where deliveries go: the ChildProcess or the process object turns them into events. */
    public interface Target {
        /**
         * A user message ('message'), with the handle that came with it or null.
         *
         * @param message the message, in its generic form
         * @param handle the handle that came with it, or null
         */
        void message(Object message, Object handle);

        /**
         * An internal message ('internalMessage', e.g. NODE_CLUSTER), with its handle or null.
         *
         * @param message the message
         * @param handle the handle that came with it, or null
         */
        default void internalMessage(Map<String, Object> message, Object handle) {}

        /** The channel closed ('disconnect'); runs once. */
        void disconnected();

        /**
         * A channel error ('error'): a bad message from the peer, a failed write without callback.
         *
         * @param error the error
         */
        void error(Throwable error);

        /**
         * Whether a 'message' listener exists; while none does, user messages are held and
         * replayed after {@link Channel#messageListenerAdded()} (as Node holds them).
         *
         * @return whether a 'message' listener exists
         */
        default boolean hasMessageListener() {
            return true;
        }
    }

    /** How many times a NACKed net.Socket is sent again (Node's MAX_HANDLE_RETRANSMISSIONS). */
    public static final int MAX_HANDLE_RETRANSMISSIONS = 3;
    /** send() returns false once this much is queued in the pipe (Node: 2 × 64 KiB). */
    public static final long WRITE_QUEUE_HIGH_WATER = 2 * 65536;

    private final Environment env;
    private final Pipe pipe;
    private final Serialization serialization;
    private final FrameDecoder decoder;
    private final Target target;
    private final boolean refOnlyWhileListened;

    private boolean connected = true;
    /** The pipe is still ours (Node's target.channel != null). */
    private boolean open = true;
    /** Non-null while a sent handle waits for its ACK: later sends queue here. */
    private ArrayDeque<Queued> handleQueue;
    /** A net.Socket sent without keepOpen, closed on ACK or sent again on NACK. */
    private Queued pendingMessage;
    private int refs;
    private boolean refExplicitlySet;
    private boolean disconnectEmitted;

    private record Queued(Object message, Object handle, SendOptions options, SendCallback callback, int[] retransmissions) {}

    /**
     * A channel over {@code pipe} (an ipc pipe already open on the channel's socket), reading at
     * once. {@code refOnlyWhileListened} is the child-side rule: the channel keeps the loop alive
     * only while {@link #refCounted()} holds (listeners, pending writes), not by itself.
     *
     * @param env the environment whose loop the channel runs on
     * @param pipe the ipc pipe, open
     * @param serialization the mode of the bytes on the pipe
     * @param target where messages, disconnect and errors go
     * @param refOnlyWhileListened whether the channel keeps the loop alive only while it has listeners
     */
    public Channel(Environment env, Pipe pipe, Serialization serialization, Target target, boolean refOnlyWhileListened) {
        if (!pipe.ipc()) throw new IllegalArgumentException("the channel needs an ipc pipe");
        this.env = env;
        this.pipe = pipe;
        this.serialization = serialization;
        this.decoder = serialization.newDecoder();
        this.target = target;
        this.refOnlyWhileListened = refOnlyWhileListened;
        this.exitFlush = ExitFlush.of(env);
        if (refOnlyWhileListened) pipe.unref();
        pipe.readStart(this::onRead);
    }

    /** {@return whether messages can still be sent (Node's {@code connected})} */
    @Override
    public boolean connected() {
        return connected;
    }

    /** {@return the serialization mode} */
    public Serialization serialization() {
        return serialization;
    }

    // ---------------------------------------------------------------- keeping the loop alive

    /** One more reason to keep the loop alive (a 'message'/'disconnect' listener, a pending write). */
    @Override
    public void refCounted() {
        if (++refs == 1 && !refExplicitlySet && open) pipe.ref();
    }

    /** One reason fewer. */
    @Override
    public void unrefCounted() {
        if (--refs == 0 && !refExplicitlySet && open && refOnlyWhileListened) pipe.unref();
    }

    /** process.channel.ref(): keep the loop alive whatever the listeners. */
    @Override
    public void ref() {
        refExplicitlySet = true;
        if (open) pipe.ref();
    }

    /** process.channel.unref(): never keep the loop alive. */
    @Override
    public void unref() {
        refExplicitlySet = true;
        if (open) pipe.unref();
    }

    // ---------------------------------------------------------------- sending

    /**
     * Node's {@code send(message, handle, options, callback)}: returns false when the channel is
     * closed (the error goes to the callback, or to {@link Target#error}) or when the pipe's queue
     * is above {@link #WRITE_QUEUE_HIGH_WATER} (advisory: the message is queued all the same).
     *
     * @param handle null, a {@code net.Server}, {@code net.Socket}, {@code dgram.Socket}, or a raw
     *     {@link Tcp}, {@link Pipe} or {@link Udp}
     * @param message the message: a value of the value model
     * @param options send options, or null
     * @param callback runs once the message is written or failed, or null
     * @return false when the channel is closed or backed up
     * @throws NodeError ERR_MISSING_ARGS for an undefined message, ERR_INVALID_ARG_TYPE for a
     *     function or a top-level BigInt, ERR_INVALID_HANDLE_TYPE for another handle
     */
    @Override
    public boolean send(Object message, Object handle, SendOptions options, SendCallback callback) {
        env.checkThread();
        Values.Kind kind = Values.kindOf(message);
        if (kind == Values.Kind.UNDEFINED) {
            throw new NodeError("ERR_MISSING_ARGS", "The \"message\" argument must be specified", IllegalArgumentException.class);
        }
        if (kind == Values.Kind.FUNCTION || kind == Values.Kind.BIGINT) {
            throw new NodeError("ERR_INVALID_ARG_TYPE", "The \"message\" argument must be one of type string, object, number, or boolean.",
                    IllegalArgumentException.class);
        }
        if (handle != null) HandleKind.of(handle); // ERR_INVALID_HANDLE_TYPE now, not later
        if (!connected) {
            NodeError ex = new NodeError("ERR_IPC_CHANNEL_CLOSED", "Channel closed");
            if (callback != null) env.nextTick(() -> callback.done(ex));
            else env.nextTick(() -> target.error(ex));
            return false;
        }
        return doSend(message, handle, options == null ? SendOptions.DEFAULT : options, callback, false, null);
    }

    /**
     * {@link #send(Object, Object, SendOptions, SendCallback)} without handle, options or callback.
     *
     * @param message the message
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message) {
        return send(message, null, null, null);
    }

    /**
     * Node's {@code target._send}. {@code ack} marks a NODE_HANDLE_ACK or NACK: its errors are
     * swallowed, as in Node, and it is never corked, since the peer sends nothing more until it
     * arrives.
     */
    private boolean doSend(Object message, Object handle, SendOptions options, SendCallback callback, boolean ack,
            int[] retransmissions) {
        HandleKind kind = null;
        Handle ioHandle = null;
        if (handle != null) {
            kind = HandleKind.of(handle);
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("cmd", "NODE_HANDLE");
            envelope.put("type", kind.type);
            envelope.put("msg", message);
            if (handleQueue != null) {
                // Queue it (with the user's message, not the envelope) until the ACK.
                handleQueue.add(new Queued(message, handle, options, callback, retransmissions));
                return handleQueue.size() == 1;
            }
            ioHandle = kind.detach(this, handle, envelope, options);
            message = ioHandle == null ? message : envelope; // no handle left: send the bare message
        } else if (handleQueue != null && !isAckOrNack(message)) {
            // Queue anyway so messages stay in order.
            handleQueue.add(new Queued(message, null, options, callback, retransmissions));
            return handleQueue.size() == 1;
        }
        ByteBuffer frame;
        try {
            frame = serialization.encodeToBuffer(message);
        } catch (RuntimeException e) {
            if (ioHandle != null && kind == HandleKind.NET_SOCKET && !options.keepOpen()) ioHandle.close();
            throw e;
        }
        // Internal messages (ACKs, cluster's) go at once and leave the tick's first-send rule alone:
        // the peer may be waiting for them, and user code may block right after them.
        if (ioHandle == null && !ack && frame.remaining() <= CORK_FRAME_MAX && !exitFlush.exiting && !isInternal(message)) {
            if (cork != null || writtenThisTick) {
                cork(frame, callback);
                return highWaterOk();
            }
            // The first send of a tick is written at once, as Node writes every send: a program
            // that sends and then blocks its thread (or is killed) has still sent it.
            writtenThisTick = true;
            scheduleFlush();
        }
        // The first small user frame of a tick, a handle's frame, an internal message, a large
        // frame, or a send during 'exit': written now, after what is corked.
        flushCork();
        ErrnoException err = null;
        boolean async = false;
        // Node's req.async, per write: only a write that did not finish at once reports through
        // its own completion (a shared counter let a synchronous write's completion consume an
        // asynchronous one's: that callback ran twice and a later one never).
        boolean[] asyncWrite = {false};
        try {
            long before = pipe.writeQueueSize();
            if (ioHandle != null) {
                pipe.write2(new ByteBuffer[] {frame}, ioHandle, e -> {
                    if (asyncWrite[0]) writeDone(callback, e);
                });
            } else {
                pipe.write(frame, e -> {
                    if (asyncWrite[0]) writeDone(callback, e);
                });
            }
            // A flushed cork still reports through its completion: this callback must come after those.
            async = pipe.writeQueueSize() > before || before > 0 || corkWritesInFlight > 0;
            asyncWrite[0] = async;
        } catch (ErrnoException e) {
            err = e;
        }
        if (err == null) {
            if (ioHandle != null) {
                if (handleQueue == null) handleQueue = new ArrayDeque<>();
                if (kind == HandleKind.NET_SOCKET && !options.keepOpen()) {
                    Object envelope = message;
                    pendingMessage = new Queued(envelope, ioHandle, options, callback,
                            retransmissions == null ? new int[1] : retransmissions);
                }
            }
            if (async) {
                refCounted();
            } else if (callback != null) {
                env.nextTick(() -> callback.done(null));
            }
        } else {
            if (ioHandle != null && kind == HandleKind.NET_SOCKET && !options.keepOpen()) ioHandle.close();
            if (!ack) {
                ErrnoException ex = err;
                if (callback != null) env.nextTick(() -> callback.done(ex));
                else env.nextTick(() -> target.error(ex));
            }
        }
        return highWaterOk();
    }

    /** send()'s return value: below the high-water mark, counting corked bytes as queued. */
    private boolean highWaterOk() {
        return pipe.isClosing() || pipe.writeQueueSize() + corkLength < WRITE_QUEUE_HIGH_WATER;
    }

    /** A write's completion: only asynchronous writes report here (synchronous ones ticked already). */
    private void writeDone(SendCallback callback, ErrnoException error) {
        unrefCounted();
        if (callback != null) env.makeCallback(() -> callback.done(error));
    }

    // ---------------------------------------------------------------- corking

    // Small frames sent in one tick after its first are gathered ("corked") and written together
    // on the next tick: one system call for many small messages, where Node makes one per message. Each callback still
    // runs after its bytes are written, from that write's completion; order is kept because every
    // other write flushes the cork first. Handles are never corked: a handle's frame goes in a
    // write of its own, so its descriptor rides with its own first byte.

    /** Frames up to this size are corked; larger ones are written directly (no copy). */
    static final int CORK_FRAME_MAX = 16 * 1024;
    /** The cork is written at once when the next frame would take it past this size. */
    static final int CORK_MAX = 64 * 1024;

    /** The corked frames, back to back, in {@code cork[0, corkLength)}; null when nothing is corked. */
    private byte[] cork;
    private int corkLength;
    /** One entry (null allowed) per corked frame, in order. */
    private ArrayList<SendCallback> corkCallbacks = new ArrayList<>();
    /** A cork buffer given back by a finished write, reused by the next cork. */
    private byte[] spareCork;
    private boolean flushScheduled;
    /** A frame was written at once since the last flush tick: later small ones are corked. */
    private boolean writtenThisTick;
    private int corkWritesInFlight;
    private final ExitFlush exitFlush;

    private void cork(ByteBuffer frame, SendCallback callback) {
        int n = frame.remaining();
        if (corkLength + n > CORK_MAX) flushCork();
        if (cork == null) {
            cork = spareCork != null ? spareCork : new byte[CORK_MAX];
            spareCork = null;
            exitFlush.corked(this);
        }
        frame.get(frame.position(), cork, corkLength, n);
        corkLength += n;
        corkCallbacks.add(callback);
        scheduleFlush();
    }

    /** The next tick writes what is corked by then, and the tick after it starts afresh. */
    private void scheduleFlush() {
        if (flushScheduled) return;
        flushScheduled = true;
        env.nextTick(() -> {
            flushScheduled = false;
            writtenThisTick = false;
            flushCork();
        });
    }

    /** Writes what is corked, in one write; its callbacks run from that write's completion. */
    void flushCork() {
        if (cork == null) return;
        byte[] buf = cork;
        int length = corkLength;
        List<SendCallback> callbacks = corkCallbacks;
        cork = null;
        corkLength = 0;
        corkCallbacks = new ArrayList<>();
        exitFlush.flushed(this);
        try {
            pipe.write(ByteBuffer.wrap(buf, 0, length), e -> {
                corkWritesInFlight--;
                unrefCounted();
                if (spareCork == null) spareCork = buf;
                for (SendCallback cb : callbacks) {
                    if (cb != null) env.makeCallback(() -> cb.done(e));
                }
            });
            corkWritesInFlight++;
            refCounted();
        } catch (ErrnoException e) {
            // The pipe is closing or not writable: each send reports, as an uncorked one would.
            for (SendCallback cb : callbacks) {
                if (cb != null) env.nextTick(() -> cb.done(e));
                else env.nextTick(() -> target.error(e));
            }
        }
    }

    /**
     * Node's {@code target._send(message, undefined, swallowErrors)} for the socket lists: an
     * internal message, in order behind any handle in flight; nothing once the pipe is gone.
     */
    void sendInternal(Map<String, Object> message, boolean swallowErrors) {
        if (open) doSend(message, null, SendOptions.DEFAULT, null, swallowErrors, null);
    }

    private static boolean isAckOrNack(Object message) {
        return message instanceof Map<?, ?> m && ("NODE_HANDLE_ACK".equals(m.get("cmd")) || "NODE_HANDLE_NACK".equals(m.get("cmd")));
    }

    private void sendInternalUnqueued(String cmd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", cmd);
        if (open) doSend(m, null, SendOptions.DEFAULT, null, true, null);
    }

    // ---------------------------------------------------------------- disconnecting

    /**
     * Node's {@code disconnect()}: no more sends; the pipe closes once any handle in flight is
     * acknowledged, and 'disconnect' follows on a later tick. A second call reports
     * ERR_IPC_DISCONNECTED to {@link Target#error}.
     */
    @Override
    public void disconnect() {
        env.checkThread();
        if (!connected) {
            target.error(new NodeError("ERR_IPC_DISCONNECTED", "IPC channel is already disconnected"));
            return;
        }
        connected = false;
        if (handleQueue == null) close();
    }

    /** Node's {@code target._disconnect}: let go of the pipe, 'disconnect' on the next tick. */
    private void close() {
        if (!open) return;
        flushCork(); // what was sent before the disconnect still goes out, as Node wrote it at once
        open = false;
        connected = false;
        if (pendingMessage != null && pendingMessage.handle() instanceof Handle h) h.close();
        pendingMessage = null;
        pipe.close();
        // Servers stop asking a peer that is gone; their waiting requests fail (Node: on 'disconnect').
        for (SocketListSend list : List.copyOf(socketsSend.values())) list.channelClosed();
        env.nextTick(() -> {
            if (disconnectEmitted) return;
            disconnectEmitted = true;
            target.disconnected();
        });
    }

    // ---------------------------------------------------------------- receiving

    private final List<Object> decoded = new ArrayList<>();
    private final FrameDecoder.Sink sink = new FrameDecoder.Sink() {
        @Override
        public void message(Object message) {
            decoded.add(message);
        }

        @Override
        public void badFrame(SerializationException error) {
            decoded.add(new DecodeError(error, false));
        }

        @Override
        public void fatal(SerializationException error) {
            decoded.add(new DecodeError(error, true));
        }
    };

    private record DecodeError(SerializationException error, boolean fatal) {}

    /** What {@link FrameDecoder#end} reports is only ever an incomplete last frame: dropped. */
    private static final FrameDecoder.Sink DROP_INCOMPLETE = new FrameDecoder.Sink() {
        @Override
        public void message(Object message) {}

        @Override
        public void badFrame(SerializationException error) {}

        @Override
        public void fatal(SerializationException error) {}
    };

    private void onRead(ByteBuffer data, ErrnoException error) {
        env.makeCallback(() -> {
            if (error != null) {
                // EOF or a broken pipe: the peer is gone (Node: disconnect, then close). The bytes
                // of a frame it left incomplete are dropped without a word, as Node drops them: an
                // 'error' here would kill a child whose parent merely died mid-write.
                decoder.end(DROP_INCOMPLETE);
                close();
                return;
            }
            decoder.feed(data, sink);
            deliverDecoded();
        });
    }

    private void deliverDecoded() {
        for (Object m : decoded) {
            if (m instanceof DecodeError e) {
                env.nextTick(() -> target.error(e.error()));
                if (e.fatal()) {
                    close();
                    break;
                }
                continue;
            }
            if (isInternal(m)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> internal = (Map<String, Object>) m;
                if ("NODE_HANDLE".equals(internal.get("cmd"))) {
                    // The descriptor that came with (or before) this envelope belongs to it.
                    Fd fd = pipe.pendingCount() > 0 ? pipe.acceptPending() : null;
                    env.nextTick(() -> onHandleMessage(internal, fd));
                } else {
                    env.nextTick(() -> onInternal(internal, null));
                }
            } else {
                env.nextTick(() -> deliverUser(m, null));
            }
        }
        decoded.clear();
    }

    /** Node's isInternal: an object whose cmd is a string longer than 5 starting with NODE_. */
    static boolean isInternal(Object message) {
        return message instanceof Map<?, ?> m && m.get("cmd") instanceof String cmd && cmd.length() > 5 && cmd.startsWith("NODE_");
    }

    private void onInternal(Map<String, Object> message, Object handle) {
        if (!open) return;
        Object cmd = message.get("cmd");
        if ("NODE_HANDLE_ACK".equals(cmd) || "NODE_HANDLE_NACK".equals(cmd)) {
            onAck("NODE_HANDLE_ACK".equals(cmd));
            return;
        }
        if (cmd instanceof String c && c.startsWith("NODE_SOCKET_")) onSocketList(c, message);
        target.internalMessage(message, handle); // Node emits these as 'internalMessage' too
    }

    // ---------------------------------------------------------------- socket lists

    /** Node's {@code channel.sockets.send}: per server key, the sockets sent from here. */
    private final Map<String, SocketListSend> socketsSend = new LinkedHashMap<>();
    /** Node's {@code channel.sockets.got}: per server key, the sockets received here. */
    private final Map<String, SocketListReceive> socketsGot = new LinkedHashMap<>();

    /** Node's {@code getSocketList('send', ...)}: the list for {@code key}, created on first use. */
    SocketListSend socketListSend(String key) {
        return socketsSend.computeIfAbsent(key, k -> new SocketListSend(this, k));
    }

    /** Node's {@code getSocketList('got', ...)}. */
    SocketListReceive socketListGot(String key) {
        return socketsGot.computeIfAbsent(key, k -> new SocketListReceive(this, k));
    }

    /**
     * A NODE_SOCKET_* message. As in Node, one whose key names no list (a bad or unknown key, a
     * non-string key) and an unknown NODE_SOCKET_ command are ignored.
     */
    private void onSocketList(String cmd, Map<String, Object> message) {
        if (!(message.get("key") instanceof String key)) return;
        switch (cmd) {
            case "NODE_SOCKET_GET_COUNT", "NODE_SOCKET_NOTIFY_CLOSE" -> {
                SocketListReceive list = socketsGot.get(key);
                if (list != null) list.onRequest(cmd);
            }
            case "NODE_SOCKET_COUNT", "NODE_SOCKET_ALL_CLOSED" -> {
                SocketListSend list = socketsSend.get(key);
                if (list != null) list.onReply(cmd, message);
            }
            default -> {}
        }
    }

    /** A NODE_HANDLE_ACK or NACK: close or resend the pending socket, then flush the queue. */
    private void onAck(boolean ack) {
        if (handleQueue == null) {
            // Node dies of an assertion here; Herd reports the stray ACK and goes on.
            target.error(new NodeError("ERR_IPC_UNEXPECTED_ACK", "Received " + (ack ? "NODE_HANDLE_ACK" : "NODE_HANDLE_NACK")
                    + " with no handle in flight"));
            return;
        }
        Queued resend = null;
        if (pendingMessage != null) {
            if (ack) {
                closePending();
            } else if (pendingMessage.retransmissions()[0]++ == MAX_HANDLE_RETRANSMISSIONS) {
                closePending();
                env.process().emitWarning("Handle did not reach the receiving process correctly", "SentHandleNotReceivedWarning");
            } else {
                resend = pendingMessage;
                pendingMessage = null;
            }
        }
        ArrayDeque<Queued> queue = handleQueue;
        handleQueue = null;
        if (resend != null) {
            // Node sends the envelope again around the raw handle: the documented double wrap.
            doSend(resend.message(), resend.handle(), resend.options(), resend.callback(), false, resend.retransmissions());
        }
        for (Queued q : queue) {
            doSend(q.message(), q.handle(), q.options(), q.callback(), false, q.retransmissions());
        }
        if (!connected && open && handleQueue == null) close();
    }

    private void closePending() {
        if (pendingMessage.handle() instanceof Handle h) h.close();
        pendingMessage = null;
    }

    /** A NODE_HANDLE envelope: ACK (or NACK without a descriptor), open the handle, deliver msg. */
    private void onHandleMessage(Map<String, Object> envelope, Fd fd) {
        if (!open) {
            if (fd != null) fd.close();
            return;
        }
        if (fd == null) {
            sendInternalUnqueued("NODE_HANDLE_NACK");
            return;
        }
        // The sender waits for this before its next handle: answer before asking the kernel what fd is.
        sendInternalUnqueued("NODE_HANDLE_ACK");
        HandleKind kind = HandleKind.ofType(envelope.get("type"));
        if (kind == null) {
            fd.close();
            target.error(new NodeError("ERR_INVALID_HANDLE_TYPE", "Received a handle of unknown type " + envelope.get("type")));
            return;
        }
        try {
            kind.receive(this, env, envelope, fd, Pipe.typeOf(fd), received -> deliverWithHandle(envelope.get("msg"), received));
        } catch (RuntimeException e) {
            target.error(e);
        }
    }

    private void deliverWithHandle(Object msg, Object handle) {
        if (!open) {
            if (handle instanceof Handle h) h.close();
            return;
        }
        if (isInternal(msg)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> inner = (Map<String, Object>) msg;
            if ("NODE_HANDLE".equals(inner.get("cmd"))) {
                // The retransmission shape: the inner envelope is acknowledged too, as Node does.
                sendInternalUnqueued("NODE_HANDLE_ACK");
                deliverWithHandle(inner.get("msg"), handle);
                return;
            }
            onInternal(inner, handle);
        } else {
            deliverUser(msg, handle);
        }
    }

    /** User messages held while the target had no 'message' listener. */
    private final ArrayDeque<Object[]> held = new ArrayDeque<>();

    private void deliverUser(Object message, Object handle) {
        if (!open && handle == null && disconnectEmitted) return;
        if (!target.hasMessageListener()) {
            held.add(new Object[] {message, handle});
            return;
        }
        target.message(message, handle);
    }

    /** A 'message' listener was added: replay held messages on the next tick. */
    @Override
    public void messageListenerAdded() {
        if (held.isEmpty()) return;
        env.nextTick(() -> {
            while (!held.isEmpty() && target.hasMessageListener()) {
                Object[] m = held.poll();
                target.message(m[0], m[1]);
            }
        });
    }
}
