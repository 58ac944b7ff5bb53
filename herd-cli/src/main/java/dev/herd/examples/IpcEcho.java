package dev.herd.examples;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Herd child for a Node parent: started by Node's {@code child_process.fork()} (or any spawn
 * with an {@code 'ipc'} stdio entry), it talks Node's IPC protocol on the channel the parent
 * named in {@code NODE_CHANNEL_FD}:
 *
 * <ul>
 *   <li>every message comes back as {@code {echo: <message>, pid: <this pid>}};
 *   <li>a {@code net.Server} handle: it accepts connections on it and answers each with
 *       {@code hello from herd <pid>\n};
 *   <li>a {@code net.Socket} handle: it writes the same line to it and ends it;
 *   <li>on 'disconnect' it exits 0.
 * </ul>
 *
 * <p>From Node: {@code fork('dev.herd.examples.IpcEcho', [], {execPath: 'java', execArgv:
 * ['--enable-native-access=ALL-UNNAMED', '-cp', herdClassPath]})}; from a shell:
 * {@code ./herd example ipc-echo} only makes sense with such a parent (without a channel it says
 * so and exits 1).
 */
public final class IpcEcho {
    private IpcEcho() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            if (process().channel() == null) {
                System.err.println("ipc-echo: no IPC channel: start me from a Node parent with fork() (NODE_CHANNEL_FD)");
                process().exitCode(1);
                return;
            }
            int pid = process().pid();
            String hello = "hello from herd " + pid + "\n";
            process().on(NodeProcess.MESSAGE, (message, handle) -> {
                if (handle instanceof Server server) {
                    server.on(Server.CONNECTION, socket -> socket.end(hello));
                } else if (handle instanceof Socket socket) {
                    socket.end(hello);
                }
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("echo", message);
                reply.put("pid", pid);
                process().send(reply);
            });
            process().on(NodeProcess.DISCONNECT, () -> process().exit(0));
        });
    }
}
