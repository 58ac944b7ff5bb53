package dev.herd.node.internal.bootstrap;

import dev.herd.node.internal.Environment;
import dev.herd.node.internal.cluster.ClusterSide;
import dev.herd.node.internal.http.HttpWarmup;
import dev.herd.node.internal.ipc.Channel;
import dev.herd.node.internal.ipc.ChildChannel;
import dev.herd.node.internal.ipc.EmitterTarget;

/**
 * A process's start-up (Node's {@code lib/internal/process/pre_execution.js}): what runs before a
 * program's {@code main} and wires the higher packages of the Node layer in. It is the top of
 * herd-node's package layers, and {@code Herd} is the one class that calls it (LayeringTest lets
 * that one arrow point up): the other packages never name a package above their own.
 *
 * <p>Nested environments (worker_threads, the HTTP warm-up) skip it: they have no IPC channel and
 * are not cluster workers. Thread rule: the starting program's thread. Stateless.
 */
public final class Bootstrap {
    private Bootstrap() {}

    /**
     * Before the process's loop exists: a cluster worker starts warming its HTTP request path on
     * another thread ({@link HttpWarmup}), while this one links its own.
     */
    public static void beforeLoop() {
        HttpWarmup.atStart();
    }

    /**
     * On the loop thread, before {@code main}: a forked child opens its channel to the parent
     * (NODE_CHANNEL_FD), as Node does before user code; a cluster worker (NODE_UNIQUE_ID) sets
     * itself up and reports 'online'; a program the process manager runs starts its report.
     *
     * @param env the starting environment
     */
    public static void started(Environment env) {
        Channel channel = ChildChannel.open(env, env.process().env(), new EmitterTarget(env.process(), () -> {}));
        if (channel != null) env.channel(channel);
        ClusterSide.initialize(env);
        dev.herd.node.internal.manager.RuntimeReport.start(env); // under the process manager: its figures
    }

    /**
     * On the loop thread, once {@code main} has returned: in the first process of an AOT training
     * run ({@code herd run}), starts watching for the end of start-up ({@link TrainingWatch}).
     *
     * @param env the program's environment
     */
    public static void afterMain(Environment env) {
        TrainingWatch.afterMain(env);
    }
}
