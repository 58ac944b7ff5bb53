package dev.herd.manager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the manager reads from {@code /proc}: a process's {@code stat} line (parent, session,
 * state, CPU ticks, resident pages, start time), its children (from every thread's
 * {@code task/TID/children}: a process's children are listed under the thread that forked them, and
 * orphans under the thread group's leader), one variable of its initial environment, and this
 * process's user id. A process that has gone reads as null or empty, never as an error.
 *
 * <p>Reading {@code /proc} never waits on a disk. Thread rule: any thread. Stateless.
 */
final class ProcFs {
    /** Ticks per second of {@code utime}/{@code stime} (USER_HZ: 100 on every Linux ABI Herd runs on). */
    static final int CLOCK_TICKS = 100;
    /** Bytes per page of {@code rss} (4 KiB on x86_64 and on the usual arm64 kernels). */
    static final long PAGE_SIZE = 4096;
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {}

    /**
     * One {@code /proc/PID/stat} line.
     *
     * @param pid the process
     * @param state R, S, D, Z, T, ...
     * @param ppid its parent
     * @param pgrp its process group
     * @param session its session
     * @param utime user CPU ticks
     * @param stime system CPU ticks
     * @param startTime start time in ticks since boot: with the pid, names one process for ever
     * @param rssPages resident pages
     */
    record Stat(int pid, char state, int ppid, int pgrp, int session, long utime, long stime, long startTime,
                long rssPages) {
        boolean zombie() {
            return state == 'Z' || state == 'X';
        }
    }

    /** {@return the process's stat, or null when it has gone} */
    static Stat stat(int pid) {
        String line;
        try {
            line = Files.readString(PROC.resolve(Integer.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
        int close = line.lastIndexOf(')');
        if (close < 0) return null;
        String[] f = line.substring(close + 2).strip().split(" ");
        if (f.length < 22) return null;
        try {
            return new Stat(pid, f[0].charAt(0), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[19]), Long.parseLong(f[21]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@return the process's children, from every one of its threads; empty when it has gone} */
    static Set<Integer> children(int pid) {
        Set<Integer> out = new LinkedHashSet<>();
        Path tasks = PROC.resolve(Integer.toString(pid)).resolve("task");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path task : ds) {
                String text;
                try {
                    text = Files.readString(task.resolve("children"), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    continue; // the thread ended
                }
                for (String c : text.strip().split(" ")) {
                    if (!c.isEmpty()) out.add(Integer.parseInt(c));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return out;
    }

    /**
     * The descendants of {@code roots} (the roots included) that have not exited, each with its
     * stat; a zombie is left out (it has exited) but its children, reparented, are not.
     */
    static List<Stat> tree(Iterable<Integer> roots) {
        List<Stat> out = new ArrayList<>();
        Set<Integer> seen = new LinkedHashSet<>();
        List<Integer> todo = new ArrayList<>();
        for (Integer r : roots) todo.add(r);
        while (!todo.isEmpty()) {
            int pid = todo.removeLast();
            if (!seen.add(pid)) continue;
            Stat s = stat(pid);
            if (s == null) continue;
            if (!s.zombie()) out.add(s);
            todo.addAll(children(pid));
        }
        return out;
    }

    /** {@return the value of {@code key} in the process's initial environment, or null (gone, not ours, unset)} */
    static String environ(int pid, String key) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(PROC.resolve(Integer.toString(pid)).resolve("environ"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        byte[] prefix = (key + "=").getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i - start >= prefix.length && startsWith(raw, start, prefix)) {
                    return new String(raw, start + prefix.length, i - start - prefix.length, StandardCharsets.UTF_8);
                }
                start = i + 1;
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] raw, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (raw[at + i] != prefix[i]) return false;
        }
        return true;
    }

    /** {@return this process's effective user id, from {@code /proc/self/status}} */
    static int uid() {
        try {
            for (String line : Files.readAllLines(PROC.resolve("self/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        throw new IllegalStateException("cannot read this process's user id from /proc/self/status");
    }

    /** {@return the user name of {@code uid}, from {@code /etc/passwd}, or the number} */
    static String userName(int uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
                String[] f = line.split(":");
                if (f.length > 2 && f[2].equals(Integer.toString(uid))) return f[0];
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Integer.toString(uid);
    }
}
