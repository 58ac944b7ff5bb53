package dev.herd.cli.manager;

import dev.herd.cli.manager.ManagerCli.UsageException;
import dev.herd.manager.JavaCommand;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code herd startup [systemd] [--service-name N] [--user U] [--hp HOME]} writes a systemd unit
 * that resurrects the saved apps at boot and stops them with {@code herd kill}, and enables it
 * when systemd runs; {@code herd unstartup [systemd] [--service-name N] [--user U]} disables and
 * removes it (docs/manager.md, "Save, resurrect and start at boot"). The unit directory is
 * {@code HERD_SYSTEMD_DIR} (default {@code /etc/systemd/system}).
 *
 * <p>Thread rule: one thread. Lifetime: one command.
 */
final class Startup {
    /** The environment variable naming the directory the unit is written to. */
    static final String DIR_ENV = "HERD_SYSTEMD_DIR";
    private static final String DEFAULT_DIR = "/etc/systemd/system";
    /** The directories systemd reads units from: only a unit in one of them is enabled. */
    private static final Set<String> SYSTEMD_DIRS = Set.of("/etc/systemd/system", "/run/systemd/system",
            "/usr/lib/systemd/system", "/lib/systemd/system", "/usr/local/lib/systemd/system");

    private final ManagerCli cli;

    Startup(ManagerCli cli) {
        this.cli = cli;
    }

    /** The options both verbs take. */
    private record Options(String serviceName, String user, Path herdHome) {}

    private Options options(String verb, List<String> argv) {
        String service = null;
        String user = null;
        String hp = null;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "systemd" -> {
                    if (value != null) throw new UsageException("unknown argument " + argv.get(i));
                }
                case "--service-name", "--user", "-u", "--hp" -> {
                    if (value == null) {
                        if (i + 1 >= argv.size()) throw new UsageException(a + " needs a value");
                        value = argv.get(++i);
                    }
                    if (value.isBlank()) throw new UsageException(a + " needs a value");
                    switch (a) {
                        case "--service-name" -> service = value;
                        case "--hp" -> hp = value;
                        default -> user = value;
                    }
                }
                default -> {
                    if (a.startsWith("-")) throw new UsageException("unknown option " + a);
                    // pm2 knows other init systems; Herd writes systemd units only.
                    throw new UsageException("only systemd is supported, not " + a + " (herd " + verb + " [systemd])");
                }
            }
        }
        if (user == null) user = System.getProperty("user.name"); // the uid's name, not a USER that sudo kept
        if (!user.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*")) throw new UsageException("not a user name: " + user);
        if (service == null) service = "herd-" + user;
        if (service.endsWith(".service")) service = service.substring(0, service.length() - ".service".length());
        if (!service.matches("[A-Za-z0-9:_.@-]+")) throw new UsageException("not a service name: " + service);
        // pm2's rule: --hp names the user's home, the manager's directory is .herd in it; else this
        // HERD_HOME, unless the unit is for another user: then .herd in that user's home.
        String current = System.getProperty("user.name");
        if (hp == null && !user.equals(current)) {
            hp = homeOf(user);
            if (hp == null) throw new UsageException("no user " + user + " in /etc/passwd (give its home with --hp HOME)");
        }
        Path home = hp != null ? cli.cwd.resolve(hp).resolve(".herd").normalize() : cli.home.dir();
        return new Options(service, user, home);
    }

    /** The home directory /etc/passwd gives {@code user}, or null. */
    private static String homeOf(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 6 && f[0].equals(user)) return f[5];
            }
        } catch (IOException e) {
            // no passwd file: the caller says so
        }
        return null;
    }

    private Path unitDir() {
        return Path.of(cli.env.getOrDefault(DIR_ENV, DEFAULT_DIR)).toAbsolutePath().normalize();
    }

    /** {@code herd startup}. */
    void startup(List<String> argv) {
        Options o = options("startup", argv);
        Path dir = unitDir();
        Path unit = dir.resolve(o.serviceName() + ".service");
        String text = unit(o, launcher());
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + o.serviceName() + ".service.tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, unit, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UsageException("cannot write " + unit + ": " + e.getMessage()
                    + ("root".equals(System.getProperty("user.name")) ? "" : " (as root: sudo env PATH=$PATH " + String.join(" ", launcher())
                    + " startup systemd -u " + o.user() + " --hp " + System.getProperty("user.home") + ")"));
        }
        cli.out.println("wrote " + unit + " (HERD_HOME " + o.herdHome() + ", user " + o.user() + ")");
        String why = whyNotSystemd(dir);
        if (why != null) {
            cli.out.println("not enabled: " + why + "; enable it with: systemctl daemon-reload && systemctl enable "
                    + o.serviceName());
            return;
        }
        systemctl("daemon-reload");
        systemctl("enable", o.serviceName() + ".service");
        cli.out.println("enabled " + o.serviceName() + ".service: at boot it runs herd resurrect (herd save keeps"
                + " the list it restores)");
    }

    /** {@code herd unstartup}. */
    void unstartup(List<String> argv) {
        Options o = options("unstartup", argv);
        Path dir = unitDir();
        Path unit = dir.resolve(o.serviceName() + ".service");
        if (!Files.exists(unit)) throw new UsageException("no unit " + unit + " (herd startup writes it)");
        String why = whyNotSystemd(dir);
        // Disabled, not stopped: stopping would run ExecStop (herd kill) and end every app.
        if (why == null) systemctl("disable", o.serviceName() + ".service");
        try {
            Files.delete(unit);
        } catch (IOException e) {
            throw new UsageException("cannot remove " + unit + ": " + e.getMessage());
        }
        if (why == null) systemctl("daemon-reload");
        cli.out.println("removed " + unit + (why == null ? " (disabled; the apps keep running)" : " (not disabled: " + why + ")"));
    }

    /** Why systemctl is not run for a unit in {@code dir}, or null when it is. */
    private static String whyNotSystemd(Path dir) {
        // sd_booted()'s test: this directory exists when systemd is the init system.
        if (!Files.isDirectory(Path.of("/run/systemd/system"))) return "systemd is not running here (PID 1 is not systemd)";
        if (!SYSTEMD_DIRS.contains(dir.toString())) return dir + " is not a directory systemd reads units from";
        return null;
    }

    private void systemctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("systemctl"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new UsageException(String.join(" ", cmd) + " failed: " + (out.isEmpty() ? "exit " + p.exitValue() : out));
            }
        } catch (IOException e) {
            throw new UsageException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted");
        }
    }

    /**
     * The command that runs this build's {@code herd}: the launcher of the checkout this command
     * line runs from ({@code -Dherd.root}, else found above its classes or jars), or, without one,
     * this JVM's own command line.
     */
    static List<String> launcher() {
        String root = System.getProperty("herd.root");
        if (root != null && isLauncher(Path.of(root, "herd"))) return List.of(Path.of(root, "herd").toString());
        try {
            Path here = Path.of(Startup.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = here; d != null; d = d.getParent()) {
                if (isLauncher(d.resolve("herd")) && Files.exists(d.resolve("mvnw"))) return List.of(d.resolve("herd").toString());
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall back to the java command line
        }
        // The daemon's flags and cache serve a command line too (the same class path); the unit's
        // command then starts the daemon it needs with them anyway.
        return JavaCommand.manager("daemon", "dev.herd.cli.Main", List.of());
    }

    private static boolean isLauncher(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    /** The unit's text. */
    static String unit(Options o, List<String> herd) {
        String exec = exec(herd);
        String javaHome = System.getProperty("java.home");
        StringBuilder b = new StringBuilder();
        b.append("# Written by herd startup: Herd's process manager for ").append(o.user()).append(", HERD_HOME ")
                .append(o.herdHome()).append(".\n# herd unstartup removes it.\n");
        b.append("[Unit]\n");
        b.append("Description=Herd process manager (").append(escape(o.user())).append(")\n");
        b.append("Documentation=https://pm2.keymetrics.io/docs/usage/startup/\n");
        b.append("After=network.target\n\n");
        b.append("[Service]\n");
        b.append("# `herd resurrect` starts the daemon detached and returns once the saved apps are up:\n");
        b.append("# the daemon is the main process, named by its pid file.\n");
        b.append("Type=forking\n");
        b.append("PIDFile=").append(escape(o.herdHome().resolve("daemon.pid").toString())).append('\n');
        b.append("User=").append(o.user()).append('\n');
        b.append("LimitNOFILE=infinity\nLimitNPROC=infinity\nLimitCORE=infinity\n");
        b.append(environment("PATH", searchPath())).append('\n');
        b.append(environment("HERD_HOME", o.herdHome().toString())).append('\n');
        b.append(environment("JAVA_HOME", javaHome)).append('\n');
        b.append("# Only the daemon is systemd's to signal. The keeper (the apps' parent) and the apps are in\n");
        b.append("# this unit's cgroup too, but they outlive the daemon on purpose: when the daemon dies or is\n");
        b.append("# replaced (herd update), the next daemon re-adopts them. systemd's default (control-group)\n");
        b.append("# would kill them behind the manager's back whenever the daemon exits; ExecStop (herd kill)\n");
        b.append("# stops them gracefully instead.\n");
        b.append("KillMode=process\n");
        b.append("Restart=on-failure\n\n");
        b.append("ExecStart=").append(exec).append(" resurrect\n");
        b.append("# systemctl reload: a new daemon of the installed build re-adopts the apps (none restarts);\n");
        b.append("# systemd reads the pid file again once it is done.\n");
        b.append("ExecReload=").append(exec).append(" update\n");
        b.append("# systemd runs ExecStop also when the daemon exits on its own (a crash, before Restart=);\n");
        b.append("# then MAINPID is unset and the apps must live on for the next daemon to re-adopt.\n");
        b.append("ExecStop=/bin/sh -c 'if [ -n \"$$MAINPID\" ]; then exec ").append(exec.replace("'", "'\\''"))
                .append(" kill; fi'\n\n");
        b.append("[Install]\nWantedBy=multi-user.target\n");
        return b.toString();
    }

    private static String searchPath() {
        String path = System.getenv("PATH");
        return path == null || path.isBlank() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path;
    }

    /** {@code Environment=NAME=value}, quoted when the value has a space, a quote or a backslash. */
    private static String environment(String name, String value) {
        String v = escape(name + "=" + value);
        if (v.matches("[^\\s\"'\\\\]*")) return "Environment=" + v;
        return "Environment=\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A command line for Exec*=: each word quoted when it needs it, {@code %} and {@code $} doubled (systemd expands them). */
    private static String exec(List<String> cmd) {
        List<String> words = new ArrayList<>(cmd.size());
        for (String w : cmd) {
            String e = escape(w).replace("$", "$$");
            words.add(e.matches("[^\\s\"'\\\\;]+") ? e : "\"" + e.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return String.join(" ", words);
    }

    private static String escape(String s) {
        return s.replace("%", "%%");
    }
}
