package dev.herd.node;

/**
 * The IPC channel between a parent and a forked child, as Node's {@code process.channel} and
 * {@code subprocess.channel} show it: whether it keeps the process alive. Messages go through
 * {@code send} and arrive as 'message' events of the process object (in the child) or of the
 * {@code ChildProcess} (in the parent).
 *
 * <p>Thread rule: the loop thread of the process that holds it. Lifetime: until the channel
 * disconnects.
 */
public interface IpcChannel {
    /** Keeps the process alive while the channel is open, whatever listens on it (Node's {@code channel.ref()}). */
    void ref();

    /** Lets the process exit while the channel is open (Node's {@code channel.unref()}). */
    void unref();
}
