package dev.herd.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The resolver calls of {@code <netdb.h>}: getaddrinfo/freeaddrinfo and gai_strerror. Names,
 * flags and constants are glibc's (the man page is the doc).
 *
 * <p>{@link #getaddrinfo} blocks for as long as the name service takes (files, DNS with its
 * timeouts), so it belongs on a work-pool thread, never on a loop thread. Unlike the rest of the
 * os layer it does not return {@code -errno}: getaddrinfo reports {@code EAI_*} codes, which are
 * not errnos. It throws {@link ErrnoException} in the shape of Node's {@code DNSException}
 * ({@link ErrnoException#dns}), with the code libuv's {@code uv__getaddrinfo_translate_error}
 * gives ({@code EAI_SYSTEM} becomes the errno beneath it).
 *
 * <p>Thread rule: every method is safe on any thread. Stateless; the result list is freed inside
 * the call, so nothing is left to close.
 */
public final class Netdb {
    private Netdb() {}

    // ---- ai_flags (glibc) ----
    /** getaddrinfo flag: a wildcard address for bind when the node is null. */
    public static final int AI_PASSIVE = 0x0001;
    /** getaddrinfo flag: return the canonical name. */
    public static final int AI_CANONNAME = 0x0002;
    /** getaddrinfo flag: the node is a numeric address; no lookup. */
    public static final int AI_NUMERICHOST = 0x0004;
    /** getaddrinfo flag: IPv4-mapped IPv6 addresses when no IPv6 address is found. */
    public static final int AI_V4MAPPED = 0x0008;
    /** getaddrinfo flag: with AI_V4MAPPED, IPv6 and IPv4-mapped addresses both. */
    public static final int AI_ALL = 0x0010;
    /** getaddrinfo flag: only families the host has a configured address of. */
    public static final int AI_ADDRCONFIG = 0x0020;
    /** getaddrinfo flag: the service is a port number. */
    public static final int AI_NUMERICSERV = 0x0400;

    // ---- getaddrinfo results (glibc; EAI_NODATA and EAI_ADDRFAMILY are GNU extensions) ----
    /** getaddrinfo error: bad ai_flags. */
    public static final int EAI_BADFLAGS = -1;
    /** getaddrinfo error: unknown node or service. */
    public static final int EAI_NONAME = -2;
    /** getaddrinfo error: a temporary failure; try again. */
    public static final int EAI_AGAIN = -3;
    /** getaddrinfo error: a permanent failure. */
    public static final int EAI_FAIL = -4;
    /** getaddrinfo error: the host exists but has no address. */
    public static final int EAI_NODATA = -5;
    /** getaddrinfo error: ai_family not supported. */
    public static final int EAI_FAMILY = -6;
    /** getaddrinfo error: ai_socktype not supported. */
    public static final int EAI_SOCKTYPE = -7;
    /** getaddrinfo error: the service is not available for the socket type. */
    public static final int EAI_SERVICE = -8;
    /** getaddrinfo error: the host has no address in the family. */
    public static final int EAI_ADDRFAMILY = -9;
    /** getaddrinfo error: out of memory. */
    public static final int EAI_MEMORY = -10;
    /** getaddrinfo error: a system error; see errno. */
    public static final int EAI_SYSTEM = -11;
    /** getaddrinfo error: an argument buffer overflowed. */
    public static final int EAI_OVERFLOW = -12;
    /** getaddrinfo error: the request was canceled. */
    public static final int EAI_CANCELED = -101;

    // struct addrinfo, glibc x86_64 and aarch64: four ints, socklen_t (+4 padding), three pointers.
    private static final long ADDRINFO_SIZE = 48;
    private static final long AI_FLAGS = 0;
    private static final long AI_FAMILY = 4;
    private static final long AI_SOCKTYPE = 8;
    private static final long AI_PROTOCOL = 12;
    private static final long AI_ADDRLEN = 16;
    private static final long AI_ADDR = 24;
    private static final long AI_CANONNAME_OFF = 32;
    private static final long AI_NEXT = 40;
    /** NI_MAXHOST: longer canonical names are cut here rather than read without bound. */
    private static final long NI_MAXHOST = 1025;

    // libc symbols, called through Native's one universal shape (see Native); freeaddrinfo and
    // gai_strerror do not set errno, so their capture is simply ignored.
    private static final MemorySegment GETADDRINFO = Native.symbol("getaddrinfo");
    private static final MemorySegment FREEADDRINFO = Native.symbol("freeaddrinfo");
    private static final MemorySegment GAI_STRERROR = Native.symbol("gai_strerror");

    /**
     * One entry of getaddrinfo's result list: the family ({@code AF_INET}, {@code AF_INET6}),
     * socket type and protocol, the address (port 0 unless a service was given), and the canonical
     * name, which glibc sets on the first entry only and only for {@link #AI_CANONNAME}. An
     * immutable value.
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @param socktype the socket type ({@code SOCK_STREAM}, {@code SOCK_DGRAM}, ...)
     * @param protocol the protocol ({@code IPPROTO_TCP}, {@code IPPROTO_UDP}, ...)
     * @param addr the address, with port 0 unless a service was given
     * @param canonname the canonical name, on the first entry with {@link #AI_CANONNAME} only;
     *     otherwise null
     */
    public record AddrInfo(int family, int socktype, int protocol, SockAddr addr, String canonname) {}

    /**
     * getaddrinfo(3) for {@code node} (a host name or literal) and {@code service} (a port number
     * or service name; either may be null, not both), with hints {@code family} ({@code AF_UNSPEC},
     * {@code AF_INET}, {@code AF_INET6}), {@code socktype} (0 for any) and {@code flags}
     * ({@code AI_*}). Returns the entries in the order getaddrinfo gave them (glibc applies RFC
     * 3484 / gai.conf sorting); entries of families {@link SockAddr} does not model are skipped.
     *
     * <p>Blocks: call it on a work-pool thread.
     *
     * @param node a host name or address literal, or null
     * @param service a port number or service name, or null
     * @param family the address family hint
     * @param socktype the socket type hint, 0 for any
     * @param flags {@code AI_*} flags
     * @return the entries, in getaddrinfo's order
     * @throws ErrnoException in Node's DNSException shape, syscall {@code "getaddrinfo"} and
     *     {@code hostname} = {@code node}: code ENOTFOUND for EAI_NONAME and EAI_NODATA,
     *     EAI_AGAIN, EAI_FAIL... by name, and the errno's name for EAI_SYSTEM
     */
    public static List<AddrInfo> getaddrinfo(String node, String service, int family, int socktype, int flags) {
        if (node == null && service == null) throw new IllegalArgumentException("node and service are both null");
        MemorySegment st = Native.state();
        MemorySegment res = MemorySegment.NULL;
        try (Scratch s = Scratch.open()) {
            MemorySegment hints = s.allocate(ADDRINFO_SIZE, 8);
            hints.fill((byte) 0);
            hints.set(ValueLayout.JAVA_INT, AI_FLAGS, flags);
            hints.set(ValueLayout.JAVA_INT, AI_FAMILY, family);
            hints.set(ValueLayout.JAVA_INT, AI_SOCKTYPE, socktype);
            MemorySegment resp = s.allocate(ValueLayout.ADDRESS);
            resp.set(ValueLayout.ADDRESS, 0, MemorySegment.NULL);
            int r = (int) Native.call(GETADDRINFO, st, cString(s, node).address(), cString(s, service).address(),
                    hints.address(), resp.address());
            if (r != 0) {
                // errno matters only for EAI_SYSTEM; the capture segment still holds this call's.
                throw ErrnoException.dns(translate(r, Native.errno(st)), "getaddrinfo", node);
            }
            res = resp.get(ValueLayout.ADDRESS, 0);
            return collect(res);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.fail(t);
        } finally {
            if (!res.equals(MemorySegment.NULL)) freeaddrinfo(res);
        }
    }

    /**
     * gai_strerror(3): glibc's text for an {@code EAI_*} code ("Name or service not known").
     *
     * @param errcode an {@code EAI_*} code
     * @return glibc's text for it
     */
    public static String gai_strerror(int errcode) {
        try {
            MemorySegment p = MemorySegment.ofAddress(Native.call(GAI_STRERROR, Native.state(), errcode));
            return readCString(p, 256);
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    /**
     * libuv's {@code uv__getaddrinfo_translate_error}: an {@code EAI_*} result as an entry of the
     * error table; {@code EAI_SYSTEM} becomes {@code errno}'s own entry.
     *
     * @param eai an {@code EAI_*} result
     * @param errno the errno that came with {@code EAI_SYSTEM}
     * @return the error table's entry
     */
    public static Errno translate(int eai, int errno) {
        return switch (eai) {
            case EAI_ADDRFAMILY -> Errno.EAI_ADDRFAMILY;
            case EAI_AGAIN -> Errno.EAI_AGAIN;
            case EAI_BADFLAGS -> Errno.EAI_BADFLAGS;
            case EAI_CANCELED -> Errno.EAI_CANCELED;
            case EAI_FAIL -> Errno.EAI_FAIL;
            case EAI_FAMILY -> Errno.EAI_FAMILY;
            case EAI_MEMORY -> Errno.EAI_MEMORY;
            case EAI_NODATA -> Errno.EAI_NODATA;
            case EAI_NONAME -> Errno.EAI_NONAME;
            case EAI_OVERFLOW -> Errno.EAI_OVERFLOW;
            case EAI_SERVICE -> Errno.EAI_SERVICE;
            case EAI_SOCKTYPE -> Errno.EAI_SOCKTYPE;
            case EAI_SYSTEM -> Errno.of(errno);
            // libuv aborts here; a code glibc adds later is better reported than fatal.
            default -> Errno.UNKNOWN;
        };
    }

    private static List<AddrInfo> collect(MemorySegment first) {
        List<AddrInfo> out = new ArrayList<>();
        MemorySegment p = first;
        while (!p.equals(MemorySegment.NULL)) {
            MemorySegment ai = reinterpret(p, ADDRINFO_SIZE);
            int addrlen = ai.get(ValueLayout.JAVA_INT, AI_ADDRLEN);
            MemorySegment sa = ai.get(ValueLayout.ADDRESS, AI_ADDR);
            SockAddr addr = sa.equals(MemorySegment.NULL) ? null : SockAddr.decode(reinterpret(sa, addrlen), addrlen);
            MemorySegment cn = ai.get(ValueLayout.ADDRESS, AI_CANONNAME_OFF);
            if (addr != null) {
                out.add(new AddrInfo(ai.get(ValueLayout.JAVA_INT, AI_FAMILY), ai.get(ValueLayout.JAVA_INT, AI_SOCKTYPE),
                        ai.get(ValueLayout.JAVA_INT, AI_PROTOCOL), addr, readCString(cn, NI_MAXHOST)));
            }
            p = ai.get(ValueLayout.ADDRESS, AI_NEXT);
        }
        return out;
    }

    private static void freeaddrinfo(MemorySegment res) {
        try {
            Native.call(FREEADDRINFO, Native.state(), res.address());
        } catch (Throwable t) {
            throw Native.fail(t);
        }
    }

    private static MemorySegment cString(Scratch s, String str) {
        if (str == null) return MemorySegment.NULL;
        byte[] b = str.getBytes(StandardCharsets.UTF_8);
        if (indexOfNul(b) >= 0) throw new IllegalArgumentException("name contains a NUL byte");
        MemorySegment seg = s.allocate(b.length + 1L, 1);
        MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
        seg.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        return seg;
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) if (b[i] == 0) return i;
        return -1;
    }

    /** A NUL-terminated string of at most {@code max} bytes at {@code p}; null for NULL. */
    private static String readCString(MemorySegment p, long max) {
        if (p.equals(MemorySegment.NULL)) return null;
        MemorySegment seg = reinterpret(p, max);
        long n = 0;
        while (n < max && seg.get(ValueLayout.JAVA_BYTE, n) != 0) n++;
        return new String(seg.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /**
     * Gives a pointer libc returned a size, so it can be read. Reading past what libc allocated
     * would be a bug here, so every caller passes the struct's real size or a bounded string scan.
     */
    @SuppressWarnings("restricted") // native access is enabled for the os layer (--enable-native-access)
    private static MemorySegment reinterpret(MemorySegment p, long size) {
        return p.reinterpret(size);
    }
}
