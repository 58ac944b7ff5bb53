package dev.herd.manager;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The manager's own log: one line per event on standard output, which for the daemon and the
 * keeper is {@code HERD_HOME/herd.log} (opened for appending by whoever started them), in the form
 * {@code 2026-12-07T07:58:45.199Z daemon: App [api:0] online (pid 4242)}. A few lines per app
 * event: written as they happen. Thread rule: any thread.
 */
final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** Where the lines go instead of standard output ({@code herd runtime}: its stderr), or null. */
    static volatile java.util.function.Consumer<String> sink;

    private Log() {}

    static void info(String who, String message) {
        String line = TIME.format(Instant.now()) + " " + who + ": " + message;
        java.util.function.Consumer<String> to = sink;
        if (to != null) to.accept(line);
        else System.out.println(line);
    }
}
