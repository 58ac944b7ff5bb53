package dev.herd.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Process#spawn} starts (libuv's {@code uv_process_options_t}). Immutable; build with
 * {@link #builder(String)}.
 *
 * @param file the program: a path (with a '/': used as is, relative to the child's working
 *     directory) or a name looked up in the child's PATH, as libuv's execvp does
 * @param args the argument vector, argv[0] included (Node's {@code argv0}); never empty
 * @param env {@code "NAME=value"} strings, or {@code null} to inherit this process's environment
 * @param cwd the child's working directory, or {@code null} for this process's
 * @param stdio one container per slot: slot {@code i} is the child's descriptor {@code i}; slots
 *     0-2 that are missing are {@link StdioContainer#ignore() ignored} ({@code /dev/null}); the
 *     child has no other descriptor
 * @param detached the child starts a new session (setsid: libuv's {@code UV_PROCESS_DETACHED})
 * @param processGroup -1 to stay in this process's group (the default, as in libuv and Node), 0
 *     for a new group led by the child, or the id of an existing group to join; ignored when
 *     {@code detached}, which already makes a new group
 * @param exitCallback called once on the loop thread when the child exits, or {@code null}
 * @param uid the child's user id (libuv's {@code UV_PROCESS_SETUID}), or -1 for this process's
 * @param gid the child's group id ({@code UV_PROCESS_SETGID}), or -1 for this process's; with
 *     either, the child has no supplementary groups, as in libuv
 */
public record ProcessOptions(String file, List<String> args, List<String> env, String cwd,
                             List<StdioContainer> stdio, boolean detached, int processGroup,
                             Process.ExitCallback exitCallback, int uid, int gid) {
    /** Checks the options and copies the lists. */
    public ProcessOptions {
        Objects.requireNonNull(file, "file");
        if (file.isEmpty()) throw new IllegalArgumentException("file is empty");
        args = List.copyOf(args == null || args.isEmpty() ? List.of(file) : args);
        env = env == null ? null : List.copyOf(env);
        stdio = List.copyOf(stdio == null ? List.of() : stdio);
        if (processGroup < -1) throw new IllegalArgumentException("processGroup: " + processGroup);
        if (uid < -1) throw new IllegalArgumentException("uid: " + uid);
        if (gid < -1) throw new IllegalArgumentException("gid: " + gid);
    }

    /**
     * A builder for running {@code file}, with the defaults.
     *
     * @param file the program to run
     * @return the builder
     */
    public static Builder builder(String file) {
        return new Builder(file);
    }

    /** Collects the options; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private final String file;
        private List<String> args;
        private List<String> env;
        private String cwd;
        private final List<StdioContainer> stdio = new ArrayList<>();
        private boolean detached;
        private int processGroup = -1;
        private Process.ExitCallback exitCallback;
        private int uid = -1;
        private int gid = -1;

        private Builder(String file) {
            this.file = file;
        }

        /**
         * The whole argument vector, argv[0] first (default: {@code [file]}).
         *
         * @param args the arguments
         * @return this builder
         */
        public Builder args(List<String> args) {
            this.args = args;
            return this;
        }

        /**
         * The whole argument vector, argv[0] first.
         *
         * @param args the arguments
         * @return this builder
         */
        public Builder args(String... args) {
            return args(List.of(args));
        }

        /**
         * {@code "NAME=value"} strings (default: inherit this process's environment).
         *
         * @param env the environment
         * @return this builder
         */
        public Builder env(List<String> env) {
            this.env = env;
            return this;
        }

        /**
         * The child's working directory (default: this process's).
         *
         * @param cwd the directory
         * @return this builder
         */
        public Builder cwd(String cwd) {
            this.cwd = cwd;
            return this;
        }

        /**
         * Appends the container for the next slot.
         *
         * @param containers the containers, one per slot
         * @return this builder
         */
        public Builder stdio(StdioContainer... containers) {
            stdio.addAll(List.of(containers));
            return this;
        }

        /**
         * Appends the containers for the next slots.
         *
         * @param containers the containers, one per slot
         * @return this builder
         */
        public Builder stdio(List<StdioContainer> containers) {
            stdio.addAll(containers);
            return this;
        }

        /**
         * Whether the child leads a new session (setsid), away from this process's terminal and group.
         *
         * @param detached whether to detach
         * @return this builder
         */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /**
         * The child's process group: -1 this process's, 0 a new one, or an existing group's id.
         *
         * @param processGroup the group
         * @return this builder
         */
        public Builder processGroup(int processGroup) {
            this.processGroup = processGroup;
            return this;
        }

        /**
         * Called once on the loop thread when the child exits.
         *
         * @param exitCallback the callback, or null
         * @return this builder
         */
        public Builder onExit(Process.ExitCallback exitCallback) {
            this.exitCallback = exitCallback;
            return this;
        }

        /**
         * The child's user id: only root may give another user's (the spawn fails with EPERM).
         *
         * @param uid the user id, or -1 for this process's
         * @return this builder
         */
        public Builder uid(int uid) {
            this.uid = uid;
            return this;
        }

        /**
         * The child's group id: only root may give another group's (the spawn fails with EPERM).
         *
         * @param gid the group id, or -1 for this process's
         * @return this builder
         */
        public Builder gid(int gid) {
            this.gid = gid;
            return this;
        }

        /** {@return the options} */
        public ProcessOptions build() {
            return new ProcessOptions(file, args, env, cwd, stdio, detached, processGroup, exitCallback, uid, gid);
        }
    }
}
