package dev.herd.cli;

import dev.herd.cli.run.HerdRun;
import dev.herd.cli.run.RunException;
import dev.herd.os.Proc;
import dev.herd.os.SignalSource;
import dev.herd.os.Signals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herd run}: runs a user's program with Herd's JVM flags and its own AOT cache
 * ({@link HerdRun}). Under the launcher ({@code ./herd run}) it writes the command to the file
 * the launcher names ({@code --exec-file}), and the launcher replaces itself with it, so the
 * program keeps the launcher's pid; started any other way it runs the program as its child,
 * passes SIGTERM and SIGHUP on to it, and exits with its exit code.
 */
@Command(name = "run",
        description = {"Run your program with Herd's JVM flags and an AOT cache of its own.",
            "  herd run [OPTIONS] APP.jar [ARGS...]",
            "  herd run [OPTIONS] --class-path CP MAIN [ARGS...]",
            "  herd run [OPTIONS] --project DIR [ARGS...]   (a Maven project: built first when stale)",
            "The AOT cache is made by a short training run of the program on first use, and again when its",
            "class path, the JDK or the JVM flags change; it lives under $HERD_HOME/aot (default ~/.herd).",
            "Environment: HERD_JAVA_OPTS (more JVM flags), HERD_AOT=0 (no cache), HERD_HOME, HERD_MVN."},
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-cp", "--class-path"}, paramLabel = "CP",
            description = "The class path; the first argument is then the main class. Herd's jars are added if it lacks them.")
    private String classPath;

    @Option(names = {"-p", "--project"}, paramLabel = "DIR",
            description = "A Maven project to build (when stale) and run; every argument goes to the program.")
    private Path project;

    @Option(names = "--main", paramLabel = "CLASS", description = "The main class, instead of the jar manifest's (or the pom's exec.mainClass).")
    private String main;

    @Option(names = "-J", paramLabel = "FLAG", description = "A JVM flag for the program, e.g. -J-Xmx1g (repeatable).")
    private List<String> jvmFlags = new ArrayList<>();

    @Option(names = "--no-aot", description = "Run without the AOT cache.")
    private boolean noAot;

    @Option(names = "--retrain", description = "Make the AOT cache again, with a new training run.")
    private boolean retrain;

    @Option(names = "--exec-file", hidden = true, paramLabel = "FILE",
            description = "Write the command, NUL-separated, to FILE instead of running it (the launcher execs it).")
    private Path execFile;

    @Parameters(paramLabel = "ARGS", description = "APP.jar or MAIN (unless --project), then the program's arguments.")
    private List<String> rest = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        List<String> args = new ArrayList<>(rest);
        Path jar = null;
        String mainClass = main;
        if (project == null) {
            if (args.isEmpty()) {
                err.println("herd run: what to run? herd run APP.jar | --class-path CP MAIN | --project DIR (herd run --help)");
                return 2;
            }
            String first = args.removeFirst();
            if (classPath != null) mainClass = first;
            else if (first.endsWith(".jar")) jar = Path.of(first);
            else {
                err.println("herd run: " + first + " is not a jar; for a main class give its class path: herd run --class-path CP "
                        + first);
                return 2;
            }
        }
        List<String> command;
        try {
            command = HerdRun.command(new HerdRun.Request(jar, classPath, mainClass, project, args, jvmFlags, !noAot, retrain),
                    System.getenv(), Path.of("").toAbsolutePath(), herdRoot(), err);
        } catch (RunException e) {
            err.println("herd run: " + e.getMessage());
            return 1;
        }
        if (execFile != null) {
            Files.writeString(execFile, String.join("\0", command) + "\0", StandardCharsets.UTF_8);
            return 0;
        }
        return runChild(command);
    }

    /** The Herd checkout the launcher runs from ({@code -Dherd.root}), or null. */
    private static Path herdRoot() {
        String root = System.getProperty("herd.root");
        return root == null || root.isEmpty() ? null : Path.of(root);
    }

    /**
     * Runs the program as a child sharing our stdio and returns its exit code. A terminal's Ctrl-C
     * reaches both of us (one process group), so SIGINT is only kept from ending this process;
     * SIGTERM and SIGHUP, which a process manager sends to this pid alone, are passed on.
     */
    private static int runChild(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        List<SignalSource.Registration> watches = new ArrayList<>();
        watches.add(SignalSource.watch(Signals.SIGINT, s -> { }));
        for (int signum : new int[] {Signals.SIGTERM, Signals.SIGHUP}) {
            watches.add(SignalSource.watch(signum, s -> Proc.kill((int) p.pid(), s)));
        }
        try {
            return p.waitFor();
        } finally {
            for (SignalSource.Registration w : watches) w.close();
        }
    }
}
