package dev.herd.bench.scenarios;

import dev.herd.bench.Runner;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.child_process.SpawnSyncResult;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.IntToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the manager-* scenarios share on the Herd side: Herd's process manager driven through the
 * repository's {@code ./herd} launcher, as a user runs it. The Node twin, which drives pm2 the
 * same way, is {@code bench/node/manager-common.js}.
 *
 * <p>Each program gets a {@code HERD_HOME} of its own, made at start and removed at exit, and runs
 * the CLI one call at a time, synchronously ({@code spawnSync}, as the twin's). At exit -- a normal
 * end, a failed check, an uncaught exception -- a shutdown hook runs {@code herd kill}: a daemon
 * left behind would be a defect of the benchmark. (A SIGKILL of this program, the runner's answer
 * to a timeout, leaves it behind; so does pm2's twin.)
 *
 * <p>The apps ({@code bench/node/manager-app.js}, the same script on both sides) report to a TCP
 * server of the driver ({@link #reportServer}): each connects at start and writes its pid and a
 * newline. Thread rule: a Herd loop thread, except the shutdown hook.
 */
final class ManagerDriver {
    private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final Pattern ZOMBIE = Pattern.compile("(?m)^State:\\s+Z");
    /** Linux's USER_HZ, what /proc/PID/stat counts CPU time in. */
    private static final double CLK_TCK = 100;

    private final Path root;
    private final Path home;
    private final Map<String, String> env;

    ManagerDriver() {
        root = Runner.findRoot();
        try {
            home = Files.createTempDirectory("herd-bench-home-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env = new HashMap<>(System.getenv());
        env.put("HERD_HOME", home.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanup, "herd-bench-cleanup"));
    }

    /** Ends the manager and removes the home; on a JVM shutdown thread, so with the JDK's processes. */
    private void cleanup() {
        try {
            ProcessBuilder pb = new ProcessBuilder(root.resolve("herd").toString(), "kill")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("HERD_HOME", home.toString());
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (IOException e) {
            System.err.println("manager: herd kill failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(home)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }

    /**
     * Runs {@code ./herd ARGS} to its exit.
     *
     * @param args the verb and its arguments
     * @return its stdout, or the program ends with a failed check
     */
    String run(String... args) {
        SpawnSyncResult r = ChildProcesses.spawnSync(root.resolve("herd").toString(), List.of(args),
                SpawnOptions.builder().env(env).cwd(root.toString()).encoding("utf8").maxBuffer(64 << 20).build());
        if (r.status() == null || r.status() != 0) {
            Rounds.abort("cli_ok", ("herd " + String.join(" ", args) + ": "
                    + (r.error() != null ? r.error().getMessage() : "exit " + r.status()) + " " + r.stderr()).trim());
        }
        return (String) r.stdout();
    }

    /**
     * {@code herd start} of a script under bench/node with the options and, after {@code --}, the
     * app's arguments.
     */
    String start(String script, List<String> options, List<String> appArgs) {
        List<String> args = new ArrayList<>();
        args.add("start");
        args.add(root.resolve("bench/node").resolve(script).toString());
        args.addAll(options);
        args.add("--");
        args.addAll(appArgs);
        return run(args.toArray(String[]::new));
    }

    /**
     * Runs {@code ./herd ARGS} as a process of its own, so that this program's loop goes on (a
     * load, while a reload runs); {@code onExit} gets its exit code (-1 when a signal ended it).
     */
    void runAsync(java.util.function.IntConsumer onExit, String... args) {
        dev.herd.node.child_process.ChildProcess c = ChildProcesses.spawn(root.resolve("herd").toString(), List.of(args),
                SpawnOptions.builder().env(env).cwd(root.toString()).stdio("ignore").build());
        c.on("exit", a -> onExit.accept(a[0] == null ? -1 : (Integer) a[0]));
    }

    /** {@return a free TCP port on 127.0.0.1} (bound to port 0 and closed again) */
    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * New connections to 127.0.0.1:{@code port} until {@code n} instances' {@code X-Worker}
     * headers were seen (blocking: for programs that do nothing else yet), or 30 s: the program
     * then ends with a failed check.
     */
    static void awaitAnswers(int port, int n) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.regex.Pattern worker = java.util.regex.Pattern.compile("(?im)^X-Worker:\\s*(\\S+)");
        long deadline = System.currentTimeMillis() + 30_000;
        while (seen.size() < n) {
            if (System.currentTimeMillis() > deadline) Rounds.abort("instances_answer", "only instances " + seen + " answered within 30 s");
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                java.util.regex.Matcher m = worker.matcher(new String(s.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                if (m.find()) seen.add(m.group(1));
            } catch (IOException e) {
                try {
                    Thread.sleep(20); // not listening yet
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** {@return the pids of the manager's own processes: the daemon, and the keeper once it runs} */
    List<Integer> managerPids() {
        List<Integer> pids = new ArrayList<>();
        for (String file : List.of("daemon.pid", "keeper.pid")) {
            try {
                pids.add(Integer.parseInt(Files.readString(home.resolve(file)).trim()));
            } catch (IOException | NumberFormatException e) {
                // not running (the keeper starts with the first app)
            }
        }
        return pids;
    }

    /** {@return the manager's home (HERD_HOME)} */
    Path home() {
        return home;
    }

    /** {@return the repository root} */
    Path root() {
        return root;
    }

    /** {@return VmRSS of a process in MiB, 0 when it is gone} */
    static double rssMib(int pid) {
        try {
            Matcher m = VM_RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
            return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@return whether the process is gone (or a zombie nobody reaped yet: it runs no more)} */
    static boolean gone(int pid) {
        try {
            return ZOMBIE.matcher(Files.readString(Path.of("/proc/" + pid + "/status"))).find();
        } catch (IOException e) {
            return true;
        }
    }

    /** {@return {@code f} summed over {@code pids} (rssMib, cpuS over the manager's processes)} */
    static double sum(List<Integer> pids, IntToDoubleFunction f) {
        double total = 0;
        for (int pid : pids) total += f.applyAsDouble(pid);
        return total;
    }

    /** {@return utime + stime of a process in seconds, 0 when it is gone} */
    static double cpuS(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The driver's end of the apps' reports. */
    interface Reports {
        /** Stops listening and ends the apps' connections, which would keep the loop alive. */
        void close();
    }

    /**
     * A TCP server on 127.0.0.1 that calls {@code onReport} with every pid line an app writes.
     *
     * @param onReport called with each reported pid
     * @param listening called with the port once the server listens
     * @return the server, to close
     */
    static Reports reportServer(IntConsumer onReport, IntConsumer listening) {
        Set<Socket> sockets = new HashSet<>();
        Server server = Net.createServer(socket -> {
            sockets.add(socket);
            socket.on("close", a -> sockets.remove(socket));
            StringBuilder buffered = new StringBuilder();
            socket.on("data", a -> {
                buffered.append(new String((byte[]) a[0], StandardCharsets.UTF_8));
                for (int nl; (nl = buffered.indexOf("\n")) >= 0; ) {
                    onReport.accept(Integer.parseInt(buffered.substring(0, nl).trim()));
                    buffered.delete(0, nl + 1);
                }
            });
            socket.on("error", a -> {}); // an app killed with -9: its connection resets
        });
        server.on("error", a -> Rounds.abort("report_server", String.valueOf(a[0])));
        server.listen(0, "127.0.0.1", 0, () -> listening.accept(server.address().port()));
        return () -> {
            server.close();
            for (Socket s : List.copyOf(sockets)) s.destroy();
        };
    }
}
