package dev.herd.io;

import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.Inotify;
import dev.herd.os.LibC;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Watches a file or a directory for changes (libuv's {@code uv_fs_event_t}, over inotify): the
 * callback gets the name of what changed and {@link #RENAME} and/or {@link #CHANGE}, as libuv
 * maps inotify's events: {@code IN_ATTRIB} and {@code IN_MODIFY} are a change, every other bit a
 * rename (so a created, deleted or moved entry is a rename, and so, as in libuv and Node, is the
 * chmod of a directory: its event carries {@code IN_ISDIR}). The name is the entry's name inside
 * the watched directory, or for an event on the watched file or directory itself its base name.
 *
 * <p><b>Recursive.</b> libuv does not watch subdirectories on Linux; with {@link #RECURSIVE} this
 * handle does, the way inotify allows: it watches every directory of the tree (a listing at
 * {@link #start}, on the loop thread, as Node's recursive {@code fs.watch} does), adds watches for
 * directories as they are created or moved in, and lets go of them as they are deleted or moved
 * out. Names are then paths relative to the watched directory ({@code "sub/file.txt"}). What a new
 * directory already holds by the time its watch exists (a {@code mkdir -p a/b} with files written
 * at once) is reported as a rename of each entry, as Node does, so nothing created in it is missed;
 * something created in that instant may be reported twice. Symbolic links to directories are not
 * followed (the watched path itself may be one). An {@code exclude} predicate keeps directories
 * out of the tree (they are never watched, so {@code node_modules} costs nothing) and their events
 * unreported. The handle finds its tree through a descriptor of the root directory, so it keeps
 * working when the root is renamed: the root's rename is reported (its old base name) and events
 * inside keep coming with the same relative names.
 *
 * <p><b>Overflow.</b> When events come faster than the loop reads them, the kernel drops them and
 * says so once ({@code IN_Q_OVERFLOW}); every handle of the loop then gets one callback with a
 * {@code null} name and {@link #OVERFLOW} (libuv drops this silently), and a recursive handle
 * lists its tree again, to watch directories created meanwhile and let go of those gone.
 *
 * <p><b>Errors.</b> {@link #start} throws when the path cannot be watched, in Node's shape
 * ("ENOENT: no such file or directory, watch 'path'"; for ENOSPC Node's "System limit for number
 * of file watchers reached"). Later, a directory that cannot be watched because a
 * limit is reached (ENOSPC: {@code max_user_watches}; ENOMEM) is reported through the callback's
 * {@code error}; directories that vanish, cannot be read or are not directories after all are
 * skipped silently. When the watched path itself is deleted, its rename is reported and then, as
 * libuv does, a second one as the kernel drops the watch; the handle stays active and reports
 * nothing more.
 *
 * <p>All handles of a loop share one inotify descriptor (see {@link InotifyWatchers} for why), so
 * a watching handle costs a descriptor only when it is the loop's first; and, a recursive one,
 * one more for its root directory. Every watch is added with {@code IN_EXCL_UNLINK}: a file that
 * was deleted but is still being written reports nothing more (libuv would keep reporting changes
 * to a name that no longer exists).
 *
 * <p>Thread rule: loop thread only (checked); the callback runs in the poll phase. Lifetime: as
 * {@link Handle}: {@link #close} stops watching and releases the watches at once.
 */
public final class FsEvent extends Handle {
    /** Event: an entry appeared, disappeared or was renamed (libuv's UV_RENAME). */
    public static final int RENAME = 1;
    /** Event: an entry's content or attributes changed (libuv's UV_CHANGE). */
    public static final int CHANGE = 2;
    /** Event (Herd's): the kernel dropped events; what changed is unknown. The name is null. */
    public static final int OVERFLOW = 4;

    /** {@link #start} flag: watch the whole tree under a directory (libuv's UV_FS_EVENT_RECURSIVE). */
    public static final int RECURSIVE = 4;

    /**
     * Reads of the loop's inotify descriptor per readiness event before the loop moves on, so a
     * storm of changes cannot starve the rest of the loop (each read takes up to 64 KiB of events).
     */
    public static final int READS_PER_WAKEUP = 32;

    /** What every watch asks for (libuv's set), plus IN_EXCL_UNLINK. */
    static final int MASK = Inotify.IN_ATTRIB | Inotify.IN_CREATE | Inotify.IN_MODIFY | Inotify.IN_DELETE
            | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF | Inotify.IN_MOVED_FROM | Inotify.IN_MOVED_TO
            | Inotify.IN_EXCL_UNLINK;
    /** Subdirectories: directories only, and a symbolic link is not followed. */
    private static final int SUBDIR = MASK | Inotify.IN_ONLYDIR | Inotify.IN_DONT_FOLLOW;

    /** Runs for each change. */
    @FunctionalInterface
    public interface Callback {
        /**
         * Reports a change, an overflow or an error.
         *
         * @param filename the name that changed (relative to the watched directory), or
         *     {@code null} with {@link #OVERFLOW}
         * @param events {@link #RENAME}, {@link #CHANGE} (either or both), or {@link #OVERFLOW};
         *     0 with an error
         * @param error null, or why part of the tree could not be watched
         */
        void onEvent(String filename, int events, ErrnoException error);
    }

    private InotifyWatchers watchers;
    private String path;
    private String basename;
    private boolean recursive;
    private Predicate<String> exclude;
    private Callback callback;
    /** A descriptor of the root directory (recursive only): subdirectories are found through it. */
    private Fd rootDir;
    /** Directories watched, relative to the root ("" is the root), and their watch descriptors. */
    private final HashMap<String, Integer> dirs = new HashMap<>();
    /** Bumped by stop: a callback that stopped the handle ends the reports of the event in hand. */
    private int generation;

    /**
     * A stopped handle of {@code loop}.
     *
     * @param loop the loop it belongs to
     */
    public FsEvent(Loop loop) {
        super(loop);
    }

    /**
     * {@link #start(String, int, Predicate, Callback)} with nothing excluded.
     *
     * @param path the file or directory to watch
     * @param flags {@link #RECURSIVE}, or 0
     * @param callback gets each change
     */
    public void start(String path, int flags, Callback callback) {
        start(path, flags, null, callback);
    }

    /**
     * Starts watching {@code path} (libuv's {@code uv_fs_event_start}).
     *
     * @param path the file or directory to watch
     * @param flags {@link #RECURSIVE}, or 0
     * @param exclude for a recursive watch, the relative paths ("sub", "sub/file.log") to leave
     *     out: such a directory is not watched, and events of such a name are not reported; or null
     * @param callback gets each change
     * @throws ErrnoException "CODE: message, watch 'path'": EINVAL if already started or for
     *     unknown flags, ENOENT, EACCES, ENOSPC when max_user_watches is reached, EMFILE
     */
    public void start(String path, int flags, Predicate<String> exclude, Callback callback) {
        checkOpen();
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(callback, "callback");
        if (isActive() || (flags & ~RECURSIVE) != 0) throw watchError(-Errno.EINVAL.number(), path);
        InotifyWatchers w = InotifyWatchers.of(loop());
        w.register(this);
        this.watchers = w;
        this.path = path;
        this.basename = basename(path);
        this.recursive = (flags & RECURSIVE) != 0;
        this.exclude = exclude;
        this.callback = callback;
        try {
            int wd = w.add(path, MASK, this, "");
            if (wd < 0) throw watchError(wd, path);
            dirs.put("", wd);
            if (recursive && Files.isDirectory(Path.of(path))) {
                int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_NONBLOCK, 0);
                if (fd < 0) throw watchError(fd, path);
                rootDir = Fd.adopt(fd);
                ErrnoException limit = watchTree("", null, null);
                if (limit != null) throw limit;
            }
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        activate();
    }

    /** Stops watching (libuv's {@code uv_fs_event_stop}). Idempotent. */
    public void stop() {
        loop().checkThread();
        if (!isActive()) return;
        release();
        deactivate();
    }

    /** {@return the path given to {@link #start}, or null when stopped (libuv's uv_fs_event_getpath)} */
    public String path() {
        loop().checkThread();
        return isActive() ? path : null;
    }

    @Override
    protected void doClose() {
        stop();
    }

    private void release() {
        generation++;
        InotifyWatchers w = watchers;
        if (w == null) return;
        for (int wd : dirs.values()) w.release(this, wd);
        dirs.clear();
        if (rootDir != null) {
            rootDir.close();
            rootDir = null;
        }
        watchers = null;
        callback = null;
        exclude = null;
        w.unregister(this);
    }

    // ---------------------------------------------------------------- events (InotifyWatchers)

    /**
     * One inotify event of a watch this handle uses as its directory {@code rel}.
     */
    void onEvent(Inotify.Event e, int wd, String rel) {
        boolean root = rel.isEmpty();
        if (e.has(Inotify.IN_IGNORED) && dirs.get(rel) != null && dirs.get(rel) == wd) dirs.remove(rel);
        if (e.name() == null) {
            // The watched object itself. A subdirectory's own events also reach its parent's
            // watch, with its name, and are reported from there.
            if (root) report(basename, events(e.mask()), null);
            return;
        }
        String name = root ? e.name() : rel + "/" + e.name();
        if (excluded(name)) return;
        int gen = generation;
        List<String> found = null;
        ErrnoException limit = null;
        if (recursive && e.has(Inotify.IN_ISDIR)) {
            if (e.has(Inotify.IN_MOVED_FROM | Inotify.IN_DELETE)) forgetTree(name);
            if (e.has(Inotify.IN_CREATE | Inotify.IN_MOVED_TO)) {
                // Watched before anything is reported: the sooner the watch, the less to catch up.
                int sub = watchDir(name);
                if (sub >= 0) {
                    found = new ArrayList<>();
                    limit = watchTree(name, found, null);
                } else if (isLimit(sub)) {
                    limit = watchError(sub, path + "/" + name);
                }
            }
        }
        report(name, events(e.mask()), null);
        if (found != null) {
            for (String f : found) {
                if (gen != generation) return;
                report(f, RENAME, null);
            }
        }
        if (limit != null && gen == generation) report(null, 0, limit);
    }

    /** The queue overflowed: say so, and a recursive handle brings its tree up to date. */
    void onOverflow() {
        int gen = generation;
        report(null, OVERFLOW, null);
        if (gen != generation || !recursive || rootDir == null) return;
        Set<String> seen = new HashSet<>();
        ErrnoException limit = watchTree("", null, seen);
        // The directories the new listing did not reach are gone (deleted or moved out).
        for (String rel : new ArrayList<>(dirs.keySet())) {
            if (!rel.isEmpty() && !seen.contains(rel)) watchers.release(this, dirs.remove(rel));
        }
        if (limit != null && gen == generation) report(null, 0, limit);
    }

    /** Another directory now has watch {@code wd} (the same inode, moved): {@code rel} is stale. */
    void forgetDirectory(String rel, int wd) {
        Integer had = dirs.get(rel);
        if (had != null && had == wd) dirs.remove(rel);
    }

    private void report(String filename, int events, ErrnoException error) {
        Callback cb = callback;
        if (cb != null && isActive()) cb.onEvent(filename, events, error);
    }

    /** libuv's mapping: IN_ATTRIB or IN_MODIFY is a change; any other bit (IN_ISDIR too) a rename. */
    static int events(int mask) {
        int events = 0;
        if ((mask & (Inotify.IN_ATTRIB | Inotify.IN_MODIFY)) != 0) events |= CHANGE;
        if ((mask & ~(Inotify.IN_ATTRIB | Inotify.IN_MODIFY)) != 0) events |= RENAME;
        return events;
    }

    // ---------------------------------------------------------------- the tree

    /**
     * Watches the subdirectories under {@code top} (itself already watched), depth first, adding
     * every entry's relative path to {@code found} and every directory reached to {@code seen},
     * each if not null. Returns the error that stopped it (ENOSPC, ENOMEM), or null.
     */
    private ErrnoException watchTree(String top, List<String> found, Set<String> seen) {
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.push(top);
        while (!todo.isEmpty()) {
            String dir = todo.pop();
            if (seen != null) seen.add(dir);
            List<String> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(abs(dir)))) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    String child = dir.isEmpty() ? name : dir + "/" + name;
                    if (!excluded(child)) children.add(child);
                }
            } catch (IOException | RuntimeException gone) {
                continue; // deleted, moved away or unreadable since: its parent reports it
            }
            for (String child : children) {
                if (found != null) found.add(child);
                // One call tells a directory (now watched) from anything else (ENOTDIR).
                int wd = watchDir(child);
                if (wd >= 0) {
                    todo.push(child);
                } else if (isLimit(wd)) {
                    return watchError(wd, path + "/" + child);
                }
            }
        }
        return null;
    }

    /** Watches directory {@code rel} if it is one; returns its watch descriptor or -errno (ENOTDIR...). */
    private int watchDir(String rel) {
        int wd = watchers.add(abs(rel), SUBDIR, this, rel);
        if (wd < 0) return wd;
        Integer before = dirs.put(rel, wd);
        // A directory of that name that was replaced (rename over it) leaves its watch behind.
        if (before != null && before != wd) watchers.release(this, before);
        return wd;
    }

    /** Lets go of directory {@code top} and everything watched under it. */
    private void forgetTree(String top) {
        String prefix = top + "/";
        for (var it = dirs.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Integer> d = it.next();
            if (d.getKey().equals(top) || d.getKey().startsWith(prefix)) {
                it.remove();
                watchers.release(this, d.getValue());
            }
        }
    }

    private boolean excluded(String rel) {
        Predicate<String> ex = exclude;
        return ex != null && ex.test(rel);
    }

    /** Where directory {@code rel} is now: through the root's descriptor, so a renamed root still works. */
    private String abs(String rel) {
        String base = "/proc/self/fd/" + rootDir.intValue();
        return rel.isEmpty() ? base : base + "/" + rel;
    }

    /** Node's error for a path it cannot watch, with its own words for the watch limit. */
    static ErrnoException watchError(int errno, String path) {
        Errno e = Errno.of(errno);
        if (e == Errno.ENOSPC) {
            return ErrnoException.withMessage(e, "System limit for number of file watchers reached", "watch", path);
        }
        return ErrnoException.of(e, "watch", path, null);
    }

    private static boolean isLimit(int errno) {
        return errno == -Errno.ENOSPC.number() || errno == -Errno.ENOMEM.number();
    }

    /** libuv's uv__basename_r: what follows the last slash ("/" for the root directory). */
    private static String basename(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        int slash = p.lastIndexOf('/');
        return slash < 0 || p.length() == 1 ? p : p.substring(slash + 1);
    }
}
