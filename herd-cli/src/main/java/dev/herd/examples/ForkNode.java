package dev.herd.examples;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.json.Json;
import dev.herd.node.value.SerializationException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Forks a Node.js script with an IPC channel (Node's {@code child_process.fork}, from Java):
 * prints every message the script sends, and sends it each line typed on stdin — as the JSON
 * value the line is, or as a string when it is not JSON. At the end of input the channel is
 * disconnected once nothing has been sent either way for {@link #QUIET_MS} (so that answers to the
 * last lines still arrive), counting only once the child has sent something (or after
 * {@link #FIRST_MESSAGE_WAIT_MS} of silence from a child that never sends).
 *
 * <p>Usage: {@code ./herd example fork-node [--advanced] SCRIPT [ARGS...]}; {@code --advanced}
 * uses the V8 'advanced' serialization instead of JSON.
 */
public final class ForkNode {
    /** How long the child must be quiet after the end of input before the channel is disconnected. */
    static final long QUIET_MS = 500;

    /** How long to wait at the end of input for a child that has not sent anything yet (it may still be starting). */
    static final long FIRST_MESSAGE_WAIT_MS = 10_000;

    private static long lastMessageAt = System.nanoTime();
    private static boolean heardFromChild;
    private static long inputEndedAt;

    private ForkNode() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            List<String> rest = new ArrayList<>(Arrays.asList(argv));
            boolean advanced = rest.remove("--advanced");
            if (rest.isEmpty() || rest.getFirst().startsWith("-")) {
                System.err.println("usage: ./herd example fork-node [--advanced] SCRIPT [ARGS...]");
                process().exitCode(2);
                return;
            }
            ChildProcess child = ChildProcesses.fork(rest.getFirst(), rest.subList(1, rest.size()),
                    SpawnOptions.builder().execPath("node").serialization(advanced ? "advanced" : "json").build());
            System.out.println("forked " + rest.getFirst() + " (pid " + child.pid() + "); lines you type are sent to it");
            child.on(ChildProcess.MESSAGE, (message, handle) -> {
                lastMessageAt = System.nanoTime();
                heardFromChild = true;
                System.out.println("message: " + show(message));
            });
            child.on(ChildProcess.ERROR, err -> System.err.println("fork-node: " + err));
            child.on(ChildProcess.EXIT, (code, signal) -> System.out.println("child exited (code " + code + ", signal " + signal + ")"));
            relayStdin(child, process().executor());
        });
    }

    private static String show(Object value) {
        try {
            String json = Json.stringify(value);
            return json != null ? json : String.valueOf(value);
        } catch (SerializationException e) {
            return String.valueOf(value); // a BigInt, a cycle: advanced mode carries what JSON cannot
        }
    }

    /**
     * Reads stdin on a thread of its own (blocking reads stay off the loop) and hands each line to
     * the loop through {@code loop}, the process's executor for other threads.
     */
    private static void relayStdin(ChildProcess child, Executor loop) {
        Thread.ofPlatform().daemon().name("fork-node stdin").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    String l = line;
                    loop.execute(() -> {
                        if (!child.connected()) return;
                        lastMessageAt = System.nanoTime(); // an answer may be on its way
                        child.send(parse(l));
                    });
                }
            } catch (IOException e) {
                System.err.println("fork-node: reading stdin: " + e.getMessage());
            }
            loop.execute(() -> {
                inputEndedAt = System.nanoTime();
                disconnectWhenQuiet(child);
            });
        });
    }

    private static void disconnectWhenQuiet(ChildProcess child) {
        long quietMs = (System.nanoTime() - lastMessageAt) / 1_000_000;
        if (!child.connected()) return;
        if (!heardFromChild && (System.nanoTime() - inputEndedAt) / 1_000_000 < FIRST_MESSAGE_WAIT_MS) {
            // A loaded machine can take seconds to start node: quiet means nothing before it has spoken.
            dev.herd.node.Globals.setTimeout(() -> disconnectWhenQuiet(child), 50);
            return;
        }
        if (quietMs >= QUIET_MS) child.disconnect();
        else dev.herd.node.Globals.setTimeout(() -> disconnectWhenQuiet(child), QUIET_MS - quietMs);
    }

    private static Object parse(String line) {
        try {
            return Json.parse(line);
        } catch (SerializationException notJson) {
            return line;
        }
    }
}
