package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.loop.RunMode;
import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FsEvent on real files in a temporary directory: libuv's test-fs-event.c behaviours (create,
 * modify, delete, rename in and out, a watched file, the watched path itself deleted or
 * renamed), the recursive tree Herd adds (directories created, deleted and moved after start,
 * excluded directories), the queue overflow, and handle semantics (ref/unref, stop, close, two
 * handles on one directory, the thread rule). Each test ends with every handle closed,
 * {@link dev.herd.loop.Loop#close()} succeeding and the fd set unchanged ({@link IoTestBase}).
 */
class FsEventTest extends IoTestBase {
    @TempDir
    Path tmp;

    /** What a handle reported, one line per callback: "rename a.txt", "change sub/f", "overflow". */
    private final List<String> seen = new ArrayList<>();

    private FsEvent watch(Path p, int flags) {
        FsEvent h = new FsEvent(loop);
        h.start(p.toString(), flags, this::record);
        return h;
    }

    private void record(String filename, int events, ErrnoException error) {
        if (error != null) {
            seen.add("error " + error.code());
            return;
        }
        String kind = switch (events) {
            case FsEvent.RENAME -> "rename";
            case FsEvent.CHANGE -> "change";
            case FsEvent.RENAME | FsEvent.CHANGE -> "rename+change";
            case FsEvent.OVERFLOW -> "overflow";
            default -> "events " + events;
        };
        seen.add(filename == null ? kind : kind + " " + filename);
    }

    private void await(String line) {
        runUntil("'" + line + "' in " + seen, () -> seen.contains(line));
    }

    private static void write(Path f, String text) {
        try {
            Files.writeString(f, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The watches of this process's inotify descriptors (the "inotify wd:" lines of their fdinfo). */
    private static int inotifyWatches() throws IOException {
        int n = 0;
        for (Map.Entry<Integer, String> fd : FdLeakCheck.openFds().entrySet()) {
            if (!fd.getValue().equals("anon_inode:inotify")) continue;
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.getKey()))) {
                if (line.startsWith("inotify wd:")) n++;
            }
        }
        return n;
    }

    private static long inotifyDescriptors() {
        return FdLeakCheck.openFds().values().stream().filter("anon_inode:inotify"::equals).count();
    }

    // ---------------------------------------------------------------- one directory

    @Test
    void creatingAFileInAWatchedDirectoryReportsARenameWithItsName() throws IOException {
        FsEvent h = watch(tmp, 0);
        Files.createFile(tmp.resolve("a.txt"));
        await("rename a.txt");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename a.txt");
    }

    @Test
    void writingAFileReportsAChange() throws IOException {
        Path f = Files.createFile(tmp.resolve("a.txt"));
        FsEvent h = watch(tmp, 0);
        write(f, "x");
        await("change a.txt");
        closeAndDrain(h);
        assertThat(seen).containsOnly("change a.txt");
    }

    @Test
    void deletingAFileReportsARename() throws IOException {
        Path f = Files.createFile(tmp.resolve("a.txt"));
        FsEvent h = watch(tmp, 0);
        Files.delete(f);
        await("rename a.txt");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename a.txt");
    }

    @Test
    void aRenameInsideTheDirectoryReportsTheOldAndTheNewName() throws IOException {
        Path f = Files.createFile(tmp.resolve("old"));
        FsEvent h = watch(tmp, 0);
        Files.move(f, tmp.resolve("new"));
        await("rename new");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename old", "rename new");
    }

    @Test
    void filesMovedInAndOutReportRenames() throws IOException {
        Path watched = Files.createDirectory(tmp.resolve("watched"));
        Path outside = Files.createFile(tmp.resolve("outside"));
        Path inside = Files.createFile(watched.resolve("inside"));
        FsEvent h = watch(watched, 0);
        Files.move(outside, watched.resolve("came-in"));
        Files.move(inside, tmp.resolve("went-out"));
        await("rename inside");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename came-in", "rename inside");
    }

    @Test
    void aDirectorysChmodIsARenameAsInLibuvAndAFilesIsAChange() throws IOException {
        Path sub = Files.createDirectory(tmp.resolve("sub"));
        Path f = Files.createFile(tmp.resolve("f"));
        FsEvent h = watch(tmp, 0);
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        await("change f");
        closeAndDrain(h);
        // IN_ATTRIB | IN_ISDIR: libuv sets UV_RENAME for any bit but IN_ATTRIB/IN_MODIFY, so Node
        // reports 'rename' for the chmod of a directory.
        assertThat(seen).containsExactly("rename+change sub", "change f");
    }

    @Test
    void aWatchedFileReportsItsChangesUnderItsBaseName() throws IOException {
        Path f = Files.createFile(tmp.resolve("app.js"));
        FsEvent h = watch(f, 0);
        write(f, "x");
        await("change app.js");
        closeAndDrain(h);
        assertThat(seen).containsOnly("change app.js");
    }

    @Test
    void deletingTheWatchedFileReportsTwoRenamesAndTheHandleStaysActive() throws IOException {
        Path f = Files.createFile(tmp.resolve("app.js"));
        FsEvent h = watch(f, 0);
        Files.delete(f);
        runUntil("two renames", () -> seen.stream().filter(s -> s.equals("rename app.js")).count() == 2);
        // The link count drop (IN_ATTRIB), IN_DELETE_SELF, then IN_IGNORED when the kernel drops
        // the watch, reported as a rename like libuv does; Node emits the same three.
        assertThat(seen).containsExactly("change app.js", "rename app.js", "rename app.js");
        assertThat(h.isActive()).isTrue();
        closeAndDrain(h);
    }

    @Test
    void renamingTheWatchedDirectoryReportsItsOldNameAndEventsInsideGoOn() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        FsEvent h = watch(root, 0);
        Path moved = Files.move(root, tmp.resolve("moved"));
        await("rename root");
        Files.createFile(moved.resolve("z"));
        await("rename z");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename root", "rename z");
    }

    @Test
    void writesToADeletedFileStillOpenAreNotReported() throws IOException {
        Path f = Files.createFile(tmp.resolve("tmp"));
        FsEvent h = watch(tmp, 0);
        try (FileChannel out = FileChannel.open(f, StandardOpenOption.WRITE)) {
            Files.delete(f);
            out.write(ByteBuffer.wrap(new byte[] {'x'}));
        }
        Files.createFile(tmp.resolve("marker"));
        await("rename marker");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename tmp", "rename marker");
    }

    // ---------------------------------------------------------------- recursive

    @Test
    void aRecursiveWatchReportsChangesInSubdirectoriesThatExistedAtStart() throws IOException {
        Path deep = Files.createDirectories(tmp.resolve("a/b/c"));
        FsEvent h = watch(tmp, FsEvent.RECURSIVE);
        write(deep.resolve("f.txt"), "x");
        await("change a/b/c/f.txt");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename a/b/c/f.txt", "change a/b/c/f.txt");
    }

    @Test
    void aSubdirectoryCreatedAfterStartIsWatched() throws IOException {
        FsEvent h = watch(tmp, FsEvent.RECURSIVE);
        Path sub = Files.createDirectory(tmp.resolve("sub"));
        await("rename sub");
        Files.createFile(sub.resolve("late.txt"));
        await("rename sub/late.txt");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename sub", "rename sub/late.txt");
    }

    @Test
    void whatANewDirectoryAlreadyHoldsWhenItIsFoundIsReported() throws IOException {
        FsEvent h = watch(tmp, FsEvent.RECURSIVE);
        // Made before the loop reads the first event, so its watch comes after all of this.
        Path deep = Files.createDirectories(tmp.resolve("a/b/c"));
        Files.createFile(deep.resolve("f"));
        await("rename a/b/c/f");
        Files.createFile(deep.resolve("g"));
        await("rename a/b/c/g");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename a", "rename a/b", "rename a/b/c", "rename a/b/c/f", "rename a/b/c/g");
    }

    @Test
    void aDeletedSubdirectoryIsLetGo() throws IOException {
        Path sub = Files.createDirectories(tmp.resolve("sub/inner"));
        FsEvent h = watch(tmp, FsEvent.RECURSIVE);
        assertThat(inotifyWatches()).isEqualTo(3);
        Files.delete(sub);
        Files.delete(sub.getParent());
        await("rename sub");
        Files.createFile(tmp.resolve("marker"));
        await("rename marker");
        assertThat(inotifyWatches()).isEqualTo(1);
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename sub/inner", "rename sub", "rename marker");
    }

    @Test
    void aDirectoryMovedOutIsLetGoAndOneMovedInIsWatched() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectories(root.resolve("leaving/deep"));
        Files.createDirectories(tmp.resolve("arriving/deep"));
        FsEvent h = watch(root, FsEvent.RECURSIVE);
        assertThat(inotifyWatches()).isEqualTo(3);
        Path left = Files.move(root.resolve("leaving"), tmp.resolve("left"));
        Files.move(tmp.resolve("arriving"), root.resolve("arrived"));
        await("rename arrived/deep");
        Files.createFile(left.resolve("deep/not-reported"));
        Files.createFile(root.resolve("arrived/deep/reported"));
        await("rename arrived/deep/reported");
        assertThat(inotifyWatches()).isEqualTo(3);
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename leaving", "rename arrived", "rename arrived/deep",
                "rename arrived/deep/reported");
    }

    @Test
    void aDirectoryRenamedInsideTheTreeIsWatchedUnderItsNewName() throws IOException {
        Files.createDirectories(tmp.resolve("src/util"));
        FsEvent h = watch(tmp, FsEvent.RECURSIVE);
        Files.move(tmp.resolve("src"), tmp.resolve("lib"));
        await("rename lib/util");
        Files.createFile(tmp.resolve("lib/util/x.js"));
        await("rename lib/util/x.js");
        assertThat(inotifyWatches()).isEqualTo(3);
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename src", "rename lib", "rename lib/util", "rename lib/util/x.js");
    }

    @Test
    void anExcludedDirectoryIsNeitherWatchedNorReported() throws IOException {
        Files.createDirectories(tmp.resolve("node_modules/pkg"));
        FsEvent h = new FsEvent(loop);
        h.start(tmp.toString(), FsEvent.RECURSIVE, rel -> rel.equals("node_modules") || rel.endsWith(".log"),
                this::record);
        assertThat(inotifyWatches()).isEqualTo(1);
        Files.createFile(tmp.resolve("node_modules/pkg/index.js"));
        Files.createFile(tmp.resolve("app.log"));
        Files.createFile(tmp.resolve("app.js"));
        await("rename app.js");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename app.js");
    }

    @Test
    void theRenamedRootOfARecursiveWatchStillWatchesNewDirectories() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        FsEvent h = watch(root, FsEvent.RECURSIVE);
        Path moved = Files.move(root, tmp.resolve("moved"));
        await("rename root");
        Files.createDirectory(moved.resolve("sub"));
        await("rename sub");
        Files.createFile(moved.resolve("sub/f"));
        await("rename sub/f");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename root", "rename sub", "rename sub/f");
    }

    @Test
    void aRecursiveWatchOfAFileWatchesTheFile() throws IOException {
        Path f = Files.createFile(tmp.resolve("app.js"));
        FsEvent h = watch(f, FsEvent.RECURSIVE);
        write(f, "x");
        await("change app.js");
        closeAndDrain(h);
    }

    // ---------------------------------------------------------------- overflow

    @Test
    void anOverflowIsReportedToEveryHandleAndARecursiveOneWatchesWhatAppearedMeanwhile() throws IOException {
        // Not Files.readString: it reads a zero-size file a byte at a time, and a sysctl file read
        // at an offset other than 0 ends there ("1" of "16384").
        int limit = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).getFirst().trim());
        Path a = Files.createFile(tmp.resolve("a"));
        Path b = Files.createFile(tmp.resolve("b"));
        Path other = Files.createDirectory(tmp.resolve("other"));
        int[] storm = {0};
        FsEvent tree = new FsEvent(loop);
        tree.start(tmp.toString(), FsEvent.RECURSIVE, null, (name, events, error) -> {
            if (events == FsEvent.CHANGE && (name.equals("a") || name.equals("b"))) storm[0]++;
            else record(name, events, error);
        });
        List<String> otherSeen = new ArrayList<>();
        FsEvent second = new FsEvent(loop);
        second.start(other.toString(), 0, (name, events, error) -> otherSeen.add(name + " " + events));
        // More events than the queue holds, while the loop is not reading: alternating between two
        // files, so the kernel cannot merge one into the last.
        try (FileChannel ca = FileChannel.open(a, StandardOpenOption.WRITE);
                FileChannel cb = FileChannel.open(b, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int i = 0; i < limit / 2 + 8; i++) {
                ca.write(one.clear(), 0);
                cb.write(one.clear(), 0);
            }
        }
        // Created once the queue is full: its events are lost, the resync must find it.
        Files.createDirectories(tmp.resolve("late/inner"));
        await("overflow");
        assertThat(otherSeen).containsExactly("null " + FsEvent.OVERFLOW);
        assertThat(storm[0]).isBetween(limit - 2, limit);
        assertThat(seen).containsExactly("overflow");
        Files.createFile(tmp.resolve("late/inner/x"));
        await("rename late/inner/x");
        closeAndDrain(tree, second);
    }

    // ---------------------------------------------------------------- the handle

    @Test
    void startOnAMissingPathThrowsENOENTInNodesShape() {
        FsEvent h = new FsEvent(loop);
        String missing = tmp.resolve("missing").toString();
        assertThatThrownBy(() -> h.start(missing, 0, this::record)).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.code()).isEqualTo("ENOENT");
            assertThat(e.syscall()).isEqualTo("watch");
            assertThat(e.path()).isEqualTo(missing);
            assertThat(e.getMessage()).isEqualTo("ENOENT: no such file or directory, watch '" + missing + "'");
        });
        assertThat(h.isActive()).isFalse();
        assertThat(inotifyDescriptors()).isZero();
        closeAndDrain(h);
    }

    @Test
    void theWatchLimitIsReportedInNodesWords() {
        ErrnoException e = FsEvent.watchError(-dev.herd.os.Errno.ENOSPC.number(), "/app");
        assertThat(e.code()).isEqualTo("ENOSPC");
        assertThat(e.getMessage()).isEqualTo("ENOSPC: System limit for number of file watchers reached, watch '/app'");
    }

    @Test
    void startingAnActiveHandleThrowsEINVAL() {
        FsEvent h = watch(tmp, 0);
        assertThatThrownBy(() -> h.start(tmp.toString(), 0, this::record))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EINVAL"));
        closeAndDrain(h);
    }

    @Test
    void twoHandlesOnOneDirectoryShareItsWatchAndBothReport() throws IOException {
        List<String> other = new ArrayList<>();
        FsEvent first = watch(tmp, 0);
        FsEvent second = new FsEvent(loop);
        second.start(tmp.toString(), 0, (name, events, error) -> other.add(name));
        assertThat(inotifyDescriptors()).isEqualTo(1);
        assertThat(inotifyWatches()).isEqualTo(1);
        Files.createFile(tmp.resolve("both"));
        runUntil("both handles to report", () -> seen.contains("rename both") && other.contains("both"));
        second.stop();
        Files.createFile(tmp.resolve("first-only"));
        await("rename first-only");
        assertThat(other).containsExactly("both");
        closeAndDrain(first, second);
    }

    @Test
    void stopReleasesTheWatchesAndTheLastHandleTheDescriptor() throws IOException {
        Files.createDirectories(tmp.resolve("x/y"));
        FsEvent h = watch(tmp, FsEvent.RECURSIVE);
        assertThat(inotifyWatches()).isEqualTo(3);
        h.stop();
        assertThat(h.isActive()).isFalse();
        assertThat(h.path()).isNull();
        assertThat(inotifyDescriptors()).isZero();
        Files.createFile(tmp.resolve("after-stop"));
        // Started again, it reports what happens from now on.
        h.start(tmp.toString(), 0, this::record);
        Files.createFile(tmp.resolve("after-restart"));
        await("rename after-restart");
        closeAndDrain(h);
        assertThat(seen).containsExactly("rename after-restart");
    }

    @Test
    void aCallbackThatStopsTheHandleGetsNothingMore() throws IOException {
        FsEvent h = new FsEvent(loop);
        h.start(tmp.toString(), 0, (name, events, error) -> {
            seen.add(name);
            h.stop();
        });
        Files.createFile(tmp.resolve("one"));
        Files.createFile(tmp.resolve("two"));
        runToCompletion();
        assertThat(seen).containsExactly("one");
        closeAndDrain(h);
    }

    @Test
    void eventsAfterACallbackThatThrowsComeInTheNextPendingPhase() throws IOException {
        FsEvent h = new FsEvent(loop);
        h.start(tmp.toString(), 0, (name, events, error) -> {
            seen.add(name);
            if (name.equals("one")) throw new IllegalStateException("boom");
        });
        Files.createFile(tmp.resolve("one"));
        Files.createFile(tmp.resolve("two"));
        assertThatThrownBy(() -> loop.run(RunMode.DEFAULT)).hasMessage("boom");
        assertThat(seen).containsExactly("one");
        runUntil("the second event", () -> seen.contains("two"));
        closeAndDrain(h);
    }

    @Test
    void anUnreferencedHandleDoesNotKeepTheLoopAlive() {
        FsEvent h = watch(tmp, 0);
        h.unref();
        assertThat(h.hasRef()).isFalse();
        assertThat(loop.isAlive()).isFalse();
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        h.ref();
        assertThat(loop.isAlive()).isTrue();
        closeAndDrain(h);
    }

    @Test
    void closeStopsAndRunsTheCloseCallback() {
        FsEvent h = watch(tmp, FsEvent.RECURSIVE);
        boolean[] closed = {false};
        h.close(() -> closed[0] = true);
        assertThat(h.isActive()).isFalse();
        assertThat(inotifyDescriptors()).isZero();
        runUntil("the close callback", () -> closed[0]);
    }

    @Test
    void startFromAnotherThreadIsRefused() throws Exception {
        FsEvent h = new FsEvent(loop);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                h.start(tmp.toString(), 0, this::record);
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        t.start();
        assertThat(thrown.get(DEADLINE_MS, TimeUnit.MILLISECONDS)).isInstanceOf(IllegalStateException.class);
        closeAndDrain(h);
    }
}
