package dev.herd.cli;

import dev.herd.cli.Examples.Example;
import dev.herd.cli.manager.ManagerCli;
import dev.herd.cli.manager.RuntimeCli;
import dev.herd.manager.Daemon;
import dev.herd.manager.Keeper;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The {@code herd} command line: every verb of the {@code ./herd} launcher except {@code bench}
 * and {@code test}, which the launcher handles itself.
 *
 * <p>Runs on the JVM's main thread and ends the process when the command returns, as Node does
 * when its loop has nothing left to do: threads an example left running do not keep it alive.
 */
@Command(name = "herd",
        description = "Node.js's process and concurrency model for Java 25.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.class)
public final class Main {
    private Main() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        // The process manager's verbs, the daemon and the keeper: dispatched before picocli's
        // command tree is built, so that `herd jlist` loads little (docs/manager.md).
        if (args.length > 0) {
            switch (args[0]) {
                case "daemon" -> {
                    Daemon.main(Arrays.copyOfRange(args, 1, args.length));
                    return;
                }
                case "keeper" -> {
                    Keeper.main(Arrays.copyOfRange(args, 1, args.length));
                    return;
                }
                case "runtime" -> System.exit(RuntimeCli.run(Arrays.copyOfRange(args, 1, args.length)));
                default -> {
                    if (ManagerCli.VERBS.contains(args[0])) exitNow(ManagerCli.run(args));
                }
            }
        }
        Example example = directExample(Examples.ALL, args);
        System.exit(example != null
                ? runExample(example, args, new PrintWriter(System.err, true))
                : commandLine(Examples.ALL).execute(args));
    }

    /**
     * Ends a manager command with {@code status} once its output is flushed. {@code halt} rather
     * than {@code exit}: the command line registers no shutdown hook, and {@code Runtime.exit}
     * looks up a {@code System.Logger} to log the exit, which scans every jar on the class path
     * for a logger service: about 10 ms on every {@code herd stop} or {@code jlist}.
     */
    private static void exitNow(int status) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /**
     * The example that {@code args} runs, if they are {@code example NAME [ARGS...]} with a
     * registered NAME; null for any other command line. {@link #main} runs such an example without
     * building the picocli command tree, whose reflection over the command classes would cost the
     * example's process about 3 MiB of memory and a quarter of a second of start-up
     * (docs/studies/2026-12-03-jvm-flags.md, "What changed at start-up"). The result is what
     * {@code ExampleCommand} would run.
     */
    static Example directExample(List<Example> examples, String[] args) {
        if (args.length < 2 || !args[0].equals("example")) return null;
        return Examples.find(examples, args[1]).orElse(null);
    }

    /**
     * Runs the example of {@code args} ({@code example NAME ARGS...}) with ARGS untouched and
     * returns the exit code picocli would: 0 when its main returns, 1 if it cannot be run (said on
     * {@code err}) or throws an exception (whose stack trace goes to {@code err}).
     */
    static int runExample(Example example, String[] args, PrintWriter err) {
        try {
            return Examples.run(example, Arrays.copyOfRange(args, 2, args.length), err);
        } catch (Exception e) {
            e.printStackTrace(err);
            err.flush();
            return 1;
        }
    }

    /** The whole command tree, with {@code examples} as the example registry (tests pass their own). */
    static CommandLine commandLine(List<Example> examples) {
        CommandLine herd = new CommandLine(new Main());
        herd.addSubcommand(new CommandLine(new ExampleCommand(examples)).setStopAtPositional(true));
        // herd run -p DIR --port 8000: options herd run does not know are the program's, as node's are a script's.
        herd.addSubcommand(new CommandLine(new RunCommand()).setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true));
        herd.addSubcommand(new VersionCommand());
        herd.addSubcommand(new HelpCommand());
        return herd;
    }
}
