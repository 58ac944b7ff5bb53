package dev.herd.node.child_process;

import dev.herd.node.internal.Environment;
import java.io.File;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Warns, once per process, when a forked Herd child would start a build tool again instead of the
 * program: a program run inside the build tool's JVM ({@code mvn exec:java} runs the main class in
 * Maven's own JVM) forks its cluster workers as {@code java <Maven's main class> exec:java ...},
 * so every worker is a full Maven run (about 8 s and 150 MiB or more each) that then runs the
 * program. The fix is to run the program itself: {@code herd run -p .}, or {@code java -jar}.
 *
 * <p>Detected by the main class the child would run (Maven's, Gradle's, Ant's or sbt's launcher)
 * or by Maven's launcher (plexus-classworlds) on this JVM's class path. The fork goes ahead.
 *
 * <p>Thread rule: the loop thread that forks. Lifetime: the process's.
 */
final class BuildToolCheck {
    /** Each build tool's launcher main class, with the tool's name. */
    static final Map<String, String> LAUNCHERS = Map.of(
            "org.codehaus.plexus.classworlds.launcher.Launcher", "Maven",
            "org.apache.maven.wrapper.MavenWrapperMain", "Maven",
            "org.gradle.launcher.GradleMain", "Gradle",
            "org.gradle.wrapper.GradleWrapperMain", "Gradle",
            "org.apache.tools.ant.launch.Launcher", "Ant",
            "xsbt.boot.Boot", "sbt");

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private BuildToolCheck() {}

    /**
     * Emits the warning if {@code module}, the main class a forked JVM child runs, is a build
     * tool's launcher, or Maven's launcher is on this JVM's class path; once per process.
     *
     * @param env the forking environment
     * @param module the main class or jar the child runs
     */
    static void warnIfRelaunching(Environment env, String module) {
        String tool = buildTool(module, System.getProperty("java.class.path", ""));
        if (tool == null || !WARNED.compareAndSet(false, true)) return;
        env.process().emitWarning("this program runs inside " + tool + "'s JVM (e.g. `mvn exec:java`): each forked child or"
                + " cluster worker starts " + tool + " again (a whole build tool run, seconds and 150+ MiB each) before it runs"
                + " the program. Run the program itself: `herd run -p .` (builds the project if needed and runs its main"
                + " class with Herd's JVM flags), or `java -jar target/APP.jar`.", "HerdWarning");
    }

    /** The build tool a child running {@code module} with this {@code classPath} would start, or null. */
    static String buildTool(String module, String classPath) {
        String tool = LAUNCHERS.get(module);
        if (tool != null) return tool;
        for (String entry : classPath.split(File.pathSeparator)) {
            if (new File(entry).getName().startsWith("plexus-classworlds")) return "Maven";
        }
        return null;
    }
}
