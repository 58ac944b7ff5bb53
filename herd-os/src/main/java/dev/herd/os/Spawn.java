package dev.herd.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * posix_spawn(3) through FFM: starts a program with exactly the descriptors it is given, an empty
 * signal mask and default signal dispositions, as libuv's {@code uv_spawn} does. The one entry
 * point is {@link #posix_spawn}; what it builds, in order:
 *
 * <ol>
 *   <li>{@code posix_spawn_file_actions_addchdir_np(cwd)} when a cwd is given;
 *   <li>for every slot {@code i} whose source descriptor is <em>below</em> {@code i}, an
 *       {@code adddup2(source, tmp)} to a fresh number {@code tmp ≥ stdio.length} that no slot uses:
 *       the slots are filled in increasing order, so such a source would already have been
 *       overwritten (swapping stdout and stderr is the classic case; libuv does the same);
 *   <li>for every slot, {@code adddup2(source, i)} — dup2 gives the copy no FD_CLOEXEC, and glibc
 *       clears FD_CLOEXEC when source and slot are the same number — or, for {@link #IGNORE} in
 *       slots 0-2, {@code addopen("/dev/null")};
 *   <li>{@code addclosefrom_np(stdio.length)}: the JVM opens descriptors without O_CLOEXEC
 *       ({@code lib/modules}, FileInputStream, channels), and none of them may reach the child;
 * </ol>
 *
 * and attributes {@code POSIX_SPAWN_SETSIGMASK} with an empty set (Java threads run with SIGQUIT
 * blocked, and the child would inherit that) plus {@code POSIX_SPAWN_SETSIGDEF} with every signal
 * (from {@code sigfillset}, which leaves glibc's internal signals alone), and on request
 * {@link #POSIX_SPAWN_SETSID} or {@link #POSIX_SPAWN_SETPGROUP}.
 *
 * <p>The program is {@code path} as given: this is posix_spawn, not posix_spawnp, because
 * posix_spawnp searches the <em>parent's</em> PATH while Node searches the child's; the caller
 * resolves the name first. A relative {@code path} is resolved by the kernel in the child's
 * working directory, after the chdir.
 *
 * <p>Thread rule: any thread; the calling thread waits until the child has exec'd or failed
 * (glibc uses CLONE_VFORK), which takes a fraction of a millisecond. Stateless.
 */
public final class Spawn {
    private Spawn() {}

    /** posix_spawnattr flags (a C {@code short}). */
    public static final int POSIX_SPAWN_RESETIDS = 0x01;
    /** posix_spawnattr flag: put the child in the process group set in the attributes. */
    public static final int POSIX_SPAWN_SETPGROUP = 0x02;
    /** posix_spawnattr flag: reset the signals in the attributes' set to their default action. */
    public static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    /** posix_spawnattr flag: give the child the signal mask set in the attributes. */
    public static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** GNU, glibc 2.26+: the child calls setsid(), a new session and process group (Node's {@code detached}). */
    public static final int POSIX_SPAWN_SETSID = 0x80;

    /** A stdio slot with nothing to place: /dev/null for slots 0-2, closed above. */
    public static final int IGNORE = -1;

    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    // glibc's opaque types, allocated generously (posix_spawn_file_actions_t is 80 bytes,
    // posix_spawnattr_t 336, sigset_t 128 on x86_64 glibc 2.36; musl's differ).
    private static final long FILE_ACTIONS_SIZE = 256;
    private static final long ATTR_SIZE = 512;
    private static final long SIGSET_SIZE = 128;

    /**
     * libc symbols, looked up on first use, called through Native's one universal shape (see
     * Native). These functions return an error number and leave errno alone; the capture is
     * simply ignored.
     */
    private static final class H {
        static final MemorySegment SPAWN = Native.symbol("posix_spawn");
        static final MemorySegment FA_INIT = Native.symbol("posix_spawn_file_actions_init");
        static final MemorySegment FA_DESTROY = Native.symbol("posix_spawn_file_actions_destroy");
        static final MemorySegment FA_DUP2 = Native.symbol("posix_spawn_file_actions_adddup2");
        static final MemorySegment FA_OPEN = Native.symbol("posix_spawn_file_actions_addopen");
        static final MemorySegment FA_CLOSEFROM = Native.symbol("posix_spawn_file_actions_addclosefrom_np");
        static final MemorySegment FA_CHDIR = Native.symbolOrNull("posix_spawn_file_actions_addchdir_np");
        static final MemorySegment ATTR_INIT = Native.symbol("posix_spawnattr_init");
        static final MemorySegment ATTR_DESTROY = Native.symbol("posix_spawnattr_destroy");
        static final MemorySegment ATTR_SETFLAGS = Native.symbol("posix_spawnattr_setflags");
        static final MemorySegment ATTR_SETSIGMASK = Native.symbol("posix_spawnattr_setsigmask");
        static final MemorySegment ATTR_SETSIGDEFAULT = Native.symbol("posix_spawnattr_setsigdefault");
        static final MemorySegment ATTR_SETPGROUP = Native.symbol("posix_spawnattr_setpgroup");
        static final MemorySegment SIGEMPTYSET = Native.symbol("sigemptyset");
        static final MemorySegment SIGFILLSET = Native.symbol("sigfillset");
        static final MemorySegment ENVIRON = environSymbol();

        @SuppressWarnings("restricted") // reads libc's environ variable, a char** of fixed size
        private static MemorySegment environSymbol() {
            return Native.LIBC.find("environ")
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol environ"))
                    .reinterpret(ValueLayout.ADDRESS.byteSize());
        }
    }

    /**
     * Starts {@code path} and returns its pid, or {@code -errno} (posix_spawn's result: -ENOENT,
     * -EACCES, -ENOEXEC, -ENOTDIR, -E2BIG, -ENOMEM, -EAGAIN; -ENOENT or -ENOTDIR also for a
     * {@code cwd} that is not there). A failed exec leaves no child behind.
     *
     * @param path the program; NUL-free
     * @param argv the arguments, argv[0] included (Node's argv0); at least one
     * @param envp {@code "NAME=value"} strings, or {@code null} for this process's own environment
     * @param cwd the child's working directory, or {@code null} for this process's
     * @param stdio for each slot {@code i} the descriptor to place at {@code i}, or {@link #IGNORE};
     *     slots past the array's end up to 2 are {@link #IGNORE} too; every descriptor from
     *     {@code max(3, stdio.length)} up is closed in the child
     * @param flags {@link #POSIX_SPAWN_SETSID}, {@link #POSIX_SPAWN_SETPGROUP} or 0 (the signal
     *     mask and dispositions are always reset); SETSID and SETPGROUP together are refused
     * @param pgroup the process group for SETPGROUP (0: a new group led by the child)
     * @return the child's pid, or -errno
     * @throws IllegalArgumentException for a NUL byte in a string, an empty argv, a bad fd or flag
     */
    public static int posix_spawn(String path, List<String> argv, List<String> envp, String cwd,
                                  int[] stdio, int flags, int pgroup) {
        return posix_spawn(path, argv, envp, cwd, stdio, flags, pgroup, -1, -1);
    }

    /**
     * {@link #posix_spawn(String, List, List, String, int[], int, int)} with the child running as
     * another user or group (libuv's {@code UV_PROCESS_SETUID}/{@code SETGID}): as libuv does in
     * its child, the supplementary groups are dropped ({@code setgroups(0, NULL)}, refused
     * silently when we may not), then the gid and the uid are set. The switch happens on the
     * calling thread alone, for the span of the call (see ThreadCredentials); the working
     * directory is entered and the program opened as the new user. -EPERM when we may not
     * become that user (only root can, or the user we already are).
     *
     * @param path the program; NUL-free
     * @param argv the arguments, argv[0] included
     * @param envp {@code "NAME=value"} strings, or {@code null} for this process's own environment
     * @param cwd the child's working directory, or {@code null} for this process's
     * @param stdio the descriptor for each slot, as in the other overload
     * @param flags {@link #POSIX_SPAWN_SETSID}, {@link #POSIX_SPAWN_SETPGROUP} or 0
     * @param pgroup the process group for SETPGROUP
     * @param uid the child's real and effective user id, or -1 for ours
     * @param gid the child's real and effective group id, or -1 for ours
     * @return the child's pid, or -errno
     */
    public static int posix_spawn(String path, List<String> argv, List<String> envp, String cwd,
                                  int[] stdio, int flags, int pgroup, int uid, int gid) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(argv, "argv");
        Objects.requireNonNull(stdio, "stdio");
        if (argv.isEmpty()) throw new IllegalArgumentException("argv needs at least argv[0]");
        if ((flags & ~(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETPGROUP)) != 0) {
            throw new IllegalArgumentException("flags: only POSIX_SPAWN_SETSID and POSIX_SPAWN_SETPGROUP");
        }
        if ((flags & POSIX_SPAWN_SETSID) != 0 && (flags & POSIX_SPAWN_SETPGROUP) != 0) {
            // glibc calls setsid() then setpgid(), which fails with EPERM for a session leader.
            throw new IllegalArgumentException("POSIX_SPAWN_SETSID and POSIX_SPAWN_SETPGROUP together");
        }
        int slots = Math.max(3, stdio.length);
        int[] src = new int[slots];
        for (int i = 0; i < slots; i++) {
            src[i] = i < stdio.length ? stdio[i] : IGNORE;
            if (src[i] < IGNORE) throw new IllegalArgumentException("stdio[" + i + "]: not a descriptor: " + src[i]);
        }
        byte[][] args = encode(argv, "argv");
        byte[][] env = envp == null ? null : encode(envp, "envp");
        byte[] file = cstring(path, "path");
        byte[] dir = cwd == null ? null : cstring(cwd, "cwd");

        try (Scratch s = Scratch.open()) {
            MemorySegment fa = s.allocate(FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = s.allocate(ATTR_SIZE, 16);
            MemorySegment mask = s.allocate(SIGSET_SIZE, 8);
            MemorySegment dflt = s.allocate(SIGSET_SIZE, 8);
            MemorySegment pid = s.allocate(ValueLayout.JAVA_INT);
            MemorySegment argvSeg = pointers(s, args);
            MemorySegment envSeg = env == null
                    ? H.ENVIRON.get(ValueLayout.ADDRESS, 0) // read now: setenv may have moved it
                    : pointers(s, env);
            MemorySegment fileSeg = copy(s, file);
            MemorySegment devNull = copy(s, "/dev/null\0".getBytes(StandardCharsets.US_ASCII));

            int r = (int) Native.call(H.FA_INIT, Native.state(), fa.address());
            if (r != 0) return -r;
            try {
                r = (int) Native.call(H.ATTR_INIT, Native.state(), attr.address());
                if (r != 0) return -r;
                try {
                    r = fileActions(fa, src, dir == null ? null : copy(s, dir), devNull);
                    if (r != 0) return -r;
                    r = attributes(attr, mask, dflt, flags, pgroup);
                    if (r != 0) return -r;
                    ThreadCredentials saved = null;
                    if (uid >= 0 || gid >= 0) {
                        int[] errno = new int[1];
                        saved = ThreadCredentials.switchTo(uid, gid, s, errno);
                        if (saved == null) return -errno[0];
                    }
                    try {
                        r = (int) Native.call(H.SPAWN, Native.state(), pid.address(), fileSeg.address(), fa.address(), attr.address(), argvSeg.address(), envSeg.address());
                    } finally {
                        if (saved != null) saved.restore(s);
                    }
                    return r != 0 ? -r : pid.get(ValueLayout.JAVA_INT, 0);
                } finally {
                    int ignored = (int) Native.call(H.ATTR_DESTROY, Native.state(), attr.address());
                }
            } finally {
                int ignored = (int) Native.call(H.FA_DESTROY, Native.state(), fa.address());
            }
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /** The file actions of the class comment, in that order; returns 0 or an error number. */
    private static int fileActions(MemorySegment fa, int[] src, MemorySegment cwd, MemorySegment devNull)
            throws Throwable {
        int r;
        if (cwd != null) {
            if (H.FA_CHDIR == null) return Errno.ENOSYS.number(); // glibc before 2.29
            r = (int) Native.call(H.FA_CHDIR, Native.state(), fa.address(), cwd.address());
            if (r != 0) return r;
        }
        int slots = src.length;
        // Move sources that sit below their slot out of the way first: by the time their slot
        // is filled, the number would already hold another slot's descriptor.
        for (int i = 0; i < slots; i++) {
            int use = src[i];
            if (use < 0 || use >= i) continue;
            int tmp = slots;
            while (contains(src, tmp)) tmp++;
            r = (int) Native.call(H.FA_DUP2, Native.state(), fa.address(), use, tmp);
            if (r != 0) return r;
            src[i] = tmp;
        }
        for (int i = 0; i < slots; i++) {
            int use = src[i];
            if (use < 0) {
                if (i >= 3) continue; // closed by closefrom
                r = (int) Native.call(H.FA_OPEN, Native.state(), fa.address(), i, devNull.address(), i == 0 ? O_RDONLY : O_RDWR, 0);
            } else {
                r = (int) Native.call(H.FA_DUP2, Native.state(), fa.address(), use, i);
            }
            if (r != 0) return r;
        }
        return (int) Native.call(H.FA_CLOSEFROM, Native.state(), fa.address(), slots);
    }

    private static int attributes(MemorySegment attr, MemorySegment mask, MemorySegment dflt, int flags, int pgroup)
            throws Throwable {
        int r = (int) Native.call(H.SIGEMPTYSET, Native.state(), mask.address());
        if (r != 0) return Errno.EINVAL.number();
        r = (int) Native.call(H.SIGFILLSET, Native.state(), dflt.address());
        if (r != 0) return Errno.EINVAL.number();
        int all = flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
        r = (int) Native.call(H.ATTR_SETFLAGS, Native.state(), attr.address(), (short) all);
        if (r != 0) return r;
        r = (int) Native.call(H.ATTR_SETSIGMASK, Native.state(), attr.address(), mask.address());
        if (r != 0) return r;
        r = (int) Native.call(H.ATTR_SETSIGDEFAULT, Native.state(), attr.address(), dflt.address());
        if (r != 0) return r;
        if ((flags & POSIX_SPAWN_SETPGROUP) != 0) {
            r = (int) Native.call(H.ATTR_SETPGROUP, Native.state(), attr.address(), pgroup);
            if (r != 0) return r;
        }
        return 0;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) return true;
        }
        return false;
    }

    private static byte[][] encode(List<String> strings, String what) {
        byte[][] out = new byte[strings.size()][];
        for (int i = 0; i < out.length; i++) {
            String v = strings.get(i);
            if (v == null) throw new IllegalArgumentException(what + "[" + i + "] is null");
            out[i] = cstring(v, what + "[" + i + "]");
        }
        return out;
    }

    /** UTF-8 with the terminating NUL; a NUL inside would silently cut the string short. */
    private static byte[] cstring(String s, String what) {
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException(what + " contains a NUL byte");
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, c, 0, utf8.length);
        return c;
    }

    private static MemorySegment copy(Scratch s, byte[] bytes) {
        MemorySegment seg = s.allocate(bytes.length, 1);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    /** A NULL-terminated {@code char*[]} of the strings (Scratch memory is not zeroed: the NULL is written). */
    private static MemorySegment pointers(Scratch s, byte[][] strings) {
        MemorySegment array = s.allocate(ValueLayout.ADDRESS.byteSize() * (strings.length + 1L), 8);
        for (int i = 0; i < strings.length; i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, copy(s, strings[i]));
        }
        array.setAtIndex(ValueLayout.ADDRESS, strings.length, MemorySegment.NULL);
        return array;
    }
}
