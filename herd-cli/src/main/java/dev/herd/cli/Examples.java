package dev.herd.cli;

import java.io.PrintWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Optional;

/**
 * The examples bundled with Herd, in the order {@code herd example} lists them.
 *
 * <p>Each example is a class in {@code dev.herd.examples} with a {@code public static void
 * main(String[])}. Entries name the class instead of referring to it, so an entry can be
 * registered before its class is written; {@link #run} loads it when it is run.
 * To add an example, write the class and add one line to {@link #ALL}.
 */
public final class Examples {
    /** Exit code for a registered example whose class is missing or has no usable main. */
    static final int EXIT_BROKEN_EXAMPLE = 1;
    /** Exit code for a name that is not registered (picocli's usage-error code). */
    static final int EXIT_UNKNOWN_EXAMPLE = 2;

    /**
     * One bundled example: the name {@code herd example NAME} runs, a one-line description for
     * the list, and the binary name of the class whose {@code main} runs it.
     *
     * @param name the name {@code herd example NAME} runs
     * @param description a one-line description for the list
     * @param mainClass the binary name of the class whose {@code main} runs it
     */
    public record Example(String name, String description, String mainClass) {
        /** Checks that every field is given. */
        public Example {
            if (!isName(name)) throw new IllegalArgumentException("example names are lower-case words: " + name);
        }

        /**
         * Whether {@code s} matches {@code [a-z][a-z0-9-]*}. Checked by hand, as {@link #find} is:
         * every {@code herd example NAME} makes the registry, and a regex or a stream there would
         * load and generate classes the example's process then carries.
         */
        private static boolean isName(String s) {
            if (s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') return false;
            for (int i = 1; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) return false;
            }
            return true;
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
                    "dev.herd.examples.ForkNode"),
            new Example("worker-threads",
                    "worker_threads: a Worker greets with its workerData; two workers count with Atomics: ./herd example worker-threads [NAME [N]]",
                    "dev.herd.examples.WorkerThreads"),
            new Example("cluster-http",
                    "workers sharing one HTTP port (cluster.fork): ./herd example cluster-http [--workers N] [--port P]",
                    "dev.herd.examples.ClusterHttp"),
            new Example("cluster-count",
                    "the primary counts its workers' requests from their messages: ./herd example cluster-count [--port P]",
                    "dev.herd.examples.ClusterCount"),
            new Example("cluster-graceful",
                    "worker.disconnect() with a kill after a timeout: ./herd example cluster-graceful [--stubborn]",
                    "dev.herd.examples.ClusterGraceful"));

    private Examples() {}

    /**
     * The example called {@code name} in {@code examples}, if there is one.
     *
     * @param examples the examples to look in
     * @param name the name to find
     * @return the example, or empty
     */
    public static Optional<Example> find(List<Example> examples, String name) {
        for (Example e : examples) {
            if (e.name().equals(name)) return Optional.of(e);
        }
        return Optional.empty();
    }

    /**
     * Runs {@code example}'s {@code main} with {@code args} on the calling thread and returns 0 when
     * it returns; an exception it throws goes to the caller. If the class is missing or has no
     * usable main, says why on {@code err} and returns {@link #EXIT_BROKEN_EXAMPLE}.
     */
    static int run(Example example, String[] args, PrintWriter err) throws Exception {
        MethodHandle main;
        try {
            main = findMain(example);
        } catch (ReflectiveOperationException e) {
            err.println("herd example: " + e.getMessage());
            err.flush();
            return EXIT_BROKEN_EXAMPLE;
        }
        try {
            main.invokeExact(args);
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
            type = Class.forName(example.mainClass(), false, Examples.class.getClassLoader());
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
}
