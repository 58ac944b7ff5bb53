package dev.herd.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.loop.WorkPool;
import dev.herd.os.ErrnoException;
import dev.herd.os.Net;
import dev.herd.os.Netdb;
import dev.herd.os.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Dns.lookup against the system resolver, using only names that need no network: 'localhost'
 * (from /etc/hosts), IP literals and names under the reserved .invalid TLD. Node's
 * test-dns-lookup.js and libuv's test-getaddrinfo.c are the models.
 */
class DnsTest extends IoTestBase {
    private static final Set<String> LOOPBACKS = Set.of("127.0.0.1", "::1");

    /** What the callback got, and on which thread. */
    private static final class Outcome {
        int calls;
        ErrnoException error;
        List<Dns.Address> addresses;
        Thread thread;
    }

    private void run() {
        runToCompletion();
    }

    private Outcome lookup(String host, Dns.LookupOptions options) {
        Outcome o = new Outcome();
        Dns.lookup(loop, host, options, (error, addresses) -> record(o, error, addresses));
        run();
        assertThat(o.calls).as("callback calls").isEqualTo(1);
        return o;
    }

    private static void record(Outcome o, ErrnoException error, List<Dns.Address> addresses) {
        o.calls++;
        o.error = error;
        o.addresses = addresses;
        o.thread = Thread.currentThread();
    }

    private static Dns.LookupOptions.Builder options() {
        return Dns.LookupOptions.builder();
    }

    // ---------------------------------------------------------------- answers

    @Test
    void localhostResolvesToALoopbackAddress() {
        Outcome o = lookup("localhost", Dns.LookupOptions.DEFAULTS);

        assertThat(o.error).isNull();
        assertThat(o.addresses).singleElement().satisfies(a -> {
            assertThat(a.address()).isIn(LOOPBACKS);
            assertThat(a.family()).isEqualTo(a.address().contains(":") ? 6 : 4);
        });
    }

    @Test
    void family4GivesOnlyIPv4Addresses() {
        Outcome o = lookup("localhost", options().family(4).all(true).build());

        assertThat(o.error).isNull();
        assertThat(o.addresses).isNotEmpty().allSatisfy(a -> {
            assertThat(a.family()).isEqualTo(4);
            assertThat(SockAddr.isIP(a.address())).isEqualTo(4);
        });
        assertThat(o.addresses).extracting(Dns.Address::address).contains("127.0.0.1");
    }

    @Test
    void family6GivesOnlyIPv6AddressesOrENOTFOUND() {
        // /etc/hosts may or may not list ::1 for localhost; either way nothing IPv4 comes back.
        Outcome o = lookup("localhost", options().family(6).all(true).build());

        if (o.error != null) {
            assertThat(o.error.code()).isEqualTo("ENOTFOUND");
        } else {
            assertThat(o.addresses).isNotEmpty().allSatisfy(a -> {
                assertThat(a.family()).isEqualTo(6);
                assertThat(SockAddr.isIP(a.address())).isEqualTo(6);
            });
        }
    }

    @Test
    void family6WithV4MappedAlwaysGivesAnIPv6Loopback() {
        Outcome o = lookup("localhost", options().family(6).hints(Dns.V4MAPPED).build());

        assertThat(o.error).isNull();
        assertThat(o.addresses).singleElement().satisfies(a -> {
            assertThat(a.family()).isEqualTo(6);
            assertThat(a.address()).isIn("::1", "::ffff:127.0.0.1");
        });
    }

    @Test
    void addrconfigHintIsAccepted() {
        Outcome o = lookup("localhost", options().hints(Dns.ADDRCONFIG | Dns.V4MAPPED).all(true).build());

        // Whether AI_ADDRCONFIG filters loopback depends on the host's interfaces; the shape does not.
        if (o.error != null) assertThat(o.error.code()).isEqualTo("ENOTFOUND");
        else assertThat(o.addresses).allSatisfy(a -> assertThat(a.family()).isIn(4, 6));
    }

    @Test
    void allTrueGivesTheListAndAllFalseItsFirstEntry() {
        Outcome all = lookup("localhost", options().all(true).build());
        Outcome first = lookup("localhost", Dns.LookupOptions.DEFAULTS);

        assertThat(all.addresses).isNotEmpty();
        assertThat(first.addresses).containsExactly(all.addresses.get(0));
    }

    @Test
    void addressesKeepTheOrderGetaddrinfoReturned() {
        List<String> expected = new ArrayList<>();
        for (Netdb.AddrInfo ai : Netdb.getaddrinfo("localhost", null, Net.AF_UNSPEC, Net.SOCK_STREAM, 0)) {
            expected.add(ai.addr().address());
        }

        Outcome o = lookup("localhost", options().all(true).build());

        assertThat(o.addresses).extracting(Dns.Address::address).containsExactlyElementsOf(expected);
    }

    @Test
    void ipv4FirstAndIpv6FirstReorderByFamilyKeepingEachFamilysOrder() {
        List<Netdb.AddrInfo> infos = List.of(info("::1"), info("127.0.0.1"), info("fe80::1%1"), info("127.0.0.2"));

        assertThat(Dns.addresses(infos, options().all(true).order(Dns.Order.IPV4_FIRST).build()))
                .extracting(Dns.Address::address).containsExactly("127.0.0.1", "127.0.0.2", "::1", "fe80::1");
        assertThat(Dns.addresses(infos, options().all(true).order(Dns.Order.IPV6_FIRST).build()))
                .extracting(Dns.Address::address).containsExactly("::1", "fe80::1", "127.0.0.1", "127.0.0.2");
        assertThat(Dns.addresses(infos, options().all(true).verbatim(true).build()))
                .extracting(Dns.Address::family).containsExactly(6, 4, 6, 4);
    }

    private static Netdb.AddrInfo info(String literal) {
        SockAddr a = SockAddr.inet(literal, 0);
        return new Netdb.AddrInfo(a.af(), Net.SOCK_STREAM, Net.IPPROTO_TCP, a, null);
    }

    @Test
    void ipLiteralIsAnsweredWithoutALookup() {
        Outcome o = new Outcome();
        Dns.LookupRequest req = Dns.lookup(loop, "127.0.0.1", options().family(6).build(),
                (error, addresses) -> record(o, error, addresses));

        assertThat(loop.activeRequests()).as("no work queued").isZero();
        assertThat(o.calls).as("not inside lookup()").isZero();
        assertThat(req.cancel()).as("nothing to cancel").isFalse();
        run();

        // Node answers a literal as given, whatever family was asked for.
        assertThat(o.error).isNull();
        assertThat(o.addresses).containsExactly(new Dns.Address("127.0.0.1", 4));
    }

    @Test
    void ipv6LiteralComesBackWithFamily6() {
        Outcome o = lookup("::1", options().all(true).build());

        assertThat(o.addresses).containsExactly(new Dns.Address("::1", 6));
    }

    @Test
    void emptyHostnameGivesNoAddresses() {
        Outcome o = lookup("", Dns.LookupOptions.DEFAULTS);

        assertThat(o.error).isNull();
        assertThat(o.addresses).isEmpty();
    }

    // ---------------------------------------------------------------- errors

    @Test
    void nameUnderTheInvalidTldFailsWithENOTFOUND() {
        Outcome o = lookup("no.such.host.invalid", Dns.LookupOptions.DEFAULTS);

        assertThat(o.addresses).isNull();
        assertThat(o.error).hasMessage("getaddrinfo ENOTFOUND no.such.host.invalid");
        assertThat(o.error.code()).isEqualTo("ENOTFOUND");
        assertThat(o.error.errno()).isIn(-3008, -3007); // EAI_NONAME or EAI_NODATA, as libuv numbers them
        assertThat(o.error.syscall()).isEqualTo("getaddrinfo");
        assertThat(o.error.hostname()).isEqualTo("no.such.host.invalid");
    }

    @Test
    void internationalNameIsLookedUpAsPunycodeAndReportedAsGiven() {
        Outcome o = lookup("bücher.invalid", options().all(true).build());

        assertThat(o.error.code()).isEqualTo("ENOTFOUND");
        assertThat(o.error.hostname()).isEqualTo("bücher.invalid");
    }

    @Test
    void nameWithANulByteIsRefusedAtOnce() {
        ErrnoException e = org.assertj.core.api.Assertions.catchThrowableOfType(ErrnoException.class,
                () -> Dns.lookup(loop, "local\0host", (error, addresses) -> {
                    throw new AssertionError("callback must not run");
                }));

        assertThat(e.code()).isEqualTo("EINVAL");
        assertThat(e.syscall()).isEqualTo("getaddrinfo");
        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void badFamilyOrHintsAreRefusedAsNodeRefusesThem() {
        assertThatThrownBy(() -> options().family(5).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be one of: 0, 4, 6");
        assertThatThrownBy(() -> options().hints(0x400).build()).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- the request

    @Test
    void callbackRunsOnTheLoopThreadAndTheRequestKeepsTheLoopAlive() {
        Outcome o = new Outcome();
        Dns.LookupRequest req = Dns.lookup(loop, "localhost", (error, addresses) -> record(o, error, addresses));

        assertThat(req.hostname()).isEqualTo("localhost");
        assertThat(loop.activeRequests()).isEqualTo(1);
        assertThat(loop.isAlive()).isTrue();
        run();

        assertThat(o.calls).isEqualTo(1);
        assertThat(o.thread).isSameAs(Thread.currentThread());
        assertThat(loop.activeRequests()).isZero();
    }

    @Test
    void lookupCanceledBeforeItStartedCompletesWithECANCELED() throws InterruptedException {
        // Every pool thread busy, so the lookup is still queued when cancel() comes.
        int size = WorkPool.shared().size();
        CountDownLatch started = new CountDownLatch(size);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < size; i++) {
            loop.queueWork(() -> {
                started.countDown();
                try {
                    release.await(DEADLINE_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, error -> assertThat(error).isNull());
        }
        assertThat(started.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).as("every pool thread is busy").isTrue();
        Outcome o = new Outcome();
        Dns.LookupRequest req = Dns.lookup(loop, "localhost", (error, addresses) -> record(o, error, addresses));

        assertThat(req.cancel()).isTrue();
        assertThat(o.calls).as("not inside cancel()").isZero();
        release.countDown();
        run();

        assertThat(o.calls).isEqualTo(1);
        assertThat(o.addresses).isNull();
        assertThat(o.error.code()).isEqualTo("ECANCELED");
        assertThat(o.error.syscall()).isEqualTo("getaddrinfo");
        assertThat(o.error.hostname()).isEqualTo("localhost");
        assertThat(req.cancel()).as("already over").isFalse();
    }

    @Test
    void lookupRefusesOtherThreads() throws InterruptedException {
        Throwable[] thrown = {null};
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Dns.lookup(loop, "localhost", (error, addresses) -> {});
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        t.join(DEADLINE_MS);

        assertThat(thrown[0]).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void manyConcurrentLookupsEachCompleteOnce() {
        int n = 50;
        int[] calls = new int[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            String host = i % 2 == 0 ? "localhost" : "n" + i + ".invalid";
            Dns.lookup(loop, host, (error, addresses) -> {
                calls[id]++;
                if (id % 2 == 0) assertThat(error).isNull();
                else assertThat(error.code()).isEqualTo("ENOTFOUND");
            });
        }

        run();

        assertThat(calls).containsOnly(1);
    }
}
