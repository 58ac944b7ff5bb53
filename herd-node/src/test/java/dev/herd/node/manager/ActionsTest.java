package dev.herd.node.manager;

import static dev.herd.node.Globals.clearTimeout;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.Timeout;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Actions}: pm2's custom actions over the IPC channel, seen from the manager's side by a
 * Herd parent that forks a Herd child (the manager's keeper does the same).
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
class ActionsTest {
    private static void run(Herd.Main main) {
        assertThat(Herd.call(new String[0], main)).as("exit code").isZero();
    }

    private static SpawnOptions jvm() {
        return SpawnOptions.builder().execArgv(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"))).build();
    }

    @Test
    void registeringWithoutAnIpcChannelIsANoOpThatReturnsFalse() {
        boolean[] told = {true};
        run(a -> told[0] = Actions.register("hello", (param, reply) -> reply.send("never")));
        assertThat(told[0]).isFalse();
    }

    @Test
    void anActionNeedsANameAndAHandler() {
        run(a -> {
            assertThatThrownBy(() -> Actions.register("", (param, reply) -> {})).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Actions.register("x", null)).isInstanceOf(NullPointerException.class);
        });
    }

    @Test
    void aChildTellsItsParentEachActionInPm2sAxmActionMessage() {
        List<Object> messages = new ArrayList<>();
        List<Object> exits = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(ActionsChildMain.class.getName(), List.of(), jvm());
            child.on("message", m -> messages.add(m[0]));
            // A child kept alive by its actions would never end: a deadline ends it (and the test fails).
            Timeout deadline = setTimeout(child::kill, 20_000);
            child.on("exit", x -> {
                clearTimeout(deadline);
                exits.add(x[0]);
            });
        });
        assertThat(messages).containsExactly(
                Map.of("type", "axm:action", "data", Map.of("action_name", "hello", "action_type", "custom", "arity", 2)),
                Map.of("type", "axm:action", "data", Map.of("action_name", "echo", "action_type", "custom", "arity", 2)));
        // Nothing but the actions ran in the child: they did not keep it alive.
        assertThat(exits).containsExactly(0);
    }

    @Test
    void aTriggerByNameRunsTheActionAndItsReplyIsPm2sAxmReply() {
        List<Map<?, ?>> replies = new ArrayList<>();
        long[] pid = {0};
        run(a -> {
            ChildProcess child = ChildProcesses.fork(ActionsChildMain.class.getName(), List.of("stay"), jvm());
            pid[0] = child.pid();
            child.on("message", m -> {
                Map<?, ?> msg = (Map<?, ?>) m[0];
                if (msg.get("type").equals("axm:action") && ((Map<?, ?>) msg.get("data")).get("action_name").equals("echo")) {
                    child.send("hello"); // pm2's trigger without a param: the name alone
                } else if (msg.get("type").equals("axm:reply")) {
                    replies.add((Map<?, ?>) msg.get("data"));
                    child.disconnect();
                }
            });
        });
        assertThat(replies).singleElement().satisfies(d -> {
            assertThat(d.get("action_name")).isEqualTo("hello");
            assertThat(d.get("return")).isEqualTo(Map.of("hello", (int) pid[0]));
            assertThat(d.get("at")).isInstanceOf(Long.class);
        });
    }

    @Test
    void aTriggerWithAParamPassesItsOptsToTheAction() {
        List<Object> returns = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(ActionsChildMain.class.getName(), List.of("stay"), jvm());
            child.on("message", m -> {
                Map<?, ?> msg = (Map<?, ?>) m[0];
                if (msg.get("type").equals("axm:action") && ((Map<?, ?>) msg.get("data")).get("action_name").equals("echo")) {
                    child.send(Map.of("msg", "echo", "opts", Map.of("n", 7))); // pm2's trigger with a param
                } else if (msg.get("type").equals("axm:reply")) {
                    returns.add(((Map<?, ?>) msg.get("data")).get("return"));
                    child.disconnect();
                }
            });
        });
        assertThat(returns).containsExactly(Map.of("got", Map.of("n", 7)));
    }

    @Test
    void messagesThatNameNoActionAreLeftToTheProgram() {
        List<Object> replies = new ArrayList<>();
        run(a -> {
            ChildProcess child = ChildProcesses.fork(ActionsChildMain.class.getName(), List.of("stay"), jvm());
            child.on("message", m -> {
                Map<?, ?> msg = (Map<?, ?>) m[0];
                if (msg.get("type").equals("axm:action") && ((Map<?, ?>) msg.get("data")).get("action_name").equals("echo")) {
                    child.send("nope");
                    child.send(List.of(1, 2));
                    child.send(Map.of("msg", 3));
                    child.send("hello"); // answered after the others were passed over
                } else if (msg.get("type").equals("axm:reply")) {
                    replies.add(((Map<?, ?>) msg.get("data")).get("action_name"));
                    child.disconnect();
                }
            });
        });
        assertThat(replies).containsExactly("hello");
    }
}
