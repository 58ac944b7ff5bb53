package dev.herd.node.http;

import java.time.LocalDate;

/**
 * The {@code Date: ...\r\n} header line of a response, formatted once per second (Node's
 * {@code utcDate()} cache in {@code internal/http}).
 *
 * <p>The IMF-fixdate is written from the date's fields with fixed English names, as Node and
 * Jetty do. {@code DateTimeFormatter.RFC_1123_DATE_TIME} prints the same text, but its first use
 * loads the JDK's locale providers and CLDR data: some 300 classes and 150 ms on a fresh worker's
 * first request (docs/studies/2026-12-03-syscalls.md, "First request of a fresh worker").
 *
 * <p>Thread rule: any thread; the cached line is an immutable object replaced whole, so a race
 * costs at most one extra formatting. Lifetime: the class's.
 */
final class HttpDate {
    /** Day 0 of the epoch, 1970-01-01, was a Thursday. */
    private static final String[] DAY_NAMES = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    private static final String[] MONTH_NAMES = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    private static final byte[] PREFIX = {'D', 'a', 't', 'e', ':', ' '};

    private record Line(long second, byte[] bytes) {}

    private static volatile Line cached = new Line(Long.MIN_VALUE, new byte[0]);

    private HttpDate() {}

    /** {@code "Date: Mon, 23 Nov 2026 13:32:30 GMT\r\n"} for the current second; do not modify. */
    static byte[] line() {
        long second = System.currentTimeMillis() / 1000;
        Line l = cached;
        if (l.second != second) {
            String date = format(second);
            byte[] bytes = new byte[PREFIX.length + date.length() + 2];
            System.arraycopy(PREFIX, 0, bytes, 0, PREFIX.length);
            for (int i = 0; i < date.length(); i++) bytes[PREFIX.length + i] = (byte) date.charAt(i);
            bytes[bytes.length - 2] = '\r';
            bytes[bytes.length - 1] = '\n';
            l = new Line(second, bytes);
            cached = l;
        }
        return l.bytes;
    }

    /**
     * IMF-fixdate (RFC 9110 section 5.6.7), e.g. "Mon, 23 Nov 2026 13:32:30 GMT", for a time in
     * the years 0 to 9999.
     *
     * @throws IllegalArgumentException for a time outside those years
     */
    static String format(long epochSecond) {
        long day = Math.floorDiv(epochSecond, 86_400L);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        LocalDate date = LocalDate.ofEpochDay(day);
        int year = date.getYear();
        if (year < 0 || year > 9999) throw new IllegalArgumentException("no IMF-fixdate for year " + year);
        StringBuilder s = new StringBuilder(29);
        s.append(DAY_NAMES[(int) Math.floorMod(day, 7L)]).append(", ");
        twoDigits(s, date.getDayOfMonth());
        s.append(' ').append(MONTH_NAMES[date.getMonthValue() - 1]).append(' ');
        twoDigits(s, year / 100);
        twoDigits(s, year % 100);
        s.append(' ');
        twoDigits(s, secondOfDay / 3600);
        s.append(':');
        twoDigits(s, secondOfDay / 60 % 60);
        s.append(':');
        twoDigits(s, secondOfDay % 60);
        return s.append(" GMT").toString();
    }

    private static void twoDigits(StringBuilder s, int v) {
        s.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
