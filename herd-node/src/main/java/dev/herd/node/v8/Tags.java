package dev.herd.node.v8;

/**
 * V8's ValueSerializer tags (src/objects/value-serializer.cc, format version 15), by the names V8
 * gives them. Package-private: the wire format's vocabulary, shared by the two directions.
 */
final class Tags {
    static final int VERSION = 0xFF;
    /** The version V8 11.3 (Node 20) writes. */
    static final int LATEST_VERSION = 15;
    /** The oldest version read: Node 20 reads 13 too, and older formats differ in ways not implemented. */
    static final int OLDEST_READ_VERSION = 13;

    static final int PADDING = 0x00;
    static final int VERIFY_OBJECT_COUNT = '?';
    static final int THE_HOLE = '-';
    static final int UNDEFINED = '_';
    static final int NULL = '0';
    static final int TRUE = 'T';
    static final int FALSE = 'F';
    static final int INT32 = 'I';
    static final int UINT32 = 'U';
    static final int DOUBLE = 'N';
    static final int BIGINT = 'Z';
    static final int UTF8_STRING = 'S';
    static final int ONE_BYTE_STRING = '"';
    static final int TWO_BYTE_STRING = 'c';
    static final int OBJECT_REFERENCE = '^';
    static final int BEGIN_JS_OBJECT = 'o';
    static final int END_JS_OBJECT = '{';
    static final int BEGIN_SPARSE_JS_ARRAY = 'a';
    static final int END_SPARSE_JS_ARRAY = '@';
    static final int BEGIN_DENSE_JS_ARRAY = 'A';
    static final int END_DENSE_JS_ARRAY = '$';
    static final int DATE = 'D';
    static final int TRUE_OBJECT = 'y';
    static final int FALSE_OBJECT = 'x';
    static final int NUMBER_OBJECT = 'n';
    static final int BIGINT_OBJECT = 'z';
    static final int STRING_OBJECT = 's';
    static final int REGEXP = 'R';
    static final int BEGIN_JS_MAP = ';';
    static final int END_JS_MAP = ':';
    static final int BEGIN_JS_SET = '\'';
    static final int END_JS_SET = ',';
    static final int ARRAY_BUFFER = 'B';
    static final int RESIZABLE_ARRAY_BUFFER = '~';
    static final int ARRAY_BUFFER_VIEW = 'V';
    static final int ERROR = 'r';
    static final int HOST_OBJECT = '\\';

    // Error sub-tags (V8's ErrorTag), written as varints after 'r'.
    static final int EVAL_ERROR_PROTOTYPE = 'E';
    static final int RANGE_ERROR_PROTOTYPE = 'R';
    static final int REFERENCE_ERROR_PROTOTYPE = 'F';
    static final int SYNTAX_ERROR_PROTOTYPE = 'S';
    static final int TYPE_ERROR_PROTOTYPE = 'T';
    static final int URI_ERROR_PROTOTYPE = 'U';
    static final int ERROR_MESSAGE = 'm';
    static final int ERROR_CAUSE = 'c';
    static final int ERROR_STACK = 's';
    static final int ERROR_END = '.';

    // Node's ChildProcessSerializer host-object sub-tags.
    static final int HOST_ARRAY_BUFFER_VIEW = 0;
    static final int HOST_NOT_ARRAY_BUFFER_VIEW = 1;
    /** Node's ArrayBufferView type index of a Buffer (FastBuffer). */
    static final int NODE_BUFFER_INDEX = 10;

    /** RegExp flags as V8 numbers them (JSRegExp::Flag), in the order of {@link #REGEXP_FLAG_CHARS}. */
    static final int[] REGEXP_FLAG_BITS = {128, 1, 2, 4, 32, 16, 256, 8};
    /** The flags of {@link dev.herd.node.value.JsRegExp}, canonical order. */
    static final String REGEXP_FLAG_CHARS = "dgimsuvy";
    /** V8's 'l' (linear engine) flag: only with --enable-experimental-regexp-engine, which Node lacks. */
    static final int REGEXP_LINEAR = 64;

    private Tags() {
    }

    /** V8's prototype sub-tag for an error name, or 0 for Error and names V8 does not know. */
    static int errorPrototypeTag(String name) {
        return switch (name) {
            case "EvalError" -> EVAL_ERROR_PROTOTYPE;
            case "RangeError" -> RANGE_ERROR_PROTOTYPE;
            case "ReferenceError" -> REFERENCE_ERROR_PROTOTYPE;
            case "SyntaxError" -> SYNTAX_ERROR_PROTOTYPE;
            case "TypeError" -> TYPE_ERROR_PROTOTYPE;
            case "URIError" -> URI_ERROR_PROTOTYPE;
            default -> 0;
        };
    }

    /** The error name of a prototype sub-tag, or null when {@code tag} is not one. */
    static String errorName(int tag) {
        return switch (tag) {
            case EVAL_ERROR_PROTOTYPE -> "EvalError";
            case RANGE_ERROR_PROTOTYPE -> "RangeError";
            case REFERENCE_ERROR_PROTOTYPE -> "ReferenceError";
            case SYNTAX_ERROR_PROTOTYPE -> "SyntaxError";
            case TYPE_ERROR_PROTOTYPE -> "TypeError";
            case URI_ERROR_PROTOTYPE -> "URIError";
            default -> null;
        };
    }
}
