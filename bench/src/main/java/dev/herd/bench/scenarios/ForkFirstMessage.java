package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * fork-first-message: N sequential forks of an empty child program ({@link ForkFirstMessageChild},
 * a new JVM), each started from the previous child's 'exit'. The child sends its pid at startup.
 * Metrics: first_message_ms, the median time from the fork call to the child's first 'message';
 * exit_ms, the median time from the fork call to its 'exit'. Checks: every child sent its own pid
 * and exited with code 0. The Node twin is {@code bench/node/fork-first-message.js}, which forks
 * a Node child.
 *
 * <p>The child JVM starts with {@link ForkChildJvm#fastStartOptions}: flags chosen for start-up
 * and an AOT cache of the child's own classes (made once per build, before the first round).
 */
public final class ForkFirstMessage {
    private ForkFirstMessage() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> ForkChildJvm.fastStartOptions(ForkFirstMessageChild.class.getName(),
                execArgv -> Rounds.run(argv, (n, sample, done) -> round(n, sample, done, execArgv))));
    }

    static void round(int n, Rounds.Sample sample, Runnable done, List<String> execArgv) {
        List<Double> firstMessage = new ArrayList<>(n);
        List<Double> exit = new ArrayList<>(n);
        int[] errors = {0};
        SpawnOptions options = SpawnOptions.builder().execArgv(execArgv).build();
        new Object() {
            void next() {
                long t0 = nowNs();
                ChildProcess c = ChildProcesses.fork(ForkFirstMessageChild.class.getName(), List.of(), options);
                int[] messages = {0};
                c.on("message", a -> {
                    if (messages[0]++ == 0) firstMessage.add((nowNs() - t0) / 1e6);
                    if (!Integer.valueOf(c.pid()).equals(a[0])) errors[0]++;
                });
                c.on("error", a -> errors[0]++);
                c.on("exit", a -> {
                    exit.add((nowNs() - t0) / 1e6);
                    if (!Integer.valueOf(0).equals(a[0]) || messages[0] != 1) errors[0]++;
                    if (exit.size() < n) {
                        next();
                        return;
                    }
                    sample.metric("first_message_ms", firstMessage.isEmpty() ? 0 : Rounds.median(firstMessage));
                    sample.metric("exit_ms", Rounds.median(exit));
                    sample.check("all_sent_pid_and_exited_0", errors[0] == 0, errors[0] + " of " + n + " children failed");
                    done.run();
                });
            }
        }.next();
    }
}
