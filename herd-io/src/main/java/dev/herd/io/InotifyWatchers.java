package dev.herd.io;

import dev.herd.loop.IoWatcher;
import dev.herd.loop.Loop;
import dev.herd.os.Epoll;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.Inotify;
import dev.herd.os.LibC;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The one inotify descriptor of a loop and the watches of all its {@link FsEvent} handles
 * (libuv's {@code loop->inotify_fd} and {@code inotify_watchers} tree): watch descriptor to the
 * handles that use it, each with the directory the watch stands for inside that handle's tree.
 *
 * <p>One descriptor per loop rather than per handle, as libuv does: inotify instances are a small
 * per-user budget ({@code /proc/sys/fs/inotify/max_user_instances}, 128 by default, shared by
 * every process of the user), and a process manager watching many apps would spend one per app;
 * watches ({@code max_user_watches}) are the plentiful resource. The kernel gives one watch per
 * inode per descriptor, so two handles watching the same directory share its watch descriptor
 * (and its events), and the watch is removed when the last of them lets go. Every watch is added
 * with the same mask ({@link FsEvent#MASK}), so sharing never narrows what another handle gets.
 *
 * <p>The descriptor is made by the first handle that starts and closed when the last one stops,
 * so a loop with no watching handle holds no descriptor. Thread rule: its loop's thread only.
 */
final class InotifyWatchers {
    /** Per loop thread: a thread may run more than one loop (a Sync call's private loop). */
    private static final ThreadLocal<Map<Loop, InotifyWatchers>> PER_LOOP =
            ThreadLocal.withInitial(IdentityHashMap::new);

    /** One watch descriptor and who uses it. */
    static final class WatchList {
        final int wd;
        /** Handle to the directory (relative to its root, "" for the root itself) this watch is. */
        final LinkedHashMap<FsEvent, String> entries = new LinkedHashMap<>(2);

        WatchList(int wd) {
            this.wd = wd;
        }
    }

    private final Loop loop;
    private final Fd fd;
    private final IoWatcher watcher;
    private final HashMap<Integer, WatchList> byWd = new HashMap<>();
    private final LinkedHashSet<FsEvent> handles = new LinkedHashSet<>();
    /** Events read and not yet dispatched: a throwing callback leaves the rest here. */
    private final ArrayDeque<Inotify.Event> queue = new ArrayDeque<>();
    private boolean feedQueued;
    private boolean closed;

    private InotifyWatchers(Loop loop) {
        this.loop = loop;
        this.fd = Inotify.inotify_init1(Inotify.IN_NONBLOCK);
        this.watcher = new IoWatcher(loop, fd.intValue(), events -> onReady());
        watcher.start(Epoll.EPOLLIN);
    }

    /**
     * The loop's instance, made (with its descriptor) if it has none.
     *
     * @throws ErrnoException from inotify_init1 (EMFILE when max_user_instances is reached)
     */
    static InotifyWatchers of(Loop loop) {
        Map<Loop, InotifyWatchers> map = PER_LOOP.get();
        InotifyWatchers w = map.get(loop);
        if (w == null) {
            w = new InotifyWatchers(loop);
            map.put(loop, w);
        }
        return w;
    }

    void register(FsEvent h) {
        handles.add(h);
    }

    /** The handle no longer watches anything: with no handle left, the descriptor closes. */
    void unregister(FsEvent h) {
        handles.remove(h);
        if (handles.isEmpty()) close();
    }

    private void close() {
        if (closed) return;
        closed = true;
        queue.clear();
        byWd.clear();
        watcher.close();
        fd.close();
        Map<Loop, InotifyWatchers> map = PER_LOOP.get();
        if (map.get(loop) == this) map.remove(loop);
    }

    /**
     * Watches {@code path} for {@code h} as its directory {@code rel}; returns the watch descriptor
     * or -errno. A path whose inode is watched already gets the existing descriptor.
     */
    int add(String path, int mask, FsEvent h, String rel) {
        int wd = Inotify.inotify_add_watch(fd.intValue(), path, mask);
        if (wd < 0) return wd;
        WatchList w = byWd.get(wd);
        if (w == null) {
            w = new WatchList(wd);
            byWd.put(wd, w);
        }
        String before = w.entries.put(h, rel);
        if (before != null && !before.equals(rel)) h.forgetDirectory(before, wd);
        return wd;
    }

    /** {@code h} no longer uses {@code wd}; the watch is removed once nobody does. */
    void release(FsEvent h, int wd) {
        WatchList w = byWd.get(wd);
        if (w == null) return;
        w.entries.remove(h);
        if (w.entries.isEmpty()) {
            byWd.remove(wd);
            // EINVAL if the kernel already dropped it (deleted; its IN_IGNORED is on its way).
            Inotify.inotify_rm_watch(fd.intValue(), wd);
        }
    }

    /** Reads while there is something to read, within a budget, dispatching as it goes. */
    private void onReady() {
        try {
            for (int i = 0; i < FsEvent.READS_PER_WAKEUP && !closed; i++) {
                if (queue.isEmpty() && !read()) break;
                dispatch();
            }
        } finally {
            feedIfStuck();
        }
    }

    /** Fills the queue from one read(2); false when nothing was there. */
    private boolean read() {
        ReadBuffer b = ReadBuffer.acquire();
        try {
            long n = LibC.read(fd.intValue(), b.array, 0, b.array.length);
            if (n == -Errno.EAGAIN.number()) return false;
            if (n <= 0) throw ErrnoException.of((int) n, "read");
            queue.addAll(Inotify.decode(b.array, 0, (int) n));
            return true;
        } finally {
            b.release();
        }
    }

    /**
     * A callback threw with events still queued: they are delivered in the next pending phase
     * (libuv's uv__io_feed) rather than when the descriptor next becomes readable, which might be
     * never.
     */
    private void feedIfStuck() {
        if (closed || queue.isEmpty() || feedQueued) return;
        feedQueued = true;
        loop.queuePending(() -> {
            feedQueued = false;
            try {
                if (!closed) dispatch();
            } finally {
                feedIfStuck();
            }
        });
    }

    /**
     * Delivers the queued events one by one. Callbacks may stop, close or start any handle of
     * the loop, so each delivery looks the watch up again and the handles are snapshotted.
     */
    private void dispatch() {
        Inotify.Event e;
        while (!closed && (e = queue.poll()) != null) {
            if (e.has(Inotify.IN_Q_OVERFLOW)) {
                for (FsEvent h : new ArrayList<>(handles)) {
                    if (!closed && handles.contains(h)) h.onOverflow();
                }
                continue;
            }
            WatchList w = byWd.get(e.wd());
            if (w == null) continue; // a watch we removed: its late events and IN_IGNORED
            if (e.has(Inotify.IN_IGNORED)) byWd.remove(e.wd()); // the kernel dropped it
            List<Map.Entry<FsEvent, String>> users = new ArrayList<>(w.entries.entrySet());
            for (Map.Entry<FsEvent, String> u : users) {
                FsEvent h = u.getKey();
                String rel = u.getValue();
                // Skip a handle that let go of this watch in an earlier callback.
                if (closed || !rel.equals(w.entries.get(h))) continue;
                if (e.has(Inotify.IN_IGNORED)) w.entries.remove(h);
                h.onEvent(e, w.wd, rel);
            }
        }
    }
}
