package dev.herd.node.internal.manager;

import static dev.herd.node.internal.manager.ManagerTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.json.Json;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A Node child started with a listening socket at fd 3, systemd-style, and an IPC channel after it. */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketActivationTest {
    /** The child: checks its LISTEN_* variables, serves one connection on fd 3, says so over IPC. */
    private static final String CHILD = """
            const net = require('net');
            const env = { pid: process.env.LISTEN_PID, fds: process.env.LISTEN_FDS, names: process.env.LISTEN_FDNAMES };
            const srv = net.createServer((c) => {
              c.end(JSON.stringify({ pid: process.pid, env }) + '\\n');
              srv.close();
              process.disconnect();
            });
            srv.listen({ fd: 3 }, () => process.send('listening'));
            """;

    @Test
    void theChildGetsTheListeningSocketAtFd3TheListenVariablesAndItsChannelAfter() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            Server server = Net.createServer(c -> c.end("the manager answered\n"));
            server.listen(0, "127.0.0.1", 0, () -> {
                int port = server.address().port();
                ChildProcess child = SocketActivation.spawn("node", List.of("-e", CHILD), List.of(server), List.of("web"), true,
                        SpawnOptions.builder().stdio("inherit").build());
                got.add(child.pid());
                // The manager lets go of the port: the child's copy of the socket stays listening.
                server.close();
                child.on("message", m -> {
                    Socket client = Net.createConnection(port, "127.0.0.1", null);
                    StringBuilder answer = new StringBuilder();
                    client.setEncoding("utf8");
                    client.on("data", x -> answer.append(x[0]));
                    client.on("close", x -> got.add(Json.parse(answer.toString().trim())));
                });
                child.on("exit", x -> got.add(x[0]));
            });
        });
        int pid = (Integer) got.get(0);
        assertThat(got.subList(1, got.size())).containsExactly(
                Map.of("pid", pid, "env", Map.of("pid", String.valueOf(pid), "fds", "1", "names", "web")), 0);
    }
}
