package dev.herd.cli.manager;

import dev.herd.cli.manager.Client.ManagerException;
import dev.herd.cli.manager.ManagerCli.UsageException;
import dev.herd.manager.HerdHome;
import dev.herd.node.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The verbs that carry the apps across the manager's own life (docs/manager.md, "Save, resurrect
 * and start at boot"): {@code save [--force]} writes {@code HERD_HOME/dump.herd} (the previous
 * dump kept as {@code dump.herd.bak}), {@code resurrect} starts what it holds, falling back to the
 * backup when the dump is corrupt, and {@code update} replaces the daemon with the build this
 * command line runs, leaving the keeper and the apps alone.
 *
 * <p>Thread rule: one thread. Lifetime: one command.
 */
final class Persist {
    /** The dump's format version (the daemon's {@code dump} answer carries it). */
    static final int VERSION = 1;

    private final ManagerCli cli;
    private final HerdHome home;

    Persist(ManagerCli cli) {
        this.cli = cli;
        this.home = cli.home;
    }

    // ---------------------------------------------------------------- save

    /** {@code herd save [--force]}. */
    void save(List<String> argv) {
        boolean force = false;
        for (String a : argv) {
            if (a.equals("--force") || a.equals("-f")) force = true;
            else throw new UsageException("unknown argument " + a + " (herd save [--force])");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> dump = (Map<String, Object>) cli.call("dump", Map.of());
        List<Map<String, Object>> apps = apps(dump);
        Path file = home.dumpFile();
        if (apps.isEmpty() && !force && Files.exists(file)) {
            // pm2's guard (its #3485): an empty list saved by mistake would lose what resurrect restores.
            String held;
            try {
                held = apps(read(file)).size() + " apps";
            } catch (DumpException e) {
                held = "a dump that cannot be read (" + e.getMessage() + ")";
            }
            if (!held.equals("0 apps")) {
                throw new UsageException("no app to save, and " + file + " holds " + held
                        + ": not overwritten (herd save --force saves the empty list)");
            }
        }
        boolean backedUp;
        try {
            backedUp = write(file, Pretty.json(dump) + "\n");
        } catch (IOException e) {
            throw new UsageException("cannot write " + file + ": " + e.getMessage());
        }
        for (Map<String, Object> a : apps) {
            Map<String, Object> c = config(a);
            cli.out.println("saved " + c.get("name") + " (" + c.get("namespace") + ", " + a.get("status") + ")");
        }
        cli.out.println("saved " + apps.size() + " apps to " + file
                + (backedUp ? " (the previous dump is " + home.dumpBackup().getFileName() + ")" : ""));
    }

    /** {@code herd cleardump} (pm2's): an empty dump, the current one kept as the backup. */
    void clearDump(List<String> argv) {
        if (!argv.isEmpty()) throw new UsageException("takes no arguments, got " + argv);
        Path file = home.dumpFile();
        try {
            home.prepare();
            Map<String, Object> empty = new LinkedHashMap<>();
            empty.put("version", VERSION);
            empty.put("apps", List.of());
            boolean backedUp = write(file, Pretty.json(empty) + "\n");
            cli.out.println("wrote an empty dump to " + file
                    + (backedUp ? " (the previous dump is " + home.dumpBackup().getFileName() + ")" : ""));
        } catch (IOException e) {
            throw new UsageException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /**
     * Writes the dump: the current one, if it can be read, is first copied to the backup; then the
     * new text goes to a temporary file, is synced and renamed over the dump, so a crash leaves
     * the old dump or the new one, never a part. A dump that cannot be read is not backed up: it
     * would replace a good backup with a bad one.
     *
     * @return whether the previous dump was kept as the backup
     */
    private boolean write(Path file, String text) throws IOException {
        boolean backedUp = false;
        if (Files.exists(file)) {
            try {
                read(file);
                byte[] old = Files.readAllBytes(file);
                atomically(home.dumpBackup(), old);
                backedUp = true;
            } catch (DumpException e) {
                cli.err.println("herd save: the current dump cannot be read (" + e.getMessage() + "): not backed up");
            }
        }
        atomically(file, text.getBytes(StandardCharsets.UTF_8));
        return backedUp;
    }

    /** Writes {@code bytes} to a temporary file (0600: the dump holds the apps' environments), syncs it, renames it. */
    private static void atomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // The rename itself is on disk once the directory is synced.
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename stands all the same
        }
    }

    // ---------------------------------------------------------------- resurrect

    /** A dump that cannot be used, with why. */
    static final class DumpException extends Exception {
        DumpException(String message) {
            super(message);
        }
    }

    /** The dump in {@code file}, read and checked for its shape (the daemon checks each app's fields). */
    static Map<String, Object> read(Path file) throws DumpException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DumpException("no such file");
        } catch (IOException e) {
            throw new DumpException("cannot read it: " + e.getMessage());
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (RuntimeException e) {
            throw new DumpException("not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new DumpException("not a JSON object");
        if (!(m.get("version") instanceof Integer v) || v != VERSION) {
            throw new DumpException("version " + m.get("version") + " is not " + VERSION);
        }
        if (!(m.get("apps") instanceof List<?> list)) throw new DumpException("'apps' is not an array");
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> a) || !(a.get("config") instanceof Map<?, ?> c)
                    || !(c.get("name") instanceof String) || !(c.get("script") instanceof String)) {
                throw new DumpException("an app without a config, a name or a script");
            }
            if (!"online".equals(a.get("status")) && !"stopped".equals(a.get("status"))) {
                throw new DumpException("app '" + c.get("name") + "': status must be online or stopped");
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> dump = (Map<String, Object>) m;
        return dump;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> apps(Map<String, Object> dump) {
        return (List<Map<String, Object>>) dump.get("apps");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> config(Map<String, Object> app) {
        return (Map<String, Object>) app.get("config");
    }

    /** {@code herd resurrect}. */
    void resurrect(List<String> argv) {
        if (!argv.isEmpty()) throw new UsageException("takes no arguments, got " + argv);
        Path dump = home.dumpFile();
        Path backup = home.dumpBackup();
        if (!Files.exists(dump) && !Files.exists(backup)) {
            // Nothing saved is not a failure: a boot unit installed before the first save still starts the manager.
            cli.call("ping", Map.of());
            cli.out.println("nothing to resurrect: no " + dump + " (herd save writes it); the daemon runs");
            return;
        }
        List<String> failures = new ArrayList<>();
        for (Path file : List.of(dump, backup)) {
            Map<String, Object> saved;
            try {
                saved = read(file);
            } catch (DumpException e) {
                failures.add(file.getFileName() + ": " + e.getMessage());
                continue;
            }
            if (!failures.isEmpty()) {
                // Said only once the backup can be read: when neither can, the error alone names both.
                cli.err.println("herd resurrect: warning: " + dump + " cannot be used (" + failures.getFirst()
                        .substring(dump.getFileName().toString().length() + 2) + "); using " + backup.getFileName());
            }
            try {
                restore(file, apps(saved));
                return;
            } catch (ManagerException e) {
                if (!e.code.equals("EINVAL")) throw e;
                // The daemon refused an app's fields: nothing was started; the backup may do.
                failures.add(file.getFileName() + ": " + e.getMessage());
            }
        }
        throw new UsageException("no usable dump, nothing started: " + String.join("; ", failures));
    }

    /**
     * Starts the dump's apps in one {@code start} request (all or nothing), except those the
     * daemon manages already under the same name and script (an app re-adopted after the daemon
     * died, or a second resurrect); apps saved stopped are added stopped, as pm2 restores them.
     */
    private void restore(Path file, List<Map<String, Object>> saved) {
        cli.out.println("restoring the apps saved in " + file);
        Set<String> managed = new HashSet<>();
        for (Map<String, Object> p : ManagerCli.processes(cli.call("jlist", Map.of()))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> env = (Map<String, Object>) p.get("pm2_env");
            managed.add(p.get("name") + "\0" + env.get("pm_exec_path"));
        }
        List<Object> configs = new ArrayList<>();
        List<Integer> stopped = new ArrayList<>();
        for (Map<String, Object> a : saved) {
            Map<String, Object> c = config(a);
            if (managed.contains(c.get("name") + "\0" + c.get("script"))) {
                cli.out.println("kept " + c.get("name") + ": already managed (same name and script)");
                continue;
            }
            if ("stopped".equals(a.get("status"))) stopped.add(configs.size());
            configs.add(c);
        }
        if (configs.isEmpty()) {
            cli.out.println("restored 0 apps: " + (saved.isEmpty() ? "the dump holds none" : "every app of the dump is already managed"));
            return;
        }
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("apps", configs);
        req.put("force", true); // two saved copies of one script (started with -f) both come back
        req.put("stopped", stopped);
        List<Map<String, Object>> started = ManagerCli.processes(cli.call("start", req));
        for (Map<String, Object> p : started) {
            @SuppressWarnings("unchecked")
            Map<String, Object> env = (Map<String, Object>) p.get("pm2_env");
            cli.out.println("restored " + p.get("name") + " (" + env.get("status") + ")");
        }
        cli.out.println("restored " + started.size() + " apps");
        cli.printTable(started);
    }

    // ---------------------------------------------------------------- update

    /**
     * {@code herd update}: the running daemon exits alone ({@code exit}; a daemon of an older build
     * that does not know it gets SIGTERM, which does the same), then this command line starts the
     * daemon of its own build, which re-adopts the apps from the keeper: same pids, counters, logs.
     */
    void update(List<String> argv) {
        if (!argv.isEmpty()) throw new UsageException("takes no arguments, got " + argv);
        Client c = Client.connectIfRunning(home);
        if (c == null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> ping = (Map<String, Object>) cli.call("ping", Map.of());
            cli.out.println("no daemon was running; started this build's (pid " + ping.get("pid") + ")");
            return;
        }
        long old;
        try (c) {
            @SuppressWarnings("unchecked")
            Map<String, Object> ping = (Map<String, Object>) c.request("ping", Map.of());
            old = ((Number) ping.get("pid")).longValue();
            try {
                c.request("exit", Map.of());
            } catch (ManagerException e) {
                if (!e.code.equals("EINVAL")) throw e;
                ProcessHandle.of(old).ifPresent(ProcessHandle::destroy); // an older daemon: SIGTERM
            }
        }
        if (!awaitGone(old, 10_000)) throw new UsageException("the daemon (pid " + old + ") did not exit within 10 s");
        @SuppressWarnings("unchecked")
        Map<String, Object> ping = (Map<String, Object>) cli.call("ping", Map.of());
        int running = 0;
        for (Map<String, Object> p : ManagerCli.processes(cli.call("jlist", Map.of()))) {
            if (((Number) p.get("pid")).longValue() > 0) running++;
        }
        String keeper;
        try {
            keeper = "the keeper (pid " + Files.readString(home.keeperPid()).strip() + ") stays until herd kill";
        } catch (IOException e) {
            keeper = "no keeper runs";
        }
        cli.out.println("daemon replaced: pid " + old + " -> " + ping.get("pid") + "; " + running
                + " running apps re-adopted, none restarted; " + keeper);
    }

    /** Waits (with a deadline) until {@code pid} has exited; a zombie counts as gone. */
    private static boolean awaitGone(long pid, long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000;
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        while (System.nanoTime() < deadline) {
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) return true;
            } catch (IOException | RuntimeException e) {
                return true;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
