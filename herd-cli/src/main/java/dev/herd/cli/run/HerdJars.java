package dev.herd.cli.run;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Herd's own jars, for a program whose class path lacks Herd: herd-node and every jar it needs at
 * run time. Their file names are listed at build time ({@code herd-jars.txt}, herd-cli's pom:
 * herd-cli's run-time dependencies but picocli); the jars are the entries of this JVM's class path
 * with those names (bench/target/lib under the launcher, the local Maven repository in tests). A
 * Herd module built but not jarred ({@code herd-node/target/classes}) counts as its jar.
 */
final class HerdJars {
    /** The class that tells whether a class path holds Herd. */
    static final String MARKER = "dev/herd/node/Herd.class";

    private HerdJars() {}

    /**
     * Herd's jars on this JVM's class path, in the build's order.
     *
     * @return the jars
     * @throws IllegalStateException if one is missing
     */
    static List<Path> onThisClassPath() {
        return find(names(), System.getProperty("java.class.path", ""));
    }

    /** The jar file names the build listed. */
    static List<String> names() {
        try (InputStream in = HerdJars.class.getResourceAsStream("herd-jars.txt")) {
            if (in == null) throw new IllegalStateException("herd-jars.txt is missing from herd-cli's jar");
            List<String> names = new ArrayList<>();
            for (String entry : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split(":")) {
                if (!entry.isBlank()) names.add(Path.of(entry.strip()).getFileName().toString());
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The entries of {@code classPath} whose file names are {@code names} (or that are the class
     * directory of a Herd module so named), in the order of {@code names}.
     *
     * @param names jar file names
     * @param classPath a class path
     * @return the entries
     * @throws IllegalStateException if a name has no entry
     */
    static List<Path> find(List<String> names, String classPath) {
        List<Path> entries = new ArrayList<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isEmpty()) entries.add(Path.of(e).toAbsolutePath().normalize());
        }
        List<Path> out = new ArrayList<>();
        for (String name : names) {
            Path found = null;
            for (Path e : entries) {
                if (e.getFileName() != null && e.getFileName().toString().equals(name) || isModuleClasses(e, name)) {
                    found = e;
                    break;
                }
            }
            if (found == null) {
                throw new IllegalStateException("Herd's jar " + name + " is not on herd run's class path: " + classPath);
            }
            out.add(found);
        }
        return List.copyOf(out);
    }

    /** {@code MODULE/target/classes} for a jar named {@code MODULE-VERSION.jar} of a Herd module. */
    private static boolean isModuleClasses(Path entry, String jarName) {
        if (!entry.endsWith(Path.of("target", "classes")) || entry.getNameCount() < 3) return false;
        String module = entry.getParent().getParent().getFileName().toString();
        return module.startsWith("herd-") && jarName.startsWith(module + "-") && Character.isDigit(jarName.charAt(module.length() + 1));
    }

    /**
     * Whether a program with these class path entries (manifest {@code Class-Path}s included) has
     * Herd already.
     *
     * @param classPath the program's class path entries
     * @return true if one of them holds herd-node
     */
    static boolean present(List<Path> classPath) {
        for (Path e : classPath) {
            if (ClassPaths.holds(e, MARKER)) return true;
        }
        return false;
    }
}
