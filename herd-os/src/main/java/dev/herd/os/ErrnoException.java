package dev.herd.os;

import java.util.List;

/**
 * The one unchecked exception for operating-system failures. It carries Node's error properties:
 * {@link #code()} ("EADDRINUSE"), {@link #errno()} (Node's negative number), {@link #syscall()},
 * and where relevant {@link #path()}, {@link #dest()}, {@link #address()}, {@link #port()} and
 * {@link #hostname()}. Callers switch on {@link #code()} or {@link #errnoEntry()}, never on
 * subclasses. Resolver failures are this type too, with libuv's EAI_* table entries: one error
 * type lets callers handle a failed connect and a failed lookup with one switch on the code.
 *
 * <p>The message is formatted as Node formats {@code err.message}; the factory names say which of
 * Node's formats: {@link #of} is {@code uvException} ("ENOENT: no such file or directory, open
 * '/x'"), {@link #withHostPort} is {@code uvExceptionWithHostPort} ("listen EADDRINUSE: address
 * already in use 127.0.0.1:8000"), {@link #plain} is {@code errnoException} ("spawn foo ENOENT"),
 * {@link #plainWithHostPort} is {@code exceptionWithHostPort} ("send EMSGSIZE 127.0.0.1:8000"),
 * {@link #dns} is {@code DNSException} ("getaddrinfo ENOTFOUND example.invalid") and {@link #spawn}
 * is a failed spawn's error ("spawn foo ENOENT", with {@link #spawnargs()}).
 *
 * <p>Immutable once built.
 */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The table entry. */
    private final Errno errno;
    /** Node's {@code err.code}. */
    private final String code;
    /** The failed call as Node names it. */
    private final String syscall;
    /** The path involved, or null. */
    private final String path;
    /** The destination path, or null. */
    private final String dest;
    /** The network address involved, or null. */
    private final String address;
    /** The port involved, or -1. */
    private final int port;
    /** The host name of a failed lookup, or null. */
    private final String hostname;
    /** The arguments of a child process that failed to start, or null. */
    private final List<String> spawnargs;

    private ErrnoException(String message, Errno errno, String syscall, String path, String dest,
                           String address, int port) {
        this(message, errno, errno.name(), syscall, path, dest, address, port, null, null);
    }

    private ErrnoException(String message, Errno errno, String code, String syscall, String path, String dest,
                           String address, int port, String hostname, List<String> spawnargs) {
        super(message);
        this.spawnargs = spawnargs;
        this.errno = errno;
        this.code = code;
        this.syscall = syscall;
        this.path = path;
        this.dest = dest;
        this.address = address;
        this.port = port;
        this.hostname = hostname;
    }

    /**
     * Node's {@code uvException}: "CODE: message, syscall 'path' -> 'dest'".
     *
     * @param errno the error
     * @param syscall the failed call as Node names it
     * @param path the path involved, or null
     * @param dest the destination path, or null
     * @return the exception
     */
    public static ErrnoException of(Errno errno, String syscall, String path, String dest) {
        StringBuilder m = new StringBuilder().append(errno.name()).append(": ").append(errno.message())
                .append(", ").append(syscall);
        if (path != null) m.append(" '").append(path).append('\'');
        if (dest != null) m.append(" -> '").append(dest).append('\'');
        return new ErrnoException(m.toString(), errno, syscall, path, dest, null, -1);
    }

    /**
     * Node's {@code uvException} with a message of its own in place of libuv's: "CODE: message,
     * syscall 'path'" (fs.watch's "ENOSPC: System limit for number of file watchers reached,
     * watch '/app'").
     *
     * @param errno the error
     * @param message what to say instead of the table's message
     * @param syscall the failed call as Node names it
     * @param path the path involved, or null
     * @return the exception
     */
    public static ErrnoException withMessage(Errno errno, String message, String syscall, String path) {
        StringBuilder m = new StringBuilder().append(errno.name()).append(": ").append(message)
                .append(", ").append(syscall);
        if (path != null) m.append(" '").append(path).append('\'');
        return new ErrnoException(m.toString(), errno, syscall, path, null, null, -1);
    }

    /**
     * {@link #of(Errno, String, String, String)} for a failed call with no path.
     *
     * @param errno the error
     * @param syscall the failed call as Node names it
     * @return the exception
     */
    public static ErrnoException of(Errno errno, String syscall) {
        return of(errno, syscall, null, null);
    }

    /**
     * {@link #of(Errno, String)} from a negative or positive errno number.
     *
     * @param errno the errno number, negative or positive
     * @param syscall the failed call as Node names it
     * @return the exception
     */
    public static ErrnoException of(int errno, String syscall) {
        return of(Errno.of(errno), syscall, null, null);
    }

    /**
     * Node's {@code uvExceptionWithHostPort}: "syscall CODE: message address:port".
     *
     * @param errno the error
     * @param syscall the failed call as Node names it
     * @param address the network address involved
     * @param port the port involved, or -1 for none
     * @return the exception
     */
    public static ErrnoException withHostPort(Errno errno, String syscall, String address, int port) {
        StringBuilder m = new StringBuilder().append(syscall).append(' ').append(errno.name()).append(": ")
                .append(errno.message());
        if (port > 0) m.append(' ').append(address).append(':').append(port);
        else if (address != null) m.append(' ').append(address);
        return new ErrnoException(m.toString(), errno, syscall, null, null, address, port > 0 ? port : -1);
    }

    /**
     * Node's {@code exceptionWithHostPort}: "syscall CODE address:port", without libuv's message
     * (what Node's net module reports for a failed connect: "connect ECONNREFUSED 127.0.0.1:80",
     * and dgram for bind and send: "send EMSGSIZE 127.0.0.1:41234"); without a port "syscall CODE
     * address", without either "syscall CODE".
     *
     * @param errno the error
     * @param syscall the failed call as Node names it
     * @param address the network address involved, or null
     * @param port the port involved, or -1 for none
     * @return the exception
     */
    public static ErrnoException plainWithHostPort(Errno errno, String syscall, String address, int port) {
        StringBuilder m = new StringBuilder().append(syscall).append(' ').append(errno.name());
        if (port > 0) m.append(' ').append(address).append(':').append(port);
        else if (address != null) m.append(' ').append(address);
        return new ErrnoException(m.toString(), errno, syscall, null, null, address, port > 0 ? port : -1);
    }

    /**
     * Node's {@code errnoException}: "syscall CODE" (as in "spawn foo ENOENT"), with an optional path.
     *
     * @param errno the error
     * @param syscall the failed call as Node names it
     * @param path the path involved, or null
     * @return the exception
     */
    public static ErrnoException plain(Errno errno, String syscall, String path) {
        return new ErrnoException(syscall + " " + errno.name(), errno, syscall, path, null, null, -1);
    }

    /**
     * Node's {@code DNSException} (what {@code dns.lookup} reports): "syscall CODE hostname", as
     * in "getaddrinfo ENOTFOUND no.such.host.invalid". {@code errno} is the table entry (EAI_*
     * or a plain errno); the code is its name, except that EAI_NONAME and EAI_NODATA become Node's
     * fabricated {@code ENOTFOUND}, while {@link #errno()} keeps the libuv number (-3008).
     *
     * @param errno the table entry: an EAI_* entry or a plain errno
     * @param syscall the failed call ("getaddrinfo")
     * @param hostname the host name that was looked up
     * @return the exception
     */
    public static ErrnoException dns(Errno errno, String syscall, String hostname) {
        String code = errno == Errno.EAI_NONAME || errno == Errno.EAI_NODATA ? "ENOTFOUND" : errno.name();
        String message = syscall + " " + code + (hostname == null || hostname.isEmpty() ? "" : " " + hostname);
        return new ErrnoException(message, errno, code, syscall, null, null, null, -1,
                hostname == null || hostname.isEmpty() ? null : hostname, null);
    }

    /**
     * Node's error for a child process that could not be started: {@code errnoException} ("spawn
     * foo ENOENT", syscall "spawn foo" or "spawnSync foo") with {@code path} (the file) and
     * {@code spawnargs} (the arguments after argv[0]).
     *
     * @param errno the error
     * @param syscall "spawn FILE" or "spawnSync FILE"
     * @param path the file that was to run
     * @param spawnargs the arguments after argv[0]
     * @return the exception
     */
    public static ErrnoException spawn(Errno errno, String syscall, String path, List<String> spawnargs) {
        return new ErrnoException(syscall + " " + errno.name(), errno, errno.name(), syscall, path, null, null, -1,
                null, spawnargs == null ? null : List.copyOf(spawnargs));
    }

    /**
     * {@return Node's {@code err.code}: "EADDRINUSE" (the entry's name, or ENOTFOUND for a failed lookup)}
     */
    public String code() {
        return code;
    }

    /** {@return Node's {@code err.errno}: the negative libuv code (-98 for EADDRINUSE)} */
    public int errno() {
        return errno.uvCode();
    }

    /** {@return the table entry} */
    public Errno errnoEntry() {
        return errno;
    }

    /** {@return the failed call as Node names it ("listen", "connect", "spawn node")} */
    public String syscall() {
        return syscall;
    }

    /** {@return the path involved, or {@code null}} */
    public String path() {
        return path;
    }

    /** {@return the destination path (rename, link), or {@code null}} */
    public String dest() {
        return dest;
    }

    /** {@return the network address involved, or {@code null}} */
    public String address() {
        return address;
    }

    /** {@return the port involved, or -1} */
    public int port() {
        return port;
    }

    /** {@return the arguments of a child process that failed to start ({@link #spawn}), or {@code null}} */
    public List<String> spawnargs() {
        return spawnargs;
    }

    /** {@return the host name a resolver call failed for ({@link #dns}), or {@code null}} */
    public String hostname() {
        return hostname;
    }
}
