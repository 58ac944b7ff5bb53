package dev.herd.node.internal.stream;

import dev.herd.node.NodeError;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Node's Buffer encodings, the one table of them: which names are encodings
 * ({@code Buffer.isEncoding}), {@code buf.toString(enc)}, {@code Buffer.from(s, enc)} and
 * {@code Buffer.byteLength(s, enc)}. 'ascii' keeps the low 7 bits of each byte as Node does (not
 * Java's US-ASCII, which turns bytes from 0x80 on into U+FFFD); 'utf16le' keeps unpaired
 * surrogates as Node does. For text that arrives in chunks, see {@link StringDecoder}.
 *
 * <p>Thread rule: any thread (immutable).
 */
public enum Encoding {
    /** 'utf8' (also 'utf-8'): malformed input becomes U+FFFD. */
    UTF8("utf8"),
    /** 'utf16le' (also 'utf-16le', 'ucs2', 'ucs-2'): two bytes a code unit, an odd last byte dropped. */
    UTF16LE("utf16le"),
    /** 'latin1' (also 'binary'): one byte a character. */
    LATIN1("latin1"),
    /** 'ascii': one byte a character, its low 7 bits. */
    ASCII("ascii"),
    /** 'hex': two lower-case hex digits a byte. */
    HEX("hex"),
    /** 'base64', with padding. */
    BASE64("base64"),
    /** 'base64url', without padding. */
    BASE64URL("base64url");

    private final String nodeName;

    Encoding(String nodeName) {
        this.nodeName = nodeName;
    }

    /** {@return Node's canonical name: "utf8", "utf16le", "latin1", "ascii", "hex", "base64" or "base64url"} */
    public String nodeName() {
        return nodeName;
    }

    /**
     * The encoding Node knows by {@code name} in any case, or null if it is none (as "buffer" is not).
     *
     * @param name a Node encoding name, or null
     * @return the encoding, or null
     */
    public static Encoding lookup(String name) {
        if (name == null) return null;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "utf8", "utf-8" -> UTF8;
            case "utf16le", "utf-16le", "ucs2", "ucs-2" -> UTF16LE;
            case "latin1", "binary" -> LATIN1;
            case "ascii" -> ASCII;
            case "hex" -> HEX;
            case "base64" -> BASE64;
            case "base64url" -> BASE64URL;
            default -> null;
        };
    }

    /**
     * The encoding named {@code name}, as Node's StringDecoder and Buffer.toString require it.
     *
     * @param name a Node encoding name
     * @return the encoding
     * @throws NodeError ERR_UNKNOWN_ENCODING if Node knows no such encoding
     */
    public static Encoding require(String name) {
        Encoding e = lookup(name);
        if (e == null) throw new NodeError("ERR_UNKNOWN_ENCODING", "Unknown encoding: " + name, IllegalArgumentException.class);
        return e;
    }

    /**
     * The Node encoding that decodes as {@code charset} does: UTF-8, UTF-16LE, ISO-8859-1 and
     * US-ASCII (as Node's 'ascii'); null for any other charset.
     *
     * @param charset a charset
     * @return the encoding, or null
     */
    public static Encoding of(Charset charset) {
        if (charset.equals(StandardCharsets.UTF_8)) return UTF8;
        if (charset.equals(StandardCharsets.ISO_8859_1)) return LATIN1;
        if (charset.equals(StandardCharsets.US_ASCII)) return ASCII;
        if (charset.equals(StandardCharsets.UTF_16LE)) return UTF16LE;
        return null;
    }

    /**
     * {@code buf.toString(enc)}.
     *
     * @param bytes the bytes
     * @return the text
     */
    public String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * {@code buf.toString(enc, from, to)} for {@code to = from + length}.
     *
     * @param bytes the bytes
     * @param from the first byte
     * @param length how many bytes
     * @return the text
     */
    public String decode(byte[] bytes, int from, int length) {
        return switch (this) {
            case UTF8 -> new String(bytes, from, length, StandardCharsets.UTF_8);
            case LATIN1 -> new String(bytes, from, length, StandardCharsets.ISO_8859_1);
            case ASCII -> ascii(bytes, from, length);
            case UTF16LE -> utf16le(bytes, from, length & ~1);
            case HEX -> HexFormat.of().formatHex(bytes, from, from + length);
            case BASE64 -> Base64.getEncoder().encodeToString(slice(bytes, from, length));
            case BASE64URL -> Base64.getUrlEncoder().withoutPadding().encodeToString(slice(bytes, from, length));
        };
    }

    /**
     * {@code Buffer.from(s, enc)}.
     *
     * @param s the text
     * @return its bytes
     */
    public byte[] encode(String s) {
        return switch (this) {
            case UTF8 -> s.getBytes(StandardCharsets.UTF_8);
            case LATIN1, ASCII -> lowBytes(s);
            case UTF16LE -> s.getBytes(StandardCharsets.UTF_16LE);
            case HEX -> HexFormat.of().parseHex(s.length() % 2 == 0 ? s : s.substring(0, s.length() - 1));
            case BASE64 -> Base64.getMimeDecoder().decode(s);
            case BASE64URL -> Base64.getUrlDecoder().decode(s);
        };
    }

    /**
     * {@code Buffer.byteLength(s, enc)}.
     *
     * @param s the text
     * @return how many bytes {@link #encode} makes of it
     */
    public long byteLength(String s) {
        return switch (this) {
            case UTF8 -> utf8Length(s);
            case LATIN1, ASCII -> s.length();
            case UTF16LE -> 2L * s.length();
            case HEX -> s.length() / 2;
            default -> encode(s).length;
        };
    }

    /** Node's 'ascii' decoding keeps the low 7 bits of each byte. */
    private static String ascii(byte[] bytes, int from, int length) {
        byte[] low = new byte[length];
        for (int i = 0; i < length; i++) low[i] = (byte) (bytes[from + i] & 0x7f);
        return new String(low, StandardCharsets.ISO_8859_1);
    }

    /** Node's 'utf16le' decoding: code units as they are, an unpaired surrogate kept (Java's decoder would replace it). */
    static String utf16le(byte[] bytes, int from, int length) {
        char[] c = new char[length / 2];
        for (int i = 0; i < c.length; i++) c[i] = (char) (bytes[from + 2 * i] & 0xff | (bytes[from + 2 * i + 1] & 0xff) << 8);
        return new String(c);
    }

    /** Node's latin1 and ascii encoding: each char's low byte. */
    private static byte[] lowBytes(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) s.charAt(i);
        return b;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        if (from == 0 && length == bytes.length) return bytes;
        byte[] b = new byte[length];
        System.arraycopy(bytes, from, b, 0, length);
        return b;
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
}
