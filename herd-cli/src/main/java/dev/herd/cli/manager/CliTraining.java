package dev.herd.cli.manager;

import dev.herd.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The training run of the launcher's AOT cache for the process manager's command line
 * ({@code bench/target/herd-cli.aot}): what {@code ./herd} runs once per build with
 * {@code -XX:AOTCacheOutput}, in a temporary {@code HERD_HOME}, so that the cache holds the
 * classes the manager's verbs load (the control socket, the JSON reader and writer, the table),
 * parsed and linked ahead of time. The verbs scripts call most ({@code jlist}, {@code list}) are
 * then one JVM start plus the daemon's answer. It runs every read-only verb against a daemon
 * that it starts, with one app (a shell script that sleeps), then {@code kill}s the daemon.
 *
 * <p>The server cache ({@code herd.aot}, trained by {@code AotTraining}) would make these verbs
 * preload an HTTP server's classes they never use; this cache holds only the command line's.
 *
 * <p>Thread rule: the JVM's main thread. Lifetime: one run; exits 1 when a verb failed.
 */
public final class CliTraining {
    private CliTraining() {}

    /**
     * Runs the training verbs in {@code HERD_HOME}, which must be a directory of its own.
     *
     * @param args none
     * @throws IOException if the training app's script cannot be written
     */
    public static void main(String[] args) throws IOException {
        String home = System.getenv("HERD_HOME");
        if (home == null || home.isBlank()) throw new IllegalStateException("HERD_HOME must name a directory of the training's own");
        Path script = Path.of(home, "training.sh");
        Files.writeString(script, "#!/bin/sh\nexec sleep 600\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        // The verbs enter through Main, which the training itself does not run: loaded here, it is
        // in the cache too, rather than read by every command from its jar (opened for it).
        Objects.requireNonNull(Main.class);
        int failed = 0;
        try {
            String[][] verbs = {
                {"ping"},
                {"start", script.toString(), "--name", "training"},
                {"jlist"}, {"list"}, {"ls", "--sort", "name"}, {"prettylist"}, {"describe", "training"},
                {"env", "0"}, {"restart", "training"}, {"stop", "training"}, {"jlist"}, {"list"}, {"delete", "training"},
            };
            for (String[] verb : verbs) {
                if (ManagerCli.run(verb) != 0) failed++;
            }
        } finally {
            List<String> manager = new ArrayList<>();
            for (String file : List.of("daemon.pid", "keeper.pid")) {
                Path pid = Path.of(home, file);
                if (Files.exists(pid)) manager.add(Files.readString(pid).strip());
            }
            if (ManagerCli.run(new String[] {"kill"}) != 0) failed++;
            // With JavaCommand.MANAGER_AOT_TRAINING the daemon and keeper write their AOT caches as
            // they exit: the launcher takes them once this process has ended.
            long deadline = System.nanoTime() + 120_000_000_000L;
            for (String pid : manager) {
                while (pid.matches("\\d+") && Files.exists(Path.of("/proc", pid)) && !zombie(pid) && System.nanoTime() < deadline) {
                    sleep();
                }
            }
        }
        System.out.flush();
        if (failed > 0) {
            System.err.println("herd: " + failed + " training verbs failed");
            System.exit(1);
        }
    }

    private static boolean zombie(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "status")).contains("\nState:\tZ");
        } catch (IOException e) {
            return false; // gone meanwhile: the loop looks again
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the daemon and keeper wrote their caches", e);
        }
    }
}
