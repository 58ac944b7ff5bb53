package dev.herd.manager;

import dev.herd.loop.Loop;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The keeper's log requests beyond the pumps: the rotation settings of a spawn and
 * {@code reopen} (the daemon's {@code reloadLogs}). Stateless.
 *
 * <p>Thread rule: the keeper's loop thread.
 */
final class LogFiles {
    private LogFiles() {}

    /** Applies a spawn's {@code log.max_size} and {@code log.retain} to the app's files. */
    static void rotation(Map<String, Object> log, LogFile... files) {
        long max = Math.max(0, Fields.number(log, "max_size", 0));
        int retain = Math.max(1, Fields.integer(log, "retain", LogOptions.DEFAULT_RETAIN));
        for (LogFile f : files) {
            if (f != null) f.rotation(max, retain);
        }
    }

    /** Reopens every file, each between two of its writes; answers {@code {reopened: N}} once all are. */
    static void reopen(Loop loop, List<LogFile> files, Consumer<Map<String, Object>> reply) {
        int[] left = {files.size()};
        if (left[0] == 0) {
            reply.accept(Map.of("reopened", 0));
            return;
        }
        for (LogFile f : files) {
            f.reopen(loop, () -> {
                if (--left[0] == 0) reply.accept(Map.of("reopened", files.size()));
            });
        }
    }
}
