package dev.herd.node.child_process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a child process of this JVM behind, running or unreaped (a zombie): it
 * scans {@code /proc/*}{@code /stat} for processes whose parent is us. A child that is exiting
 * right now gets {@link #SETTLE_MILLIS} to be reaped. Meaningful when tests run one at a time.
 */
public final class ChildLeakCheck implements AfterEachCallback {
    static final long SETTLE_MILLIS = 2_000;

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
        List<String> left = children();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = children();
        }
        if (!left.isEmpty()) throw new AssertionError(context.getDisplayName() + ": child processes left: " + left);
    }

    /** "pid (name) state" of every process whose parent is this JVM. */
    static List<String> children() {
        String me = Long.toString(ProcessHandle.current().pid());
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : dir) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (rest[1].equals(me)) out.add(stat.substring(0, stat.lastIndexOf(')') + 1) + " " + rest[0]);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
