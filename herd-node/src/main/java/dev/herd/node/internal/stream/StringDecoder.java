package dev.herd.node.internal.stream;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Node's {@code StringDecoder}: turns a byte stream that arrives in chunks into text without
 * breaking what spans two chunks — a UTF-8 sequence, a UTF-16 code unit or surrogate pair, a
 * base64 group of 3 bytes. {@link #write} keeps such an incomplete tail for the next chunk;
 * {@link #end} gives what is left (an incomplete UTF-8 sequence as one U+FFFD, as in Node).
 * Malformed UTF-8 becomes U+FFFD, as in Node. A decoder can also be made for a Java charset Node
 * has no name for; it then decodes as that charset's decoder does.
 *
 * <p>Thread rule: not thread-safe. Lifetime: one stream.
 */
public final class StringDecoder {
    private static final byte[] NONE = new byte[0];

    /** The Node encoding, or null for a charset Node has no name for. */
    private final Encoding encoding;
    /** For UTF-8 and other charsets: keeps an incomplete sequence at the end of its input. */
    private final CharsetDecoder charset;
    /** Bytes of an incomplete character (or base64 group) kept from the last write. */
    private byte[] carry = NONE;

    /**
     * A decoder for a Node encoding.
     *
     * @param encoding the encoding
     */
    public StringDecoder(Encoding encoding) {
        this.encoding = encoding;
        this.charset = encoding == Encoding.UTF8 ? newDecoder(StandardCharsets.UTF_8) : null;
    }

    /**
     * A decoder for {@code charset}: the Node encoding it stands for if there is one (see
     * {@link Encoding#of}), otherwise the charset's own decoder with malformed input replaced.
     *
     * @param charset the charset
     */
    public StringDecoder(Charset charset) {
        this.encoding = Encoding.of(charset);
        this.charset = encoding == Encoding.UTF8 || encoding == null ? newDecoder(charset) : null;
    }

    private static CharsetDecoder newDecoder(Charset cs) {
        return cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    /** {@return the Node encoding, or null for a charset Node has no name for} */
    public Encoding encoding() {
        return encoding;
    }

    /**
     * Decodes {@code bytes} after what the last call kept; keeps an incomplete tail for the next.
     *
     * @param bytes the next chunk
     * @return the text it completes, possibly empty
     */
    public String write(byte[] bytes) {
        if (encoding == null) return decodeCharset(join(bytes));
        return switch (encoding) {
            // The usual chunk: nothing kept and an ASCII last byte, so no character is cut.
            case UTF8 -> carry.length == 0 && bytes.length > 0 && bytes[bytes.length - 1] >= 0
                    ? new String(bytes, StandardCharsets.UTF_8)
                    : decodeCharset(join(bytes));
            case LATIN1, ASCII, HEX -> encoding.decode(bytes);
            case UTF16LE -> writeUtf16(join(bytes));
            case BASE64, BASE64URL -> writeBase64(join(bytes));
        };
    }

    /**
     * Ends the stream: what was kept, decoded as far as it goes.
     *
     * @return the rest of the text, possibly empty
     */
    public String end() {
        byte[] rest = carry;
        carry = NONE;
        if (charset != null) {
            CharBuffer out = CharBuffer.allocate(rest.length * 2 + 4);
            charset.decode(ByteBuffer.wrap(rest), out, true);
            charset.flush(out);
            charset.reset();
            return out.flip().toString();
        }
        if (rest.length == 0) return "";
        return encoding.decode(rest); // utf16le: a kept surrogate as it is, an odd byte dropped
    }

    private byte[] join(byte[] bytes) {
        if (carry.length == 0) return bytes;
        byte[] in = Arrays.copyOf(carry, carry.length + bytes.length);
        System.arraycopy(bytes, 0, in, carry.length, bytes.length);
        return in;
    }

    private String decodeCharset(byte[] in) {
        ByteBuffer bb = ByteBuffer.wrap(in);
        CharBuffer out = CharBuffer.allocate((int) (in.length * (double) charset.maxCharsPerByte()) + 2);
        charset.decode(bb, out, false);
        carry = bb.hasRemaining() ? Arrays.copyOfRange(in, bb.position(), in.length) : NONE;
        return out.flip().toString();
    }

    /** Whole code units; a high surrogate at the end waits for its pair, as in Node. */
    private String writeUtf16(byte[] in) {
        int n = in.length & ~1;
        if (n >= 2 && Character.isHighSurrogate((char) (in[n - 2] & 0xff | (in[n - 1] & 0xff) << 8))) n -= 2;
        carry = n == in.length ? NONE : Arrays.copyOfRange(in, n, in.length);
        return Encoding.utf16le(in, 0, n);
    }

    /** Whole groups of 3 bytes: base64 text of a partial group would be padded. */
    private String writeBase64(byte[] in) {
        int n = in.length - in.length % 3;
        carry = n == in.length ? NONE : Arrays.copyOfRange(in, n, in.length);
        return encoding.decode(in, 0, n);
    }
}
