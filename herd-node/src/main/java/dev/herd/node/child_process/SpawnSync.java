package dev.herd.node.child_process;

import dev.herd.io.Pipe;
import dev.herd.io.Process;
import dev.herd.io.ProcessOptions;
import dev.herd.io.StdioContainer;
import dev.herd.loop.Handle;
import dev.herd.loop.Loop;
import dev.herd.loop.RunMode;
import dev.herd.loop.Timer;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Signals;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One spawnSync (Node's {@code SyncProcessRunner}, {@code src/spawn_sync.cc}): a private
 * {@link Loop} on the calling thread runs the child, writes the input to its stdin and collects
 * its pipes, with an unreferenced timer for the timeout; the calling thread's own loop, if any,
 * does not run meanwhile (as Node's event loop does not). {@code maxBuffer} counts the output of
 * all pipes together; passing it sets ENOBUFS and kills the child, the timeout sets ETIMEDOUT
 * and kills it; a kill also closes our ends of the pipes, so a grandchild that keeps them open
 * cannot make the call hang. The first error wins, then a pipe's (EPIPE: the child did not read
 * all the input).
 *
 * <p>Thread rule: any platform thread. Lifetime: one call.
 */
final class SpawnSync {
    private final Loop loop = new Loop();
    private final SpawnArgs args;
    private final double maxBuffer;
    private final long timeout;
    private final int killSignal;
    private final byte[] input;

    private Process process;
    private final List<Pipe> pipes = new ArrayList<>();
    private ByteArrayOutputStream[] outputs;
    private Timer killTimer;
    private long buffered;
    private ErrnoException error;
    private ErrnoException pipeError;
    private boolean killed;
    private long exitStatus = -1;
    private int termSignal;

    private SpawnSync(SpawnArgs args, double maxBuffer, long timeout, int killSignal, byte[] input) {
        this.args = args;
        this.maxBuffer = maxBuffer;
        this.timeout = timeout;
        this.killSignal = killSignal;
        this.input = input;
    }

    /** Runs the child to completion; returns the raw result (output as byte[]). */
    static SpawnSyncResult run(SpawnArgs args, double maxBuffer, long timeout, int killSignal, byte[] input) {
        return new SpawnSync(args, maxBuffer, timeout, killSignal, input).run();
    }

    private SpawnSyncResult run() {
        try {
            List<StdioSpec.Entry> entries = StdioSpec.valid(args.options().stdio(), true);
            outputs = new ByteArrayOutputStream[entries.size()];
            Pipe[] slotPipes = new Pipe[entries.size()];
            List<StdioContainer> containers = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                StdioSpec.Entry e = entries.get(i);
                containers.add(switch (e.type()) {
                    case PIPE -> {
                        slotPipes[i] = new Pipe(loop);
                        pipes.add(slotPipes[i]);
                        yield StdioContainer.createPipe(slotPipes[i]);
                    }
                    case FD -> StdioContainer.inheritFd(e.fd());
                    case WRAP -> StdioContainer.inheritFd(e.stream().fileno());
                    default -> StdioContainer.ignore();
                });
            }
            try {
                process = Process.spawn(loop, ProcessOptions.builder(args.file()).args(args.args())
                        .env(args.envPairs()).cwd(args.cwd()).stdio(containers).detached(args.detached())
                        .uid(args.uid()).gid(args.gid())
                        .onExit(this::onExit).build());
            } catch (ErrnoException e) {
                setError(e.errnoEntry());
                return result();
            }
            for (int i = 0; i < slotPipes.length; i++) {
                Pipe p = slotPipes[i];
                if (p == null) continue;
                if (i == 0) {
                    // The child's stdin: the input, then end of file.
                    if (input != null && input.length > 0) p.write(input, this::onWritten);
                    p.shutdown(err -> p.close());
                } else {
                    ByteArrayOutputStream out = outputs[i] = new ByteArrayOutputStream();
                    p.readStart((data, err) -> onRead(p, out, data, err));
                }
            }
            if (timeout > 0) {
                killTimer = new Timer(loop);
                killTimer.start(this::onTimeout, timeout, 0);
                killTimer.unref(); // the timeout alone never keeps the run going
            }
            loop.run();
            return result();
        } finally {
            close();
        }
    }

    private void onWritten(ErrnoException err) {
        if (err != null && err.errnoEntry() != Errno.ECANCELED && pipeError == null) pipeError = err;
    }

    private void onRead(Pipe p, ByteArrayOutputStream out, ByteBuffer data, ErrnoException err) {
        if (data == null) {
            if (err.errnoEntry() != Errno.EOF && pipeError == null) pipeError = err;
            p.close();
            return;
        }
        int n = data.remaining();
        byte[] chunk = new byte[n];
        data.get(chunk);
        out.write(chunk, 0, n);
        buffered += n;
        // Node checks after keeping the chunk: output may exceed maxBuffer by one read.
        if (maxBuffer > 0 && buffered > maxBuffer) {
            setError(Errno.ENOBUFS);
            kill();
        }
    }

    private void onTimeout() {
        setError(Errno.ETIMEDOUT);
        kill();
    }

    private void onExit(Process p, long status, int signal) {
        if (status < 0) setError(Errno.of((int) -status)); // reaped elsewhere: the status is lost
        exitStatus = status;
        termSignal = signal;
        p.close();
        if (killTimer != null) killTimer.close();
    }

    private void setError(Errno e) {
        if (error == null) error = ErrnoException.spawn(e, "spawnSync " + args.file(), args.file(), rest(args.args()));
    }

    private static List<String> rest(List<String> argv) {
        return argv.subList(Math.min(1, argv.size()), argv.size());
    }

    /** Node's Kill: signal once (SIGKILL if the signal is refused), then stop listening to the pipes. */
    private void kill() {
        if (killed) return;
        killed = true;
        if (process != null && !process.hasExited() && !process.isClosing()) {
            try {
                process.kill(killSignal);
            } catch (ErrnoException e) {
                if (e.errnoEntry() != Errno.ESRCH) {
                    setError(e.errnoEntry());
                    try {
                        process.kill(Signals.SIGKILL);
                    } catch (ErrnoException ignored) {
                        // not ours to kill any more
                    }
                }
            }
        }
        for (Pipe p : pipes) p.close();
        if (killTimer != null) killTimer.close();
    }

    private SpawnSyncResult result() {
        ErrnoException err = error != null ? error : pipeError == null ? null
                : ErrnoException.spawn(pipeError.errnoEntry(), "spawnSync " + args.file(), args.file(), rest(args.args()));
        if (exitStatus < 0) {
            return new SpawnSyncResult(process == null ? 0 : process.pid(), null, null, null, null, null, err);
        }
        List<Object> output = Arrays.asList(new Object[outputs.length]);
        for (int i = 0; i < outputs.length; i++) output.set(i, outputs[i] == null ? null : outputs[i].toByteArray());
        return new SpawnSyncResult(process.pid(), Collections.unmodifiableList(output),
                output.size() > 1 ? output.get(1) : null, output.size() > 2 ? output.get(2) : null,
                termSignal > 0 ? null : (int) exitStatus, termSignal > 0 ? Signals.name(termSignal) : null, err);
    }

    /** Closes every handle, lets the close callbacks run and closes the private loop. */
    private void close() {
        if (process != null && !process.hasExited() && !process.isClosing()) {
            // Only after a failure inside this class: never leave the child running unreaped.
            killed = false;
            kill();
            try {
                process.kill(Signals.SIGKILL);
            } catch (ErrnoException ignored) {
                // gone already
            }
            while (!process.hasExited() && loop.isAlive()) loop.run(RunMode.ONCE);
        }
        loop.walk(Handle::close);
        while (loop.isAlive()) loop.run();
        loop.close();
    }
}
