package dev.herd.node.json;

/**
 * The message V8's {@code JSON.parse} (Node 20, V8 11.3) gives for a text it rejects, so that a
 * Herd process reports a bad line the way a Node process does. Jackson decides <em>whether</em>
 * a text is valid; this class runs only after it said no, and retraces V8's JsonParser (the same
 * token table, the same checks in the same order) to find <em>which</em> error V8 names and at
 * which UTF-16 position. It builds no values and uses an explicit stack, so any depth is safe.
 *
 * <p>Static and thread-safe.
 */
final class SyntaxErrors {
    /** Characters of context on each side of the bad token (V8's kMaxContextCharacters). */
    private static final int MAX_CONTEXT = 10;
    /** Shorter texts are quoted whole (V8's kMinOriginalSourceLengthForContext). */
    private static final int MIN_LENGTH_FOR_CONTEXT = MAX_CONTEXT * 2 + 1;
    private static final int EOS_CHAR = -1;

    private enum Token {
        STRING, NUMBER, LBRACK, LBRACE, RBRACK, RBRACE, TRUE_LITERAL, FALSE_LITERAL, NULL_LITERAL, WHITESPACE, COLON,
        COMMA, ILLEGAL, EOS
    }

    private final String src;
    private final int end;
    private int cursor;
    private Token next;
    private String error;

    private SyntaxErrors(String src) {
        this.src = src;
        this.end = src.length();
    }

    /** V8's SyntaxError message for {@code text}, or null if V8 would accept it. */
    static String explain(String text) {
        SyntaxErrors s = new SyntaxErrors(text);
        s.parse();
        return s.error;
    }

    private static Token tokenOf(int c) {
        return switch (c) {
            case EOS_CHAR -> Token.EOS;
            case '"' -> Token.STRING;
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> Token.NUMBER;
            case '[' -> Token.LBRACK;
            case '{' -> Token.LBRACE;
            case ']' -> Token.RBRACK;
            case '}' -> Token.RBRACE;
            case 't' -> Token.TRUE_LITERAL;
            case 'f' -> Token.FALSE_LITERAL;
            case 'n' -> Token.NULL_LITERAL;
            case ' ', '\t', '\r', '\n' -> Token.WHITESPACE;
            case ':' -> Token.COLON;
            case ',' -> Token.COMMA;
            default -> Token.ILLEGAL;
        };
    }

    private static boolean isNumberPart(int c) {
        return c == '.' || c == 'e' || c == 'E' || isDigit(c) || c == '-' || c == '+';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private int current() {
        return cursor < end ? src.charAt(cursor) : EOS_CHAR;
    }

    private int nextCharacter() {
        cursor++;
        return current();
    }

    private void skipWhitespace() {
        while (cursor < end) {
            Token t = tokenOf(src.charAt(cursor));
            if (t != Token.WHITESPACE) {
                next = t;
                return;
            }
            cursor++;
        }
        next = Token.EOS;
    }

    private boolean check(Token t) {
        skipWhitespace();
        if (next != t) {
            return false;
        }
        cursor++;
        return true;
    }

    private boolean expect(Token t, String message) {
        if (next == t) {
            cursor++;
            return true;
        }
        report(next, message);
        return false;
    }

    private boolean expectNext(Token t, String message) {
        skipWhitespace();
        return expect(t, message);
    }

    // ---- the value loop (V8's JsonParser::ParseJsonValue, iterative) ----

    private void parse() {
        byte[] stack = new byte[16]; // 'o' object, 'a' array
        int depth = 0;
        while (true) {
            // Produce a value.
            produce:
            while (true) {
                skipWhitespace();
                switch (next) {
                    case STRING -> {
                        cursor++;
                        if (!scanString()) {
                            return;
                        }
                    }
                    case NUMBER -> {
                        if (!scanNumber()) {
                            return;
                        }
                    }
                    case LBRACE -> {
                        cursor++;
                        if (check(Token.RBRACE)) {
                            break;
                        }
                        if (depth == stack.length) {
                            stack = java.util.Arrays.copyOf(stack, depth * 2);
                        }
                        stack[depth++] = 'o';
                        if (!expect(Token.STRING, "Expected property name or '}' in JSON at position %")
                                || !scanString()
                                || !expectNext(Token.COLON, "Expected ':' after property name in JSON at position %")) {
                            return;
                        }
                        continue produce;
                    }
                    case LBRACK -> {
                        cursor++;
                        if (check(Token.RBRACK)) {
                            break;
                        }
                        if (depth == stack.length) {
                            stack = java.util.Arrays.copyOf(stack, depth * 2);
                        }
                        stack[depth++] = 'a';
                        continue produce;
                    }
                    case TRUE_LITERAL -> {
                        if (!scanLiteral("true")) {
                            return;
                        }
                    }
                    case FALSE_LITERAL -> {
                        if (!scanLiteral("false")) {
                            return;
                        }
                    }
                    case NULL_LITERAL -> {
                        if (!scanLiteral("null")) {
                            return;
                        }
                    }
                    default -> {
                        reportUnexpectedCharacter(current());
                        return;
                    }
                }
                break;
            }
            // Consume it: close finished containers, or go on to the next member.
            while (true) {
                if (depth == 0) {
                    expectNext(Token.EOS, "Unexpected non-whitespace character after JSON at position %");
                    return;
                }
                if (stack[depth - 1] == 'o') {
                    if (check(Token.COMMA)) {
                        // V8 11.3 names the missing colon only after the first property; here it is a plain unexpected token.
                        if (!expectNext(Token.STRING, "Expected double-quoted property name in JSON at position %")
                                || !scanString()
                                || !expectNext(Token.COLON, null)) {
                            return;
                        }
                        break;
                    }
                    if (!expect(Token.RBRACE, "Expected ',' or '}' after property value in JSON at position %")) {
                        return;
                    }
                } else {
                    if (check(Token.COMMA)) {
                        break;
                    }
                    if (!expect(Token.RBRACK, "Expected ',' or ']' after array element in JSON at position %")) {
                        return;
                    }
                }
                depth--;
            }
        }
    }

    // ---- scanners (V8's ScanLiteral, ParseJsonNumber, ScanJsonString) ----

    private boolean scanLiteral(String literal) {
        int n = literal.length();
        int remaining = end - cursor;
        if (remaining >= n && src.startsWith(literal, cursor)) {
            cursor += n;
            return true;
        }
        cursor++;
        for (int i = 0; i < Math.min(n - 1, remaining - 1); i++) {
            if (literal.charAt(1 + i) != src.charAt(cursor)) {
                reportUnexpectedCharacter(src.charAt(cursor));
                return false;
            }
            cursor++;
        }
        report(Token.EOS, null);
        return false;
    }

    private boolean scanNumber() {
        int sign = 1;
        int c = current();
        if (c == '-') {
            sign = -1;
            c = nextCharacter();
        }
        if (c == '0') {
            c = nextCharacter();
            if (c >= 0 && c <= 0xFF && isNumberPart(c)) {
                if (isDigit(c)) {
                    report(Token.NUMBER, null);
                    return false;
                }
            } else if (sign > 0) {
                return true;
            }
        } else {
            int start = cursor;
            int stop = Math.min(cursor + 9, end);
            while (cursor < stop && isDigit(src.charAt(cursor))) {
                cursor++;
            }
            if (start == cursor) {
                report(Token.ILLEGAL, "No number after minus sign in JSON at position %");
                return false;
            }
            c = current();
            if (c < 0 || c > 0xFF || !isNumberPart(c)) {
                return true;
            }
            skipDigits();
        }
        if (current() == '.') {
            if (!isDigit(nextCharacter())) {
                report(Token.ILLEGAL, "Unterminated fractional number in JSON at position %");
                return false;
            }
            skipDigits();
        }
        if (current() == 'e' || current() == 'E') {
            c = nextCharacter();
            if (c == '-' || c == '+') {
                c = nextCharacter();
            }
            if (!isDigit(c)) {
                report(Token.ILLEGAL, "Exponent part is missing a number in JSON at position %");
                return false;
            }
            skipDigits();
        }
        return true;
    }

    private void skipDigits() {
        while (cursor < end && isDigit(src.charAt(cursor))) {
            cursor++;
        }
    }

    /** A string's remainder, the cursor just past its opening quote. */
    private boolean scanString() {
        while (true) {
            while (cursor < end) {
                char c = src.charAt(cursor);
                if (c < 0x20 || c == '"' || c == '\\') {
                    break;
                }
                cursor++;
            }
            if (cursor >= end) {
                report(Token.ILLEGAL, "Unterminated string in JSON at position %");
                return false;
            }
            char c = src.charAt(cursor);
            if (c == '"') {
                cursor++;
                return true;
            }
            if (c == '\\') {
                int e = nextCharacter();
                if (e < 0 || e > 0xFF) {
                    reportUnexpectedCharacter(e);
                    return false;
                }
                switch (e) {
                    case '"', '\\', '/', 'b', 't', 'n', 'f', 'r' -> {
                    }
                    case 'u' -> {
                        for (int i = 0; i < 4; i++) {
                            if (!isHexDigit(nextCharacter())) {
                                report(Token.ILLEGAL, "Bad Unicode escape in JSON at position %");
                                return false;
                            }
                        }
                    }
                    default -> {
                        report(Token.ILLEGAL, "Bad escaped character in JSON at position %");
                        return false;
                    }
                }
                cursor++;
                continue;
            }
            report(Token.ILLEGAL, "Bad control character in string literal in JSON at position %");
            return false;
        }
    }

    // ---- reporting (V8's ReportUnexpectedToken) ----

    private void reportUnexpectedCharacter(int c) {
        Token t = c == EOS_CHAR ? Token.EOS : c <= 0xFF ? tokenOf(c) : Token.ILLEGAL;
        report(t, null);
    }

    private void report(Token token, String template) {
        int pos = cursor;
        if (template != null) {
            error = template.replace("%", Integer.toString(pos));
            return;
        }
        switch (token) {
            case EOS -> error = "Unexpected end of JSON input";
            case NUMBER -> error = "Unexpected number in JSON at position " + pos;
            case STRING -> error = "Unexpected string in JSON at position " + pos;
            default -> error = isSpecialString() ? "\"" + src + "\" is not valid JSON" : withContext(pos);
        }
    }

    private boolean isSpecialString() {
        return src.equals("[object Object]") || src.equals("undefined") || src.equals("Infinity") || src.equals("NaN");
    }

    private String withContext(int pos) {
        String token = String.valueOf(src.charAt(pos));
        int length = src.length();
        if (length < MIN_LENGTH_FOR_CONTEXT) {
            return "Unexpected token '" + token + "', \"" + src + "\" is not valid JSON";
        }
        if (pos < MAX_CONTEXT) {
            return "Unexpected token '" + token + "', \"" + src.substring(0, pos + MAX_CONTEXT) + "\"... is not valid JSON";
        }
        if (pos < length - MAX_CONTEXT) {
            return "Unexpected token '" + token + "', ...\"" + src.substring(pos - MAX_CONTEXT, pos + MAX_CONTEXT)
                    + "\"... is not valid JSON";
        }
        return "Unexpected token '" + token + "', ...\"" + src.substring(pos - MAX_CONTEXT) + "\" is not valid JSON";
    }
}
