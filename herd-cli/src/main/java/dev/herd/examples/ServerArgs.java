package dev.herd.examples;

import static dev.herd.node.Globals.process;

/**
 * The {@code [--port P] [--host H]} options the server examples share. Bad input prints the
 * example's usage line and exits with code 2, as a command-line tool should.
 */
record ServerArgs(int port, String host) {

    /** Parses {@code argv}; {@code host} is null (every address) unless given. Loop thread only. */
    static ServerArgs parse(String[] argv, String example, int defaultPort) {
        int port = defaultPort;
        String host = null;
        try {
            for (int i = 0; i < argv.length; i++) {
                switch (argv[i]) {
                    case "--port" -> {
                        port = Integer.parseInt(argv[++i]);
                        if (port < 0 || port > 65535) throw new IllegalArgumentException();
                    }
                    case "--host" -> host = argv[++i];
                    default -> throw new IllegalArgumentException();
                }
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("usage: " + example + " [--port P] [--host H]   (P in 0..65535, default "
                    + defaultPort + ")");
            process().exit(2);
        }
        return new ServerArgs(port, host);
    }
}
