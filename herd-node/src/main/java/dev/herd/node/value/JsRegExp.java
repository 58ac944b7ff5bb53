package dev.herd.node.value;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A JavaScript regular expression: its {@code source} and its {@code flags} (a subset of
 * {@code dgimsuvy}, in that canonical order as {@code RegExp.prototype.flags} gives them).
 * A {@link Pattern} is sent as the JsRegExp of {@link #of(Pattern)}.
 *
 * <p>Immutable; any thread.
 *
 * @param source the pattern's text
 * @param flags the flags, in canonical order
 */
public record JsRegExp(String source, String flags) {
    private static final String FLAG_ORDER = "dgimsuvy";

    /** Checks the source and the flags, and puts the flags in canonical order. */
    public JsRegExp {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(flags, "flags");
        StringBuilder canonical = new StringBuilder();
        for (char c : FLAG_ORDER.toCharArray()) {
            if (flags.indexOf(c) >= 0) {
                canonical.append(c);
            }
        }
        if (canonical.length() != flags.length()) {
            throw new IllegalArgumentException("Invalid flags supplied to RegExp constructor '" + flags + "'");
        }
        flags = canonical.toString();
    }

    /**
     * The RegExp closest to a Java pattern: CASE_INSENSITIVE → i, MULTILINE → m, DOTALL → s.
     *
     * @param pattern a Java pattern
     * @return the RegExp
     */
    public static JsRegExp of(Pattern pattern) {
        StringBuilder flags = new StringBuilder();
        if ((pattern.flags() & Pattern.CASE_INSENSITIVE) != 0) {
            flags.append('i');
        }
        if ((pattern.flags() & Pattern.MULTILINE) != 0) {
            flags.append('m');
        }
        if ((pattern.flags() & Pattern.DOTALL) != 0) {
            flags.append('s');
        }
        return new JsRegExp(pattern.pattern(), flags.toString());
    }

    /**
     * A Java pattern for this RegExp (i, m, s mapped; u to UNICODE_CASE; g, y, d have no Java
     * counterpart and are ignored). JavaScript and Java regex syntax differ at the edges.
     *
     * @return the pattern
     */
    public Pattern toPattern() {
        int f = 0;
        if (flags.indexOf('i') >= 0) {
            f |= Pattern.CASE_INSENSITIVE;
        }
        if (flags.indexOf('m') >= 0) {
            f |= Pattern.MULTILINE;
        }
        if (flags.indexOf('s') >= 0) {
            f |= Pattern.DOTALL;
        }
        if (flags.indexOf('u') >= 0 || flags.indexOf('v') >= 0) {
            f |= Pattern.UNICODE_CASE;
        }
        return Pattern.compile(source, f);
    }

    @Override
    public String toString() {
        return "/" + source + "/" + flags;
    }
}
