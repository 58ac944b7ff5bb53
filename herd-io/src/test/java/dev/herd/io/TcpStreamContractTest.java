package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.os.SockAddr;

/** The stream contract over a TCP connection on 127.0.0.1: connecting client and accepted server side. */
class TcpStreamContractTest extends StreamContractTest {
    /**
     * Loopback TCP with buffers of a few KiB stalls for seconds on its zero-window persist timer
     * (200 ms, backing off; plain NIO stalls the same way), so TCP's "tiny" is 64 KiB: still small
     * next to the megabytes the tests move.
     */
    @Override
    int tinyBufferSize() {
        return 64 * 1024;
    }

    @Override
    Stream[] connectedPair() {
        Tcp server = new Tcp(loop);
        server.bind(SockAddr.inet("127.0.0.1", 0));
        Tcp accepted = new Tcp(loop);
        Tcp client = new Tcp(loop);
        boolean[] done = {false, false};
        server.listen(16, err -> {
            assertThat(err).isNull();
            server.accept(accepted);
            done[0] = true;
        });
        client.connect(server.getsockname(), err -> {
            assertThat(err).isNull();
            done[1] = true;
        });
        runUntil("connect and accept", () -> done[0] && done[1]);
        closeAndDrain(server);
        return new Stream[] {client, accepted};
    }
}
