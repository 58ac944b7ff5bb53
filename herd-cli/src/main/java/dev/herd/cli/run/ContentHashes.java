package dev.herd.cli.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 hashes of class path jars, remembered in a file so that a start does not read every jar
 * again: a remembered hash is used while the jar's size, modification time, change time and inode
 * are the ones it was computed for. The change time (ctime) is the one the kernel sets on every
 * write and that no program can set back, so a jar rewritten at the same size with its old
 * modification time restored is hashed again; a jar replaced by a rename has a new inode. (JDK 25
 * itself checks a cached jar by its size only.)
 *
 * <p>The file holds one line per jar: {@code sha256 size mtime-ns ctime-ns inode path}. It is
 * rewritten whole (a temporary file, then a rename), so two {@code herd run}s at once lose at most
 * the other's new lines. Not thread-safe. Lifetime: one {@code herd run}.
 */
final class ContentHashes {
    /** What a directory hashes to: its classes are never in an AOT cache, so its content does not matter. */
    static final String DIRECTORY = "directory";
    /** What a missing entry hashes to (the JVM skips it). */
    static final String MISSING = "missing";

    private record Entry(String sha256, String stat) {}

    private final Path file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private boolean changed;

    /**
     * The hashes remembered in {@code file} (none if it does not exist).
     *
     * @param file the file
     * @throws IOException if it exists and cannot be read
     */
    ContentHashes(Path file) throws IOException {
        this.file = file;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ", 6);
                if (f.length == 6) entries.put(f[5], new Entry(f[0], f[1] + " " + f[2] + " " + f[3] + " " + f[4]));
            }
        } catch (NoSuchFileException e) {
            // nothing remembered yet
        }
    }

    /**
     * The hash of {@code path}'s content: remembered if its stat is unchanged, else computed.
     *
     * @param path an absolute path
     * @return the SHA-256 in hex, or {@link #DIRECTORY} or {@link #MISSING}
     * @throws IOException if the file cannot be read
     */
    String hash(Path path) throws IOException {
        if (Files.isDirectory(path)) return DIRECTORY;
        if (!Files.isRegularFile(path)) return MISSING;
        String key = path.toString();
        String stat = stat(path);
        Entry known = entries.get(key);
        if (known != null && known.stat().equals(stat)) return known.sha256();
        String sha = sha256(path);
        // The stat after reading: a write during the read changes it, and the next start hashes again.
        entries.put(key, new Entry(sha, stat.equals(stat(path)) ? stat : "changed 0 0 0"));
        changed = true;
        return sha;
    }

    /**
     * Writes the remembered hashes back if any changed.
     *
     * @throws IOException if the file cannot be written
     */
    void save() throws IOException {
        if (!changed) return;
        Files.createDirectories(file.getParent());
        StringBuilder b = new StringBuilder();
        entries.forEach((path, e) -> b.append(e.sha256()).append(' ').append(e.stat()).append(' ').append(path).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        changed = false;
    }

    /** "size mtime-ns ctime-ns inode". */
    static String stat(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:size,lastModifiedTime,ctime,ino");
        return a.get("size") + " " + nanos(a.get("lastModifiedTime")) + " " + nanos(a.get("ctime")) + " " + a.get("ino");
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }

    /**
     * The SHA-256 of a file's bytes, in hex.
     *
     * @param path the file
     * @return the hash
     * @throws IOException if it cannot be read
     */
    static String sha256(Path path) throws IOException {
        MessageDigest d = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /**
     * The SHA-256 of a text, in hex.
     *
     * @param lines the text's lines
     * @return the hash
     */
    static String sha256(List<String> lines) {
        return HexFormat.of().formatHex(digest().digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
