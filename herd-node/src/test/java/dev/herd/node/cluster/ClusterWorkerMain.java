package dev.herd.node.cluster;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.dgram.Dgram;
import dev.herd.node.http.Http;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.ErrnoException;
import java.util.List;
import java.util.Map;

/**
 * The program the cluster tests fork, Node-test style: the worker branch runs the scenario named
 * by its first argument; the primary branch ("primary N") forks N idle workers of itself and
 * prints their pids, for the tests that kill a primary. Parameters come in the environment
 * (PORT, HOST, SOCKET, MAXCONN, STALL).
 */
public final class ClusterWorkerMain {
    private ClusterWorkerMain() {}

    public static void main(String[] args) {
        Herd.run(args, ClusterWorkerMain::run);
    }

    static void run(String[] argv) {
        if (Cluster.isPrimary()) {
            primary(argv);
            return;
        }
        Worker me = Cluster.worker();
        Map<String, String> env = process().env();
        int port = Integer.parseInt(env.getOrDefault("PORT", "0"));
        String host = env.get("HOST");
        switch (argv[0]) {
            case "idle" -> { }
            case "print" -> {
                System.out.println("cwd=" + process().cwd() + " prop=" + System.getProperty("herd.test") + " args="
                        + String.join(",", argv) + " extra=" + env.get("EXTRA") + " id=" + me.id());
                System.out.flush();
                me.disconnect();
            }
            case "exit" -> process().exit(Integer.parseInt(argv[1]));
            case "echo" -> process().on("message", a -> process().send(Map.of("echo", a[0], "id", me.id())));
            case "net" -> netServer(me, port, host, env);
            case "http" -> Http.createServer((req, res) -> res.end("worker " + me.id() + "\n")).listen(port, host, null);
            case "http-long-keepalive" -> Http.createServer((req, res) -> res.end("worker " + me.id() + "\n"))
                    .setKeepAliveTimeout(600_000)
                    .listen(port, host, null);
            case "self-disconnect" -> netServer(me, port, host, env).on("listening", a -> me.disconnect());
            case "self-kill" -> netServer(me, port, host, env).on("listening", a -> {
                if (argv.length > 1) me.kill(argv[1]);
                else me.kill();
            });
            case "listen-error" -> {
                Server s = Net.createServer(c -> c.end());
                s.on("error", a -> process().send(Map.of("error", ((ErrnoException) a[0]).code(), "syscall",
                        ((ErrnoException) a[0]).syscall(), "message", ((Throwable) a[0]).getMessage())));
                s.listen(port, host, 0, null);
            }
            case "dgram" -> {
                var socket = Dgram.createSocket("udp4");
                socket.on("message", a -> {
                    var from = (dev.herd.node.dgram.RemoteInfo) a[1];
                    socket.send("worker " + me.id(), from.port(), from.address(), null);
                });
                socket.on("listening", a -> process().send(Map.of("bound", socket.address().port())));
                socket.bind(port, "127.0.0.1", null);
            }
            case "junk" -> {
                process().send(Map.of("cmd", "NODE_CLUSTER"));
                process().send(Map.of("cmd", "NODE_CLUSTER", "act", "no-such-act", "seq", 99));
                process().send(Map.of("cmd", "NODE_CLUSTER", "act", "listening", "port", "not a port"));
                process().send(Map.of("cmd", "NODE_CLUSTER", "act", "close", "key", List.of(1, 2)));
                process().send(Map.of("cmd", "NODE_CLUSTER", "ack", 12345, "accepted", true));
                process().send(Map.of("cmd", "NODE_CLUSTER", "act", "queryServer", "port", -5, "address", 7));
                process().send("junk-done");
            }
            case "handles" -> {
                process().on("message", a -> {
                    if (a[1] instanceof Socket s) s.end("socket via worker " + me.id() + "\n");
                });
                Server own = Net.createServer(c -> c.end("own server of worker " + me.id() + "\n"));
                own.listen(0, "127.0.0.1", 0, true, () -> process().send("server", own, null, null));
                me.on("disconnect", a -> own.close()); // not a cluster server: disconnecting leaves it open
            }
            default -> throw new IllegalArgumentException("unknown scenario " + argv[0]);
        }
    }

    /** A server that answers every connection with this worker's id (or stalls, with STALL). */
    private static Server netServer(Worker me, int port, String host, Map<String, String> env) {
        boolean stall = env.containsKey("STALL");
        Server s = Net.createServer(c -> {
            if (stall) {
                process().send("stalled");
                try {
                    Thread.sleep(600_000); // the loop is stuck: the next newconn goes unanswered
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            c.end(me.id() + "\n");
        });
        if (env.containsKey("MAXCONN")) s.setMaxConnections(Integer.parseInt(env.get("MAXCONN")));
        if (env.containsKey("SOCKET")) s.listen(env.get("SOCKET"), null);
        else s.listen(port, host, 0, null);
        return s;
    }

    /** "primary N": fork N idle workers of this program and print each pid once online. */
    private static void primary(String[] argv) {
        if (argv.length < 2 || !argv[0].equals("primary")) throw new IllegalArgumentException("usage: primary N");
        Cluster.setupPrimary(ClusterSettings.builder().args("idle").build());
        Cluster.on("online", a -> System.out.println("online " + ((Worker) a[0]).pid()));
        for (int i = 0; i < Integer.parseInt(argv[1]); i++) Cluster.fork();
    }
}
