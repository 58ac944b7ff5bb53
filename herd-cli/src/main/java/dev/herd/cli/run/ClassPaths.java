package dev.herd.cli.run;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** Class paths as the {@code java} launcher reads them: entries, wildcards, a jar's manifest. Stateless. */
final class ClassPaths {
    private ClassPaths() {}

    /**
     * The entries of {@code classPath} ({@code :}-separated), each absolute against {@code cwd};
     * an entry {@code DIR/*} becomes the jars in DIR, by name (the {@code java} launcher expands it
     * too, in no fixed order; the AOT cache needs the same list every time).
     *
     * @param classPath a class path as given to {@code java -cp}
     * @param cwd the directory relative entries are in
     * @return the entries, in order, without duplicates
     * @throws IOException if a wildcard's directory cannot be read
     */
    static List<Path> entries(String classPath, Path cwd) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (String entry : classPath.split(File.pathSeparator, -1)) {
            if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
                Path dir = cwd.resolve(entry.substring(0, entry.length() - 1)).toAbsolutePath().normalize();
                List<Path> jars = new ArrayList<>();
                if (Files.isDirectory(dir)) {
                    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                        for (Path p : s) {
                            String name = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                            if (name.endsWith(".jar")) jars.add(p);
                        }
                    }
                }
                jars.sort(null);
                out.addAll(jars);
            } else {
                out.add(cwd.resolve(entry.isEmpty() ? "." : entry).toAbsolutePath().normalize());
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@code entries} followed by every jar their manifests' {@code Class-Path} names, at any depth:
     * all the JVM reads classes from.
     *
     * @param entries class path entries
     * @return the entries and the jars they name, in the order the JVM meets them, without duplicates
     */
    static List<Path> withManifestClassPaths(List<Path> entries) {
        Set<Path> out = new LinkedHashSet<>();
        for (Path e : entries) add(e, out);
        return List.copyOf(out);
    }

    private static void add(Path entry, Set<Path> out) {
        if (!out.add(entry) || !Files.isRegularFile(entry)) return;
        for (Path p : manifestClassPath(entry)) add(p, out);
    }

    /** The entries of {@code jar}'s manifest {@code Class-Path}, resolved against the jar's directory; none if unreadable. */
    static List<Path> manifestClassPath(Path jar) {
        String value = attribute(jar, Attributes.Name.CLASS_PATH);
        if (value == null) return List.of();
        List<Path> out = new ArrayList<>();
        for (String url : value.trim().split("\\s+")) {
            if (url.isEmpty()) continue;
            try {
                // Relative URLs (lib/x.jar), or file: URLs; %20 and friends decoded.
                String path = new URI(url).getPath();
                if (path != null && !path.isEmpty()) out.add(jar.getParent().resolve(path).normalize());
            } catch (URISyntaxException | java.nio.file.InvalidPathException e) {
                // The JVM skips an entry it cannot parse; so does this.
            }
        }
        return out;
    }

    /**
     * {@code jar}'s manifest {@code Main-Class}, or null.
     *
     * @param jar a jar
     * @return the main class, or null
     */
    static String mainClass(Path jar) {
        return attribute(jar, Attributes.Name.MAIN_CLASS);
    }

    private static String attribute(Path jar, Attributes.Name name) {
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            Manifest m = f.getManifest();
            return m == null ? null : m.getMainAttributes().getValue(name);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether the class path entry {@code entry} (a jar or a directory) holds {@code resource}.
     *
     * @param entry a class path entry
     * @param resource a resource name such as {@code dev/herd/node/Herd.class}
     * @return true if it does
     */
    static boolean holds(Path entry, String resource) {
        if (Files.isDirectory(entry)) return Files.isRegularFile(entry.resolve(resource));
        if (!Files.isRegularFile(entry)) return false;
        try (JarFile f = new JarFile(entry.toFile(), false)) {
            return f.getEntry(resource) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Joins entries with {@code :}.
     *
     * @param entries class path entries
     * @return the class path
     */
    static String join(List<Path> entries) {
        StringBuilder b = new StringBuilder();
        for (Path p : entries) {
            if (!b.isEmpty()) b.append(File.pathSeparatorChar);
            b.append(p);
        }
        return b.toString();
    }
}
