package dev.herd.node.internal.manager;

import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.internal.Environment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting a child with listening sockets at descriptors 3 and up, as systemd's socket activation
 * does ({@code sd_listen_fds(3)}): the manager keeps an app's ports bound across its restarts and
 * hands them to each new process. The child finds {@code LISTEN_FDS} (how many), {@code
 * LISTEN_FDNAMES} (their names, colon-separated, when given) and {@code LISTEN_PID} (its own pid:
 * {@code sd_listen_fds} ignores descriptors meant for another process) in its environment; a Node
 * child takes one with {@code listen({fd: 3})}, a Herd child by name with
 * {@code net.Server.listenActivated} (see {@code net.SocketActivation}, the receiving side). With {@code ipc}, the IPC channel comes
 * after the sockets (NODE_CHANNEL_FD names it).
 *
 * <p>The descriptors themselves are the {@code stdio} list of {@code child_process}, which takes a
 * {@code net.Server}, a {@code dgram.Socket} or a raw handle at any slot, as Node's does. What it
 * cannot do is set {@code LISTEN_PID}: posix_spawn starts the program directly, and its pid is not
 * known before. So the program is started through {@code /bin/sh}, which sets the variable to its
 * own pid and then {@code exec}s the program in its place (the same pid).
 *
 * <p>The manager keeps accepting on a socket it passes until it closes its own server; closing it
 * leaves the child's copy listening. Thread rule: the calling environment's loop thread.
 */
public final class SocketActivation {
    /** The first descriptor of the passed sockets (systemd's {@code SD_LISTEN_FDS_START}). */
    public static final int SD_LISTEN_FDS_START = 3;

    private SocketActivation() {}

    /**
     * Spawns {@code file} with {@code args}, the listening sockets {@code listeners} at descriptors
     * 3, 4, ... and their {@code LISTEN_*} variables; stdin, stdout and stderr are shared with
     * this process unless {@code options} gives a stdio shorthand.
     *
     * @param file the program: a path, or a name looked up in the child's PATH
     * @param args its arguments
     * @param listeners what to pass, in order: each a {@code net.Server}, a {@code dgram.Socket},
     *     or an io handle, as {@code child_process}'s stdio list takes them
     * @param names the sockets' names for {@code LISTEN_FDNAMES}, or null
     * @param ipc whether the child also gets an IPC channel, after the sockets
     * @param options other options (cwd, env: the base environment, serialization, ...), or null
     * @return the child, spawned as {@code ChildProcesses.spawn} spawns
     * @throws IllegalArgumentException when {@code names} has another size than {@code listeners}
     */
    public static ChildProcess spawn(String file, List<String> args, List<?> listeners, List<String> names, boolean ipc,
            SpawnOptions options) {
        Environment env = Environment.current();
        env.checkThread();
        if (names != null && names.size() != listeners.size()) {
            throw new IllegalArgumentException("LISTEN_FDNAMES: " + names.size() + " names for " + listeners.size() + " sockets");
        }
        SpawnOptions o = options == null ? SpawnOptions.DEFAULT : options;
        Object std = o.stdio() instanceof String shorthand ? shorthand : "inherit";
        List<Object> stdio = new ArrayList<>(List.of(std, std, std));
        stdio.addAll(listeners);
        if (ipc) stdio.add("ipc");
        Map<String, String> childEnv = new LinkedHashMap<>(o.env() != null ? o.env() : env.process().env());
        childEnv.remove("LISTEN_PID");
        childEnv.remove("LISTEN_FDNAMES");
        childEnv.put("LISTEN_FDS", Integer.toString(listeners.size()));
        if (names != null) childEnv.put("LISTEN_FDNAMES", String.join(":", names));
        List<String> shArgs = new ArrayList<>(List.of("-c", "LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\"", file));
        if (args != null) shArgs.addAll(args);
        return ChildProcesses.spawn("/bin/sh", shArgs, o.toBuilder().stdio(stdio).env(childEnv).build());
    }
}
