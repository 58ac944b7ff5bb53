package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.os.SockAddr;

/** The stream contract over a TCP connection on 127.0.0.1: connecting client and accepted server side. */
class TcpStreamContractTest extends StreamContractTest {
    /**
     * TCP with receive buffers below a segment stalls on its zero-window persist timer (200 ms and
     * backing off), so TCP's "tiny" is still small next to the megabytes the tests move.
     */
    @Override
    int tinyBufferSize() {
        return Integer.getInteger("herd.test.tcpbuf", 8192);
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
