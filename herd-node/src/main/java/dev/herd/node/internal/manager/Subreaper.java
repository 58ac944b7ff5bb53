package dev.herd.node.internal.manager;

import dev.herd.os.ErrnoException;
import dev.herd.os.Proc;

/**
 * Making this process a child subreaper (Linux's {@code PR_SET_CHILD_SUBREAPER}): when a process
 * below it loses its parent, it becomes this process's child instead of init's. A manager does this
 * so that the daemons its apps start, and the workers of an app whose primary died, stay its own:
 * it can see them, signal them through {@link WatchedProcess} and learn how they exit.
 *
 * <p>Adopted processes must be reaped by this process, or they stay zombies once they exit: watch
 * each with {@link WatchedProcess#watch(int, boolean)} and {@code reap} true. The attribute is the
 * whole process's (not a thread's) and lasts until it exits; a child does not inherit it. Thread
 * rule: any thread. Stateless.
 */
public final class Subreaper {
    private Subreaper() {}

    /**
     * Makes this process a child subreaper.
     *
     * @throws ErrnoException syscall {@code "prctl"} (EINVAL before Linux 3.4)
     */
    public static void become() {
        int r = Proc.prctl(Proc.PR_SET_CHILD_SUBREAPER, 1);
        if (r < 0) throw ErrnoException.of(r, "prctl");
    }

    /**
     * Whether this process is a child subreaper.
     *
     * @return whether it is
     */
    public static boolean isSubreaper() {
        return Proc.isChildSubreaper();
    }
}
