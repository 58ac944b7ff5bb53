package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
 * touches {@code java.lang.foreign}, and no layer uses a package of a layer above it.
 *
 * <p>Maven's module dependencies (herd-os, herd-loop, herd-io, herd-node, herd-cli, bench) already
 * stop most upward imports from compiling; this test also covers packages that share a module (cli,
 * examples) and reaches test sources. Comments and string
 * literals are blanked before matching, so prose may name any package.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LayeringTest {
    /** The layers, lowest first, by the package segment after {@code dev.herd.}. */
    private static final List<List<String>> LAYERS = List.of(
            List.of("os"),
            List.of("loop"),
            List.of("io"),
            List.of("node"),
            List.of("cli", "examples"),
            List.of("bench"));
    private static final Map<String, Integer> LAYER = IntStream.range(0, LAYERS.size()).boxed()
            .flatMap(i -> LAYERS.get(i).stream().map(segment -> Map.entry(segment, i)))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

    private static final String FOREIGN_MODULE = "herd-os";
    private static final Pattern FOREIGN = Pattern.compile("\\bjava\\s*\\.\\s*lang\\s*\\.\\s*foreign\\b");
    private static final Pattern MODULE_IMPORT = Pattern.compile("\\bimport\\s+module\\s+[\\w.]+\\s*;");
    private static final Pattern PACKAGE = Pattern.compile("\\bpackage\\s+([\\w.]+)\\s*;");
    private static final Pattern HERD_PACKAGE = Pattern.compile("\\bdev\\s*\\.\\s*herd\\s*\\.\\s*(\\w+)");

    /** One Java source file: where it lives and its code with comments and literals blanked. */
    record SourceFile(Path path, String module, String code) {
        static SourceFile of(Path path, String module, String text) {
            return new SourceFile(path, module, blankCommentsAndLiterals(text));
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
