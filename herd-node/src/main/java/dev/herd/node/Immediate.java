package dev.herd.node;

/**
 * What {@code setImmediate} returns (Node's {@code Immediate}): its callback runs in the check
 * phase of the loop iteration after the one that scheduled it.
 *
 * <p>Thread rule: the loop thread of the environment that made it. Lifetime: until it has run or
 * been cleared.
 */
public final class Immediate {
    final NodeEnvironment env;
    Runnable callback;
    Immediate prev;
    Immediate next;
    boolean ref = true;
    boolean destroyed;

    Immediate(NodeEnvironment env, Runnable callback) {
        this.env = env;
        this.callback = callback;
    }

    /**
     * Makes this immediate keep the process alive (the default).
     *
     * @return this immediate
     */
    public Immediate ref() {
        env.checkThread();
        if (!ref && !destroyed) {
            ref = true;
            env.immediateRefChanged(+1);
        }
        ref = true;
        return this;
    }

    /**
     * Lets the process exit while this immediate is pending.
     *
     * @return this immediate
     */
    public Immediate unref() {
        env.checkThread();
        if (ref && !destroyed) {
            ref = false;
            env.immediateRefChanged(-1);
        }
        ref = false;
        return this;
    }

    /** {@return whether this immediate keeps the process alive} */
    public boolean hasRef() {
        return ref;
    }
}
