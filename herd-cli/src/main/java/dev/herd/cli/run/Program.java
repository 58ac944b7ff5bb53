package dev.herd.cli.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code herd run} runs: a JVM with {@code jvmFlags} and either {@code -jar jar} or
 * {@code -cp classPath mainClass}, then {@code args}. Immutable.
 *
 * @param jvmFlags the JVM flags (Herd's, then the user's)
 * @param jar the jar to run with {@code -jar}, or null
 * @param classPath without {@code jar}: the class path, Herd's jars included; with {@code jar}:
 *     the jar
 * @param mainClass the main class (with {@code jar}: its manifest's, for messages)
 * @param args the program's arguments
 */
record Program(List<String> jvmFlags, Path jar, List<Path> classPath, String mainClass, List<String> args) {
    Program {
        jvmFlags = List.copyOf(jvmFlags);
        classPath = List.copyOf(classPath);
        args = List.copyOf(args);
    }

    /**
     * The command line: {@code java}, the JVM flags, {@code extraFlags}, what to run, the arguments.
     *
     * @param java the java launcher
     * @param extraFlags flags after the program's own (the AOT cache, a training run's)
     * @return the command line
     */
    List<String> command(Path java, List<String> extraFlags) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(extraFlags);
        if (jar != null) {
            cmd.add("-jar");
            cmd.add(jar.toString());
        } else {
            cmd.add("-cp");
            cmd.add(ClassPaths.join(classPath));
            cmd.add(mainClass);
        }
        cmd.addAll(args);
        return cmd;
    }

    /** {@return every class path entry the JVM reads classes from: the class path or jar and the jars their manifests name} */
    List<Path> contents() {
        return ClassPaths.withManifestClassPaths(jar != null ? List.of(jar) : classPath);
    }

    /** {@return the jar, or the main class: what the program is, for the cache key and messages} */
    String target() {
        return jar != null ? jar.toString() : mainClass;
    }

    /** {@return a short name for the cache directory: the main class's simple name} */
    String shortName() {
        String name = mainClass != null ? mainClass.substring(mainClass.lastIndexOf('.') + 1)
                : jar.getFileName().toString().replaceFirst("\\.jar$", "");
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
