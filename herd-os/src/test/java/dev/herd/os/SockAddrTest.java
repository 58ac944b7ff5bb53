package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SockAddrTest {

    @Test
    void ipv4PrintsAsAddressColonPort() {
        SockAddr a = SockAddr.inet("127.0.0.1", 8000);
        assertThat(a.toString()).isEqualTo("127.0.0.1:8000");
        assertThat(a.family()).isEqualTo("IPv4");
        assertThat(a.af()).isEqualTo(Net.AF_INET);
        assertThat(a.address()).isEqualTo("127.0.0.1");
        assertThat(a.port()).isEqualTo(8000);
        assertThat(a.addressBytes()).containsExactly(127, 0, 0, 1);
    }

    @Test
    void ipv6PrintsInBracketsLikeNode() {
        SockAddr a = SockAddr.inet("::1", 8000);
        assertThat(a.toString()).isEqualTo("[::1]:8000");
        assertThat(a.family()).isEqualTo("IPv6");
        assertThat(a.address()).isEqualTo("::1");
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({
        "::, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:1:1:1:1:0:1, 2001:db8:1:1:1:1:0:1",
        "fe80::, fe80::",
        "::ffff:1.2.3.4, ::ffff:1.2.3.4",
        "::ffff:102:304, ::ffff:1.2.3.4",
        "::1.2.3.4, ::1.2.3.4",
        "1::, 1::",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
    })
    void ipv6TextIsCanonicalisedAsLibuvPrintsIt(String in, String out) {
        assertThat(SockAddr.inet(in, 0).address()).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "",
        ":::", "1:2:3:4:5:6:7:8:9", "12345::", "::g", "1::2::3", ":1::", "[::1]", "1.2.3.4:80", "::ffff:1.2.3"})
    void invalidIpLiteralGivesAClearException(String bad) {
        assertThatThrownBy(() -> SockAddr.inet(bad, 80))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid IP address: '" + bad + "'");
        assertThat(SockAddr.isIP(bad)).isZero();
    }

    @Test
    void isIPTellsTheFamilyLikeNode() {
        assertThat(SockAddr.isIP("10.0.0.1")).isEqualTo(4);
        assertThat(SockAddr.isIP("fe80::1%eth0")).isEqualTo(6);
        assertThat(SockAddr.isIP("example.com")).isZero();
    }

    @Test
    void portOutOfRangeIsRejected() {
        assertThatThrownBy(() -> SockAddr.inet("127.0.0.1", 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SockAddr.inet("127.0.0.1", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numericZoneBecomesScopeIdAndLinkLocalAddressShowsTheInterface() {
        SockAddr a = SockAddr.inet("fe80::1%1", 9);
        assertThat(a.scopeId()).isEqualTo(1);
        assertThat(a.address()).isEqualTo("fe80::1%lo"); // interface 1 is the loopback on Linux
        assertThat(SockAddr.inet("fe80::1%lo", 9)).isEqualTo(a);
    }

    @Test
    void unknownInterfaceZoneIsRejected() {
        assertThatThrownBy(() -> SockAddr.inet("fe80::1%nosuchif0", 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuchif0");
    }

    @Test
    void ipv4EncodesAsSockaddrInInNetworkOrder() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(SockAddr.SOCKADDR_STORAGE_SIZE);
            assertThat(SockAddr.inet("10.1.2.3", 0x1f40).encode(seg)).isEqualTo(16);
            assertThat(seg.asSlice(0, 8).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                    .containsExactly(2, 0, 0x1f, 0x40, 10, 1, 2, 3);
        }
    }

    @Test
    void ipv6RoundTripsThroughSockaddrIn6WithFlowinfoAndScope() {
        SockAddr a = SockAddr.ipv6(SockAddr.inet("2001:db8::7", 0).addressBytes(), 443, 0x12345, 3);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(SockAddr.SOCKADDR_STORAGE_SIZE);
            long len = a.encode(seg);
            assertThat(len).isEqualTo(28);
            assertThat(SockAddr.decode(seg, len)).isEqualTo(a);
        }
        assertThat(a.flowinfo()).isEqualTo(0x12345);
        assertThat(a.toString()).isEqualTo("[2001:db8::7]:443");
    }

    @Test
    void unixPathRoundTripsThroughSockaddrUn() {
        SockAddr a = SockAddr.unix("/tmp/herd.sock");
        assertThat(a.family()).isEqualTo("unix");
        assertThat(a.toString()).isEqualTo("/tmp/herd.sock");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(SockAddr.SOCKADDR_STORAGE_SIZE);
            long len = a.encode(seg);
            assertThat(len).isEqualTo(2 + 14 + 1);
            assertThat(SockAddr.decode(seg, len)).isEqualTo(a);
        }
    }

    @Test
    void unixPathOf107BytesFitsAnd108IsENAMETOOLONG() {
        String fits = "/" + "a".repeat(106);
        assertThat(SockAddr.unix(fits).path()).hasSize(107);
        String tooLong = "/" + "a".repeat(107);
        assertThatThrownBy(() -> SockAddr.unix(tooLong))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.code()).isEqualTo("ENAMETOOLONG");
                    assertThat(e.path()).isEqualTo(tooLong);
                    assertThat(e).hasMessage("ENAMETOOLONG: name too long, sockaddr_un '" + tooLong + "'");
                });
    }

    @Test
    void abstractUnixNameIsLengthDelimitedAndPrintsWithAt() {
        SockAddr a = SockAddr.unix("\0herd");
        assertThat(a.isAbstract()).isTrue();
        assertThat(a.toString()).isEqualTo("@herd");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(SockAddr.SOCKADDR_STORAGE_SIZE);
            assertThat(a.encode(seg)).isEqualTo(2 + 5);
            assertThat(SockAddr.decode(seg, 7)).isEqualTo(a);
        }
    }

    @Test
    void unixPathWithANulByteIsRejected() {
        assertThatThrownBy(() -> SockAddr.unix("/tmp/a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalAddressesAreEqualValues() {
        assertThat(SockAddr.inet("::1", 80)).isEqualTo(SockAddr.inet("0::1", 80)).hasSameHashCodeAs(SockAddr.inet("::1", 80));
        assertThat(SockAddr.inet("::1", 80)).isNotEqualTo(SockAddr.inet("::1", 81));
        assertThat(SockAddr.inet("127.0.0.1", 80).withPort(81)).isEqualTo(SockAddr.inet("127.0.0.1", 81));
    }
}
