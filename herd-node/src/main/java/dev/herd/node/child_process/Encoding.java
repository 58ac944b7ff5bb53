package dev.herd.node.child_process;

import dev.herd.node.NodeError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Node's Buffer encodings as child_process uses them: which names are encodings
 * ({@code Buffer.isEncoding}), decoding output, encoding input, and a streaming {@link Decoder}
 * (Node's StringDecoder: a character split between two chunks is not broken). Stateless.
 */
final class Encoding {
    private Encoding() {}

    /**
     * The canonical name of a Node encoding ("utf8", "latin1", "ascii", "utf16le", "hex",
     * "base64", "base64url"), or null if {@code name} is none (as "buffer" is not).
     */
    static String canonical(String name) {
        if (name == null) return null;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "utf8", "utf-8" -> "utf8";
            case "latin1", "binary" -> "latin1";
            case "ascii" -> "ascii";
            case "utf16le", "utf-16le", "ucs2", "ucs-2" -> "utf16le";
            case "hex" -> "hex";
            case "base64" -> "base64";
            case "base64url" -> "base64url";
            default -> null;
        };
    }

    /** The canonical encoding, or ERR_UNKNOWN_ENCODING (what Buffer.toString throws). */
    static String require(String name) {
        String c = canonical(name);
        if (c == null) throw new NodeError("ERR_UNKNOWN_ENCODING", "Unknown encoding: " + name, IllegalArgumentException.class);
        return c;
    }

    /** {@code buf.toString(enc)}. */
    static String decode(byte[] bytes, String enc) {
        return switch (enc) {
            case "utf8" -> new String(bytes, StandardCharsets.UTF_8);
            case "latin1" -> new String(bytes, StandardCharsets.ISO_8859_1);
            case "ascii" -> ascii(bytes);
            case "utf16le" -> new String(bytes, 0, bytes.length & ~1, StandardCharsets.UTF_16LE);
            case "hex" -> HexFormat.of().formatHex(bytes);
            case "base64" -> Base64.getEncoder().encodeToString(bytes);
            case "base64url" -> Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            default -> throw new IllegalArgumentException(enc);
        };
    }

    /** Node's 'ascii' decoding keeps the low 7 bits of each byte. */
    private static String ascii(byte[] bytes) {
        char[] c = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) c[i] = (char) (bytes[i] & 0x7f);
        return new String(c);
    }

    /** {@code Buffer.from(s, enc)}; null means UTF-8. */
    static byte[] encode(String s, String enc) {
        if (enc == null) return s.getBytes(StandardCharsets.UTF_8);
        return switch (enc) {
            case "utf8" -> s.getBytes(StandardCharsets.UTF_8);
            case "latin1", "ascii" -> s.getBytes(StandardCharsets.ISO_8859_1);
            case "utf16le" -> s.getBytes(StandardCharsets.UTF_16LE);
            case "hex" -> HexFormat.of().parseHex(s.length() % 2 == 0 ? s : s.substring(0, s.length() - 1));
            case "base64" -> Base64.getMimeDecoder().decode(s);
            case "base64url" -> Base64.getUrlDecoder().decode(s);
            default -> throw new IllegalArgumentException(enc);
        };
    }

    /** {@code Buffer.byteLength(s, enc)}: what maxBuffer counts for decoded output. */
    static long byteLength(String s, String enc) {
        return switch (enc) {
            case "utf8" -> utf8Length(s);
            case "latin1", "ascii" -> s.length();
            case "utf16le" -> 2L * s.length();
            case "hex" -> s.length() / 2;
            default -> encode(s, enc).length;
        };
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    /** Node's StringDecoder for one stream. Not thread-safe. */
    static final class Decoder {
        private final String enc;
        private final CharsetDecoder charset;
        private byte[] carry = new byte[0];

        Decoder(String enc) {
            this.enc = enc;
            Charset cs = switch (enc) {
                case "utf8" -> StandardCharsets.UTF_8;
                case "utf16le" -> StandardCharsets.UTF_16LE;
                default -> null;
            };
            this.charset = cs == null ? null : cs.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
        }

        /** Decodes {@code bytes} after what the last call kept; keeps an incomplete tail. */
        String write(byte[] bytes) {
            byte[] in = carry.length == 0 ? bytes : concat(carry, bytes);
            if (charset != null) {
                ByteBuffer bb = ByteBuffer.wrap(in);
                CharBuffer out = CharBuffer.allocate((int) (in.length * (double) charset.maxCharsPerByte()) + 2);
                charset.decode(bb, out, false);
                carry = Arrays.copyOfRange(in, bb.position(), in.length);
                return out.flip().toString();
            }
            // base64 works on 3-byte groups; the others on single bytes.
            int keep = enc.startsWith("base64") ? in.length % 3 : 0;
            carry = Arrays.copyOfRange(in, in.length - keep, in.length);
            return decode(Arrays.copyOf(in, in.length - keep), enc);
        }

        /** What is left (an incomplete character as U+FFFD). */
        String end() {
            byte[] rest = carry;
            carry = new byte[0];
            if (charset == null) return rest.length == 0 ? "" : decode(rest, enc);
            CharBuffer out = CharBuffer.allocate(rest.length * 2 + 4);
            charset.decode(ByteBuffer.wrap(rest), out, true);
            charset.flush(out);
            charset.reset();
            return out.flip().toString();
        }

        private static byte[] concat(byte[] a, byte[] b) {
            ByteArrayOutputStream o = new ByteArrayOutputStream(a.length + b.length);
            o.writeBytes(a);
            o.writeBytes(b);
            return o.toByteArray();
        }
    }
}
