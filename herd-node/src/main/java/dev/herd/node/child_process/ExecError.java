package dev.herd.node.child_process;

import dev.herd.node.NodeError;
import dev.herd.os.ErrnoException;
import java.util.List;

/**
 * The error of {@code exec}/{@code execFile} (given to the {@link ExecCallback}) and of
 * {@code execSync}/{@code execFileSync} (thrown), with the properties Node puts on it.
 *
 * <ul>
 *   <li>The program ran and failed (a non-zero exit or a signal): the message is Node's
 *       {@code "Command failed: <cmd>\n<stderr>"}, {@link #code()} the exit code (an Integer, or
 *       null when a signal ended it), {@link #killed()} whether Herd killed it (timeout,
 *       maxBuffer, abort), {@link #signal()} the signal's name.
 *   <li>Something else failed first: the child could not start (an {@link ErrnoException},
 *       "spawn foo ENOENT"), output passed maxBuffer (ERR_CHILD_PROCESS_STDIO_MAXBUFFER, or for
 *       the sync functions ENOBUFS), the timeout of a sync function (ETIMEDOUT), an abort
 *       (ABORT_ERR): that error is the {@link #getCause() cause}, and the message and
 *       {@link #code()} (a String) are its own.
 * </ul>
 * {@link #cmd()} is the command line (exec/execFile only, as in Node). The sync functions add
 * the whole {@link SpawnSyncResult} ({@link #status()}, {@link #stdout()}, ...).
 *
 * <p>Immutable.
 */
public final class ExecError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object code;
    /** Whether the child was killed by Node's machinery. */
    private final boolean killed;
    /** The name of the signal that ended the child, or null. */
    private final String signal;
    /** The command line, or null. */
    private final String cmd;
    private final transient SpawnSyncResult result;

    private ExecError(String message, Throwable cause, Object code, boolean killed, String signal, String cmd,
                      SpawnSyncResult result) {
        super(message, cause);
        this.code = code;
        this.killed = killed;
        this.signal = signal;
        this.cmd = cmd;
        this.result = result;
    }

    /** exec/execFile: the program ended with {@code code} (or was ended by {@code signal}). */
    static ExecError commandFailed(String cmd, String stderr, Object code, boolean killed, String signal) {
        return new ExecError("Command failed: " + cmd + "\n" + stderr, null, code, killed, signal, cmd, null);
    }

    /** exec/execFile: {@code cause} ended it (a start failure, maxBuffer, an abort). */
    static ExecError of(Throwable cause, String cmd) {
        return new ExecError(cause.getMessage(), cause, codeOf(cause), false, null, cmd, null);
    }

    /** execSync/execFileSync: the program ran and did not exit with 0. */
    static ExecError syncFailed(String message, SpawnSyncResult result) {
        return new ExecError(message, null, null, false, result.signal(), null, result);
    }

    /** execSync/execFileSync: {@code result.error()} ended it. */
    static ExecError syncError(SpawnSyncResult result) {
        ErrnoException e = result.error();
        return new ExecError(e.getMessage(), e, e.code(), false, result.signal(), null, result);
    }

    private static Object codeOf(Throwable t) {
        if (t instanceof ErrnoException e) return e.code();
        if (t instanceof NodeError e) return e.code();
        return null;
    }

    /** {@return Node's {@code err.code}: the exit code (Integer), the code of the cause (String), or null} */
    public Object code() {
        return code;
    }

    /** {@return Node's {@code err.errno} when the cause is an ErrnoException (-2 for ENOENT), else null} */
    public Integer errno() {
        return getCause() instanceof ErrnoException e ? e.errno() : null;
    }

    /**
     * {@return Node's {@code err.syscall} ("spawn foo", "spawnSync foo") when the cause is an ErrnoException}
     */
    public String syscall() {
        return getCause() instanceof ErrnoException e ? e.syscall() : null;
    }

    /** {@return Node's {@code err.path}: the file that failed to start} */
    public String path() {
        return getCause() instanceof ErrnoException e ? e.path() : null;
    }

    /** {@return Node's {@code err.spawnargs}: its arguments after argv[0]} */
    public List<String> spawnargs() {
        return getCause() instanceof ErrnoException e ? e.spawnargs() : null;
    }

    /** {@return whether the child was killed because of a timeout, maxBuffer or an abort (exec/execFile)} */
    public boolean killed() {
        return killed;
    }

    /** {@return the name of the signal that ended the child, or null} */
    public String signal() {
        return signal;
    }

    /** {@return the command line: the file and its arguments joined by spaces (exec/execFile), else null} */
    public String cmd() {
        return cmd;
    }

    /** {@return the sync functions' whole result, or null for exec/execFile} */
    public SpawnSyncResult result() {
        return result;
    }

    /** {@return Node's {@code err.status} (sync functions): the exit code, or null} */
    public Integer status() {
        return result == null ? null : result.status();
    }

    /** {@return Node's {@code err.stdout} (sync functions): byte[] or String, or null} */
    public Object stdout() {
        return result == null ? null : result.stdout();
    }

    /** {@return Node's {@code err.stderr} (sync functions): byte[] or String, or null} */
    public Object stderr() {
        return result == null ? null : result.stderr();
    }

    /** {@return Node's {@code err.pid} (sync functions), or null} */
    public Integer pid() {
        return result == null ? null : result.pid();
    }
}
