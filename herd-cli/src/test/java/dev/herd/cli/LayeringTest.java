package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Herd's layer rule, checked on the source of every module (STYLE.md, "Layers"): only the os layer
 * touches {@code java.lang.foreign}, no layer uses a package of a layer above it, and inside
 * herd-node no package uses a package above it in {@link #NODE_LAYERS}.
 *
 * <p>Maven's module dependencies (herd-os, herd-loop, herd-io, herd-node, herd-manager, herd-cli,
 * bench) already stop most upward imports from compiling; this test also covers packages that
 * share a module (cli, examples; herd-node's packages) and reaches test sources (herd-node's
 * package order applies to its main sources: a test may drive its package through higher ones).
 * Comments and string literals are blanked before matching, so prose may name any package, and so
 * are the {@code to} clauses of a module-info.java (herd-node exports a package to
 * dev.herd.manager, a module above it, by name).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LayeringTest {
    /** The layers, lowest first, by the package segment after {@code dev.herd.}. */
    private static final List<List<String>> LAYERS = List.of(
            List.of("os"),
            List.of("loop"),
            List.of("io"),
            List.of("node"),
            List.of("manager"),
            List.of("cli", "examples"),
            List.of("bench"));
    private static final Map<String, Integer> LAYER = IntStream.range(0, LAYERS.size()).boxed()
            .flatMap(i -> LAYERS.get(i).stream().map(segment -> Map.entry(segment, i)))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

    /**
     * herd-node's packages, lowest first, by the package name after {@code dev.herd.node.} ("" is
     * {@code dev.herd.node} itself): each may use the packages of its own group and of the groups
     * below. The values and their two wire formats at the bottom; then the environment, process,
     * events and timers (with the internal Environment); the readable-stream core and encodings
     * that net, http and child_process share (internal.stream); then Node's modules, each on what it
     * needs: net below dgram (which reports net's AddressInfo) and http, the IPC channel above the
     * handles it carries, child_process above the channel, cluster above all of them (net and
     * dgram reach it only through internal.net's ClusterListen, which a cluster worker installs);
     * a managed program's public API (manager: its actions) and the manager's internal API above
     * cluster; and the start-up on top.
     */
    static final List<List<String>> NODE_LAYERS = List.of(
            List.of("value"),
            List.of("json", "v8"),
            List.of("", "internal"),
            List.of("internal.stream"),
            List.of("fs"),
            List.of("worker_threads"),
            List.of("net", "internal.net"),
            List.of("dgram"),
            List.of("http", "internal.http"),
            List.of("internal.ipc"),
            List.of("child_process"),
            List.of("cluster", "internal.cluster"),
            List.of("manager"),
            List.of("internal.manager"),
            List.of("internal.bootstrap"));
    private static final Map<String, Integer> NODE_LAYER = IntStream.range(0, NODE_LAYERS.size()).boxed()
            .flatMap(i -> NODE_LAYERS.get(i).stream().map(p -> Map.entry(p, i)))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    /**
     * The one arrow up inside herd-node: {@code Herd}, where a program starts, runs the process's
     * start-up ({@code internal.bootstrap}: the IPC channel, a cluster worker's set-up, the HTTP
     * warm-up) before {@code main}. Nothing else names the start-up, and the start-up is the only
     * place that wires the higher packages in.
     */
    private static final Map<String, String> NODE_START_UP = Map.of("herd-node/src/main/java/dev/herd/node/Herd.java",
            "internal.bootstrap");

    private static final String FOREIGN_MODULE = "herd-os";
    private static final Pattern FOREIGN = Pattern.compile("\\bjava\\s*\\.\\s*lang\\s*\\.\\s*foreign\\b");
    private static final Pattern MODULE_IMPORT = Pattern.compile("\\bimport\\s+module\\s+[\\w.]+\\s*;");
    private static final Pattern PACKAGE = Pattern.compile("\\bpackage\\s+([\\w.]+)\\s*;");
    private static final Pattern HERD_PACKAGE = Pattern.compile("\\bdev\\s*\\.\\s*herd\\s*\\.\\s*(\\w+)");
    /** A reference into herd-node: its lower-case segments after dev.herd.node are the package. */
    private static final Pattern NODE_PACKAGE = Pattern.compile(
            "\\bdev\\s*\\.\\s*herd\\s*\\.\\s*node\\b((?:\\s*\\.\\s*[a-z_][a-z0-9_]*\\b(?!\\s*\\())*)");
    /** The {@code to} clause of a qualified exports or opens in a module-info.java. */
    private static final Pattern QUALIFIED_TO = Pattern.compile("\\bto\\s+[\\w.\\s,]+;");

    /** One Java source file: where it lives and its code with comments and literals blanked. */
    record SourceFile(Path path, String module, String code) {
        static SourceFile of(Path path, String module, String text) {
            String code = blankCommentsAndLiterals(text);
            if (path.endsWith("module-info.java")) code = blank(code, QUALIFIED_TO);
            return new SourceFile(path, module, code);
        }

        String where(int offset) {
            long line = code.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
            return path + ":" + line;
        }
    }

    /** The top-level types of java.lang.foreign, which a module import brings in by simple name. */
    private static final Set<String> FOREIGN_TYPES = foreignTypeNames();

    private static List<SourceFile> sources;

    @BeforeAll
    static void readSources() throws IOException {
        Path root = repositoryRoot();
        List<SourceFile> found = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))
                    && Files.isDirectory(m.resolve("src"))).sorted().toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src"))) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                        found.add(SourceFile.of(root.relativize(file), module.getFileName().toString(),
                                Files.readString(file)));
                    }
                }
            }
        }
        sources = found;
        assertThat(sources).as("Java sources of herd-os under " + root)
                .anyMatch(f -> f.module().equals(FOREIGN_MODULE));
    }

    @Test
    void onlyHerdOsUsesJavaLangForeign() {
        List<String> violations = sources.stream().flatMap(f -> foreignViolations(f).stream()).toList();
        assertThat(violations).as("uses of java.lang.foreign outside " + FOREIGN_MODULE).isEmpty();
    }

    @Test
    void noLayerUsesAPackageOfAHigherLayer() {
        List<String> violations = sources.stream().flatMap(f -> layerViolations(f).stream()).toList();
        assertThat(violations).as("upward references (layers, lowest first: " + LAYERS + ")").isEmpty();
    }

    @Test
    void noPackageOfHerdNodeUsesAHigherOne() {
        List<String> violations = sources.stream().flatMap(f -> nodeViolations(f).stream()).toList();
        assertThat(violations).as("upward references inside herd-node (packages, lowest first: " + NODE_LAYERS + ")").isEmpty();
    }

    @Test
    void theCheckerCatchesAnUpwardReferenceBetweenHerdNodesPackages() {
        var netUsingCluster = SourceFile.of(Path.of("herd-node/src/main/java/dev/herd/node/net/Bad.java"), "herd-node",
                "package dev.herd.node.net;\nimport dev.herd.node.cluster.Cluster;\nclass Bad {\n"
                        + "  Object s = dev.herd.node.internal.ipc.Channel.class; }\n");
        assertThat(nodeViolations(netUsingCluster)).hasSize(2).anySatisfy(v -> assertThat(v).contains("Bad.java:2")
                .contains("dev.herd.node.net").contains("dev.herd.node.cluster"))
                .anySatisfy(v -> assertThat(v).contains("Bad.java:4").contains("dev.herd.node.internal.ipc"));
    }

    @Test
    void onlyHerdMayCallTheStartUpAndOnlyTheStartUp() {
        String text = "package dev.herd.node;\nimport dev.herd.node.internal.bootstrap.Bootstrap;\n"
                + "import dev.herd.node.cluster.Cluster;\nclass Herd {}\n";
        var herd = SourceFile.of(Path.of("herd-node/src/main/java/dev/herd/node/Herd.java"), "herd-node", text);
        var other = SourceFile.of(Path.of("herd-node/src/main/java/dev/herd/node/Globals.java"), "herd-node", text);
        assertThat(nodeViolations(herd)).singleElement().asString().contains("Herd.java:3").contains("dev.herd.node.cluster");
        assertThat(nodeViolations(other)).hasSize(2);
    }

    @Test
    void aStaticImportOrAMethodCallIsNotAPackage() {
        var file = SourceFile.of(Path.of("herd-node/src/main/java/dev/herd/node/value/A.java"), "herd-node",
                "package dev.herd.node.value;\nimport static dev.herd.node.value.Values.object;\nclass A {}\n");
        assertThat(nodeViolations(file)).isEmpty();
    }

    @Test
    void aModuleDescriptorMayExportToAHigherModule() {
        var descriptor = SourceFile.of(Path.of("herd-node/src/main/java/module-info.java"), "herd-node",
                "module dev.herd.node {\n  exports dev.herd.node.internal.cluster to dev.herd.manager, dev.herd.cli;\n}\n");
        var requiring = SourceFile.of(Path.of("herd-node/src/main/java/module-info.java"), "herd-node",
                "module dev.herd.node {\n  requires dev.herd.manager;\n}\n");
        assertThat(layerViolations(descriptor)).isEmpty();
        assertThat(layerViolations(requiring)).singleElement().asString().contains("dev.herd.manager");
    }

    @Test
    void theCheckerCatchesAnUpwardImport() {
        var loopUsingNode = SourceFile.of(Path.of("Bad.java"), "herd-loop",
                "package dev.herd.loop;\nimport dev.herd.node.Process;\nclass Bad {}\n");
        assertThat(layerViolations(loopUsingNode)).singleElement().asString()
                .contains("Bad.java:2").contains("dev.herd.node");
    }

    @Test
    void theCheckerCatchesAnUpwardUseOfANodeSubpackage() {
        // A subpackage (dev.herd.node.fs) is in its top package's layer, however it is named.
        var ioUsingFs = SourceFile.of(Path.of("Up.java"), "herd-io",
                "package dev.herd.io;\nclass Up { dev.herd.node.fs.FSWatcher w; }\n");
        var fsUsingIo = SourceFile.of(Path.of("Down.java"), "herd-node",
                "package dev.herd.node.fs;\nimport dev.herd.io.FsEvent;\nclass Down {}\n");
        assertThat(layerViolations(ioUsingFs)).singleElement().asString()
                .contains("Up.java:2").contains("dev.herd.io (layer 2) uses dev.herd.node (layer 3)");
        assertThat(layerViolations(fsUsingIo)).isEmpty();
    }

    @Test
    void theNodeFsPackageIsChecked() {
        assertThat(sources).as("sources of dev.herd.node.fs")
                .anyMatch(f -> f.module().equals("herd-node") && f.code().contains("package dev.herd.node.fs;"));
    }

    @Test
    void theCheckerCatchesForeignUseThroughAnImportOrAModuleImport() {
        var direct = SourceFile.of(Path.of("A.java"), "herd-loop",
                "package dev.herd.loop;\nimport java.lang.foreign.Arena;\n");
        var viaModule = SourceFile.of(Path.of("B.java"), "herd-node",
                "package dev.herd.node;\nimport module java.base;\nclass B { MemorySegment s; }\n");
        assertThat(foreignViolations(direct)).singleElement().asString().contains("A.java:2");
        assertThat(foreignViolations(viaModule)).singleElement().asString().contains("MemorySegment");
    }

    @Test
    void commentsAndStringLiteralsDoNotCount() {
        String text = "package dev.herd.os;\n// dev.herd.node, java.lang.foreign\n/* dev.herd.cli\n */\n"
                + "class C { String s = \"dev.herd.bench \\\" java.lang.foreign\"; char q = '\"';\n"
                + "String t = \"\"\"\n  dev.herd.node\n  \"\"\"; }\n";
        var prose = SourceFile.of(Path.of("C.java"), "herd-os", text);
        var inLoop = SourceFile.of(Path.of("C.java"), "herd-loop", text.replace("dev.herd.os;", "dev.herd.loop;"));
        assertThat(layerViolations(prose)).isEmpty();
        assertThat(foreignViolations(inLoop)).isEmpty();
        assertThat(prose.code()).hasSameSizeAs(text).contains("class C").doesNotContain("herd.node");
        assertThat(prose.code().lines().count()).isEqualTo(text.lines().count());
    }

    /** Each place {@code file} names java.lang.foreign, or one of its types through a module import. */
    private static List<String> foreignViolations(SourceFile file) {
        List<String> found = new ArrayList<>();
        if (file.module().equals(FOREIGN_MODULE)) return found;
        Matcher m = FOREIGN.matcher(file.code());
        while (m.find()) found.add(file.where(m.start()) + ": uses java.lang.foreign");
        if (MODULE_IMPORT.matcher(file.code()).find()) {
            Matcher word = Pattern.compile("\\b[A-Z]\\w*\\b").matcher(file.code());
            while (word.find()) {
                if (FOREIGN_TYPES.contains(word.group())) {
                    found.add(file.where(word.start()) + ": uses java.lang.foreign." + word.group()
                            + " through a module import");
                }
            }
        }
        return found;
    }

    /** Each place {@code file} names a dev.herd package above its own layer, or one with no layer. */
    private static List<String> layerViolations(SourceFile file) {
        List<String> found = new ArrayList<>();
        Matcher own = PACKAGE.matcher(file.code());
        String ownSegment = own.find() && own.group(1).startsWith("dev.herd.")
                ? own.group(1).split("\\.")[2]
                : file.module().replaceFirst("^herd-", ""); // a file outside dev.herd: its module's layer
        Integer ownLayer = LAYER.get(ownSegment);
        if (ownLayer == null) {
            return List.of(file.path() + ": package dev.herd." + ownSegment
                    + " has no layer; add it to LayeringTest.LAYERS");
        }
        Matcher ref = HERD_PACKAGE.matcher(file.code());
        while (ref.find()) {
            String segment = ref.group(1);
            Integer layer = LAYER.get(segment);
            if (layer == null) {
                found.add(file.where(ref.start()) + ": dev.herd." + segment
                        + " has no layer; add it to LayeringTest.LAYERS");
            } else if (layer > ownLayer) {
                found.add(file.where(ref.start()) + ": dev.herd." + ownSegment
                        + " (layer " + ownLayer + ") uses dev.herd." + segment + " (layer " + layer + ")");
            }
        }
        return found;
    }

    /**
     * Each place a main source file of herd-node names a herd-node package above its own (see
     * {@link #NODE_LAYERS}), or one with no place there.
     */
    private static List<String> nodeViolations(SourceFile file) {
        List<String> found = new ArrayList<>();
        String path = file.path().toString().replace(File.separatorChar, '/');
        if (!file.module().equals("herd-node") || !path.contains("/src/main/") || path.endsWith("module-info.java")) return found;
        Matcher own = PACKAGE.matcher(file.code());
        if (!own.find()) return found;
        String ownPackage = nodePackage(own.group(1));
        if (ownPackage == null) return List.of(file.path() + ": package " + own.group(1) + " is not in dev.herd.node");
        Integer ownLayer = NODE_LAYER.get(ownPackage);
        if (ownLayer == null) {
            return List.of(file.path() + ": package " + own.group(1) + " has no place; add it to LayeringTest.NODE_LAYERS");
        }
        Matcher ref = NODE_PACKAGE.matcher(file.code());
        while (ref.find()) {
            String used = ref.group(1).replaceAll("\\s", "").replaceFirst("^\\.", "");
            Integer layer = NODE_LAYER.get(used);
            String name = used.isEmpty() ? "dev.herd.node" : "dev.herd.node." + used;
            if (layer == null) {
                found.add(file.where(ref.start()) + ": " + name + " has no place; add it to LayeringTest.NODE_LAYERS");
            } else if (layer > ownLayer && !used.equals(NODE_START_UP.get(path.substring(Math.max(0, path.indexOf("herd-node/")))))) {
                found.add(file.where(ref.start()) + ": " + own.group(1) + " (place " + ownLayer + ") uses " + name
                        + " (place " + layer + ")");
            }
        }
        return found;
    }

    /** {@code dev.herd.node.x.y} as "x.y", {@code dev.herd.node} as "", anything else as null. */
    private static String nodePackage(String name) {
        if (name.equals("dev.herd.node")) return "";
        return name.startsWith("dev.herd.node.") ? name.substring("dev.herd.node.".length()) : null;
    }

    /** {@code code} with each match of {@code pattern} replaced by spaces (line breaks kept). */
    private static String blank(String code, Pattern pattern) {
        StringBuilder b = new StringBuilder(code);
        Matcher m = pattern.matcher(code);
        while (m.find()) {
            for (int i = m.start(); i < m.end(); i++) if (b.charAt(i) != '\n') b.setCharAt(i, ' ');
        }
        return b.toString();
    }

    /** The directory holding herd-os: the working directory or one above it. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("herd-os"))) return dir;
        }
        throw new IllegalStateException("no directory containing herd-os above " + Path.of("").toAbsolutePath());
    }

    /** The top-level type names of java.lang.foreign, read from the running JDK's image. */
    private static Set<String> foreignTypeNames() {
        Path dir = FileSystems.getFileSystem(URI.create("jrt:/")).getPath("/modules/java.base/java/lang/foreign");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.contains("$") && !n.startsWith("package-info"))
                    .map(n -> n.substring(0, n.length() - ".class".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list java.lang.foreign in the JDK image", e);
        }
    }

    /**
     * {@code text} with comments, string and char literals and text blocks replaced by spaces;
     * line breaks are kept, so offsets and line numbers still match the file.
     */
    static String blankCommentsAndLiterals(String text) {
        StringBuilder code = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            int end;
            if (text.startsWith("//", i)) {
                end = text.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (text.startsWith("/*", i)) {
                end = text.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (text.startsWith("\"\"\"", i)) {
                end = endOfLiteral(text, i + 3, "\"\"\"");
            } else if (text.charAt(i) == '"' || text.charAt(i) == '\'') {
                end = endOfLiteral(text, i + 1, String.valueOf(text.charAt(i)));
            } else {
                code.append(text.charAt(i++));
                continue;
            }
            for (; i < end; i++) code.append(text.charAt(i) == '\n' ? '\n' : ' ');
        }
        return code.toString();
    }

    /** The offset just past the {@code close} that ends a literal whose body starts at {@code i}. */
    private static int endOfLiteral(String text, int i, String close) {
        while (i < text.length()) {
            if (text.charAt(i) == '\\') {
                i += 2;
            } else if (text.startsWith(close, i)) {
                return i + close.length();
            } else if (text.charAt(i) == '\n' && close.length() == 1) {
                return i; // an unterminated literal: javac rejects it, so stop at the line end
            } else {
                i++;
            }
        }
        return text.length();
    }
}
