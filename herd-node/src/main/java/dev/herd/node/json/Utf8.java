package dev.herd.node.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * UTF-8 as Node's IPC channel reads it: a check that bytes are well-formed (so that Jackson's
 * byte parser may read them as they are), and a decoder that replaces ill-formed sequences with
 * U+FFFD exactly as Node's {@code StringDecoder} does (the WHATWG Encoding Standard's decoder: one
 * U+FFFD per maximal ill-formed subpart, surrogates and overlong forms refused). Java's own UTF-8
 * decoder differs on surrogate sequences ({@code ED A0 80}), hence this one. Static, thread-safe.
 */
final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private Utf8() {
    }

    /** Whether bytes [offset, offset + length) are well-formed UTF-8 (no surrogates, no overlong forms, at most U+10FFFF). */
    static boolean isWellFormed(byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            // ASCII runs, eight bytes at a time: the common case for JSON.
            while (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
            }
            if (i >= end) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int lower = 0x80;
            int upper = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) {
                    lower = 0xA0;
                } else if (c == 0xED) {
                    upper = 0x9F;
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) {
                    lower = 0x90;
                } else if (c == 0xF4) {
                    upper = 0x8F;
                }
            } else {
                return false;
            }
            if (i + need >= end) {
                return false;
            }
            int c1 = b[i + 1] & 0xFF;
            if (c1 < lower || c1 > upper) {
                return false;
            }
            for (int k = 2; k <= need; k++) {
                int ck = b[i + k] & 0xFF;
                if (ck < 0x80 || ck > 0xBF) {
                    return false;
                }
            }
            i += need + 1;
        }
        return true;
    }

    /** The WHATWG UTF-8 decoding of bytes [offset, offset + length), ill-formed subparts as U+FFFD. */
    static String decode(byte[] b, int offset, int length) {
        char[] out = new char[length];
        int o = 0;
        int need = 0;
        int seen = 0;
        int cp = 0;
        int lower = 0x80;
        int upper = 0xBF;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            int c = b[i] & 0xFF;
            if (need == 0) {
                if (c < 0x80) {
                    out[o++] = (char) c;
                } else if (c >= 0xC2 && c <= 0xDF) {
                    need = 1;
                    cp = c & 0x1F;
                } else if (c >= 0xE0 && c <= 0xEF) {
                    if (c == 0xE0) {
                        lower = 0xA0;
                    } else if (c == 0xED) {
                        upper = 0x9F;
                    }
                    need = 2;
                    cp = c & 0x0F;
                } else if (c >= 0xF0 && c <= 0xF4) {
                    if (c == 0xF0) {
                        lower = 0x90;
                    } else if (c == 0xF4) {
                        upper = 0x8F;
                    }
                    need = 3;
                    cp = c & 0x07;
                } else {
                    out[o++] = '\uFFFD';
                }
                continue;
            }
            if (c < lower || c > upper) {
                // The sequence so far is one maximal ill-formed subpart; this byte starts afresh.
                need = 0;
                seen = 0;
                cp = 0;
                lower = 0x80;
                upper = 0xBF;
                out[o++] = '\uFFFD';
                i--;
                continue;
            }
            lower = 0x80;
            upper = 0xBF;
            cp = (cp << 6) | (c & 0x3F);
            if (++seen == need) {
                if (cp >= 0x10000) {
                    out[o++] = Character.highSurrogate(cp);
                    out[o++] = Character.lowSurrogate(cp);
                } else {
                    out[o++] = (char) cp;
                }
                need = 0;
                seen = 0;
                cp = 0;
            }
        }
        if (need != 0) {
            out[o++] = '\uFFFD';
        }
        return new String(out, 0, o);
    }
}
