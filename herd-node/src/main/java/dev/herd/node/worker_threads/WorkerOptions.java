package dev.herd.node.worker_threads;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of a {@link Worker} (Node's {@code new Worker(filename, options)}), as an immutable
 * record with a builder.
 *
 * <p>Not offered: {@code stdin}/{@code stdout}/{@code stderr} piping. Herd has no per-environment
 * {@code process.stdout} (programs write to System.out, which is one per JVM), so a worker's output
 * is always inherited: it goes straight to the process's stdout and stderr, unbuffered by the
 * parent (Node relays it through the parent thread). {@code eval} and {@code execArgv} have no
 * meaning for a Java entry.
 *
 * @param workerData a value cloned (structured clone) into the worker as {@link WorkerThreads#workerData()}
 * @param transferList what workerData moves instead of copying (ArrayBuffers, MessagePorts)
 * @param env the worker's {@code process.env}: null for a copy of the parent's at construction,
 *     {@link WorkerThreads#SHARE_ENV} to share the parent's map (both see each other's writes), or
 *     a map whose copy becomes the worker's
 * @param argv appended to the worker's {@code process.argv} and passed to its entry as {@code args}
 * @param name a name for the worker's thread ({@code herd-worker-<threadId> <name>})
 * @param resourceLimits see {@link ResourceLimits}: only the stack size is enforced
 * @param trackUnmanagedFds accepted for parity; always in effect in Herd, where every descriptor a
 *     worker opens belongs to a handle of its loop and is closed when the worker exits
 */
public record WorkerOptions(Object workerData, List<Object> transferList, Map<String, String> env, List<String> argv,
        String name, ResourceLimits resourceLimits, boolean trackUnmanagedFds) {
    /** No workerData, a copy of the parent's env, no arguments, no name, default limits. */
    public static final WorkerOptions DEFAULTS = builder().build();

    /** Copies the lists and the environment, and fills in the defaults. */
    public WorkerOptions {
        transferList = transferList == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(transferList));
        if (env != null && env != WorkerThreads.SHARE_ENV) env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        argv = argv == null ? List.of() : List.copyOf(argv);
        name = name == null ? "" : name;
        resourceLimits = resourceLimits == null ? ResourceLimits.NONE : resourceLimits;
    }

    /** {@return whether the worker shares the parent's environment map} */
    public boolean sharesEnv() {
        return env == WorkerThreads.SHARE_ENV;
    }

    /** {@return a builder with the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link WorkerOptions}. */
    public static final class Builder {
        private Object workerData;
        private List<Object> transferList;
        private Map<String, String> env;
        private List<String> argv;
        private String name;
        private ResourceLimits resourceLimits;
        private boolean trackUnmanagedFds = true;

        private Builder() {}

        /**
         * Sets {@link WorkerOptions#workerData()}.
         *
         * @param value the value cloned into the worker
         * @return this builder
         */
        public Builder workerData(Object value) {
            workerData = value;
            return this;
        }

        /**
         * Sets {@link WorkerOptions#transferList()}.
         *
         * @param list what workerData moves instead of copying
         * @return this builder
         */
        public Builder transferList(List<?> list) {
            transferList = list == null ? null : new ArrayList<>(list);
            return this;
        }

        /**
         * The worker's environment: {@link WorkerThreads#SHARE_ENV}, or a map whose values become
         * strings (as Node's process.env makes them), or null for a copy of the parent's.
         *
         * @param value the environment
         * @return this builder
         */
        public Builder env(Map<String, ?> value) {
            if (value == null || value == WorkerThreads.SHARE_ENV) {
                @SuppressWarnings("unchecked")
                Map<String, String> same = (Map<String, String>) value;
                env = same;
                return this;
            }
            Map<String, String> copy = new LinkedHashMap<>();
            value.forEach((k, v) -> copy.put(String.valueOf(k), String.valueOf(v)));
            env = copy;
            return this;
        }

        /**
         * Arguments; each becomes a string, as in Node.
         *
         * @param value the arguments
         * @return this builder
         */
        public Builder argv(List<?> value) {
            if (value == null) {
                argv = null;
                return this;
            }
            List<String> strings = new ArrayList<>(value.size());
            for (Object o : value) strings.add(String.valueOf(o));
            argv = strings;
            return this;
        }

        /**
         * Arguments.
         *
         * @param value the arguments
         * @return this builder
         */
        public Builder argv(String... value) {
            return argv(List.of(value));
        }

        /**
         * Sets {@link WorkerOptions#name()}.
         *
         * @param value the name
         * @return this builder
         */
        public Builder name(String value) {
            name = value;
            return this;
        }

        /**
         * Sets {@link WorkerOptions#resourceLimits()}.
         *
         * @param value the limits
         * @return this builder
         */
        public Builder resourceLimits(ResourceLimits value) {
            resourceLimits = value;
            return this;
        }

        /**
         * Sets {@link WorkerOptions#trackUnmanagedFds()}.
         *
         * @param value ignored: always in effect
         * @return this builder
         */
        public Builder trackUnmanagedFds(boolean value) {
            trackUnmanagedFds = value;
            return this;
        }

        /** {@return the options} */
        public WorkerOptions build() {
            return new WorkerOptions(workerData, transferList, env, argv, name, resourceLimits, trackUnmanagedFds);
        }
    }
}
