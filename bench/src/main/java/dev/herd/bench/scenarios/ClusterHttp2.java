package dev.herd.bench.scenarios;

import dev.herd.examples.ClusterHttp;
import java.util.stream.Stream;

/**
 * The cluster-http example with two workers, the size of the cluster scenarios (and the default
 * of their Node peer, bench/node/cluster-http.js): {@code --port P --host H}. Its workers run this
 * same class with the same arguments, as cluster workers do.
 */
public final class ClusterHttp2 {
    private ClusterHttp2() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        ClusterHttp.main(Stream.concat(Stream.of("--workers", "2"), Stream.of(args)).toArray(String[]::new));
    }
}
