package dev.herd.node;

import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.queueMicrotask;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same program run by the real Node.js and by Herd prints the same lines in the same order:
 * nextTick and microtask interleaving, timers with ticks drained between them, immediates queued
 * from timers and from immediates, intervals, beforeExit scheduling more work, and exit.
 */
@ExtendWith(FdLeakCheck.class)
class NodeParityTest {

    @Test
    void orderingOfTicksMicrotasksTimersAndImmediatesMatchesNode() throws Exception {
        List<String> node = runNode("parity/ordering.js");
        List<String> herd = new ArrayList<>();
        int code = Herd.call(new String[0], a -> ordering(herd::add));
        assertThat(code).isZero();
        assertThat(herd).containsExactlyElementsOf(node);
        assertThat(node).hasSizeGreaterThan(20);
    }

    /** Line for line the program in parity/ordering.js. */
    private static void ordering(Consumer<String> log) {
        log.accept("main");
        process().nextTick(() -> {
            log.accept("tick1");
            process().nextTick(() -> log.accept("tick1.1"));
            queueMicrotask(() -> log.accept("micro-from-tick1"));
        });
        queueMicrotask(() -> {
            log.accept("micro1");
            process().nextTick(() -> log.accept("tick-from-micro1"));
            queueMicrotask(() -> log.accept("micro1.1"));
        });
        setTimeout(() -> {
            log.accept("timeout10-a");
            process().nextTick(() -> log.accept("tick-in-timeout"));
            queueMicrotask(() -> log.accept("micro-in-timeout"));
            setImmediate(() -> log.accept("immediate-from-timeout"));
            setTimeout(() -> log.accept("timeout0-from-timeout"), 0);
        }, 10);
        setTimeout(() -> log.accept("timeout20"), 20);
        setTimeout(() -> {
            log.accept("timeout30");
            setImmediate(() -> {
                log.accept("imm-a");
                process().nextTick(() -> log.accept("tick-in-imm-a"));
                setImmediate(() -> log.accept("imm-c-nested"));
            });
            setImmediate(() -> log.accept("imm-b"));
        }, 30);
        int[] count = {0};
        Timeout[] iv = new Timeout[1];
        iv[0] = setInterval(() -> {
            log.accept("interval");
            if (++count[0] == 3) clearInterval(iv[0]);
        }, 50);
        int[] beforeExitSeen = {0};
        process().on("beforeExit", x -> {
            if (beforeExitSeen[0]++ > 0) return;
            log.accept("beforeExit " + x[0]);
            setTimeout(() -> log.accept("timeout-from-beforeExit"), 1);
        });
        process().on("exit", x -> log.accept("exit " + x[0]));
    }

    private static List<String> runNode(String resource) throws IOException, InterruptedException {
        Path script = Files.createTempFile("herd-parity", ".js");
        try (InputStream in = NodeParityTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.write(script, in.readAllBytes());
        }
        try {
            Process p = new ProcessBuilder("node", script.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out.lines().toList();
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
