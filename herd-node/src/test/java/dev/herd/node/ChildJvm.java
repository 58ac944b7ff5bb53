package dev.herd.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a helper main class in a fresh JVM with this test JVM's class path (libuv's test runner). */
public final class ChildJvm {
    /**
     * How the child ended and what it printed.
     *
     * @param code its exit code
     * @param out its stdout
     * @param err its stderr
     */
    public record Result(int code, String out, String err) {}

    private ChildJvm() {}

    /**
     * Runs {@code main} with {@code args} in a new JVM and waits (up to 60 s) for it to end.
     *
     * @param main the helper's main class
     * @param args its arguments
     * @return how it ended
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static Result run(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        byte[][] bufs = new byte[2][];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                bufs[1] = err.readAllBytes();
            } catch (IOException e) {
                bufs[1] = new byte[0];
            }
        });
        bufs[0] = out.readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not exit: " + main.getName());
        }
        t.join();
        return new Result(p.exitValue(), new String(bufs[0], StandardCharsets.UTF_8),
                new String(bufs[1], StandardCharsets.UTF_8));
    }
}
