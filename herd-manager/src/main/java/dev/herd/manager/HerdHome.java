package dev.herd.manager;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The process manager's directory, {@code HERD_HOME} (default {@code ~/.herd}), and the name of
 * every file in it (docs/manager.md, "Files"): the control socket {@code herd.sock}, the keeper's
 * socket {@code keeper.sock}, {@code daemon.pid} and {@code keeper.pid}, the locks, the daemon's
 * {@code state.json}, the manager's own log {@code herd.log} and the apps' logs under
 * {@code logs/}. The directory is the owner's alone (mode 0700), and so are the sockets (0600).
 *
 * <p>An immutable value; {@link #prepare()} creates what is missing.
 */
public final class HerdHome {
    /** The environment variable that names the directory. */
    public static final String ENV = "HERD_HOME";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    /**
     * The manager's directory at {@code dir}.
     *
     * @param dir the directory; made absolute
     */
    public HerdHome(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /**
     * The directory {@code env} names: {@code $HERD_HOME}, else {@code ~/.herd}.
     *
     * @param env an environment
     * @return the manager's directory
     */
    public static HerdHome of(Map<String, String> env) {
        String home = env.get(ENV);
        return new HerdHome(home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".herd"));
    }

    /** {@return the directory} */
    public Path dir() {
        return dir;
    }

    /** {@return the control socket, {@code herd.sock}} */
    public Path controlSocket() {
        return dir.resolve("herd.sock");
    }

    /** {@return the keeper's socket, {@code keeper.sock}} */
    public Path keeperSocket() {
        return dir.resolve("keeper.sock");
    }

    /** {@return {@code daemon.pid}: the daemon's pid, one line} */
    public Path daemonPid() {
        return dir.resolve("daemon.pid");
    }

    /** {@return {@code keeper.pid}: the keeper's pid, one line} */
    public Path keeperPid() {
        return dir.resolve("keeper.pid");
    }

    /** {@return {@code daemon.lock}, which a command line holds while it starts the daemon} */
    public Path startLock() {
        return dir.resolve("daemon.lock");
    }

    /** {@return {@code daemon.pid.lock}, which the daemon holds for its whole life} */
    public Path daemonLock() {
        return dir.resolve("daemon.pid.lock");
    }

    /** {@return {@code keeper.pid.lock}, which the keeper holds for its whole life} */
    public Path keeperLock() {
        return dir.resolve("keeper.pid.lock");
    }

    /** {@return {@code state.json}: the daemon's apps, their configuration and counters} */
    public Path stateFile() {
        return dir.resolve("state.json");
    }

    /** {@return {@code dump.herd}: the apps {@code herd save} saved for {@code herd resurrect}} */
    public Path dumpFile() {
        return dir.resolve("dump.herd");
    }

    /** {@return {@code dump.herd.bak}: the dump before the last {@code herd save}} */
    public Path dumpBackup() {
        return dir.resolve("dump.herd.bak");
    }

    /** {@return {@code herd.log}: the daemon's and the keeper's own output} */
    public Path managerLog() {
        return dir.resolve("herd.log");
    }

    /** {@return {@code logs/}: the apps' output} */
    public Path logs() {
        return dir.resolve("logs");
    }

    /**
     * Creates the directory (mode 0700) and {@code logs/} if missing, and makes an existing
     * directory the owner's alone.
     *
     * @throws IOException naming the directory, if it cannot be made or written
     */
    public void prepare() throws IOException {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(dir)) throw e;
                }
            }
            notSomeoneElses();
            if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) Files.setPosixFilePermissions(dir, OWNER_ONLY);
            Files.createDirectories(logs());
        } catch (FileSystemException e) {
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "not a directory"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new IOException("cannot use " + ENV + " " + dir + ": " + why + " (" + e.getFile() + ")", e);
        }
        if (!Files.isWritable(dir)) throw new IOException("cannot use " + ENV + " " + dir + ": not writable");
    }

    /**
     * Refuses a directory of another user (unless we are root): its manager is not ours to reach
     * (the control socket checks the peer's uid) nor to start a second one in.
     */
    private void notSomeoneElses() throws IOException {
        int owner = (Integer) Files.getAttribute(dir, "unix:uid");
        int me = ProcFs.uid();
        if (owner == me || me == 0) return;
        String name = Files.getOwner(dir).getName();
        throw new IOException("cannot use " + ENV + " " + dir + ": it belongs to " + (name.equals(Integer.toString(owner))
                ? "uid " + owner : "user " + name + " (uid " + owner + ")")
                + "; run herd as that user, or set " + ENV + " to a directory of your own");
    }

    /**
     * Makes {@code file} (a socket just bound, a pid file) readable and writable by its owner alone.
     *
     * @param file the file
     * @throws IOException if its mode cannot be set
     */
    public static void ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, OWNER_RW);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
