package dev.herd.node.internal.ipc;

import dev.herd.node.NodeProcess;
import dev.herd.node.internal.Environment;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the corked frames of an environment's channels when its process emits 'exit': a program
 * that calls {@code send(m)} and then {@code process.exit()} still delivers {@code m}, as it does in
 * Node, whose send writes to the socket at once. From 'exit' on, {@link #exiting} tells channels to
 * write at once too (no tick runs after 'exit', so nothing corked then would ever be written).
 *
 * <p>One per environment, made by the first channel of the environment on its loop thread, which
 * adds a single 'exit' listener to the process (however many channels there are).
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: the environment's (its service).
 */
final class ExitFlush {
    /** The channels with corked frames now (a few: those sent to in this tick). */
    private final List<Channel> corked = new ArrayList<>(2);
    /** The process emitted 'exit': channels write at once. */
    boolean exiting;

    private ExitFlush() {}

    /** The environment's flusher, made (and listening for 'exit') on first use. */
    static ExitFlush of(Environment env) {
        ExitFlush f = env.service(ExitFlush.class);
        if (f != null) return f;
        ExitFlush created = new ExitFlush();
        env.process().on(NodeProcess.EXIT, code -> created.exit());
        env.service(ExitFlush.class, created);
        return created;
    }

    void corked(Channel channel) {
        corked.add(channel);
    }

    void flushed(Channel channel) {
        corked.remove(channel);
    }

    private void exit() {
        exiting = true;
        for (Channel c : List.copyOf(corked)) c.flushCork();
    }
}
