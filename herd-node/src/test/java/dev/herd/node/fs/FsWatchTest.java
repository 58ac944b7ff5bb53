package dev.herd.node.fs;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.AbortController;
import dev.herd.node.Herd;
import dev.herd.node.NodeError;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node's fs.watch on real files in a temporary directory (Node's test/parallel/test-fs-watch*.js
 * behaviours): 'change' with Node's event types and names, recursive names, 'close' and
 * close(), ref/unref and persistent, the signal option, errors; and the same steps run by the
 * real Node give the same events. Every program waits for events, bounded by an unreferenced
 * deadline timer that exits with 99.
 */
@ExtendWith(FdLeakCheck.class)
class FsWatchTest {
    private static final long DEADLINE_MS = 10_000;

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();

    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], args -> {
            setTimeout(() -> process().exit(99), DEADLINE_MS).unref();
            main.main(args);
        })).as("exit code (99: the deadline passed)").isZero();
    }

    private static void io(IORunnable r) {
        try {
            r.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    private interface IORunnable {
        void run() throws IOException;
    }

    @Test
    void aFileCreatedInAWatchedDirectoryEmitsChangeWithRenameAndItsName() {
        run(a -> {
            FSWatcher w = Fs.watch(tmp.toString());
            w.on("change", args -> {
                log.add(args[0] + " " + args[1]);
                w.close();
            });
            io(() -> Files.createFile(tmp.resolve("a.txt")));
        });
        assertThat(log).containsExactly("rename a.txt");
    }

    @Test
    void writingAFileEmitsChangeWithChangeToTheListenerGivenToWatch() throws IOException {
        Path f = Files.createFile(tmp.resolve("a.txt"));
        run(a -> {
            FSWatcher[] w = new FSWatcher[1];
            w[0] = Fs.watch(tmp.toString(), (type, name) -> {
                log.add(type + " " + name);
                w[0].close();
            });
            io(() -> Files.writeString(f, "x"));
        });
        assertThat(log).containsExactly("change a.txt");
    }

    @Test
    void aRecursiveWatcherNamesChangesInNewSubdirectoriesRelativeToTheDirectory() {
        run(a -> {
            FSWatcher w = Fs.watch(tmp.toString(), WatchOptions.builder().recursive(true).build(), (type, name) -> {
                log.add(type + " " + name);
                if (name.equals("sub")) io(() -> Files.createFile(tmp.resolve("sub/deep.txt")));
            });
            w.on("change", args -> {
                if ("sub/deep.txt".equals(args[1])) w.close();
            });
            io(() -> Files.createDirectory(tmp.resolve("sub")));
        });
        assertThat(log).containsExactly("rename sub", "rename sub/deep.txt");
    }

    @Test
    void excludedPathsOfARecursiveWatcherAreNotReported() throws IOException {
        Files.createDirectories(tmp.resolve("node_modules/pkg"));
        run(a -> {
            WatchOptions o = WatchOptions.builder().recursive(true).exclude(rel -> rel.startsWith("node_modules")).build();
            FSWatcher w = Fs.watch(tmp.toString(), o, (type, name) -> log.add(type + " " + name));
            w.on("change", args -> {
                if ("app.js".equals(args[1])) w.close();
            });
            io(() -> {
                Files.createFile(tmp.resolve("node_modules/pkg/index.js"));
                Files.createFile(tmp.resolve("app.js"));
            });
        });
        assertThat(log).containsExactly("rename app.js");
    }

    @Test
    void closeEmitsCloseOnTheNextTickAndNothingAfterIt() {
        run(a -> {
            FSWatcher w = Fs.watch(tmp.toString(), (type, name) -> log.add("change " + name));
            w.on("close", () -> log.add("close"));
            w.close();
            log.add("closed");
            w.close(); // a second close does nothing
            io(() -> Files.createFile(tmp.resolve("after")));
        });
        assertThat(log).containsExactly("closed", "close");
    }

    @Test
    void anUnreferencedWatcherDoesNotKeepTheProcessAlive() {
        run(a -> {
            FSWatcher w = Fs.watch(tmp.toString()).unref();
            assertThat(w.hasRef()).isFalse();
            process().on("exit", args -> log.add("exit"));
        });
        assertThat(log).containsExactly("exit");
    }

    @Test
    void aWatcherThatIsNotPersistentDoesNotKeepTheProcessAlive() {
        run(a -> {
            FSWatcher w = Fs.watch(tmp.toString(), WatchOptions.builder().persistent(false).build());
            assertThat(w.hasRef()).isFalse();
            process().on("exit", args -> log.add("exit"));
        });
        assertThat(log).containsExactly("exit");
    }

    @Test
    void refAfterUnrefKeepsTheProcessAliveUntilClosed() {
        run(a -> {
            FSWatcher w = Fs.watch(tmp.toString(), WatchOptions.builder().persistent(false).build());
            w.ref();
            w.on("change", args -> {
                log.add("change " + args[1]);
                w.close();
            });
            // Only the referenced watcher keeps the process alive until this timer's change.
            setTimeout(() -> io(() -> Files.createFile(tmp.resolve("late"))), 50).unref();
        });
        assertThat(log).containsExactly("change late");
    }

    @Test
    void abortingTheSignalClosesTheWatcher() {
        run(a -> {
            AbortController ac = new AbortController();
            FSWatcher w = Fs.watch(tmp.toString(), WatchOptions.builder().signal(ac.signal()).build());
            w.on("close", () -> log.add("close"));
            w.on("change", args -> {
                log.add("change " + args[1]);
                ac.abort();
            });
            io(() -> Files.createFile(tmp.resolve("x")));
        });
        assertThat(log).containsExactly("change x", "close");
    }

    @Test
    void anAlreadyAbortedSignalClosesTheWatcherOnTheNextTick() {
        run(a -> {
            AbortController ac = new AbortController();
            ac.abort();
            FSWatcher w = Fs.watch(tmp.toString(), WatchOptions.builder().signal(ac.signal()).build());
            w.on("close", () -> log.add("close"));
            log.add("watching");
        });
        assertThat(log).containsExactly("watching", "close");
    }

    @Test
    void watchingAMissingPathThrowsENOENT() {
        String missing = tmp.resolve("missing").toString();
        run(a -> assertThatThrownBy(() -> Fs.watch(missing)).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("ENOENT");
            assertThat(e.syscall()).isEqualTo("watch");
            assertThat(e.getMessage()).isEqualTo("ENOENT: no such file or directory, watch '" + missing + "'");
        }));
    }

    @Test
    void badArgumentsThrowNodesErrors() {
        run(a -> {
            assertThatThrownBy(() -> Fs.watch(null)).isInstanceOfSatisfying(NodeError.class,
                    e -> assertThat(e.code()).isEqualTo("ERR_INVALID_ARG_TYPE"));
            assertThatThrownBy(() -> Fs.watch("a\0b")).isInstanceOfSatisfying(NodeError.class,
                    e -> assertThat(e.code()).isEqualTo("ERR_INVALID_ARG_VALUE"));
            assertThatThrownBy(() -> Fs.watch(tmp.toString(), WatchOptions.builder().encoding("latin1").build()))
                    .isInstanceOfSatisfying(NodeError.class, e -> assertThat(e.code()).isEqualTo("ERR_INVALID_ARG_VALUE"));
            Fs.watch(tmp.toString(), WatchOptions.builder().encoding("UTF-8").build()).close();
        });
    }

    @Test
    void anOverflowEmitsOverflowThenARenameWithoutAName() throws IOException {
        int limit = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).getFirst().trim());
        Path x = Files.createFile(tmp.resolve("x"));
        Path y = Files.createFile(tmp.resolve("y"));
        int[] changes = {0};
        run(a -> {
            FSWatcher w = Fs.watch(tmp.toString());
            w.on("overflow", () -> log.add("overflow"));
            w.on("change", args -> {
                if (args[1] != null) {
                    changes[0]++;
                    return;
                }
                log.add(args[0] + " " + args[1]);
                w.close();
            });
            // Written while the loop is not reading: more events than the queue holds.
            io(() -> {
                try (FileChannel cx = FileChannel.open(x, StandardOpenOption.WRITE);
                        FileChannel cy = FileChannel.open(y, StandardOpenOption.WRITE)) {
                    java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                    for (int i = 0; i < limit / 2 + 8; i++) {
                        cx.write(one.clear(), 0);
                        cy.write(one.clear(), 0);
                    }
                }
            });
        });
        assertThat(log).containsExactly("overflow", "rename null");
        assertThat(changes[0]).isEqualTo(limit);
    }

    @Test
    void watchOutsideAHerdLoopThreadIsRefused() throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Fs.watch(tmp.toString()).close();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        t.start();
        assertThat(thrown.get(DEADLINE_MS, TimeUnit.MILLISECONDS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eventsMatchNodes() throws Exception {
        Path forNode = Files.createDirectories(tmp.resolve("node"));
        Path forHerd = Files.createDirectories(tmp.resolve("herd"));
        for (Path base : List.of(forNode, forHerd)) {
            Files.createDirectories(base.resolve("d"));
            Files.createDirectories(base.resolve("f"));
            Files.writeString(base.resolve("f/app.js"), "x");
        }
        List<String> node = runNode("parity/fs-watch.js", forNode);
        Path d = forHerd.resolve("d");
        Path f = forHerd.resolve("f/app.js");
        run(a -> {
            FSWatcher[] b = new FSWatcher[1];
            FSWatcher[] w = new FSWatcher[1];
            w[0] = Fs.watch(d.toString(), (type, name) -> {
                log.add("A " + type + " " + name);
                if (name.equals("zz-end")) {
                    w[0].close();
                    b[0].close();
                }
            });
            b[0] = Fs.watch(f.toString(), (type, name) -> log.add("B " + type + " " + name));
            io(() -> {
                Files.writeString(d.resolve("a.txt"), "x");
                Files.setPosixFilePermissions(d.resolve("a.txt"), PosixFilePermissions.fromString("rw-------"));
                Files.move(d.resolve("a.txt"), d.resolve("b.txt"));
                Files.writeString(d.resolve("b.txt"), "y", StandardOpenOption.APPEND);
                Files.createDirectory(d.resolve("sub"));
                Files.setPosixFilePermissions(d.resolve("sub"), PosixFilePermissions.fromString("rwx------"));
                Files.delete(d.resolve("sub"));
                Files.delete(d.resolve("b.txt"));
                Files.writeString(f, "y", StandardOpenOption.APPEND);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                Path moved = Files.move(f, f.resolveSibling("app.js.moved"));
                Files.writeString(moved, "z", StandardOpenOption.APPEND);
                Files.delete(moved);
                Files.writeString(d.resolve("zz-end"), "");
            });
        });
        assertThat(node).hasSizeGreaterThan(10);
        assertThat(log).containsExactlyElementsOf(node);
    }

    private static List<String> runNode(String resource, Path dir) throws IOException, InterruptedException {
        Path script = Files.createTempFile("herd-parity", ".js");
        try (InputStream in = FsWatchTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.write(script, in.readAllBytes());
        }
        try {
            Process p = new ProcessBuilder("node", script.toString(), dir.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out.lines().toList();
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
