package dev.herd.cli.manager;

import dev.herd.manager.Daemon;
import dev.herd.manager.HerdHome;
import dev.herd.manager.JavaCommand;
import dev.herd.node.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line's side of the control protocol: one connection to {@code HERD_HOME/herd.sock}
 * through the JDK's own Unix-domain {@link SocketChannel} (no FFM, no loop: the hot verbs stay
 * small), one request line and its answer. Starts the daemon when there is none: under an
 * exclusive lock on {@code daemon.lock}, so two command lines racing start one daemon, detached in
 * a session of its own with its output appended to {@code herd.log}.
 *
 * <p>Thread rule: one thread. Lifetime: one command.
 */
final class Client implements AutoCloseable {
    /** An error answer of the daemon, or a failure to reach it, with its protocol code. */
    static final class ManagerException extends RuntimeException {
        final String code;

        ManagerException(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long nextId = 1;

    private Client(SocketChannel channel) {
        this.channel = channel;
    }

    /** The JDK's provider on Linux (the only system Herd runs on). */
    private static final String SELECTOR_PROVIDER = "sun.nio.ch.EPollSelectorProvider";

    static {
        // Named, so that the JDK does not look for a SelectorProvider service in every jar on the
        // class path before opening the first channel (about 10 ms of every command).
        if (System.getProperty("java.nio.channels.spi.SelectorProvider") == null) {
            System.setProperty("java.nio.channels.spi.SelectorProvider", SELECTOR_PROVIDER);
        }
    }

    /** A connection to a running daemon, or null when there is none. */
    static Client connectIfRunning(HerdHome home) {
        try {
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(home.controlSocket()));
            return new Client(ch);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A connection to the daemon, started first if there is none.
     *
     * @param withKeeper whether a daemon started here starts its keeper at once (the command is
     *     about to start apps: the keeper's JVM then boots while the daemon's finishes and the
     *     request is sent, rather than after)
     * @throws ManagerException ENODAEMON if HERD_HOME cannot be used or the daemon does not start
     */
    static Client connect(HerdHome home, Map<String, String> env, boolean withKeeper) {
        Client c = connectIfRunning(home);
        if (c != null) return c;
        try {
            home.prepare();
        } catch (IOException e) {
            throw new ManagerException("ENODAEMON", e.getMessage());
        }
        try (FileChannel lockFile = FileChannel.open(home.startLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            c = connectIfRunning(home); // another command line may have started it meanwhile
            if (c != null) return c;
            return startDaemon(home, env, withKeeper);
        } catch (IOException e) {
            throw new ManagerException("ENODAEMON", "cannot start the daemon in " + home + ": " + e.getMessage());
        }
    }

    /**
     * Starts the daemon through {@code sh}, which puts it in the background (in a session of its
     * own when {@code setsid} is there), prints its pid and exits at once. The daemon is then no
     * child of this JVM's: a child would keep the JDK's process reaper thread waiting in
     * {@code waitpid}, and HotSpot waits up to 300 ms at exit for a thread in native code to
     * return, which made every command that started a daemon 300 ms slower.
     */
    private static Client startDaemon(HerdHome home, Map<String, String> env, boolean withKeeper) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/sh", "-c",
                (Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid " : "")
                        + "\"$@\" </dev/null >>\"$HERD_DAEMON_LOG\" 2>&1 & echo $!", "sh"));
        cmd.addAll(JavaCommand.manager("daemon", "dev.herd.cli.Main",
                withKeeper ? List.of("daemon", Daemon.WITH_KEEPER) : List.of("daemon")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                .redirectError(ProcessBuilder.Redirect.appendTo(home.managerLog().toFile()));
        pb.environment().put(HerdHome.ENV, home.dir().toString());
        pb.environment().put("HERD_DAEMON_LOG", home.managerLog().toString());
        Process sh = pb.start();
        String printed = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        ProcessHandle daemon;
        try {
            if (sh.waitFor() != 0) throw new NumberFormatException("sh exited with " + sh.exitValue());
            daemon = ProcessHandle.of(Long.parseLong(printed)).orElse(null);
        } catch (NumberFormatException | InterruptedException e) {
            throw new ManagerException("ENODAEMON", "cannot start the daemon: " + e.getMessage());
        }
        long deadline = System.nanoTime() + millis(env, "HERD_DAEMON_START_MS", 30_000) * 1_000_000;
        while (true) {
            Client c = connectIfRunning(home);
            if (c != null) return c;
            if (daemon == null || !daemon.isAlive() || System.nanoTime() > deadline) {
                if (daemon != null && daemon.isAlive()) daemon.destroyForcibly();
                throw new ManagerException("ENODAEMON", "the daemon did not start (" + lastLine(home.managerLog()) + ")");
            }
            try {
                Thread.sleep(20); // the daemon's socket appears once it listens
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ManagerException("ENODAEMON", "interrupted while starting the daemon");
            }
        }
    }

    static long millis(Map<String, String> env, String name, long otherwise) {
        try {
            long n = Long.parseLong(env.getOrDefault(name, "").strip());
            return n > 0 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) return "herd.log: " + lines.get(i).strip();
            }
        } catch (IOException e) {
            // fall through
        }
        return "nothing in " + log;
    }

    /**
     * Sends {@code cmd} with {@code params} and waits for its answer.
     *
     * @return the answer's result
     * @throws ManagerException with the daemon's error code and message
     */
    Object request(String cmd, Map<String, Object> params) {
        long id = nextId++;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        m.put("id", id);
        m.put("cmd", cmd);
        m.putAll(params);
        try {
            ByteBuffer out = ByteBuffer.wrap(Json.stringifyUtf8Line(m));
            while (out.hasRemaining()) channel.write(out);
            while (true) {
                byte[] l = readLine();
                if (l == null) throw new ManagerException("EDAEMON", "the daemon closed the connection");
                Object result = answer(l, id);
                if (result != OTHER) return result;
            }
        } catch (IOException e) {
            throw new ManagerException("EDAEMON", "lost the daemon: " + e.getMessage());
        }
    }

    private static final Object OTHER = new Object();

    /** The result of answer line {@code l} to request {@code id}, or {@link #OTHER} if it answers another. */
    private static Object answer(byte[] l, long id) {
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = (Map<String, Object>) Json.parse(l, 0, l.length);
        Object aid = answer.get("id");
        if (aid != null && !(aid instanceof Number n && n.longValue() == id)) return OTHER;
        if (Boolean.TRUE.equals(answer.get("ok"))) return answer.get("result");
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) answer.get("error");
        throw new ManagerException(String.valueOf(e.get("code")), String.valueOf(e.get("message")));
    }

    /**
     * Sends {@code cmd} with {@code params} and returns its result's JSON text as the daemon wrote
     * it, without parsing it: the daemon writes an answer's members in the order {@code v, id, ok,
     * result} (docs/manager.md, "The control protocol"), so a successful answer is a known prefix,
     * the result, and a closing brace. Keeps JSON parsing off the path of {@code jlist}, the verb
     * scripts call most. Any other answer (an error, another order) goes through
     * {@link #request}'s parsing.
     *
     * @param params the request's other members as JSON text, each preceded by a comma ("" for none)
     * @return the result's JSON text, UTF-8, without a trailing newline
     * @throws ManagerException with the daemon's error code and message
     */
    byte[] requestRaw(String cmd, String params) {
        long id = nextId++;
        String request = "{\"v\":1,\"id\":" + id + ",\"cmd\":\"" + cmd + "\"" + params + "}\n";
        byte[] prefix = ("{\"v\":1,\"id\":" + id + ",\"ok\":true,\"result\":").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) channel.write(out);
            while (true) {
                byte[] l = readLine();
                if (l == null) throw new ManagerException("EDAEMON", "the daemon closed the connection");
                if (l.length > prefix.length && l[l.length - 1] == '}'
                        && Arrays.equals(l, 0, prefix.length, prefix, 0, prefix.length)) {
                    return Arrays.copyOfRange(l, prefix.length, l.length - 1);
                }
                Object result = answer(l, id); // an error, another request's answer, or another order
                if (result != OTHER) return Json.stringifyUtf8(result);
            }
        } catch (IOException e) {
            throw new ManagerException("EDAEMON", "lost the daemon: " + e.getMessage());
        }
    }

    /**
     * The string that JSON string literal {@code json} (UTF-8, quotes included) stands for: the
     * decoding of RFC 8259's seven escapes and the one with four hex digits. The one piece of JSON the fast
     * verbs read; anything else is {@link Json#parse}'s, whose start-up (Jackson's and
     * BigDecimal's class initialisation) costs a command line ~35 ms.
     *
     * @throws ManagerException EDAEMON if it is not a string literal
     */
    static String jsonString(byte[] json) {
        if (json.length < 2 || json[0] != '"' || json[json.length - 1] != '"') {
            throw new ManagerException("EDAEMON", "the daemon answered something other than text");
        }
        String s = new String(json, 1, json.length - 2, StandardCharsets.UTF_8);
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s, i + 1, i + 5, 16));
                    i += 4;
                }
                default -> b.append(e); // '"', '\\', '/'
            }
        }
        return b.toString();
    }

    /**
     * {@code strings} as a JSON array of strings, for {@link #requestRaw}'s parameters: quotes,
     * backslashes and control characters escaped (RFC 8259), everything else as it is.
     */
    static String jsonStrings(List<String> strings) {
        StringBuilder b = new StringBuilder("[");
        for (String s : strings) {
            if (b.length() > 1) b.append(',');
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') b.append('\\').append(c);
                else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                else b.append(c);
            }
            b.append('"');
        }
        return b.append(']').toString();
    }

    private byte[] readLine() throws IOException {
        while (true) {
            in.flip();
            byte[] a = in.array();
            int start = in.position(), end = in.limit();
            for (int i = start; i < end; i++) {
                if (a[i] == '\n') {
                    line.write(a, start, i - start);
                    in.position(i + 1);
                    in.compact();
                    byte[] l = line.toByteArray();
                    line.reset();
                    return l;
                }
            }
            line.write(a, start, end - start); // copied in bulk: a jlist answer is tens of KiB
            in.clear();
            if (channel.read(in) < 0) return null;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
