package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The stream contract over a Unix stream socket bound to a path: connecting client and accepted server side. */
class PipeStreamContractTest extends StreamContractTest {
    @TempDir
    Path dir;

    @Override
    Stream[] connectedPair() {
        String path = dir.resolve("contract.sock").toString();
        Pipe server = new Pipe(loop);
        server.bind(path);
        Pipe accepted = new Pipe(loop);
        Pipe client = new Pipe(loop);
        boolean[] done = {false, false};
        server.listen(16, err -> {
            assertThat(err).isNull();
            server.accept(accepted);
            done[0] = true;
        });
        client.connect(path, err -> {
            assertThat(err).isNull();
            done[1] = true;
        });
        runUntil("connect and accept", () -> done[0] && done[1]);
        closeAndDrain(server);
        return new Stream[] {client, accepted};
    }
}
