package dev.herd.io;

import java.util.Objects;

/**
 * What a spawned child gets in one stdio slot (libuv's {@code uv_stdio_container_t}):
 * {@link #ignore()} ({@code /dev/null} for slots 0-2, nothing above), {@link #createPipe} (a new
 * socketpair whose other end the given {@link Pipe} adopts), {@link #inheritFd} or
 * {@link #inheritStream} (the child shares a descriptor of ours). Immutable.
 */
public sealed interface StdioContainer {
    /** libuv's {@code UV_IGNORE}. */
    record Ignore() implements StdioContainer {}

    /**
     * libuv's {@code UV_CREATE_PIPE}: an AF_UNIX socketpair, close-on-exec on both ends; the child
     * gets one end (blocking, as programs expect of their stdio) and {@code pipe}, which must not
     * have a descriptor yet, adopts the other (non-blocking, readable and writable) once the
     * spawn succeeds. A {@link Pipe#ipc() ipc} pipe here is how an IPC channel is made.
     *
     * @param pipe the pipe that adopts this process's end
     */
    record CreatePipe(Pipe pipe) implements StdioContainer {
        /** Checks that {@code pipe} is given. */
        public CreatePipe {
            Objects.requireNonNull(pipe, "pipe");
        }
    }

    /**
     * libuv's {@code UV_INHERIT_FD}: the child gets a copy of descriptor {@code fd} of this process.
     *
     * @param fd the descriptor of this process the child gets
     */
    record InheritFd(int fd) implements StdioContainer {
        /** Checks that {@code fd} is a descriptor number. */
        public InheritFd {
            if (fd < 0) throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
    }

    /**
     * libuv's {@code UV_INHERIT_STREAM}: the child gets a copy of {@code stream}'s descriptor.
     *
     * @param stream the stream whose descriptor the child gets
     */
    record InheritStream(Stream stream) implements StdioContainer {
        /** Checks that {@code stream} is given. */
        public InheritStream {
            Objects.requireNonNull(stream, "stream");
        }
    }

    /** The one {@link Ignore} value. */
    StdioContainer IGNORE = new Ignore();

    /** {@return libuv's {@code UV_IGNORE}} */
    static StdioContainer ignore() {
        return IGNORE;
    }

    /**
     * {@return libuv's {@code UV_CREATE_PIPE} for {@code pipe}}
     *
     * @param pipe the pipe that adopts this process's end
     */
    static StdioContainer createPipe(Pipe pipe) {
        return new CreatePipe(pipe);
    }

    /**
     * {@return libuv's {@code UV_INHERIT_FD} for {@code fd}}
     *
     * @param fd the descriptor of this process the child gets
     */
    static StdioContainer inheritFd(int fd) {
        return new InheritFd(fd);
    }

    /**
     * {@return libuv's {@code UV_INHERIT_STREAM} for {@code stream}}
     *
     * @param stream the stream whose descriptor the child gets
     */
    static StdioContainer inheritStream(Stream stream) {
        return new InheritStream(stream);
    }
}
