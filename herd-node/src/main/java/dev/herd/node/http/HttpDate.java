package dev.herd.node.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The {@code Date: ...\r\n} header line of a response, formatted once per second (Node's
 * {@code utcDate()} cache in {@code internal/http}).
 *
 * <p>Thread rule: any thread; the cached line is an immutable object replaced whole, so a race
 * costs at most one extra formatting. Lifetime: the class's.
 */
final class HttpDate {
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private record Line(long second, byte[] bytes) {}

    private static volatile Line cached = new Line(Long.MIN_VALUE, new byte[0]);

    private HttpDate() {}

    /** {@code "Date: Mon, 23 Nov 2026 13:32:30 GMT\r\n"} for the current second; do not modify. */
    static byte[] line() {
        long second = System.currentTimeMillis() / 1000;
        Line l = cached;
        if (l.second != second) {
            l = new Line(second, ("Date: " + format(second) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            cached = l;
        }
        return l.bytes;
    }

    /** IMF-fixdate, e.g. "Mon, 23 Nov 2026 13:32:30 GMT" (RFC 1123 with a two-digit day). */
    static String format(long epochSecond) {
        String s = RFC_1123.format(Instant.ofEpochSecond(epochSecond));
        // DateTimeFormatter's RFC 1123 form writes day 1-9 with one digit; HTTP wants two.
        return s.charAt(6) == ' ' ? s.substring(0, 5) + '0' + s.substring(5) : s;
    }
}
