package dev.herd.node.fs;

import dev.herd.node.AbortSignal;
import java.util.function.Predicate;

/**
 * The options of {@link Fs#watch(String, WatchOptions, java.util.function.BiConsumer)}: Node's
 * {@code persistent}, {@code recursive}, {@code encoding} and {@code signal}, and Herd's
 * {@code exclude}.
 *
 * @param persistent whether the watcher keeps the process alive (Node's default: true)
 * @param recursive whether to watch the whole tree under a directory (false)
 * @param encoding how file names are given: {@code "utf8"} (the default, and the only one Herd
 *     has: names are Java strings)
 * @param signal closes the watcher when it aborts, or null
 * @param exclude Herd's addition, for a recursive watch: the paths relative to the watched
 *     directory ("node_modules", "logs/app.log") to leave out; such a directory is not watched
 *     at all, and changes of such a name are not reported. Null: nothing is left out
 */
public record WatchOptions(boolean persistent, boolean recursive, String encoding, AbortSignal signal,
                           Predicate<String> exclude) {
    /** Node's defaults: persistent, not recursive, utf8. */
    public static final WatchOptions DEFAULTS = builder().build();

    /** {@return a builder with Node's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link WatchOptions}; not thread-safe. */
    public static final class Builder {
        private boolean persistent = true;
        private boolean recursive;
        private String encoding = "utf8";
        private AbortSignal signal;
        private Predicate<String> exclude;

        private Builder() {}

        /**
         * Sets {@link WatchOptions#persistent()}.
         *
         * @param persistent whether the watcher keeps the process alive
         * @return this builder
         */
        public Builder persistent(boolean persistent) {
            this.persistent = persistent;
            return this;
        }

        /**
         * Sets {@link WatchOptions#recursive()}.
         *
         * @param recursive whether to watch the whole tree
         * @return this builder
         */
        public Builder recursive(boolean recursive) {
            this.recursive = recursive;
            return this;
        }

        /**
         * Sets {@link WatchOptions#encoding()}.
         *
         * @param encoding "utf8"
         * @return this builder
         */
        public Builder encoding(String encoding) {
            this.encoding = encoding;
            return this;
        }

        /**
         * Sets {@link WatchOptions#signal()}.
         *
         * @param signal closes the watcher when it aborts
         * @return this builder
         */
        public Builder signal(AbortSignal signal) {
            this.signal = signal;
            return this;
        }

        /**
         * Sets {@link WatchOptions#exclude()}.
         *
         * @param exclude the relative paths to leave out of a recursive watch
         * @return this builder
         */
        public Builder exclude(Predicate<String> exclude) {
            this.exclude = exclude;
            return this;
        }

        /** {@return the options} */
        public WatchOptions build() {
            return new WatchOptions(persistent, recursive, encoding, signal, exclude);
        }
    }
}
