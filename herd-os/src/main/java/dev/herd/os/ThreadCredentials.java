package dev.herd.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The calling thread's user and group, switched for the span of one posix_spawn (libuv's
 * {@code UV_PROCESS_SETUID}/{@code SETGID}, which libuv applies in its forked child).
 *
 * <p>posix_spawn has no attribute for the child's user: glibc clones the child from the calling
 * thread (CLONE_VM|CLONE_VFORK) and the clone copies that thread's credentials. Linux keeps
 * credentials per thread; only glibc's wrappers (setuid, setgroups...) broadcast a change to every
 * thread. So the raw system calls, made on the calling thread alone, give the child its ids while
 * the JVM's other threads never see them: drop the supplementary groups (Node's {@code
 * setgroups(0, NULL)}, a failure ignored as libuv ignores it), set the real and effective gid, then
 * the real and effective uid, keeping the saved ids as they were so that the thread can switch
 * back after the spawn. execve then copies the effective ids to the saved ones: the child holds no
 * way back, and with a non-zero real and effective uid it gains no capability.
 *
 * <p>A change of effective id makes the kernel mark the whole process non-dumpable; {@link #restore}
 * sets the flag back as it was.
 *
 * <p>Thread rule: the thread that {@link #switchTo switched} restores, before it runs anything
 * else. Not for use across a blocking call.
 */
final class ThreadCredentials {
    private static final long SYS_GETGROUPS = Native.X86_64 ? 115 : 158;
    private static final long SYS_SETGROUPS = Native.X86_64 ? 116 : 159;
    private static final long SYS_SETRESUID = Native.X86_64 ? 117 : 147;
    private static final long SYS_GETRESUID = Native.X86_64 ? 118 : 148;
    private static final long SYS_SETRESGID = Native.X86_64 ? 119 : 149;
    private static final long SYS_GETRESGID = Native.X86_64 ? 120 : 150;
    private static final int PR_GET_DUMPABLE = 3;
    private static final int PR_SET_DUMPABLE = 4;
    private static final MemorySegment SYSCALL = Native.symbol("syscall");
    private static final MemorySegment PRCTL = Native.symbol("prctl");

    private final int[] uids;
    private final int[] gids;
    private final int[] groups; // null: the groups were not changed
    private final long dumpable;

    private ThreadCredentials(int[] uids, int[] gids, int[] groups, long dumpable) {
        this.uids = uids;
        this.gids = gids;
        this.groups = groups;
        this.dumpable = dumpable;
    }

    /**
     * Switches the calling thread to {@code uid} and {@code gid} (-1: keep that one).
     *
     * @param uid the user id, or -1
     * @param gid the group id, or -1
     * @param scratch memory for the calls
     * @param errno where the error number goes when the switch is refused
     * @return the switch to restore, or {@code null} with {@code errno[0]} set (EPERM: not allowed)
     */
    static ThreadCredentials switchTo(int uid, int gid, Scratch scratch, int[] errno) {
        MemorySegment st = Native.state();
        try {
            int[] uids = getres(SYS_GETRESUID, scratch, st);
            int[] gids = getres(SYS_GETRESGID, scratch, st);
            long dumpable = Native.call(PRCTL, st, PR_GET_DUMPABLE);
            int n = (int) Native.call(SYSCALL, st, SYS_GETGROUPS, 0, 0); // the count
            MemorySegment list = scratch.allocate(4L * Math.max(1, n), 4);
            if (n > 0) n = (int) Native.call(SYSCALL, st, SYS_GETGROUPS, n, list.address());
            int[] groups = null;
            if (n >= 0 && Native.call(SYSCALL, st, SYS_SETGROUPS, 0, 0) == 0) {
                groups = new int[n];
                for (int i = 0; i < n; i++) groups[i] = list.getAtIndex(ValueLayout.JAVA_INT, i);
            }
            ThreadCredentials saved = new ThreadCredentials(uids, gids, groups, dumpable);
            // The saved ids (-1) stay: they are the way back.
            if (gid >= 0 && Native.call(SYSCALL, st, SYS_SETRESGID, gid, gid, -1L) != 0) {
                errno[0] = Native.errno(st);
                saved.restore(scratch);
                return null;
            }
            if (uid >= 0 && Native.call(SYSCALL, st, SYS_SETRESUID, uid, uid, -1L) != 0) {
                errno[0] = Native.errno(st);
                saved.restore(scratch);
                return null;
            }
            return saved;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * Gives the thread back the ids it had; the uid first, since setting the gid and the groups
     * needs the capability that only the original effective uid (root) brings back.
     *
     * @throws IllegalStateException if the kernel refuses (it does not, from the saved ids): the
     *     thread must not go on as another user
     * @param scratch memory for the calls
     */
    void restore(Scratch scratch) {
        MemorySegment st = Native.state();
        try {
            long r = Native.call(SYSCALL, st, SYS_SETRESUID, uids[0], uids[1], uids[2]);
            if (r == 0) r = Native.call(SYSCALL, st, SYS_SETRESGID, gids[0], gids[1], gids[2]);
            if (r == 0 && groups != null) {
                MemorySegment list = scratch.allocate(4L * Math.max(1, groups.length), 4);
                for (int i = 0; i < groups.length; i++) list.setAtIndex(ValueLayout.JAVA_INT, i, groups[i]);
                r = Native.call(SYSCALL, st, SYS_SETGROUPS, groups.length, list.address());
            }
            if (r != 0) throw new IllegalStateException("cannot restore this thread's credentials: errno " + Native.errno(st));
            if (dumpable >= 0) Native.call(PRCTL, st, PR_SET_DUMPABLE, dumpable);
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    private static int[] getres(long sys, Scratch scratch, MemorySegment st) throws Throwable {
        MemorySegment ids = scratch.allocate(12, 4);
        long r = Native.call(SYSCALL, st, sys, ids.address(), ids.address() + 4, ids.address() + 8);
        if (r != 0) throw new IllegalStateException("getres[ug]id failed: errno " + Native.errno(st));
        return new int[] {ids.getAtIndex(ValueLayout.JAVA_INT, 0), ids.getAtIndex(ValueLayout.JAVA_INT, 1),
                ids.getAtIndex(ValueLayout.JAVA_INT, 2)};
    }
}
