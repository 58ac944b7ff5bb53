package dev.herd.node.worker_threads;

import dev.herd.node.NodeError;

/**
 * Node's {@code resourceLimits} for a Worker, in megabytes. The JVM can honour one of them:
 * {@link #stackSizeMb} becomes the worker thread's stack size (default 4, as Node's), which bounds
 * its recursion depth — a deeper recursion ends the worker with a StackOverflowError reported as
 * its 'error'. The other three are V8 heap settings with no per-thread counterpart in the JVM
 * (every thread allocates from the one Java heap, sized by -Xmx, and shares one code cache): they
 * are validated and reported back ({@link WorkerThreads#resourceLimits()} inside the worker,
 * {@link Worker#resourceLimits()}) but not enforced; 0 means "not set".
 *
 * <p>Immutable; any thread.
 *
 * @param maxYoungGenerationSizeMb reported only
 * @param maxOldGenerationSizeMb reported only
 * @param codeRangeSizeMb reported only
 * @param stackSizeMb the worker thread's stack size; 0 for the default
 */
public record ResourceLimits(double maxYoungGenerationSizeMb, double maxOldGenerationSizeMb, double codeRangeSizeMb,
        double stackSizeMb) {
    /** Node's default stack size for a worker, in MB. */
    public static final double DEFAULT_STACK_SIZE_MB = 4;
    /** The main thread's: no limits (Node reports {}). */
    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, 0);

    /** Checks that every value is a finite number, 0 or more. */
    public ResourceLimits {
        check("maxYoungGenerationSizeMb", maxYoungGenerationSizeMb);
        check("maxOldGenerationSizeMb", maxOldGenerationSizeMb);
        check("codeRangeSizeMb", codeRangeSizeMb);
        check("stackSizeMb", stackSizeMb);
    }

    private static void check(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new NodeError("ERR_OUT_OF_RANGE", "The value of \"options.resourceLimits." + name
                    + "\" is out of range. It must be a finite number >= 0. Received " + v, IllegalArgumentException.class);
        }
    }

    /** These limits with the default stack size filled in, as a worker reports them. */
    ResourceLimits withDefaults() {
        return stackSizeMb > 0 ? this
                : new ResourceLimits(maxYoungGenerationSizeMb, maxOldGenerationSizeMb, codeRangeSizeMb, DEFAULT_STACK_SIZE_MB);
    }

    /** The stack size in bytes for the worker thread. */
    long stackSizeBytes() {
        return (long) (withDefaults().stackSizeMb * 1024 * 1024);
    }

    /** {@return a builder with every value unset} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ResourceLimits}; unset values are 0 ("not set"). */
    public static final class Builder {
        private double maxYoung;
        private double maxOld;
        private double codeRange;
        private double stack;

        private Builder() {}

        /**
         * Sets {@link ResourceLimits#maxYoungGenerationSizeMb()}.
         *
         * @param mb megabytes, 0 for unset
         * @return this builder
         */
        public Builder maxYoungGenerationSizeMb(double mb) {
            maxYoung = mb;
            return this;
        }

        /**
         * Sets {@link ResourceLimits#maxOldGenerationSizeMb()}.
         *
         * @param mb megabytes, 0 for unset
         * @return this builder
         */
        public Builder maxOldGenerationSizeMb(double mb) {
            maxOld = mb;
            return this;
        }

        /**
         * Sets {@link ResourceLimits#codeRangeSizeMb()}.
         *
         * @param mb megabytes, 0 for unset
         * @return this builder
         */
        public Builder codeRangeSizeMb(double mb) {
            codeRange = mb;
            return this;
        }

        /**
         * Sets {@link ResourceLimits#stackSizeMb()}.
         *
         * @param mb megabytes, 0 for the default
         * @return this builder
         */
        public Builder stackSizeMb(double mb) {
            stack = mb;
            return this;
        }

        /** {@return the limits} */
        public ResourceLimits build() {
            return new ResourceLimits(maxYoung, maxOld, codeRange, stack);
        }
    }
}
