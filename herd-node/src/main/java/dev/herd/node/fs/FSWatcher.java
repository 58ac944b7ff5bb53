package dev.herd.node.fs;

import dev.herd.io.FsEvent;
import dev.herd.node.AbortSignal;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.internal.Environment;
import dev.herd.os.ErrnoException;
import java.util.function.BiConsumer;

/**
 * Node's {@code fs.FSWatcher} (what {@link Fs#watch} returns), over an io-layer {@link FsEvent}.
 *
 * <p>Events, as in Node: {@code 'change'} with the event type ({@code "rename"} when an entry
 * appeared, disappeared or was renamed, {@code "change"} when its content or attributes changed;
 * libuv's mapping, so a directory's chmod is a {@code "rename"}) and the file name (relative to
 * the watched directory; the base name for a watched file); {@code 'error'} with an
 * {@link ErrnoException} (the watcher is then closed, and no {@code 'close'} follows, as in Node);
 * {@code 'close'} on the tick after {@link #close()}. Herd adds {@code 'overflow'}: the kernel
 * dropped events because they came faster than they were read; it is followed by a
 * {@code 'change'} with {@code "rename"} and a {@code null} file name ("something changed"; Node
 * documents that the name may be missing).
 *
 * <p>Thread rule: its environment's loop thread. Lifetime: until {@link #close()} or an error;
 * while open and referenced ({@code persistent}, {@link #ref()}), it keeps the process alive.
 */
public final class FSWatcher extends EventEmitter {
    /** 'change' (eventType "rename" or "change", filename or null). */
    public static final Event<BiConsumer<String, String>> CHANGE = Event.of(FSWatcher.class, "change", String.class, String.class);
    /** 'overflow': the kernel dropped events (Herd's; a 'change' with a null name follows). */
    public static final Event<Runnable> OVERFLOW = Event.of(FSWatcher.class, "overflow");
    /** 'close': the tick after {@link #close()}. */
    public static final Event<Runnable> CLOSE = Event.of(FSWatcher.class, "close");

    private final Environment env;
    /** Null once closed (Node's {@code this._handle = null}). */
    private FsEvent handle;
    private AbortSignal signal;
    private Runnable onAbort;

    FSWatcher(Environment env) {
        this.env = env;
        this.handle = new FsEvent(env.loop());
    }

    /** Node's {@code [kFSWatchStart]}: watches {@code filename}; throws and closes itself if it cannot. */
    void start(String filename, WatchOptions options) {
        try {
            handle.start(filename, options.recursive() ? FsEvent.RECURSIVE : 0, options.exclude(), this::onEvent);
        } catch (RuntimeException e) {
            // Node leaves its handle to the garbage collector; a Herd loop counts open handles.
            handle.close();
            handle = null;
            throw e;
        }
        if (!options.persistent()) handle.unref();
    }

    private void onEvent(String filename, int events, ErrnoException error) {
        env.makeCallback(() -> {
            if (error != null) {
                // Node: close without 'close', then 'error'.
                if (handle != null) {
                    handle.close();
                    handle = null;
                    forgetSignal();
                }
                emit("error", error);
            } else if ((events & FsEvent.OVERFLOW) != 0) {
                emit("overflow");
                emit("change", "rename", null);
            } else {
                emit("change", (events & FsEvent.RENAME) != 0 ? "rename" : "change", filename);
            }
        });
    }

    /** Closes the watcher when {@code signal} aborts (Node's {@code signal} option). */
    void closeOn(AbortSignal signal) {
        if (signal.aborted()) {
            env.nextTick(this::close);
            return;
        }
        this.signal = signal;
        this.onAbort = this::close;
        signal.addEventListener("abort", onAbort);
    }

    private void forgetSignal() {
        if (signal != null) signal.removeEventListener("abort", onAbort);
        signal = null;
        onAbort = null;
    }

    /** Stops watching; {@code 'close'} follows on the next tick. Does nothing once closed. */
    public void close() {
        env.checkThread();
        if (handle == null) return;
        handle.close();
        handle = null;
        forgetSignal();
        env.nextTick(() -> emit("close"));
    }

    /**
     * Makes the watcher keep the process alive again (Node's {@code watcher.ref()}).
     *
     * @return this watcher
     */
    public FSWatcher ref() {
        env.checkThread();
        if (handle != null) handle.ref();
        return this;
    }

    /**
     * Lets the process end while the watcher is open (Node's {@code watcher.unref()}).
     *
     * @return this watcher
     */
    public FSWatcher unref() {
        env.checkThread();
        if (handle != null) handle.unref();
        return this;
    }

    /** {@return whether the watcher is open and keeps the process alive} */
    public boolean hasRef() {
        env.checkThread();
        return handle != null && handle.hasRef();
    }
}
