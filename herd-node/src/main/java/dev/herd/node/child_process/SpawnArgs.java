package dev.herd.node.child_process;

import dev.herd.node.internal.Environment;
import dev.herd.os.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A spawn's arguments after Node's {@code normalizeSpawnArguments}: the program, its full argument
 * vector (argv[0] first: the {@code argv0} option or the file), the environment as
 * {@code NAME=value} pairs, the working directory, and the options they came from. The shell
 * option is applied here: the file becomes the shell and the arguments {@code -c "file args..."}.
 * Also the other checks Node's functions share (timeout, maxBuffer, killSignal). Immutable.
 */
record SpawnArgs(String file, List<String> args, List<String> envPairs, String cwd, boolean detached,
                 SpawnOptions options) {
    /** Node's MAX_BUFFER: the default maxBuffer, 1 MiB. */
    static final double MAX_BUFFER = 1024 * 1024;

    static SpawnArgs normalize(String file, List<String> args, SpawnOptions options) {
        if (file == null) throw Errors.invalidArgType("file", List.of("string"), null);
        Errors.checkNoNul(file, "file");
        if (file.isEmpty()) throw Errors.invalidArgValue("file", file, "cannot be empty");
        List<String> argv = new ArrayList<>(args == null ? List.of() : args);
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i) == null) throw Errors.invalidArgType("args[" + i + "]", List.of("string"), null);
            Errors.checkNoNul(argv.get(i), "args[" + i + "]");
        }
        SpawnOptions o = options == null ? SpawnOptions.DEFAULT : options;
        String cwd = o.cwd();
        Errors.checkNoNulInPath(cwd, "options.cwd");
        if (cwd != null && cwd.isEmpty()) cwd = null; // libuv only chdirs for a non-empty path
        Object shell = o.shell();
        if (shell != null && !(shell instanceof Boolean) && !(shell instanceof String)) {
            throw Errors.invalidArgType("options.shell", List.of("boolean", "string"), shell);
        }
        Errors.checkNoNul(o.argv0(), "options.argv0");
        checkIds(o);
        if (Boolean.TRUE.equals(shell) || (shell instanceof String s && !s.isEmpty())) {
            Errors.checkNoNul(shell instanceof String s ? s : null, "options.shell");
            List<String> words = new ArrayList<>();
            words.add(file);
            words.addAll(argv);
            String command = String.join(" ", words);
            file = shell instanceof String s ? s : "/bin/sh";
            argv = new ArrayList<>(List.of("-c", command));
        }
        argv.addFirst(o.argv0() != null ? o.argv0() : file);
        Map<String, String> env = o.env() != null ? o.env() : processEnv();
        List<String> pairs = new ArrayList<>(env.size() + 2);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) continue; // undefined values are left out
            Errors.checkNoNul(e.getKey(), "options.env['" + e.getKey() + "']");
            Errors.checkNoNul(e.getValue(), "options.env['" + e.getKey() + "']");
            pairs.add(e.getKey() + "=" + e.getValue());
        }
        return new SpawnArgs(file, List.copyOf(argv), pairs, cwd, Boolean.TRUE.equals(o.detached()), o);
    }

    /** process.env of this thread's Herd environment; the JVM's environment where there is none (the sync functions). */
    private static Map<String, String> processEnv() {
        try {
            return Environment.current().process().env();
        } catch (IllegalStateException noEnvironment) {
            return System.getenv();
        }
    }

    /**
     * Node's validateInt32 of uid and gid; a negative id is refused here (posix ids are unsigned,
     * and -1 means "unchanged" below). Whether we may become that user is the kernel's answer at
     * the spawn: EPERM, thrown synchronously as Node throws it.
     */
    private static void checkIds(SpawnOptions o) {
        if (o.uid() != null && o.uid() < 0) throw Errors.outOfRange("options.uid", ">= 0", o.uid());
        if (o.gid() != null && o.gid() < 0) throw Errors.outOfRange("options.gid", ">= 0", o.gid());
    }

    /** {@return the uid for the process layer: -1 when none was given} */
    int uid() {
        return options.uid() == null ? -1 : options.uid();
    }

    /** {@return the gid for the process layer: -1 when none was given} */
    int gid() {
        return options.gid() == null ? -1 : options.gid();
    }

    // ---------------------------------------------------------------- shared checks

    /** Node's validateTimeout: null, or an integer ≥ 0. */
    static long timeout(Long timeout) {
        if (timeout == null) return 0;
        if (timeout < 0) throw Errors.outOfRange("timeout", "an unsigned integer", timeout);
        return timeout;
    }

    /** Node's validateMaxBuffer: null (the default), or a number ≥ 0 (Infinity allowed). */
    static double maxBuffer(Double maxBuffer) {
        if (maxBuffer == null) return MAX_BUFFER;
        if (maxBuffer.isNaN() || maxBuffer < 0) throw Errors.outOfRange("options.maxBuffer", "a positive number", maxBuffer);
        return maxBuffer;
    }

    /** Node's sanitizeKillSignal: null means SIGTERM; a name or a number, else ERR_INVALID_ARG_TYPE / ERR_UNKNOWN_SIGNAL. */
    static int killSignal(Object signal) {
        if (signal == null) return Signals.SIGTERM;
        if (signal instanceof String || signal instanceof Integer) return convertToValidSignal(signal);
        throw Errors.invalidArgType("options.killSignal", List.of("string", "number"), signal);
    }

    /** Node's convertToValidSignal: a known number, or a name in any case ("sigterm"). */
    static int convertToValidSignal(Object signal) {
        if (signal instanceof Integer n && Signals.name(n) != null) return n;
        if (signal instanceof String s) {
            int n = Signals.number(s.toUpperCase(Locale.ROOT));
            if (n > 0) return n;
        }
        throw Errors.unknownSignal(signal);
    }
}
