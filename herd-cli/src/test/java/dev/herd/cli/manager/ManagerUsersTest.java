package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users, black-box: apps run as another user ({@code --uid}, {@code --gid}, {@code user} in a
 * config file) when the manager runs as root, and are refused with one line otherwise; and a
 * second user's command line against root's {@code HERD_HOME}: refused by the directory's mode,
 * and, with the modes opened up, by the daemon's {@code SO_PEERCRED} check, while the daemon
 * carries on. The second user is {@code herdtest}, made here when missing (the tests run as root,
 * as CI does); it gets its own copy of the class path, since the build's Maven repository need not
 * be readable by others.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerUsersTest {
    static final String USER = "herdtest";

    /** Says who it runs as, then sleeps. */
    static final String WHOAMI_SH = """
            #!/bin/bash
            echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) home=$HOME user=$USER cwd=$(pwd)"
            while true; do sleep 0.2; done
            """;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static String classPath;
    private static int userUid;
    private static int userGid;
    private static String userHome;

    private Herd herd;

    @BeforeAll
    static void aSecondUser() throws Exception {
        assertThat(ProcessHandle.current().info().user().orElse("")).as("these tests run as root, as CI does").isEqualTo("root");
        if (exec("id", "-u", USER).code() != 0) {
            Herd.Result r = exec("useradd", "--create-home", "--shell", "/bin/sh", USER);
            // Another run may have made it meanwhile (9: exists already).
            assertThat(r.code()).as("useradd: %s", r.err()).isIn(0, 9);
        }
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":", -1);
            if (f[0].equals(USER)) {
                userUid = Integer.parseInt(f[2]);
                userGid = Integer.parseInt(f[3]);
                userHome = f[5];
            }
        }
        assertThat(userUid).isPositive();
        Files.createDirectories(Path.of(userHome));
        Files.setOwner(Path.of(userHome), principal(USER));
        // The second user's JVM reads the JDK (world-readable) and the class path: copied where it can.
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            Path dst = shared.resolve("cp" + n++ + (Files.isDirectory(src) ? "" : "-" + src.getFileName()));
            copy(src, dst);
            entries.add(dst.toString());
        }
        classPath = String.join(":", entries);
    }

    private static void copy(Path src, Path dst) throws IOException {
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path to = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static UserPrincipal principal(String name) throws IOException {
        return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
    }

    private static Herd.Result exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not end");
        }
        return new Herd.Result(p.exitValue(), out, err);
    }

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
        // The apps' directory must be reachable by the user they run as.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(herd.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    /** {@code herd ARGS} run as the second user (setpriv), with {@code home} as its HERD_HOME, in {@code cwd}. */
    private Herd.Result runAsUser(Path home, Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", classPath, "dev.herd.cli.Main"));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(tmp, "out", ".txt");
            Path err = Files.createTempFile(tmp, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("HERD_"));
            pb.environment().putAll(herd.env);
            pb.environment().put("HERD_HOME", home.toString());
            pb.environment().put("HOME", userHome);
            pb.environment().put("USER", USER);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("herd " + String.join(" ", args) + " as " + USER + " did not end within 60 s");
            }
            Herd.Result r = new Herd.Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The line the app wrote about itself. */
    private String whoLine() {
        String text = herd.awaitLine(herd.log("whoami-out.log"), "uid=.*");
        return text.lines().filter(l -> l.startsWith("uid=")).findFirst().orElseThrow();
    }

    private static String procStatus(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1).strip().replaceAll("\\s+", " ");
        }
        return null;
    }

    // ---------------------------------------------------------------- --uid, --gid

    @Test
    void anAppStartedWithUidAndGidRunsAsThatUserAndGroupWithTheUsersHome() throws Exception {
        Path script = herd.file("whoami.sh", WHOAMI_SH);
        herd.run("start", script.toString(), "--uid", USER, "--gid", "nogroup").ok();
        JsonNode p = herd.awaitStatus("whoami", "online");
        String line = whoLine();
        assertThat(line).isEqualTo("uid=" + userUid + " gid=65534 groups=65534 home=" + userHome + " user=" + USER
                + " cwd=" + herd.dir.toRealPath());
        long pid = p.get("pid").asLong();
        assertThat(procStatus(pid, "Uid")).isEqualTo((userUid + " ").repeat(4).strip());
        assertThat(procStatus(pid, "Gid")).isEqualTo("65534 65534 65534 65534");
        assertThat(procStatus(pid, "CapEff")).isEqualTo("0000000000000000");
        assertThat(p.get("pm2_env").get("username").asText()).isEqualTo(USER);
        assertThat(p.get("pm2_env").get("uid").asInt()).isEqualTo(userUid);
        assertThat(p.get("pm2_env").get("gid").asInt()).isEqualTo(65534);
        assertThat(herd.run("list").ok().out()).contains(" " + USER + " ");
        // The log files stay the manager's.
        assertThat(Files.getOwner(herd.log("whoami-out.log")).getName()).isEqualTo("root");
        herd.run("stop", "whoami").ok();
    }

    @Test
    void aNumericUidRunsTheAppInTheUsersPrimaryGroup() throws Exception {
        herd.run("start", herd.file("whoami.sh", WHOAMI_SH).toString(), "--uid", Integer.toString(userUid)).ok();
        herd.awaitStatus("whoami", "online");
        String line = whoLine();
        assertThat(line).startsWith("uid=" + userUid + " gid=" + userGid + " groups=" + userGid + " ");
        assertThat(herd.app("whoami").get("pm2_env").get("username").asText()).isEqualTo(USER);
        herd.run("stop", "whoami").ok();
    }

    @Test
    void aConfigFilesUserRunsItsAppAsThatUser() throws Exception {
        herd.file("whoami.sh", WHOAMI_SH);
        herd.file("users.json", """
                {"apps": [{"name": "as-user", "script": "whoami.sh", "user": "%s"}]}
                """.formatted(USER));
        herd.run("start", "users.json").ok();
        JsonNode p = herd.awaitStatus("as-user", "online");
        assertThat(p.get("pm2_env").get("username").asText()).isEqualTo(USER);
        assertThat(procStatus(p.get("pid").asLong(), "Uid")).startsWith(userUid + " ");
        herd.run("stop", "as-user").ok();
    }

    @Test
    void anUnknownUserIsRefusedWithOneLineNamingItAndNothingStarts() throws Exception {
        Herd.Result r = herd.run("start", herd.file("whoami.sh", WHOAMI_SH).toString(), "--uid", "nosuchuser");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("user nosuchuser cannot be found");
        assertThat(herd.jlist()).isEmpty();
        herd.run("ping").ok();
    }

    @Test
    void anUnknownGroupIsRefusedWithOneLineNamingItAndNothingStarts() throws Exception {
        Herd.Result r = herd.run("start", herd.file("whoami.sh", WHOAMI_SH).toString(), "--uid", USER, "--gid", "nosuchgroup");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("group nosuchgroup cannot be found");
        assertThat(herd.jlist()).isEmpty();
        herd.run("ping").ok();
    }

    @Test
    void aManagerThatIsNotRootRefusesUidWithOneLineAndStartsNothing() throws Exception {
        Path own = Files.createDirectories(tmp.resolve("user-space"));
        Files.setOwner(own, principal(USER));
        Path script = own.resolve("whoami.sh");
        Files.writeString(script, WHOAMI_SH);
        Files.setOwner(script, principal(USER));
        Path home = own.resolve("home");
        try {
            Herd.Result r = runAsUser(home, own, "start", script.toString(), "--uid", "root");
            assertThat(r.code()).isNotZero();
            assertThat(r.err().strip()).doesNotContain("\n")
                    .isEqualTo("herd start: app 'whoami': --uid and --gid need the manager to run as root (it runs as uid "
                            + userUid + ")");
            assertThat(runAsUser(home, own, "jlist").ok().out().strip()).isEqualTo("[]");
        } finally {
            long daemon = Long.parseLong(Files.readString(home.resolve("daemon.pid")).strip());
            runAsUser(home, own, "kill").ok();
            assertThat(Herd.awaitGone(daemon, 10_000)).as("the second user's daemon is gone").isTrue();
        }
    }

    // ---------------------------------------------------------------- a second user's command line

    @Test
    void aSecondUsersCommandLineIsRefusedByAPrivateHerdHomeWithOneLineAndStartsNoDaemon() throws Exception {
        herd.run("ping").ok();
        long daemon = herd.daemonPid();
        String logBefore = herd.managerLog();
        Herd.Result r = runAsUser(herd.home, herd.dir, "ping");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").isEqualTo("herd ping: cannot use HERD_HOME " + herd.home
                + ": it belongs to user root (uid 0); run herd as that user, or set HERD_HOME to a directory of your own");
        assertThat(herd.daemonPid()).isEqualTo(daemon);
        assertThat(herd.managerLog()).isEqualTo(logBefore);
        herd.run("ping").ok();
    }

    @Test
    void theDaemonAnswersAnotherUsersClientWithEPERMAndCarriesOn() throws Exception {
        herd.run("ping").ok();
        long daemon = herd.daemonPid();
        // Opened up by hand: only the peer's uid (SO_PEERCRED) stands in the way now.
        Files.setPosixFilePermissions(herd.home, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(herd.home.resolve("herd.sock"), PosixFilePermissions.fromString("rw-rw-rw-"));
        Herd.Result r = runAsUser(herd.home, herd.dir, "jlist");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n")
                .isEqualTo("herd jlist: the manager at " + herd.home + " belongs to uid 0");
        assertThat(r.out()).isEmpty();
        assertThat(herd.managerLog()).containsPattern("refused a client of uid " + userUid + " \\(pid \\d+\\)");
        herd.run("ping").ok();
        assertThat(herd.daemonPid()).isEqualTo(daemon);
    }

    @Test
    void theUsersHomeAndIdsAreInTheAppsEnvironment() throws Exception {
        herd.run("start", herd.file("whoami.sh", WHOAMI_SH).toString(), "--uid", USER).ok();
        herd.awaitStatus("whoami", "online");
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (String line : herd.run("env", "0").ok().out().split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) env.put(line.substring(0, colon), line.substring(colon + 2));
        }
        assertThat(env).containsEntry("HOME", userHome).containsEntry("USER", USER).containsEntry("LOGNAME", USER);
        herd.run("stop", "whoami").ok();
    }
}
