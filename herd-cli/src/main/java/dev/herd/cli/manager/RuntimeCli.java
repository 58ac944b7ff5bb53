package dev.herd.cli.manager;

import dev.herd.manager.Foreground;
import dev.herd.manager.HerdHome;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code herd runtime TARGET|CONFIG [start's options] [--json|--raw|--formatted] [--health-port P]
 * [--health-host H] [--no-auto-exit]}: pm2-runtime, the manager in the foreground
 * ({@link Foreground}). Its own options are taken out; the rest is {@code start}'s command line,
 * run by {@link ManagerCli} (the same parsing, checks and config files) against the daemon in
 * this process once its control socket answers.
 *
 * <p>Thread rule: the main thread parses; the start runs on a pool thread of the runtime's loop.
 */
public final class RuntimeCli {
    private static final String USAGE = "usage: herd runtime SCRIPT|CONFIG [start's options] [--json | --raw | --formatted]"
            + " [--health-port P] [--health-host ADDRESS] [--no-auto-exit] [-- ARGS...]";

    private RuntimeCli() {}

    /**
     * Runs {@code herd runtime ARGS}: returns only when the arguments are wrong (the exit code);
     * otherwise the process ends with the runtime.
     *
     * @param args the arguments after {@code runtime}
     * @return the exit code of a wrong command line
     */
    public static int run(String[] args) {
        List<String> start = new ArrayList<>(List.of("start"));
        String output = "prefixed";
        int port = -1;
        String host = "0.0.0.0";
        boolean autoExit = true;
        List<String> argv = List.of(args);
        if (!argv.isEmpty() && argv.getFirst().equals("start")) argv = argv.subList(1, argv.size()); // pm2-runtime start X
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) {
                start.addAll(argv.subList(i, argv.size()));
                break;
            }
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                case "--json" -> output = "json";
                case "--raw" -> output = "raw";
                case "--formatted" -> output = "prefixed";
                case "--no-auto-exit" -> autoExit = false;
                case "--health-port", "--health-host" -> {
                    if (value == null) {
                        if (i + 1 >= argv.size()) return usage(a + " needs a value");
                        value = argv.get(++i);
                    }
                    if (a.equals("--health-host")) {
                        if (value.isBlank()) return usage("--health-host needs an address");
                        host = value;
                    } else {
                        try {
                            port = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            port = -2;
                        }
                        if (port < 0 || port > 65535) return usage("--health-port needs a port number (0-65535), not " + value);
                    }
                }
                default -> start.add(argv.get(i));
            }
        }
        if (start.size() == 1) return usage("needs a script, executable or config file (" + USAGE + ")");
        Map<String, String> env = System.getenv();
        String[] startArgs = start.toArray(String[]::new);
        Foreground.run(HerdHome.of(env), new Foreground.Options(output, port, host, autoExit), () -> start(startArgs, env));
        return 0; // not reached: the runtime ends the process
    }

    private static int usage(String why) {
        System.err.println("herd runtime: " + why);
        return 1;
    }

    /**
     * {@code herd start ARGS} against the runtime's own daemon: its table is not printed (the
     * manager's log says what started); its warnings and error go to stderr as the runtime's.
     *
     * @return null once started, or the error
     */
    private static String start(String[] args, Map<String, String> env) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             PrintStream out = new PrintStream(OutputStream.nullOutputStream())) {
            code = ManagerCli.run(args, env, out, err);
        }
        List<String> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) continue;
            lines.add(line.startsWith("herd start: ") ? line.substring("herd start: ".length()) : line);
        }
        String error = code == 0 ? null : lines.isEmpty() ? "the start failed (exit code " + code + ")" : lines.removeLast();
        for (String line : lines) System.err.println("herd runtime: " + line);
        return error;
    }
}
