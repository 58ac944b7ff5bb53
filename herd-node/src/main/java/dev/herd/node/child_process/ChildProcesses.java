package dev.herd.node.child_process;

import dev.herd.node.AbortSignal;
import dev.herd.node.Globals;
import dev.herd.node.NodeError;
import dev.herd.node.Timeout;
import dev.herd.node.internal.Environment;
import dev.herd.node.internal.stream.Encoding;
import dev.herd.node.net.Socket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Node's {@code child_process} module ({@code lib/child_process.js}): {@link #spawn},
 * {@link #exec}, {@link #execFile}, and the synchronous {@link #spawnSync}, {@link #execSync},
 * {@link #execFileSync}. The options are one {@link SpawnOptions} record; each function reads
 * what Node's does, with Node's defaults, and throws Node's usage errors ({@link NodeError}
 * ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE, ERR_UNKNOWN_SIGNAL...)
 * synchronously. A {@code null} options argument means no options.
 *
 * <p>How a child starts (posix_spawn, exactly the stdio descriptors, an empty signal mask, the
 * program looked up in the child's PATH) is described in {@link dev.herd.io.Process} and
 * {@code docs/child_process.md}.
 *
 * <p>Thread rule: the asynchronous functions run on a Herd loop thread ({@code Herd.run}); the
 * sync ones on any platform thread (they run a private loop on it, and block it until the child
 * has exited and its output has ended). Stateless.
 */
public final class ChildProcesses {
    private ChildProcesses() {}

    // ---------------------------------------------------------------- spawn

    /**
     * {@link #spawn(String, List, SpawnOptions)} with no arguments and no options.
     *
     * @param file the program: a path, or a name looked up in PATH
     * @return the child
     */
    public static ChildProcess spawn(String file) {
        return spawn(file, null, null);
    }

    /**
     * {@link #spawn(String, List, SpawnOptions)} with no options.
     *
     * @param file the program: a path, or a name looked up in PATH
     * @param args its arguments
     * @return the child
     */
    public static ChildProcess spawn(String file, List<String> args) {
        return spawn(file, args, null);
    }

    /**
     * {@link #spawn(String, List, SpawnOptions)} with no arguments.
     *
     * @param file the program: a path, or a name looked up in PATH
     * @param options the options, or null
     * @return the child
     */
    public static ChildProcess spawn(String file, SpawnOptions options) {
        return spawn(file, null, options);
    }

    /**
     * Starts {@code file} with {@code args} (Node's {@code child_process.spawn}) and returns at
     * once; the child's life arrives as events on the returned {@link ChildProcess}. A start
     * failure such as ENOENT is an 'error' event on the next tick, never an exception. Options
     * read: cwd, env, argv0, stdio, detached, uid, gid, shell, serialization, timeout and
     * killSignal (kill after the timeout), signal (kill on abort, then 'error' with ABORT_ERR).
     *
     * @param file the program: a path, or a name looked up in PATH
     * @param args its arguments, or null
     * @param options the options, or null
     * @return the child
     */
    public static ChildProcess spawn(String file, List<String> args, SpawnOptions options) {
        Environment env = Environment.current();
        env.checkThread();
        SpawnArgs a = SpawnArgs.normalize(file, args, options);
        long timeout = SpawnArgs.timeout(a.options().timeout());
        AbortSignal signal = a.options().signal();
        int killSignal = SpawnArgs.killSignal(a.options().killSignal());
        ChildProcess child = new ChildProcess(env);
        child.spawn(a);

        if (timeout > 0) {
            Timeout[] timer = new Timeout[1];
            timer[0] = Globals.setTimeout(() -> {
                if (timer[0] == null) return;
                timer[0] = null;
                try {
                    child.kill(killSignal);
                } catch (RuntimeException e) {
                    child.emit("error", e);
                }
            }, timeout);
            child.once(ChildProcess.EXIT, (code, sig) -> {
                if (timer[0] != null) {
                    Globals.clearTimeout(timer[0]);
                    timer[0] = null;
                }
            });
        }
        if (signal != null) {
            Runnable onAbort = () -> abortChildProcess(child, killSignal, signal.reason());
            if (signal.aborted()) {
                env.nextTick(onAbort);
            } else {
                signal.addEventListener("abort", onAbort);
                child.once(ChildProcess.EXIT, (code, sig) -> signal.removeEventListener("abort", onAbort));
            }
        }
        return child;
    }

    /** Node's abortChildProcess: kill, and if that worked, 'error' with an AbortError. */
    private static void abortChildProcess(ChildProcess child, int killSignal, Object reason) {
        try {
            if (child.kill(killSignal)) child.emit("error", abortError(reason));
        } catch (RuntimeException e) {
            child.emit("error", e);
        }
    }

    /** Node's AbortError: code ABORT_ERR, "The operation was aborted", the signal's reason as cause. */
    static NodeError abortError(Object reason) {
        NodeError e = new NodeError("ABORT_ERR", "The operation was aborted");
        if (reason instanceof Throwable t) e.initCause(t);
        return e;
    }

    // ---------------------------------------------------------------- fork

    /**
     * {@link #fork(String, List, SpawnOptions)} with no arguments and no options.
     *
     * @param module a main class, or a path ending in {@code .jar}
     * @return the child
     */
    public static ChildProcess fork(String module) {
        return fork(module, null, null);
    }

    /**
     * {@link #fork(String, List, SpawnOptions)} with no options.
     *
     * @param module a main class, or a path ending in {@code .jar}
     * @param args its arguments
     * @return the child
     */
    public static ChildProcess fork(String module, List<String> args) {
        return fork(module, args, null);
    }

    /** The system property through which the launcher names the AOT cache made for forked Herd children. */
    public static final String CHILD_AOT_CACHE_PROPERTY = "herd.childAotCache";

    /**
     * The JVM options a forked Herd child gets by default: {@code execArgv} (this JVM's own)
     * without the options that write a file of a fixed name ({@code -XX:AOTCacheOutput},
     * {@code -Xlog:...:file=}, a fixed {@code -XX:HeapDumpPath}...: a parent and its children
     * would write one file at once; the list is in {@link InheritedJvmOptions}), and with the AOT
     * cache swapped for the one made for children, when the launcher or {@code herd run} names one
     * ({@value #CHILD_AOT_CACHE_PROPERTY}) and the file is there. The parent's cache holds what it
     * loads before its first request; a child also opens its IPC channel, parses JSON and, as a
     * cluster worker, listens through its primary, and the child cache holds those classes too
     * (./herd, make_child_aot_cache; docs/getting-started.md, "herd run").
     *
     * @param execArgv this JVM's options
     * @return the options for a forked child
     */
    public static List<String> childJvmOptions(List<String> execArgv) {
        List<String> inherited = InheritedJvmOptions.withoutFileWriters(execArgv);
        String cache = System.getProperty(CHILD_AOT_CACHE_PROPERTY);
        if (cache == null || cache.isEmpty() || !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(cache))) {
            return inherited;
        }
        List<String> out = new ArrayList<>(inherited.size());
        for (String a : inherited) out.add(a.startsWith("-XX:AOTCache=") ? "-XX:AOTCache=" + cache : a);
        return out;
    }

    /**
     * Starts another program with an IPC channel to it (Node's {@code child_process.fork}): by
     * default a new JVM running {@code module} — a main class, or a path ending in {@code .jar} —
     * with this JVM's options ({@code process.execArgv}) and class path, so a Herd program forks a
     * Herd program in one call; with {@code options.execPath} any program, started as
     * {@code execPath ...execArgv module ...args} exactly as Node does it ({@code execPath("node")}
     * forks a Node script). The channel sits at the "ipc" slot (fd 3 by default, stdio
     * {@code [inherit, inherit, inherit, ipc]}, or pipes with {@code silent}); the child finds it
     * through {@code NODE_CHANNEL_FD}. A JVM child started this way starts its own loop with
     * {@code Herd.run} and talks through {@code process().send} / {@code 'message'}. A JVM that
     * runs on the module path forks {@code module/class} (its own {@code process.argv[1]}, as
     * {@code java -m} gives it) with {@code -m} and its options' {@code --module-path}.
     *
     * @param module a main class, a path ending in {@code .jar}, {@code module/class} on the module
     *     path, or with {@code execPath} any script
     * @param args its arguments, or null
     * @param options the options, or null
     * @return the child, with its IPC channel
     * @throws NodeError ERR_CHILD_PROCESS_IPC_REQUIRED if a stdio list has no "ipc" entry,
     *     ERR_INVALID_ARG_TYPE / ERR_INVALID_ARG_VALUE for bad arguments, as Node
     */
    public static ChildProcess fork(String module, List<String> args, SpawnOptions options) {
        Environment env = Environment.current();
        env.checkThread();
        if (module == null) throw Errors.invalidArgType("modulePath", List.of("string"), null);
        Errors.checkNoNulInPath(module, "modulePath");
        SpawnOptions o = options == null ? SpawnOptions.DEFAULT : options;
        // Node's `options.execPath || process.execPath`: an empty path means the default too.
        boolean ownJvm = o.execPath() == null || o.execPath().isEmpty();
        String execPath = ownJvm ? javaExecutable() : o.execPath();
        Errors.checkNoNul(execPath, "options.execPath");
        if (o.execArgv() != null) {
            for (int i = 0; i < o.execArgv().size(); i++) Errors.checkNoNul(o.execArgv().get(i), "options.execArgv[" + i + "]");
        }
        boolean jvm = ownJvm || execPath.substring(execPath.lastIndexOf('/') + 1).equals("java");
        if (ownJvm) BuildToolCheck.warnIfRelaunching(env, module);
        List<String> argv = new ArrayList<>();
        if (o.execArgv() != null) {
            argv.addAll(o.execArgv());
        } else if (jvm) {
            argv.addAll(childJvmOptions(env.process().execArgv()));
        }
        if (jvm) TrainingChild.addRecordingOptions(argv, o.env()); // herd run's AOT training: the first worker records
        // On the module path a program's argv[1] is "module/class" (java -m); execArgv carries --module-path.
        boolean mainModule = jvm && System.getProperty("jdk.module.path") != null && MODULE_MAIN.matcher(module).matches();
        if (jvm && !mainModule && !hasClassPath(argv) && !module.endsWith(".jar")) {
            argv.add("-cp");
            argv.add(System.getProperty("java.class.path"));
        }
        if (jvm && module.endsWith(".jar")) argv.add("-jar");
        if (mainModule) argv.add("-m");
        argv.add(module);
        if (args != null) argv.addAll(args);

        Object stdio;
        if (o.stdio() instanceof String shorthand) {
            stdio = List.of(shorthand, shorthand, shorthand, "ipc");
        } else if (o.stdio() instanceof List<?> list) {
            if (!list.contains("ipc")) {
                throw new NodeError("ERR_CHILD_PROCESS_IPC_REQUIRED",
                        "Forked processes must have an IPC channel, missing value 'ipc' in options.stdio");
            }
            stdio = list;
        } else {
            String s = Boolean.TRUE.equals(o.silent()) ? "pipe" : "inherit";
            stdio = List.of(s, s, s, "ipc");
        }
        SpawnOptions spawnOptions = o.toBuilder().stdio((List<?>) stdio).build();
        spawnOptions = new SpawnOptions(spawnOptions.cwd(), spawnOptions.env(), spawnOptions.argv0(), spawnOptions.stdio(),
                spawnOptions.detached(), spawnOptions.uid(), spawnOptions.gid(), null /* no shell, as Node forces */,
                spawnOptions.timeout(), spawnOptions.killSignal(), spawnOptions.maxBuffer(), spawnOptions.encoding(),
                spawnOptions.signal(), spawnOptions.windowsHide(), spawnOptions.windowsVerbatimArguments(),
                spawnOptions.input(), spawnOptions.serialization(), null, null, null);
        return spawn(execPath, argv, spawnOptions);
    }

    /** {@code java -m}'s argument: a module name, a slash and a class name. */
    private static final java.util.regex.Pattern MODULE_MAIN = java.util.regex.Pattern.compile("[\\w.]+/[\\w.$]+");

    private static boolean hasClassPath(List<String> jvmArgs) {
        for (String a : jvmArgs) {
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path") || a.startsWith("--class-path=")
                    || a.equals("-jar")) {
                return true;
            }
        }
        return false;
    }

    /** This JVM's java launcher, which forks by default (Node's process.execPath). */
    private static String javaExecutable() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    // ---------------------------------------------------------------- exec, execFile

    /**
     * {@link #exec(String, SpawnOptions, ExecCallback)} with no options and no callback.
     *
     * @param command the command line
     * @return the child
     */
    public static ChildProcess exec(String command) {
        return exec(command, null, null);
    }

    /**
     * {@link #exec(String, SpawnOptions, ExecCallback)} with no options.
     *
     * @param command the command line
     * @param callback gets the error and the output once the child has exited
     * @return the child
     */
    public static ChildProcess exec(String command, ExecCallback callback) {
        return exec(command, null, callback);
    }

    /**
     * Runs {@code command} in a shell ({@code /bin/sh -c command}, or the {@code shell} option's
     * path) and calls {@code callback} with its output once it has exited (Node's
     * {@code child_process.exec}); see {@link #execFile(String, List, SpawnOptions, ExecCallback)}.
     *
     * @param command the command line
     * @param options the options, or null
     * @param callback gets the error and the output once the child has exited, or null
     * @return the child
     */
    public static ChildProcess exec(String command, SpawnOptions options, ExecCallback callback) {
        if (command == null) throw Errors.invalidArgType("command", List.of("string"), null);
        Errors.checkNoNul(command, "command");
        return execFile(command, List.of(), withShell(options), callback);
    }

    /** Node's normalizeExecArgs: the shell option becomes its string, or true. */
    private static SpawnOptions withShell(SpawnOptions options) {
        SpawnOptions o = options == null ? SpawnOptions.DEFAULT : options;
        SpawnOptions.Builder b = o.toBuilder();
        if (o.shell() instanceof String s) b.shell(s);
        else b.shell(true);
        return b.build();
    }

    /**
     * {@link #execFile(String, List, SpawnOptions, ExecCallback)} with no arguments and no options.
     *
     * @param file the program
     * @param callback gets the error and the output once the child has exited
     * @return the child
     */
    public static ChildProcess execFile(String file, ExecCallback callback) {
        return execFile(file, null, null, callback);
    }

    /**
     * {@link #execFile(String, List, SpawnOptions, ExecCallback)} with no options and no callback.
     *
     * @param file the program
     * @param args its arguments
     * @return the child
     */
    public static ChildProcess execFile(String file, List<String> args) {
        return execFile(file, args, null, null);
    }

    /**
     * {@link #execFile(String, List, SpawnOptions, ExecCallback)} with no options.
     *
     * @param file the program
     * @param args its arguments
     * @param callback gets the error and the output once the child has exited
     * @return the child
     */
    public static ChildProcess execFile(String file, List<String> args, ExecCallback callback) {
        return execFile(file, args, null, callback);
    }

    /**
     * Runs {@code file} with {@code args} (no shell unless the {@code shell} option says so) and
     * calls {@code callback} once, after the child has exited and its output has ended (Node's
     * {@code child_process.execFile}): {@code (null, stdout, stderr)} for exit code 0, else an
     * {@link ExecError}. Output is collected up to {@code maxBuffer} bytes per stream (default
     * 1 MiB); more kills the child ({@code killSignal}) with ERR_CHILD_PROCESS_STDIO_MAXBUFFER,
     * and the output is cut at the limit. {@code timeout} kills it too ({@code killed} and
     * {@code signal} on the error). Output is decoded with {@code encoding} (default "utf8";
     * "buffer" for byte[]). Options read besides: cwd, env, uid, gid, shell, signal. The child's
     * stdio is always three pipes.
     *
     * @param callback may be null: the child runs and its output is dropped
     * @param file the program: a path, or a name looked up in PATH
     * @param args its arguments, or null
     * @param options the options, or null
     * @return the child
     */
    public static ChildProcess execFile(String file, List<String> args, SpawnOptions options, ExecCallback callback) {
        SpawnOptions o = options == null ? SpawnOptions.DEFAULT : options;
        Errors.checkNoNul(o.argv0(), "options.argv0");
        long timeout = SpawnArgs.timeout(o.timeout());
        double maxBuffer = SpawnArgs.maxBuffer(o.maxBuffer());
        int killSignal = SpawnArgs.killSignal(o.killSignal());
        SpawnOptions.Builder sb = SpawnOptions.builder().cwd(o.cwd()).env(o.env()).signal(o.signal());
        if (o.shell() instanceof Boolean b) sb.shell(b);
        else if (o.shell() instanceof String s) sb.shell(s);
        else if (o.shell() != null) throw Errors.invalidArgType("options.shell", List.of("boolean", "string"), o.shell());
        if (o.uid() != null) sb.uid(o.uid());
        if (o.gid() != null) sb.gid(o.gid());
        ChildProcess child = spawn(file, args, sb.build());
        String encoding = o.encoding() == null ? "utf8" : o.encoding();
        Encoding enc = "buffer".equals(encoding) ? null : Encoding.lookup(encoding);
        String cmd = args == null || args.isEmpty() ? file : file + " " + String.join(" ", args);
        new ExecRun(child, enc, maxBuffer, killSignal, timeout, cmd, callback).start();
        return child;
    }

    /** The bookkeeping of one execFile: Node's closures around exithandler, errorhandler and kill. */
    private static final class ExecRun {
        final ChildProcess child;
        final Encoding enc;
        final double maxBuffer;
        final int killSignal;
        final long timeoutMs;
        final String cmd;
        final ExecCallback callback;
        final Output out;
        final Output err;
        Timeout timer;
        boolean killed;
        boolean exited;
        RuntimeException ex;

        ExecRun(ChildProcess child, Encoding enc, double maxBuffer, int killSignal, long timeoutMs, String cmd,
                ExecCallback callback) {
            this.child = child;
            this.enc = enc;
            this.maxBuffer = maxBuffer;
            this.killSignal = killSignal;
            this.timeoutMs = timeoutMs;
            this.cmd = cmd;
            this.callback = callback;
            this.out = new Output("stdout", child.stdout());
            this.err = new Output("stderr", child.stderr());
        }

        void start() {
            if (timeoutMs > 0) {
                timer = Globals.setTimeout(() -> {
                    timer = null;
                    kill();
                }, timeoutMs);
            }
            out.listen();
            err.listen();
            child.on(ChildProcess.CLOSE, this::exithandler);
            child.on("error", a -> errorhandler((RuntimeException) a[0]));
        }

        /** One output stream: its chunks (Strings when decoding, else byte[]) and their length. */
        final class Output {
            final String name;
            final Socket socket;
            final List<Object> chunks = new ArrayList<>();
            long length;

            Output(String name, Socket socket) {
                this.name = name;
                this.socket = socket;
            }

            void listen() {
                if (socket == null) return;
                // 'data' listeners of the caller see Strings too, as in Node.
                if (enc != null) socket.setEncoding(enc.nodeName());
                socket.on("data", a -> onData(a[0]));
            }

            void onData(Object chunk) {
                if (maxBuffer == Double.POSITIVE_INFINITY) {
                    chunks.add(chunk);
                    return;
                }
                long n = chunk instanceof String s ? enc.byteLength(s) : ((byte[]) chunk).length;
                length += n;
                if (length > maxBuffer) {
                    // Node cuts the chunk at maxBuffer minus what came before, counting that in
                    // the chunk's own units (characters of a decoded string).
                    long keep = (long) Math.floor(maxBuffer - (length - n));
                    chunks.add(slice(chunk, keep));
                    ex = Errors.maxBuffer(name);
                    kill();
                } else {
                    chunks.add(chunk);
                }
            }

            Object joined() {
                if (enc != null) {
                    StringBuilder sb = new StringBuilder();
                    for (Object c : chunks) sb.append(c instanceof String s ? s : enc.decode((byte[]) c));
                    return sb.toString();
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (Object c : chunks) {
                    if (c instanceof byte[] b) bytes.writeBytes(b);
                    else bytes.writeBytes(((String) c).getBytes(StandardCharsets.UTF_8));
                }
                return bytes.toByteArray();
            }
        }

        private static Object slice(Object chunk, long keep) {
            if (chunk instanceof String s) return s.substring(0, (int) Math.min(keep, s.length()));
            byte[] b = (byte[]) chunk;
            return Arrays.copyOf(b, (int) Math.min(keep, b.length));
        }

        void exithandler(Integer code, String signal) {
            if (exited) return;
            exited = true;
            if (timer != null) {
                Globals.clearTimeout(timer);
                timer = null;
            }
            if (callback == null) return;
            Object stdout = out.joined();
            Object stderr = err.joined();
            if (ex == null && code != null && code == 0 && signal == null) {
                callback.done(null, stdout, stderr);
                return;
            }
            ExecError error;
            if (ex == null) {
                Object c = code != null && code < 0 ? dev.herd.os.Errno.of(code).name() : code;
                String stderrText = stderr instanceof String s ? s : new String((byte[]) stderr, StandardCharsets.UTF_8);
                error = ExecError.commandFailed(cmd, stderrText, c, child.killed() || killed, signal);
            } else {
                error = ExecError.of(ex, cmd);
            }
            callback.done(error, stdout, stderr);
        }

        void errorhandler(RuntimeException e) {
            ex = e;
            if (child.stdout() != null) child.stdout().destroy();
            if (child.stderr() != null) child.stderr().destroy();
            exithandler(null, null);
        }

        void kill() {
            if (child.stdout() != null) child.stdout().destroy();
            if (child.stderr() != null) child.stderr().destroy();
            killed = true;
            try {
                child.kill(killSignal);
            } catch (RuntimeException e) {
                ex = e;
                exithandler(null, null);
            }
        }
    }

    // ---------------------------------------------------------------- sync

    /**
     * {@link #spawnSync(String, List, SpawnOptions)} with no arguments and no options.
     *
     * @param file the program
     * @return the outcome
     */
    public static SpawnSyncResult spawnSync(String file) {
        return spawnSync(file, null, null);
    }

    /**
     * {@link #spawnSync(String, List, SpawnOptions)} with no options.
     *
     * @param file the program
     * @param args its arguments
     * @return the outcome
     */
    public static SpawnSyncResult spawnSync(String file, List<String> args) {
        return spawnSync(file, args, null);
    }

    /**
     * {@link #spawnSync(String, List, SpawnOptions)} with no arguments.
     *
     * @param file the program
     * @param options the options, or null
     * @return the outcome
     */
    public static SpawnSyncResult spawnSync(String file, SpawnOptions options) {
        return spawnSync(file, null, options);
    }

    /**
     * Runs {@code file} and blocks until it has exited and its pipes have ended (Node's
     * {@code child_process.spawnSync}). Failures are in the result's {@code error}, not thrown:
     * a start failure (then pid 0 and no output), ETIMEDOUT after {@code timeout} (the child is
     * sent {@code killSignal}), ENOBUFS when stdout and stderr together pass {@code maxBuffer}
     * (default 1 MiB; 0 or Infinity: no limit), EPIPE when the child did not read all of
     * {@code input}. Output is byte[] unless {@code encoding} names an encoding. Options read:
     * cwd, env, argv0, stdio (no "ipc"), detached, uid, gid, shell, input, timeout, killSignal,
     * maxBuffer, encoding.
     *
     * @param file the program: a path, or a name looked up in PATH
     * @param args its arguments, or null
     * @param options the options, or null
     * @return the outcome: pid, output, status, signal and error
     */
    public static SpawnSyncResult spawnSync(String file, List<String> args, SpawnOptions options) {
        SpawnArgs a = SpawnArgs.normalize(file, args, options);
        SpawnOptions o = a.options();
        double maxBuffer = SpawnArgs.maxBuffer(o.maxBuffer());
        long timeout = SpawnArgs.timeout(o.timeout());
        int killSignal = SpawnArgs.killSignal(o.killSignal());
        StdioSpec.valid(o.stdio(), true); // its errors first, before anything starts
        Encoding enc = o.encoding() == null || o.encoding().equals("buffer") ? null : Encoding.require(o.encoding());
        byte[] input = switch (o.input()) {
            case null -> null;
            case byte[] b -> b;
            case String s -> enc == null ? s.getBytes(StandardCharsets.UTF_8) : enc.encode(s);
            default -> throw Errors.invalidArgType("options.stdio[0]", List.of("Buffer", "TypedArray", "DataView", "string"),
                    o.input());
        };
        SpawnSyncResult r = SpawnSync.run(a, maxBuffer, timeout, killSignal, input);
        if (enc == null || r.output() == null) return r;
        List<Object> output = Arrays.asList(new Object[r.output().size()]);
        for (int i = 0; i < output.size(); i++) {
            if (r.output().get(i) instanceof byte[] b) output.set(i, enc.decode(b));
        }
        return new SpawnSyncResult(r.pid(), Collections.unmodifiableList(output), output.size() > 1 ? output.get(1) : null,
                output.size() > 2 ? output.get(2) : null, r.status(), r.signal(), r.error());
    }

    /**
     * {@link #execSync(String, SpawnOptions)} with no options.
     *
     * @param command the command line
     * @return the child's stdout
     */
    public static Object execSync(String command) {
        return execSync(command, null);
    }

    /**
     * Runs {@code command} in a shell, blocks until it is done and returns its stdout (byte[],
     * or a String with an {@code encoding}); throws {@link ExecError} ("Command failed: ...",
     * with status, signal, stdout, stderr) unless it exited with 0 (Node's
     * {@code child_process.execSync}). Without a {@code stdio} option, the child's stderr is
     * copied to this process's stderr.
     *
     * @param command the command line
     * @param options the options, or null
     * @return the child's stdout: byte[], or a String with an {@code encoding}
     */
    public static Object execSync(String command, SpawnOptions options) {
        if (command == null) throw Errors.invalidArgType("command", List.of("string"), null);
        Errors.checkNoNul(command, "command");
        SpawnOptions o = withShell(options);
        boolean inheritStderr = o.stdio() == null;
        SpawnSyncResult r = spawnSync(command, null, o);
        if (inheritStderr) writeStderr(r.stderr());
        ExecError e = checkExecSyncError(r, null, command);
        if (e != null) throw e;
        return r.stdout();
    }

    /**
     * {@link #execFileSync(String, List, SpawnOptions)} with no arguments and no options.
     *
     * @param file the program
     * @return the child's stdout
     */
    public static Object execFileSync(String file) {
        return execFileSync(file, null, null);
    }

    /**
     * {@link #execFileSync(String, List, SpawnOptions)} with no options.
     *
     * @param file the program
     * @param args its arguments
     * @return the child's stdout
     */
    public static Object execFileSync(String file, List<String> args) {
        return execFileSync(file, args, null);
    }

    /**
     * {@link #execSync} for a file and its arguments (no shell unless the {@code shell} option
     * says so): Node's {@code child_process.execFileSync}.
     *
     * @param file the program
     * @param args its arguments, or null
     * @param options the options, or null
     * @return the child's stdout: byte[], or a String with an {@code encoding}
     */
    public static Object execFileSync(String file, List<String> args, SpawnOptions options) {
        SpawnOptions o = options == null ? SpawnOptions.DEFAULT : options;
        boolean inheritStderr = o.stdio() == null;
        SpawnSyncResult r = spawnSync(file, args, o);
        if (inheritStderr) writeStderr(r.stderr());
        List<String> errArgs = new ArrayList<>();
        errArgs.add(o.argv0() != null ? o.argv0() : file);
        if (args != null) errArgs.addAll(args);
        ExecError e = checkExecSyncError(r, errArgs, null);
        if (e != null) throw e;
        return r.stdout();
    }

    private static void writeStderr(Object stderr) {
        byte[] b = stderr instanceof byte[] bytes ? bytes
                : stderr instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
        if (b == null || b.length == 0) return;
        System.err.write(b, 0, b.length);
        System.err.flush();
    }

    /** Node's checkExecSyncError. */
    private static ExecError checkExecSyncError(SpawnSyncResult r, List<String> args, String cmd) {
        if (r.error() != null) return ExecError.syncError(r);
        if (r.status() != null && r.status() == 0) return null;
        StringBuilder msg = new StringBuilder("Command failed: ").append(cmd != null ? cmd : String.join(" ", args));
        Object stderr = r.stderr();
        String text = stderr instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : stderr instanceof String s ? s : "";
        if (!text.isEmpty()) msg.append('\n').append(text);
        return ExecError.syncFailed(msg.toString(), r);
    }
}
