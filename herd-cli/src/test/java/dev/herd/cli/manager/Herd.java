package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The black-box harness of the manager's tests (pm2's e2e style): runs the real {@code herd}
 * command line as a process ({@code java -cp <this class path> dev.herd.cli.Main VERB ...}) in a
 * temporary {@code HERD_HOME} with small timing knobs, and reads {@code jlist} with Jackson.
 * {@link #close()} runs {@code herd kill} and then checks that nothing it started is left: the
 * daemon, the keeper and every app process seen (killing and failing if one is).
 */
final class Herd implements AutoCloseable {
    /** What one command did. */
    record Result(int code, String out, String err) {
        Result ok() {
            assertThat(code).as("exit code; stderr: %s; stdout: %s", err, out).isZero();
            return this;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEADLINE_MS = 30_000;

    final Path home;
    final Path dir;
    final Map<String, String> env = new LinkedHashMap<>();
    private final Set<Long> seen = new LinkedHashSet<>();

    Herd(Path tmp) throws IOException {
        this.home = tmp.resolve("home");
        this.dir = Files.createDirectories(tmp.resolve("apps"));
        env.put("HERD_HOME", home.toString());
        env.put("HERD_SAMPLE_MS", "200");
        env.put("HERD_KEEPER_REAP_MS", "200");
        env.put("HERD_AOT", "0");
    }

    /** Runs {@code herd ARGS} in {@link #dir} and waits for it. */
    Result run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "dev.herd.cli.Main"));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("HERD_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("herd " + String.join(" ", args) + " did not end within 60 s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code herd jlist}, parsed; remembers every pid it shows for the leak check. */
    List<JsonNode> jlist() {
        Result r = run("jlist").ok();
        try {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode p : JSON.readTree(r.out())) {
                out.add(p);
                if (p.get("pid").asLong() > 0) seen.add(p.get("pid").asLong());
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("jlist printed no JSON: " + r.out(), e);
        }
    }

    /** The app named {@code name} in jlist (the first), or null. */
    JsonNode app(String name) {
        for (JsonNode p : jlist()) {
            if (p.get("name").asText().equals(name)) return p;
        }
        return null;
    }

    /** Polls jlist until the app named {@code name} satisfies {@code test}, with a deadline. */
    JsonNode await(String name, String what, Predicate<JsonNode> test) {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            last = app(name);
            if (last != null && test.test(last)) return last;
        }
        throw new AssertionError(name + " never " + what + "; last: " + last + "\nherd.log:\n" + managerLog());
    }

    JsonNode awaitStatus(String name, String status) {
        return await(name, "became " + status, p -> status(p).equals(status));
    }

    static String status(JsonNode p) {
        return p.get("pm2_env").get("status").asText();
    }

    static int restarts(JsonNode p) {
        return p.get("pm2_env").get("restart_time").asInt();
    }

    /** Waits until {@code file} holds a line matching {@code regex}; returns the file's text. */
    String awaitLine(Path file, String regex) {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(?m)^" + regex + "$");
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                text = Files.exists(file) ? Files.readString(file) : "";
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            if (p.matcher(text).find()) return text;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(file + " never had a line " + regex + "; it has:\n" + text + "\nherd.log:\n" + managerLog());
    }

    /** A fixture program in {@link #dir}. */
    Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        f.toFile().setExecutable(true);
        return f;
    }

    Path log(String name) {
        return home.resolve("logs").resolve(name);
    }

    String managerLog() {
        try {
            return Files.exists(home.resolve("herd.log")) ? Files.readString(home.resolve("herd.log")) : "(no herd.log)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    long daemonPid() {
        return pidIn("daemon.pid");
    }

    long keeperPid() {
        return pidIn("keeper.pid");
    }

    private long pidIn(String file) {
        try {
            return Long.parseLong(Files.readString(home.resolve(file)).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Remembers a pid the leak check must find gone. */
    void track(long pid) {
        if (pid > 0) seen.add(pid);
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
    }

    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Waits (with a deadline) until {@code pid} is gone. */
    static boolean awaitGone(long pid, long ms) {
        long deadline = System.currentTimeMillis() + ms;
        while (alive(pid)) {
            if (System.currentTimeMillis() > deadline) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * {@code herd kill}, then the leak check: the daemon, the keeper, their descendants and every
     * app pid seen must be gone. What is left is killed, and the test fails.
     */
    @Override
    public void close() {
        Set<Long> all = new LinkedHashSet<>(seen);
        for (long pid : List.of(daemonPid(), keeperPid())) {
            if (pid > 0 && alive(pid)) {
                all.add(pid);
                ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
            }
        }
        Result kill = run("kill");
        List<Long> left = new ArrayList<>();
        for (long pid : all) {
            if (!awaitGone(pid, 5000)) left.add(pid);
        }
        for (long pid : left) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        assertThat(kill.code()).as("herd kill: %s %s", kill.out(), kill.err()).isZero();
        assertThat(left).as("processes left after herd kill; herd.log:\n%s", managerLog()).isEmpty();
    }
}
