package dev.herd.node;

import dev.herd.loop.Loop;
import dev.herd.loop.Signal;
import dev.herd.node.internal.ProcessChannel;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.LibC;
import dev.herd.os.Proc;
import dev.herd.os.Signals;
import dev.herd.os.Sys;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Node's {@code process} object for one Herd environment: identity (pid, ppid, argv, execArgv,
 * env, platform, arch), clocks and resource usage (uptime, hrtime, memoryUsage, cpuUsage),
 * nextTick, exit and exitCode, kill, and the events 'exit', 'beforeExit', 'uncaughtException',
 * 'warning' and signal events ('SIGINT', 'SIGTERM', ...).
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: one {@link Herd} run.
 */
public final class NodeProcess extends EventEmitter {
    /** 'exit' (the exit code): the process is about to exit; only synchronous work runs after it. */
    public static final Event<Consumer<Integer>> EXIT = Event.of(NodeProcess.class, "exit", Integer.class);
    /** 'beforeExit' ({@code process.exitCode}): the loop ran dry; a listener may schedule more work. */
    public static final Event<Consumer<Integer>> BEFORE_EXIT = Event.of(NodeProcess.class, "beforeExit", Integer.class);
    /** 'uncaughtException' (the error, its origin "uncaughtException"): with a listener the process goes on. */
    public static final Event<BiConsumer<Throwable, String>> UNCAUGHT_EXCEPTION = Event.of(NodeProcess.class,
            "uncaughtException", Throwable.class, String.class);
    /** 'warning' (the warning's name, its message), from {@link #emitWarning}. */
    public static final Event<BiConsumer<String, String>> WARNING = Event.of(NodeProcess.class, "warning", String.class,
            String.class);
    /** 'message' (the message, a handle sent with it or null): from the parent, over the IPC channel. */
    public static final Event<BiConsumer<Object, Object>> MESSAGE = Event.of(NodeProcess.class, "message", Object.class,
            Object.class);
    /** 'disconnect': the IPC channel to the parent closed. */
    public static final Event<Runnable> DISCONNECT = Event.of(NodeProcess.class, "disconnect");
    /** 'SIGINT' (the signal's name); see {@link #signal(String)}. */
    public static final Event<Consumer<String>> SIGINT = signal("SIGINT");
    /** 'SIGTERM' (the signal's name); see {@link #signal(String)}. */
    public static final Event<Consumer<String>> SIGTERM = signal("SIGTERM");
    /** 'SIGHUP' (the signal's name); see {@link #signal(String)}. */
    public static final Event<Consumer<String>> SIGHUP = signal("SIGHUP");
    /** 'SIGUSR2' (the signal's name); see {@link #signal(String)}. */
    public static final Event<Consumer<String>> SIGUSR2 = signal("SIGUSR2");

    /** Herd's version, reported where Node reports its own. */
    public static final String HERD_VERSION = "0.1.0";

    private final NodeEnvironment env;
    private final List<String> argv;
    /** Read on first use: ManagementFactory loads java.management, about 100 classes an idle server never needs. */
    private List<String> execArgv;
    private final Map<String, String> envVars;
    private final Map<String, Signal> signalHandles = new HashMap<>();
    private final long startNanos = System.nanoTime();
    /** Node's process.exitCode; what the process exits with when the loop runs dry. */
    int exitCode;

    NodeProcess(NodeEnvironment env, String[] args, Map<String, String> envVars) {
        this.env = env;
        List<String> a = new ArrayList<>();
        a.add(javaExecutable());
        a.add(mainName());
        Collections.addAll(a, args);
        this.argv = Collections.unmodifiableList(a);
        // Thread-safe: a worker started with SHARE_ENV shares this map with its parent.
        this.envVars = envVars != null ? envVars : new ConcurrentHashMap<>(System.getenv());
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String mainName() {
        String cmd = System.getProperty("sun.java.command", "");
        int sp = cmd.indexOf(' ');
        return sp < 0 ? cmd : cmd.substring(0, sp);
    }

    // ---------------------------------------------------------------- identity

    /**
     * The process id. From the JDK, which knows it already: getpid's downcall would cost an idle server 0.2 MiB.
     *
     * @return the process id
     */
    public int pid() {
        return (int) ProcessHandle.current().pid();
    }

    /** {@return the parent process's id} */
    public int ppid() {
        return LibC.getppid();
    }

    /**
     * argv[0] is the java executable, argv[1] the main class (or jar), then the program's arguments.
     *
     * @return the argument vector
     */
    public List<String> argv() {
        return argv;
    }

    /** {@return the JVM's options (Node's execArgv: the runtime's own flags)} */
    public List<String> execArgv() {
        if (execArgv == null) execArgv = List.copyOf(ManagementFactory.getRuntimeMXBean().getInputArguments());
        return execArgv;
    }

    /** {@return the java executable that runs this process} */
    public String execPath() {
        return argv.get(0);
    }

    /**
     * The environment, as a mutable copy (Node's process.env); children will inherit it. A
     * worker's is a copy of its parent's, or the parent's own map with SHARE_ENV; the map is
     * thread-safe and holds no nulls.
     *
     * @return the environment
     */
    public Map<String, String> env() {
        return envVars;
    }

    /** {@return always "linux"} */
    public String platform() {
        return "linux";
    }

    /** {@return Node's architecture name: "x64", "arm64", or the JVM's os.arch otherwise} */
    public String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    /** {@return Herd's version as "v0.1.0"} */
    public String version() {
        return "v" + HERD_VERSION;
    }

    /** {@return the versions of Herd and the Java runtime} */
    public Map<String, String> versions() {
        return Map.of("herd", HERD_VERSION, "java", Runtime.version().toString());
    }

    /** {@return the current working directory of the process (getcwd)} */
    public String cwd() {
        return Sys.getcwd();
    }

    /**
     * Changes the process's working directory (chdir). Child processes and native calls see the
     * change; note that Java's own relative-path resolution (java.io.File) keeps the JVM's start
     * directory.
     *
     * @param directory the new working directory
     */
    public void chdir(String directory) {
        int r = Sys.chdir(directory);
        if (r < 0) throw ErrnoException.of(Errno.of(r), "chdir", cwd(), directory);
    }

    // ---------------------------------------------------------------- time and resources

    /** {@return the seconds since this process object was made, with sub-millisecond precision} */
    public double uptime() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Node's process.hrtime(): {seconds, nanoseconds} of an arbitrary monotonic clock.
     *
     * @return seconds and nanoseconds
     */
    public long[] hrtime() {
        long t = System.nanoTime();
        return new long[] {t / 1_000_000_000L, t % 1_000_000_000L};
    }

    /**
     * Node's process.hrtime(previous): the difference from an earlier hrtime() value.
     *
     * @param previous an earlier hrtime() value
     * @return seconds and nanoseconds since then
     */
    public long[] hrtime(long[] previous) {
        if (previous == null || previous.length != 2) {
            throw new IllegalArgumentException("The \"time\" argument must be an array of 2 numbers");
        }
        long diff = System.nanoTime() - (previous[0] * 1_000_000_000L + previous[1]);
        return new long[] {diff / 1_000_000_000L, diff % 1_000_000_000L};
    }

    /** {@return Node's process.hrtime.bigint(): monotonic nanoseconds} */
    public long hrtimeBigint() {
        return System.nanoTime();
    }

    /**
     * Memory figures in bytes, named as in Node's process.memoryUsage().
     *
     * @param rss resident set size
     * @param heapTotal the Java heap's committed size
     * @param heapUsed the Java heap in use
     * @param external memory held by direct buffers
     * @param arrayBuffers memory held by direct buffers (Node's ArrayBuffers)
     */
    public record MemoryUsage(long rss, long heapTotal, long heapUsed, long external, long arrayBuffers) {}

    /**
     * {@return the memory figures: rss from /proc/self/statm; heap figures from the Java heap; external from direct buffers}
     */
    public MemoryUsage memoryUsage() {
        Runtime rt = Runtime.getRuntime();
        long direct = 0;
        for (var pool : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            direct += Math.max(0, pool.getMemoryUsed());
        }
        return new MemoryUsage(rss(), rt.totalMemory(), rt.totalMemory() - rt.freeMemory(), direct, direct);
    }

    private static long rss() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(f[1]) * 4096L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * User and system CPU time in microseconds (Node's process.cpuUsage()).
     *
     * @param user user CPU time, microseconds
     * @param system system CPU time, microseconds
     */
    public record CpuUsage(long user, long system) {}

    /** {@return the user and system CPU time of this process so far (Node's process.cpuUsage())} */
    public CpuUsage cpuUsage() {
        long[] u = Sys.getrusage(Sys.RUSAGE_SELF);
        return new CpuUsage(u[0], u[1]);
    }

    /**
     * Node's process.cpuUsage(previous): the usage since {@code previous}.
     *
     * @param previous an earlier cpuUsage() value
     * @return the usage since then
     */
    public CpuUsage cpuUsage(CpuUsage previous) {
        CpuUsage now = cpuUsage();
        return new CpuUsage(now.user - previous.user, now.system - previous.system);
    }

    // ---------------------------------------------------------------- ticks, exit, signals

    /**
     * Queues {@code callback} to run after the current callback, before any other I/O or timer.
     *
     * @param callback what to run
     */
    public void nextTick(Runnable callback) {
        env.checkThread();
        env.nextTick(callback);
    }

    /** {@return the code the process exits with when its loop runs dry} */
    public int exitCode() {
        return exitCode;
    }

    /**
     * Sets the code the process exits with when its loop runs dry.
     *
     * @param code the exit code
     */
    public void exitCode(int code) {
        env.checkThread();
        this.exitCode = code;
    }

    /**
     * Emits 'exit' and ends the process with {@code code} (Node's process.exit). Never returns.
     *
     * @param code the exit code
     */
    public void exit(int code) {
        env.checkThread();
        throw env.exit(code);
    }

    /** {@link #exit(int)} with process.exitCode. */
    public void exit() {
        env.checkThread();
        throw env.exit(exitCode);
    }

    /**
     * Sends {@code signal} ("SIGTERM", "SIGINT", ... or a number as a string) to {@code pid}
     * (Node's process.kill). Throws ErrnoException with code ESRCH or EPERM as Node does.
     *
     * @param pid the process, or a process group (0 or negative)
     * @param signal the signal's name or number
     * @return true once the signal is sent
     */
    public boolean kill(int pid, String signal) {
        return kill(pid, signalNumber(signal));
    }

    /**
     * {@link #kill(int, String)} with a signal number; 0 tests that the process exists.
     *
     * @param pid the process, or a process group (0 or negative)
     * @param signal the signal number
     * @return true once the signal is sent
     */
    public boolean kill(int pid, int signal) {
        int r = Proc.kill(pid, signal);
        if (r < 0) throw ErrnoException.plain(Errno.of(r), "kill", null);
        return true;
    }

    /**
     * {@link #kill(int, String)} with SIGTERM.
     *
     * @param pid the process, or a process group (0 or negative)
     * @return true once the signal is sent
     */
    public boolean kill(int pid) {
        return kill(pid, Signals.SIGTERM);
    }

    private static int signalNumber(String signal) {
        if (signal == null) return Signals.SIGTERM;
        if (!signal.isEmpty() && signal.chars().allMatch(Character::isDigit)) return Integer.parseInt(signal);
        int n = Signals.number(signal);
        if (n < 0) {
            throw new NodeError("ERR_UNKNOWN_SIGNAL", "Unknown signal: " + signal, IllegalArgumentException.class);
        }
        return n;
    }

    /**
     * The key of a signal event: {@code process().on(NodeProcess.signal("SIGWINCH"), name -> ...)}.
     * The listener gets the signal's name. As in Node, listening for a signal replaces its default
     * action (SIGINT, SIGTERM and SIGHUP end the process while nobody listens) and does not keep
     * the process alive.
     *
     * @param name the signal's name, e.g. "SIGWINCH"
     * @return the key
     * @throws NodeError ERR_UNKNOWN_SIGNAL for a name that is not a signal
     */
    public static Event<Consumer<String>> signal(String name) {
        if (name == null || !name.startsWith("SIG") || Signals.number(name) <= 0) {
            throw new NodeError("ERR_UNKNOWN_SIGNAL", "Unknown signal: " + name, IllegalArgumentException.class);
        }
        return Event.of(NodeProcess.class, name, String.class);
    }

    /**
     * Node's process.emitWarning: emits 'warning' and, as Node's default handler does, prints
     * "(herd:PID) Name: message" to stderr.
     *
     * @param message the warning's text
     * @param name the warning's name ("Warning", "DeprecationWarning")
     */
    public void emitWarning(String message, String name) {
        String type = name == null ? "Warning" : name;
        emit("warning", type, message);
        System.err.println("(herd:" + pid() + ") " + type + ": " + message);
    }

    /**
     * {@link #emitWarning(String, String)} named "Warning".
     *
     * @param message the warning's text
     */
    public void emitWarning(String message) {
        emitWarning(message, "Warning");
    }

    /** {@return the loop this process runs on} */
    public Loop loop() {
        return env.loop;
    }

    // ---------------------------------------------------------------- the IPC channel (a forked child)

    private ProcessChannel channel;

    /** Installs the channel to the parent (made at startup from NODE_CHANNEL_FD). */
    void channel(ProcessChannel channel) {
        this.channel = channel;
    }

    /**
     * {@return the channel to the parent (Node's {@code process.channel}), or null when not started with one}
     */
    public IpcChannel channel() {
        return channel;
    }

    /**
     * {@return whether the channel to the parent is open (Node's {@code process.connected}); false without one}
     */
    public boolean connected() {
        return channel != null && channel.connected();
    }

    /**
     * Sends a message to the parent (Node's {@code process.send}): {@code message} is a value of
     * the value model (docs/values.md), written in the channel's serialization; {@code handle} may
     * be a {@code net.Server}, {@code net.Socket} or {@code dgram.Socket} (or their io handles),
     * whose descriptor goes with it. Returns false when the channel is closed (the error goes to
     * {@code callback}, or as 'error') or backed up (the message is queued all the same).
     *
     * @param message the message: a value of the value model
     * @param handle a handle to send with it, or null
     * @param options send options, or null
     * @param callback runs once the message is written or failed, or null
     * @return false when the channel is closed or backed up
     * @throws IllegalStateException without a channel (Node's process.send is then undefined)
     */
    public boolean send(Object message, Object handle, SendOptions options, SendCallback callback) {
        env.checkThread();
        if (channel == null) throw new IllegalStateException("process.send: this process was not started with an IPC channel");
        return channel.send(message, handle, options, callback);
    }

    /**
     * {@link #send(Object, Object, SendOptions, SendCallback)} of a message alone.
     *
     * @param message the message
     * @return false when the channel is backed up
     */
    public boolean send(Object message) {
        return send(message, null, null, null);
    }

    /**
     * {@link #send(Object, Object, SendOptions, SendCallback)} with a callback.
     *
     * @param message the message
     * @param callback runs once the message is written or failed, or null
     * @return false when the channel is backed up
     */
    public boolean send(Object message, SendCallback callback) {
        return send(message, null, null, callback);
    }

    /** Closes the channel to the parent (Node's {@code process.disconnect}); 'disconnect' follows. */
    public void disconnect() {
        env.checkThread();
        if (channel == null) throw new IllegalStateException("process.disconnect: this process was not started with an IPC channel");
        channel.disconnect();
    }

    // ---------------------------------------------------------------- other threads

    /**
     * An executor for other threads (Herd's, not Node's: a JavaScript process has one thread):
     * each task runs on this process's loop thread as a callback of its own, as an I/O callback
     * does — an exception it throws goes to 'uncaughtException', and nextTicks and microtasks
     * run after it. Like {@link Loop#execute}, which it uses, a task waiting does not keep the loop
     * alive: hold a referenced handle (a timer, a server, a channel) while tasks may still come;
     * tasks given after the environment ended are dropped.
     *
     * @return the executor; any thread may call it
     */
    public Executor executor() {
        return task -> env.loop.execute(() -> env.makeCallback(task));
    }

    @Override
    protected void listenerAdded(String event, int count) {
        if (channel != null && ("message".equals(event) || "disconnect".equals(event))) {
            channel.refCounted();
            if ("message".equals(event)) channel.messageListenerAdded();
        }
        if (count != 1 || !event.startsWith("SIG")) return;
        int signum = Signals.number(event);
        if (signum <= 0 || signalHandles.containsKey(event)) return;
        Signal handle = new Signal(env.loop);
        try {
            handle.start(s -> env.makeCallback(() -> emit(event, event)), signum);
        } catch (IllegalArgumentException e) {
            handle.close();
            removeAllListeners(event);
            throw e;
        }
        // As in Node, listening for a signal does not keep the process alive.
        handle.unref();
        signalHandles.put(event, handle);
    }

    @Override
    protected void listenerRemoved(String event, int count) {
        if (channel != null && ("message".equals(event) || "disconnect".equals(event))) channel.unrefCounted();
        if (count != 0) return;
        Signal handle = signalHandles.remove(event);
        if (handle != null) handle.close();
    }
}
