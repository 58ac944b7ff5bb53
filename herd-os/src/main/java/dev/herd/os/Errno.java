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
    /** Linux errno 1: operation not permitted. */
    EPERM(1, "operation not permitted"),
    /** Linux errno 2: no such file or directory. */
    ENOENT(2, "no such file or directory"),
    /** Linux errno 3: no such process. */
    ESRCH(3, "no such process"),
    /** Linux errno 4: interrupted system call. */
    EINTR(4, "interrupted system call"),
    /** Linux errno 5: i/o error. */
    EIO(5, "i/o error"),
    /** Linux errno 6: no such device or address. */
    ENXIO(6, "no such device or address"),
    /** Linux errno 7: argument list too long. */
    E2BIG(7, "argument list too long"),
    /** Linux errno 9: bad file descriptor. */
    EBADF(9, "bad file descriptor"),
    /** Linux errno 10: no child processes. */
    ECHILD(10, "no child processes"),
    /** Linux errno 11: resource temporarily unavailable. */
    EAGAIN(11, "resource temporarily unavailable"),
    /** Linux errno 12: not enough memory. */
    ENOMEM(12, "not enough memory"),
    /** Linux errno 13: permission denied. */
    EACCES(13, "permission denied"),
    /** Linux errno 14: bad address in system call argument. */
    EFAULT(14, "bad address in system call argument"),
    /** Linux errno 16: resource busy or locked. */
    EBUSY(16, "resource busy or locked"),
    /** Linux errno 17: file already exists. */
    EEXIST(17, "file already exists"),
    /** Linux errno 18: cross-device link not permitted. */
    EXDEV(18, "cross-device link not permitted"),
    /** Linux errno 19: no such device. */
    ENODEV(19, "no such device"),
    /** Linux errno 20: not a directory. */
    ENOTDIR(20, "not a directory"),
    /** Linux errno 21: illegal operation on a directory. */
    EISDIR(21, "illegal operation on a directory"),
    /** Linux errno 22: invalid argument. */
    EINVAL(22, "invalid argument"),
    /** Linux errno 23: file table overflow. */
    ENFILE(23, "file table overflow"),
    /** Linux errno 24: too many open files. */
    EMFILE(24, "too many open files"),
    /** Linux errno 25: inappropriate ioctl for device. */
    ENOTTY(25, "inappropriate ioctl for device"),
    /** Linux errno 26: text file is busy. */
    ETXTBSY(26, "text file is busy"),
    /** Linux errno 27: file too large. */
    EFBIG(27, "file too large"),
    /** Linux errno 28: no space left on device. */
    ENOSPC(28, "no space left on device"),
    /** Linux errno 29: invalid seek. */
    ESPIPE(29, "invalid seek"),
    /** Linux errno 30: read-only file system. */
    EROFS(30, "read-only file system"),
    /** Linux errno 31: too many links. */
    EMLINK(31, "too many links"),
    /** Linux errno 32: broken pipe. */
    EPIPE(32, "broken pipe"),
    /** Linux errno 34: result too large. */
    ERANGE(34, "result too large"),
    /** Linux errno 36: name too long. */
    ENAMETOOLONG(36, "name too long"),
    /** Linux errno 38: function not implemented. */
    ENOSYS(38, "function not implemented"),
    /** Linux errno 39: directory not empty. */
    ENOTEMPTY(39, "directory not empty"),
    /** Linux errno 40: too many symbolic links encountered. */
    ELOOP(40, "too many symbolic links encountered"),
    /** Linux errno 49: protocol driver not attached. */
    EUNATCH(49, "protocol driver not attached"),
    /** Linux errno 61: no data available. */
    ENODATA(61, "no data available"),
    /** Linux errno 64: machine is not on the network. */
    ENONET(64, "machine is not on the network"),
    /** Linux errno 71: protocol error. */
    EPROTO(71, "protocol error"),
    /** Linux errno 75: value too large for defined data type. */
    EOVERFLOW(75, "value too large for defined data type"),
    /** Linux errno 84: illegal byte sequence. */
    EILSEQ(84, "illegal byte sequence"),
    /** Linux errno 88: socket operation on non-socket. */
    ENOTSOCK(88, "socket operation on non-socket"),
    /** Linux errno 89: destination address required. */
    EDESTADDRREQ(89, "destination address required"),
    /** Linux errno 90: message too long. */
    EMSGSIZE(90, "message too long"),
    /** Linux errno 91: protocol wrong type for socket. */
    EPROTOTYPE(91, "protocol wrong type for socket"),
    /** Linux errno 92: protocol not available. */
    ENOPROTOOPT(92, "protocol not available"),
    /** Linux errno 93: protocol not supported. */
    EPROTONOSUPPORT(93, "protocol not supported"),
    /** Linux errno 94: socket type not supported. */
    ESOCKTNOSUPPORT(94, "socket type not supported"),
    /** Linux errno 95: operation not supported on socket. */
    ENOTSUP(95, "operation not supported on socket"),
    /** Linux errno 97: address family not supported. */
    EAFNOSUPPORT(97, "address family not supported"),
    /** Linux errno 98: address already in use. */
    EADDRINUSE(98, "address already in use"),
    /** Linux errno 99: address not available. */
    EADDRNOTAVAIL(99, "address not available"),
    /** Linux errno 100: network is down. */
    ENETDOWN(100, "network is down"),
    /** Linux errno 101: network is unreachable. */
    ENETUNREACH(101, "network is unreachable"),
    /** Linux errno 103: software caused connection abort. */
    ECONNABORTED(103, "software caused connection abort"),
    /** Linux errno 104: connection reset by peer. */
    ECONNRESET(104, "connection reset by peer"),
    /** Linux errno 105: no buffer space available. */
    ENOBUFS(105, "no buffer space available"),
    /** Linux errno 106: socket is already connected. */
    EISCONN(106, "socket is already connected"),
    /** Linux errno 107: socket is not connected. */
    ENOTCONN(107, "socket is not connected"),
    /** Linux errno 108: cannot send after transport endpoint shutdown. */
    ESHUTDOWN(108, "cannot send after transport endpoint shutdown"),
    /** Linux errno 110: connection timed out. */
    ETIMEDOUT(110, "connection timed out"),
    /** Linux errno 111: connection refused. */
    ECONNREFUSED(111, "connection refused"),
    /** Linux errno 112: host is down. */
    EHOSTDOWN(112, "host is down"),
    /** Linux errno 113: host is unreachable. */
    EHOSTUNREACH(113, "host is unreachable"),
    /** Linux errno 114: connection already in progress. */
    EALREADY(114, "connection already in progress"),
    /** Linux errno 115: operation in progress. */
    EINPROGRESS(115, "operation in progress"),
    /** Linux errno 121: remote I/O error. */
    EREMOTEIO(121, "remote I/O error"),
    /** Linux errno 125: operation canceled. */
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
    /** libuv's UV_EAI_BADFLAGS (-3002): bad ai_flags value. */
    EAI_BADFLAGS(-1, -3002, "bad ai_flags value"),
    /** libuv's UV_EAI_CANCELED (-3003): request canceled. */
    EAI_CANCELED(-1, -3003, "request canceled"),
    /** libuv's UV_EAI_FAIL (-3004): permanent failure. */
    EAI_FAIL(-1, -3004, "permanent failure"),
    /** libuv's UV_EAI_FAMILY (-3005): ai_family not supported. */
    EAI_FAMILY(-1, -3005, "ai_family not supported"),
    /** libuv's UV_EAI_MEMORY (-3006): out of memory. */
    EAI_MEMORY(-1, -3006, "out of memory"),
    /** libuv's UV_EAI_NODATA: the name exists but has no address (Node reports ENOTFOUND). */
    EAI_NODATA(-1, -3007, "no address"),
    /** libuv's UV_EAI_NONAME: no such name (Node reports ENOTFOUND). */
    EAI_NONAME(-1, -3008, "unknown node or service"),
    /** libuv's UV_EAI_OVERFLOW (-3009): argument buffer overflow. */
    EAI_OVERFLOW(-1, -3009, "argument buffer overflow"),
    /** libuv's UV_EAI_SERVICE (-3010): service not available for socket type. */
    EAI_SERVICE(-1, -3010, "service not available for socket type"),
    /** libuv's UV_EAI_SOCKTYPE (-3011): socket type not supported. */
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

    /** {@return the Linux errno number, or -1 for libuv-only entries} */
    public int number() {
        return number;
    }

    /**
     * {@return libuv's (and Node's {@code err.errno}) value: the negated Linux number, or libuv's own code}
     */
    public int uvCode() {
        return uvCode;
    }

    /** {@return libuv's message text, as Node prints it after the code} */
    public String message() {
        return message;
    }

    /**
     * The entry for a Linux errno number ({@code 98} or {@code -98}); {@link #UNKNOWN} if absent.
     *
     * @param number a Linux errno number, either sign
     * @return its entry, or {@link #UNKNOWN}
     */
    public static Errno of(int number) {
        int n = Math.abs(number); // Integer.MIN_VALUE stays negative: hence the n >= 0 test
        Errno e = n >= 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : null;
        return e == null ? UNKNOWN : e;
    }

    /**
     * The entry named {@code code} ("EADDRINUSE"), or {@code null}.
     *
     * @param code an entry's name
     * @return the entry, or {@code null}
     */
    public static Errno byName(String code) {
        return BY_NAME.get(code);
    }
}
