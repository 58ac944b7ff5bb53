package dev.herd.examples;

import static dev.herd.node.Globals.process;

import java.util.Set;

/**
 * The options the cluster examples share: {@code [--workers N] [--port P] [--host H]} and a few
 * example-specific flags. Bad input prints the usage line and exits with code 2.
 *
 * @param workers how many workers to fork (default: the number of available processors)
 * @param port the shared port (default 8000; 0: any, the same for every worker)
 * @param host the address to listen on, or null for every address
 * @param flags the example's own flags that were given (e.g. {@code --stubborn})
 */
record ClusterArgs(int workers, int port, String host, Set<String> flags) {

    /** Parses {@code argv}; {@code knownFlags} are the example's own valueless flags. Loop thread only. */
    static ClusterArgs parse(String[] argv, String example, Set<String> knownFlags) {
        int workers = Runtime.getRuntime().availableProcessors();
        int port = 8000;
        String host = null;
        java.util.Set<String> flags = new java.util.LinkedHashSet<>();
        try {
            for (int i = 0; i < argv.length; i++) {
                switch (argv[i]) {
                    case "--workers" -> {
                        workers = Integer.parseInt(argv[++i]);
                        if (workers < 1 || workers > 256) throw new IllegalArgumentException();
                    }
                    case "--port" -> {
                        port = Integer.parseInt(argv[++i]);
                        if (port < 0 || port > 65535) throw new IllegalArgumentException();
                    }
                    case "--host" -> host = argv[++i];
                    default -> {
                        if (!knownFlags.contains(argv[i])) throw new IllegalArgumentException();
                        flags.add(argv[i]);
                    }
                }
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            StringBuilder extra = new StringBuilder();
            for (String f : knownFlags) extra.append(" [").append(f).append(']');
            System.err.println("usage: " + example + " [--workers N] [--port P] [--host H]" + extra
                    + "   (N in 1..256, default: the number of processors; P in 0..65535, default 8000)");
            process().exit(2);
        }
        return new ClusterArgs(workers, port, host, Set.copyOf(flags));
    }
}
