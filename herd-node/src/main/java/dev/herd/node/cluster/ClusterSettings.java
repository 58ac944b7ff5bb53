package dev.herd.node.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * {@code cluster.settings}: how {@link Cluster#fork} starts a worker. A {@code null} field is a
 * setting not given; {@link Cluster#setupPrimary(ClusterSettings)} fills in the defaults, after
 * which {@link Cluster#settings()} holds them all. Build with {@link #builder()}. Immutable.
 *
 * @param exec what the worker runs: a main class, a {@code .jar}, or — with {@link #execPath()} —
 *     any program's script (a Node script with {@code execPath("node")}). Default: the main class
 *     (or jar) this JVM was started with, so the worker runs this same program (Node's
 *     {@code process.argv[1]})
 * @param args the worker's arguments. Default: the arguments this JVM's main was given (Node's
 *     {@code process.argv.slice(2)}), so a program that parses its command line in both branches
 *     sees the same one
 * @param execArgv the options before {@code exec}: JVM options for a Java worker (the class path
 *     is added unless given), the runtime's options otherwise. Default: this JVM's options
 *     ({@code process.execArgv})
 * @param execPath Herd's addition: the program that runs {@code exec}; default this JVM's java
 * @param cwd the worker's working directory (default: ours)
 * @param serialization the IPC channel's mode, "json" (default) or "advanced"
 * @param silent pipe the worker's stdin/stdout/stderr to the primary instead of sharing ours
 * @param stdio a stdio list for the worker; it must hold an "ipc" entry; overrides silent
 * @param uid the worker's user id (only the current one can be given: see SpawnOptions)
 * @param gid the worker's group id (likewise)
 * @param inspectPort the JVM debug agent's port for a worker whose execArgv has a
 *     {@code -agentlib:jdwp} option: an Integer, or an {@link IntSupplier} asked once per worker.
 *     Default: the primary's agent port plus one per worker, as Node increments the debug port
 * @param windowsHide ignored (Windows only)
 */
public record ClusterSettings(String exec, List<String> args, List<String> execArgv, String execPath, String cwd,
                              String serialization, Boolean silent, Object stdio, Integer uid, Integer gid,
                              Object inspectPort, Boolean windowsHide) {
    /** No setting given. */
    public static final ClusterSettings NONE = builder().build();

    /** Copies the lists and checks inspectPort and serialization. */
    public ClusterSettings {
        args = args == null ? null : List.copyOf(args);
        execArgv = execArgv == null ? null : List.copyOf(execArgv);
        if (stdio instanceof List<?> list) stdio = Collections.unmodifiableList(new ArrayList<>(list));
        if (inspectPort != null && !(inspectPort instanceof Integer) && !(inspectPort instanceof IntSupplier)) {
            throw new IllegalArgumentException("inspectPort must be an Integer or an IntSupplier, not " + inspectPort.getClass().getName());
        }
        if (serialization != null && !serialization.equals("json") && !serialization.equals("advanced")) {
            throw new IllegalArgumentException("serialization must be 'json' or 'advanced', not '" + serialization + "'");
        }
    }

    /** {@return a builder with no setting given} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these settings.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder().exec(exec).args(args).execArgv(execArgv).execPath(execPath).cwd(cwd)
                .serialization(serialization).silent(silent).stdio(stdio).uid(uid).gid(gid).inspectPort(inspectPort)
                .windowsHide(windowsHide);
    }

    /**
     * These settings with every field {@code over} gives replaced (Node's {@code {...settings, ...options}}).
     *
     * @param over the fields to replace (its null fields leave these as they are), or null
     * @return the merged settings
     */
    public ClusterSettings with(ClusterSettings over) {
        if (over == null) return this;
        return new ClusterSettings(pick(over.exec, exec), pick(over.args, args), pick(over.execArgv, execArgv),
                pick(over.execPath, execPath), pick(over.cwd, cwd), pick(over.serialization, serialization),
                pick(over.silent, silent), pick(over.stdio, stdio), pick(over.uid, uid), pick(over.gid, gid),
                pick(over.inspectPort, inspectPort), pick(over.windowsHide, windowsHide));
    }

    private static <T> T pick(T over, T base) {
        return over != null ? over : base;
    }

    /**
     * Node's defaults for the first setupPrimary: this program again ({@code process.argv[1]} and
     * its arguments), with {@code execArgv}, not silent.
     *
     * @param execArgv the JVM options workers get
     * @return the default settings
     */
    public static ClusterSettings defaults(List<String> execArgv) {
        List<String> command = jvmCommand();
        return builder().exec(command.isEmpty() ? "" : command.getFirst())
                .args(command.isEmpty() ? List.of() : command.subList(1, command.size()))
                .execArgv(execArgv).silent(false).build();
    }

    /**
     * This JVM's main class (or jar) and its arguments, exactly as given: found in
     * /proc/self/cmdline where the tail matches {@code sun.java.command} (which joins them with
     * spaces, so it alone cannot tell an argument with a space from two arguments).
     */
    static List<String> jvmCommand() {
        return JvmCommand.VALUE;
    }

    private static final class JvmCommand {
        static final List<String> VALUE = read();
    }

    private static List<String> read() {
        String command = System.getProperty("sun.java.command", "");
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            String text = new String(raw, StandardCharsets.UTF_8);
            if (text.endsWith("\0")) text = text.substring(0, text.length() - 1);
            List<String> argv = Arrays.asList(text.split("\0", -1));
            for (int i = 1; i < argv.size(); i++) {
                if (String.join(" ", argv.subList(i, argv.size())).equals(command)) return List.copyOf(argv.subList(i, argv.size()));
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the property
        }
        if (command.isEmpty()) return List.of();
        return List.of(command.split(" "));
    }

    @Override
    public String toString() {
        return "ClusterSettings[exec=" + exec + ", args=" + args + ", execArgv=" + execArgv + ", execPath=" + execPath
                + ", cwd=" + cwd + ", serialization=" + serialization + ", silent=" + silent + ", stdio=" + stdio + "]";
    }

    /** Collects settings; checked when built. Not thread-safe. */
    public static final class Builder {
        private String exec;
        private List<String> args;
        private List<String> execArgv;
        private String execPath;
        private String cwd;
        private String serialization;
        private Boolean silent;
        private Object stdio;
        private Integer uid;
        private Integer gid;
        private Object inspectPort;
        private Boolean windowsHide;

        private Builder() {}

        /**
         * Sets {@link ClusterSettings#exec()}.
         *
         * @param exec a main class, a jar, or a script for {@code execPath}
         * @return this builder
         */
        public Builder exec(String exec) {
            this.exec = exec;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#args()}.
         *
         * @param args the workers' arguments
         * @return this builder
         */
        public Builder args(List<String> args) {
            this.args = args;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#args()}.
         *
         * @param args the workers' arguments
         * @return this builder
         */
        public Builder args(String... args) {
            return args(List.of(args));
        }

        /**
         * Sets {@link ClusterSettings#execArgv()}.
         *
         * @param execArgv the JVM options (or {@code execPath}'s)
         * @return this builder
         */
        public Builder execArgv(List<String> execArgv) {
            this.execArgv = execArgv;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#execPath()}.
         *
         * @param execPath the program to start instead of java
         * @return this builder
         */
        public Builder execPath(String execPath) {
            this.execPath = execPath;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#cwd()}.
         *
         * @param cwd the workers' working directory
         * @return this builder
         */
        public Builder cwd(String cwd) {
            this.cwd = cwd;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#serialization()}.
         *
         * @param serialization "json" or "advanced"
         * @return this builder
         */
        public Builder serialization(String serialization) {
            this.serialization = serialization;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#silent()}.
         *
         * @param silent whether to pipe the workers' stdio
         * @return this builder
         */
        public Builder silent(Boolean silent) {
            this.silent = silent;
            return this;
        }

        /**
         * A shorthand ("pipe", "inherit", "ignore") or a list with an "ipc" entry.
         *
         * @param stdio the stdio setting
         * @return this builder
         */
        public Builder stdio(Object stdio) {
            this.stdio = stdio;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#uid()}.
         *
         * @param uid the user id
         * @return this builder
         */
        public Builder uid(Integer uid) {
            this.uid = uid;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#gid()}.
         *
         * @param gid the group id
         * @return this builder
         */
        public Builder gid(Integer gid) {
            this.gid = gid;
            return this;
        }

        /**
         * An Integer or an {@link IntSupplier}.
         *
         * @param inspectPort the debugger port, or a supplier of it
         * @return this builder
         */
        public Builder inspectPort(Object inspectPort) {
            this.inspectPort = inspectPort;
            return this;
        }

        /**
         * Sets {@link ClusterSettings#windowsHide()} (ignored).
         *
         * @param windowsHide ignored
         * @return this builder
         */
        public Builder windowsHide(Boolean windowsHide) {
            this.windowsHide = windowsHide;
            return this;
        }

        /** {@return the settings} */
        public ClusterSettings build() {
            return new ClusterSettings(exec, args, execArgv, execPath, cwd, serialization, silent, stdio, uid, gid, inspectPort,
                    windowsHide);
        }
    }
}
