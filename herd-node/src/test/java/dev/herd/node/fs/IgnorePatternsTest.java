package dev.herd.node.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * pm2's ignore_watch as chokidar 3.6.0 reads it (cwd {@code /app}). The expected answers were
 * taken from chokidar's own matcher (anymatch over the patterns chokidar's {@code _isIgnored}
 * builds, with its editor-file rule) run by Node on the same paths.
 */
class IgnorePatternsTest {
    private static final Path APP = Path.of("/app");

    private static IgnorePatterns of(Object... patterns) {
        return IgnorePatterns.of(APP, List.of(patterns));
    }

    private static boolean ignores(IgnorePatterns p, String path) {
        return p.ignores(Path.of(path));
    }

    @Test
    void aPlainNameIgnoresThatPathAndEverythingUnderItAtTheTopOnly() {
        IgnorePatterns p = of("node_modules");
        assertThat(ignores(p, "node_modules")).isTrue();
        assertThat(ignores(p, "node_modules/a/b.js")).isTrue();
        assertThat(ignores(p, "src/node_modules/x")).isFalse();
        assertThat(ignores(p, "src/app.js")).isFalse();
    }

    @Test
    void aStarGlobMatchesInTheAppsDirectoryOnlyAsUnderPm2() {
        IgnorePatterns p = of("*.log");
        assertThat(ignores(p, "app.log")).isTrue();
        assertThat(ignores(p, ".hidden.log")).isTrue();
        assertThat(ignores(p, "logs/app.log")).isFalse();
    }

    @Test
    void aGlobstarMatchesAtAnyDepth() {
        IgnorePatterns p = of("**/*.log");
        assertThat(ignores(p, "app.log")).isTrue();
        assertThat(ignores(p, "logs/app.log")).isTrue();
        assertThat(ignores(p, "a/b/c.log")).isTrue();
        assertThat(ignores(p, "a.logx")).isFalse();
    }

    @Test
    void aFilePathIgnoresThatFileOnly() {
        IgnorePatterns p = of("log/error.log");
        assertThat(ignores(p, "log/error.log")).isTrue();
        assertThat(ignores(p, "log/warn.log")).isFalse();
    }

    @Test
    void dotGitEscapedOrNotIgnoresTheRepository() {
        for (String git : List.of("\\.git", ".git")) {
            IgnorePatterns p = of(git);
            assertThat(ignores(p, ".git")).as(git).isTrue();
            assertThat(ignores(p, ".git/HEAD")).as(git).isTrue();
            assertThat(ignores(p, "xgit")).as(git).isFalse();
            assertThat(ignores(p, "src/.git")).as(git).isFalse();
        }
    }

    @Test
    void relativeSegmentsAndAbsolutePathsAreResolvedAgainstTheAppsDirectory() {
        IgnorePatterns p = of("./tmp", "../app/cache", "/app/abs");
        assertThat(ignores(p, "tmp/a")).isTrue();
        assertThat(ignores(p, "cache/b")).isTrue();
        assertThat(ignores(p, "abs/x")).isTrue();
        assertThat(ignores(p, "src/abs")).isFalse();
        assertThat(p.ignores(Path.of("/app/abs/y"))).isTrue();
    }

    @Test
    void bracesClassesAndQuestionMarksAreGlobsMatchedWhole() {
        IgnorePatterns p = of("{dist,build}", "[ab].txt", "?.js");
        assertThat(ignores(p, "dist")).isTrue();
        assertThat(ignores(p, "build")).isTrue();
        assertThat(ignores(p, "dist/x")).isFalse(); // a glob gets no "/**"; a watch never enters dist anyway
        assertThat(ignores(p, "a.txt")).isTrue();
        assertThat(ignores(p, "c.txt")).isFalse();
        assertThat(ignores(p, "a.js")).isTrue();
        assertThat(ignores(p, "ab.js")).isFalse();
    }

    @Test
    void globstarsAndStarsStayWithinTheirSegments() {
        assertThat(ignores(of("src/**"), "src")).isTrue();
        assertThat(ignores(of("src/**"), "src/a/b.js")).isTrue();
        assertThat(ignores(of("src/**"), "srcx/a")).isFalse();
        assertThat(ignores(of("src/**/test"), "src/test")).isTrue();
        assertThat(ignores(of("src/**/test"), "src/a/b/test")).isTrue();
        assertThat(ignores(of("src/**/test"), "src/a/test/x")).isFalse();
        assertThat(ignores(of("a*b"), "axxb")).isTrue();
        assertThat(ignores(of("a*b"), "a/b")).isFalse();
        assertThat(ignores(of("src/*/x"), "src/a/x")).isTrue();
        assertThat(ignores(of("src/*/x"), "src/a/b/x")).isFalse();
    }

    @Test
    void aRegexIsSearchedForInTheAbsolutePath() {
        IgnorePatterns p = of(Pattern.compile("\\.log$"), Pattern.compile("^/app/tmp/"));
        assertThat(ignores(p, "a/b.log")).isTrue();
        assertThat(ignores(p, "tmp/x")).isTrue();
        assertThat(ignores(p, "a/b.js")).isFalse();
    }

    @Test
    void noPatternsMeanPm2sDefaultDotFilesAndNodeModules() {
        IgnorePatterns p = IgnorePatterns.of(APP, List.of());
        assertThat(ignores(p, "node_modules/x")).isTrue();
        assertThat(ignores(p, ".git/HEAD")).isTrue();
        assertThat(ignores(p, "src/.env")).isTrue();
        assertThat(ignores(p, "src/node_modules_x/a")).isTrue();
        assertThat(ignores(p, "src/app.js")).isFalse();
    }

    @Test
    void pm2sDefaultStillWatchesAnAppThatLivesUnderADotDirectory() {
        // pm2 tests its regex on the absolute path and so ignores every change here.
        IgnorePatterns p = IgnorePatterns.of(Path.of("/home/u/.apps/api"), null);
        assertThat(p.ignores(Path.of("src/app.js"))).isFalse();
        assertThat(p.ignores(Path.of("src/.env"))).isTrue();
    }

    @Test
    void editorSwapAndBackupFilesAreAlwaysIgnored() {
        IgnorePatterns p = of("logs");
        assertThat(ignores(p, "src/.app.js.swp")).isTrue();
        assertThat(ignores(p, "src/.app.js.swx")).isTrue();
        assertThat(ignores(p, "src/app.js~")).isTrue();
        assertThat(ignores(p, ".subl123.tmp")).isTrue();
        assertThat(ignores(p, "src/app.js")).isFalse();
    }

    @Test
    void aTrailingSlashIsDroppedSoADirectoryWrittenThatWayIsIgnored() {
        // chokidar matches nothing for "logs/" (its paths never end in a slash): Herd takes the intent.
        IgnorePatterns p = of("logs/");
        assertThat(ignores(p, "logs")).isTrue();
        assertThat(ignores(p, "logs/x")).isTrue();
        assertThat(ignores(p, "logsx")).isFalse();
    }

    @Test
    void aStringOptionIsSplitAtWhiteSpaceAsPm2Does() {
        assertThat(IgnorePatterns.split("node_modules *.log  'with space' \"q d\"")).containsExactly("node_modules",
                "*.log", "with space", "q d");
    }
}
