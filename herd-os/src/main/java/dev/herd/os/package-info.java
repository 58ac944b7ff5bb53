/**
 * Herd's os layer: Linux system calls through {@code java.lang.foreign}, the only package of Herd
 * that touches it. Names and arguments keep their C spelling ({@code accept4},
 * {@code SOCK_CLOEXEC}, {@code sun_path}), so the man page is the documentation.
 *
 * <p>Every call returns its C result, or {@code -errno} when it fails, as libuv's internal calls
 * do; EINTR is retried inside the layer and EAGAIN is an ordinary result. {@link
 * dev.herd.os.Errno} is the one error table (name, number, libuv's message) and {@link
 * dev.herd.os.ErrnoException} the one exception, shaped like Node's system errors. Descriptors are
 * created close-on-exec and owned by {@link dev.herd.os.Fd}, which closes at most once. The classes
 * group the calls by header: {@link dev.herd.os.LibC} (file descriptors), {@link dev.herd.os.Net}
 * (sockets), {@link dev.herd.os.Epoll}, {@link dev.herd.os.Inotify}, {@link dev.herd.os.Proc} (processes and pidfds), {@link
 * dev.herd.os.Spawn} ({@code posix_spawn}), {@link dev.herd.os.Netdb} ({@code getaddrinfo}), {@link
 * dev.herd.os.Sys}; {@link dev.herd.os.SignalSource} brings signals to Java through the JDK's own
 * signal dispatch. See docs/ARCHITECTURE.md, "The os layer".
 */
package dev.herd.os;
