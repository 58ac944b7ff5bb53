package dev.herd.os;

import static dev.herd.os.Inotify.IN_ATTRIB;
import static dev.herd.os.Inotify.IN_CREATE;
import static dev.herd.os.Inotify.IN_DELETE;
import static dev.herd.os.Inotify.IN_DELETE_SELF;
import static dev.herd.os.Inotify.IN_IGNORED;
import static dev.herd.os.Inotify.IN_ISDIR;
import static dev.herd.os.Inotify.IN_MODIFY;
import static dev.herd.os.Inotify.IN_MOVED_FROM;
import static dev.herd.os.Inotify.IN_MOVED_TO;
import static dev.herd.os.Inotify.IN_MOVE_SELF;
import static dev.herd.os.Inotify.IN_NONBLOCK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * inotify through the os layer on real files in a temporary directory: what each change queues,
 * decoded from what read(2) returns.
 */
@ExtendWith(FdLeakCheck.class)
class InotifyTest {
    /** The events the io layer's FsEvent asks for (libuv's set). */
    private static final int EVENTS = IN_ATTRIB | IN_CREATE | IN_MODIFY | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
            | IN_MOVED_FROM | IN_MOVED_TO;

    @TempDir
    Path dir;

    private Fd in;

    @BeforeEach
    void init() {
        in = Inotify.inotify_init1(IN_NONBLOCK);
    }

    @AfterEach
    void close() {
        in.close();
    }

    private int watch(Path p) {
        int wd = Inotify.inotify_add_watch(in.intValue(), p.toString(), EVENTS);
        assertThat(wd).as("inotify_add_watch %s", p).isPositive();
        return wd;
    }

    /** Every event queued so far (the kernel queues them inside the system call that caused them). */
    private List<Inotify.Event> drain() {
        List<Inotify.Event> all = new ArrayList<>();
        byte[] buf = new byte[4096];
        for (;;) {
            long n = LibC.read(in.intValue(), buf, 0, buf.length);
            if (n == -Errno.EAGAIN.number()) return all;
            assertThat(n).as("read").isPositive();
            all.addAll(Inotify.decode(buf, 0, (int) n));
        }
    }

    @Test
    void theDescriptorIsNonBlockingAndCloseOnExec() {
        assertThat(LibC.fcntl(in.intValue(), LibC.F_GETFD, 0) & LibC.FD_CLOEXEC).isEqualTo(LibC.FD_CLOEXEC);
        assertThat(LibC.fcntl(in.intValue(), LibC.F_GETFL, 0) & LibC.O_NONBLOCK).isEqualTo(LibC.O_NONBLOCK);
        assertThat(LibC.read(in.intValue(), new byte[Inotify.READ_MIN], 0, Inotify.READ_MIN))
                .isEqualTo(-Errno.EAGAIN.number());
    }

    @Test
    void creatingAFileQueuesInCreateWithItsName() throws IOException {
        int wd = watch(dir);
        Files.createFile(dir.resolve("a.txt"));
        assertThat(drain()).containsExactly(new Inotify.Event(wd, IN_CREATE, 0, "a.txt"));
    }

    @Test
    void writingAFileQueuesInModifyAndChmodQueuesInAttrib() throws IOException {
        Path f = Files.createFile(dir.resolve("a.txt"));
        int wd = watch(dir);
        Files.writeString(f, "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertThat(drain()).containsExactly(new Inotify.Event(wd, IN_MODIFY, 0, "a.txt"),
                new Inotify.Event(wd, IN_ATTRIB, 0, "a.txt"));
    }

    @Test
    void aRenameQueuesMovedFromAndMovedToWithOneCookie() throws IOException {
        Path f = Files.createFile(dir.resolve("old"));
        int wd = watch(dir);
        Files.move(f, dir.resolve("new"));
        List<Inotify.Event> events = drain();
        assertThat(events).extracting(Inotify.Event::wd, Inotify.Event::mask, Inotify.Event::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(wd, IN_MOVED_FROM, "old"),
                        org.assertj.core.groups.Tuple.tuple(wd, IN_MOVED_TO, "new"));
        assertThat(events.get(0).cookie()).isNotZero().isEqualTo(events.get(1).cookie());
    }

    @Test
    void aDirectoryCreatedAndDeletedCarriesInIsdir() throws IOException {
        int wd = watch(dir);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.delete(sub);
        assertThat(drain()).containsExactly(new Inotify.Event(wd, IN_CREATE | IN_ISDIR, 0, "sub"),
                new Inotify.Event(wd, IN_DELETE | IN_ISDIR, 0, "sub"));
    }

    @Test
    void deletingAWatchedDirectoryQueuesDeleteSelfThenIgnored() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        int wd = watch(sub);
        Files.delete(sub);
        assertThat(drain()).containsExactly(new Inotify.Event(wd, IN_DELETE_SELF, 0, null),
                new Inotify.Event(wd, IN_IGNORED, 0, null));
        assertThat(Inotify.inotify_rm_watch(in.intValue(), wd)).isEqualTo(-Errno.EINVAL.number());
    }

    @Test
    void aWatchedFileReportsItsOwnEventsWithoutAName() throws IOException {
        Path f = Files.createFile(dir.resolve("a.txt"));
        int wd = watch(f);
        Files.writeString(f, "x");
        Files.move(f, dir.resolve("b.txt"));
        assertThat(drain()).containsExactly(new Inotify.Event(wd, IN_MODIFY, 0, null),
                new Inotify.Event(wd, IN_MOVE_SELF, 0, null));
    }

    @Test
    void rmWatchQueuesIgnoredAndAfterwardsFailsWithEINVAL() {
        int wd = watch(dir);
        assertThat(Inotify.inotify_rm_watch(in.intValue(), wd)).isZero();
        assertThat(drain()).containsExactly(new Inotify.Event(wd, IN_IGNORED, 0, null));
        assertThat(Inotify.inotify_rm_watch(in.intValue(), wd)).isEqualTo(-Errno.EINVAL.number());
    }

    @Test
    void addingTheSamePathTwiceReturnsTheSameWatch() {
        int wd = watch(dir);
        assertThat(watch(dir.resolve(".").resolve("."))).isEqualTo(wd);
    }

    @Test
    void addWatchReportsENOENTAndENOTDIRAsNegativeErrno() throws IOException {
        assertThat(Inotify.inotify_add_watch(in.intValue(), dir.resolve("missing").toString(), EVENTS))
                .isEqualTo(-Errno.ENOENT.number());
        Path f = Files.createFile(dir.resolve("file"));
        assertThat(Inotify.inotify_add_watch(in.intValue(), f.toString(), EVENTS | Inotify.IN_ONLYDIR))
                .isEqualTo(-Errno.ENOTDIR.number());
    }

    @Test
    void exclUnlinkDropsEventsOfAnUnlinkedFileStillOpen() throws IOException {
        Path f = Files.createFile(dir.resolve("tmp"));
        int wd = Inotify.inotify_add_watch(in.intValue(), dir.toString(), EVENTS | Inotify.IN_EXCL_UNLINK);
        assertThat(wd).isPositive();
        try (FileChannel out = FileChannel.open(f, StandardOpenOption.WRITE)) {
            Files.delete(f);
            out.write(ByteBuffer.wrap(new byte[] {'x'}));
        }
        assertThat(drain()).containsExactly(new Inotify.Event(wd, IN_DELETE, 0, "tmp"));
    }

    @Test
    void decodeReadsPaddedNamesInTheMachinesByteOrder() {
        ByteBuffer b = ByteBuffer.allocate(16 + 16 + 16).order(ByteOrder.nativeOrder());
        b.putInt(3).putInt(IN_CREATE).putInt(0).putInt(16).put("héllo".getBytes(StandardCharsets.UTF_8));
        b.position(32);
        b.putInt(-1).putInt(Inotify.IN_Q_OVERFLOW).putInt(0).putInt(0);
        assertThat(Inotify.decode(b.array(), 0, 48)).containsExactly(new Inotify.Event(3, IN_CREATE, 0, "héllo"),
                new Inotify.Event(-1, Inotify.IN_Q_OVERFLOW, 0, null));
    }

    @Test
    void decodeRejectsBytesThatEndInsideAnEvent() {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        b.putInt(1).putInt(IN_CREATE).putInt(0).putInt(16);
        assertThatThrownBy(() -> Inotify.decode(b.array(), 0, 24)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Inotify.decode(b.array(), 0, 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
