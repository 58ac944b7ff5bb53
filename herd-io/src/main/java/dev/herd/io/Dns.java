package dev.herd.io;

import dev.herd.loop.Loop;
import dev.herd.loop.WorkRequest;
import dev.herd.os.Errno;
import dev.herd.os.ErrnoException;
import dev.herd.os.Net;
import dev.herd.os.Netdb;
import dev.herd.os.SockAddr;
import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Name lookup as Node's {@code dns.lookup} does it: the system resolver ({@code getaddrinfo},
 * so /etc/hosts and nsswitch apply) run on the loop's work pool, as libuv's
 * {@code uv_getaddrinfo} runs it. IP literals are answered without a lookup; results keep the
 * order getaddrinfo returned them in unless another {@link Order} is asked for.
 *
 * <p>Errors reach the callback as {@link ErrnoException}s in Node's {@code DNSException} shape
 * (see {@link ErrnoException#dns}): "getaddrinfo ENOTFOUND no.such.host.invalid" with
 * {@code code()} ENOTFOUND for EAI_NONAME and EAI_NODATA (and for an answer with no IPv4 or IPv6
 * address), EAI_AGAIN for a temporary failure, other EAI_* codes by name, {@code syscall()}
 * "getaddrinfo" and {@code hostname()}. A lookup canceled before it started gets ECANCELED.
 *
 * <p>Thread rule: {@link #lookup} and {@link LookupRequest#cancel} on the loop's thread; the
 * callback runs there. Stateless.
 */
public final class Dns {
    private Dns() {}

    /** Hint: return an address family only if the host has an address of it configured (AI_ADDRCONFIG). */
    public static final int ADDRCONFIG = Netdb.AI_ADDRCONFIG;
    /** Hint: with family 6, answer IPv4-only names with IPv4-mapped IPv6 addresses (AI_V4MAPPED). */
    public static final int V4MAPPED = Netdb.AI_V4MAPPED;
    /** Hint: with {@link #V4MAPPED}, return IPv4-mapped addresses as well as IPv6 ones (AI_ALL). */
    public static final int ALL = Netdb.AI_ALL;

    /** The order of the addresses: Node's {@code order} option ({@code verbatim} is its default since v17). */
    public enum Order {
        /** As getaddrinfo returned them (RFC 6724 sorting and /etc/gai.conf applied). */
        VERBATIM,
        /** IPv4 addresses first, each family keeping its order. */
        IPV4_FIRST,
        /** IPv6 addresses first, each family keeping its order. */
        IPV6_FIRST
    }

    /**
     * Options of {@link #lookup}: {@code family} 0 (any), 4 or 6; {@code all} for every address
     * rather than the first; {@code hints} a combination of {@link #ADDRCONFIG},
     * {@link #V4MAPPED} and {@link #ALL}, passed to getaddrinfo as its flags (none by default, as
     * in Node's dns.lookup; net.connect adds ADDRCONFIG); and the {@link Order}. Immutable.
     *
     * @param family 0 (any), 4 or 6
     * @param all whether to answer every address rather than the first
     * @param hints getaddrinfo flags: {@link #ADDRCONFIG}, {@link #V4MAPPED}, {@link #ALL}
     * @param order the order of the answers
     */
    public record LookupOptions(int family, boolean all, int hints, Order order) {
        /** family 0, first address only, no hints, verbatim order. */
        public static final LookupOptions DEFAULTS = new LookupOptions(0, false, 0, Order.VERBATIM);

        /**
         * Checks the options.
         *
         * @throws IllegalArgumentException for a family other than 0, 4, 6 or an unknown hint bit
         *     (Node's ERR_INVALID_ARG_VALUE)
         */
        public LookupOptions {
            if (family != 0 && family != 4 && family != 6) {
                throw new IllegalArgumentException("The property 'options.family' must be one of: 0, 4, 6. Received " + family);
            }
            if ((hints & ~(ADDRCONFIG | V4MAPPED | ALL)) != 0) {
                throw new IllegalArgumentException("The argument 'hints' is invalid. Received " + hints);
            }
            Objects.requireNonNull(order, "order");
        }

        /** {@return a builder that starts from {@link #DEFAULTS}} */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link LookupOptions}, starting from {@link #DEFAULTS}. */
        public static final class Builder {
            private int family;
            private boolean all;
            private int hints;
            private Order order = Order.VERBATIM;

            private Builder() {}

            /**
             * Sets {@link LookupOptions#family()}.
             *
             * @param family 0 (any), 4 or 6
             * @return this builder
             */
            public Builder family(int family) {
                this.family = family;
                return this;
            }

            /**
             * Sets {@link LookupOptions#all()}.
             *
             * @param all whether to answer every address
             * @return this builder
             */
            public Builder all(boolean all) {
                this.all = all;
                return this;
            }

            /**
             * Sets {@link LookupOptions#hints()}.
             *
             * @param hints getaddrinfo flags
             * @return this builder
             */
            public Builder hints(int hints) {
                this.hints = hints;
                return this;
            }

            /**
             * Sets {@link LookupOptions#order()}.
             *
             * @param order the order of the answers
             * @return this builder
             */
            public Builder order(Order order) {
                this.order = order;
                return this;
            }

            /**
             * Node's {@code verbatim}: true is {@link Order#VERBATIM}, false {@link Order#IPV4_FIRST}.
             *
             * @param verbatim whether to keep the resolver's order
             * @return this builder
             */
            public Builder verbatim(boolean verbatim) {
                this.order = verbatim ? Order.VERBATIM : Order.IPV4_FIRST;
                return this;
            }

            /** {@return the options} */
            public LookupOptions build() {
                return new LookupOptions(family, all, hints, order);
            }
        }
    }

    /**
     * One answer: the address as text ("127.0.0.1", "::1") and its family, 4 or 6. Immutable.
     *
     * @param address the address as text
     * @param family 4 or 6
     */
    public record Address(String address, int family) {}

    /**
     * Runs once with the outcome: {@code error} null and at least one address (exactly one unless
     * {@link LookupOptions#all()}), or an error and {@code null}.
     */
    @FunctionalInterface
    public interface LookupCallback {
        /**
         * Gets the outcome of a lookup.
         *
         * @param error null on success, otherwise the failure (ENOTFOUND, EAI_AGAIN, ECANCELED, ...)
         * @param addresses the addresses on success, otherwise null
         */
        void onLookup(ErrnoException error, List<Address> addresses);
    }

    /**
     * One lookup in flight (libuv's {@code uv_getaddrinfo_t}). It keeps the loop alive until its
     * callback has run. Thread rule: loop thread only.
     */
    public static final class LookupRequest {
        private final Loop loop;
        private final String hostname;
        private WorkRequest work;
        /** Written by the pool thread; read on the loop thread after the work pool hands the request back. */
        private List<Netdb.AddrInfo> result;

        private LookupRequest(Loop loop, String hostname) {
            this.loop = loop;
            this.hostname = hostname;
        }

        /** {@return the host name as given to {@link #lookup}} */
        public String hostname() {
            return hostname;
        }

        /**
         * Cancels the lookup if no pool thread has started it: the callback then gets ECANCELED
         * (in a later poll phase, never inside this call). Returns false once the lookup is
         * running or over, and for IP literals, which need no lookup.
         *
         * @return whether the lookup was canceled
         */
        public boolean cancel() {
            loop.checkThread();
            return work != null && work.cancel();
        }
    }

    /**
     * {@link #lookup(Loop, String, LookupOptions, LookupCallback)} with {@link LookupOptions#DEFAULTS}.
     *
     * @param loop the loop the callback runs on
     * @param hostname the name to resolve, or an IP literal
     * @param callback gets the addresses or the error
     * @return the request, which can be canceled
     */
    public static LookupRequest lookup(Loop loop, String hostname, LookupCallback callback) {
        return lookup(loop, hostname, LookupOptions.DEFAULTS, callback);
    }

    /**
     * Resolves {@code hostname} (Node's {@code dns.lookup}). The callback runs exactly once, on
     * the loop thread and never inside this call: in the next pending phase for an IP literal
     * (answered as given, whatever the family option, as Node does) or an empty name (no
     * addresses, Node's deprecated behaviour), else in the poll phase after getaddrinfo returned
     * on the work pool.
     *
     * @param loop the loop the callback runs on
     * @param hostname the name to resolve, or an IP literal
     * @param options family, all, hints and order
     * @param callback gets the addresses or the error
     * @return the request, which can be canceled
     * @throws ErrnoException "getaddrinfo EINVAL" for a name with a NUL byte, or a non-ASCII name
     *     that is not a valid IDN
     */
    public static LookupRequest lookup(Loop loop, String hostname, LookupOptions options, LookupCallback callback) {
        loop.checkThread();
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(callback, "callback");
        LookupRequest req = new LookupRequest(loop, hostname);

        int literal = SockAddr.isIP(hostname);
        if (hostname.isEmpty() || literal != 0) {
            List<Address> answer = literal == 0 ? List.of() : List.of(new Address(hostname, literal));
            loop.queuePending(() -> callback.onLookup(null, answer));
            return req;
        }

        String ascii = toAscii(hostname);
        int af = switch (options.family()) {
            case 4 -> Net.AF_INET;
            case 6 -> Net.AF_INET6;
            default -> Net.AF_UNSPEC;
        };
        // SOCK_STREAM, as Node asks: one entry per address instead of one per socket type.
        req.work = loop.queueWork(
                () -> req.result = Netdb.getaddrinfo(ascii, null, af, Net.SOCK_STREAM, options.hints()),
                error -> complete(req, options, callback, error));
        return req;
    }

    private static void complete(LookupRequest req, LookupOptions options, LookupCallback callback, Throwable error) {
        if (error != null) {
            ErrnoException e;
            if (req.work.isCanceled()) {
                e = ErrnoException.dns(Errno.ECANCELED, "getaddrinfo", req.hostname);
            } else if (error instanceof ErrnoException x) {
                // Reported under the name as given, not its punycode form, as Node reports it.
                e = req.hostname.equals(x.hostname()) ? x : ErrnoException.dns(x.errnoEntry(), "getaddrinfo", req.hostname);
            } else {
                // Not a resolver failure but a bug in the binding: let the loop's handler see it.
                if (error instanceof RuntimeException re) throw re;
                if (error instanceof Error err) throw err;
                throw new IllegalStateException(error);
            }
            callback.onLookup(e, null);
            return;
        }
        List<Address> addresses = addresses(req.result, options);
        if (addresses.isEmpty()) {
            // Node: an answer without an IPv4 or IPv6 address is EAI_NODATA, i.e. ENOTFOUND.
            callback.onLookup(ErrnoException.dns(Errno.EAI_NODATA, "getaddrinfo", req.hostname), null);
            return;
        }
        callback.onLookup(null, options.all() ? addresses : List.of(addresses.get(0)));
    }

    /** Node's AfterGetAddrInfo and onlookupall: text addresses in the chosen order, with their family. */
    static List<Address> addresses(List<Netdb.AddrInfo> infos, LookupOptions options) {
        List<Address> v4 = new ArrayList<>();
        List<Address> v6 = new ArrayList<>();
        List<Address> all = new ArrayList<>();
        for (Netdb.AddrInfo ai : infos) {
            SockAddr a = ai.addr();
            if (a.af() != Net.AF_INET && a.af() != Net.AF_INET6) continue;
            int family = options.family() != 0 ? options.family() : a.af() == Net.AF_INET ? 4 : 6;
            // Node prints the bare address (uv_inet_ntop): no %zone, even for link-local.
            String text = a.scopeId() != 0 ? SockAddr.ipv6(a.addressBytes(), 0, 0, 0).address() : a.address();
            Address addr = new Address(text, family);
            all.add(addr);
            (a.af() == Net.AF_INET ? v4 : v6).add(addr);
        }
        switch (options.order()) {
            case IPV4_FIRST -> {
                v4.addAll(v6);
                return v4;
            }
            case IPV6_FIRST -> {
                v6.addAll(v4);
                return v6;
            }
            default -> {
                return all;
            }
        }
    }

    /** libuv's uv__idna_toascii step: international names go to getaddrinfo as punycode. */
    private static String toAscii(String hostname) {
        // A C string ends at its first NUL: refuse rather than look up a different name.
        if (hostname.indexOf('\0') >= 0) throw ErrnoException.dns(Errno.EINVAL, "getaddrinfo", hostname);
        for (int i = 0; i < hostname.length(); i++) {
            if (hostname.charAt(i) >= 0x80) {
                try {
                    return IDN.toASCII(hostname, IDN.ALLOW_UNASSIGNED);
                } catch (IllegalArgumentException e) {
                    throw ErrnoException.dns(Errno.EINVAL, "getaddrinfo", hostname);
                }
            }
        }
        return hostname;
    }
}
