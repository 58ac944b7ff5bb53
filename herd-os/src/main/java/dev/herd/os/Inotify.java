package dev.herd.os;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * inotify(7): {@code inotify_init1}, {@code inotify_add_watch}, {@code inotify_rm_watch}, and the
 * decoding of the {@code struct inotify_event} records a read(2) of an inotify descriptor returns.
 * Names and constants are C's ({@code <sys/inotify.h>}); the man page is the doc.
 *
 * <p>Same conventions as {@link LibC}: each call returns its C result or {@code -errno}, EINTR is
 * retried, and the descriptor {@link #inotify_init1} makes is close-on-exec and owned by an
 * {@link Fd}. Read events with {@link LibC#read(int, byte[], int, int)} into a buffer of at least
 * {@link #READ_MIN} bytes (a smaller one fails with EINVAL when the next event has a long name),
 * then {@link #decode} them.
 *
 * <p>Thread rule: every method is safe on any thread. The kernel keeps one queue per inotify
 * descriptor, of at most {@code /proc/sys/fs/inotify/max_queued_events} events (read when the
 * descriptor is made); past that it drops events and queues one {@link #IN_Q_OVERFLOW} with
 * {@code wd == -1}.
 */
public final class Inotify {
    private Inotify() {}

    /** Event: the file was accessed (read). */
    public static final int IN_ACCESS = 0x1;
    /** Event: the file was modified (write, truncate). */
    public static final int IN_MODIFY = 0x2;
    /** Event: metadata changed (permissions, timestamps, owner, link count, extended attributes). */
    public static final int IN_ATTRIB = 0x4;
    /** Event: a file opened for writing was closed. */
    public static final int IN_CLOSE_WRITE = 0x8;
    /** Event: a file not opened for writing was closed. */
    public static final int IN_CLOSE_NOWRITE = 0x10;
    /** Event: the file was opened. */
    public static final int IN_OPEN = 0x20;
    /** Event: a file was moved out of the watched directory (the name is the old one). */
    public static final int IN_MOVED_FROM = 0x40;
    /** Event: a file was moved into the watched directory (the name is the new one). */
    public static final int IN_MOVED_TO = 0x80;
    /** Event: a file or directory was created in the watched directory. */
    public static final int IN_CREATE = 0x100;
    /** Event: a file or directory was deleted from the watched directory. */
    public static final int IN_DELETE = 0x200;
    /** Event: the watched file or directory itself was deleted. */
    public static final int IN_DELETE_SELF = 0x400;
    /** Event: the watched file or directory itself was moved. */
    public static final int IN_MOVE_SELF = 0x800;
    /** Event (always reported): the filesystem holding the watched object was unmounted. */
    public static final int IN_UNMOUNT = 0x2000;
    /** Event (always reported): the queue overflowed and events were dropped; {@code wd} is -1. */
    public static final int IN_Q_OVERFLOW = 0x4000;
    /** Event (always reported): the watch is gone (inotify_rm_watch, deletion, unmount). */
    public static final int IN_IGNORED = 0x8000;
    /** Both close events. */
    public static final int IN_CLOSE = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE;
    /** Both move events. */
    public static final int IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO;
    /** Every event a watch can ask for. */
    public static final int IN_ALL_EVENTS = 0xfff;
    /** inotify_add_watch flag: watch the path only if it is a directory (else ENOTDIR). */
    public static final int IN_ONLYDIR = 0x01000000;
    /** inotify_add_watch flag: do not follow a symbolic link at the end of the path. */
    public static final int IN_DONT_FOLLOW = 0x02000000;
    /** inotify_add_watch flag: no events for children after they were unlinked from the directory. */
    public static final int IN_EXCL_UNLINK = 0x04000000;
    /** inotify_add_watch flag: fail with EEXIST if the object is already watched by this descriptor. */
    public static final int IN_MASK_CREATE = 0x10000000;
    /** inotify_add_watch flag: add to the mask of an existing watch instead of replacing it. */
    public static final int IN_MASK_ADD = 0x20000000;
    /** Event flag: the subject of the event is a directory. */
    public static final int IN_ISDIR = 0x40000000;
    /** inotify_add_watch flag: remove the watch after its first event. */
    public static final int IN_ONESHOT = 0x80000000;
    /** inotify_init1 flag: non-blocking reads. */
    public static final int IN_NONBLOCK = LibC.O_NONBLOCK;
    /** inotify_init1 flag: close-on-exec (always added). */
    public static final int IN_CLOEXEC = LibC.O_CLOEXEC;

    /** {@code sizeof(struct inotify_event)}: wd, mask, cookie and len, before the name. */
    public static final int EVENT_SIZE = 16;
    /** NAME_MAX: the longest name of a directory entry. */
    public static final int NAME_MAX = 255;
    /** The smallest read buffer that always holds the next event: one header and the longest name with its NUL. */
    public static final int READ_MIN = EVENT_SIZE + NAME_MAX + 1;

    private static final int EINTR = 4;

    // libc symbols, called through Native's one universal shape (see Native).
    private static final MemorySegment INIT1 = Native.symbol("inotify_init1");
    private static final MemorySegment ADD_WATCH = Native.symbol("inotify_add_watch");
    private static final MemorySegment RM_WATCH = Native.symbol("inotify_rm_watch");

    /**
     * One decoded {@code struct inotify_event}.
     *
     * @param wd the watch it belongs to (-1 for {@link #IN_Q_OVERFLOW})
     * @param mask the events and flags ({@link #IN_CREATE}, {@link #IN_ISDIR}, ...)
     * @param cookie pairs an {@link #IN_MOVED_FROM} with its {@link #IN_MOVED_TO}; 0 otherwise
     * @param name the entry's name inside the watched directory (UTF-8), or {@code null} for an
     *     event on the watched object itself
     */
    public record Event(int wd, int mask, int cookie, String name) {
        /**
         * Whether the mask has any of {@code bits}.
         *
         * @param bits events or flags
         * @return whether any of them is set
         */
        public boolean has(int bits) {
            return (mask & bits) != 0;
        }
    }

    /**
     * inotify_init1(2) with IN_CLOEXEC always added; throws {@link ErrnoException} on failure
     * (EMFILE when {@code max_user_instances} is reached).
     *
     * @param flags {@link #IN_NONBLOCK}, or 0; {@link #IN_CLOEXEC} is added
     * @return the inotify descriptor's owner
     */
    public static Fd inotify_init1(int flags) {
        MemorySegment st = Native.state();
        try {
            int r = (int) Native.call(INIT1, st, flags | IN_CLOEXEC);
            if (r < 0) throw ErrnoException.of(Native.errno(st), "inotify_init1");
            return Fd.adopt(r);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * inotify_add_watch(2): watches {@code path} for {@code mask}. Adding a path whose inode is
     * already watched by {@code fd} returns the same watch descriptor and replaces its mask
     * (unless {@link #IN_MASK_ADD}).
     *
     * @param fd the inotify descriptor
     * @param path the file or directory
     * @param mask events and flags
     * @return the watch descriptor, or -errno (ENOENT, ENOTDIR with {@link #IN_ONLYDIR}, EACCES,
     *     ENOSPC when {@code max_user_watches} is reached)
     */
    public static int inotify_add_watch(int fd, String path, int mask) {
        Objects.requireNonNull(path, "path");
        if (path.indexOf('\0') >= 0) throw new IllegalArgumentException("path contains a NUL byte");
        MemorySegment st = Native.state();
        try (Scratch s = Scratch.open()) {
            MemorySegment p = s.allocateFrom(path);
            for (;;) {
                int r = (int) Native.call(ADD_WATCH, st, fd, p.address(), mask);
                if (r >= 0) return r;
                int e = Native.errno(st);
                if (e != EINTR) return -e;
            }
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * inotify_rm_watch(2): removes a watch; an {@link #IN_IGNORED} event for it follows in the queue.
     *
     * @param fd the inotify descriptor
     * @param wd the watch descriptor
     * @return 0, or -errno (EINVAL for a watch that is already gone)
     */
    public static int inotify_rm_watch(int fd, int wd) {
        MemorySegment st = Native.state();
        try {
            for (;;) {
                int r = (int) Native.call(RM_WATCH, st, fd, wd);
                if (r >= 0) return r;
                int e = Native.errno(st);
                if (e != EINTR) return -e;
            }
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * Decodes the events in {@code buf[off, off+len)}, as one read(2) of an inotify descriptor
     * left them: each a 16-byte header in the machine's byte order, then {@code len} bytes of
     * name padded with NULs.
     *
     * @param buf the bytes read
     * @param off where they start
     * @param len how many were read
     * @return the events, in the order the kernel queued them
     * @throws IllegalArgumentException if the bytes end inside an event
     */
    public static List<Event> decode(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        ByteBuffer b = ByteBuffer.wrap(buf, off, len).order(ByteOrder.nativeOrder());
        List<Event> events = new ArrayList<>();
        int end = off + len;
        int p = off;
        while (p < end) {
            if (end - p < EVENT_SIZE) throw new IllegalArgumentException("truncated inotify_event header at " + (p - off));
            int wd = b.getInt(p);
            int mask = b.getInt(p + 4);
            int cookie = b.getInt(p + 8);
            int nameLen = b.getInt(p + 12);
            int name = p + EVENT_SIZE;
            if (nameLen < 0 || nameLen > end - name) {
                throw new IllegalArgumentException("truncated inotify_event name at " + (p - off));
            }
            String n = null;
            if (nameLen > 0) {
                int z = name;
                while (z < name + nameLen && buf[z] != 0) z++;
                n = new String(buf, name, z - name, StandardCharsets.UTF_8);
            }
            events.add(new Event(wd, mask, cookie, n));
            p = name + nameLen;
        }
        return events;
    }
}
