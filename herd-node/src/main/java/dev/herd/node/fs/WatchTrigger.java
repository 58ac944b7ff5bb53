package dev.herd.node.fs;

import dev.herd.node.Globals;
import dev.herd.node.Timeout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * pm2's {@code watch}, for a process manager: watches an app's paths (the whole tree under each,
 * {@link IgnorePatterns} left out and never watched) and calls back {@code watch_delay}
 * milliseconds after the first change, with every path that changed meanwhile; the manager
 * restarts the app then.
 *
 * <p>The delay is pm2's ({@code God.watch} in lib/Watcher.js): it runs from the <em>first</em>
 * change, not from the last (a change every few milliseconds, a log file that was not ignored,
 * restarts the app once per delay instead of never). The changes within it make one call; a
 * change after the call opens a new window. pm2 also drops every change until its restart has
 * finished; a manager that wants that ignores the calls that come while it restarts. The paths
 * given are relative to the app's directory ({@code "src/app.js"}), as chokidar gives them to pm2;
 * when the kernel dropped events (an overflow), the watched path itself stands for them.
 *
 * <p>A watch path that does not exist is an error at {@link #start} (Node's {@code fs.watch}
 * ENOENT; chokidar would wait for it to appear). A watcher that fails later (the watch limit
 * reached in a new directory) goes to {@code onError}, and the other paths go on.
 *
 * <p>Thread rule: a Herd loop thread. Lifetime: until {@link #close()}; while open it keeps the
 * process alive.
 */
public final class WatchTrigger implements AutoCloseable {
    private final Path cwd;
    private final long delayMs;
    private final Consumer<List<String>> onChange;
    private final List<FSWatcher> watchers = new ArrayList<>();
    private LinkedHashSet<String> changed;
    private Timeout timer;
    private boolean closed;

    private WatchTrigger(Path cwd, long delayMs, Consumer<List<String>> onChange) {
        this.cwd = cwd;
        this.delayMs = delayMs;
        this.onChange = onChange;
    }

    /**
     * Starts watching.
     *
     * @param cwd the app's directory (pm2's {@code pm_cwd})
     * @param paths pm2's {@code watch} paths, relative to {@code cwd} or absolute; empty for
     *     {@code cwd} itself ({@code watch: true})
     * @param ignore what does not count ({@code ignore_watch})
     * @param delayMs pm2's {@code watch_delay}: from the first change to the call (0: at once)
     * @param onChange gets the changed paths, relative to {@code cwd}
     * @param onError gets a watcher's error; that watcher has stopped
     * @return the trigger
     * @throws dev.herd.os.ErrnoException if a path cannot be watched (ENOENT, ENOSPC...); nothing
     *     is left watched then
     */
    public static WatchTrigger start(Path cwd, List<String> paths, IgnorePatterns ignore, long delayMs,
                                     Consumer<List<String>> onChange, Consumer<Throwable> onError) {
        Objects.requireNonNull(ignore, "ignore");
        Objects.requireNonNull(onChange, "onChange");
        Objects.requireNonNull(onError, "onError");
        if (delayMs < 0) throw new IllegalArgumentException("delayMs < 0: " + delayMs);
        Path root = cwd.toAbsolutePath().normalize();
        WatchTrigger t = new WatchTrigger(root, delayMs, onChange);
        List<String> targets = paths == null || paths.isEmpty() ? List.of(".") : paths;
        try {
            for (String p : targets) t.watch(root.resolve(p).normalize(), ignore, onError);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void watch(Path target, IgnorePatterns ignore, Consumer<Throwable> onError) {
        boolean dir = Files.isDirectory(target);
        WatchOptions options = WatchOptions.builder().recursive(true)
                .exclude(rel -> ignore.ignores(target.resolve(rel))).build();
        FSWatcher w = Fs.watch(target.toString(), options, (type, name) -> {
            Path p = name == null || !dir ? target : target.resolve(name);
            if (name == null || !ignore.ignores(p)) changed(p);
        });
        w.on(FSWatcher.ERROR, onError::accept);
        watchers.add(w);
    }

    private void changed(Path p) {
        if (closed) return;
        if (changed == null) {
            changed = new LinkedHashSet<>();
            // Node clamps a 0 ms timeout to 1 ms: the changes of one burst still come together.
            timer = Globals.setTimeout(this::fire, delayMs);
        }
        String rel = cwd.relativize(p).toString();
        changed.add(rel.isEmpty() ? "." : rel);
    }

    private void fire() {
        List<String> batch = List.copyOf(changed);
        changed = null;
        timer = null;
        if (!closed) onChange.accept(batch);
    }

    /** Stops watching; a pending call is dropped. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (FSWatcher w : watchers) w.close();
        watchers.clear();
        if (timer != null) Globals.clearTimeout(timer);
        timer = null;
        changed = null;
    }
}
