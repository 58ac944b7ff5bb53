package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * getaddrinfo through FFM. Only names that need no network: 'localhost' (from /etc/hosts), IP
 * literals, and names under the reserved .invalid TLD, which fail without asking anyone useful.
 */
@ExtendWith(FdLeakCheck.class)
class NetdbTest {

    private static ErrnoException lookupFails(String node, String service, int family, int socktype, int flags) {
        try {
            List<Netdb.AddrInfo> r = Netdb.getaddrinfo(node, service, family, socktype, flags);
            throw new AssertionError("expected a failure, got " + r);
        } catch (ErrnoException e) {
            return e;
        }
    }

    @Test
    void localhostResolvesToTheIPv4LoopbackForAF_INET() {
        List<Netdb.AddrInfo> r = Netdb.getaddrinfo("localhost", null, Net.AF_INET, Net.SOCK_STREAM, 0);

        assertThat(r).isNotEmpty().allSatisfy(ai -> {
            assertThat(ai.family()).isEqualTo(Net.AF_INET);
            assertThat(ai.socktype()).isEqualTo(Net.SOCK_STREAM);
            assertThat(ai.addr().af()).isEqualTo(Net.AF_INET);
            assertThat(ai.addr().port()).isZero();
        });
        assertThat(r).extracting(ai -> ai.addr().address()).contains("127.0.0.1");
    }

    @Test
    void socktypeZeroGivesOneEntryPerSocketType() {
        List<Netdb.AddrInfo> r = Netdb.getaddrinfo("127.0.0.1", null, Net.AF_INET, 0, Netdb.AI_NUMERICHOST);

        assertThat(r).extracting(Netdb.AddrInfo::socktype).contains(Net.SOCK_STREAM, Net.SOCK_DGRAM);
        assertThat(r).extracting(ai -> ai.addr().address()).containsOnly("127.0.0.1");
    }

    @Test
    void numericServiceBecomesThePort() {
        List<Netdb.AddrInfo> r = Netdb.getaddrinfo("::1", "8080", Net.AF_UNSPEC, Net.SOCK_DGRAM,
                Netdb.AI_NUMERICHOST | Netdb.AI_NUMERICSERV);

        assertThat(r).singleElement().satisfies(ai -> {
            assertThat(ai.family()).isEqualTo(Net.AF_INET6);
            assertThat(ai.protocol()).isEqualTo(Net.IPPROTO_UDP);
            assertThat(ai.addr()).isEqualTo(SockAddr.inet("::1", 8080));
        });
    }

    @Test
    void v4MappedTurnsAnIPv4AnswerIntoAnIPv6Address() {
        List<Netdb.AddrInfo> r = Netdb.getaddrinfo("127.0.0.1", null, Net.AF_INET6, Net.SOCK_STREAM,
                Netdb.AI_V4MAPPED);

        assertThat(r).singleElement().satisfies(ai -> assertThat(ai.addr().address()).isEqualTo("::ffff:127.0.0.1"));
    }

    @Test
    void canonicalNameIsReportedOnTheFirstEntryWhenAskedFor() {
        List<Netdb.AddrInfo> r = Netdb.getaddrinfo("localhost", null, Net.AF_INET, Net.SOCK_STREAM, Netdb.AI_CANONNAME);

        assertThat(r.get(0).canonname()).isEqualTo("localhost");
    }

    @Test
    void nameUnderTheInvalidTldFailsWithENOTFOUNDInNodesShape() {
        ErrnoException e = lookupFails("no.such.host.invalid", null, Net.AF_UNSPEC, Net.SOCK_STREAM, 0);

        assertThat(e).hasMessage("getaddrinfo ENOTFOUND no.such.host.invalid");
        assertThat(e.code()).isEqualTo("ENOTFOUND");
        assertThat(e.errnoEntry()).isIn(Errno.EAI_NONAME, Errno.EAI_NODATA);
        assertThat(e.errno()).isIn(-3008, -3007);
        assertThat(e.syscall()).isEqualTo("getaddrinfo");
        assertThat(e.hostname()).isEqualTo("no.such.host.invalid");
    }

    @Test
    void hostNameWithAI_NUMERICHOSTIsEAI_NONAME() {
        ErrnoException e = lookupFails("localhost", null, Net.AF_UNSPEC, 0, Netdb.AI_NUMERICHOST);

        assertThat(e.errnoEntry()).isSameAs(Errno.EAI_NONAME);
        assertThat(e.errno()).isEqualTo(-3008);
        assertThat(e.code()).isEqualTo("ENOTFOUND");
    }

    @Test
    void unknownFlagsAreEAI_BADFLAGS() {
        ErrnoException e = lookupFails("localhost", null, Net.AF_UNSPEC, 0, 0x4000_0000);

        assertThat(e.code()).isEqualTo("EAI_BADFLAGS");
        assertThat(e.errno()).isEqualTo(-3002);
        assertThat(e).hasMessage("getaddrinfo EAI_BADFLAGS localhost");
    }

    @Test
    void unknownFamilyIsEAI_FAMILY() {
        ErrnoException e = lookupFails("localhost", null, 99, 0, 0);

        assertThat(e.code()).isEqualTo("EAI_FAMILY");
        assertThat(e.errno()).isEqualTo(-3005);
    }

    @Test
    void nodeAndServiceCannotBothBeNull() {
        assertThatThrownBy(() -> Netdb.getaddrinfo(null, null, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gaiStrerrorGivesGlibcsText() {
        assertThat(Netdb.gai_strerror(Netdb.EAI_NONAME)).isEqualTo("Name or service not known");
        assertThat(Netdb.gai_strerror(Netdb.EAI_AGAIN)).isEqualTo("Temporary failure in name resolution");
    }

    @Test
    void eaiCodesTranslateAsLibuvDoes() {
        assertThat(Netdb.translate(Netdb.EAI_NONAME, 0)).isSameAs(Errno.EAI_NONAME);
        assertThat(Netdb.translate(Netdb.EAI_NODATA, 0)).isSameAs(Errno.EAI_NODATA);
        assertThat(Netdb.translate(Netdb.EAI_AGAIN, 0)).isSameAs(Errno.EAI_AGAIN);
        assertThat(Netdb.translate(Netdb.EAI_SYSTEM, 24)).isSameAs(Errno.EMFILE);
        assertThat(Netdb.translate(-9999, 0)).isSameAs(Errno.UNKNOWN);
    }

    @Test
    void eaiEntriesCarryLibuvsCodesAndMessages() {
        assertThat(Errno.EAI_NONAME.uvCode()).isEqualTo(-3008);
        assertThat(Errno.EAI_NONAME.message()).isEqualTo("unknown node or service");
        assertThat(Errno.EAI_AGAIN.uvCode()).isEqualTo(-3001);
        assertThat(Errno.EAI_SOCKTYPE.uvCode()).isEqualTo(-3011);
        assertThat(Errno.EAI_NONAME.number()).isEqualTo(-1);
        assertThat(Errno.byName("EAI_AGAIN")).isSameAs(Errno.EAI_AGAIN);
    }

    @Test
    void dnsExceptionKeepsTheEaiNameForOtherCodes() {
        ErrnoException e = ErrnoException.dns(Errno.EAI_AGAIN, "getaddrinfo", "example.invalid");

        assertThat(e).hasMessage("getaddrinfo EAI_AGAIN example.invalid");
        assertThat(e.code()).isEqualTo("EAI_AGAIN");
        assertThat(e.errno()).isEqualTo(-3001);
        assertThat(e.hostname()).isEqualTo("example.invalid");
    }

    @Test
    void dnsExceptionForAnErrnoUsesTheErrnoName() {
        ErrnoException e = ErrnoException.dns(Errno.ECANCELED, "getaddrinfo", "x.invalid");

        assertThat(e).hasMessage("getaddrinfo ECANCELED x.invalid");
        assertThat(e.code()).isEqualTo("ECANCELED");
        assertThat(e.errno()).isEqualTo(-125);
    }

    @Test
    void otherExceptionsHaveNoHostname() {
        assertThat(ErrnoException.of(Errno.ENOENT, "open").hostname()).isNull();
        assertThat(ErrnoException.of(Errno.ENOENT, "open").code()).isEqualTo("ENOENT");
    }
}
