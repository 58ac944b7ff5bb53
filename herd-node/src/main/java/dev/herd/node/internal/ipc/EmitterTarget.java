package dev.herd.node.internal.ipc;

import dev.herd.node.EventEmitter;
import java.util.Map;

/**
 * The usual {@link Channel.Target}: the channel's deliveries as events of an emitter — the
 * process object in a child, a ChildProcess in the parent — named as Node names them:
 * {@code 'message'} (message, handle), {@code 'internalMessage'} (message, handle),
 * {@code 'disconnect'} and {@code 'error'}. User messages wait while the emitter has no
 * {@code 'message'} listener.
 *
 * <p>Loop thread of the emitter.
 */
public final class EmitterTarget implements Channel.Target {
    private final EventEmitter emitter;
    private final Runnable afterDisconnect;

    /**
     * Deliveries to {@code emitter}; {@code afterDisconnect} runs after 'disconnect' is emitted.
     *
     * @param emitter the emitter that gets 'message', 'internalMessage', 'disconnect' and 'error'
     * @param afterDisconnect runs after 'disconnect', or null
     */
    public EmitterTarget(EventEmitter emitter, Runnable afterDisconnect) {
        this.emitter = emitter;
        this.afterDisconnect = afterDisconnect;
    }

    @Override
    public void message(Object message, Object handle) {
        emitter.emit("message", message, handle);
    }

    @Override
    public void internalMessage(Map<String, Object> message, Object handle) {
        emitter.emit("internalMessage", message, handle);
    }

    @Override
    public void disconnected() {
        emitter.emit("disconnect");
        afterDisconnect.run();
    }

    @Override
    public void error(Throwable error) {
        emitter.emit("error", error);
    }

    @Override
    public boolean hasMessageListener() {
        return emitter.listenerCount("message") > 0;
    }
}
