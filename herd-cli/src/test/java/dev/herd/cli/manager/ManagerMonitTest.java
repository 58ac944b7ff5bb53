package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd monit} (issue 16) in a real terminal: tmux on a server of its own, driven with
 * send-keys and read with capture-pane.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerMonitTest {
    private static final String TICK_SH = "#!/bin/sh\nwhile true; do echo \"tick $1\"; sleep 0.2; done\n";

    @TempDir
    Path tmp;

    private Herd herd;
    private final String socket = "herd-monit-" + UUID.randomUUID();
    private Path exit;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
        Path tick = herd.file("tick.sh", TICK_SH);
        herd.run("start", tick.toString(), "--name", "alpha", "--", "A").ok();
        herd.run("start", tick.toString(), "--name", "beta", "--", "B").ok();
        herd.awaitStatus("alpha", "online");
        herd.awaitStatus("beta", "online");
        exit = tmp.resolve("exit");
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        tmux("kill-server");
        herd.close();
    }

    /** Runs {@code tmux -L SOCKET ARGS} and returns its output. */
    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Starts {@code herd monit} in a 120x40 tmux pane; its exit code goes to {@link #exit}. */
    private void startMonit() throws Exception {
        StringBuilder cmd = new StringBuilder("env");
        for (Map.Entry<String, String> e : herd.env.entrySet()) cmd.append(' ').append(e.getKey()).append('=').append(quote(e.getValue()));
        cmd.append(' ').append(quote(Path.of(System.getProperty("java.home"), "bin", "java").toString()))
                .append(" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp ")
                .append(quote(System.getProperty("java.class.path"))).append(" dev.herd.cli.Main monit; echo $? > ")
                .append(quote(exit.toString()));
        tmux("new-session", "-d", "-s", "m", "-x", "120", "-y", "40", cmd.toString());
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Captures the pane until {@code test} holds (deadline 30 s); returns the screen's lines. */
    private List<String> awaitScreen(String what, Predicate<List<String>> test) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        List<String> screen = List.of();
        while (System.currentTimeMillis() < deadline) {
            screen = List.of(tmux("capture-pane", "-p", "-t", "m").split("\n", -1));
            if (test.test(screen)) return screen;
            Thread.sleep(100);
        }
        throw new AssertionError("the screen never showed " + what + ":\n" + String.join("\n", screen));
    }

    private static boolean has(List<String> screen, String text) {
        return screen.stream().anyMatch(l -> l.contains(text));
    }

    @Test
    void monitListsTheAppsAndShowsTheSelectedOnesDetailsAndLogs() throws Exception {
        startMonit();
        List<String> screen = awaitScreen("both apps and alpha's logs", s -> has(s, "alpha") && has(s, "beta")
                && has(s, "online") && has(s, "tick A") && has(s, "alpha:0"));
        assertThat(screen.getFirst()).contains("herd monit");
        assertThat(screen).anyMatch(l -> l.startsWith(">0") && l.contains("alpha"));
        assertThat(screen).noneMatch(l -> l.contains("tick B"));
    }

    @Test
    void theDownKeySelectsTheNextAppAndItsLogs() throws Exception {
        startMonit();
        awaitScreen("alpha selected", s -> has(s, "alpha:0") && has(s, "tick A"));
        tmux("send-keys", "-t", "m", "Down");
        List<String> screen = awaitScreen("beta selected", s -> has(s, "beta:1") && has(s, "tick B"));
        assertThat(screen).anyMatch(l -> l.startsWith(">1") && l.contains("beta"));
        tmux("send-keys", "-t", "m", "Up");
        awaitScreen("alpha selected again", s -> has(s, "alpha:0") && has(s, "tick A"));
    }

    @Test
    void aResizeRedrawsTheScreenToTheNewWidth() throws Exception {
        startMonit();
        awaitScreen("the list", s -> has(s, "alpha") && has(s, "beta"));
        tmux("resize-window", "-t", "m", "-x", "60", "-y", "20");
        List<String> screen = awaitScreen("a 60-column screen", s -> s.size() >= 20 && has(s, "herd monit") && has(s, "alpha")
                && s.stream().allMatch(l -> l.codePointCount(0, l.length()) <= 60));
        assertThat(screen.getFirst()).contains("herd monit");
    }

    @Test
    void qQuitsAndGivesTheTerminalBack() throws Exception {
        tmux("new-session", "-d", "-s", "keep", "-x", "100", "-y", "30", "sleep 600"); // keeps the server up
        startMonit();
        awaitScreen("the list", s -> has(s, "alpha"));
        assertThat(tmux("display", "-p", "-t", "m", "#{alternate_on}").strip()).isEqualTo("1");
        tmux("set-option", "-t", "m", "remain-on-exit", "on");
        tmux("send-keys", "-t", "m", "q");
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(exit) || Files.readString(exit).isBlank()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("monit did not end on q");
            Thread.sleep(50);
        }
        assertThat(Files.readString(exit).strip()).isEqualTo("0");
        assertThat(tmux("display", "-p", "-t", "m", "#{alternate_on}").strip()).isEqualTo("0");
    }

    @Test
    void ctrlCQuitsToo() throws Exception {
        startMonit();
        awaitScreen("the list", s -> has(s, "alpha"));
        tmux("send-keys", "-t", "m", "C-c");
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(exit) || Files.readString(exit).isBlank()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("monit did not end on Ctrl-C");
            Thread.sleep(50);
        }
        assertThat(Files.readString(exit).strip()).isEqualTo("0");
    }

    @Test
    void withoutATerminalMonitSaysItNeedsOne() {
        Herd.Result r = herd.run("monit");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("monit needs a terminal");
    }
}
