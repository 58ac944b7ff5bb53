package dev.herd.cli.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * A program that does not run under Herd.run, for {@link HerdRunTest}: it prints the AOT caches
 * mapped into it ({@code plain aot=[FILES]}) and sleeps until it is ended, as a server on a thread
 * pool of its own would.
 */
public final class PlainProgram {
    private PlainProgram() {}

    /**
     * Prints its line and sleeps.
     *
     * @param args not used
     * @throws Exception if interrupted
     */
    public static void main(String[] args) throws Exception {
        TreeSet<String> aot = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.endsWith(".aot")) aot.add(line.substring(line.lastIndexOf(' ') + 1));
        }
        System.out.println("plain aot=" + aot);
        Thread.sleep(Long.MAX_VALUE);
    }
}
