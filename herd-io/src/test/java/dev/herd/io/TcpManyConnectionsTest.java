package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.os.ErrnoException;
import dev.herd.os.FdLeakCheck;
import dev.herd.os.SockAddr;
import dev.herd.os.Sys;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many connections at once on one loop: accepted, echoed, all open together, then all closed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpManyConnectionsTest extends IoTestBase {
    private static final int CONNECTIONS = 2_000;
    /** Connects in flight at once: stays well inside the listen backlog, so no SYN is dropped and retried a second later. */
    private static final int CONNECTING_AT_ONCE = 256;

    @Test
    void twoThousandConcurrentLoopbackConnectionsAreAcceptedEchoedAndClosedWithoutLeaks() {
        // Both ends live in this process: two descriptors per connection, plus the JVM's own.
        long needed = 2L * CONNECTIONS + FdLeakCheck.count() + 256;
        long[] saved = Sys.getrlimit(Sys.RLIMIT_NOFILE);
        boolean raised = false;
        if (saved[0] != Sys.RLIM_INFINITY && saved[0] < needed) {
            assertThat(saved[1] == Sys.RLIM_INFINITY || saved[1] >= needed)
                    .as("RLIMIT_NOFILE hard limit is %d but this test needs %d descriptors (%d connections, both ends "
                            + "in this process); raise the hard limit (ulimit -Hn) to run it", saved[1], needed, CONNECTIONS)
                    .isTrue();
            assertThat(Sys.setrlimit(Sys.RLIMIT_NOFILE, needed, saved[1])).isZero();
            raised = true;
        }
        try {
            echoManyConnections();
        } finally {
            if (raised) Sys.setrlimit(Sys.RLIMIT_NOFILE, saved[0], saved[1]);
        }
    }

    private void echoManyConnections() {
        List<Tcp> serverSide = new ArrayList<>();
        int[] serverSideOpen = {0};
        Tcp server = new Tcp(loop);
        server.bind(SockAddr.inet("127.0.0.1", 0));
        server.listen(511, err -> {
            assertThat(err).isNull();
            Tcp conn = new Tcp(loop);
            server.accept(conn);
            serverSide.add(conn);
            serverSideOpen[0]++;
            conn.readStart((data, error) -> {
                if (error != null) {
                    // The client closed: so does the server side.
                    assertThat(error.code()).isEqualTo("EOF");
                    conn.close(() -> serverSideOpen[0]--);
                    return;
                }
                byte[] copy = new byte[data.remaining()]; // the read buffer is only ours during the call
                data.get(copy);
                conn.write(copy, e -> assertThat(e).isNull());
            });
        });
        SockAddr addr = server.getsockname();

        Tcp[] clients = new Tcp[CONNECTIONS];
        ByteArrayOutputStream[] echoed = new ByteArrayOutputStream[CONNECTIONS];
        int[] connecting = {0};
        int[] started = {0};
        int[] complete = {0};
        Runnable[] startMore = new Runnable[1];
        startMore[0] = () -> {
            while (started[0] < CONNECTIONS && connecting[0] < CONNECTING_AT_ONCE) {
                int i = started[0]++;
                byte[] message = ("hello from connection " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                Tcp c = new Tcp(loop);
                clients[i] = c;
                echoed[i] = new ByteArrayOutputStream();
                connecting[0]++;
                c.connect(addr, err -> {
                    assertThat(err).as("connect %d", i).isNull();
                    connecting[0]--;
                    c.readStart((data, error) -> {
                        assertThat(error).as("read at client %d", i).isNull();
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        echoed[i].write(b, 0, b.length);
                        if (echoed[i].size() == message.length) complete[0]++;
                    });
                    c.write(ByteBuffer.wrap(message), e -> assertThat(e).isNull());
                    startMore[0].run();
                });
            }
        };
        startMore[0].run();
        runUntil("every connection echoed", () -> complete[0] == CONNECTIONS);

        // All of them are open at once.
        assertThat(serverSide).hasSize(CONNECTIONS);
        assertThat(serverSideOpen[0]).isEqualTo(CONNECTIONS);
        for (int i = 0; i < CONNECTIONS; i++) {
            assertThat(new String(echoed[i].toByteArray(), StandardCharsets.US_ASCII))
                    .isEqualTo("hello from connection " + i + "\n");
        }
        assertThat(loop.activeRequests()).isZero();

        for (Tcp c : clients) c.close();
        runUntil("every server side to see EOF and close", () -> serverSideOpen[0] == 0);
        closeAndDrain(server);
        for (Tcp c : clients) assertThat(c.isClosed()).isTrue();
        assertThat(loop.activeHandles()).isZero();
    }

    @Test
    void acceptReportsNoErrorsWhenManyClientsArriveInOneWakeup() {
        // Far more connections than one wakeup accepts: the rest come on the next polls, none is lost.
        int n = 300;
        List<Tcp> accepted = new ArrayList<>();
        List<ErrnoException> errors = new ArrayList<>();
        Tcp server = new Tcp(loop);
        server.bind(SockAddr.inet("127.0.0.1", 0));
        server.listen(1024, err -> {
            if (err != null) {
                errors.add(err);
                return;
            }
            Tcp conn = new Tcp(loop);
            server.accept(conn);
            accepted.add(conn);
        });
        List<Tcp> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Tcp c = new Tcp(loop);
            c.connect(server.getsockname(), null);
            clients.add(c);
        }
        runUntil("all accepted", () -> accepted.size() == n);
        assertThat(errors).isEmpty();
        List<dev.herd.loop.Handle> all = new ArrayList<>(clients);
        all.addAll(accepted);
        all.add(server);
        closeAndDrain(all.toArray(new dev.herd.loop.Handle[0]));
    }
}
