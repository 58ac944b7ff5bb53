package dev.herd.os;

import java.util.HashMap;
import java.util.Map;

/**
 * The one error table: each entry has the name Node reports as {@code err.code}, the Linux errno
 * number and libuv's message text ({@code uv_strerror}). Entries that Linux lacks (EOF, ECHARSET,
 * EFTYPE, and getaddrinfo's EAI_* codes) carry libuv's own negative code and no Linux number.
 *
 * <p>Immutable; safe on any thread.
 */
public enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    ESRCH(3, "no such process"),
    EINTR(4, "interrupted system call"),
    EIO(5, "i/o error"),
    ENXIO(6, "no such device or address"),
    E2BIG(7, "argument list too long"),
    EBADF(9, "bad file descriptor"),
    ECHILD(10, "no child processes"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "not enough memory"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address in system call argument"),
    EBUSY(16, "resource busy or locked"),
    EEXIST(17, "file already exists"),
    EXDEV(18, "cross-device link not permitted"),
    ENODEV(19, "no such device"),
    ENOTDIR(20, "not a directory"),
    EISDIR(21, "illegal operation on a directory"),
    EINVAL(22, "invalid argument"),
    ENFILE(23, "file table overflow"),
    EMFILE(24, "too many open files"),
    ENOTTY(25, "inappropriate ioctl for device"),
    ETXTBSY(26, "text file is busy"),
    EFBIG(27, "file too large"),
    ENOSPC(28, "no space left on device"),
    ESPIPE(29, "invalid seek"),
    EROFS(30, "read-only file system"),
    EMLINK(31, "too many links"),
    EPIPE(32, "broken pipe"),
    ERANGE(34, "result too large"),
    ENAMETOOLONG(36, "name too long"),
    ENOSYS(38, "function not implemented"),
    ENOTEMPTY(39, "directory not empty"),
    ELOOP(40, "too many symbolic links encountered"),
    EUNATCH(49, "protocol driver not attached"),
    ENODATA(61, "no data available"),
    ENONET(64, "machine is not on the network"),
    EPROTO(71, "protocol error"),
    EOVERFLOW(75, "value too large for defined data type"),
    EILSEQ(84, "illegal byte sequence"),
    ENOTSOCK(88, "socket operation on non-socket"),
    EDESTADDRREQ(89, "destination address required"),
    EMSGSIZE(90, "message too long"),
    EPROTOTYPE(91, "protocol wrong type for socket"),
    ENOPROTOOPT(92, "protocol not available"),
    EPROTONOSUPPORT(93, "protocol not supported"),
    ESOCKTNOSUPPORT(94, "socket type not supported"),
    ENOTSUP(95, "operation not supported on socket"),
    EAFNOSUPPORT(97, "address family not supported"),
    EADDRINUSE(98, "address already in use"),
    EADDRNOTAVAIL(99, "address not available"),
    ENETDOWN(100, "network is down"),
    ENETUNREACH(101, "network is unreachable"),
    ECONNABORTED(103, "software caused connection abort"),
    ECONNRESET(104, "connection reset by peer"),
    ENOBUFS(105, "no buffer space available"),
    EISCONN(106, "socket is already connected"),
    ENOTCONN(107, "socket is not connected"),
    ESHUTDOWN(108, "cannot send after transport endpoint shutdown"),
    ETIMEDOUT(110, "connection timed out"),
    ECONNREFUSED(111, "connection refused"),
    EHOSTDOWN(112, "host is down"),
    EHOSTUNREACH(113, "host is unreachable"),
    EALREADY(114, "connection already in progress"),
    EINPROGRESS(115, "operation in progress"),
    EREMOTEIO(121, "remote I/O error"),
    ECANCELED(125, "operation canceled"),
    /** libuv-only: end of stream. */
    EOF(-1, -4095, "end of file"),
    /** libuv-only: invalid Unicode character. */
    ECHARSET(-1, -4080, "invalid Unicode character"),
    /** libuv-only: inappropriate file type or format. */
    EFTYPE(-1, -4028, "inappropriate file type or format"),
    /*
     * getaddrinfo's EAI_* results, with libuv's codes and messages (UV_ERRNO_MAP keeps them in the
     * same table). They are not errnos; Netdb.translate maps glibc's EAI numbers onto them.
     */
    /** libuv's UV_EAI_ADDRFAMILY. */
    EAI_ADDRFAMILY(-1, -3000, "address family not supported"),
    /** libuv's UV_EAI_AGAIN: a temporary resolver failure (Node's code EAI_AGAIN). */
    EAI_AGAIN(-1, -3001, "temporary failure"),
    EAI_BADFLAGS(-1, -3002, "bad ai_flags value"),
    EAI_CANCELED(-1, -3003, "request canceled"),
    EAI_FAIL(-1, -3004, "permanent failure"),
    EAI_FAMILY(-1, -3005, "ai_family not supported"),
    EAI_MEMORY(-1, -3006, "out of memory"),
    /** libuv's UV_EAI_NODATA: the name exists but has no address (Node reports ENOTFOUND). */
    EAI_NODATA(-1, -3007, "no address"),
    /** libuv's UV_EAI_NONAME: no such name (Node reports ENOTFOUND). */
    EAI_NONAME(-1, -3008, "unknown node or service"),
    EAI_OVERFLOW(-1, -3009, "argument buffer overflow"),
    EAI_SERVICE(-1, -3010, "service not available for socket type"),
    EAI_SOCKTYPE(-1, -3011, "socket type not supported"),
    /** Any Linux errno that is not in this table. */
    UNKNOWN(-1, -4094, "unknown error");

    private static final Errno[] BY_NUMBER = new Errno[134];
    private static final Map<String, Errno> BY_NAME = new HashMap<>();

    static {
        for (Errno e : values()) {
            if (e.number > 0) BY_NUMBER[e.number] = e;
            BY_NAME.put(e.name(), e);
        }
    }

    private final int number;
    private final int uvCode;
    private final String message;

    Errno(int number, String message) {
        this(number, -number, message);
    }

    Errno(int number, int uvCode, String message) {
        this.number = number;
        this.uvCode = uvCode;
        this.message = message;
    }

    /** The Linux errno number, or -1 for libuv-only entries. */
    public int number() {
        return number;
    }

    /** libuv's (and Node's {@code err.errno}) value: the negated Linux number, or libuv's own code. */
    public int uvCode() {
        return uvCode;
    }

    /** libuv's message text, as Node prints it after the code. */
    public String message() {
        return message;
    }

    /** The entry for a Linux errno number ({@code 98} or {@code -98}); {@link #UNKNOWN} if absent. */
    public static Errno of(int number) {
        int n = Math.abs(number); // Integer.MIN_VALUE stays negative: hence the n >= 0 test
        Errno e = n >= 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : null;
        return e == null ? UNKNOWN : e;
    }

    /** The entry named {@code code} ("EADDRINUSE"), or {@code null}. */
    public static Errno byName(String code) {
        return BY_NAME.get(code);
    }
}
