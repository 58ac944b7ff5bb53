package dev.herd.node.internal.manager;

import static dev.herd.node.internal.manager.ManagerTests.effectiveId;
import static dev.herd.node.internal.manager.ManagerTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Who is on the other end of a Unix-socket connection, with a real Node process as the peer. */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerCredentialsTest {
    @Test
    void aConnectionsPeerIsTheProcessThatConnected(@TempDir Path dir) throws Exception {
        List<Object> got = new ArrayList<>();
        run(a -> {
            String path = dir.resolve("control.sock").toString();
            Server[] server = new Server[1];
            server[0] = Net.createServer(socket -> {
                got.add(PeerCredentials.of(socket));
                socket.end("ok");
                server[0].close();
            });
            server[0].listen(path, () -> {
                ChildProcess node = ChildProcesses.spawn("node", List.of("-e",
                        "const s = require('net').connect(process.argv[1]); s.resume(); s.on('end', () => s.end());", path),
                        SpawnOptions.builder().stdio("inherit").build());
                got.add(node.pid());
                node.on("exit", x -> got.add(x[0]));
            });
        });
        int pid = (Integer) got.get(0);
        assertThat(got).hasSize(3).element(2).isEqualTo(0);
        assertThat(got.get(1)).isEqualTo(new PeerCredentials(pid, effectiveId("Uid"), effectiveId("Gid")));
    }

    @Test
    void aTcpConnectionHasNoPeerCredentials() {
        List<Throwable> got = new ArrayList<>();
        run(a -> {
            Server[] server = new Server[1];
            server[0] = Net.createServer(socket -> {
                try {
                    PeerCredentials.of(socket);
                } catch (IllegalArgumentException e) {
                    got.add(e);
                }
                socket.destroy();
                server[0].close();
            });
            server[0].listen(0, "127.0.0.1", 0, () -> {
                Socket client = Net.createConnection(server[0].address().port(), "127.0.0.1", null);
                client.on("error", x -> { });
                client.on("close", x -> { });
            });
        });
        assertThat(got).singleElement().satisfies(e -> assertThatThrownBy(() -> { throw e; })
                .hasMessageContaining("not an open Unix-socket connection"));
    }
}
