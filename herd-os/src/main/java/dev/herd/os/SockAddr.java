package dev.herd.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A socket address: IPv4 ({@code sockaddr_in}), IPv6 ({@code sockaddr_in6}, with flow info and
 * scope id) or Unix ({@code sockaddr_un}). Text follows libuv and Node: literals are parsed as
 * {@code uv_inet_pton} does (dotted quad only, no leading zeros; IPv6 with an optional
 * {@code %zone}), addresses print as {@code uv_inet_ntop} prints them, and {@link #toString()}
 * gives {@code 127.0.0.1:8000}, {@code [::1]:8000} or the Unix path.
 *
 * <p>No name is ever resolved here: a host name is an invalid literal. A Unix path is at most 107
 * UTF-8 bytes (108-byte {@code sun_path} with its NUL); a path starting with {@code '\0'} is
 * Linux's abstract namespace and may use all 108 bytes.
 *
 * <p>An immutable value holding no native memory (structs are written into the caller's memory
 * per call): safe on any thread, no lifetime to manage.
 */
public final class SockAddr {
    /** {@code sizeof(struct sockaddr_storage)}: room for any address the kernel hands back. */
    public static final int SOCKADDR_STORAGE_SIZE = 128;
    /** {@code sizeof(((struct sockaddr_un *) 0)->sun_path)}. */
    public static final int SUN_PATH_SIZE = 108;

    static final int SOCKADDR_IN_SIZE = 16;
    static final int SOCKADDR_IN6_SIZE = 28;
    private static final int SUN_PATH_OFFSET = 2;

    // Struct fields are written unaligned so that any segment (scratch, heap) will do.
    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt HOST_INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final int af;
    private final byte[] bytes; // 4 or 16 address bytes, or the Unix path's UTF-8 bytes
    private final int port;
    private final int flowinfo;
    private final int scopeId;
    private final String path;

    private SockAddr(int af, byte[] bytes, int port, int flowinfo, int scopeId, String path) {
        this.af = af;
        this.bytes = bytes;
        this.port = port;
        this.flowinfo = flowinfo;
        this.scopeId = scopeId;
        this.path = path;
    }

    /**
     * An IPv4 or IPv6 address from a literal ({@code "127.0.0.1"}, {@code "::1"},
     * {@code "fe80::1%eth0"}, {@code "fe80::1%2"}) and a port.
     *
     * @param host an IPv4 or IPv6 literal, optionally with a {@code %zone}
     * @param port the port, 0 to 65535
     * @return the address
     * @throws IllegalArgumentException if {@code host} is not an IP literal, its zone names no
     *     interface, or the port is outside 0..65535
     */
    public static SockAddr inet(String host, int port) {
        Objects.requireNonNull(host, "host");
        checkPort(port);
        byte[] v4 = parseIPv4(host);
        if (v4 != null) return new SockAddr(Net.AF_INET, v4, port, 0, 0, null);
        int pct = host.indexOf('%');
        byte[] v6 = parseIPv6(pct < 0 ? host : host.substring(0, pct));
        if (v6 == null) throw new IllegalArgumentException("invalid IP address: '" + host + "'");
        int scope = pct < 0 ? 0 : scopeId(host.substring(pct + 1), host);
        return new SockAddr(Net.AF_INET6, v6, port, 0, scope, null);
    }

    /**
     * An IPv6 address from its 16 bytes in network order, with flow info and scope id.
     *
     * @param addr the 16 bytes, network order
     * @param port the port
     * @param flowinfo {@code sin6_flowinfo}, host order
     * @param scopeId {@code sin6_scope_id}: an interface index, or 0
     * @return the address
     */
    public static SockAddr ipv6(byte[] addr, int port, int flowinfo, int scopeId) {
        if (addr.length != 16) throw new IllegalArgumentException("IPv6 address needs 16 bytes, got " + addr.length);
        checkPort(port);
        return new SockAddr(Net.AF_INET6, addr.clone(), port, flowinfo, scopeId, null);
    }

    /**
     * A Unix socket path. {@code ""} is the unnamed address (what an unbound socket or a
     * socketpair end reports; binding it autobinds an abstract name).
     *
     * @param path the socket's path; a leading NUL names an abstract socket
     * @return the address
     * @throws ErrnoException ENAMETOOLONG (syscall {@code "sockaddr_un"}, with the path) when the
     *     path does not fit {@code sun_path}; callers re-raise it under their own syscall name
     * @throws IllegalArgumentException if a filesystem path contains a NUL byte
     */
    public static SockAddr unix(String path) {
        Objects.requireNonNull(path, "path");
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = b.length > 0 && b[0] == 0;
        if (!isAbstract && path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Unix socket path contains a NUL byte: " + path.replace("\0", "\\0"));
        }
        // A filesystem path needs its terminating NUL inside sun_path (libuv refuses to truncate).
        if (b.length > (isAbstract ? SUN_PATH_SIZE : SUN_PATH_SIZE - 1)) {
            throw ErrnoException.of(Errno.ENAMETOOLONG, "sockaddr_un", path, null);
        }
        return new SockAddr(Net.AF_UNIX, b, 0, 0, 0, path);
    }

    /**
     * Node's {@code net.isIP}: 4 or 6 for an IP literal, 0 otherwise. Never resolves names.
     *
     * @param s any string
     * @return 4 or 6 for an IP literal, 0 otherwise
     */
    public static int isIP(String s) {
        if (s == null) return 0;
        if (parseIPv4(s) != null) return 4;
        int pct = s.indexOf('%');
        if (pct == 0 || pct == s.length() - 1) return 0;
        return parseIPv6(pct < 0 ? s : s.substring(0, pct)) != null ? 6 : 0;
    }

    /** {@return {@code AF_INET}, {@code AF_INET6} or {@code AF_UNIX}} */
    public int af() {
        return af;
    }

    /** {@return Node's family name: {@code "IPv4"}, {@code "IPv6"} or {@code "unix"}} */
    public String family() {
        return switch (af) {
            case Net.AF_INET -> "IPv4";
            case Net.AF_INET6 -> "IPv6";
            default -> "unix";
        };
    }

    /** {@return whether this is a Unix-domain address} */
    public boolean isUnix() {
        return af == Net.AF_UNIX;
    }

    /** {@return whether this is a Unix address in Linux's abstract namespace (path starts with NUL)} */
    public boolean isAbstract() {
        return af == Net.AF_UNIX && bytes.length > 0 && bytes[0] == 0;
    }

    /**
     * The address as Node reports it: {@code "127.0.0.1"}, {@code "::1"}, a link-local IPv6
     * address with its {@code %interface} (as Node's {@code AddressToJS} adds), or the Unix path.
     *
     * @return the address as text
     */
    public String address() {
        return switch (af) {
            case Net.AF_INET -> ntop4(bytes);
            case Net.AF_INET6 -> scopeId != 0 && isLinkLocal(bytes) ? ntop6(bytes) + '%' + zoneName(scopeId) : ntop6(bytes);
            default -> path;
        };
    }

    /** {@return the port, 0 for Unix addresses} */
    public int port() {
        return port;
    }

    /** {@return {@code sin6_flowinfo} (host order); 0 for others} */
    public int flowinfo() {
        return flowinfo;
    }

    /** {@return {@code sin6_scope_id} (an interface index); 0 for others} */
    public int scopeId() {
        return scopeId;
    }

    /** {@return the Unix path, or {@code null} for IP addresses} */
    public String path() {
        return path;
    }

    /** {@return a copy of the raw address: 4 or 16 bytes in network order, or the Unix path's bytes} */
    public byte[] addressBytes() {
        return bytes.clone();
    }

    /**
     * This address with another port (IP only).
     *
     * @param port the new port
     * @return this address with {@code port} (IP only)
     */
    public SockAddr withPort(int port) {
        if (af == Net.AF_UNIX) throw new IllegalStateException("a Unix address has no port");
        checkPort(port);
        return new SockAddr(af, bytes, port, flowinfo, scopeId, null);
    }

    /**
     * {@code 127.0.0.1:8000}, {@code [::1]:8000} or the Unix path (an abstract name shows its
     * leading NUL as {@code '@'}, as {@code ss} does).
     */
    @Override
    public String toString() {
        return switch (af) {
            case Net.AF_INET -> address() + ':' + port;
            case Net.AF_INET6 -> '[' + address() + "]:" + port;
            default -> isAbstract() ? '@' + path.substring(1) : path;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SockAddr a && af == a.af && port == a.port && flowinfo == a.flowinfo
                && scopeId == a.scopeId && Arrays.equals(bytes, a.bytes);
    }

    @Override
    public int hashCode() {
        return ((af * 31 + port) * 31 + scopeId) * 31 + Arrays.hashCode(bytes);
    }

    // ---- struct sockaddr encoding ----

    /**
     * Writes this address as a {@code struct sockaddr_*} at the start of {@code seg} (at least
     * {@link #SOCKADDR_STORAGE_SIZE} bytes, or the exact size) and returns its {@code socklen_t}.
     */
    long encode(MemorySegment seg) {
        switch (af) {
            case Net.AF_INET -> {
                seg.asSlice(0, SOCKADDR_IN_SIZE).fill((byte) 0);
                seg.set(FAMILY, 0, (short) Net.AF_INET);
                seg.set(PORT, 2, (short) port);
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 4, 4);
                return SOCKADDR_IN_SIZE;
            }
            case Net.AF_INET6 -> {
                seg.asSlice(0, SOCKADDR_IN6_SIZE).fill((byte) 0);
                seg.set(FAMILY, 0, (short) Net.AF_INET6);
                seg.set(PORT, 2, (short) port);
                seg.set(BE_INT, 4, flowinfo);
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 8, 16);
                seg.set(HOST_INT, 24, scopeId);
                return SOCKADDR_IN6_SIZE;
            }
            default -> {
                seg.set(FAMILY, 0, (short) Net.AF_UNIX);
                if (bytes.length == 0) return SUN_PATH_OFFSET; // unnamed: autobind on bind()
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, bytes.length);
                if (isAbstract()) return SUN_PATH_OFFSET + bytes.length; // abstract names are length-delimited
                seg.set(ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET + bytes.length, (byte) 0);
                return SUN_PATH_OFFSET + bytes.length + 1;
            }
        }
    }

    /**
     * Reads a {@code struct sockaddr_*} of {@code len} bytes (as the kernel reported it in a
     * {@code socklen_t}). Returns {@code null} for an empty address (len 0, as accept4 gives for
     * some families) or a family this class does not model.
     */
    static SockAddr decode(MemorySegment seg, long len) {
        if (len < 2) return null;
        int family = seg.get(FAMILY, 0);
        switch (family) {
            case Net.AF_INET -> {
                if (len < SOCKADDR_IN_SIZE) return null;
                byte[] a = new byte[4];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 4, a, 0, 4);
                return new SockAddr(Net.AF_INET, a, Short.toUnsignedInt(seg.get(PORT, 2)), 0, 0, null);
            }
            case Net.AF_INET6 -> {
                if (len < SOCKADDR_IN6_SIZE) return null;
                byte[] a = new byte[16];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 8, a, 0, 16);
                return new SockAddr(Net.AF_INET6, a, Short.toUnsignedInt(seg.get(PORT, 2)),
                        seg.get(BE_INT, 4), seg.get(HOST_INT, 24), null);
            }
            case Net.AF_UNIX -> {
                long n = Math.min(len, SUN_PATH_OFFSET + SUN_PATH_SIZE) - SUN_PATH_OFFSET;
                byte[] p = new byte[(int) n];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, p, 0, p.length);
                int end = p.length;
                if (end > 0 && p[0] != 0) { // a filesystem path ends at its NUL
                    for (int i = 0; i < p.length; i++) {
                        if (p[i] == 0) {
                            end = i;
                            break;
                        }
                    }
                }
                byte[] b = Arrays.copyOf(p, end);
                return new SockAddr(Net.AF_UNIX, b, 0, 0, 0, new String(b, StandardCharsets.UTF_8));
            }
            default -> {
                return null;
            }
        }
    }

    // ---- literals (libuv's inet_pton4 / inet_pton6 / inet_ntop6) ----

    private static void checkPort(int port) {
        if (port < 0 || port > 0xffff) throw new IllegalArgumentException("port out of range 0..65535: " + port);
    }

    /** Dotted quad only; each part 0..255 with no leading zero (as uv_inet_pton). */
    private static byte[] parseIPv4(String s) {
        return parseIPv4(s, 0, s.length());
    }

    private static byte[] parseIPv4(String s, int from, int to) {
        byte[] out = new byte[4];
        int octets = 0;
        int val = 0;
        boolean sawDigit = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (sawDigit && val == 0) return null; // leading zero
                val = val * 10 + (c - '0');
                if (val > 255) return null;
                if (!sawDigit) {
                    if (++octets > 4) return null;
                    sawDigit = true;
                }
            } else if (c == '.' && sawDigit) {
                if (octets == 4) return null;
                out[octets - 1] = (byte) val;
                val = 0;
                sawDigit = false;
            } else {
                return null;
            }
        }
        if (octets < 4 || !sawDigit) return null;
        out[3] = (byte) val;
        return out;
    }

    /** RFC 4291 text without a zone; a trailing dotted quad is allowed. */
    private static byte[] parseIPv6(String s) {
        byte[] out = new byte[16];
        int n = s.length();
        int i = 0;
        if (n == 0) return null;
        if (s.charAt(0) == ':') {
            if (n < 2 || s.charAt(1) != ':') return null;
            i = 1;
        }
        int tp = 0;
        int colonp = -1;
        int curtok = i;
        int digits = 0;
        int val = 0;
        while (i < n) {
            char c = s.charAt(i++);
            int d = Character.digit(c, 16);
            if (d >= 0 && c < 128) {
                val = (val << 4) | d;
                if (++digits > 4) return null;
                continue;
            }
            if (c == ':') {
                curtok = i;
                if (digits == 0) {
                    if (colonp >= 0) return null;
                    colonp = tp;
                    continue;
                } else if (i == n) {
                    return null;
                }
                if (tp + 2 > 16) return null;
                out[tp++] = (byte) (val >> 8);
                out[tp++] = (byte) val;
                digits = 0;
                val = 0;
                continue;
            }
            if (c == '.' && tp + 4 <= 16) {
                byte[] v4 = parseIPv4(s, curtok, n);
                if (v4 == null) return null;
                System.arraycopy(v4, 0, out, tp, 4);
                tp += 4;
                digits = 0;
                break;
            }
            return null;
        }
        if (digits > 0) {
            if (tp + 2 > 16) return null;
            out[tp++] = (byte) (val >> 8);
            out[tp++] = (byte) val;
        }
        if (colonp >= 0) {
            if (tp == 16) return null;
            int moved = tp - colonp;
            for (int k = 1; k <= moved; k++) {
                out[16 - k] = out[colonp + moved - k];
                out[colonp + moved - k] = 0;
            }
            tp = 16;
        }
        return tp == 16 ? out : null;
    }

    private static String ntop4(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + '.' + (a[2] & 0xff) + '.' + (a[3] & 0xff);
    }

    /** Longest run of two or more zero words becomes "::"; IPv4-mapped/compatible keep a dotted tail. */
    private static String ntop6(byte[] a) {
        int[] w = new int[8];
        for (int i = 0; i < 16; i++) w[i / 2] |= (a[i] & 0xff) << ((1 - (i % 2)) << 3);
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (w[i] == 0) {
                if (curBase == -1) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) bestBase = -1;
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) sb.append(':');
                continue;
            }
            if (i != 0) sb.append(':');
            if (i == 6 && bestBase == 0
                    && (bestLen == 6 || (bestLen == 7 && w[7] != 1) || (bestLen == 5 && w[5] == 0xffff))) {
                sb.append(ntop4(Arrays.copyOfRange(a, 12, 16)));
                return sb.toString();
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) sb.append(':');
        return sb.toString();
    }

    private static boolean isLinkLocal(byte[] a) {
        return (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80;
    }

    // ---- IPv6 zones: interface name <-> index ----

    private static final int IF_NAMESIZE = 16;

    /** Looked up on first use (most programs never print or parse a zone); called as in Native. */
    private static final class IfNames {
        static final MemorySegment NAMETOINDEX = Native.symbol("if_nametoindex");
        static final MemorySegment INDEXTONAME = Native.symbol("if_indextoname");
    }

    private static int scopeId(String zone, String host) {
        if (zone.isEmpty()) throw new IllegalArgumentException("invalid IP address: '" + host + "'");
        if (zone.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Integer.parseUnsignedInt(zone);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid IPv6 zone in '" + host + "'", e);
            }
        }
        try (Scratch s = Scratch.open()) {
            byte[] b = zone.getBytes(StandardCharsets.UTF_8);
            MemorySegment name = s.allocate(b.length + 1L, 1);
            MemorySegment.copy(b, 0, name, ValueLayout.JAVA_BYTE, 0, b.length);
            name.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
            int index = (int) Native.call(IfNames.NAMETOINDEX, Native.state(), name.address());
            // libuv silently uses scope 0 for an unknown interface; a clear error is kinder.
            if (index == 0) throw new IllegalArgumentException("no network interface '" + zone + "' in '" + host + "'");
            return index;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    private static String zoneName(int index) {
        try (Scratch s = Scratch.open()) {
            MemorySegment buf = s.allocate(IF_NAMESIZE, 1);
            long r = Native.call(IfNames.INDEXTONAME, Native.state(), index, buf.address());
            return r == 0 ? Integer.toUnsignedString(index) : buf.getString(0);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }
}
