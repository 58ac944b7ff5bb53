package dev.herd.node.child_process;

import dev.herd.node.AbortSignal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options object of Node's child_process functions, one record for all of them (each
 * function reads the fields it knows, as Node does); a {@code null} field is an option not given.
 * Values are checked when a function uses them, with Node's errors (ERR_INVALID_ARG_VALUE,
 * ERR_OUT_OF_RANGE, ERR_UNKNOWN_SIGNAL...), not here. Build with {@link #builder()}. Immutable.
 *
 * @param cwd the child's working directory ({@code null} or empty: ours)
 * @param env the child's environment ({@code null}: {@code process.env}); {@code null} values are left out
 * @param argv0 the child's {@code argv[0]} (default: the file)
 * @param stdio a String shorthand ({@code "pipe"}, {@code "ignore"}, {@code "inherit"},
 *     {@code "overlapped"}) or a List with one entry per slot: {@code "pipe"}, {@code "overlapped"},
 *     {@code "ignore"}, {@code "inherit"}, {@code "ipc"}, an Integer fd (a negative one: a pipe), a
 *     {@link dev.herd.node.net.Socket} or an io {@link dev.herd.io.Stream} to share, the listening
 *     socket of a {@link dev.herd.node.net.Server} or the socket of a
 *     {@link dev.herd.node.dgram.Socket} or io {@link dev.herd.io.Udp} to share (at 3 and up: how
 *     a child is socket-activated), or {@code null} for the default ({@code "pipe"} for slots
 *     0-2, {@code "ignore"} above). The "ipc" entry may be at any slot; the child finds it in
 *     {@code NODE_CHANNEL_FD}.
 * @param detached run the child in a new session (setsid)
 * @param uid the child's user id (only root may give another user's: EPERM); with uid or gid
 *     the child has no supplementary groups, as in Node
 * @param gid the child's group id (only root may give another group's: EPERM)
 * @param shell {@code Boolean.TRUE} for {@code /bin/sh}, or a shell's path; the command line is
 *     then the file and arguments joined by spaces, run with {@code -c}
 * @param timeout milliseconds after which the child is sent {@code killSignal} (0: never)
 * @param killSignal the signal for timeout, abort and maxBuffer: a name ("SIGKILL") or an Integer
 *     (default SIGTERM)
 * @param maxBuffer the most bytes of output kept (exec/execFile: per stream; the sync functions:
 *     both streams together); {@code Double.POSITIVE_INFINITY} for no limit; default 1 MiB
 * @param encoding how output is decoded: a Node encoding ("utf8", "latin1", "ascii",
 *     "utf16le", "hex", "base64", "base64url") gives Strings, "buffer" (or an unknown name) gives
 *     byte[]; exec/execFile default to "utf8", the sync functions to "buffer"
 * @param signal an {@link AbortSignal} that kills the child with {@code killSignal} when aborted
 * @param windowsHide ignored (Windows only)
 * @param windowsVerbatimArguments ignored (Windows only)
 * @param input what the sync functions write to the child's stdin: byte[] or a String (encoded
 *     with {@code encoding}, UTF-8 by default)
 * @param serialization the IPC channel's mode for an {@code "ipc"} slot: "json" (default) or "advanced"
 * @param execPath fork only: the program to start (default: this JVM's java)
 * @param execArgv fork only: the arguments before the module (default: this JVM's own options and
 *     class path when execPath is a java; none otherwise)
 * @param silent fork only: pipe the child's stdin, stdout and stderr instead of sharing ours
 */
public record SpawnOptions(String cwd, Map<String, String> env, String argv0, Object stdio, Boolean detached,
                           Integer uid, Integer gid, Object shell, Long timeout, Object killSignal, Double maxBuffer,
                           String encoding, AbortSignal signal, Boolean windowsHide, Boolean windowsVerbatimArguments,
                           Object input, String serialization, String execPath, List<String> execArgv, Boolean silent) {
    /** No option given. */
    public static final SpawnOptions DEFAULT = builder().build();

    /** Copies the collections and the input. */
    public SpawnOptions {
        env = env == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(env));
        if (stdio instanceof List<?> list) stdio = Collections.unmodifiableList(new ArrayList<>(list));
        if (input instanceof byte[] b) input = b.clone();
        execArgv = execArgv == null ? null : List.copyOf(execArgv);
    }

    /** {@return a builder with no option given} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.cwd = cwd;
        b.env = env;
        b.argv0 = argv0;
        b.stdio = stdio;
        b.detached = detached;
        b.uid = uid;
        b.gid = gid;
        b.shell = shell;
        b.timeout = timeout;
        b.killSignal = killSignal;
        b.maxBuffer = maxBuffer;
        b.encoding = encoding;
        b.signal = signal;
        b.windowsHide = windowsHide;
        b.windowsVerbatimArguments = windowsVerbatimArguments;
        b.input = input;
        b.serialization = serialization;
        b.execPath = execPath;
        b.execArgv = execArgv;
        b.silent = silent;
        return b;
    }

    /** Collects options; nothing is checked until a child_process function uses them. Not thread-safe. */
    public static final class Builder {
        private String cwd;
        private Map<String, String> env;
        private String argv0;
        private Object stdio;
        private Boolean detached;
        private Integer uid;
        private Integer gid;
        private Object shell;
        private Long timeout;
        private Object killSignal;
        private Double maxBuffer;
        private String encoding;
        private AbortSignal signal;
        private Boolean windowsHide;
        private Boolean windowsVerbatimArguments;
        private Object input;
        private String serialization;
        private String execPath;
        private List<String> execArgv;
        private Boolean silent;

        private Builder() {}

        /**
         * Sets {@link SpawnOptions#cwd()}.
         *
         * @param cwd the child's working directory
         * @return this builder
         */
        public Builder cwd(String cwd) {
            this.cwd = cwd;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#env()}.
         *
         * @param env the child's environment
         * @return this builder
         */
        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#argv0()}.
         *
         * @param argv0 the child's argv[0]
         * @return this builder
         */
        public Builder argv0(String argv0) {
            this.argv0 = argv0;
            return this;
        }

        /**
         * The shorthand: "pipe", "ignore", "inherit" or "overlapped".
         *
         * @param shorthand the shorthand
         * @return this builder
         */
        public Builder stdio(String shorthand) {
            this.stdio = shorthand;
            return this;
        }

        /**
         * One entry per slot (see {@link SpawnOptions#stdio()}); {@code null} entries take the default.
         *
         * @param entries the entries
         * @return this builder
         */
        public Builder stdio(Object... entries) {
            this.stdio = Arrays.asList(entries);
            return this;
        }

        /**
         * Sets {@link SpawnOptions#stdio()}: one entry per slot.
         *
         * @param entries the entries
         * @return this builder
         */
        public Builder stdio(List<?> entries) {
            this.stdio = entries;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#detached()}.
         *
         * @param detached whether the child runs in a new session
         * @return this builder
         */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#uid()}.
         *
         * @param uid the user id
         * @return this builder
         */
        public Builder uid(int uid) {
            this.uid = uid;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#gid()}.
         *
         * @param gid the group id
         * @return this builder
         */
        public Builder gid(int gid) {
            this.gid = gid;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#shell()}.
         *
         * @param shell whether to run through {@code /bin/sh}
         * @return this builder
         */
        public Builder shell(boolean shell) {
            this.shell = shell;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#shell()}.
         *
         * @param shell the shell's path
         * @return this builder
         */
        public Builder shell(String shell) {
            this.shell = shell;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#timeout()}.
         *
         * @param ms milliseconds, 0 for none
         * @return this builder
         */
        public Builder timeout(long ms) {
            this.timeout = ms;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#killSignal()}.
         *
         * @param signal the signal name ("SIGKILL")
         * @return this builder
         */
        public Builder killSignal(String signal) {
            this.killSignal = signal;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#killSignal()}.
         *
         * @param signal the signal number
         * @return this builder
         */
        public Builder killSignal(int signal) {
            this.killSignal = signal;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#maxBuffer()}.
         *
         * @param bytes the most bytes of output kept
         * @return this builder
         */
        public Builder maxBuffer(double bytes) {
            this.maxBuffer = bytes;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#encoding()}.
         *
         * @param encoding a Node encoding, or "buffer"
         * @return this builder
         */
        public Builder encoding(String encoding) {
            this.encoding = encoding;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#signal()}.
         *
         * @param signal the signal that aborts the child
         * @return this builder
         */
        public Builder signal(AbortSignal signal) {
            this.signal = signal;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#windowsHide()} (ignored).
         *
         * @param hide ignored
         * @return this builder
         */
        public Builder windowsHide(boolean hide) {
            this.windowsHide = hide;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#windowsVerbatimArguments()} (ignored).
         *
         * @param verbatim ignored
         * @return this builder
         */
        public Builder windowsVerbatimArguments(boolean verbatim) {
            this.windowsVerbatimArguments = verbatim;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#input()}.
         *
         * @param input the bytes to write to the child's stdin
         * @return this builder
         */
        public Builder input(byte[] input) {
            this.input = input;
            return this;
        }

        /**
         * Sets {@link SpawnOptions#input()}.
         *
         * @param input the text to write to the child's stdin
         * @return this builder
         */
        public Builder input(String input) {
            this.input = input;
            return this;
        }

        /**
         * "json" or "advanced" (the IPC channel's serialization).
         *
         * @param serialization "json" or "advanced"
         * @return this builder
         */
        public Builder serialization(String serialization) {
            this.serialization = serialization;
            return this;
        }

        /**
         * fork: the program to start instead of this JVM's java (e.g. "node").
         *
         * @param execPath the program
         * @return this builder
         */
        public Builder execPath(String execPath) {
            this.execPath = execPath;
            return this;
        }

        /**
         * fork: the arguments before the module (JVM options for a java child).
         *
         * @param execArgv the arguments
         * @return this builder
         */
        public Builder execArgv(List<String> execArgv) {
            this.execArgv = execArgv;
            return this;
        }

        /**
         * fork: pipe the child's stdio instead of sharing ours.
         *
         * @param silent whether to pipe
         * @return this builder
         */
        public Builder silent(boolean silent) {
            this.silent = silent;
            return this;
        }

        /** {@return the options} */
        public SpawnOptions build() {
            return new SpawnOptions(cwd, env, argv0, stdio, detached, uid, gid, shell, timeout, killSignal, maxBuffer,
                    encoding, signal, windowsHide, windowsVerbatimArguments, input, serialization, execPath, execArgv, silent);
        }
    }
}
