package dev.herd.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.http.HttpServer;
import dev.herd.node.http.IncomingMessage;
import dev.herd.node.http.ServerResponse;
import dev.herd.os.FdLeakCheck;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every event Herd emits has a typed key ({@link Event}), and every key names an event Herd emits.
 *
 * <p>The emits are found in herd-node's main sources: each call {@code emit("name", ...)} (or
 * {@code emitSoon}, or HttpServer's {@code emitRequest}; a new method that emits the name it is
 * given must be added to {@link #EMIT}), with the emitter type taken from the file (an unqualified call is the file's
 * own class) or from {@link #RECEIVERS} (a call on another object, by the file's path under
 * dev/herd/node and the receiver's name: {@code server.emit(...)} in http/HttpConnection.java is
 * an HttpServer's). A call whose receiver is not listed, or whose name is not a
 * literal and not listed in {@link #DYNAMIC}, fails the test, so a new emit cannot slip by.
 *
 * <p>When it fails because an emitted name has no key: add a constant to the emitting type, e.g.
 * {@code public static final Event<Consumer<Socket>> CONNECTION = Event.of(Server.class,
 * "connection", Socket.class);} with the arguments' types in the order they are emitted (see
 * {@link Event}), and document the event in the type's Javadoc. When it fails on a receiver: add
 * the file and the receiver's name to {@link #RECEIVERS} with the type(s) it can be.
 */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventKeysTest {
    private static final Path SOURCES = Path.of("src/main/java");
    /** Files are named by their path under dev/herd/node. */
    private static final Path NODE_PACKAGE = Path.of("dev/herd/node");

    /** The emitter types of {@code receiver.emit(...)} calls, by file name and receiver; empty: Herd-internal emitter. */
    static final Map<String, List<Class<?>>> RECEIVERS = Map.ofEntries(
            Map.entry("internal/cluster/ClusterPrimary.java:cluster", List.of(Cluster.class)),
            Map.entry("internal/cluster/ClusterPrimary.java:worker", List.of(dev.herd.node.cluster.Worker.class)),
            // Node's intercom: a private emitter that runs cluster.disconnect's callback.
            Map.entry("internal/cluster/ClusterPrimary.java:intercom", List.of()),
            Map.entry("internal/cluster/ClusterChild.java:worker", List.of(dev.herd.node.cluster.Worker.class)),
            Map.entry("NodeEnvironment.java:process", List.of(NodeProcess.class)),
            Map.entry("http/HttpConnection.java:server", List.of(HttpServer.class)),
            Map.entry("http/HttpConnection.java:req", List.of(IncomingMessage.class)),
            Map.entry("http/HttpConnection.java:res", List.of(ServerResponse.class)),
            Map.entry("child_process/ChildProcesses.java:child", List.of(ChildProcess.class)),
            Map.entry("dgram/Socket.java:s", List.of(dev.herd.node.dgram.Socket.class)),
            // The readable core's 'data' and 'end': a net.Socket's or an IncomingMessage's.
            Map.entry("internal/stream/ReadableState.java:stream",
                    List.of(dev.herd.node.net.Socket.class, IncomingMessage.class)),
            // The IPC channel's deliveries: the process object in a child, a ChildProcess in the parent.
            Map.entry("internal/ipc/EmitterTarget.java:emitter", List.of(NodeProcess.class, ChildProcess.class)));

    /** Emits whose name is not a literal, by file name and the name's expression: how their names get keys. */
    static final Map<String, String> DYNAMIC = Map.of(
            "NodeProcess.java:event", "a signal's name: NodeProcess.signal(name), and the constants SIGINT...",
            "http/ClientRequest.java:event", "emitSoon's argument: its callers pass literals, which are scanned",
            "http/HttpServer.java:event", "emitRequest's argument: HttpConnection passes literals, which are scanned");

    /** Names that are Node's own plumbing, emitted for Herd's cluster and listened to by name, never public API. */
    static final Set<String> INTERNAL = Set.of("internalMessage");

    private static final Pattern EMIT = Pattern.compile(
            "(?<!boolean |void )(?:\\b([A-Za-z_]\\w*)\\s*\\.\\s*)?\\b(?:emit|emitSoon|emitRequest)\\s*\\(\\s*(\"(\\w+)\"|[^,)]+)");

    /** One emit found in the sources. */
    record Emit(String file, Class<?> type, String name) {}

    @Test
    void everyEmittedEventHasATypedKeyOnItsEmitterType() throws IOException {
        List<Emit> emits = emitsIn(SOURCES);
        assertThat(emits).hasSizeGreaterThan(50);
        Set<String> missing = new TreeSet<>();
        for (Emit e : emits) {
            if (!INTERNAL.contains(e.name()) && keyFor(e.type(), e.name()) == null) {
                missing.add(e.type().getName() + " '" + e.name() + "' (" + e.file() + ")");
            }
        }
        assertThat(missing).as("emitted events without a key (see this test's class comment)").isEmpty();
    }

    @Test
    void everyKeyNamesAnEventItsOwnerEmits() throws IOException {
        List<Emit> emits = emitsIn(SOURCES);
        Set<String> stale = new TreeSet<>();
        for (Field f : keyFields(SOURCES)) {
            Event<?> key = keyOf(f);
            boolean emitted = emits.stream().anyMatch(e -> e.name().equals(key.name()) && key.owner().isAssignableFrom(e.type()));
            boolean signal = key.owner() == NodeProcess.class && key.name().startsWith("SIG");
            if (!emitted && !signal) stale.add(f.getDeclaringClass().getName() + "." + f.getName() + ": " + key);
            if (f.getDeclaringClass() != key.owner()) {
                stale.add(f.getDeclaringClass().getName() + "." + f.getName() + " is a key of " + key.owner().getName());
            }
        }
        assertThat(stale).as("keys whose name is not emitted by their owner, or that live on another type").isEmpty();
    }

    @Test
    void anEmitWithoutAKeyIsReported() {
        String source = """
                class Fake extends EventEmitter {
                    void f() {
                        emit("data", chunk); // a key exists
                        emit("noSuchEvent");
                    }
                }
                """;
        List<Emit> emits = emitsInFile("net/Socket.java", source, dev.herd.node.net.Socket.class);
        assertThat(emits).extracting(Emit::name).containsExactly("data", "noSuchEvent");
        assertThat(keyFor(dev.herd.node.net.Socket.class, "data")).isNotNull();
        assertThat(keyFor(dev.herd.node.net.Socket.class, "noSuchEvent")).isNull();
    }

    @Test
    void anEmitOnAnUnknownReceiverOrWithAComputedNameFailsTheScan() {
        String onStranger = "class A { void f() { stranger.emit(\"x\"); } }";
        String computed = "class A { void f() { emit(name); } }";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> emitsInFile("A.java", onStranger, EventEmitter.class))
                .hasMessageContaining("A.java:stranger");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> emitsInFile("A.java", computed, EventEmitter.class))
                .hasMessageContaining("A.java:name");
    }

    @Test
    void commentsAndTheMethodsOwnDeclarationAreNotEmits() {
        String source = """
                class A {
                    /** Calls emit("javadoc"). */
                    public boolean emit(String event, Object... args) { return false; } // emit("line")
                    private void emitSoon(String event, Object arg) {}
                    /* emit("block") */
                }
                """;
        assertThat(emitsInFile("A.java", source, EventEmitter.class)).isEmpty();
    }

    @Test
    void aMisspeltKeyOrAListenerOfAnotherShapeDoesNotCompile() {
        String ok = "child.on(ChildProcess.EXIT, (code, signal) -> System.out.println(code + signal));";
        assertThat(compile(ok)).isEmpty();
        assertThat(compile("child.on(ChildProcess.EXTI, (code, signal) -> { });")).contains("cannot find symbol");
        assertThat(compile("child.on(ChildProcess.EXIT, code -> { });")).contains("incompatible parameter types");
        assertThat(compile("child.on(ChildProcess.EXIT, (String code, String signal) -> { });")).contains("incompatible");
    }

    /** Compiles a statement about {@code child}, a ChildProcess, against herd-node; returns the errors. */
    private static String compile(String statement) {
        String source = "import dev.herd.node.child_process.ChildProcess;\n"
                + "class Snippet { static void f(ChildProcess child) { " + statement + " } }\n";
        javax.tools.JavaCompiler compiler = javax.tools.ToolProvider.getSystemJavaCompiler();
        javax.tools.DiagnosticCollector<javax.tools.JavaFileObject> diagnostics = new javax.tools.DiagnosticCollector<>();
        javax.tools.JavaFileObject file = new javax.tools.SimpleJavaFileObject(java.net.URI.create("string:///Snippet.java"),
                javax.tools.JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        Path out;
        try {
            out = Files.createTempDirectory("snippet");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            List<String> options = List.of("-proc:none", "-d", out.toString(), "-classpath", System.getProperty("java.class.path"));
            compiler.getTask(null, null, diagnostics, options, null, List.of(file)).call();
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        StringBuilder errors = new StringBuilder();
        for (var d : diagnostics.getDiagnostics()) {
            if (d.getKind() == javax.tools.Diagnostic.Kind.ERROR) errors.append(d.getMessage(java.util.Locale.ROOT)).append('\n');
        }
        return errors.toString();
    }

    // ---------------------------------------------------------------- the scan

    /** Every emit in the Java files under {@code root}. */
    static List<Emit> emitsIn(Path root) throws IOException {
        List<Emit> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(file);
                String className = root.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                Class<?> own = className.endsWith("module-info") || className.endsWith("package-info") ? null : load(className);
                out.addAll(emitsInFile(NODE_PACKAGE.relativize(root.relativize(file)).toString(), text, own));
            }
        }
        return out;
    }

    /** The emits of one file whose top-level class is {@code own}. */
    static List<Emit> emitsInFile(String fileName, String text, Class<?> own) {
        String code = blankComments(text);
        List<Emit> out = new ArrayList<>();
        Matcher m = EMIT.matcher(code);
        while (m.find()) {
            String receiver = m.group(1);
            List<Class<?>> types;
            if (receiver == null || receiver.equals("this")) {
                if (own == null || !EventEmitter.class.isAssignableFrom(own)) {
                    throw new AssertionError(fileName + ": emit outside an EventEmitter: " + m.group());
                }
                types = List.of(own);
            } else {
                types = RECEIVERS.get(fileName + ":" + receiver);
                if (types == null) {
                    throw new AssertionError("emit on an unknown receiver " + fileName + ":" + receiver
                            + " (add it to EventKeysTest.RECEIVERS): " + m.group());
                }
            }
            String name = m.group(3);
            if (name == null) {
                String expression = m.group(2).trim();
                if (!DYNAMIC.containsKey(fileName + ":" + expression)) {
                    throw new AssertionError("emit with a computed name " + fileName + ":" + expression
                            + " (say how its names get keys in EventKeysTest.DYNAMIC): " + m.group());
                }
                continue;
            }
            for (Class<?> type : types) out.add(new Emit(fileName, type, name));
        }
        return out;
    }

    /** The key for {@code name} reachable from {@code type}: a public constant of it or of a supertype. */
    static Event<?> keyFor(Class<?> type, String name) {
        for (Field f : type.getFields()) {
            if (!isKey(f)) continue;
            Event<?> key = keyOf(f);
            if (key.name().equals(name)) return key;
        }
        return null;
    }

    /** The public static Event fields of every class of herd-node's main sources. */
    static List<Field> keyFields(Path root) throws IOException {
        Set<Field> out = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String className = root.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                if (className.endsWith("module-info") || className.endsWith("package-info")) continue;
                collectKeys(load(className), out);
            }
        }
        return List.copyOf(out);
    }

    private static void collectKeys(Class<?> c, Set<Field> out) {
        for (Field f : c.getDeclaredFields()) if (isKey(f)) out.add(f);
        for (Class<?> nested : c.getDeclaredClasses()) collectKeys(nested, out);
    }

    private static boolean isKey(Field f) {
        int mod = f.getModifiers();
        return f.getType() == Event.class && Modifier.isStatic(mod) && Modifier.isPublic(mod) && Modifier.isFinal(mod);
    }

    private static Event<?> keyOf(Field f) {
        try {
            return (Event<?>) f.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** The text with comments replaced by spaces; string and character literals are kept. */
    static String blankComments(String text) {
        StringBuilder sb = new StringBuilder(text);
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                while (i < n && text.charAt(i) != '\n') sb.setCharAt(i++, ' ');
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (; i < end; i++) if (text.charAt(i) != '\n') sb.setCharAt(i, ' ');
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && text.charAt(i) != c) i += text.charAt(i) == '\\' ? 2 : 1;
                i++;
            } else {
                i++;
            }
        }
        return sb.toString();
    }
}
