package dev.herd.node.fs;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * WatchTrigger, pm2's watch for the process manager, on a real app directory: the changes of one
 * delay window make one call, ignored paths make none, a later change makes another, and close
 * drops what is pending. Each program ends when the trigger is closed, bounded by an unreferenced
 * deadline timer that exits with 99.
 */
@ExtendWith(FdLeakCheck.class)
class WatchTriggerTest {
    @TempDir
    Path app;

    private final List<List<String>> calls = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], args -> {
            setTimeout(() -> process().exit(99), 10_000).unref();
            main.main(args);
        })).as("exit code (99: the deadline passed)").isZero();
    }

    private static void touch(Path p) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private WatchTrigger start(List<String> paths, List<?> ignore, long delay, Consumer<List<String>> then) {
        WatchTrigger[] t = new WatchTrigger[1];
        t[0] = WatchTrigger.start(app, paths, IgnorePatterns.of(app, ignore), delay, batch -> {
            calls.add(batch);
            then.accept(batch);
        }, errors::add);
        return t[0];
    }

    @Test
    void theChangesOfOneDelayMakeOneCallWithEveryPath() {
        run(a -> {
            WatchTrigger[] t = new WatchTrigger[1];
            t[0] = start(List.of(), List.of(), 100, batch -> t[0].close());
            touch(app.resolve("src/a.js"));
            touch(app.resolve("b.js"));
        });
        assertThat(calls).containsExactly(List.of("src", "src/a.js", "b.js"));
        assertThat(errors).isEmpty();
    }

    @Test
    void ignoredPathsMakeNoCall() throws IOException {
        Files.createDirectories(app.resolve("node_modules/pkg"));
        run(a -> {
            WatchTrigger[] t = new WatchTrigger[1];
            t[0] = start(List.of(), List.of("node_modules", "*.log"), 0, batch -> t[0].close());
            touch(app.resolve("node_modules/pkg/index.js"));
            touch(app.resolve("app.log"));
            touch(app.resolve("server.js"));
        });
        assertThat(calls).containsExactly(List.of("server.js"));
    }

    @Test
    void pm2sDefaultIgnoresDotFilesAndNodeModules() throws IOException {
        Files.createDirectories(app.resolve(".git"));
        run(a -> {
            WatchTrigger[] t = new WatchTrigger[1];
            t[0] = start(List.of(), List.of(), 0, batch -> t[0].close());
            touch(app.resolve(".git/index"));
            touch(app.resolve("node_modules/x.js"));
            touch(app.resolve("server.js"));
        });
        assertThat(calls).containsExactly(List.of("server.js"));
    }

    @Test
    void aChangeAfterTheCallMakesAnotherCall() {
        run(a -> {
            WatchTrigger[] t = new WatchTrigger[1];
            t[0] = start(List.of(), List.of(), 0, batch -> {
                if (calls.size() == 1) touch(app.resolve("second.js"));
                else t[0].close();
            });
            touch(app.resolve("first.js"));
        });
        assertThat(calls).containsExactly(List.of("first.js"), List.of("second.js"));
    }

    @Test
    void onlyTheWatchPathsAreWatchedAndNamedFromTheAppsDirectory() throws IOException {
        Files.createDirectories(app.resolve("src"));
        touch(app.resolve("config.json"));
        run(a -> {
            WatchTrigger[] t = new WatchTrigger[1];
            t[0] = start(List.of("src", "config.json"), List.of(), 0, batch -> {
                if (calls.size() == 1) touch(app.resolve("src/lib/util.js"));
                else t[0].close();
            });
            touch(app.resolve("README.md"));
            touch(app.resolve("config.json"));
        });
        assertThat(calls).containsExactly(List.of("config.json"), List.of("src/lib", "src/lib/util.js"));
    }

    @Test
    void closeDropsAPendingCall() {
        run(a -> {
            WatchTrigger t = start(List.of(), List.of(), 60_000, batch -> {});
            touch(app.resolve("x.js"));
            // The change is read in the first iteration's poll phase, and the trigger closed in its check phase.
            setImmediate(t::close);
        });
        assertThat(calls).isEmpty();
    }

    @Test
    void aMissingWatchPathThrowsENOENTAndLeavesNothingWatched() {
        run(a -> assertThatThrownBy(() -> start(List.of(".", "missing"), List.of(), 0, batch -> {}))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("ENOENT")));
        assertThat(calls).isEmpty();
    }
}
