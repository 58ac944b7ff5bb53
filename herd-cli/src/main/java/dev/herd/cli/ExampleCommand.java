package dev.herd.cli;

import dev.herd.cli.Examples.Example;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code herd example [NAME [ARGS...]]}: lists the bundled examples, or runs one.
 *
 * <p>The example's {@code main} runs on the calling thread (the JVM's main thread when started by
 * {@link Main#main}), so an example that runs a loop runs it on a platform thread. Everything after
 * NAME is passed to the example untouched, including arguments that start with {@code -}.
 */
@Command(name = "example",
        description = "List the bundled examples, or run one.",
        mixinStandardHelpOptions = true)
final class ExampleCommand implements Callable<Integer> {
    private final List<Example> examples;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
            description = "The example to run; without it, the list of examples.")
    private String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the example.")
    private List<String> args = new ArrayList<>();

    ExampleCommand(List<Example> examples) {
        this.examples = List.copyOf(examples);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (name == null) {
            printList(out);
            return 0;
        }
        Example example = Examples.find(examples, name).orElse(null);
        if (example == null) {
            err.println("herd example: unknown example '" + name + "'. The examples are:");
            printList(err);
            return Examples.EXIT_UNKNOWN_EXAMPLE;
        }
        out.flush();
        err.flush();
        return Examples.run(example, args.toArray(String[]::new), err);
    }

    private void printList(PrintWriter out) {
        int width = examples.stream().mapToInt(e -> e.name().length()).max().orElse(0);
        out.println("Examples (run one with: herd example NAME [ARGS...]):");
        for (Example e : examples) {
            out.printf("  %-" + width + "s  %s%n", e.name(), e.description());
        }
        out.flush();
    }
}
