package dev.herd.os;

import static dev.herd.os.Native.C_INT;
import static dev.herd.os.Native.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Test helper: starts a child with {@code posix_spawn} and returns its pid, which the caller must
 * reap (with {@link Proc#waitid}).
 *
 * <p>Why not ProcessBuilder: the JDK starts a reaper thread per child that blocks in
 * {@code waitpid(pid)} and reaps it the moment it exits. A test that waits for such a child races
 * that thread: a plain {@code waitid} either steals the status (the JDK then reports a wrong exit
 * value) or finds the child gone (ECHILD), and even {@code WNOWAIT} only helps if it runs before
 * the reaper, which it usually does not. A child spawned through FFM has no JDK reaper, so the
 * test owns its status, exactly as the loop will own the children it spawns.
 *
 * <p>The child gets {@code /dev/null} as stdin, stdout and stderr (surefire uses the JVM's own), no
 * other descriptor (the JVM's are not close-on-exec) and an empty environment. A script that should
 * be killable by pid must {@code exec} its last command, or killing the shell orphans it. Thread rule: any thread.
 */
public final class TestSpawn {
    private TestSpawn() {}

    private static final MethodHandle SPAWN = Native.downcallNoErrno("posix_spawn",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle FA_INIT = Native.downcallNoErrno("posix_spawn_file_actions_init",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle FA_CLOSEFROM = Native.downcallNoErrno("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle FA_ADDOPEN = Native.downcallNoErrno("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle FA_DESTROY = Native.downcallNoErrno("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(C_INT, C_POINTER));

    /** Spawns {@code /bin/sh -c script} and returns its pid. */
    public static int sh(String script) {
        return spawn("/bin/sh", "sh", "-c", script);
    }

    /** Spawns {@code path} with {@code argv} (argv[0] included) and returns its pid. */
    public static int spawn(String path, String... argv) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pid = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment args = a.allocate(ValueLayout.ADDRESS, argv.length + 1L); // zeroed: NULL-terminated
            for (int i = 0; i < argv.length; i++) args.setAtIndex(ValueLayout.ADDRESS, i, a.allocateFrom(argv[i]));
            MemorySegment env = a.allocate(ValueLayout.ADDRESS, 1);
            MemorySegment fa = a.allocate(512, 16); // posix_spawn_file_actions_t is 80 bytes in glibc
            check((int) FA_INIT.invokeExact(fa), "posix_spawn_file_actions_init");
            try {
                // Surefire talks to this JVM over its stdio pipes and waits for them to close: a
                // child (or an orphaned grandchild) holding one would stall or corrupt the run.
                MemorySegment devNull = a.allocateFrom("/dev/null");
                check((int) FA_ADDOPEN.invokeExact(fa, 0, devNull, 0 /* O_RDONLY */, 0), "posix_spawn_file_actions_addopen");
                check((int) FA_ADDOPEN.invokeExact(fa, 1, devNull, 1 /* O_WRONLY */, 0), "posix_spawn_file_actions_addopen");
                check((int) FA_ADDOPEN.invokeExact(fa, 2, devNull, 1 /* O_WRONLY */, 0), "posix_spawn_file_actions_addopen");
                check((int) FA_CLOSEFROM.invokeExact(fa, 3), "posix_spawn_file_actions_addclosefrom_np");
                check((int) SPAWN.invokeExact(pid, a.allocateFrom(path), fa, MemorySegment.NULL, args, env), "spawn " + path);
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(fa);
            }
            return pid.get(ValueLayout.JAVA_INT, 0);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Spawns {@code sh -c script}, reaps it and returns its status. */
    public static Proc.WaitStatus run(String script) {
        return Proc.waitid(Proc.P_PID, sh(script), Proc.WEXITED);
    }

    private static void check(int err, String what) {
        if (err != 0) throw ErrnoException.plain(Errno.of(err), what, null);
    }
}
