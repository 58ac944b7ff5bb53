package dev.herd.cli;

import java.util.List;
import java.util.Optional;

/**
 * The examples bundled with Herd, in the order {@code herd example} lists them.
 *
 * <p>Each example is a class in {@code dev.herd.examples} with a {@code public static void
 * main(String[])}. Entries name the class instead of referring to it, so an entry can be
 * registered before its class is written; {@link ExampleCommand} loads it when it is run.
 * To add an example, write the class and add one line to {@link #ALL}.
 */
public final class Examples {
    /**
     * One bundled example: the name {@code herd example NAME} runs, a one-line description for
     * the list, and the binary name of the class whose {@code main} runs it.
     */
    public record Example(String name, String description, String mainClass) {
        public Example {
            if (!name.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("example names are lower-case words: " + name);
            }
        }
    }

    /** Every bundled example, in the order they are listed. */
    public static final List<Example> ALL = List.of(
            new Example("timers",
                    "the event loop at work: timers, immediates, nextTick and a work-pool job",
                    "dev.herd.examples.Timers"),
            new Example("tcp-echo",
                    "a TCP echo server (net.createServer): ./herd example tcp-echo [--port P]",
                    "dev.herd.examples.TcpEcho"),
            new Example("http-hello",
                    "Node's hello-world HTTP server (http.createServer): ./herd example http-hello [--port P]",
                    "dev.herd.examples.HttpHello"),
            new Example("ipc-echo",
                    "a child for a Node parent's fork(): echoes messages, serves passed servers and sockets",
                    "dev.herd.examples.IpcEcho"),
            new Example("fork-node",
                    "fork a Node script, print its messages, send it the lines you type: ./herd example fork-node SCRIPT",
                    "dev.herd.examples.ForkNode"));

    private Examples() {}

    /** The example called {@code name} in {@code examples}, if there is one. */
    public static Optional<Example> find(List<Example> examples, String name) {
        return examples.stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
