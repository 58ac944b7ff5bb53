package dev.herd.cli;

import dev.herd.cli.Examples.Example;
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

    public static void main(String[] args) {
        System.exit(commandLine(Examples.ALL).execute(args));
    }

    /** The whole command tree, with {@code examples} as the example registry (tests pass their own). */
    static CommandLine commandLine(List<Example> examples) {
        CommandLine herd = new CommandLine(new Main());
        herd.addSubcommand(new CommandLine(new ExampleCommand(examples)).setStopAtPositional(true));
        herd.addSubcommand(new VersionCommand());
        herd.addSubcommand(new HelpCommand());
        return herd;
    }
}
