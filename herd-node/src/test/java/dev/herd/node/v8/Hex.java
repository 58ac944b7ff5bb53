package dev.herd.node.v8;

import java.util.HexFormat;

/** Bytes written as {@code "ff 0f 22 01 61"} (spaces ignored), for golden-byte tests. */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    public static String of(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
