package dev.herd.node.fs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * pm2's {@code ignore_watch}: which changed paths do not restart an app. pm2 hands the list to
 * chokidar 3 as its {@code ignored} option, with the app's directory as {@code cwd}, and chokidar
 * tests every absolute path it meets with {@code anymatch} (picomatch, {@code dot: true}); this
 * class does the same, so what pm2 users write means what it means under pm2:
 *
 * <ul>
 *   <li>A string is joined to the app's directory unless absolute ({@code "logs"} is
 *       {@code <cwd>/logs}). One without glob characters also ignores everything under it
 *       (chokidar adds {@code <cwd>/logs/**}), so {@code "node_modules"}, {@code "logs"},
 *       {@code "log/error.log"} and {@code ".git"} work as people expect.</li>
 *   <li>A glob matches the whole path from the app's directory: {@code "*.log"} is
 *       {@code <cwd>/*.log}, the logs of the top directory only, exactly as under pm2;
 *       {@code "**}{@code /*.log"} ignores them at any depth. Supported: {@code *} and {@code ?}
 *       within one path segment, {@code **} across segments, {@code [abc]}, {@code [a-z]},
 *       {@code [!a]}, {@code {a,b}} and backslash escapes ({@code "\\.git"} is {@code .git}).
 *       Not supported: extglobs ({@code @(a|b)}) and a leading {@code !}. Two differences from
 *       pm2, on purpose: {@code [!a]} is a class of everything but {@code a} (picomatch, as
 *       chokidar calls it, inverts the whole pattern), and a trailing slash is dropped
 *       ({@code "logs/"} ignores nothing under pm2, since no path it tests ends in one).</li>
 *   <li>A {@link Pattern} (a JavaScript config's {@code /regex/}) is searched for in the absolute
 *       path, as chokidar does.</li>
 *   <li>An empty list means pm2's default, {@code /[\/\\]\.|node_modules/}: dot files and
 *       directories and anything in {@code node_modules}. Herd tests the default against the path
 *       below the app's directory only, so an app that itself lives under a dot directory
 *       ({@code ~/.apps/api}) is still watched; pm2 ignores every change there. A list that is
 *       not empty replaces the default, as in pm2.</li>
 *   <li>Always, as chokidar's {@code atomic} option does by default: editors' swap and backup
 *       files ({@code .x.swp}, {@code .x.swx}, {@code x~}, {@code .subl*.tmp}).</li>
 * </ul>
 *
 * <p>pm2 splits a string {@code ignore_watch} ({@code --ignore-watch="node_modules *.log"}) at
 * white space; {@link #split} does that. Immutable and thread-safe.
 */
public final class IgnorePatterns {
    /** pm2's default {@code ignored}: {@code /[\/\\]\.|node_modules/}. */
    private static final Pattern PM2_DEFAULT = Pattern.compile("[/\\\\]\\.|node_modules");
    /** chokidar's {@code DOT_RE}, applied when {@code atomic} (the default with inotify). */
    private static final Pattern EDITOR_FILES = Pattern.compile("\\..*\\.(sw[px])$|~$|\\.subl.*\\.tmp");

    private final Path root;
    private final List<Pattern> patterns;
    private final boolean pm2Default;

    private IgnorePatterns(Path root, List<Pattern> patterns, boolean pm2Default) {
        this.root = root;
        this.patterns = patterns;
        this.pm2Default = pm2Default;
    }

    /**
     * The patterns of an app whose directory is {@code cwd}.
     *
     * @param cwd the app's directory, which relative patterns are joined to
     * @param ignoreWatch pm2's {@code ignore_watch}: strings (paths and globs) and {@link Pattern}s;
     *     null or empty for pm2's default
     * @return the patterns
     */
    public static IgnorePatterns of(Path cwd, List<?> ignoreWatch) {
        Path root = cwd.toAbsolutePath().normalize();
        if (ignoreWatch == null || ignoreWatch.isEmpty()) return new IgnorePatterns(root, List.of(), true);
        List<Pattern> out = new ArrayList<>();
        for (Object o : ignoreWatch) {
            if (o instanceof Pattern p) {
                out.add(p);
            } else if (o instanceof String s) {
                String path = join(root, s);
                // "a/**" matches "a" itself too, so one pattern covers both of chokidar's.
                out.add(Pattern.compile(globToRegex(isGlob(s) ? path : path + "/**")));
            } else {
                throw new IllegalArgumentException("ignore_watch entries are strings or patterns, not " + o);
            }
        }
        return new IgnorePatterns(root, List.copyOf(out), false);
    }

    /**
     * pm2's splitting of a string option into a list (lib/tools/Config.js): at white space,
     * with {@code "..."} and {@code '...'} keeping spaces.
     *
     * @param option the string, as given to {@code --ignore-watch}
     * @return its parts
     */
    public static List<String> split(String option) {
        List<String> parts = new ArrayList<>();
        var m = Pattern.compile("[^\\s\"'=]+=\"[^\"]*\"|[^\\s\"'=]+='[^']*'|\"([^\"]*)\"|'([^']*)'|\\S+").matcher(option);
        while (m.find()) {
            String v = m.group();
            if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
                v = v.substring(1, v.length() - 1);
            }
            if (!v.isBlank()) parts.add(v);
        }
        return parts;
    }

    /**
     * Whether a change of {@code path} is ignored.
     *
     * @param path the changed file or directory: absolute, or relative to the app's directory
     * @return whether it is ignored
     */
    public boolean ignores(Path path) {
        Path abs = root.resolve(path).normalize();
        String s = abs.toString();
        if (EDITOR_FILES.matcher(s).find()) return true;
        if (pm2Default) {
            if (!abs.startsWith(root) || abs.equals(root)) return false;
            return PM2_DEFAULT.matcher("/" + root.relativize(abs)).find();
        }
        // Globs are compiled anchored; a user's regex is searched for, as RegExp.test does.
        for (Pattern p : patterns) {
            if (p.matcher(s).find()) return true;
        }
        return false;
    }

    private static String join(Path root, String pattern) {
        String p = pattern;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        if (p.startsWith("/")) return normalize(p);
        String base = root.toString();
        return normalize(base.endsWith("/") ? base + p : base + "/" + p);
    }

    /** path.normalize for a glob: "." and ".." segments and repeated slashes, glob characters untouched. */
    private static String normalize(String p) {
        List<String> out = new ArrayList<>();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (!out.isEmpty()) out.removeLast();
                continue;
            }
            out.add(seg);
        }
        return "/" + String.join("/", out);
    }

    /** is-glob (strict), as chokidar asks it: an unescaped *, ?, [..], {..} or a leading !. */
    static boolean isGlob(String s) {
        if (s.startsWith("!")) return true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?') {
                return true;
            } else if (c == '[' && s.indexOf(']', i + 2) > 0) {
                return true;
            } else if (c == '{' && s.indexOf('}', i + 2) > 0) {
                return true;
            }
        }
        return false;
    }

    /** A picomatch-style glob ({@code dot: true}) as an anchored Java regex. */
    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder("^");
        translate(glob, 0, glob.length(), re);
        return re.append('$').toString();
    }

    private static void translate(String g, int from, int to, StringBuilder re) {
        int i = from;
        while (i < to) {
            char c = g.charAt(i);
            boolean segmentStart = i == from || g.charAt(i - 1) == '/';
            if (c == '*' && i + 1 < to && g.charAt(i + 1) == '*' && segmentStart
                    && (i + 2 == to || g.charAt(i + 2) == '/')) {
                if (i + 2 == to) {
                    // "a/**" also matches "a" itself: make the slash before it optional.
                    if (re.length() > 1 && re.charAt(re.length() - 1) == '/') {
                        re.setLength(re.length() - 1);
                        re.append("(?:/.*)?");
                    } else {
                        re.append(".*");
                    }
                    i += 2;
                } else {
                    re.append("(?:[^/]*/)*"); // zero or more whole segments
                    i += 3;
                }
            } else if (c == '*') {
                while (i < to && g.charAt(i) == '*') i++;
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else if (c == '\\' && i + 1 < to) {
                literal(g.charAt(i + 1), re);
                i += 2;
            } else if (c == '[' && g.indexOf(']', i + 2) > 0 && g.indexOf(']', i + 2) < to) {
                int end = g.indexOf(']', i + 2);
                String body = g.substring(i + 1, end);
                boolean negate = body.startsWith("!") || body.startsWith("^");
                if (negate) body = body.substring(1);
                re.append(negate ? "[^/" : "[");
                for (char b : body.toCharArray()) {
                    if (b == '\\' || b == '[' || b == ']' || b == '&' || b == '^') re.append('\\');
                    re.append(b);
                }
                re.append(']');
                i = end + 1;
            } else if (c == '{' && closingBrace(g, i, to) > 0) {
                int end = closingBrace(g, i, to);
                re.append("(?:");
                int start = i + 1;
                int depth = 0;
                for (int j = i + 1; j <= end; j++) {
                    char d = g.charAt(j);
                    if (d == '\\') {
                        j++;
                    } else if (d == '{') {
                        depth++;
                    } else if (d == '}' && depth > 0) {
                        depth--;
                    } else if ((d == ',' && depth == 0) || j == end) {
                        translate(g, start, j, re);
                        re.append(j == end ? ")" : "|");
                        start = j + 1;
                    }
                }
                i = end + 1;
            } else {
                literal(c, re);
                i++;
            }
        }
    }

    private static void literal(char c, StringBuilder re) {
        if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) re.append('\\');
        re.append(c);
    }

    /** The index of the brace closing the one at {@code open}, or -1. */
    private static int closingBrace(String g, int open, int to) {
        int depth = 0;
        for (int j = open; j < to; j++) {
            char d = g.charAt(j);
            if (d == '\\') {
                j++;
            } else if (d == '{') {
                depth++;
            } else if (d == '}' && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return pm2Default ? "IgnorePatterns(pm2 default)" : "IgnorePatterns" + patterns;
    }
}
