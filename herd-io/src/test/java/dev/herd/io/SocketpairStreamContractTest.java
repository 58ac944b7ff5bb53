package dev.herd.io;

/** The stream contract over the two ends of a socketpair(2). */
class SocketpairStreamContractTest extends StreamContractTest {
    @Override
    Stream[] connectedPair() {
        return Pipe.socketpair(loop);
    }
}
