package dev.herd.os;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves the process with a different set of open
 * descriptors than it found: it lists {@code /proc/self/fd} before and after each test. Use it
 * with {@code @ExtendWith(FdLeakCheck.class)}; other modules get it from the {@code herd-os}
 * test-jar.
 *
 * <p>It reports both directions: an fd opened and not closed (a leak), and an fd that was open
 * before and is gone after (the test closed something it did not own, such as a double close
 * hitting a reused number). Descriptors the JVM opens lazily and keeps for good (jar files as
 * classes load, {@code /dev/urandom} for SecureRandom) are not counted as leaks. Because a few
 * descriptors close asynchronously (the JDK closes a finished process's pipes on its reaper
 * thread), a difference is re-checked for up to {@link #SETTLE_MILLIS} before failing. The JDK
 * makes one socketpair for good the first time any java.net.Socket closes
 * ({@code sun.nio.ch.UnixDispatcher}'s pre-close descriptor): the extension makes the JDK do that
 * once, before its first snapshot, so that the first test closing a JDK socket is not blamed.
 *
 * <p>Thread rule: it snapshots the whole process, so it is only meaningful when tests run one at a
 * time (JUnit's default). Uses no FFM, so any module can use it.
 */
public final class FdLeakCheck implements BeforeEachCallback, AfterEachCallback {
    /** How long a differing fd set may take to settle before the test fails. */
    public static final long SETTLE_MILLIS = 2_000;

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdLeakCheck.class);
    private static final Path FD_DIR = Path.of("/proc/self/fd");
    /** Link targets the JVM opens on demand and keeps open: not leaks of the test. */
    private static final List<String> JVM_KEEPS_SUFFIXES = List.of(".jar", ".jmod", "/lib/modules", "/dev/random", "/dev/urandom");

    @Override
    public void beforeEach(ExtensionContext context) {
        JdkSocketDescriptors.MADE.hashCode(); // once per JVM, before the first snapshot
        context.getStore(NS).put("before", openFds());
    }

    /** Makes the JDK open the descriptors it keeps after its first socket close (class initialisation runs it once). */
    private static final class JdkSocketDescriptors {
        static final Object MADE = make();

        private static Object make() {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                    Socket accepted = server.accept()) {
                client.setSoTimeout(1000);
                accepted.setSoTimeout(1000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Object();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = (Map<Integer, String>) context.getStore(NS).get("before", Map.class);
        if (before == null) return;
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
        String problem;
        while ((problem = compare(before, openFds())) != null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (problem != null) throw new AssertionError(context.getDisplayName() + ": " + problem);
    }

    /** The open descriptors of this process and what each points at ({@code socket:[1234]}, a path). */
    public static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        String selfDir = "/proc/" + ProcessHandle.current().pid() + "/fd";
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(FD_DIR)) {
            for (Path p : dir) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (NoSuchFileException e) {
                    continue; // closed while we listed
                }
                // The directory stream's own fd points back at this directory; leave it (and any
                // other listing of it, which is just as short-lived) out.
                if (target.equals(selfDir)) continue;
                fds.put(Integer.parseInt(p.getFileName().toString()), target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /** The number of open descriptors of this process. */
    public static int count() {
        return openFds().size();
    }

    /** null when {@code after} has the same descriptors as {@code before} (up to JVM keeps). */
    static String compare(Map<Integer, String> before, Map<Integer, String> after) {
        Map<Integer, String> opened = new TreeMap<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !jvmKeeps(target)) opened.put(fd, target);
        });
        Map<Integer, String> closed = new TreeMap<>();
        before.forEach((fd, target) -> {
            if (!target.equals(after.get(fd))) closed.put(fd, target);
        });
        if (opened.isEmpty() && closed.isEmpty()) return null;
        StringBuilder sb = new StringBuilder("open descriptors changed (/proc/self/fd)");
        if (!opened.isEmpty()) sb.append("; leaked: ").append(describe(opened));
        if (!closed.isEmpty()) sb.append("; closed though opened before the test: ").append(describe(closed));
        return sb.toString();
    }

    private static boolean jvmKeeps(String target) {
        return JVM_KEEPS_SUFFIXES.stream().anyMatch(target::endsWith);
    }

    private static String describe(Map<Integer, String> fds) {
        return fds.entrySet().stream().map(e -> "fd " + e.getKey() + " -> " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
