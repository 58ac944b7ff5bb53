package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.os.ErrnoException;
import dev.herd.os.Fd;
import dev.herd.os.LibC;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What Pipe adds to the stream contract: paths, socketpairs, and adopting any stream descriptor. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeTest extends IoTestBase {
    @TempDir
    Path dir;

    private Pipe listener(String path, List<Pipe> accepted) {
        Pipe server = new Pipe(loop);
        server.bind(path);
        server.listen(128, err -> {
            assertThat(err).isNull();
            Pipe client = new Pipe(loop);
            server.accept(client);
            accepted.add(client);
        });
        return server;
    }

    private static String code(Throwable e) {
        return ((ErrnoException) e).code();
    }

    @Test
    void bindListenAndConnectOnATempPathAndTheNamesAreThatPath() {
        String path = dir.resolve("server.sock").toString();
        List<Pipe> accepted = new ArrayList<>();
        Pipe server = listener(path, accepted);
        assertThat(server.getsockname()).isEqualTo(path);
        assertThat(Files.exists(Path.of(path))).isTrue();
        Pipe client = new Pipe(loop);
        List<ErrnoException> result = new ArrayList<>();
        client.connect(path, result::add);
        assertThat(result).as("no callback inside connect()").isEmpty();
        runUntil("connect and accept", () -> result.size() == 1 && accepted.size() == 1);
        assertThat(result).containsExactly((ErrnoException) null);
        assertThat(client.getpeername()).isEqualTo(path);
        assertThat(client.getsockname()).isEmpty();
        assertThat(accepted.get(0).getsockname()).isEqualTo(path);
        Sink sink = new Sink();
        accepted.get(0).readStart(sink);
        client.write("through a path".getBytes(StandardCharsets.US_ASCII), null);
        client.shutdown(null);
        runUntil("EOF", sink::ended);
        assertThat(new String(sink.bytes.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("through a path");
        closeAndDrain(server, client, accepted.get(0));
        assertThat(Files.exists(Path.of(path))).as("the bound path is unlinked on close").isFalse();
    }

    @Test
    void connectToAMissingPathGivesENOENTInTheCallback() {
        Pipe client = new Pipe(loop);
        List<ErrnoException> result = new ArrayList<>();
        String path = dir.resolve("nobody-here.sock").toString();
        client.connect(path, result::add);
        assertThat(result).isEmpty();
        runUntil("the callback", () -> !result.isEmpty());
        assertThat(result).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo("ENOENT");
            assertThat(e.syscall()).isEqualTo("connect");
            assertThat(e.address()).isEqualTo(path);
        });
        closeAndDrain(client);
    }

    @Test
    void connectToABoundSocketNobodyListensOnGivesECONNREFUSED() {
        String path = dir.resolve("not-listening.sock").toString();
        Pipe bound = new Pipe(loop);
        bound.bind(path);
        Pipe client = new Pipe(loop);
        List<ErrnoException> result = new ArrayList<>();
        client.connect(path, result::add);
        runUntil("the callback", () -> !result.isEmpty());
        assertThat(result.get(0).code()).isEqualTo("ECONNREFUSED");
        closeAndDrain(bound, client);
    }

    @Test
    void aPathTooLongForSunPathFailsWithENAMETOOLONGAtOnce() {
        String tooLong = dir.resolve("x".repeat(120)).toString();
        Pipe pipe = new Pipe(loop);
        assertThatThrownBy(() -> pipe.bind(tooLong)).satisfies(e -> assertThat(code(e)).isEqualTo("ENAMETOOLONG"));
        assertThatThrownBy(() -> pipe.connect(tooLong, err -> {
            throw new AssertionError("callback of a refused connect");
        })).satisfies(e -> {
            assertThat(code(e)).isEqualTo("ENAMETOOLONG");
            assertThat(((ErrnoException) e).syscall()).isEqualTo("connect");
        });
        assertThat(loop.activeRequests()).isZero();
        closeAndDrain(pipe);
    }

    @Test
    void bindingAPathThatExistsFailsWithEADDRINUSE() {
        String path = dir.resolve("taken.sock").toString();
        Pipe first = new Pipe(loop);
        first.bind(path);
        Pipe second = new Pipe(loop);
        assertThatThrownBy(() -> second.bind(path)).satisfies(e -> {
            assertThat(code(e)).isEqualTo("EADDRINUSE");
            assertThat(((ErrnoException) e).syscall()).isEqualTo("bind");
        });
        closeAndDrain(first, second);
        assertThat(Files.exists(Path.of(path))).as("only the owner unlinks").isFalse();
    }

    @Test
    void bindingInAMissingDirectoryFailsWithEACCESAsLibuvReportsIt() {
        Pipe pipe = new Pipe(loop);
        assertThatThrownBy(() -> pipe.bind(dir.resolve("no/such/dir.sock").toString()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("EACCES"));
        closeAndDrain(pipe);
    }

    @Test
    void anIpcPipeRefusesToListen() {
        Pipe ipc = new Pipe(loop, true);
        assertThat(ipc.ipc()).isTrue();
        ipc.bind(dir.resolve("ipc.sock").toString());
        assertThatThrownBy(() -> ipc.listen(16, err -> {})).satisfies(e -> assertThat(code(e)).isEqualTo("EINVAL"));
        assertThatThrownBy(() -> new Pipe(loop).listen(16, err -> {})).satisfies(e -> assertThat(code(e)).isEqualTo("EINVAL"));
        List<dev.herd.loop.Handle> all = new ArrayList<>();
        loop.walk(all::add);
        closeAndDrain(all.toArray(new dev.herd.loop.Handle[0]));
    }

    @Test
    void socketpairEndsAreUnnamedAndConnectedToEachOther() {
        Pipe[] pair = Pipe.socketpair(loop);
        assertThat(pair[0].getsockname()).isEmpty();
        assertThat(pair[1].getpeername()).isEmpty();
        Sink sink = new Sink();
        pair[1].readStart(sink);
        pair[0].write("ping".getBytes(StandardCharsets.US_ASCII), null);
        runUntil("ping", () -> sink.size() == 4);
        closeAndDrain(pair);
    }

    @Test
    void openOverPipe2EndsReadsTheReadEndAndWritesTheWriteEnd() {
        Fd[] fds = LibC.pipe2(0); // blocking: open makes them non-blocking
        Pipe reader = new Pipe(loop);
        Pipe writer = new Pipe(loop);
        reader.open(fds[0]);
        writer.open(fds[1]);
        assertThat(reader.isReadable()).isTrue();
        assertThat(reader.isWritable()).isFalse();
        assertThat(writer.isReadable()).isFalse();
        assertThat(writer.isWritable()).isTrue();
        assertThat(LibC.fcntl(fds[0].intValue(), LibC.F_GETFL, 0) & LibC.O_NONBLOCK).isEqualTo(LibC.O_NONBLOCK);
        assertThatThrownBy(() -> writer.readStart(new Sink())).satisfies(e -> assertThat(code(e)).isEqualTo("ENOTCONN"));
        assertThatThrownBy(() -> reader.write(new byte[1], null)).satisfies(e -> assertThat(code(e)).isEqualTo("EPIPE"));
        Sink sink = new Sink();
        reader.readStart(sink);
        byte[] data = pattern(1 << 20);
        List<ErrnoException> written = new ArrayList<>();
        writer.write(data, written::add);
        runUntil("the write", () -> !written.isEmpty());
        assertThat(written).containsExactly((ErrnoException) null);
        writer.close(); // closing the write end is the pipe's EOF
        runUntil("EOF", sink::ended);
        assertThat(sink.endCode()).isEqualTo("EOF");
        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        closeAndDrain(reader, writer);
    }

    @Test
    void writingToAPipeWhoseReadEndIsClosedFailsWithEPIPE() {
        Fd[] fds = LibC.pipe2(0);
        fds[0].close();
        Pipe writer = new Pipe(loop);
        writer.open(fds[1]);
        List<ErrnoException> result = new ArrayList<>();
        writer.write(new byte[] {1, 2, 3}, result::add);
        assertThat(result).as("no callback inside write()").isEmpty();
        runUntil("the write callback", () -> !result.isEmpty());
        assertThat(result.get(0).code()).isEqualTo("EPIPE");
        closeAndDrain(writer);
    }

    /** shutdown(2) means nothing on a pipe(2) end; as in libuv, the callback says so. */
    @Test
    void shutdownOfAPipeEndReportsENOTSOCKInItsCallback() {
        Fd[] fds = LibC.pipe2(0);
        Pipe reader = new Pipe(loop);
        Pipe writer = new Pipe(loop);
        reader.open(fds[0]);
        writer.open(fds[1]);
        List<ErrnoException> result = new ArrayList<>();
        writer.shutdown(result::add);
        runUntil("the shutdown callback", () -> !result.isEmpty());
        assertThat(result.get(0).code()).isEqualTo("ENOTSOCK");
        closeAndDrain(reader, writer);
    }

    @Test
    void openOfAClosedDescriptorFailsWithEBADF() {
        Fd[] fds = LibC.pipe2(0);
        fds[0].close();
        Pipe pipe = new Pipe(loop);
        assertThatThrownBy(() -> pipe.open(fds[0])).satisfies(e -> assertThat(code(e)).isEqualTo("EBADF"));
        fds[1].close();
        closeAndDrain(pipe);
    }

    @Test
    void anAbstractNameWorksAndLeavesNoFileBehind() {
        String name = "\0herd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        List<Pipe> accepted = new ArrayList<>();
        Pipe server = listener(name, accepted);
        Pipe client = new Pipe(loop);
        List<ErrnoException> result = new ArrayList<>();
        client.connect(name, result::add);
        runUntil("connect and accept", () -> result.size() == 1 && accepted.size() == 1);
        assertThat(result).containsExactly((ErrnoException) null);
        assertThat(client.getpeername()).isEqualTo(name);
        closeAndDrain(server, client, accepted.get(0));
    }
}
