package dev.herd.cli;

import dev.herd.cli.Examples.Example;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
    /** Exit code for a registered example whose class is missing or has no usable main. */
    static final int EXIT_BROKEN_EXAMPLE = 1;
    /** Exit code for a name that is not registered (picocli's usage-error code). */
    static final int EXIT_UNKNOWN_EXAMPLE = 2;

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
            return EXIT_UNKNOWN_EXAMPLE;
        }
        MethodHandle main;
        try {
            main = findMain(example);
        } catch (ReflectiveOperationException e) {
            err.println("herd example: " + e.getMessage());
            return EXIT_BROKEN_EXAMPLE;
        }
        out.flush();
        err.flush();
        try {
            main.invokeExact(args.toArray(String[]::new));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return 0;
    }

    /** The example's {@code public static void main(String[])}, or why it cannot be run. */
    private static MethodHandle findMain(Example example) throws ReflectiveOperationException {
        Class<?> type;
        try {
            type = Class.forName(example.mainClass(), false, ExampleCommand.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ClassNotFoundException("example '" + example.name() + "' is registered as "
                    + example.mainClass() + ", but that class is not on the class path"
                    + " (not written yet, or the build is out of date)", e);
        }
        try {
            return MethodHandles.publicLookup().findStatic(
                    type, "main", MethodType.methodType(void.class, String[].class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new NoSuchMethodException("example '" + example.name() + "': " + example.mainClass()
                    + " has no public static void main(String[]) in a public class");
        }
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
