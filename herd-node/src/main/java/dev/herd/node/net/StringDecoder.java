package dev.herd.node.net;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;

/**
 * Node's StringDecoder: turns a byte stream into text without breaking a multi-byte character
 * that is split between two chunks; malformed input becomes U+FFFD, as in Node.
 *
 * <p>Thread rule: not thread-safe. Lifetime: one stream.
 */
final class StringDecoder {
    private final CharsetDecoder decoder;
    private ByteBuffer carry = ByteBuffer.allocate(0);

    StringDecoder(Charset charset) {
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    /** Decodes {@code bytes} after any bytes kept from the last call; keeps an incomplete tail. */
    String write(byte[] bytes) {
        ByteBuffer in;
        if (carry.hasRemaining()) {
            in = ByteBuffer.allocate(carry.remaining() + bytes.length);
            in.put(carry).put(bytes).flip();
        } else {
            in = ByteBuffer.wrap(bytes);
        }
        CharBuffer out = CharBuffer.allocate((int) (in.remaining() * (double) decoder.maxCharsPerByte()) + 2);
        decoder.decode(in, out, false);
        carry = in.hasRemaining() ? ByteBuffer.wrap(java.util.Arrays.copyOfRange(in.array(), in.position(), in.limit()))
                : ByteBuffer.allocate(0);
        out.flip();
        return out.toString();
    }

    /** Whatever is left, with an incomplete character as U+FFFD; the decoder is then reset. */
    String end() {
        CharBuffer out = CharBuffer.allocate(carry.remaining() * 2 + 4);
        decoder.decode(carry, out, true);
        decoder.flush(out);
        decoder.reset();
        carry = ByteBuffer.allocate(0);
        out.flip();
        return out.toString();
    }
}
