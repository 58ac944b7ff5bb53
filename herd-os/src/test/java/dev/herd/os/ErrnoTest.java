package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void errnoExceptionMessageMatchesNodeFormatWithHostAndPort() {
        ErrnoException e = ErrnoException.withHostPort(Errno.EADDRINUSE, "listen", "127.0.0.1", 8000);
        assertThat(e).hasMessage("listen EADDRINUSE: address already in use 127.0.0.1:8000");
        assertThat(e.code()).isEqualTo("EADDRINUSE");
        assertThat(e.errno()).isEqualTo(-98);
        assertThat(e.syscall()).isEqualTo("listen");
        assertThat(e.address()).isEqualTo("127.0.0.1");
        assertThat(e.port()).isEqualTo(8000);
    }

    @Test
    void errnoExceptionMessageMatchesNodeFormatWithPath() {
        ErrnoException e = ErrnoException.of(Errno.ENOENT, "open", "/x", null);
        assertThat(e).hasMessage("ENOENT: no such file or directory, open '/x'");
        assertThat(e.path()).isEqualTo("/x");
    }

    @Test
    void errnoExceptionMessageMatchesNodeFormatForSpawn() {
        ErrnoException e = ErrnoException.plain(Errno.ENOENT, "spawn foo", "foo");
        assertThat(e).hasMessage("spawn foo ENOENT");
        assertThat(e.errno()).isEqualTo(-2);
        assertThat(e.path()).isEqualTo("foo");
    }

    @Test
    void errnoExceptionWithPathAndDestShowsBoth() {
        assertThat(ErrnoException.of(Errno.EXDEV, "rename", "/a", "/b"))
                .hasMessage("EXDEV: cross-device link not permitted, rename '/a' -> '/b'");
    }

    @Test
    void errnoTableLooksUpByNumberEitherSignAndByName() {
        assertThat(Errno.of(111)).isSameAs(Errno.ECONNREFUSED);
        assertThat(Errno.of(-111)).isSameAs(Errno.ECONNREFUSED);
        assertThat(Errno.byName("EPIPE")).isSameAs(Errno.EPIPE);
        assertThat(Errno.EOF.uvCode()).isEqualTo(-4095);
    }

    @Test
    void unlistedErrnoMapsToUNKNOWN() {
        assertThat(Errno.of(133)).isSameAs(Errno.UNKNOWN);
        assertThat(Errno.of(100_000)).isSameAs(Errno.UNKNOWN);
        assertThat(Errno.of(Integer.MIN_VALUE)).isSameAs(Errno.UNKNOWN);
        assertThat(Errno.byName("EWHATEVER")).isNull();
    }
}
