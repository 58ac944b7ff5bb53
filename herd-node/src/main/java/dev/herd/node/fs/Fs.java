package dev.herd.node.fs;

import dev.herd.node.NodeError;
import dev.herd.node.internal.Environment;
import dev.herd.os.ErrnoException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Node's {@code fs} module; so far only {@link #watch}.
 *
 * <p>Thread rule: a Herd loop thread (inside {@code Herd.run} / {@code Herd.call}).
 */
public final class Fs {
    private Fs() {}

    /**
     * {@code fs.watch(filename)}.
     *
     * @param filename the file or directory to watch
     * @return the watcher
     */
    public static FSWatcher watch(String filename) {
        return watch(filename, WatchOptions.DEFAULTS, null);
    }

    /**
     * {@code fs.watch(filename, listener)}.
     *
     * @param filename the file or directory to watch
     * @param listener gets each {@code 'change'}: the event type and the file name
     * @return the watcher
     */
    public static FSWatcher watch(String filename, BiConsumer<String, String> listener) {
        return watch(filename, WatchOptions.DEFAULTS, listener);
    }

    /**
     * {@code fs.watch(filename, options)}.
     *
     * @param filename the file or directory to watch
     * @param options persistent, recursive, encoding, signal, exclude
     * @return the watcher
     */
    public static FSWatcher watch(String filename, WatchOptions options) {
        return watch(filename, options, null);
    }

    /**
     * {@code fs.watch(filename, options, listener)}: watches a file or a directory (with
     * {@code recursive}, the whole tree under it) and returns an {@link FSWatcher} that emits
     * {@code 'change'} (event type, file name), {@code 'error'} and {@code 'close'}. On Linux,
     * Node 20's recursive watch is JavaScript that adds a non-recursive {@code fs.watch} for every
     * file and directory of the tree (one inotify watch each); Herd watches every directory once,
     * in the io layer (see {@link dev.herd.io.FsEvent}), which costs one watch per directory and
     * misses no change to a file created after the start; names are relative to {@code filename}
     * either way (docs/fs.md lists the differences).
     *
     * @param filename the file or directory to watch
     * @param options persistent, recursive, encoding (utf8 only), signal, exclude
     * @param listener gets each {@code 'change'}: the event type and the file name; or null
     * @return the watcher
     * @throws ErrnoException when the path cannot be watched: "ENOENT: no such file or
     *     directory, watch 'x'", EACCES, ENOSPC ("System limit for number of file watchers
     *     reached"), EMFILE
     * @throws NodeError ERR_INVALID_ARG_TYPE for a null filename, ERR_INVALID_ARG_VALUE for a
     *     NUL byte in it or an encoding other than utf8
     */
    public static FSWatcher watch(String filename, WatchOptions options, BiConsumer<String, String> listener) {
        Environment env = Environment.current();
        env.checkThread();
        Objects.requireNonNull(options, "options");
        if (filename == null) {
            throw new NodeError("ERR_INVALID_ARG_TYPE", "The \"filename\" argument must be of type string or an "
                    + "instance of Buffer or URL. Received null", IllegalArgumentException.class);
        }
        if (filename.indexOf('\0') >= 0) {
            throw new NodeError("ERR_INVALID_ARG_VALUE", "The argument 'filename' must be a string, Uint8Array, or URL "
                    + "without null bytes. Received '" + filename.replace("\0", "\\x00") + "'",
                    IllegalArgumentException.class);
        }
        checkEncoding(options.encoding());
        FSWatcher watcher = new FSWatcher(env);
        watcher.start(filename, options);
        if (listener != null) watcher.on(FSWatcher.CHANGE, listener::accept);
        if (options.signal() != null) watcher.closeOn(options.signal());
        return watcher;
    }

    /** Names are Java strings decoded as UTF-8; Node's other encodings (and 'buffer') are not offered. */
    private static void checkEncoding(String encoding) {
        if (encoding == null) return;
        String e = encoding.toLowerCase(Locale.ROOT);
        if (e.equals("utf8") || e.equals("utf-8")) return;
        throw new NodeError("ERR_INVALID_ARG_VALUE", "The argument 'encoding' is invalid encoding for Herd's fs.watch "
                + "(utf8 only). Received '" + encoding + "'", IllegalArgumentException.class);
    }
}
