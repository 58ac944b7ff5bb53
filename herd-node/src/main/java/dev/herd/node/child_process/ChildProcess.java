package dev.herd.node.child_process;

import dev.herd.io.Pipe;
import dev.herd.io.Process;
import dev.herd.io.ProcessOptions;
import dev.herd.io.StdioContainer;
import dev.herd.node.Event;
import dev.herd.node.EventEmitter;
import dev.herd.node.IpcChannel;
import dev.herd.node.SendCallback;
import dev.herd.node.SendOptions;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.ipc.Channel;
import dev.herd.node.internal.ipc.EmitterTarget;
import dev.herd.node.internal.ipc.Serialization;
import dev.herd.node.net.Socket;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Signals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.BiConsumer;

/**
 * Node's {@code ChildProcess} ({@code lib/internal/child_process.js}): a spawned program, as
 * {@link ChildProcesses#spawn} and friends return it.
 *
 * <p><b>Events</b>, in Node's order:
 * <ul>
 *   <li>{@code 'spawn'} (no arguments): on the next tick after the program started;
 *   <li>{@code 'error'} ({@link ErrnoException}): on the next tick when it could not be started —
 *       ENOENT, EACCES, EAGAIN, EMFILE, ENFILE, with {@code code}, {@code errno}, {@code syscall}
 *       ("spawn &lt;file&gt;"), {@code path} and {@code spawnargs} — {@link #exitCode()} is then the
 *       negative errno; also a failed {@link #kill} (EPERM), a timeout kill that failed, and an
 *       abort (a {@code ABORT_ERR} NodeError whose cause is the signal's reason);
 *   <li>{@code 'exit'} ({@code Integer code, String signal}): the program ended; exactly one of
 *       the two is non-null. Its stdio may still hold unread output;
 *   <li>{@code 'close'} ({@code Integer code, String signal}): after 'exit' (or the start error)
 *       and after every stdout/stderr-like pipe (slots 1 and up) has closed.
 * </ul>
 * Other spawn failures (E2BIG, EINVAL...) are thrown by the spawn call itself, as in Node.
 *
 * <p><b>Stdio.</b> Each "pipe" slot is a {@link Socket} over the parent's end of a socketpair
 * ({@link #stdio()}; slots 0-2 also as {@link #stdin()}, {@link #stdout()}, {@link #stderr()}),
 * exactly what Node gives: stdin is writable only; the others are readable (and writable). Output
 * nobody reads is drained after the exit, so 'close' still comes. Other slots are {@code null}.
 *
 * <p><b>IPC.</b> With an "ipc" slot (always for {@link ChildProcesses#fork}) the child gets one
 * end of a socketpair there, named by {@code NODE_CHANNEL_FD} with the mode in
 * {@code NODE_CHANNEL_SERIALIZATION_MODE}; the parent's end is this object's {@link #channel()}:
 * {@link #send}, {@link #disconnect}, and the events {@code 'message'} (message, handle),
 * {@code 'internalMessage'} and {@code 'disconnect'}. 'close' also waits for the channel to close
 * (unlike Node, also after the parent's own disconnect(), after which Node never emits 'close').
 *
 * <p>Thread rule: the loop thread of the environment that spawned it. Lifetime: until 'close'.
 */
public class ChildProcess extends EventEmitter {
    /** 'spawn': the program started. */
    public static final Event<Runnable> SPAWN = Event.of(ChildProcess.class, "spawn");
    /** 'exit' (the exit code, the signal's name): exactly one of the two is non-null. */
    public static final Event<BiConsumer<Integer, String>> EXIT = Event.of(ChildProcess.class, "exit", Integer.class,
            String.class);
    /** 'close' (the exit code, the signal's name): after 'exit' and once every stdio pipe and the channel closed. */
    public static final Event<BiConsumer<Integer, String>> CLOSE = Event.of(ChildProcess.class, "close", Integer.class,
            String.class);
    /** 'message' (the message, a handle sent with it or null): from the child, over the IPC channel. */
    public static final Event<BiConsumer<Object, Object>> MESSAGE = Event.of(ChildProcess.class, "message", Object.class,
            Object.class);
    /** 'disconnect': the IPC channel closed. */
    public static final Event<Runnable> DISCONNECT = Event.of(ChildProcess.class, "disconnect");

    final Environment env;
    private Process handle;
    private int pid;
    private Integer exitCode;
    private String signalCode;
    private boolean killed;
    private String spawnfile;
    private List<String> spawnargs = List.of();
    private Socket stdin;
    private Socket stdout;
    private Socket stderr;
    private List<Socket> stdio = List.of();
    private int closesNeeded = 1;
    private int closesGot;

    /** The IPC slot's pipe (the parent's end once spawned) and its slot number, or null / -1. */
    Pipe ipc;
    int ipcFd = -1;
    String serialization = "json";
    /** The IPC channel, or null without an "ipc" slot (or when the spawn failed). */
    private Channel channel;

    ChildProcess(Environment env) {
        this.env = env;
    }

    /** Node's {@code ChildProcess.prototype.spawn}: starts the program of {@code a}. */
    void spawn(SpawnArgs a) {
        List<StdioSpec.Entry> entries = StdioSpec.valid(a.options().stdio(), false);
        String mode = a.options().serialization();
        if (mode != null && !mode.equals("json") && !mode.equals("advanced")) {
            throw Errors.invalidArgValue("options.serialization", mode, "must be one of: undefined, 'json', 'advanced'");
        }
        serialization = mode == null ? "json" : mode;
        List<String> envPairs = new ArrayList<>(a.envPairs());
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).type() == StdioSpec.Type.IPC) {
                ipcFd = i;
                envPairs.add("NODE_CHANNEL_FD=" + i);
                envPairs.add("NODE_CHANNEL_SERIALIZATION_MODE=" + serialization);
            }
        }
        spawnfile = a.file();
        spawnargs = a.args();

        Pipe[] pipes = new Pipe[entries.size()];
        List<StdioContainer> containers = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            StdioSpec.Entry e = entries.get(i);
            containers.add(switch (e.type()) {
                case IGNORE -> StdioContainer.ignore();
                case PIPE -> StdioContainer.createPipe(pipes[i] = new Pipe(env.loop()));
                case IPC -> StdioContainer.createPipe(pipes[i] = new Pipe(env.loop(), true));
                case FD -> StdioContainer.inheritFd(e.fd());
                case WRAP -> StdioContainer.inheritStream(e.stream());
            });
        }
        ProcessOptions po = ProcessOptions.builder(a.file()).args(a.args()).env(envPairs).cwd(a.cwd())
                .stdio(containers).detached(a.detached()).uid(a.uid()).gid(a.gid())
                .onExit((p, status, signal) -> env.makeCallback(() -> onExit(status, signal)))
                .build();
        ErrnoException failure = null;
        try {
            handle = Process.spawn(env.loop(), po);
        } catch (ErrnoException e) {
            failure = e;
        } catch (RuntimeException e) {
            closeAll(pipes);
            throw e;
        }
        if (failure != null) {
            Errno code = failure.errnoEntry();
            switch (code) {
                // Run-time errors are an 'error' event, not an exception (Node's list).
                case EACCES, EAGAIN, EMFILE, ENFILE, ENOENT -> {
                    env.nextTick(() -> onExit(code.uvCode(), 0));
                    if (code == Errno.EMFILE || code == Errno.ENFILE) {
                        // No point setting up stdio: there are no descriptors to do it with.
                        closeAll(pipes);
                        return;
                    }
                }
                default -> {
                    closeAll(pipes);
                    throw ErrnoException.plain(code, "spawn", null);
                }
            }
        } else {
            pid = handle.pid();
            env.nextTick(() -> emit("spawn"));
        }

        List<Socket> sockets = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            StdioSpec.Entry e = entries.get(i);
            Socket s = null;
            switch (e.type()) {
                case IPC -> {
                    closesNeeded++;
                    ipc = pipes[i];
                }
                case WRAP -> {
                    // Shared with the child now: reading it here too would race the child.
                    e.stream().readStop();
                    if (e.socket() != null) e.socket().pause();
                }
                case PIPE -> {
                    if (pid != 0) {
                        s = new Socket(pipes[i], i > 0, true);
                        if (i > 0) {
                            closesNeeded++;
                            s.on("close", this::maybeClose);
                        }
                    } else {
                        pipes[i].close();
                        s = new Socket(); // Node's createSocket(null): a socket with no handle
                    }
                }
                default -> {}
            }
            sockets.add(s);
        }
        stdio = Collections.unmodifiableList(sockets);
        stdin = sockets.get(0); // valid() makes at least three slots
        stdout = sockets.get(1);
        stderr = sockets.get(2);
        if (ipc != null) setupChannel();
    }

    private static void closeAll(Pipe[] pipes) {
        for (Pipe p : pipes) {
            if (p != null) p.close();
        }
    }

    /**
     * Node's {@code setupChannel} for the parent: the IPC slot's pipe becomes a channel
     * whose deliveries are this object's 'message', 'internalMessage', 'disconnect' and 'error'
     * events. The channel counts as one of the closes 'close' waits for: it closes when either
     * side disconnects or the child's end goes away (the child exited).
     */
    void setupChannel() {
        if (pid == 0) {
            ipc.close(this::maybeClose); // the spawn failed: there is nobody to talk to
            return;
        }
        channel = new Channel(env, ipc, Serialization.of(serialization), new EmitterTarget(this, this::maybeClose), false);
    }

    /** Node's {@code onexit}: the exit (status ≥ 0), or a start failure (status = -errno) on the next tick. */
    private void onExit(long exitStatus, int termSignal) {
        if (termSignal != 0) {
            signalCode = Signals.name(termSignal);
        } else {
            exitCode = (int) exitStatus;
        }
        if (stdin != null) stdin.destroy();
        if (handle != null) {
            handle.close();
            handle = null;
        }
        if (exitStatus < 0) {
            String syscall = spawnfile != null ? "spawn " + spawnfile : "spawn";
            emit("error", ErrnoException.spawn(Errno.of((int) -exitStatus), syscall, spawnfile,
                    spawnargs.subList(Math.min(1, spawnargs.size()), spawnargs.size())));
        } else {
            emit("exit", exitCode, signalCode);
        }
        // Output nobody consumed is pulled through on the next tick so that every pipe reaches
        // its end and 'close' comes; until then the listener of 'exit' may still start reading.
        env.nextTick(this::flushStdio);
        maybeClose();
    }

    private void flushStdio() {
        for (Socket s : stdio) {
            if (s != null && !s.destroyed()) s.resume();
        }
    }

    /** Counts one of the closes 'close' waits for (the exit, each output pipe, the channel). */
    void maybeClose() {
        if (++closesGot == closesNeeded) emit("close", exitCode, signalCode);
    }

    // ---------------------------------------------------------------- public API

    /**
     * Sends SIGTERM (Node's {@code subprocess.kill()}).
     *
     * @return whether the signal was delivered
     * @see #kill(Object)
     */
    public boolean kill() {
        return kill("SIGTERM");
    }

    /**
     * Sends {@code signal} — a name ("SIGKILL", any case) or an Integer number; 0 only checks
     * that the child is there — and returns whether it was delivered. A child that has exited
     * (ESRCH) gives false, as in Node; EPERM is emitted as 'error'.
     *
     * @param signal a signal name or an Integer number
     * @return whether the signal was delivered
     * @throws dev.herd.node.NodeError ERR_UNKNOWN_SIGNAL for an unknown signal
     * @throws ErrnoException EINVAL or ENOSYS ("kill EINVAL") if the system refuses the signal
     */
    public boolean kill(Object signal) {
        env.checkThread();
        int signum = Integer.valueOf(0).equals(signal) ? 0 : SpawnArgs.convertToValidSignal(signal);
        if (handle != null) {
            try {
                handle.kill(signum);
                killed = true;
                return true;
            } catch (ErrnoException e) {
                switch (e.errnoEntry()) {
                    case ESRCH -> {} // already dead
                    case EINVAL, ENOSYS -> throw ErrnoException.plain(e.errnoEntry(), "kill", null);
                    default -> emit("error", ErrnoException.plain(e.errnoEntry(), "kill", null));
                }
            }
        }
        return false;
    }

    /** {@return whether a {@link #kill} delivered a signal (not whether the child died of it)} */
    public boolean killed() {
        return killed;
    }

    /** {@return the process id, or {@code null} if the spawn failed (Node: undefined)} */
    public Integer pid() {
        return pid == 0 ? null : pid;
    }

    /**
     * The process id, Java-shaped: {@link #pid()} without the null.
     *
     * @return the pid, or empty if the spawn failed
     */
    public OptionalInt pidIfStarted() {
        return pid == 0 ? OptionalInt.empty() : OptionalInt.of(pid);
    }

    /**
     * The exit code, Java-shaped: {@link #exitCode()} without the null.
     *
     * @return the exit code once the child exited normally (or the negative errno after a start
     *     failure); empty while it runs and after a signal ended it
     */
    public OptionalInt exitCodeIfExited() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /**
     * {@return the exit code once exited normally, the negative errno after a start failure, else {@code null}}
     */
    public Integer exitCode() {
        return exitCode;
    }

    /** {@return the name of the signal that ended the child ("SIGTERM"), or {@code null}} */
    public String signalCode() {
        return signalCode;
    }

    /** {@return the program started (the shell with the {@code shell} option)} */
    public String spawnfile() {
        return spawnfile;
    }

    /** {@return the full argument vector, argv[0] first} */
    public List<String> spawnargs() {
        return spawnargs;
    }

    /** {@return the child's stdin (writable), or {@code null} if slot 0 is not a pipe} */
    public Socket stdin() {
        return stdin;
    }

    /** {@return the child's stdout (readable), or {@code null} if slot 1 is not a pipe} */
    public Socket stdout() {
        return stdout;
    }

    /** {@return the child's stderr (readable), or {@code null} if slot 2 is not a pipe} */
    public Socket stderr() {
        return stderr;
    }

    /** {@return one entry per slot: the pipe's socket, or {@code null}; unmodifiable} */
    public List<Socket> stdio() {
        return stdio;
    }

    /** {@return whether an IPC channel is open (Node's {@code connected})} */
    public boolean connected() {
        return channel != null && channel.connected();
    }

    /** {@return the IPC channel (Node's {@code subprocess.channel}), or null without one} */
    public IpcChannel channel() {
        return channel;
    }

    /**
     * Sends a message to the child over the IPC channel (Node's {@code subprocess.send}), with an
     * optional handle (a net.Server, net.Socket, dgram.Socket or raw Tcp/Pipe/Udp), options and
     * callback, as {@code NodeProcess.send} in the child. Returns false when the channel is closed
     * (the error goes to the callback, or as 'error') or backed up (the message is queued all the
     * same).
     *
     * @param message the message: a value of the value model
     * @param handle a handle to send with it, or null
     * @param options send options, or null
     * @param callback runs once the message is written or failed, or null
     * @return false when the channel is closed or backed up
     * @throws IllegalStateException when the child has no channel (Node's send is then undefined)
     */
    public boolean send(Object message, Object handle, SendOptions options, SendCallback callback) {
        env.checkThread();
        if (channel == null) throw new IllegalStateException("subprocess.send: the child was not spawned with an 'ipc' slot");
        return channel.send(message, handle, options, callback);
    }

    /**
     * {@link #send(Object, Object, SendOptions, SendCallback)} of a message alone.
     *
     * @param message the message
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message) {
        return send(message, null, null, null);
    }

    /**
     * {@link #send(Object, Object, SendOptions, SendCallback)} with a callback.
     *
     * @param message the message
     * @param callback runs once the message is written or failed, or null
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message, SendCallback callback) {
        return send(message, null, null, callback);
    }

    /**
     * {@link #send(Object, Object, SendOptions, SendCallback)} with a handle.
     *
     * @param message the message
     * @param handle a handle to send with it, or null
     * @return false when the channel is closed or backed up
     */
    public boolean send(Object message, Object handle) {
        return send(message, handle, null, null);
    }

    /** Closes the IPC channel (Node's {@code subprocess.disconnect}); 'disconnect' follows. */
    public void disconnect() {
        env.checkThread();
        if (channel == null) throw new IllegalStateException("subprocess.disconnect: the child was not spawned with an 'ipc' slot");
        channel.disconnect();
    }

    @Override
    protected void listenerAdded(String event, int count) {
        if (channel != null && "message".equals(event)) channel.messageListenerAdded();
    }

    /** Makes the running child keep the process alive again (the default). */
    public void ref() {
        env.checkThread();
        if (handle != null) handle.ref();
    }

    /**
     * Lets the process exit while the child runs. Only the child itself stops counting: open
     * stdio pipes still keep the process alive while they are read, as in Node.
     */
    public void unref() {
        env.checkThread();
        if (handle != null) handle.unref();
    }
}
